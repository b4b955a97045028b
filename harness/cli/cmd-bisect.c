/* mhp bisect: which commit broke a check?  Drives git bisect run in mhp's
 * own work tree of the source (never the user's checkout), with
 * "mhp bisect-step" as the oracle: it builds the commit in the kept O=
 * directory (only what changed recompiles) and runs the topologies. */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/bisect.h"
#include "lib/cleanup.h"
#include "cli/commands.h"
#include "kernel/kernel-build.h"
#include "kernel/kernel-tree.h"
#include "lib/log.h"
#include "lib/process.h"
#include "run/pool.h"
#include "run/suite.h"

/* git bisect run's verdicts. */
#define STEP_GOOD 0
#define STEP_BAD 1
#define STEP_SKIP 125

static const char bisect_usage[] =
	"usage: mhp bisect --src TREE --good REF --bad REF [--topology FILE]... [--check NAME]\n"
	"                  [--config FRAGMENT] [--jobs N] [--cache DIR] [--results DIR]\n"
	"                  [--accel MODE] [--timeout S] [--boot-timeout S] [-j N] [--no-snapshot]\n"
	"                  [--backend qemu|libvirt[:URI]]\n"
	"\n"
	"Finds the first commit between GOOD and BAD of the git tree TREE where the\n"
	"topologies (default: mhp's topologies/) fail: git bisect run in mhp's work\n"
	"tree of TREE, each step building the commit incrementally and running the\n"
	"topologies. A step whose kernel does not build is skipped. With --check, a\n"
	"step is bad only when a check whose name contains NAME fails (a step that\n"
	"never reaches such a check is skipped). NAME may instead name fields:\n"
	"--check 'aspect=zone,subject=block 32' (fields step, kind, device, subject,\n"
	"aspect; all must match). -j N (--parallel) runs N topologies of a step at\n"
	"once (default: one per CPU); --jobs N is the kernel build's make -j.\n"
	"\n"
	"Results: results/<time>-bisect/ holds bisect.log (git bisect log),\n"
	"git-bisect.log (what git printed), steps.txt and steps/<n>-<commit>/ per step.\n"
	"Exit status: 0 found, 2 usage or input error, 4 no single commit found,\n"
	"130/143 interrupted.\n";

struct bisect_cli {
	struct mhp_kbuild build;
	struct mhp_suite_args run;
	const char *good, *bad, *check;
	struct mhp_strv topologies;
};

