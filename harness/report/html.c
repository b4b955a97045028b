/* report.html and the standalone map (report/html.h): the page around the
 * sections, built as a libxml2 HTML tree and serialized by the library. */
#include "report/html.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <libxml/HTMLtree.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "report/html-internal.h"
#include "report/report.h"

static const char css[] =
	"body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1000px}"
	"h1{font-size:1.4em}h2{font-size:1.15em;border-top:1px solid #ccc;padding-top:.8em}"
	"h2.fail::after{content:' FAIL';color:#c00}h2.pass::after{content:' pass';color:#393}"
	"table{border-collapse:collapse;font-size:.85em;margin:.4em 0}td,th{border:1px solid #ddd;padding:2px 6px;"
	"text-align:left;vertical-align:top}tr.fail td{background:#fde8e8}td.value{font-family:monospace;white-space:pre-wrap}"
	"pre.splat{background:#fff4e5;border:1px solid #e0a040;padding:.5em;white-space:pre-wrap;font-size:.8em}"
	"p.error{color:#c00}p.path{color:#777;font-size:.8em;margin:0}svg.map{display:block;margin:.5em 0}"
	"svg rect.mismatch{stroke:#d00000;stroke-width:2.5}svg rect.carried{opacity:.55}"
	"details summary{cursor:pointer}p.logs a{margin-right:1em}"
	"body.wide{max-width:none}div.pair{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}"
	"div.pair svg.map{width:100%;height:auto}";

xmlNodePtr mhp_h_el(xmlNodePtr parent, const char *name, const char *cls)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);

	if (cls)
		xmlNewProp(n, BAD_CAST "class", BAD_CAST cls);
	return n;
}

xmlNodePtr mhp_h_text(xmlNodePtr parent, const char *name, const char *cls, const char *text)
{
	/* xmlNewTextChild escapes: markup in text stays text. */
	xmlNodePtr n = xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST(text ? text : ""));

	if (cls)
		xmlNewProp(n, BAD_CAST "class", BAD_CAST cls);
	return n;
}

void mhp_h_attr(xmlNodePtr n, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v = NULL;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		abort();
	va_end(ap);
	xmlSetProp(n, BAD_CAST name, BAD_CAST v);
	free(v);
}

static xmlNodePtr new_page(htmlDocPtr *doc, const char *title)
{
	xmlNodePtr html, head, meta;

	*doc = htmlNewDocNoDtD(NULL, NULL);
	xmlCreateIntSubset(*doc, BAD_CAST "html", NULL, NULL);
	html = xmlNewNode(NULL, BAD_CAST "html");
	xmlDocSetRootElement(*doc, html);
	xmlNewProp(html, BAD_CAST "lang", BAD_CAST "en");
	head = mhp_h_el(html, "head", NULL);
	meta = mhp_h_el(head, "meta", NULL);
	xmlNewProp(meta, BAD_CAST "charset", BAD_CAST "utf-8");
	mhp_h_text(head, "title", NULL, title);
	mhp_h_text(head, "style", NULL, css);
	xmlNodePtr body = mhp_h_el(html, "body", NULL);
	mhp_h_text(body, "h1", NULL, title);
	return body;
}

static int save(htmlDocPtr doc, const char *out)
{
	xmlChar *text = NULL;
	int len = 0, r;

	htmlDocDumpMemoryFormat(doc, &text, &len, 0);
	r = text ? mhp_write_file_atomic(out, text, (size_t)len) : -ENOMEM;
	xmlFree(text);
	return r;
}

/* dir as seen from the directory of out: relative when under it. */
static char *relative(const char *out, const char *dir)
{
	char base[PATH_MAX], abs[PATH_MAX], *copy = mhp_xstrdup(out);
	char *parent = dirname(copy), *rel;

	if (!realpath(parent, base) || !realpath(dir, abs)) {
		free(copy);
		return mhp_xstrdup(dir);
	}
	size_t n = strlen(base);
	rel = !strncmp(abs, base, n) && abs[n] == '/' ? mhp_xstrdup(abs + n + 1) : mhp_xstrdup(abs);
	free(copy);
	return rel;
}

static void summary_row(xmlNodePtr table, const struct mhp_result *r, const char *rel)
{
	static const char *const v[] = { "pass", "fail", "skip" };
	xmlNodePtr tr = mhp_h_el(table, "tr", v[mhp_result_verdict(r)]), a;
	char secs[32];

	a = mhp_h_text(mhp_h_el(tr, "td", NULL), "a", NULL, r->topology);
	mhp_h_attr(a, "href", "#t-%s", rel);
	mhp_h_text(tr, "td", "status", v[mhp_result_verdict(r)]);
	snprintf(secs, sizeof(secs), "%.1f s", (double)r->duration_ns / 1e9);
	mhp_h_text(tr, "td", NULL, secs);
	_cleanup_free_ char *kv = mhp_xasprintf("%.*s", (int)strcspn(r->kernel_version ? r->kernel_version : "?", " "),
						r->kernel_version ? r->kernel_version : "?");
	mhp_h_text(tr, "td", NULL, kv);
	mhp_h_text(tr, "td", NULL, r->qemu_version ? r->qemu_version : "?");
	mhp_h_text(tr, "td", NULL, r->accel ? r->accel : "?");
}

struct loaded {
	struct mhp_result res;
	struct mhp_topology t;
	bool has_t;
	char *rel;           /* the run directory as seen from the page */
};

