/* mhp fuzz: a campaign of generated topologies on one kernel; mhp fuzz
 * minimize: a crash of a campaign made small again. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli/commands.h"
#include "fuzz/campaign-file.h"
#include "fuzz/campaign.h"
#include "fuzz/minimize.h"
#include "model/topology.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "report/html.h"
#include "run/pool.h"
#include "run/suite.h"

static const char fuzz_usage[] =
	"usage: mhp fuzz [options] [--count N | --time SECONDS]\n"
	"       mhp fuzz minimize [options] CRASHDIR\n"
	"       mhp fuzz merge SHARDDIR... --into DIR\n"
	"\n"
	"Generates random machines (nodes, memoryless ones too, SRAT proximity domains\n"
	"and hot-pluggable ranges, interleave, kernel knobs, DIMMs) and hotplug step\n"
	"sequences, runs each against the oracle, and files every failure under its\n"
	"signature in CAMPAIGN/crashes/<hash>/; each new signature is minimised into\n"
	"repro.json, a topology file that `mhp run` fails on.\n"
	"\n"
	"  --kernel PATH        bzImage to fuzz (default: the newest /boot/vmlinuz-*)\n"
	"  --seed S             campaign seed, decimal or 0x-hex (default: random, printed);\n"
	"                       the same seed gives the same scenarios on any machine\n"
	"  --count N            scenarios to run (default 100)\n"
	"  --time SECONDS       run scenarios until this much time has passed instead\n"
	"  --campaign DIR       campaign directory (default: RESULTS/<time>-fuzz): new,\n"
	"                       empty, or an unfinished run of the same shard (started over)\n"
	"  --shard K/N          run only the K-th (0-based) of N slices of the campaign:\n"
	"                       scenarios K, K+N, K+2N, ...; `mhp fuzz merge` puts the N\n"
	"                       shards' directories together into one campaign\n"
	"  --shape FILE         every scenario on the machine of this topology file (its\n"
	"                       nodes, SRAT features, slots, maxmem, boot knobs); knobs,\n"
	"                       DIMMs and steps are still drawn\n"
	"  --minimize-budget N  runs to spend minimising each new signature (default 60;\n"
	"                       0: do not minimise)\n"
	"  --budget N           (minimize) the same\n"
	"  -j, --parallel N     guests at once (default: one per CPU)\n"
	"  --accel, --timeout, --boot-timeout, --results, --no-snapshot, --snapshot-cap,\n"
	"  --module, --modules-dir, --backend,\n"
	"  --qemu, --guest-init, --append, -v: as for mhp run\n"
	"\n"
	"Exit status: 0 no failure, 1 failures found, 2 usage or input error,\n"
	"4 stopped because mhp itself failed (not the kernel), 130/143 interrupted.\n";

enum { OPT_SEED = 0x200, OPT_COUNT, OPT_TIME, OPT_CAMPAIGN, OPT_BUDGET, OPT_SHAPE };

struct cli {
	const char *kernel;
	struct mhp_suite_args args;
	struct mhp_campaign_opts o;
	bool seeded;
	const char *shape_file;
	struct mhp_topology shape;
};

static int take(struct cli *c, int o, const char *arg)
{
	unsigned v;

	switch (o) {
	case 'k': c->kernel = arg; return 0;
	case OPT_SEED: c->seeded = true; return mhp_parse_u64(arg, &c->o.seed);
	case OPT_COUNT: c->o.time_s = 0; return mhp_parse_u64(arg, &c->o.count) < 0 || !c->o.count ? -EINVAL : 0;
	case OPT_TIME: c->o.count = 0; return mhp_parse_count(arg, 1u << 30, &c->o.time_s);
	case OPT_CAMPAIGN: c->o.dir = arg; return 0;
	case OPT_SHAPE: c->shape_file = arg; return 0;
	case OPT_BUDGET:
		if (!strcmp(arg, "0"))
			return c->o.minimize_budget = 0;
		return mhp_parse_count(arg, 100000, &v) < 0 ? -EINVAL : (int)(c->o.minimize_budget = v, 0);
	default: return -EINVAL;
	}
}

static int parse_cli(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' }, MHP_SUITE_OPTIONS, MHP_SUITE_RUN_OPTIONS,
		{ "seed", required_argument, NULL, OPT_SEED }, { "count", required_argument, NULL, OPT_COUNT },
		{ "time", required_argument, NULL, OPT_TIME }, { "campaign", required_argument, NULL, OPT_CAMPAIGN },
		{ "minimize-budget", required_argument, NULL, OPT_BUDGET }, { "budget", required_argument, NULL, OPT_BUDGET },
		{ "shape", required_argument, NULL, OPT_SHAPE }, MHP_SUITE_SHARD_OPTION,
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	int o;

	optind = 1;
	while ((o = mhp_cli_option(argc, argv, opts, &c->args, NULL)) >= 0) {
		if (o == 'h') {
			fputs(fuzz_usage, stdout);
			exit(0);
		}
		if (o == '?' || take(c, o, optarg) < 0) {
			for (size_t i = 0; o != '?' && opts[i].name; i++)
				if (opts[i].val == o) {
					fprintf(stderr, "mhp: fuzz: bad value '%s' for --%s\n", optarg, opts[i].name);
					break;
				}
			fputs(fuzz_usage, stderr);
			return -EINVAL;
		}
	}
	c->o.shard = c->args.shard, c->o.shards = c->args.shards;
	return o == MHP_CLI_OPTION_ERROR ? -EINVAL : optind;
}

/* The width asked (or one per CPU), checked against memory for the
 * largest guest the generator makes (2G boot, 2G of DIMMs). */
