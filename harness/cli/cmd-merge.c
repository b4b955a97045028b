/* mhp fuzz merge: the shards of a campaign into one campaign directory. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "fuzz/campaign-file.h"
#include "fuzz/merge.h"
#include "lib/cleanup.h"
#include "lib/util.h"

static const char merge_usage[] =
	"usage: mhp fuzz merge SHARDDIR... --into DIR\n"
	"\n"
	"Puts the campaign directories of `mhp fuzz --shard K/N` runs of one campaign\n"
	"(same seed, count, kernel, shape) together into DIR, as one unsharded campaign\n"
	"would have written it: the corpora's union, one crash database (counts added,\n"
	"the smallest reliable repro.json kept), one campaign.json.  Only finished\n"
	"shards are read; a missing or unfinished shard is named by its index and kept\n"
	"in campaign.json's missing_shards.  Merging again replaces DIR whole.\n"
	"\n"
	"Exit status: 0 all shards, no failure; 1 failures found; 2 usage or input\n"
	"error (directories of different campaigns); 4 shards missing, no failure in\n"
	"the others.\n";

static void say_missing(const struct mhp_merge_result *m)
{
	unsigned shown = m->nmissing < 64 ? m->nmissing : 64;

	if (!m->nmissing)
		return;
	fprintf(stderr, "mhp: fuzz merge: %u of %u shards missing or unfinished:", m->nmissing, m->shards);
	for (unsigned i = 0; i < shown; i++)
		fprintf(stderr, " %u/%u", m->missing[i], m->shards);
	fprintf(stderr, "%s; rerun them (same options, --shard K/%u) and merge again\n",
		shown < m->nmissing ? " ..." : "", m->shards);
}

int mhp_cmd_fuzz_merge(int argc, char **argv)
{
	static const struct option opts[] = { { "into", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' }, { 0 } };
	const char *into = NULL;
	struct mhp_merge_result m;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		if (o == 'h')
			return fputs(merge_usage, stdout), MHP_EXIT_PASS;
		if (o != 'o')
			return fputs(merge_usage, stderr), MHP_EXIT_USAGE;
		into = optarg;
	}
	if (!into || optind == argc)
		return fputs(merge_usage, stderr), MHP_EXIT_USAGE;
	int r = mhp_fuzz_merge(argv + optind, (size_t)(argc - optind), into, &m);
	if (r < 0)
		return r == -EINVAL ? MHP_EXIT_USAGE : MHP_EXIT_SKIP;
	printf("# merged %u of %u shards into %s: %lu scenarios, %lu passed, %lu kernel failures, %lu harness "
	       "failures\n", m.merged, m.shards, into, (unsigned long)m.run, (unsigned long)m.passed,
	       (unsigned long)m.kernel_failures, (unsigned long)m.harness_failures);
	_cleanup_free_ char *crashes = mhp_xasprintf("%s/crashes", into);
	mhp_campaign_print_crashes(stdout, crashes);
	printf("# campaign: %s/campaign.json\n", into);
	say_missing(&m);
	if (m.kernel_failures || m.harness_failures)
		return MHP_EXIT_FAIL;
	return m.nmissing || m.infra_stop ? MHP_EXIT_SKIP : MHP_EXIT_PASS;
}
