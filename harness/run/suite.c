#include "run/suite.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/rundir.h"
#include "run/deadlines.h"
#include "guest/kernel-image.h"
#include "report/report.h"
#include "guest/accel.h"

#ifndef MHP_DEFAULT_GUEST_INIT
#define MHP_DEFAULT_GUEST_INIT "mhp-init"
#endif
#ifndef MHP_SOURCE_DIR
#define MHP_SOURCE_DIR "."
#endif

int mhp_suite_load(int n, char *const paths[], struct mhp_topology *all)
{
	char err[512];

	for (int i = 0; i < n; i++) {
		if (mhp_topology_load(&all[i], paths[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "mhp: %s\n", err);
			for (int j = 0; j < i; j++)
				mhp_topology_release(&all[j]);
			return -EINVAL;
		}
	}
	return 0;
}

int mhp_suite_default(struct mhp_strv *paths)
{
	glob_t g;
	int r = glob(MHP_SOURCE_DIR "/topologies/*.json", 0, NULL, &g);

	if (r != 0) {
		mhp_log_error("no topology in %s/topologies", MHP_SOURCE_DIR);
		return -ENOENT;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		mhp_strv_push(paths, g.gl_pathv[i]);
	globfree(&g);
	return 0;
}

char *mhp_suite_mkdir(const char *results, const char *name)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	int r;

	if ((r = mhp_mkdir_p(results, 0755)) < 0) {
		mhp_log_errno(r, "cannot create results directory '%s'", results);
		return NULL;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime_r(&t, &tm));
	for (int n = 0; n < 1000; n++) {
		char *dir = n ? mhp_xasprintf("%s/%s-%s-%d", results, stamp, name, n)
			      : mhp_xasprintf("%s/%s-%s", results, stamp, name);
		if (mkdir(dir, 0755) == 0)
			return dir;
		int e = errno;
		free(dir);
		if (e != EEXIST) {
			mhp_log_errno(-e, "cannot create a run directory in '%s'", results);
			return NULL;
		}
	}
	mhp_log_error("too many runs of '%s' in one second", name);
	return NULL;
}

/* results/latest -> the newest run directory, replaced atomically. */
static void point_latest(const char *results, const char *run_dir)
{
	_cleanup_free_ char *tmp = mhp_xasprintf("%s/.latest.tmp-%d", results, (int)getpid());
	_cleanup_free_ char *latest = mhp_xasprintf("%s/latest", results);
	const char *base = strrchr(run_dir, '/');

	unlink(tmp);
	if (symlink(base ? base + 1 : run_dir, tmp) < 0 || rename(tmp, latest) < 0)
		mhp_log_errno(-errno, "cannot update '%s'", latest);
}

char *mhp_suite_mkdir_latest(const struct mhp_suite *su, const struct mhp_topology *t)
{
	char *dir = mhp_suite_mkdir(su->results, t->name);

	/* Before the run, so results/latest can be followed while it goes. */
	if (dir)
		point_latest(su->results, dir);
	return dir;
}

static int write_topology(const struct mhp_topology *t, const char *dir)
{
	_cleanup_free_ char *text = NULL, *path = mhp_xasprintf("%s/topology.json", dir);
	int r = mhp_topology_write(t, &text);

	return r < 0 ? r : mhp_write_file_atomic(path, text, strlen(text));
}

void mhp_suite_run_in(const struct mhp_suite *su, const struct mhp_topology *s, const char *dir,
		      struct mhp_result *res)
{
	int r;

	mhp_result_init(res, s->name);
	res->kernel = mhp_xstrdup(su->opts.kernel);
	res->kernel_version = mhp_xstrdup(su->kernel_version);
	res->accel = mhp_xstrdup(su->opts.accel);
	res->deadlines = mhp_xstrdup(su->deadlines);
	/* The machine as it ran, for `mhp report`'s memory map. */
	if ((r = write_topology(s, dir)) < 0)
		mhp_log_errno(r, "cannot write '%s/topology.json'", dir);
	mhp_engine_run(&su->opts, s, dir, res);
	/* A run whose results cannot be written has failed: say so in the
	 * verdict, and try once more to leave a result.json that tells why. */
	if ((r = mhp_result_write_json(res, dir)) == 0)
		r = mhp_report_junit(res, dir);
	if (r < 0) {
		mhp_log_errno(r, "cannot write the results in '%s'", dir);
		if (!res->error)
			mhp_result_phase(res, "writing results");
		mhp_result_error(res, "cannot write the results in '%s': %s", dir, strerror(-r));
		mhp_result_write_json(res, dir);
	}
}

static int parse_seconds(const char *opt, const char *arg, unsigned *ret)
{
	if (mhp_parse_count(arg, 86400, ret) < 0)
		return mhp_log_error("%s: '%s' is not a number of seconds (1-86400)", opt, arg);
	return 0;
}

static int parse_jobs(const char *arg, unsigned *ret)
{
	if (mhp_parse_count(arg, 64, ret) < 0)
		return mhp_log_error("-j: '%s' is not a number of guests at once (1-64)", arg);
	return 0;
}

unsigned mhp_suite_take_shard(struct mhp_topology *all, unsigned total, unsigned k, unsigned n, unsigned *index)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < total; i++) {
		if (i % n != k) {
			mhp_topology_release(&all[i]);
			continue;
		}
		index[kept] = i;
		if (kept != i)
			all[kept] = all[i];
		kept++;
	}
	return kept;
}

