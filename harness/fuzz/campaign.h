/* A fuzz campaign: generated scenarios run in batches (-j), each failure
 * filed in the crash database under its signature, every new signature
 * minimised into a reproducer.  The campaign directory:
 *
 *   campaign.json   kernel, seed, counts, rate, the signatures found
 *   corpus/         every generated topology that ran (<index>.json)
 *   crashes/        fuzz/crashdb.h
 *   runs/           run directories while they run (removed after)
 */
#ifndef MHP_FUZZ_CAMPAIGN_H
#define MHP_FUZZ_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "run/suite.h"

struct mhp_campaign_opts {
	uint64_t seed;
	uint64_t first, count; /* scenarios [first, first + count); count 0: until time_s */
	/* This process runs shard (0-based) of shards: the scenarios i of the
	 * campaign with (i - first) % shards == shard.  0 of 1: all of them. */
	unsigned shard, shards;
	unsigned time_s;       /* 0: until count */
	unsigned width;        /* guests at once */
	unsigned minimize_budget; /* runs per new signature; 0: no minimising */
	const char *dir;       /* the campaign directory (created) */
	const struct mhp_topology *shape; /* every scenario on this machine, or NULL */
};

/* One point of the campaign's course, after a batch. */
struct mhp_campaign_point {
	double elapsed_s;
	uint64_t run;
	unsigned signatures;
};

struct mhp_campaign_stats {
	uint64_t run, passed, kernel_failures, harness_failures;
	struct mhp_campaign_point *course; /* for the report's plot (the caller frees it) */
	size_t ncourse, course_cap;
	unsigned signatures;   /* distinct ones found by this campaign */
	bool infra_stop;       /* stopped on a failure of mhp's own tools */
	bool finished;         /* ran to its end, minimising included */
	uint64_t start_ns;
};

/* The scenario index of this shard's p-th scenario. */
static inline uint64_t mhp_campaign_scenario(const struct mhp_campaign_opts *o, uint64_t p)
{
	return o->first + o->shard + p * o->shards;
}
/* How many scenarios this shard runs from its p-th on (at most want): the
 * shards of a campaign of count scenarios split them all, none twice. */
uint64_t mhp_campaign_shard_left(const struct mhp_campaign_opts *o, uint64_t p, uint64_t want);

/* Runs the campaign on su's kernel; su->results is set to DIR/runs here.
 * DIR must be new, empty, or hold an unfinished run of the same campaign
 * and shard (a rerun of a shard that died: started over); anything else is
 * refused with -EEXIST (said).
 * 0 when it ran to its end, -EINTR when interrupted, -EIO when it stopped
 * on an infrastructure failure or could not write its directory (said). */
int mhp_campaign_run(struct mhp_suite *su, const struct mhp_campaign_opts *o, struct mhp_campaign_stats *st);

#endif
