/* mhp gate: does a patch series break memory hotplug?  Runs the suite on
 * the baseline kernel and on the candidate, compares them check by check
 * (gate.c), re-runs what regressed once, and blocks on what stays. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "cli/commands.h"
#include "kernel/gate.h"
#include "kernel/kernel-build.h"
#include "guest/kernel-image.h"
#include "lib/log.h"
#include "report/html.h"
#include "report/shard-manifest.h"
#include "run/pool.h"
#include "run/suite.h"

static const char gate_usage[] =
	"usage: mhp gate [--src TREE] [--baseline REF|KERNEL] --candidate REF|SERIES|PATCH|KERNEL\n"
	"                [--config FRAGMENT] [--jobs N] [--cache DIR] [--results DIR]\n"
	"                [--accel MODE] [--timeout S] [--boot-timeout S] [-j N] [--no-snapshot]\n"
	"                [--backend qemu|libvirt[:URI]] [--strict] [TOPOLOGY...]\n"
	"\n"
	"Runs the topologies (default: mhp's topologies/) on the baseline and on the\n"
	"candidate kernel and compares every check. A check that passes on the\n"
	"baseline and fails on the candidate blocks (exit 1) unless it passes when\n"
	"its topology is re-run once (then it is reported as flaky). Failures on\n"
	"both kernels are reported and do not block. Where a step the oracle allows\n"
	"either way (an \"expect\": \"any\" unplug, a kernel-zone offline) went one way\n"
	"on the baseline and the other on the candidate, nothing after that step is\n"
	"compared: the topology is listed as \"outcome differed\" and does not block.\n"
	"\n"
	"  --src TREE        kernel tree (git or unpacked) that REF, SERIES and PATCH\n"
	"                    refer to; kernels are built as by 'mhp kernel build'\n"
	"  --baseline X      a revision of TREE (default: its HEAD) or a bzImage\n"
	"  --candidate X     a revision, a series directory (a \"series\" file listing\n"
	"                    patches, applied on the baseline revision, or on TREE's\n"
	"                    HEAD when the baseline is a bzImage), one patch file,\n"
	"                    or a bzImage\n"
	"  --strict          compare every check, after a differing outcome too\n"
	"  -j, --parallel N  guests at once: baseline and candidate runs side by side\n"
	"                    (default: one per CPU); --jobs N is the kernel build's\n"
	"  --no-snapshot     boot every run cold instead of from a saved boot\n"
	"  --backend B       qemu (default) or libvirt[:URI], as for mhp run\n"
	"  --module NAME     the guest init loads module NAME first (each kernel's own\n"
	"                    from --modules-dir DIR, default /lib/modules); repeatable\n"
	"  --shard K/N       only topologies K, K+N, ... (0-based); the gate directory's\n"
	"                    shard.json records them for `mhp results merge`\n"
	"\n"
	"Results: results/<time>-gate/ holds baseline/, candidate/ and rerun/ run\n"
	"directories, gate.txt (the table) and gate.json.\n"
	"Exit status: 0 pass, 1 blocked, 2 usage or input error, 4 nothing could be\n"
	"compared (the baseline did not build or never completed a run),\n"
	"130/143 interrupted.\n";

enum side_kind { SIDE_REF, SIDE_KERNEL, SIDE_SERIES, SIDE_PATCH };

struct side {
	const char *arg;      /* as given, NULL for the tree's HEAD */
	enum side_kind kind;
	char *kernel;         /* bzImage to boot */
	char *label;          /* what it is, for the table and gate.json */
	struct mhp_suite suite;
};

struct gate_cli {
	struct mhp_kbuild build;
	struct mhp_suite_args run;
	struct side base, cand;
	const char *dir;      /* the gate's results directory */
	bool strict;
	json_object *manifest; /* --shard: DIR/shard.json, or NULL */
	unsigned *index;      /* --shard: each topology's position in the whole suite */
};

/* --shard: where each run of topology i (of this shard) went. */
static void record(struct gate_cli *c, size_t i, const char *side, const char *dir, bool save)
{
	if (!c->manifest)
		return;
	if (dir)
		mhp_shard_manifest_run(c->manifest, c->index[i], side, dir);
	if (save)
		mhp_shard_manifest_save(c->manifest, c->dir, false);
}

static enum side_kind classify(const char *arg)
{
	_cleanup_free_ char *series = NULL;
	char version[160];
	struct stat st;