static int parse(int argc, char **argv, struct bisect_cli *c, bool step)
{
	static const struct option opts[] = {
		{ "good", required_argument, NULL, 'g' }, { "bad", required_argument, NULL, 'b' },
		{ "topology", required_argument, NULL, 'p' }, { "check", required_argument, NULL, 'k' },
		MHP_KBUILD_OPTIONS, MHP_SUITE_OPTIONS, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	int o;

	optind = 1;
	while ((o = mhp_cli_option(argc, argv, opts, &c->run, &c->build)) >= 0) {
		switch (o) {
		case 'g': c->good = optarg; break;
		case 'b': c->bad = optarg; break;
		case 'p': mhp_strv_push(&c->topologies, optarg); break;
		case 'k': c->check = optarg; break;
		case 'h': fputs(bisect_usage, stdout); exit(MHP_EXIT_PASS);
		default: fputs(bisect_usage, stderr); return -EINVAL;
		}
	}
	if (o == MHP_CLI_OPTION_ERROR)
		return -EINVAL;
	if (optind != argc || !c->build.src || (!step && (!c->good || !c->bad))) {
		fputs(bisect_usage, stderr);
		return -EINVAL;
	}
	if (!c->topologies.n && mhp_suite_default(&c->topologies) < 0)
		return -EINVAL;
	return 0;
}

static struct mhp_topology *load_topologies(struct bisect_cli *c)
{
	struct mhp_topology *all = mhp_xcalloc(c->topologies.n, sizeof(*all));

	if (mhp_suite_load((int)c->topologies.n, c->topologies.v, all) < 0) {
		free(all);
		return NULL;
	}
	return all;
}

static void release_topologies(struct bisect_cli *c, struct mhp_topology *all)
{
	for (size_t i = 0; all && i < c->topologies.n; i++)
		mhp_topology_release(&all[i]);
	free(all);
}

/* ------------------------------------------------------------ one step */

/* Whether a check named like the user asked failed, passed, or never ran. */
static int step_verdict(const struct bisect_cli *c, const struct mhp_result *res, bool *reached)
{
	if (!c->check)
		return mhp_result_verdict(res) == MHP_STATUS_FAIL ? STEP_BAD : STEP_GOOD;
	for (size_t i = 0; i < res->nchecks; i++) {
		if (!mhp_check_matches(&res->checks[i], c->check))
			continue;
		*reached = true;
		if (res->checks[i].status == MHP_STATUS_FAIL)
			return STEP_BAD;
	}
	return STEP_GOOD;
}

struct step_state {
	const struct bisect_cli *c;
	bool reached;
	int verdict;
	char *why;
	size_t whysize;
};

/* Runs in topology order; the first bad one decides, and stops the rest. */
static int on_step_run(void *ctx, size_t i, struct mhp_result *res, const char *dir)
{
	struct step_state *st = ctx;

	(void)i, (void)dir;
	if (st->verdict != STEP_GOOD)
		return 1;
	st->verdict = step_verdict(st->c, res, &st->reached);
	snprintf(st->why, st->whysize, "%s: %zu checks failed%s%s", res->topology,
		 mhp_result_count(res, MHP_STATUS_FAIL), res->error ? ", " : "", res->error ? res->error : "");
	return st->verdict != STEP_GOOD;
}

static int run_step(struct bisect_cli *c, struct mhp_topology *all, const char *kernel, const char *dir,
		    char *why, size_t whysize)
{
	struct mhp_suite su = { .results = dir };
	struct step_state st = { .c = c, .verdict = STEP_GOOD, .why = why, .whysize = whysize };
	size_t n = c->topologies.n;
	unsigned width;

	if (mhp_suite_prepare(&su, &c->run, kernel) < 0 || mhp_pool_width(all, n, 1, c->run.jobs, &width) < 0) {
		mhp_suite_release(&su);
		snprintf(why, whysize, "cannot run the kernel");
		return STEP_SKIP;
	}
	struct mhp_pool_job *jobs = mhp_xcalloc(n, sizeof(*jobs));
	for (size_t i = 0; i < n; i++)
		jobs[i] = (struct mhp_pool_job){ &su, &all[i] };
	int r = mhp_pool_run(jobs, n, width, on_step_run, &st);
	free(jobs);
	mhp_suite_release(&su);
	if (r == -EIO) {
		snprintf(why, whysize, "no run directory");
		return STEP_SKIP;
	}
	if (c->check && !st.reached && st.verdict == STEP_GOOD) {
		snprintf(why, whysize, "no check named like '%s' ran", c->check);
		return STEP_SKIP;
	}
	return st.verdict;
}

static void record_step(const char *results, const char *line)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/steps.txt", results), *old = NULL;
	size_t len = 0;

	if (mhp_read_file(path, 1 << 20, &old, &len) < 0)
		old = mhp_xstrdup("");
	_cleanup_free_ char *text = mhp_xasprintf("%s%s\n", old, line);
	mhp_write_file_logged(path, text, strlen(text));
}

/* The step's directory: RESULTS/steps/<n>-<commit>, n counting from 1. */
static char *step_dir(const char *results, const char *commit, unsigned *ret_n)
{
	for (unsigned n = 1; n < 1000; n++) {
		_cleanup_free_ char *pattern = mhp_xasprintf("%s/steps/%02u-*", results, n);
		glob_t g;

		if (glob(pattern, 0, NULL, &g) == 0) {
			globfree(&g);
			continue;
		}
		char *dir = mhp_xasprintf("%s/steps/%02u-%.12s", results, n, commit);
		int r = mhp_mkdir_p(dir, 0755);
		if (r < 0) {
			mhp_log_errno(r, "cannot create '%s'", dir);
			free(dir);
			return NULL;
		}
		*ret_n = n;
		return dir;
	}
	return NULL;
}

int mhp_cmd_bisect_step(int argc, char **argv)
{
	struct bisect_cli c = { .run = MHP_SUITE_ARGS_INIT };
	_cleanup_free_ char *kernel = NULL, *dir = NULL;
	char err[4096], why[512] = "", line[1024];
	struct mhp_topology *all = NULL;
	unsigned n = 0;
	int verdict = STEP_SKIP;

	mhp_kbuild_init(&c.build);
	c.build.as_checked_out = true;
	if (parse(argc, argv, &c, true) < 0 || !(all = load_topologies(&c)))
		goto out;
	uint64_t t0 = mhp_now_ns();
	if (mhp_kernel_build(&c.build, &kernel, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "the kernel does not build");
		if ((dir = step_dir(c.run.results, c.build.commit[0] ? c.build.commit : "unknown", &n))) {
			_cleanup_free_ char *path = mhp_xasprintf("%s/build-error.txt", dir);
			mhp_write_file_atomic(path, err, strlen(err));
		}
	} else if ((dir = step_dir(c.run.results, c.build.commit, &n))) {
		uint64_t t1 = mhp_now_ns();
		verdict = run_step(&c, all, kernel, dir, why, sizeof(why));
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (build %.0f s, run %.0f s)", (t1 - t0) / 1e9,
			 (mhp_now_ns() - t1) / 1e9);
	}
	snprintf(line, sizeof(line), "%02u %.12s %s: %s", n, c.build.commit,
		 verdict == STEP_GOOD ? "good" : verdict == STEP_BAD ? "bad" : "skip", why);
	record_step(c.run.results, line);
	fprintf(stderr, "mhp: bisect step %s\n", line);
