/* The fuzz batch runner (fuzz/runner.h). */
#include "fuzz/runner.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/log.h"
#include "lib/util.h"
#include "run/pool.h"

struct batch {
	mhp_fuzz_visit_fn visit;
	void *ctx;
};

static int on_done(void *ctx, size_t i, struct mhp_result *res, const char *dir)
{
	struct batch *b = ctx;
	char sig[MHP_SIG_MAX];
	enum mhp_sig_kind kind = mhp_signature(res, sig, sizeof(sig));
	int r = b->visit(b->ctx, i, res, dir, kind, sig);
	/* A run that failed mhp itself is kept: it says what broke. */
	int rm = kind == MHP_SIG_INFRA ? 0 : mhp_remove_tree(dir);

	if (rm < 0)
		mhp_log_errno(rm, "cannot remove the run directory '%s'", dir);
	return r;
}

int mhp_fuzz_run_batch(const struct mhp_suite *su, const struct mhp_topology *t, size_t n, unsigned width,
		       mhp_fuzz_visit_fn visit, void *ctx)
{
	struct mhp_pool_job *jobs = mhp_xcalloc(n ? n : 1, sizeof(*jobs));
	struct batch b = { visit, ctx };
	int r;

	for (size_t i = 0; i < n; i++)
		jobs[i] = (struct mhp_pool_job){ su, &t[i] };
	r = mhp_pool_run(jobs, n, width, on_done, &b);
	free(jobs);
	return r;
}
