/* `mhp results merge` (kernel/suite-merge.h): shards of a suite or of a
 * gate back into one result, made from their result.json files. */
#include "kernel/suite-merge.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/gate.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "report/report.h"
#include "report/shard-manifest.h"

struct shards {
	json_object **by_index;  /* [N]: the finished shard's manifest, or NULL */
	json_object *ref;        /* the first manifest read: the suite's names and labels */
	const char *ref_dir;
	unsigned n;
	json_object **owned;     /* every manifest read */
	size_t nowned;
};

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int shard_field(json_object *m, const char *key)
{
	return json_object_get_int(json_object_object_get(json_object_object_get(m, "shard"), key));
}

/* The fields every shard of one suite or gate shares. */
static int check_same(const struct shards *s, json_object *m, const char *dir)
{
	static const char *const labels[] = { "kernel_version", "baseline", "candidate", "strict" };
	json_object *la = json_object_object_get(s->ref, "labels"), *lb = json_object_object_get(m, "labels");
	const char *what = NULL;

	if (strcmp(str(s->ref, "command"), str(m, "command")))
		what = "command";
	else if ((unsigned)shard_field(m, "of") != s->n)
		what = "shard.of";
	else if (strcmp(json_object_to_json_string(json_object_object_get(s->ref, "topologies")),
			json_object_to_json_string(json_object_object_get(m, "topologies"))))
		what = "topologies";
	for (size_t i = 0; !what && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(str(la, labels[i]), str(lb, labels[i])))
			what = labels[i];
	if (what)
		return mhp_log_error("%s/shard.json: field '%s' differs from %s/shard.json: these are no shards of one "
				     "suite", dir, what, s->ref_dir);
	return 0;
}

static int take(struct shards *s, const char *dir)
{
	json_object *m;
	char err[512];
	int r = mhp_shard_manifest_read(dir, &m, err, sizeof(err));

	if (r == -ENOENT)
		return mhp_log_notice("%s: no shard.json: a shard that never started, or no shard directory", dir), 0;
	if (r < 0)
		return mhp_log_error("%s", err);
	s->owned = realloc(s->owned, (s->nowned + 1) * sizeof(*s->owned));
	if (!s->owned)
		abort();
	s->owned[s->nowned++] = m;
	int k = shard_field(m, "index"), of = shard_field(m, "of");
	if (!s->ref) {
		if (of < 1 || of > 1 << 20)
			return mhp_log_error("%s/shard.json: field 'shard.of': %d", dir, of);
		s->ref = m, s->ref_dir = dir, s->n = (unsigned)of;
		s->by_index = mhp_xcalloc(s->n, sizeof(*s->by_index));
	} else if (check_same(s, m, dir) < 0) {
		return -EINVAL;
	}
	if (k < 0 || (unsigned)k >= s->n)
		return mhp_log_error("%s/shard.json: field 'shard.index': %d of %u", dir, k, s->n);
	if (!json_object_get_boolean(json_object_object_get(m, "finished")))
		return mhp_log_notice("%s: shard %d/%u did not finish: left out", dir, k, s->n), 0;
	if (s->by_index[k])
		return mhp_log_error("%s/shard.json: field 'shard': %d/%u is given twice", dir, k, s->n);
	s->by_index[k] = m;
	return 0;
}

/* Topology i's run directory as side, or NULL (not run, or shard missing). */
static const char *run_dir(const struct shards *s, unsigned i, const char *side)
{
	json_object *m = s->by_index[i % s->n], *run, *dir;
	char key[24];

	snprintf(key, sizeof(key), "%u", i);
	if (!m || !json_object_object_get_ex(json_object_object_get(m, "runs"), key, &run) ||
	    !json_object_object_get_ex(run, side, &dir))
		return NULL;
	return json_object_get_string(dir);
}

static int read_result(const char *dir, struct mhp_result *res)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/result.json", dir);
	char err[512];

	if (mhp_result_read_json(res, path, err, sizeof(err)) < 0)
		return mhp_log_error("%s: %s", path, err), -EIO;
	return 0;
}