static int width_for(const struct cli *c, unsigned *ret)
{
	struct mhp_topology largest = { .nr_nodes = 1, .nr_dimms = 1 };

	largest.nodes[0].memory = c->o.shape ? mhp_topology_boot_memory(c->o.shape) : 2ull << 30;
	largest.dimms[0].size = 2ull << 30;
	return mhp_pool_width(&largest, 1, 1, c->args.jobs, ret) < 0 ? -ENOMEM : 0;
}

/* Kernel, suite and width: what both subcommands need. */
static int prepare(struct cli *c, struct mhp_suite *su, char **owned_kernel, unsigned *width)
{
	int r;

	if (width_for(c, width) < 0)
		return MHP_EXIT_USAGE;
	if ((r = mhp_cli_default_kernel(&c->kernel, owned_kernel)) != 0)
		return r;
	if (mhp_suite_prepare(su, &c->args, c->kernel) < 0)
		return MHP_EXIT_USAGE;
	return 0;
}

static int exit_status(int r, const struct mhp_campaign_stats *st)
{
	if (mhp_interrupted)
		return 128 + mhp_interrupted;
	if (r == -EEXIST)
		return MHP_EXIT_USAGE;
	if (r == -EIO || st->infra_stop)
		return MHP_EXIT_SKIP;
	return st->kernel_failures || st->harness_failures ? MHP_EXIT_FAIL : MHP_EXIT_PASS;
}

/* --shape FILE, read before anything starts: bad input is exit 2 alone. */
static int load_shape(struct cli *c)
{
	char err[512];

	if (!c->shape_file)
		return 0;
	if (mhp_topology_load(&c->shape, c->shape_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "mhp: %s\n", err);
		return -EINVAL;
	}
	c->o.shape = &c->shape;
	/* One one-block DIMM at least, or no scenario can be drawn on it. */
	if (c->shape.maxmem - mhp_topology_boot_memory(&c->shape) < MHP_BLOCK_SIZE) {
		fprintf(stderr, "mhp: %s: field 'maxmem': leaves no room for a DIMM above the boot memory: "
			"no scenario fits this machine\n", c->shape_file);
		mhp_topology_release(&c->shape);
		c->o.shape = NULL;
		return -EINVAL;
	}
	return 0;
}

