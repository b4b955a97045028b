#include "acpi/tables.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "acpi/acpi.h"
#include "acpi/dsdt.h"
#include "acpi/iasl.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

struct build {
	const struct mhp_topology *t;
	const char *dir;  /* results/<run>/acpi */
	char *err;
	size_t errsize;
};

static int failf(struct build *b, int r, const char *fmt, ...) MHP_FORMAT(3, 4);
static int failf(struct build *b, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r = mhp_verrf(b->err, b->errsize, r, fmt, ap);
	va_end(ap);
	return r;
}

/* Compiles dir/<name>.dsl into dir/<name>.aml, keeping iasl's output in
 * dir/<name>-iasl.log.  Returns the .aml path, or NULL with err set. */
static char *compile(struct build *b, const char *name)
{
	_cleanup_free_ char *dsl = mhp_xasprintf("%s/%s.dsl", b->dir, name), *prefix = mhp_xasprintf("%s/%s", b->dir, name);
	_cleanup_free_ char *log = NULL, *log_path = mhp_xasprintf("%s/%s-iasl.log", b->dir, name);
	int r = mhp_iasl_compile(dsl, prefix, &log);

	mhp_write_file_atomic(log_path, log, strlen(log)); /* diagnostics only */
	if (r == -ENOENT)
		failf(b, r, "iasl is not installed (Debian package acpica-tools), needed for the %s", name);
	else if (r == -ECHILD)
		failf(b, r, "iasl crashed on %s (its output is in acpi/%s-iasl.log)", dsl, name);
	else if (r < 0) {
		_cleanup_free_ char *why = mhp_iasl_summary(log);
		failf(b, r, "iasl failed on %s: %s (all of it in acpi/%s-iasl.log)", dsl, why, name);
	}
	return r < 0 ? NULL : mhp_xasprintf("%s.aml", prefix);
}

static char *write_and_compile(struct build *b, const char *name, const char *text)
{
	_cleanup_free_ char *dsl = mhp_xasprintf("%s/%s.dsl", b->dir, name);
	int r = mhp_write_file_atomic(dsl, text, strlen(text));

	if (r < 0) {
		failf(b, r, "cannot write '%s': %s", dsl, strerror(-r));
		return NULL;
	}
	return compile(b, name);
}

static char *build_srat(struct build *b)
{
	_cleanup_free_ char *src = mhp_acpi_srat_source(b->t, b->t->srat_oem_revision);

	return write_and_compile(b, "srat", src);
}

/* QEMU's DSDT, disassembled, with each DIMM slot's _PXM set, recompiled. */
static char *build_dsdt(struct build *b, const char *qemu_dsdt)
{
	_cleanup_free_ char *prefix = mhp_xasprintf("%s/qemu-dsdt", b->dir), *dsl = mhp_xasprintf("%s/qemu-dsdt.dsl", b->dir);
	_cleanup_free_ char *log = NULL, *text = NULL, *patched = NULL;
	int slot_pxm[MHP_MAX_DIMMS];
	char why[256];
	int r;

	if ((r = mhp_iasl_disassemble(qemu_dsdt, prefix, &log)) < 0) {
		failf(b, r, "iasl -d failed on QEMU's DSDT (%s): %s", qemu_dsdt, strerror(-r));
		return NULL;
	}
	if ((r = mhp_read_file(dsl, 8u << 20, &text, NULL)) < 0) {
		failf(b, r, "cannot read '%s': %s", dsl, strerror(-r));
		return NULL;
	}
	unsigned nslots = 0;
	for (unsigned i = 0; i < b->t->nr_dimms; i++)
		if (b->t->dimms[i].kind == MHP_DEVICE_DIMM)
			slot_pxm[nslots++] = b->t->dimms[i].pxm;
	if (!(patched = mhp_dsdt_patch(text, slot_pxm, nslots, MHP_ACPI_OEM_REVISION, why, sizeof(why)))) {
		failf(b, -EINVAL, "cannot regenerate the DSDT: %s", why);
		return NULL;
	}
	return write_and_compile(b, "dsdt", patched);
}

static int add(struct mhp_tables *out, const char *name, char *path)
{
	if (!path)
		return -EIO;
	out->names[out->n] = name;
	out->paths[out->n++] = path;
	return 0;
}

int mhp_tables_build(const struct mhp_topology *t, const char *results_dir, const char *qemu_dsdt,
		     struct mhp_tables *out, char *err, size_t errsize)
{
	_cleanup_free_ char *dir = mhp_xasprintf("%s/acpi", results_dir);
	struct build b = { t, dir, err, errsize };
	int r;

	if (!t->srat && !t->dsdt)
		return 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return failf(&b, -errno, "cannot create '%s': %s", dir, strerror(errno));
	if (t->srat && (r = add(out, "srat.aml", build_srat(&b))) < 0)
		return r;
	if (t->dsdt && (r = add(out, "dsdt.aml", build_dsdt(&b, qemu_dsdt))) < 0)
		return r;
	return 0;
}

void mhp_tables_release(struct mhp_tables *t)
{
	for (size_t i = 0; i < 2; i++)
		free(t->paths[i]);
	*t = (struct mhp_tables)MHP_TABLES_INIT;
}
