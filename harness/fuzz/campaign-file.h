/* campaign.json: what a campaign ran and found, rewritten atomically after
 * every batch, so an interrupted campaign still says what it did.  The
 * signatures are read from crashes/, which other processes may add to. */
#ifndef MHP_FUZZ_CAMPAIGN_FILE_H
#define MHP_FUZZ_CAMPAIGN_FILE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/campaign.h"
#include "lib/util.h"

int mhp_campaign_write_json(const struct mhp_campaign_opts *o, const struct mhp_suite *su,
			    const struct mhp_campaign_stats *st);
/* Adds the signatures of DIR/crashes to j, writes it as DIR/campaign.json
 * (atomically) and releases j.  0, or -errno (said). */
int mhp_campaign_save_json(const char *dir, json_object *j);
/* The signatures of crashes_dir as campaign.json lists them. */
json_object *mhp_campaign_crashes_json(const char *crashes_dir);
/* The crash directory names (hashes) in crashes_dir, sorted, into out. */
size_t mhp_campaign_list_crashes(const char *crashes_dir, struct mhp_strv *out);

/* What campaign.json says of a campaign, read back (by merge and by a
 * rerun of a shard). */
struct mhp_campaign_head {
	char seed[32], shape[20], kernel_version[160];
	uint64_t first, count;
	unsigned shard, shards;
	bool finished, infra_stop, merged;
	uint64_t run, passed, kernel_failures, harness_failures;
	double elapsed_s;
};

/* Reads DIR/campaign.json: 0; -ENOENT when there is none; -EINVAL with
 * "FILE:LINE: field 'F': why" in err when it is not one mhp wrote. */
int mhp_campaign_read(const char *dir, struct mhp_campaign_head *h, char *err, size_t errsize);

/* Whether a campaign may start in o->dir (fuzz/campaign.h): 0 (an unfinished
 * run of the same shard is removed first, and said), -EEXIST (said) when it
 * holds something else, -EIO when it cannot be read or cleared. */
int mhp_campaign_claim_dir(const struct mhp_campaign_opts *o);

/* The signatures of crashes_dir as a table: hash, count, kind, description,
 * and the reproducer when there is one. */
void mhp_campaign_print_crashes(FILE *f, const char *crashes_dir);

#endif
