/* One topology's section of report.html (report/html-internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html-internal.h"

static const char *const verdicts[] = { "pass", "fail", "skip" };

static void check_row(xmlNodePtr table, const struct mhp_check *c)
{
	xmlNodePtr tr = mhp_h_el(table, "tr", verdicts[c->status]);

	mhp_h_text(tr, "td", "status", verdicts[c->status]);
	mhp_h_text(tr, "td", NULL, c->name);
	mhp_h_text(tr, "td", "value", c->expected ? c->expected : "");
	mhp_h_text(tr, "td", "value", c->observed ? c->observed : "");
}

static xmlNodePtr check_table(xmlNodePtr parent)
{
	xmlNodePtr table = mhp_h_el(parent, "table", "checks"), tr = mhp_h_el(table, "tr", NULL);

	mhp_h_text(tr, "th", NULL, "");
	mhp_h_text(tr, "th", NULL, "check");
	mhp_h_text(tr, "th", NULL, "expected");
	mhp_h_text(tr, "th", NULL, "observed");
	return table;
}

static void failed_checks(xmlNodePtr sec, const struct mhp_result *r)
{
	size_t failed = mhp_result_count(r, MHP_STATUS_FAIL);

	if (r->error) {
		char *text = mhp_xasprintf("Failed in phase '%s': %s", r->phase ? r->phase : "?", r->error);
		mhp_h_text(sec, "p", "error", text);
		free(text);
	}
	if (!failed)
		return;
	mhp_h_text(sec, "h3", NULL, "Failed checks");
	xmlNodePtr table = check_table(sec);
	for (size_t i = 0; i < r->nchecks; i++)
		if (r->checks[i].status == MHP_STATUS_FAIL)
			check_row(table, &r->checks[i]);
	/* A kernel splat, as the health scan quoted it. */
	for (size_t i = 0; i < r->nchecks; i++)
		if (r->checks[i].status == MHP_STATUS_FAIL && r->checks[i].kind &&
		    !strcmp(r->checks[i].kind, "kernel health") && r->checks[i].observed)
			mhp_h_text(sec, "pre", "splat", r->checks[i].observed);
}

/* Every check, a <details> per step. */
static void checks_by_step(xmlNodePtr sec, const struct mhp_result *r)
{
	xmlNodePtr details = NULL, table = NULL;
	long step = -1;
	const char *kind = NULL;

	mhp_h_text(sec, "h3", NULL, "All checks, by step");
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct mhp_check *c = &r->checks[i];

		if (!details || (long)c->step != step || (c->kind && kind && strcmp(c->kind, kind))) {
			char *title = c->step ? mhp_xasprintf("step %u %s %s", c->step, c->kind ? c->kind : "",
							      c->device ? c->device : "")
					      : mhp_xstrdup(c->kind ? c->kind : "boot");
			details = mhp_h_el(sec, "details", NULL);
			mhp_h_text(details, "summary", NULL, title);
			table = check_table(details);
			step = (long)c->step, kind = c->kind;
			free(title);
		}
		check_row(table, c);
	}
}

static void logs(xmlNodePtr sec, const char *rel)
{
	static const char *const files[] = { "console.log", "qmp.log", "channel.log", "qemu.log", "result.json",
					     "topology.json" };
	xmlNodePtr p = mhp_h_el(sec, "p", "logs");

	mhp_h_text(p, "span", NULL, "Logs: ");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		xmlNodePtr a = mhp_h_text(p, "a", NULL, files[i]);
		mhp_h_attr(a, "href", "%s/%s", rel, files[i]);
	}
}

void mhp_html_run(xmlNodePtr body, const struct mhp_topology *t, const struct mhp_result *r, const char *rel)
{
	xmlNodePtr sec = mhp_h_el(body, "section", "run");
	enum mhp_status v = mhp_result_verdict(r);
	const char *kv = r->kernel_version ? r->kernel_version : "?";
	char *facts = mhp_xasprintf("%s: %zu checks passed, %zu failed, %zu not scored in %.1f s; kernel %.*s, QEMU %s, %s",
				    verdicts[v], mhp_result_count(r, MHP_STATUS_PASS), mhp_result_count(r, MHP_STATUS_FAIL),
				    mhp_result_count(r, MHP_STATUS_SKIP), (double)r->duration_ns / 1e9, (int)strcspn(kv, " "),
				    kv, r->qemu_version ? r->qemu_version : "?", r->accel ? r->accel : "?");

	mhp_h_attr(sec, "id", "t-%s", rel);
	mhp_h_text(sec, "h2", verdicts[v], r->topology);
	mhp_h_text(sec, "p", "path", rel); /* which run: baseline/..., crashes/<hash>/log0 */
	if (t && t->description)
		mhp_h_text(sec, "p", "description", t->description);
	mhp_h_text(sec, "p", "facts", facts);
	if (t)
		mhp_html_map(sec, t, r);
	else
		mhp_h_text(sec, "p", "error", "no topology.json in the run directory: no map");
	failed_checks(sec, r);
	checks_by_step(sec, r);
	logs(sec, rel);
	free(facts);
}
