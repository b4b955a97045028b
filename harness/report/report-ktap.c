#include <string.h>

#include "report/report.h"

/* A KTAP test name is one line without '#' (which starts a directive). */
static void put_name(FILE *f, const char *name)
{
	for (const char *p = name; *p && *p != '\n'; p++)
		fputc(*p == '#' ? '_' : *p, f);
}

/* Diagnostic lines, one per line of text, at the given indent. */
static void put_diag(FILE *f, const char *indent, const char *label, const char *text)
{
	const char *p = text;

	do {
		size_t n = strcspn(p, "\n");
		fprintf(f, "%s# %s%.*s\n", indent, label, (int)n, p);
		p += n + (p[n] == '\n');
		label = p[0] ? "  " : label;
	} while (*p);
}

static void put_check(FILE *f, const struct mhp_check *c, unsigned i)
{
	fprintf(f, "    %sok %u ", c->status == MHP_STATUS_FAIL ? "not " : "", i);
	put_name(f, c->name);
	if (c->status == MHP_STATUS_SKIP) {
		fputs(" # SKIP ", f);
		put_name(f, c->observed);
	}
	fputc('\n', f);
	if (c->status == MHP_STATUS_FAIL) {
		put_diag(f, "    ", "expected: ", c->expected);
		put_diag(f, "    ", "observed: ", c->observed);
	}
}

/* Failed checks as a table, one row per block and check. */
static void put_failure_table(FILE *f, const struct mhp_result *r)
{
	int wn = (int)strlen("check"), we = (int)strlen("expected");
	size_t failed = mhp_result_count(r, MHP_STATUS_FAIL);

	if (!failed)
		return;
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct mhp_check *c = &r->checks[i];
		if (c->status != MHP_STATUS_FAIL)
			continue;
		wn = (int)strlen(c->name) > wn ? (int)strlen(c->name) : wn;
		we = (int)strlen(c->expected) > we ? (int)strlen(c->expected) : we;
	}
	fprintf(f, "# %s: %zu check%s failed:\n", r->topology, failed, failed == 1 ? "" : "s");
	fprintf(f, "#   %-*s  %-*s  %s\n", wn, "check", we, "expected", "observed");
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct mhp_check *c = &r->checks[i];

		if (c->status != MHP_STATUS_FAIL)
			continue;
		/* A quoted splat has many lines: the first here, all above. */
		int first = (int)strcspn(c->observed, "\n");
		fprintf(f, "#   %-*s  %-*s  %.*s%s\n", wn, c->name, we, c->expected, first, c->observed,
			c->observed[first] ? " (quoted above)" : "");
	}
}

void mhp_report_ktap(FILE *f, const struct mhp_result *r, unsigned n, const char *dir)
{
	enum mhp_status v = mhp_result_verdict(r);

	fprintf(f, "    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", r->topology, r->nchecks + 1);
	for (size_t i = 0; i < r->nchecks; i++)
		put_check(f, &r->checks[i], (unsigned)i + 1);
	fprintf(f, "    %sok %zu run completed\n", r->error || r->interrupted ? "not " : "", r->nchecks + 1);
	if (r->error)
		fprintf(f, "    # failed in phase '%s': %s\n", r->phase ? r->phase : "?", r->error);
	if (r->error)
		fprintf(f, "# %s: failed in phase '%s': %s\n", r->topology, r->phase ? r->phase : "?", r->error);
	put_failure_table(f, r);
	fprintf(f, "# %s: %zu checks passed, %zu failed, %zu not scored in %.1f s; results in %s\n", r->topology,
		mhp_result_count(r, MHP_STATUS_PASS), mhp_result_count(r, MHP_STATUS_FAIL),
		mhp_result_count(r, MHP_STATUS_SKIP), r->duration_ns / 1e9, dir);
	/* A run not scored at all says why when its first check does (the
	 * backend could not run the topology as it says). */
	if (v == MHP_STATUS_SKIP && r->nchecks && r->checks[0].status == MHP_STATUS_SKIP && r->checks[0].observed)
		fprintf(f, "ok %u %s # SKIP %s: %s\n", n, r->topology, r->checks[0].aspect, r->checks[0].observed);
	else if (v == MHP_STATUS_SKIP)
		fprintf(f, "ok %u %s # SKIP no check was scored\n", n, r->topology);
	else
		fprintf(f, "%sok %u %s\n", v == MHP_STATUS_PASS ? "" : "not ", n, r->topology);
	fflush(f);
}