static const char *name_of(const struct shards *s, unsigned i)
{
	return json_object_get_string(json_object_array_get_idx(json_object_object_get(s->ref, "topologies"), i));
}

/* One topology's KTAP, its result counted; a missing one as not run. */
static int merge_run(const struct shards *s, unsigned i, FILE *ktap, struct mhp_strv *junits,
		     struct mhp_suite_merge *res)
{
	const char *dir = run_dir(s, i, "dir");
	struct mhp_result r;

	if (!dir) {
		fprintf(ktap, "not ok %u %s # not run: shard %u/%u %s\n", i + 1, name_of(s, i), i % s->n, s->n,
			s->by_index[i % s->n] ? "has no run of it" : "missing");
		res->not_run++;
		return 0;
	}
	if (read_result(dir, &r) < 0)
		return -EIO;
	mhp_report_ktap(ktap, &r, i + 1, dir);
	enum mhp_status v = mhp_result_verdict(&r);
	res->passed += v == MHP_STATUS_PASS;
	res->failed += v == MHP_STATUS_FAIL;
	mhp_strv_pushf(junits, "%s/junit.xml", dir);
	mhp_result_release(&r);
	return 0;
}

static int write_text(const char *into, const char *name, const char *text, size_t len)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/%s", into, name);

	return mhp_write_file_logged(path, text, len);
}

/* results.ktap, junit.xml and summary.txt of a suite's shards. */
static int merge_suite(const struct shards *s, const char *into, struct mhp_suite_merge *res)
{
	struct mhp_strv junits = MHP_STRV_INIT;
	_cleanup_free_ char *ktap = NULL, *summary = NULL, *junit = mhp_xasprintf("%s/junit.xml", into);
	size_t len = 0;
	FILE *f = open_memstream(&ktap, &len);
	int r = 0;

	if (!f)
		return mhp_log_errno(-errno, "open_memstream");
	fprintf(f, "KTAP version 1\n1..%u\n", res->topologies);
	for (unsigned i = 0; r == 0 && i < res->topologies; i++)
		r = merge_run(s, i, f, &junits, res);
	fprintf(f, "# mhp: %u passed, %u failed, %u not run\n", res->passed, res->failed, res->not_run);
	fclose(f);
	summary = mhp_xasprintf("%u topologies: %u passed, %u failed, %u not run (%u of %u shards)\n", res->topologies,
				res->passed, res->failed, res->not_run, res->merged, res->shards);
	if (r == 0 && (r = mhp_report_junit_merge(junits.v, junits.n, junit)) < 0)
		mhp_log_errno(r, "cannot merge the shards' junit.xml into '%s'", junit);
	if (r == 0)
		r = write_text(into, "results.ktap", ktap, len);
	if (r == 0)
		r = write_text(into, "summary.txt", summary, strlen(summary));
	mhp_strv_release(&junits);
	return r < 0 ? -EIO : 0;
}

/* The comparison of topology i, as the gate made it. */
static int merge_pair(const struct shards *s, unsigned i, struct mhp_gate *g)
{
	const char *base = run_dir(s, i, "baseline"), *cand = run_dir(s, i, "candidate"), *again = run_dir(s, i, "rerun");
	struct mhp_result b, c, rr;

	if (!base || !cand)
		return 0;
	if (read_result(base, &b) < 0)
		return -EIO;
	if (read_result(cand, &c) < 0) {
		mhp_result_release(&b);
		return -EIO;
	}
	mhp_gate_compare(g, &b, &c);
	mhp_result_release(&b), mhp_result_release(&c);
	if (!again)
		return 0;
	if (read_result(again, &rr) < 0)
		return -EIO;
	mhp_gate_rerun(g, &rr);
	mhp_result_release(&rr);
	return 0;
}

static const char *build_error(const struct shards *s)
{
	for (unsigned k = 0; k < s->n; k++) {
		json_object *m = s->by_index[k], *e;

		if (m && json_object_object_get_ex(json_object_object_get(m, "labels"), "candidate_build_error", &e))
			return json_object_get_string(e);
	}
	return NULL;
}

