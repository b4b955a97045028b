/* `mhp fuzz merge`: the directories of a sharded campaign's shards (run
 * with --shard K/N, on one machine or many) put together into one campaign
 * directory, as one unsharded run of the same seed would have written it:
 * the union of the corpora, one crash database (the same signature folds,
 * counts add, the first occurrence is the lowest scenario, logs in scenario
 * order, the smallest reliable repro.json wins), one campaign.json.
 *
 * Only finished shards are read, so merging while shards still run is safe;
 * a shard that is missing or unfinished is named by its index, in
 * campaign.json ("missing_shards") and on stderr, never left out quietly.
 * Merging again (after a rerun of a shard) replaces the merged directory
 * whole, so it is idempotent. */
#ifndef MHP_FUZZ_MERGE_H
#define MHP_FUZZ_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mhp_merge_result {
	unsigned shards, merged;   /* N of the campaign, finished shards taken */
	unsigned missing[64];      /* the first missing shard indices */
	unsigned nmissing;         /* how many are missing in all */
	uint64_t run, passed, kernel_failures, harness_failures;
	bool infra_stop;           /* a shard stopped on mhp's own failure */
};

/* Merges the shard directories dirs[0..n) into into (created or replaced;
 * it may not be one of dirs).  0; -EINVAL (said: file, line, field) when
 * the directories are no shards of one campaign; -EIO (said) when into
 * cannot be written. */
int mhp_fuzz_merge(char *const dirs[], size_t n, const char *into, struct mhp_merge_result *res);

/* What merge.c and merge-crashes.c share: one finished shard. */
struct mhp_merge_shard {
	const char *dir;
	unsigned index;
};
/* Copies the corpora and merges the crash databases of shards[0..n) (in
 * shard order) into the directory to.  0, or -errno (said). */
int mhp_merge_corpora(const struct mhp_merge_shard *shards, size_t n, const char *to);
int mhp_merge_crashes(const struct mhp_merge_shard *shards, size_t n, const char *to);

#endif
