/* Minimising a crash of the database on a real kernel (fuzz/minimize.h):
 * a candidate reproduces when its run fails with the crash's signature. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/crashdb.h"
#include "fuzz/minimize.h"
#include "fuzz/runner.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

#define RELIABILITY_RUNS 5
#define RELIABILITY_NEEDED 3

struct target {
	const struct mhp_suite *su;
	unsigned width;
	char signature[MHP_SIG_MAX];
	bool *reproduces;
};

static int visit(void *ctx, size_t i, const struct mhp_result *res, const char *dir, enum mhp_sig_kind kind,
		 const char *sig)
{
	struct target *t = ctx;

	(void)res, (void)dir;
	t->reproduces[i] = kind != MHP_SIG_NONE && !strcmp(sig, t->signature);
	return 0;
}

static int run_candidates(void *ctx, const struct mhp_topology *c, size_t n, bool *reproduces)
{
	struct target *t = ctx;

	t->reproduces = reproduces;
	return mhp_fuzz_run_batch(t->su, c, n, t->width, visit, t);
}

/* How many of RELIABILITY_RUNS runs of repro reproduce. */
static int reliability(struct target *t, const struct mhp_topology *repro, unsigned *ret)
{
	struct mhp_topology copies[RELIABILITY_RUNS];
	bool ok[RELIABILITY_RUNS] = { false };
	int r;

	for (unsigned i = 0; i < RELIABILITY_RUNS; i++)
		copies[i] = *repro; /* shallow: the runner only reads */
	r = run_candidates(t, copies, RELIABILITY_RUNS, ok);
	*ret = 0;
	for (unsigned i = 0; i < RELIABILITY_RUNS; i++)
		*ret += ok[i];
	return r;
}

static int write_repro(const char *dir, struct mhp_topology *m, const char *sig, const char *origin, unsigned got)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/repro.json", dir), *text = NULL;
	char hash[17];
	int r;

	mhp_crash_hash(sig, hash);
	free(m->name), free(m->description);
	m->name = mhp_xasprintf("repro-%s", hash);
	m->description = mhp_xasprintf("mhp fuzz reproducer of \"%s\" (minimised from %s); reproduced %u of %u runs",
				       sig, origin, got, RELIABILITY_RUNS);
	if ((r = mhp_topology_write(m, &text)) < 0 || (r = mhp_write_file_atomic(path, text, strlen(text))) < 0)
		return mhp_log_errno(r, "cannot write '%s'", path);
	return 0;
}

static int write_reliability(const char *dir, unsigned got, bool kept)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/reliability", dir);
	_cleanup_free_ char *text = mhp_xasprintf("%u/%u%s\n", got, RELIABILITY_RUNS, kept ? "" : " (not kept)");

	return mhp_write_file_atomic(path, text, strlen(text));
}

static int minimise(struct target *t, const char *dir, struct mhp_topology *first, unsigned budget)
{
	struct mhp_topology m;
	unsigned runs = 0, got = 0;
	int r = mhp_minimize(first, t->width, budget, run_candidates, t, &m, &runs);

	if (r == 0)
		r = reliability(t, &m, &got);
	if (r == 0) {
		bool kept = got >= RELIABILITY_NEEDED;

		printf("minimised %s: %u steps, %u DIMMs -> %u steps, %u DIMMs in %u runs; reproduced %u/%u%s\n", dir,
		       first->nr_steps, first->nr_dimms, m.nr_steps, m.nr_dimms, runs, got, RELIABILITY_RUNS,
		       kept ? "" : ": not reliable, no repro.json");
		fflush(stdout);
		if (kept)
			r = write_repro(dir, &m, t->signature, first->name, got);
		if (r == 0)
			r = write_reliability(dir, got, kept);
	}
	mhp_topology_release(&m);
	return r;
}

int mhp_fuzz_minimize_crash(const struct mhp_suite *su, const char *crash_dir, unsigned width, unsigned budget)
{
	_cleanup_free_ char *desc_path = mhp_xasprintf("%s/description", crash_dir), *desc = NULL;
	_cleanup_free_ char *first_path = mhp_xasprintf("%s/first.json", crash_dir);
	struct target t = { .su = su, .width = width ? width : 1 };
	struct mhp_topology first;
	char err[512];
	int r;

	if ((r = mhp_read_file(desc_path, 4096, &desc, NULL)) < 0)
		return mhp_log_errno(r, "'%s' is no crash directory of mhp fuzz (no description)", crash_dir);
	desc[strcspn(desc, "\n")] = '\0';
	snprintf(t.signature, sizeof(t.signature), "%s", desc);
	if (mhp_topology_load(&first, first_path, err, sizeof(err)) < 0)
		return mhp_log_errno(-EINVAL, "%s", err);
	r = minimise(&t, crash_dir, &first, budget);
	mhp_topology_release(&first);
	return r;
}
