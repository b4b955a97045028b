/* Runs a batch of fuzz topologies through the suite's pool (-j) and hands
 * each over with its signature, in batch order; the run directory goes
 * away after the hand-over (what a campaign keeps of it, the crash
 * database copies), unless mhp itself failed in it.  What campaigns and the minimiser share. */
#ifndef MHP_FUZZ_RUNNER_H
#define MHP_FUZZ_RUNNER_H

#include <stddef.h>

#include "fuzz/signature.h"
#include "run/suite.h"

/* Called per run in batch order; return 1 to stop the batch. */
typedef int (*mhp_fuzz_visit_fn)(void *ctx, size_t i, const struct mhp_result *res, const char *dir,
				 enum mhp_sig_kind kind, const char *signature);

/* 0, -EINTR after SIGINT/SIGTERM, -EIO when runs could not be made. */
int mhp_fuzz_run_batch(const struct mhp_suite *su, const struct mhp_topology *t, size_t n, unsigned width,
		       mhp_fuzz_visit_fn visit, void *ctx);

#endif