static int load(const char *dir, struct loaded *l)
{
	_cleanup_free_ char *rp = mhp_xasprintf("%s/result.json", dir), *tp = mhp_xasprintf("%s/topology.json", dir);
	char err[512];
	int r = mhp_result_read_json(&l->res, rp, err, sizeof(err));

	if (r < 0)
		return r;
	l->has_t = mhp_topology_load(&l->t, tp, err, sizeof(err)) == 0;
	return 0;
}

static bool is_gate(const char *dir)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/gate.json", dir);

	return access(path, R_OK) == 0;
}

/* A gate's runs of one topology side by side: baseline, candidate (and
 * its re-run below). */
static xmlNodePtr pair_of(xmlNodePtr body, const char *topology)
{
	for (xmlNodePtr n = body->children; n; n = n->next) {
		xmlChar *t = xmlGetProp(n, BAD_CAST "data-topology");
		bool same = t && !strcmp((char *)t, topology);
		xmlFree(t);
		if (same)
			return n;
	}
	xmlNodePtr pair = mhp_h_el(body, "div", "pair");
	xmlSetProp(pair, BAD_CAST "data-topology", BAD_CAST topology);
	return pair;
}

int mhp_report_html(const char *out, const char *title, char *const dirs[], size_t n)
{
	return mhp_report_html_of(out, title, NULL, dirs, n);
}

int mhp_report_html_of(const char *out, const char *title, const char *top, char *const dirs[], size_t n)
{
	htmlDocPtr doc;
	xmlNodePtr body = new_page(&doc, title), table, tr;

	if (top)
		mhp_html_dir_summary(body, top);
	table = n ? mhp_h_el(body, "table", "summary") : NULL, tr = n ? mhp_h_el(table, "tr", NULL) : NULL;
	static const char *const heads[] = { "topology", "verdict", "time", "kernel", "QEMU", "accel" };
	struct loaded *l = mhp_xcalloc(n ? n : 1, sizeof(*l));
	int r = 0;

	for (size_t i = 0; tr && i < 6; i++)
		mhp_h_text(tr, "th", NULL, heads[i]);
	for (size_t i = 0; r == 0 && i < n; i++)
		if ((r = load(dirs[i], &l[i])) == 0) {
			l[i].rel = relative(out, dirs[i]);
			summary_row(table, &l[i].res, l[i].rel);
		}
	bool gate = top && is_gate(top);
	if (gate)
		xmlSetProp(body, BAD_CAST "class", BAD_CAST "wide");
	for (size_t i = 0; r == 0 && i < n; i++) {
		xmlNodePtr parent = gate ? pair_of(body, l[i].res.topology) : body;
		mhp_html_run(parent, l[i].has_t ? &l[i].t : NULL, &l[i].res, l[i].rel);
	}
	if (r == 0)
		r = save(doc, out);
	for (size_t i = 0; i < n; i++) {
		mhp_result_release(&l[i].res);
		free(l[i].rel);
		if (l[i].has_t)
			mhp_topology_release(&l[i].t);
	}
	free(l);
	xmlFreeDoc(doc);
	return r;
}

int mhp_report_svg(const struct mhp_topology *t, char **ret_text)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr holder = xmlNewNode(NULL, BAD_CAST "div");
	xmlChar *text = NULL;
	int len = 0;

	xmlDocSetRootElement(doc, holder);
	mhp_html_map(holder, t, NULL);
	xmlNodePtr svg = holder->children;
	xmlUnlinkNode(svg);
	xmlDocSetRootElement(doc, svg);
	xmlFreeNode(holder);
	xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
	*ret_text = text ? mhp_xstrdup((char *)text) : NULL;
	xmlFree(text);
	xmlFreeDoc(doc);
	return *ret_text ? 0 : -ENOMEM;
}

static bool is_run(const char *dir)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/result.json", dir);

	return access(path, R_OK) == 0;
}

/* Not followed: symlinks (latest), a campaign's in-flight runs/, and a
 * crash's logs after its first (log0 stands for the signature). */
static bool skipped(const char *name)
{
	return name[0] == '.' || !strcmp(name, "runs") || (!strncmp(name, "log", 3) && strcmp(name, "log0"));
}

static void find_runs(const char *dir, int depth, struct mhp_strv *out)
{
	struct mhp_strv subs = MHP_STRV_INIT;
	struct dirent *de;
	DIR *d;

	if (is_run(dir)) {
		mhp_strv_push(out, dir);
		return;
	}
	if (depth == 0 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && !skipped(de->d_name))
			mhp_strv_pushf(&subs, "%s/%s", dir, de->d_name);
	closedir(d);
	mhp_strv_sort(&subs);
	for (size_t i = 0; i < subs.n; i++)
		find_runs(subs.v[i], depth - 1, out);
	mhp_strv_release(&subs);
}

void mhp_report_find_runs(const char *dir, struct mhp_strv *out)
{
	find_runs(dir, 4, out);
}

char *mhp_report_html_dir(const char *dir, const char *title)
{
	struct mhp_strv runs = MHP_STRV_INIT;
	char *out = mhp_xasprintf("%s/report.html", dir);
	int r;

	find_runs(dir, 4, &runs);
	r = mhp_report_html_of(out, title, dir, runs.v, runs.n);
	mhp_strv_release(&runs);
	if (r < 0) {
		free(out);
		return NULL;
	}
	return out;
}
