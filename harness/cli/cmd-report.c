/* mhp report: report.html for run directories, a results directory, a
 * gate directory or a fuzz campaign. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "report/html.h"

static const char report_usage[] =
	"usage: mhp report [-o FILE] DIR...\n"
	"\n"
	"Writes one self-contained HTML page (inline CSS and SVG, nothing fetched) for\n"
	"the runs under each DIR: a run directory, a results directory, a gate\n"
	"directory (baseline/, candidate/, rerun/) or a fuzz campaign (a log of each\n"
	"signature).  Per topology: its memory map, the zone of every block after every\n"
	"step with the blocks the oracle disagreed with marked, failed checks first,\n"
	"all checks by step, links to the logs.  Made from result.json and\n"
	"topology.json only.\n"
	"\n"
	"  -o, --output FILE   where (default: DIR/report.html of the first DIR)\n"
	"\n"
	"Exit status: 0 written, 2 usage error or no run found.\n";

/* A gate or a campaign has a page even without a run kept (a clean campaign). */
static bool summarised(const char *dir)
{
	_cleanup_free_ char *gate = mhp_xasprintf("%s/gate.json", dir), *camp = mhp_xasprintf("%s/campaign.json", dir);

	return access(gate, R_OK) == 0 || access(camp, R_OK) == 0;
}

int mhp_cmd_report(int argc, char **argv)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' }, { 0 } };
	struct mhp_strv runs = MHP_STRV_INIT;
	_cleanup_free_ char *out = NULL, *title = NULL;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
		if (o == 'h')
			return fputs(report_usage, stdout), MHP_EXIT_PASS;
		if (o != 'o')
			return fputs(report_usage, stderr), MHP_EXIT_USAGE;
		out = mhp_xstrdup(optarg);
	}
	if (optind == argc)
		return fputs(report_usage, stderr), MHP_EXIT_USAGE;
	for (int i = optind; i < argc; i++)
		mhp_report_find_runs(argv[i], &runs);
	if (!runs.n && !summarised(argv[optind])) {
		mhp_log_error("no run directory (one with result.json) under %s", argv[optind]);
		return MHP_EXIT_USAGE;
	}
	if (!out)
		out = mhp_xasprintf("%s/report.html", argc - optind > 1 ? runs.v[0] : argv[optind]);
	title = mhp_xasprintf("mhp report: %s", argv[optind]);
	int r = mhp_report_html_of(out, title, argv[optind], runs.v, runs.n);
	mhp_strv_release(&runs);
	if (r < 0)
		return mhp_log_errno(r, "cannot write '%s'", out), MHP_EXIT_USAGE;
	printf("report: %s\n", out);
	return MHP_EXIT_PASS;
}