static int campaign(struct cli *c, struct mhp_suite *su, unsigned width)
{
	_cleanup_free_ char *made = NULL, *crashes = NULL;
	struct mhp_campaign_stats st;
	int r;

	if (!c->o.dir && !(c->o.dir = made = mhp_suite_mkdir(c->args.results, "fuzz")))
		return MHP_EXIT_USAGE;
	c->o.width = width;
	printf("# mhp fuzz: kernel %s (%.*s), accel %s, seed 0x%016" PRIx64 ", shard %u/%u, %u at once, campaign %s\n",
	       c->kernel, (int)strcspn(su->kernel_version, " "), su->kernel_version, su->opts.accel, c->o.seed,
	       c->o.shard, c->o.shards, width, c->o.dir);
	fflush(stdout);
	r = mhp_campaign_run(su, &c->o, &st);
	free(st.course);
	printf("# %" PRIu64 " scenarios: %" PRIu64 " passed, %" PRIu64 " kernel failures, %" PRIu64
	       " harness failures, %u new signatures\n",
	       st.run, st.passed, st.kernel_failures, st.harness_failures, st.signatures);
	crashes = mhp_xasprintf("%s/crashes", c->o.dir);
	mhp_campaign_print_crashes(stdout, crashes);
	printf("# campaign: %s/campaign.json\n", c->o.dir);
	_cleanup_free_ char *report = mhp_report_html_dir(c->o.dir, "mhp fuzz");
	if (report)
		printf("# report: %s\n", report);
	if (c->o.shape)
		mhp_topology_release(&c->shape);
	return exit_status(r, &st);
}

static int minimize(struct cli *c, struct mhp_suite *su, unsigned width, const char *crash_dir)
{
	_cleanup_free_ char *runs = mhp_xasprintf("%s/runs", crash_dir);

	if (mhp_mkdir_p(runs, 0755) < 0)
		return mhp_log_errno(-errno, "cannot create '%s'", runs), MHP_EXIT_USAGE;
	su->results = runs;
	int r = mhp_fuzz_minimize_crash(su, crash_dir, width, c->o.minimize_budget);
	if (mhp_interrupted)
		return 128 + mhp_interrupted;
	return r < 0 ? MHP_EXIT_USAGE : MHP_EXIT_PASS;
}

int mhp_cmd_fuzz(int argc, char **argv)
{
	struct cli c = { .args = MHP_SUITE_ARGS_INIT, .o = { .count = 100, .minimize_budget = 60, .shards = 1 } };
	bool min = argc > 1 && !strcmp(argv[1], "minimize");
	_cleanup_free_ char *kernel = NULL;
	struct mhp_suite su = { 0 };
	unsigned width;
	int first, r;

	if (argc > 1 && !strcmp(argv[1], "merge"))
		return mhp_cmd_fuzz_merge(argc - 1, argv + 1);
	first = parse_cli(argc - min, argv + min, &c);

	if (first < 0)
		return MHP_EXIT_USAGE;
	if (min ? argc - min - first != 1 : argc - first != 0) {
		fputs(fuzz_usage, stderr);
		return MHP_EXIT_USAGE;
	}
	if (!c.seeded && getrandom(&c.o.seed, sizeof(c.o.seed), 0) != sizeof(c.o.seed))
		c.o.seed = mhp_now_ns();
	if (load_shape(&c) < 0)
		return MHP_EXIT_USAGE;
	if ((r = prepare(&c, &su, &kernel, &width)) != 0) {
		if (c.o.shape)
			mhp_topology_release(&c.shape);
		mhp_suite_release(&su); /* the modules of a prepare that failed late */
		return r;
	}
	su.results = c.args.results;
	r = min ? minimize(&c, &su, width, argv[argc - 1]) : campaign(&c, &su, width);
	mhp_suite_release(&su);
	return r;
}