	if (!arg || stat(arg, &st) < 0)
		return SIDE_REF;
	series = mhp_xasprintf("%s/series", arg);
	if (S_ISDIR(st.st_mode))
		return access(series, R_OK) == 0 ? SIDE_SERIES : SIDE_REF;
	return mhp_kernel_probe(arg, version, sizeof(version)) == 0 ? SIDE_KERNEL : SIDE_PATCH;
}

static int parse(int argc, char **argv, struct gate_cli *c)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'b' }, { "candidate", required_argument, NULL, 'c' },
		{ "strict", no_argument, NULL, 's' },
		MHP_KBUILD_OPTIONS, MHP_SUITE_OPTIONS, MHP_SUITE_SHARD_OPTION, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	int o;

	optind = 1;
	while ((o = mhp_cli_option(argc, argv, opts, &c->run, &c->build)) >= 0) {
		switch (o) {
		case 'b': c->base.arg = optarg; break;
		case 'c': c->cand.arg = optarg; break;
		case 's': c->strict = true; break;
		case 'h': fputs(gate_usage, stdout); exit(MHP_EXIT_PASS);
		default: fputs(gate_usage, stderr); return -EINVAL;
		}
	}
	if (o == MHP_CLI_OPTION_ERROR)
		return -EINVAL;
	if (!c->cand.arg) {
		fputs(gate_usage, stderr);
		return -EINVAL;
	}
	c->base.kind = classify(c->base.arg);
	c->cand.kind = classify(c->cand.arg);
	if (c->base.kind == SIDE_SERIES || c->base.kind == SIDE_PATCH) {
		mhp_log_error("--baseline '%s' is a patch or series: the baseline is a revision or a bzImage", c->base.arg);
		return -EINVAL;
	}
	if (!c->build.src && (c->base.kind != SIDE_KERNEL || c->cand.kind != SIDE_KERNEL)) {
		mhp_log_error("--src TREE is needed to build '%s'", c->base.kind != SIDE_KERNEL ? "the baseline" : c->cand.arg);
		return -EINVAL;
	}
	return optind;
}

/* Builds a side's kernel: a revision, or the baseline revision with the
 * candidate's patches. */
static int build_side(struct gate_cli *c, struct side *s, char *err, size_t errsize)
{
	struct mhp_kbuild b = c->build;
	const char *patch = s->arg;

	if (s->kind == SIDE_KERNEL) {
		s->kernel = mhp_xstrdup(s->arg);
		s->label = mhp_xasprintf("kernel %s", s->arg);
		return 0;
	}
	b.rev = s->kind == SIDE_REF ? s->arg : c->base.kind == SIDE_REF ? c->base.arg : NULL;
	b.series_dir = s->kind == SIDE_SERIES ? s->arg : NULL;
	b.patches = s->kind == SIDE_PATCH ? &patch : NULL;
	b.npatches = s->kind == SIDE_PATCH;
	fprintf(stderr, "mhp: gate: building the %s (%s)\n", s == &c->base ? "baseline" : "candidate",
		s->arg ? s->arg : "HEAD");
	int r = mhp_kernel_build(&b, &s->kernel, err, errsize);
	if (r < 0)
		return r;
	if (s->kind == SIDE_REF)
		s->label = mhp_xasprintf("%s (%.12s)", s->arg ? s->arg : "HEAD", b.commit);
	else
		s->label = mhp_xasprintf("%s on %.12s", s->arg, b.commit);
	return 0;
}

static int prepare_side(struct gate_cli *c, struct side *s, const char *gate_dir, const char *name)
{
	s->suite.results = mhp_xasprintf("%s/%s", gate_dir, name);
	return mhp_suite_prepare(&s->suite, &c->run, s->kernel);
}

static void side_release(struct side *s)
{
	free(s->kernel);
	free(s->label);
	free((char *)s->suite.results);
	mhp_suite_release(&s->suite);
}

static void say_run(const char *who, const struct mhp_result *res)
{
	static const char *const words[] = { "pass", "FAIL", "skip" };

	fprintf(stderr, "mhp: gate: %-9s %-32s %s (%zu checks failed)%s%s\n", who, res->topology,
		words[mhp_result_verdict(res)], mhp_result_count(res, MHP_STATUS_FAIL), res->error ? ": " : "",
		res->error ? res->error : "");
}

/* What the gate keeps while the pool hands runs over: the baseline run
 * of a topology waits for its candidate run. */
struct gate_run {
	struct gate_cli *c;
	struct mhp_gate *g;
	const struct mhp_topology *all;
	struct mhp_result base;
	size_t *rerun;        /* topologies to run again on the candidate */
	size_t nrerun;
};