/* gate.txt and gate.json of a gate's shards. */
static int merge_gate(const struct shards *s, const char *into, struct mhp_suite_merge *res)
{
	json_object *labels = json_object_object_get(s->ref, "labels");
	struct mhp_gate g = { .strict = !strcmp(str(labels, "strict"), "yes") };
	_cleanup_free_ char *txt = NULL;
	size_t len = 0;
	int r = 0;

	if (build_error(s)) {
		mhp_gate_build_failed(&g, build_error(s));
		g.compared = 1;
	}
	for (unsigned i = 0; r == 0 && i < res->topologies; i++)
		r = merge_pair(s, i, &g);
	FILE *f = open_memstream(&txt, &len);
	if (r == 0 && f) {
		fprintf(f, "mhp gate: baseline %s\n          candidate %s\n", str(labels, "baseline"), str(labels, "candidate"));
		if (res->nmissing)
			fprintf(f, "INCOMPLETE: %u of %u shards missing: their topologies were not compared\n", res->nmissing,
				res->shards);
		mhp_gate_print(f, &g);
	}
	if (f)
		fclose(f);
	res->regressions = mhp_gate_count(&g, MHP_GATE_REGRESSION), res->compared = g.compared;
	if (r == 0 && (r = write_text(into, "gate.txt", txt ? txt : "", len)) == 0 &&
	    (r = mhp_gate_write_json(&g, into, str(labels, "baseline"), str(labels, "candidate"))) < 0)
		mhp_log_errno(r, "cannot write '%s/gate.json'", into);
	mhp_gate_release(&g);
	return r < 0 ? -EIO : 0;
}

static int write_merge_json(const struct shards *s, char *const dirs[], size_t n, const char *into,
			    const struct mhp_suite_merge *res)
{
	json_object *o = json_object_new_object(), *from = json_object_new_array(), *missing = json_object_new_array();

	json_object_object_add(o, "command", json_object_new_string(str(s->ref, "command")));
	json_object_object_add(o, "shards", json_object_new_int((int)s->n));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(from, json_object_new_string(dirs[i]));
	json_object_object_add(o, "merged_from", from);
	for (unsigned k = 0; k < s->n; k++)
		if (!s->by_index[k])
			json_object_array_add(missing, json_object_new_int((int)k));
	json_object_object_add(o, "missing_shards", missing);
	json_object_object_add(o, "complete", json_object_new_boolean(res->nmissing == 0));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = write_text(into, "merge.json", text, strlen(text));
	json_object_put(o);
	return r;
}

static void count(const struct shards *s, struct mhp_suite_merge *res)
{
	*res = (struct mhp_suite_merge){ .gate = !strcmp(str(s->ref, "command"), "gate"), .shards = s->n };
	res->topologies = (unsigned)json_object_array_length(json_object_object_get(s->ref, "topologies"));
	for (unsigned k = 0; k < s->n; k++) {
		if (s->by_index[k])
			res->merged++;
		else if (res->nmissing++ < sizeof(res->missing) / sizeof(res->missing[0]))
			res->missing[res->nmissing - 1] = k;
	}
}

int mhp_suite_merge(char *const dirs[], size_t n, const char *into, struct mhp_suite_merge *res)
{
	struct shards s = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++)
		r = take(&s, dirs[i]);
	if (r == 0 && !s.ref)
		r = mhp_log_error("none of the %zu directories holds a shard.json", n);
	if (r == 0 && (r = mhp_mkdir_p(into, 0755)) < 0)
		r = mhp_log_errno(r, "cannot create '%s'", into);
	if (r == 0) {
		count(&s, res);
		r = res->gate ? merge_gate(&s, into, res) : merge_suite(&s, into, res);
	}
	if (r == 0)
		r = write_merge_json(&s, dirs, n, into, res) < 0 ? -EIO : 0;
	for (size_t i = 0; i < s.nowned; i++)
		json_object_put(s.owned[i]);
	free(s.owned), free(s.by_index);
	return r;
}