out:
	release_topologies(&c, all);
	mhp_strv_release(&c.topologies);
	/* git bisect run stops on an exit status above 127: a signal. */
	return mhp_interrupted ? 128 + mhp_interrupted : verdict;
}

/* ------------------------------------------------------------ the bisect */

static int git(struct mhp_ktree *t, const char *log, const char *what, char *const args[], char *err, size_t errsize)
{
	struct mhp_strv argv = MHP_STRV_INIT;

	mhp_strv_push(&argv, "git");
	mhp_strv_push(&argv, "-C");
	mhp_strv_push(&argv, t->work);
	for (size_t i = 0; args[i]; i++)
		mhp_strv_push(&argv, args[i]);
	int r = mhp_run_logged(argv.v, log, mhp_deadline_in_ms(12ull * 3600 * 1000), what, err, errsize);
	mhp_strv_release(&argv);
	return r;
}

/* git bisect run starts the step in the work tree: paths must be absolute. */
static void push_path(struct mhp_strv *v, const char *opt, const char *path)
{
	char abs[PATH_MAX];

	mhp_strv_pushf(v, "--%s=%s", opt, realpath(path, abs) ? abs : path);
}

/* The step command line: this mhp, bisect-step, the same options. */
static void step_argv(const struct bisect_cli *c, const char *dir, struct mhp_strv *v)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	mhp_strv_push(v, n > 0 ? self : "mhp");
	mhp_strv_push(v, "bisect-step");
	push_path(v, "src", c->build.src);
	push_path(v, "results", dir);
	mhp_strv_pushf(v, "--accel=%s", c->run.accel);
	if (c->run.timeout_s)
		mhp_strv_pushf(v, "--timeout=%u", c->run.timeout_s);
	if (c->run.boot_timeout_s)
		mhp_strv_pushf(v, "--boot-timeout=%u", c->run.boot_timeout_s);
	mhp_strv_pushf(v, "--jobs=%u", c->build.jobs);
	if (c->run.jobs)
		mhp_strv_pushf(v, "--parallel=%u", c->run.jobs);
	if (c->run.no_snapshot)
		mhp_strv_push(v, "--no-snapshot");
	if (c->run.backend)
		mhp_strv_pushf(v, "--backend=%s", c->run.backend);
	mhp_strv_pushf(v, "--snapshot-cap=%llu", (unsigned long long)c->run.snapshot_cap);
	for (unsigned i = 0; i < c->run.nmodules; i++)
		mhp_strv_pushf(v, "--module=%s", c->run.modules[i]);
	if (c->run.modules_dir)
		push_path(v, "modules-dir", c->run.modules_dir);
	if (c->build.cache_dir)
		push_path(v, "cache", c->build.cache_dir);
	if (c->build.config)
		push_path(v, "config", c->build.config);
	if (c->check)
		mhp_strv_pushf(v, "--check=%s", c->check);
	for (size_t i = 0; i < c->topologies.n; i++)
		push_path(v, "topology", c->topologies.v[i]);
}

bool mhp_bisect_first_bad(const char *text, char commit[41])
{
	const char *p = strstr(text, " is the first bad commit\n"), *start = p;

	if (!p)
		return false;
	while (start > text && start[-1] != '\n')
		start--;
	if (p - start != 40 || strspn(start, "0123456789abcdef") != 40)
		return false;
	memcpy(commit, start, 40);
	commit[40] = '\0';
	return true;
}

static bool first_bad(const char *log, char commit[41])
{
	_cleanup_free_ char *text = NULL;

	return mhp_read_file(log, 64u << 20, &text, NULL) == 0 && mhp_bisect_first_bad(text, commit);
}

static int save_bisect_log(struct mhp_ktree *t, const char *dir)
{
	char *argv[] = { "git", "-C", t->work, "bisect", "log", NULL };
	_cleanup_free_ char *out = NULL, *path = mhp_xasprintf("%s/bisect.log", dir);
	int r = mhp_run_capture(argv, mhp_deadline_in_ms(60000), 1 << 20, &out);

	if (r != 0)
		return r < 0 ? r : -EIO;
	return mhp_write_file_atomic(path, out, strlen(out));
}

