/* mhp run and mhp boot: topologies on one kernel, KTAP on stdout. */
#include <errno.h>
#include <json-c/json.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "guest/kernel-image.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "model/topology.h"
#include "report/html.h"
#include "report/report.h"
#include "report/shard-manifest.h"
#include "run/pool.h"
#include "run/suite.h"

struct cli {
	const char *kernel;
	struct mhp_suite_args args;
};

static const char run_usage[] =
	"usage: mhp run [options] TOPOLOGY...\n"
	"       mhp boot [options] TOPOLOGY\n"
	"\n"
	"run: boot a kernel in QEMU per topology, hot-add and hot-remove its DIMMs\n"
	"over QMP, check from the guest where every memory block landed.\n"
	"boot: boot the topology's machine and power off, running no step.\n"
	"\n"
	"  --kernel PATH       bzImage to boot (default: the newest /boot/vmlinuz-*)\n"
	"  --accel MODE        auto, kvm or tcg (default auto: a bounded KVM probe\n"
	"                      boot, cached, falling back to TCG)\n"
	"  --results DIR       where run directories go (default: results)\n"
	"  --timeout S         deadline of each QMP reply, event and guest command\n"
	"                      (default: 10 x this kernel's boot measured here, at least 60)\n"
	"  --boot-timeout S    deadline from QEMU start to the guest's hello\n"
	"                      (default: 20 x this kernel's boot measured here, at least 180)\n"
	"  --backend B         qemu (default: QEMU driven over QMP) or libvirt[:URI]\n"
	"                      (domains through libvirt's API; default URI: an embedded\n"
	"                      driver in mhp's cache, no daemon; no boot snapshots)\n"
	"  --qemu PATH         QEMU binary (default: qemu-system-x86_64)\n"
	"  --guest-init PATH   static guest init (default: the one built with mhp)\n"
	"  --append WORDS      more kernel command line\n"
	"  -j, --parallel N    guests at once (default: one per CPU, as memory allows)\n"
	"  --no-snapshot       boot every run cold (default: restore a saved boot of\n"
	"                      the same machine shape; never for mhp boot)\n"
	"  --snapshot-cap SIZE boot snapshots kept in the cache (default 4G)\n"
	"  --module NAME       the guest init loads kernel module NAME (and what it\n"
	"                      needs) from the initrd first; repeatable\n"
	"  --modules-dir DIR   where <release>/modules.dep is (default /lib/modules)\n"
	"  -v, --verbose       say what mhp decides\n"
	"  --shard K/N         (run) only topologies K, K+N, ... of those given (0-based);\n"
	"                      RESULTS/shard.json records them for `mhp results merge`\n"
	"\n"
	"Output: KTAP on stdout, one test per topology; results/<time>-<topology>/\n"
	"holds result.json, console.log, qmp.log, channel.log and qemu.log\n"
	"(libvirt.log, API calls and events, with --backend libvirt).\n"
	"Exit status: 0 all passed, 1 a check failed, 2 usage or input error,\n"
	"4 nothing could be tested, 130/143 interrupted.\n";

static int parse_cli(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' }, MHP_SUITE_OPTIONS, MHP_SUITE_RUN_OPTIONS,
		MHP_SUITE_SHARD_OPTION, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	int o;

	optind = 1;
	while ((o = mhp_cli_option(argc, argv, opts, &c->args, NULL)) >= 0) {
		switch (o) {
		case 'k': c->kernel = optarg; break;
		case 'h': fputs(run_usage, stdout); exit(0);
		default: fputs(run_usage, stderr); return -EINVAL;
		}
	}
	if (o == MHP_CLI_OPTION_ERROR)
		return -EINVAL;
	return optind;
}

static int exit_code(unsigned pass, unsigned fail)
{
	if (mhp_interrupted)
		return 128 + mhp_interrupted;
	if (fail)
		return MHP_EXIT_FAIL;
	return pass ? MHP_EXIT_PASS : MHP_EXIT_SKIP;
}

