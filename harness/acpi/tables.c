#include "acpi/tables.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "acpi/acpi.h"
#include "lib/cleanup.h"
#include "acpi/dsdt.h"
#include "acpi/iasl.h"

/* Compiles dir/<name>.dsl into dir/<name>.aml, keeping iasl's output in
 * dir/<name>-iasl.log.  Returns the .aml path, or NULL with the error set. */
static char *compile(struct mhp_vm *vm, const char *dir, const char *name)
{
	_cleanup_free_ char *dsl = mhp_xasprintf("%s/%s.dsl", dir, name), *prefix = mhp_xasprintf("%s/%s", dir, name);
	_cleanup_free_ char *log = NULL, *log_path = mhp_xasprintf("%s/%s-iasl.log", dir, name);
	int r = mhp_iasl_compile(dsl, prefix, &log);

	mhp_write_file_atomic(log_path, log, strlen(log)); /* diagnostics only */
	if (r == -ENOENT)
		mhp_result_error(vm->res, "iasl is not installed (Debian package acpica-tools), needed for the %s", name);
	else if (r == -ECHILD)
		mhp_result_error(vm->res, "iasl crashed on %s (its output is in acpi/%s-iasl.log)", dsl, name);
	else if (r < 0) {
		_cleanup_free_ char *why = mhp_iasl_summary(log);
		mhp_result_error(vm->res, "iasl failed on %s: %s (all of it in acpi/%s-iasl.log)", dsl, why, name);
	}
	return r < 0 ? NULL : mhp_xasprintf("%s.aml", prefix);
}

static int write_text(struct mhp_vm *vm, const char *path, const char *text)
{
	int r = mhp_write_file_atomic(path, text, strlen(text));

	if (r < 0)
		mhp_result_error(vm->res, "cannot write '%s': %s", path, strerror(-r));
	return r;
}

static char *build_srat(struct mhp_vm *vm, const char *dir)
{
	_cleanup_free_ char *src = mhp_acpi_srat_source(vm->t, vm->t->srat_oem_revision);
	_cleanup_free_ char *dsl = mhp_xasprintf("%s/srat.dsl", dir);

	return write_text(vm, dsl, src) < 0 ? NULL : compile(vm, dir, "srat");
}

/* Boots the same machine once, installing nothing, to read QEMU's DSDT. */
static int capture_dsdt(struct mhp_vm *vm, const char *dir, const char *aml)
{
	_cleanup_free_ char *capdir = mhp_xasprintf("%s/capture", dir);
	_cleanup_free_ unsigned char *data = NULL;
	struct mhp_result res;
	struct mhp_vm cap = { .o = vm->o, .t = vm->t, .res = &res, .capture = true };
	size_t len = 0;
	int r = -1;

	if (mkdir(capdir, 0755) < 0 && errno != EEXIST) {
		mhp_result_error(vm->res, "cannot create '%s': %s", capdir, strerror(errno));
		return -1;
	}
	mhp_result_init(&res, "dsdt-capture");
	if (mhp_vm_start(&cap, capdir) == 0 && mhp_vm_acpi_table(&cap, "DSDT", &data, &len) == 0) {
		mhp_vm_power_off(&cap);
		r = mhp_write_file_atomic(aml, data, len);
		if (r < 0)
			mhp_result_error(&res, "cannot write '%s': %s", aml, strerror(-r));
	}
	mhp_vm_teardown(&cap);
	if (res.error || r < 0)
		mhp_result_error(vm->res, "capturing QEMU's DSDT: %s (logs in acpi/capture/)", res.error ? res.error : "failed");
	mhp_result_release(&res);
	return vm->res->error ? -1 : 0;
}