int mhp_suite_option(int o, const char *arg, struct mhp_suite_args *a)
{
	switch (o) {
	case MHP_OPT_ACCEL:
		if (strcmp(arg, "auto") && strcmp(arg, "kvm") && strcmp(arg, "tcg")) {
			mhp_log_error("--accel: '%s' is not auto, kvm or tcg", arg);
			return -EINVAL;
		}
		a->accel = arg;
		return 1;
	case MHP_OPT_RESULTS: a->results = arg; return 1;
	case MHP_OPT_TIMEOUT: return parse_seconds("--timeout", arg, &a->timeout_s) < 0 ? -EINVAL : 1;
	case MHP_OPT_BOOT_TIMEOUT: return parse_seconds("--boot-timeout", arg, &a->boot_timeout_s) < 0 ? -EINVAL : 1;
	case MHP_OPT_QEMU: a->qemu = arg; return 1;
	case MHP_OPT_GUEST_INIT: a->guest_init = arg; return 1;
	case MHP_OPT_APPEND: a->append = arg; return 1;
	case MHP_OPT_MODULES_DIR: a->modules_dir = arg; return 1;
	case MHP_OPT_MODULE:
		if (a->nmodules == MHP_SUITE_MAX_MODULES) {
			mhp_log_error("--module: at most %d modules", MHP_SUITE_MAX_MODULES);
			return -EINVAL;
		}
		a->modules[a->nmodules++] = arg;
		return 1;
	case 'v': mhp_log_verbose = 1; return 1;
	case 'j': return parse_jobs(arg, &a->jobs) < 0 ? -EINVAL : 1;
	case MHP_OPT_NO_SNAPSHOT: a->no_snapshot = true; return 1;
	case MHP_OPT_SHARD:
		if (mhp_parse_shard(arg, &a->shard, &a->shards) < 0) {
			mhp_log_error("--shard: '%s' is not K/N with 0 <= K < N", arg);
			return -EINVAL;
		}
		a->sharded = true;
		return 1;
	case MHP_OPT_BACKEND:
		if (strcmp(arg, "qemu") && strcmp(arg, "libvirt") && (strncmp(arg, "libvirt:", 8) || !arg[8])) {
			mhp_log_error("--backend: '%s' is not qemu, libvirt or libvirt:URI", arg);
			return -EINVAL;
		}
		a->backend = arg;
		a->libvirt = !strncmp(arg, "libvirt", 7);
		a->libvirt_uri = !strncmp(arg, "libvirt:", 8) ? arg + 8 : NULL;
		return 1;
	case MHP_OPT_SNAPSHOT_CAP:
		if (mhp_parse_size(arg, &a->snapshot_cap) < 0) {
			mhp_log_error("--snapshot-cap: '%s' is not a size (like 4G)", arg);
			return -EINVAL;
		}
		return 1;
	default: return 0;
	}
}

/* A virtio-mem topology's modules: a kernel with installed modules gets
 * them from there (Debian's build virtio_mem as one); one without (mhp's
 * own kernel) has the driver built in, or its resize says it has none. */
