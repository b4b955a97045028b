/* The gate's and the fuzz campaign's pages (report/html.h): their own
 * summaries (the before/after table; the signatures and the campaign's
 * course) above the runs, from gate.json and campaign.json. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "report/html-internal.h"
#include "report/html.h"

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : "";
}

static void row(xmlNodePtr table, const char *cls, const char *const cells[], size_t n, const char *cell)
{
	xmlNodePtr tr = mhp_h_el(table, "tr", cls);

	for (size_t i = 0; i < n; i++)
		mhp_h_text(tr, cell, NULL, cells[i]);
}

/* gate.json's verdict and rows: what blocks, what is flaky, fixed, failing on both. */
static void gate_summary(xmlNodePtr body, json_object *gate)
{
	static const char *const heads[] = { "kind", "topology", "check", "baseline", "candidate", "re-run" };
	json_object *rows = json_object_object_get(gate, "rows");
	char *verdict = mhp_xasprintf("%s: baseline %s, candidate %s", !strcmp(jstr(gate, "verdict"), "block") ? "BLOCK"
												 : "PASS",
				      jstr(gate, "baseline"), jstr(gate, "candidate"));

	mhp_h_text(body, "p", !strcmp(jstr(gate, "verdict"), "block") ? "error" : "facts", verdict);
	free(verdict);
	if (!json_object_array_length(rows))
		return;
	/* What blocks in a table of its own; the rest (flaky, fixed, failing
	 * on both, outcomes that differed) folded below it, so that a long
	 * list does not push the runs' maps off the page. */
	for (int blocking = 1; blocking >= 0; blocking--) {
		xmlNodePtr parent = body, table = NULL;

		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			json_object *r = json_object_array_get_idx(rows, i);
			const char *cells[] = { jstr(r, "kind"), jstr(r, "topology"), jstr(r, "check"), jstr(r, "baseline"),
						jstr(r, "candidate"), jstr(r, "rerun") };
			if ((strcmp(cells[0], "regression") == 0) != blocking)
				continue;
			if (!table && !blocking) {
				parent = mhp_h_el(body, "details", NULL);
				mhp_h_text(parent, "summary", NULL, "other rows: flaky, fixed, failing on both, outcomes that differed");
			}
			if (!table) {
				table = mhp_h_el(parent, "table", "gate");
				row(table, NULL, heads, 6, "th");
			}
			row(table, blocking ? "fail" : NULL, cells, 6, "td");
		}
	}
}

/* Scenarios and distinct signatures over the campaign's time. */
static void course_plot(xmlNodePtr body, json_object *course)
{
	size_t n = json_object_array_length(course);
	double tmax = 0, rmax = 1, smax = 1;

	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(course, i);
		double t = json_object_get_double(json_object_array_get_idx(p, 0));
		double r = json_object_get_double(json_object_array_get_idx(p, 1));
		double s = json_object_get_double(json_object_array_get_idx(p, 2));
		tmax = t > tmax ? t : tmax, rmax = r > rmax ? r : rmax, smax = s > smax ? s : smax;
	}
	xmlNodePtr svg = mhp_h_el(body, "svg", "course");
	mhp_h_attr(svg, "xmlns", "http://www.w3.org/2000/svg");
	mhp_h_attr(svg, "width", "640"), mhp_h_attr(svg, "height", "180"), mhp_h_attr(svg, "font-size", "10");
	static const char *const colours[] = { "#4e79a7", "#e15759" };
	xmlNodePtr frame = mhp_h_el(svg, "polyline", "axes");
	mhp_h_attr(frame, "points", "50,20 50,160 620,160"), mhp_h_attr(frame, "fill", "none");
	mhp_h_attr(frame, "stroke", "#888");
	for (int k = 1; k <= 2; k++) {
		char *pts = mhp_xstrdup("50.0,160.0 "); /* the start: nothing run, nothing found */
		for (size_t i = 0; i < n; i++) {
			json_object *p = json_object_array_get_idx(course, i);
			double x = 50 + 570 * json_object_get_double(json_object_array_get_idx(p, 0)) / (tmax > 0 ? tmax : 1);
			double y = 160 - 140 * json_object_get_double(json_object_array_get_idx(p, k)) / (k == 1 ? rmax : smax);
			char *more = mhp_xasprintf("%s%.1f,%.1f ", pts, x, y);
			free(pts);
			pts = more;
		}
		xmlNodePtr line = mhp_h_el(svg, "polyline", k == 1 ? "scenarios" : "signatures");
		mhp_h_attr(line, "points", "%s", pts), mhp_h_attr(line, "fill", "none");
		mhp_h_attr(line, "stroke", "%s", colours[k - 1]), mhp_h_attr(line, "stroke-width", "2");
		free(pts);
	}
	char *legend = mhp_xasprintf("blue: scenarios run (0-%.0f); red: distinct signatures (0-%.0f); over %.0f s", rmax,
				     smax, tmax);
	xmlNodePtr t = mhp_h_text(svg, "text", NULL, legend);
	mhp_h_attr(t, "x", "50"), mhp_h_attr(t, "y", "176");
	free(legend);
}

