#include "run/replay.h"
#include "lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi/tables.h"
#include "guest/initrd.h"
#include "guest/libvirt-xml.h"
#include "guest/modules.h"
#include "lib/cleanup.h"
#include "run/replay-internal.h"

#ifndef MHP_DEFAULT_GUEST_INIT
#define MHP_DEFAULT_GUEST_INIT "mhp-init"
#endif

struct replay {
	const struct mhp_topology *t;
	const struct mhp_replay_opts *o;
	const char *final;   /* the directory the XML names (absolute) */
	const char *staging; /* where it is built */
	struct mhp_replay_ctx ctx;
	struct mhp_guest_modules modules;
	char *err;
	size_t errsize;
};

static int failf(struct replay *p, int r, const char *fmt, ...) MHP_FORMAT(3, 4);
static int failf(struct replay *p, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r = mhp_verrf(p->err, p->errsize, r, fmt, ap);
	va_end(ap);
	return r;
}

static int put(struct replay *p, const char *name, const char *text)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/%s", p->staging, name);
	int r = mhp_write_file_atomic(path, text, strlen(text));

	return r < 0 ? failf(p, r, "cannot write '%s': %s", path, strerror(-r)) : 0;
}

/* DIMM files numbered in the order the steps first plug them. */
static int device_files(struct replay *p)
{
	unsigned next = 0;

	for (unsigned i = 0; i < p->t->nr_steps; i++) {
		const struct mhp_step *s = &p->t->steps[i];
		_cleanup_free_ char *xml = NULL;
		int r;

		if (s->kind != MHP_STEP_PLUG || p->ctx.files[s->dimm][0])
			continue;
		snprintf(p->ctx.files[s->dimm], sizeof(p->ctx.files[0]), "dimm%u.xml", next++);
		if ((r = mhp_libvirt_device_xml(p->t, s->dimm, &xml)) < 0)
			return failf(p, r, "device XML of '%s': %s", p->t->dimms[s->dimm].id, strerror(-r));
		if ((r = put(p, p->ctx.files[s->dimm], xml)) < 0)
			return r;
	}
	return 0;
}

/* What a virtio-mem topology's guest loads, as a run resolves it
 * (run/suite.c): from the kernel's modules, else built in. */
static void virtio_mem_modules(struct replay *p)
{
	_cleanup_free_ char *dir = NULL;
	char err[512] = "";

	if (!mhp_topology_has_virtio_mem(p->t))
		return;
	if (mhp_modules_dir(p->o->kernel, NULL, &dir, err, sizeof(err)) < 0 ||
	    mhp_modules_resolve(dir, mhp_virtio_mem_modules, 2, &p->modules, err, sizeof(err)) < 0) {
		mhp_guest_modules_release(&p->modules);
		snprintf(p->ctx.modules_note, sizeof(p->ctx.modules_note),
			 "virtio-mem: %s; the kernel must have the driver built in.", err);
		return;
	}
	_cleanup_free_ char *names = mhp_strv_join(&p->modules.names);
	snprintf(p->ctx.modules_note, sizeof(p->ctx.modules_note), "virtio-mem: the guest init loads %s "
		 "(from the initrd) before it says hello.", p->modules.names.n ? names : "nothing (built in)");
}

/* The initrd as a run builds it (run/engine.c, guest/qemu-guest.c): the
 * SRAT in the first cpio.  A regenerated DSDT is left out: it edits QEMU's
 * DSDT for the QEMU backend's command line, which libvirt's is not. */
static int initrd(struct replay *p)
{
	struct mhp_topology no_dsdt = *p->t;
	struct mhp_tables tables = MHP_TABLES_INIT;
	struct mhp_initrd_table list[2];
	_cleanup_free_ char *path = mhp_xasprintf("%s/initrd.cpio", p->staging);
	const char *init = p->o->guest_init ? p->o->guest_init : MHP_DEFAULT_GUEST_INIT;
	int r;

	no_dsdt.dsdt = false;
	if ((r = mhp_tables_build(&no_dsdt, p->staging, NULL, &tables, p->err, p->errsize)) < 0)
		goto out;
	for (size_t i = 0; i < tables.n; i++)
		list[i] = (struct mhp_initrd_table){ tables.names[i], tables.paths[i] };
	p->ctx.ntables = tables.n;
	virtio_mem_modules(p);
	r = mhp_initrd_write(path, init, list, tables.n, &p->modules);
	if (r < 0)
		failf(p, r, "cannot build the initrd from '%s': %s", init, strerror(-r));
out:
	mhp_tables_release(&tables);
	return r;
}