static void resolve_virtio_mem(struct mhp_suite *su, const char *dir)
{
	char err[512];

	if (access(dir, R_OK) < 0)
		return;
	if (mhp_modules_resolve(dir, mhp_virtio_mem_modules, 2, &su->virtio_mem, err, sizeof(err)) < 0) {
		mhp_log_info("virtio-mem: %s; the kernel must have the driver built in", err);
		mhp_guest_modules_release(&su->virtio_mem);
	}
	su->opts.virtio_mem = &su->virtio_mem;
}

/* --module: each name and what it needs, for the kernel's release. */
static int resolve_modules(struct mhp_suite *su, const struct mhp_suite_args *a, const char *kernel)
{
	_cleanup_free_ char *dir = NULL;
	char err[512];
	int r;

	if ((r = mhp_modules_dir(kernel, a->modules_dir, &dir, err, sizeof(err))) < 0) {
		mhp_log_error("%s", err);
		return -EINVAL;
	}
	resolve_virtio_mem(su, dir);
	if (!a->nmodules)
		return 0;
	if ((r = mhp_modules_resolve(dir, a->modules, a->nmodules, &su->modules, err, sizeof(err))) < 0) {
		mhp_log_error("--module: %s", err);
		return -EINVAL;
	}
	_cleanup_free_ char *names = mhp_strv_join(&su->modules.names);
	mhp_log_info("the guest loads %s", su->modules.names.n ? names : "nothing: the modules are built in");
	su->opts.modules = &su->modules;
	return 0;
}

void mhp_suite_release(struct mhp_suite *su)
{
	mhp_guest_modules_release(&su->modules);
	mhp_guest_modules_release(&su->virtio_mem);
	su->opts.modules = su->opts.virtio_mem = NULL;
}

int mhp_suite_prepare(struct mhp_suite *su, const struct mhp_suite_args *a, const char *kernel)
{
	const char *init = a->guest_init ? a->guest_init : getenv("MHP_GUEST_INIT");
	const char *accel;
	int r;

	if (!init)
		init = MHP_DEFAULT_GUEST_INIT;
	/* What an mhp killed with SIGKILL left: its workers' QEMU sockets and
	 * initrds (QEMU itself died with it, PR_SET_PDEATHSIG). */
	int stale = mhp_rundir_sweep(mhp_tmp_dir(), "mhp-run");
	if (stale > 0)
		mhp_log_notice("removed %d run director%s of mhp processes that are gone from %s", stale,
			     stale == 1 ? "y" : "ies", mhp_tmp_dir());
	if ((r = mhp_kernel_probe(kernel, su->kernel_version, sizeof(su->kernel_version))) < 0) {
		mhp_log_errno(r, "kernel '%s' is not a bootable x86 kernel image", kernel);
		return -EINVAL;
	}
	if (access(init, R_OK) < 0) {
		mhp_log_errno(-errno, "guest init '%s' (build it with 'make')", init);
		return -EINVAL;
	}
	struct mhp_accel_probe probe = { .qemu = a->qemu, .kernel = kernel, .guest_init = init,
					 .kvm_device = getenv("MHP_KVM_DEVICE"), .timeout_ms = 15000 };
	if (mhp_accel_resolve(a->accel, &probe, &accel, su->accel_reason, sizeof(su->accel_reason)) < 0) {
		mhp_log_error("--accel: '%s' is not auto, kvm or tcg", a->accel);
		return -EINVAL;
	}
	mhp_log_info("accelerator %s (%s)", accel, su->accel_reason);
	struct mhp_deadlines d;
	mhp_deadlines_get(&(struct mhp_deadline_key){ kernel, a->qemu, accel }, a->boot_timeout_s * 1000,
			  a->timeout_s * 1000, MHP_DEFAULT_BOOT_TIMEOUT_S * 1000, MHP_DEFAULT_STEP_TIMEOUT_S * 1000, &d);
	snprintf(su->deadlines, sizeof(su->deadlines), "%s", d.why);
	mhp_log_info("deadlines: %s", d.why);
	su->opts = (struct mhp_run_opts){ .kernel = kernel, .guest_init = init, .accel = accel, .qemu = a->qemu,
					  .append = a->append, .boot_timeout_ms = d.boot_ms,
					  .timeout_ms = d.step_ms, .snapshots = !a->no_snapshot,
					  .snapshot_cap = a->snapshot_cap, .backend = { a->libvirt, a->libvirt_uri } };
	return resolve_modules(su, a, kernel);
}