/* Jobs 2i and 2i+1 are topology i on the baseline and on the candidate. */
static int on_pair_run(void *ctx, size_t i, struct mhp_result *res, const char *dir)
{
	struct gate_run *gr = ctx;
	const struct mhp_topology *t = &gr->all[i / 2];

	record(gr->c, i / 2, i % 2 ? "candidate" : "baseline", dir, i % 2);
	if (i % 2 == 0) {
		say_run("baseline", res);
		gr->base = *res;
		*res = (struct mhp_result){ 0 };
		return 0;
	}
	say_run("candidate", res);
	mhp_gate_compare(gr->g, &gr->base, res);
	mhp_result_release(&gr->base);
	if (mhp_gate_wants_rerun(gr->g, t->name))
		gr->rerun[gr->nrerun++] = i / 2;
	/* What is compared so far survives a crash or a signal. */
	mhp_gate_write_json(gr->g, gr->c->dir, gr->c->base.label, gr->c->cand.label);
	return 0;
}

static int on_rerun(void *ctx, size_t i, struct mhp_result *res, const char *dir)
{
	struct gate_run *gr = ctx;

	record(gr->c, gr->rerun[i], "rerun", dir, true);
	say_run("re-run", res);
	mhp_gate_rerun(gr->g, res);
	return 0;
}

/* Every topology on both sides side by side, then what regressed once more
 * on the candidate. */
static int gate_all(struct gate_cli *c, const struct mhp_topology *all, size_t n, unsigned width, struct mhp_gate *g)
{
	struct gate_run gr = { .c = c, .g = g, .all = all, .rerun = mhp_xcalloc(n ? n : 1, sizeof(size_t)) };
	struct mhp_pool_job *jobs = mhp_xcalloc(2 * n + 1, sizeof(*jobs));
	_cleanup_free_ char *rerun_dir = mhp_xasprintf("%s/rerun", c->dir);
	struct mhp_suite again = c->cand.suite;
	int r;

	for (size_t i = 0; i < n; i++) {
		jobs[2 * i] = (struct mhp_pool_job){ &c->base.suite, &all[i] };
		jobs[2 * i + 1] = (struct mhp_pool_job){ &c->cand.suite, &all[i] };
	}
	r = mhp_pool_run(jobs, 2 * n, width, on_pair_run, &gr);
	mhp_result_release(&gr.base);
	again.results = rerun_dir;
	for (size_t i = 0; i < gr.nrerun; i++)
		jobs[i] = (struct mhp_pool_job){ &again, &all[gr.rerun[i]] };
	if (r == 0 && gr.nrerun)
		r = mhp_pool_run(jobs, gr.nrerun, width, on_rerun, &gr);
	free(jobs);
	free(gr.rerun);
	return r;
}

static int finish(struct gate_cli *c, struct mhp_gate *g, const char *dir)
{
	_cleanup_free_ char *txt = NULL, *path = mhp_xasprintf("%s/gate.txt", dir);
	size_t len = 0;
	FILE *f = open_memstream(&txt, &len);
	int r;

	if (!f)
		return -errno;
	fprintf(f, "mhp gate: baseline %s\n          candidate %s\n", c->base.label, c->cand.label);
	mhp_gate_print(f, g);
	fclose(f);
	fputs(txt, stdout);
	printf("mhp gate: results in %s (gate.txt, gate.json)\n", dir);
	if ((r = mhp_write_file_atomic(path, txt, len)) < 0 ||
	    (r = mhp_gate_write_json(g, dir, c->base.label, c->cand.label)) < 0)
		mhp_log_errno(r, "cannot write the gate's results in '%s'", dir);
	_cleanup_free_ char *report = r == 0 ? mhp_report_html_dir(dir, "mhp gate") : NULL;
	if (report)
		printf("mhp gate: report %s\n", report);
	return r;
}

static int exit_status(const struct mhp_gate *g, int r)
{
	if (mhp_interrupted)
		return 128 + mhp_interrupted;
	if (r < 0)
		return MHP_EXIT_SKIP;
	if (mhp_gate_count(g, MHP_GATE_REGRESSION))
		return MHP_EXIT_FAIL;
	return g->compared ? MHP_EXIT_PASS : MHP_EXIT_SKIP;
}

/* Input errors (a revision that is not there, an option the fragment
 * asks for that the kernel lacks) are the user's: exit 2. */
static int build_error(const char *what, int r, const char *err)
{
	if (mhp_interrupted)
		return 128 + mhp_interrupted;
	mhp_log_error("gate: %s:\n%s", what, err);
	return r == -EINVAL ? MHP_EXIT_USAGE : MHP_EXIT_SKIP;
}

