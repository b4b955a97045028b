/* `mhp results merge`: the shards of a suite (`mhp run --shard K/N`) or of
 * a gate (`mhp gate --shard K/N`), each with its shard.json
 * (report/shard-manifest.h), put back together in topology order, from
 * their runs' result.json files:
 *
 *   run:  results.ktap (one KTAP for the whole suite), junit.xml, summary.txt
 *   gate: gate.txt and gate.json, the comparison made again from the
 *         baseline, candidate and re-run results, as one gate makes it
 *   both: merge.json (shards, missing_shards, complete)
 *
 * Only finished shards are read; the topologies of a missing one are
 * listed as not run ("not ok ... shard K/N missing"), never dropped. */
#ifndef MHP_SUITE_MERGE_H
#define MHP_SUITE_MERGE_H

#include <stdbool.h>
#include <stddef.h>

struct mhp_suite_merge {
	bool gate;                 /* shards of a gate (else of a run) */
	unsigned shards, merged;   /* N, finished shards taken */
	unsigned missing[64], nmissing;
	unsigned topologies;       /* of the whole suite */
	unsigned passed, failed, not_run; /* run: topologies */
	size_t regressions, compared;     /* gate */
};

/* 0; -EINVAL (said: file and field) when dirs are no shards of one suite
 * or gate; -EIO (said) when a result cannot be read or into written. */
int mhp_suite_merge(char *const dirs[], size_t n, const char *into, struct mhp_suite_merge *res);

#endif