static char *build_dsdt(struct mhp_vm *vm, const char *dir)
{
	_cleanup_free_ char *qemu_aml = mhp_xasprintf("%s/qemu-dsdt.aml", dir), *qemu_prefix = mhp_xasprintf("%s/qemu-dsdt", dir);
	_cleanup_free_ char *qemu_dsl = mhp_xasprintf("%s/qemu-dsdt.dsl", dir), *dsl = mhp_xasprintf("%s/dsdt.dsl", dir);
	_cleanup_free_ char *log = NULL, *text = NULL, *patched = NULL;
	int slot_pxm[MHP_MAX_DIMMS];
	char err[256];
	int r;

	if (capture_dsdt(vm, dir, qemu_aml) < 0)
		return NULL;
	if ((r = mhp_iasl_disassemble(qemu_aml, qemu_prefix, &log)) < 0) {
		mhp_result_error(vm->res, "iasl -d failed on QEMU's DSDT (%s): %s", qemu_aml, strerror(-r));
		return NULL;
	}
	if ((r = mhp_read_file(qemu_dsl, 8u << 20, &text, NULL)) < 0) {
		mhp_result_error(vm->res, "cannot read '%s': %s", qemu_dsl, strerror(-r));
		return NULL;
	}
	for (unsigned i = 0; i < vm->t->nr_dimms; i++)
		slot_pxm[i] = vm->t->dimms[i].pxm;
	if (!(patched = mhp_dsdt_patch(text, slot_pxm, vm->t->nr_dimms, MHP_ACPI_OEM_REVISION, err, sizeof(err)))) {
		mhp_result_error(vm->res, "cannot regenerate the DSDT: %s", err);
		return NULL;
	}
	return write_text(vm, dsl, patched) < 0 ? NULL : compile(vm, dir, "dsdt");
}

int mhp_tables_build(struct mhp_vm *vm, const char *results_dir, struct mhp_tables *out)
{
	_cleanup_free_ char *dir = mhp_xasprintf("%s/acpi", results_dir);

	if (!vm->t->srat && !vm->t->dsdt)
		return 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		mhp_result_error(vm->res, "cannot create '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (vm->t->srat) {
		if (!(out->paths[out->n] = build_srat(vm, dir)))
			return -1;
		out->initrd[out->n] = (struct mhp_initrd_table){ "srat.aml", out->paths[out->n] };
		out->n++;
	}
	if (vm->t->dsdt) {
		if (!(out->paths[out->n] = build_dsdt(vm, dir)))
			return -1;
		out->initrd[out->n] = (struct mhp_initrd_table){ "dsdt.aml", out->paths[out->n] };
		out->n++;
	}
	return 0;
}

void mhp_tables_release(struct mhp_tables *t)
{
	for (size_t i = 0; i < 2; i++)
		free(t->paths[i]);
	*t = (struct mhp_tables)MHP_TABLES_INIT;
}

/* A table the kernel ignored would leave QEMU's in place: the run would
 * test the wrong machine, so it stops. */
static int check_one(struct mhp_vm *vm, const char *log, const char *sig)
{
	char line[128], name[64];
	bool taken;

	mhp_acpi_upgrade_line(sig, line, sizeof(line));
	taken = strstr(log, line) != NULL;
	snprintf(name, sizeof(name), "boot: kernel took our %s", sig);
	mhp_result_check(vm->res, name, "yes", taken ? "yes" : "no");
	if (!taken) {
		mhp_result_error(vm->res, "the kernel ignored the generated %s (no '%s' in console.log): "
			"its OEM ID, OEM table ID and a revision above QEMU's must match", sig, line);
		return -1;
	}
	return 0;
}

int mhp_tables_check_taken(struct mhp_vm *vm, const char *results_dir)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/console.log", results_dir), *log = NULL;

	if (!vm->t->srat && !vm->t->dsdt)
		return 0;
	if (mhp_read_file(path, 64u << 20, &log, NULL) < 0)
		log = mhp_xstrdup("");
	if (vm->t->srat && check_one(vm, log, "SRAT") < 0)
		return -1;
	return vm->t->dsdt ? check_one(vm, log, "DSDT") : 0;
}
