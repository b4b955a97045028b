/* N topology runs at once (mhp run/gate/bisect -j N), each in a worker
 * process of its own with its own run directory: the waits of a run
 * (QMP, the guest channel, QEMU's pidfd, PR_SET_PDEATHSIG) are
 * per-process, so workers are processes, not threads.  The parent reads
 * each run back from its result.json and hands the results over in job
 * order, whatever order the runs finish in. */
#ifndef MHP_POOL_H
#define MHP_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "run/suite.h"

struct mhp_pool_job {
	const struct mhp_suite *su; /* kernel, options, where the run directory goes */
	const struct mhp_topology *t;
};

/* Called in job order once job i (and every job before it) is over, with
 * the run read back from dir/result.json (a worker that died without one
 * gives a result whose error says so).  res is released by the pool after
 * the call.  Return 0 to go on, 1 to start no more jobs and stop the
 * running ones (they end as interrupted and are still handed over). */
typedef int (*mhp_pool_done_fn)(void *ctx, size_t i, struct mhp_result *res, const char *dir);

/* Runs jobs, at most width at once.  0 when every job was handed over (or
 * done asked to stop), -EINTR after SIGINT/SIGTERM (forwarded to the
 * workers, whose results are handed over as they come), -EIO when a run
 * directory or a worker could not be made (said). */
int mhp_pool_run(const struct mhp_pool_job *jobs, size_t njobs, unsigned width, mhp_pool_done_fn done, void *ctx);

/* What one guest of t may take on the host at most: its boot memory, every
 * DIMM's backing memory, and QEMU's own (MHP_POOL_QEMU_OVERHEAD). */
#define MHP_POOL_QEMU_OVERHEAD (384ull << 20)
uint64_t mhp_pool_guest_bytes(const struct mhp_topology *t);

/* The widest pool, at most width, whose width largest guests of need[0..n)
 * fit in avail bytes together; 0 when not even the largest does.  Pure. */
unsigned mhp_pool_fit(const uint64_t *need, size_t n, unsigned width, uint64_t avail);

/* The host's MemAvailable from /proc/meminfo, in bytes (-errno). */
int mhp_mem_available(uint64_t *ret_bytes);

/* The pool width for the topologies, each of which may run copies times at
 * once (a gate runs it on both kernels side by side): asked (0: the number
 * of CPUs), checked against MemAvailable.  When the width was asked for and does not
 * fit, says what each guest needs and what is there and returns -ENOMEM;
 * a default width shrinks to what fits (said with -v). */
int mhp_pool_width(const struct mhp_topology *all, size_t n, unsigned copies, unsigned asked, unsigned *ret_width);

#endif