/* A signature: its crash directory and reproducer as links, the scenario
 * it was first seen in. */
static void signature_row(xmlNodePtr table, json_object *s, const char *dir)
{
	xmlNodePtr tr = mhp_h_el(table, "tr", "fail"), a;
	_cleanup_free_ char *crash = mhp_xasprintf("%s/crashes/%s", dir, jstr(s, "hash")), *first = NULL;
	_cleanup_free_ char *path = mhp_xasprintf("%s/first-scenario", crash);
	char count[24];

	a = mhp_h_text(mhp_h_el(tr, "td", NULL), "a", NULL, jstr(s, "hash"));
	mhp_h_attr(a, "href", "crashes/%s/", jstr(s, "hash"));
	mhp_h_text(tr, "td", NULL, jstr(s, "kind"));
	snprintf(count, sizeof(count), "%ld", (long)json_object_get_int64(json_object_object_get(s, "count")));
	mhp_h_text(tr, "td", NULL, count);
	if (mhp_read_file(path, 64, &first, NULL) == 0)
		first[strcspn(first, "\n")] = '\0';
	_cleanup_free_ char *seen = mhp_xasprintf("scenario %s", first ? first : "?");
	mhp_h_text(tr, "td", NULL, seen);
	mhp_h_text(tr, "td", NULL, jstr(s, "description"));
	xmlNodePtr td = mhp_h_el(tr, "td", NULL);
	if (*jstr(s, "repro")) {
		a = mhp_h_text(td, "a", NULL, jstr(s, "repro"));
		mhp_h_attr(a, "href", "%s", jstr(s, "repro"));
	}
}

/* The signatures, and each kept reproducer's machine. */
static void campaign_summary(xmlNodePtr body, json_object *c, const char *dir)
{
	static const char *const heads[] = { "signature", "kind", "count", "first seen", "description", "reproducer" };
	json_object *sigs = json_object_object_get(c, "signatures"), *course;
	char *facts = mhp_xasprintf("kernel %.*s, seed %s; %ld scenarios, %ld kernel failures, %ld harness failures",
				    (int)strcspn(jstr(c, "kernel_version"), " "), jstr(c, "kernel_version"), jstr(c, "seed"),
				    (long)json_object_get_int64(json_object_object_get(c, "scenarios_run")),
				    (long)json_object_get_int64(json_object_object_get(c, "kernel_failures")),
				    (long)json_object_get_int64(json_object_object_get(c, "harness_failures")));

	mhp_h_text(body, "p", "facts", facts);
	free(facts);
	if (json_object_object_get_ex(c, "course", &course))
		course_plot(body, course);
	if (!json_object_array_length(sigs)) {
		mhp_h_text(body, "p", "facts", "No failure: no signature.");
		return;
	}
	xmlNodePtr table = mhp_h_el(body, "table", "signatures");
	row(table, NULL, heads, 6, "th");
	for (size_t i = 0; i < json_object_array_length(sigs); i++) {
		json_object *s = json_object_array_get_idx(sigs, i);
		signature_row(table, s, dir);
		if (!*jstr(s, "repro"))
			continue;
		_cleanup_free_ char *path = mhp_xasprintf("%s/%s", dir, jstr(s, "repro"));
		struct mhp_topology t;
		char err[512];
		if (mhp_topology_load(&t, path, err, sizeof(err)) < 0)
			continue;
		_cleanup_free_ char *head = mhp_xasprintf("Reproducer of %s (reproduced %s): %s", jstr(s, "hash"),
							  jstr(s, "reliability"), jstr(s, "description"));
		mhp_h_text(body, "h3", NULL, head);
		mhp_html_map(body, &t, NULL);
		mhp_topology_release(&t);
	}
}

void mhp_html_dir_summary(xmlNodePtr body, const char *dir)
{
	_cleanup_free_ char *gate = mhp_xasprintf("%s/gate.json", dir), *camp = mhp_xasprintf("%s/campaign.json", dir);
	json_object *o;

	if ((o = json_object_from_file(gate))) {
		gate_summary(body, o);
		json_object_put(o);
	} else if ((o = json_object_from_file(camp))) {
		campaign_summary(body, o, dir);
		json_object_put(o);
	}
}