struct tally {
	unsigned pass, fail;
	size_t unpredicted;     /* reported facts the oracle does not predict (not scored, with the reason) */
	json_object *manifest;  /* --shard: RESULTS/shard.json, or NULL */
	struct mhp_strv dirs;   /* the run directories, for report.html */
	unsigned total, done;   /* topologies, and runs handed over, for the progress line */
	uint64_t start_ns;
	const unsigned *index;  /* --shard: each run's position in the whole suite */
	const char *results;
};

/* On a terminal, one line on stderr that each finished run updates (KTAP
 * on stdout says the same, for logs, in its # lines). */
static void progress(const struct tally *t, const struct mhp_result *res)
{
	unsigned done = t->done, left = t->total - done;
	double elapsed = (double)(mhp_now_ns() - t->start_ns) / 1e9;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[K[%u/%u] %s %.1f s: %u passed, %u failed, %.0f s so far%s", done, t->total, res->topology,
		(double)res->duration_ns / 1e9, t->pass, t->fail, elapsed, left ? "" : "\n");
}

/* Each run in topology order, as the pool hands them over: KTAP. */
static int on_done(void *ctx, size_t i, struct mhp_result *res, const char *dir)
{
	struct tally *t = ctx;
	enum mhp_status v = mhp_result_verdict(res);

	mhp_report_ktap(stdout, res, (unsigned)i + 1, dir);
	t->pass += v == MHP_STATUS_PASS;
	t->fail += v == MHP_STATUS_FAIL;
	for (size_t k = 0; k < res->nchecks; k++)
		t->unpredicted += res->checks[k].status == MHP_STATUS_SKIP && !res->checks[k].outcome;
	t->done++;
	progress(t, res);
	if (dir)
		mhp_strv_push(&t->dirs, dir);
	if (t->manifest && dir) {
		mhp_shard_manifest_run(t->manifest, t->index[i], "dir", dir);
		mhp_shard_manifest_save(t->manifest, t->results, false);
	}
	return 0;
}

/* RESULTS/report.html of this run's topologies (a diagnostic line says where). */
static void write_report(const struct mhp_suite *su, const struct mhp_strv *dirs)
{
	_cleanup_free_ char *out = mhp_xasprintf("%s/report.html", su->results);
	_cleanup_free_ char *title = mhp_xasprintf("mhp run: %.*s", (int)strcspn(su->kernel_version, " "),
						   su->kernel_version);
	int r;

	if (!dirs->n)
		return;
	if ((r = mhp_report_html(out, title, dirs->v, dirs->n)) < 0)
		mhp_log_errno(r, "cannot write '%s'", out);
	else
		printf("# report: %s\n", out);
}

static int run_all(struct mhp_suite *su, struct mhp_topology *all, unsigned total, unsigned width, struct tally *tally)
{
	struct mhp_pool_job *jobs = mhp_xcalloc(total, sizeof(*jobs));
	struct tally t = *tally;
	int r;

	t.total = total, t.start_ns = mhp_now_ns();
	for (unsigned i = 0; i < total; i++)
		jobs[i] = (struct mhp_pool_job){ su, &all[i] };
	r = mhp_pool_run(jobs, total, width, on_done, &t);
	free(jobs);
	if (t.manifest && mhp_shard_manifest_save(t.manifest, t.results, r == 0 && !mhp_interrupted) < 0 && r == 0)
		r = -EIO;
	write_report(su, &t.dirs);
	mhp_strv_release(&t.dirs);
	if (r == -EIO)
		return MHP_EXIT_FAIL;
	printf("# mhp: %u passed, %u failed, %u skipped\n", t.pass, t.fail, total - t.pass - t.fail);
	printf("# mhp: %zu reported facts not predicted (each run's result.json says which and why)\n", t.unpredicted);
	if (t.manifest && total == 0 && !mhp_interrupted)
		return MHP_EXIT_PASS; /* a shard with no topology: more shards than topologies */
	return exit_code(t.pass, t.fail);
}