/* --shard: the labels (and a candidate that did not build) first, so that
 * a shard that dies is seen as one. */
static void start_manifest(struct gate_cli *c, const char *build_error)
{
	if (!c->manifest)
		return;
	mhp_shard_manifest_label(c->manifest, "baseline", c->base.label);
	mhp_shard_manifest_label(c->manifest, "candidate", c->cand.label);
	if (build_error)
		mhp_shard_manifest_label(c->manifest, "candidate_build_error", build_error);
	mhp_shard_manifest_label(c->manifest, "strict", c->strict ? "yes" : "no");
	mhp_shard_manifest_save(c->manifest, c->dir, false);
}

static void finish_manifest(struct gate_cli *c, bool finished)
{
	if (c->manifest)
		mhp_shard_manifest_save(c->manifest, c->dir, finished);
}

static int run_gate(struct gate_cli *c, struct mhp_topology *all, unsigned n)
{
	_cleanup_free_ char *dir = NULL;
	struct mhp_gate g = { .strict = c->strict };
	char err[4096];
	unsigned width;
	int r;

	if ((r = build_side(c, &c->base, err, sizeof(err))) < 0)
		return build_error("cannot build the baseline, nothing to compare with", r, err);
	if ((r = build_side(c, &c->cand, err, sizeof(err))) < 0 && (r == -EINVAL || mhp_interrupted))
		return build_error("cannot build the candidate", r, err);
	if (!(dir = mhp_suite_mkdir(c->run.results, "gate")))
		return MHP_EXIT_SKIP;
	c->dir = dir;
	if (r < 0) { /* the series does not apply or does not compile: that blocks */
		c->cand.label = mhp_xasprintf("%s", c->cand.arg);
		mhp_gate_build_failed(&g, err);
		g.compared = 1;
		start_manifest(c, err);
		r = exit_status(&g, finish(c, &g, dir));
		finish_manifest(c, true);
		mhp_gate_release(&g);
		return r;
	}
	if (prepare_side(c, &c->base, dir, "baseline") < 0 || prepare_side(c, &c->cand, dir, "candidate") < 0 ||
	    mhp_pool_width(all, n, 2, c->run.jobs, &width) < 0) {
		mhp_gate_release(&g);
		return MHP_EXIT_USAGE;
	}
	start_manifest(c, NULL);
	r = gate_all(c, all, n, width, &g);
	finish_manifest(c, r == 0 && !mhp_interrupted);
	r = finish(c, &g, dir) < 0 && r == 0 ? -EIO : r;
	r = exit_status(&g, r);
	mhp_gate_release(&g);
	return r;
}

/* --shard: this shard's topologies stay in all[]; the manifest names the
 * whole suite's. */
static unsigned take_shard(struct gate_cli *c, struct mhp_topology *all, unsigned total)
{
	char **names = mhp_xcalloc(total, sizeof(*names));

	for (unsigned i = 0; i < total; i++)
		names[i] = all[i].name;
	c->manifest = mhp_shard_manifest_new("gate", c->run.shard, c->run.shards, names, total);
	c->index = mhp_xcalloc(total, sizeof(*c->index));
	free(names);
	return mhp_suite_take_shard(all, total, c->run.shard, c->run.shards, c->index);
}

int mhp_cmd_gate(int argc, char **argv)
{
	struct gate_cli c = { .run = MHP_SUITE_ARGS_INIT };
	struct mhp_strv paths = MHP_STRV_INIT;
	int first, r;

	mhp_kbuild_init(&c.build);
	if ((first = parse(argc, argv, &c)) < 0)
		return MHP_EXIT_USAGE;
	if (first == argc && mhp_suite_default(&paths) < 0)
		return MHP_EXIT_USAGE;
	for (int i = first; i < argc; i++)
		mhp_strv_push(&paths, argv[i]);
	struct mhp_topology *all = mhp_xcalloc(paths.n, sizeof(*all));
	unsigned n = (unsigned)paths.n;
	if (mhp_suite_load((int)paths.n, paths.v, all) < 0)
		r = MHP_EXIT_USAGE;
	else {
		if (c.run.sharded)
			n = take_shard(&c, all, n);
		r = run_gate(&c, all, n);
		for (size_t i = 0; i < n; i++)
			mhp_topology_release(&all[i]);
	}
	free(all);
	free(c.index);
	json_object_put(c.manifest);
	mhp_strv_release(&paths);
	side_release(&c.base);
	side_release(&c.cand);
	return r;
}
