/* campaign.json: what a campaign ran and found, rewritten atomically after
 * every batch, so an interrupted campaign still says what it did.  The
 * signatures are read from crashes/, which other processes may add to. */
#ifndef MHP_FUZZ_CAMPAIGN_FILE_H
#define MHP_FUZZ_CAMPAIGN_FILE_H

#include <stdio.h>

#include "fuzz/campaign.h"

int mhp_campaign_write_json(const struct mhp_campaign_opts *o, const struct mhp_suite *su,
			    const struct mhp_campaign_stats *st);

/* The signatures of crashes_dir as a table: hash, count, kind, description,
 * and the reproducer when there is one. */
void mhp_campaign_print_crashes(FILE *f, const char *crashes_dir);

#endif