/* --shard: only this shard's topologies stay in all[]; its manifest
 * records the whole suite's names. */
static unsigned take_shard(const struct cli *c, struct mhp_topology *all, unsigned total, struct tally *t,
			   unsigned *index)
{
	char **names = mhp_xcalloc(total, sizeof(*names));

	for (unsigned i = 0; i < total; i++)
		names[i] = all[i].name;
	t->manifest = mhp_shard_manifest_new("run", c->args.shard, c->args.shards, names, total);
	t->index = index;
	t->results = c->args.results;
	free(names);
	return mhp_suite_take_shard(all, total, c->args.shard, c->args.shards, index);
}

/* The shard's manifest before any run: a shard that dies is seen as one. */
static int start_manifest(struct tally *t, const struct mhp_suite *su)
{
	if (!t->manifest)
		return 0;
	mhp_shard_manifest_label(t->manifest, "kernel_version", su->kernel_version);
	if (mhp_mkdir_p(t->results, 0755) < 0)
		return mhp_log_errno(-errno, "cannot create '%s'", t->results);
	return mhp_shard_manifest_save(t->manifest, t->results, false);
}

static int run_or_boot(int argc, char **argv, bool boot)
{
	struct cli c = { .args = MHP_SUITE_ARGS_INIT };
	_cleanup_free_ char *kernel = NULL;
	_cleanup_free_ unsigned *index = NULL;
	struct mhp_suite suite = { 0 };
	struct tally tally = { 0 };
	int first = parse_cli(argc, argv, &c), r;
	unsigned total, width;

	if (first < 0)
		return MHP_EXIT_USAGE;
	if (first == argc || (boot && (argc - first != 1 || c.args.sharded))) {
		fputs(run_usage, stderr);
		return MHP_EXIT_USAGE;
	}
	total = (unsigned)(argc - first);
	struct mhp_topology *all = mhp_xcalloc(total, sizeof(*all));
	if (mhp_suite_load(argc - first, argv + first, all) < 0) {
		free(all);
		return MHP_EXIT_USAGE;
	}
	if (c.args.sharded)
		total = take_shard(&c, all, total, &tally, index = mhp_xcalloc(total, sizeof(*index)));
	/* A bare boot is what snapshots are measured against: always cold. */
	if (boot) {
		all[0].nr_steps = 0;
		c.args.no_snapshot = true;
	}
	if (mhp_pool_width(all, total, 1, c.args.jobs, &width) < 0) {
		r = MHP_EXIT_USAGE;
		goto out;
	}
	if ((r = mhp_cli_default_kernel(&c.kernel, &kernel)) != 0)
		goto out;
	if (mhp_suite_prepare(&suite, &c.args, c.kernel) < 0) {
		r = MHP_EXIT_USAGE;
		goto out;
	}
	suite.results = c.args.results;
	if (start_manifest(&tally, &suite) < 0) {
		r = MHP_EXIT_SKIP;
		goto out;
	}
	printf("KTAP version 1\n1..%u\n", total);
	printf("# mhp: kernel %s (%.*s), accel %s (%s), %u at once, %s\n", c.kernel,
	       (int)strcspn(suite.kernel_version, " "), suite.kernel_version, suite.opts.accel, suite.accel_reason,
	       width, suite.opts.snapshots ? "boot snapshots" : "cold boots");
	r = run_all(&suite, all, total, width, &tally);
out:
	mhp_suite_release(&suite);
	for (unsigned i = 0; i < total; i++)
		mhp_topology_release(&all[i]);
	free(all);
	json_object_put(tally.manifest);
	return r;
}

int mhp_cmd_run(int argc, char **argv)
{
	return run_or_boot(argc, argv, false);
}

int mhp_cmd_boot(int argc, char **argv)
{
	return run_or_boot(argc, argv, true);
}

