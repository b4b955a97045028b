/* mhp fuzz merge and mhp results merge: the shards of a campaign, of a
 * suite or of a gate put back together. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "fuzz/campaign-file.h"
#include "fuzz/merge.h"
#include "kernel/suite-merge.h"
#include "report/html.h"
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

static void say_missing(const char *what, const unsigned *missing, unsigned nmissing, unsigned shards)
{
	unsigned shown = nmissing < 64 ? nmissing : 64;

	if (!nmissing)
		return;
	fprintf(stderr, "mhp: %s: %u of %u shards missing or unfinished:", what, nmissing, shards);
	for (unsigned i = 0; i < shown; i++)
		fprintf(stderr, " %u/%u", missing[i], shards);
	fprintf(stderr, "%s; rerun them (same options, --shard K/%u) and merge again\n", shown < nmissing ? " ..." : "",
		shards);
}

/* SHARDDIR... --into DIR: the directories, or -1 (usage said). */
static int merge_args(int argc, char **argv, const char *usage, const char **into)
{
	static const struct option opts[] = { { "into", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' }, { 0 } };
	int o;

	*into = NULL;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		if (o == 'h')
			exit((fputs(usage, stdout), MHP_EXIT_PASS));
		if (o != 'o')
			return fputs(usage, stderr), -1;
		*into = optarg;
	}
	if (!*into || optind == argc)
		return fputs(usage, stderr), -1;
	return optind;
}

int mhp_cmd_fuzz_merge(int argc, char **argv)
{
	const char *into;
	struct mhp_merge_result m;
	int first = merge_args(argc, argv, merge_usage, &into);

	if (first < 0)
		return MHP_EXIT_USAGE;
	int r = mhp_fuzz_merge(argv + first, (size_t)(argc - first), into, &m);
	if (r < 0)
		return r == -EINVAL ? MHP_EXIT_USAGE : MHP_EXIT_SKIP;
	printf("# merged %u of %u shards into %s: %lu scenarios, %lu passed, %lu kernel failures, %lu harness "
	       "failures\n", m.merged, m.shards, into, (unsigned long)m.run, (unsigned long)m.passed,
	       (unsigned long)m.kernel_failures, (unsigned long)m.harness_failures);
	_cleanup_free_ char *crashes = mhp_xasprintf("%s/crashes", into);
	mhp_campaign_print_crashes(stdout, crashes);
	printf("# campaign: %s/campaign.json\n", into);
	_cleanup_free_ char *report = mhp_report_html_dir(into, "mhp fuzz (merged)");
	if (report)
		printf("# report: %s\n", report);
	say_missing("fuzz merge", m.missing, m.nmissing, m.shards);
	if (m.kernel_failures || m.harness_failures)
		return MHP_EXIT_FAIL;
	return m.nmissing || m.infra_stop ? MHP_EXIT_SKIP : MHP_EXIT_PASS;
}

static const char results_usage[] =
	"usage: mhp results merge SHARDDIR... --into DIR\n"
	"\n"
	"Puts the shards of a suite (`mhp run --shard K/N --results SHARDDIR`) or of a\n"
	"gate (`mhp gate --shard K/N`: SHARDDIR is the shard's gate directory) back\n"
	"together, from each shard's shard.json and its runs' result.json files:\n"
	"a suite into DIR/results.ktap (topology order), junit.xml and summary.txt; a\n"
	"gate into DIR/gate.txt and gate.json, compared again as one gate compares.\n"
	"Only finished shards are read; the topologies of a missing one are listed as\n"
	"not run, and DIR/merge.json names the missing shards.\n"
	"\n"
	"Exit status: 0 all shards, all passed (suite) or nothing blocks (gate); 1 a\n"
	"topology failed or the gate blocks; 2 usage or input error; 4 shards missing.\n";

int mhp_cmd_results(int argc, char **argv)
{
	const char *into;
	struct mhp_suite_merge m;
	int first;

	if (argc < 2 || strcmp(argv[1], "merge"))
		return fputs(results_usage, argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr),
		       argc > 1 && !strcmp(argv[1], "--help") ? MHP_EXIT_PASS : MHP_EXIT_USAGE;
	if ((first = merge_args(argc - 1, argv + 1, results_usage, &into)) < 0)
		return MHP_EXIT_USAGE;
	int r = mhp_suite_merge(argv + 1 + first, (size_t)(argc - 1 - first), into, &m);
	if (r < 0)
		return r == -EINVAL ? MHP_EXIT_USAGE : MHP_EXIT_SKIP;
	if (m.gate)
		printf("# merged %u of %u gate shards into %s: %zu topologies compared, %zu regressions (%s/gate.txt)\n",
		       m.merged, m.shards, into, m.compared, m.regressions, into);
	else
		printf("# merged %u of %u shards into %s: %u topologies, %u passed, %u failed, %u not run "
		       "(%s/results.ktap)\n", m.merged, m.shards, into, m.topologies, m.passed, m.failed, m.not_run, into);
	say_missing("results merge", m.missing, m.nmissing, m.shards);
	if (m.regressions || m.failed)
		return MHP_EXIT_FAIL;
	return m.nmissing ? MHP_EXIT_SKIP : MHP_EXIT_PASS;
}