static int domain(struct replay *p)
{
	_cleanup_free_ char *initrd = mhp_xasprintf("%s/initrd.cpio", p->final);
	_cleanup_free_ char *console = mhp_xasprintf("%s/console.log", p->final);
	_cleanup_free_ char *chan = mhp_xasprintf("%s/channel.sock", p->final), *xml = NULL;
	_cleanup_free_ char *kernel = realpath(p->o->kernel, NULL);
	struct mhp_libvirt_config cfg = { .accel = p->o->accel, .kernel = kernel, .initrd = initrd,
					  .console_log = console, .chan_socket = chan };
	int r;

	if (!kernel)
		return failf(p, -errno, "kernel '%s': %s", p->o->kernel, strerror(errno));
	if ((r = mhp_libvirt_domain_xml(&cfg, p->t, &xml)) < 0)
		return failf(p, r, "domain XML: %s", strerror(-r));
	return put(p, "domain.xml", xml);
}

static int build(struct replay *p)
{
	_cleanup_free_ char *topo = NULL, *readme = NULL;
	size_t len = 0;
	int r;

	mhp_libvirt_domain_name(p->t, p->ctx.name, sizeof(p->ctx.name));
	if ((r = initrd(p)) < 0 || (r = domain(p)) < 0 || (r = device_files(p)) < 0)
		return r;
	if ((r = mhp_topology_write(p->t, &topo)) < 0)
		return failf(p, r, "cannot write the topology back: %s", strerror(-r));
	if ((r = put(p, "topology.json", topo)) < 0)
		return r;
	FILE *f = open_memstream(&readme, &len);
	if (!f)
		return failf(p, -errno, "README: %s", strerror(errno));
	mhp_replay_readme(f, &p->ctx);
	if (fclose(f) != 0)
		return failf(p, -ENOMEM, "README: out of memory");
	return put(p, "README.md", readme);
}

/* 0 when dir is absent or empty (*ret_exists says which), -EEXIST when it
 * holds something, -ENOTDIR when it is not a directory. */
static int check_target(const char *dir, bool *ret_exists)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (stat(dir, &st) < 0)
		return errno == ENOENT ? (*ret_exists = false, 0) : -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (!(d = opendir(dir)))
		return -errno;
	while (r == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			r = -EEXIST;
	closedir(d);
	*ret_exists = true;
	return r;
}

/* dir made absolute (libvirt's schema wants absolute paths), no trailing '/'. */
static char *absolute(const char *dir)
{
	_cleanup_free_ char *cwd = dir[0] == '/' ? NULL : getcwd(NULL, 0);
	char *abs = cwd ? mhp_xasprintf("%s/%s", cwd, dir) : mhp_xstrdup(dir);
	size_t n = strlen(abs);

	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	return abs;
}

int mhp_replay_write(const struct mhp_topology *t, const char *dir, const struct mhp_replay_opts *o, char *err,
		     size_t errsize)
{
	_cleanup_free_ char *final = absolute(dir), *staging = mhp_xasprintf("%s.tmp-XXXXXX", final);
	struct replay p = { .t = t, .o = o, .final = final, .staging = staging, .ctx = { .t = t }, .err = err,
			   .errsize = errsize };
	bool exists = false;
	int r = check_target(final, &exists);

	if (r == -EEXIST)
		return failf(&p, r, "'%s' exists and is not empty: give a new or an empty directory", dir);
	if (r < 0)
		return failf(&p, r, "'%s': %s", dir, strerror(-r));
	if (!mkdtemp(staging))
		return failf(&p, -errno, "cannot create a directory beside '%s': %s", dir, strerror(errno));
	chmod(staging, 0755);
	if ((r = build(&p)) == 0 && exists && rmdir(final) < 0)
		r = failf(&p, -errno, "cannot replace the empty '%s': %s", dir, strerror(errno));
	if (r == 0 && rename(staging, final) < 0) {
		r = failf(&p, -errno, "cannot rename '%s' to '%s': %s", staging, final, strerror(errno));
		if (exists) /* the empty directory the user gave, back as it was */
			mkdir(final, 0755);
	}
	if (r < 0)
		mhp_remove_tree(staging);
	mhp_guest_modules_release(&p.modules);
	return r;
}