static int report(struct mhp_ktree *t, const char *dir, const char *log, bool found, const char *commit)
{
	_cleanup_free_ char *steps = NULL, *path = mhp_xasprintf("%s/steps.txt", dir);

	if (mhp_read_file(path, 1 << 20, &steps, NULL) == 0)
		printf("mhp bisect: steps (commit, verdict, why):\n%s", steps);
	if (!found) {
		printf("mhp bisect: no single first bad commit: see %s\n", log);
		return MHP_EXIT_SKIP;
	}
	_cleanup_free_ char *subject = mhp_ktree_subject(t, commit), *text = mhp_xasprintf("%s %s\n", commit, subject);
	_cleanup_free_ char *out = mhp_xasprintf("%s/first-bad-commit", dir);
	printf("first bad commit: %s %s\n", commit, subject);
	printf("mhp bisect: results in %s\n", dir);
	mhp_write_file_logged(out, text, strlen(text));
	return MHP_EXIT_PASS;
}

static int bisect(struct bisect_cli *c, struct mhp_ktree *t, const char *good, const char *bad, const char *dir,
		  char *err, size_t errsize)
{
	_cleanup_free_ char *log = mhp_xasprintf("%s/git-bisect.log", dir);
	struct mhp_strv run = MHP_STRV_INIT;
	struct mhp_strv none = MHP_STRV_INIT;
	char found[41];
	int r;

	char *reset[] = { "bisect", "reset", NULL };
	char *start[] = { "bisect", "start", (char *)bad, (char *)good, NULL };
	git(t, log, "git bisect reset", reset, err, errsize); /* a bisect left by a killed mhp */
	if ((r = mhp_ktree_checkout(t, bad, &none, mhp_deadline_in_ms(600000), err, errsize)) < 0 ||
	    (r = git(t, log, "git bisect start", start, err, errsize)) < 0) {
		mhp_log_error("%s", err);
		return MHP_EXIT_SKIP;
	}
	mhp_strv_push(&run, "bisect");
	mhp_strv_push(&run, "run");
	step_argv(c, dir, &run);
	setenv(MHP_KTREE_LOCKED_ENV, t->dir, 1);
	fprintf(stderr, "mhp: bisecting %.12s (good) .. %.12s (bad) in %s\n", good, bad, t->work);
	r = git(t, log, "git bisect run", run.v, err, errsize);
	mhp_strv_release(&run);
	unsetenv(MHP_KTREE_LOCKED_ENV);
	bool ok = r == 0 && first_bad(log, found);
	if (r < 0 && !mhp_interrupted)
		fprintf(stderr, "mhp: %s\n", err);
	if (save_bisect_log(t, dir) < 0)
		mhp_log_error("cannot save git bisect log in '%s'", dir);
	git(t, log, "git bisect reset", reset, err, errsize);
	if (mhp_interrupted)
		return 128 + mhp_interrupted;
	return report(t, dir, log, ok, found);
}

int mhp_cmd_bisect(int argc, char **argv)
{
	struct bisect_cli c = { .run = MHP_SUITE_ARGS_INIT };
	struct mhp_topology *all = NULL;
	_cleanup_free_ char *cache = NULL;
	struct mhp_ktree t;
	char err[4096];
	int r = MHP_EXIT_USAGE;

	mhp_kbuild_init(&c.build);
	if (parse(argc, argv, &c, false) < 0 || !(all = load_topologies(&c)))
		goto out;
	cache = c.build.cache_dir ? mhp_xstrdup(c.build.cache_dir) : mhp_cache_path("");
	if (mhp_ktree_open(&t, c.build.src, cache,
			   mhp_deadline_in_ms(3600 * 1000), err, sizeof(err)) < 0) {
		mhp_log_error("%s", err);
		goto out;
	}
	char good[41], bad[41];
	if (!t.src_is_git) {
		mhp_log_error("'%s' is not a git tree: bisect needs its history", t.src);
	} else if (mhp_ktree_resolve(&t, c.good, good, err, sizeof(err)) < 0 ||
		   mhp_ktree_resolve(&t, c.bad, bad, err, sizeof(err)) < 0) {
		mhp_log_error("%s", err);
	} else {
		_cleanup_free_ char *dir = mhp_suite_mkdir(c.run.results, "bisect");
		r = dir ? bisect(&c, &t, good, bad, dir, err, sizeof(err)) : MHP_EXIT_SKIP;
	}
	mhp_ktree_close(&t);
out:
	release_topologies(&c, all);
	mhp_strv_release(&c.topologies);
	return r;
}
