#include "kernel/gate.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/cleanup.h"
#include "report/report.h"

#define NOT_REACHED "(not reached)"
#define RUN_COMPLETED "run completed"

static const char *const kind_names[MHP_GATE_KINDS] = { "regression", "flaky", "fails-on-both", "fixed",
							       "outcome-differed" };

void mhp_gate_release(struct mhp_gate *g)
{
	for (size_t i = 0; i < g->nrows; i++) {
		free(g->rows[i].topology);
		free(g->rows[i].check);
		free(g->rows[i].baseline);
		free(g->rows[i].candidate);
		free(g->rows[i].rerun);
		if (g->rows[i].key)
			mhp_check_release(g->rows[i].key);
		free(g->rows[i].key);
	}
	free(g->rows);
	*g = (struct mhp_gate){ 0 };
}

static struct mhp_gate_row *add_row(struct mhp_gate *g, enum mhp_gate_kind kind, const char *topology,
				    const char *check, const char *base, const char *cand)
{
	struct mhp_gate_row *row = &MHP_ARRAY_PUSH(g->rows, g->nrows, g->rows_cap);

	*row = (struct mhp_gate_row){ mhp_xstrdup(topology), mhp_xstrdup(check), mhp_xstrdup(base),
				      mhp_xstrdup(cand), NULL, kind, NULL };
	return row;
}

/* A row about check c, which keeps c's fields to find it in a re-run. */
static void add_check_row(struct mhp_gate *g, enum mhp_gate_kind kind, const char *topology,
			  const struct mhp_check *c, const char *base, const char *cand)
{
	struct mhp_gate_row *row = add_row(g, kind, topology, c->name, base, cand);

	row->key = mhp_xcalloc(1, sizeof(*row->key));
	mhp_check_copy(row->key, c);
}

/* The check of r that is c (same step, kind, device, subject, aspect). */
static const struct mhp_check *find_check(const struct mhp_result *r, const struct mhp_check *c)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (mhp_check_same(&r->checks[i], c))
			return &r->checks[i];
	return NULL;
}

/* A run that stopped is one more check: "run completed", its value the error. */
static bool completed(const struct mhp_result *r)
{
	return !r->error && !r->interrupted;
}

static const char *run_value(const struct mhp_result *r)
{
	return completed(r) ? "completed" : r->error ? r->error : "interrupted";
}

/* Whether check c of a run is past the step where the outcomes parted. */
static bool past(const struct mhp_check *c, unsigned parted)
{
	return c->step && c->step >= parted;
}

/* Checks of the candidate that the baseline does not have. */
static void compare_new(struct mhp_gate *g, const struct mhp_result *base, const struct mhp_result *cand,
			unsigned parted)
{
	for (size_t i = 0; i < cand->nchecks; i++) {
		const struct mhp_check *c = &cand->checks[i];

		if (c->status != MHP_STATUS_FAIL || find_check(base, c) || past(c, parted))
			continue;
		/* A baseline that ran to the end never had this check: the
		 * candidate changed what there is to check (a block more, say). */
		add_check_row(g, completed(base) ? MHP_GATE_REGRESSION : MHP_GATE_BOTH_FAIL, cand->topology, c,
			      NOT_REACHED, c->observed);
	}
}

/* The first step whose unscored outcome the two runs both reached and took
 * differently, or UINT_MAX; *ret_check is the baseline's outcome check. */
static unsigned first_differed(const struct mhp_result *base, const struct mhp_result *cand,
			       const struct mhp_check **ret_check)
{
	unsigned first = UINT_MAX;

	for (size_t i = 0; i < base->nchecks; i++) {
		const struct mhp_check *b = &base->checks[i], *c = find_check(cand, b);

		if (b->outcome && c && c->outcome && strcmp(b->observed, c->observed) && b->step < first) {
			first = b->step;
			*ret_check = b;
		}
	}
	return first;
}

static void compare_base(struct mhp_gate *g, const struct mhp_result *base, const struct mhp_result *cand,
			 unsigned parted)
{
	for (size_t i = 0; i < base->nchecks; i++) {
		const struct mhp_check *b = &base->checks[i], *c = find_check(cand, b);
		bool cand_fails = !c || c->status == MHP_STATUS_FAIL;
		const char *cv = c ? c->observed : NOT_REACHED;

		if (b->status == MHP_STATUS_SKIP || (c && c->status == MHP_STATUS_SKIP) || past(b, parted))
			continue;
		if (b->status == MHP_STATUS_PASS && cand_fails)
			add_check_row(g, MHP_GATE_REGRESSION, base->topology, b, b->observed, cv);
		else if (b->status == MHP_STATUS_FAIL && cand_fails)
			add_check_row(g, MHP_GATE_BOTH_FAIL, base->topology, b, b->observed, cv);
		else if (b->status == MHP_STATUS_FAIL)
			add_check_row(g, MHP_GATE_FIXED, base->topology, b, b->observed, cv);
	}
}

/* The outcome that parted the runs, and what failed on the candidate's own
 * terms after it: listed, not blocking. */
static void report_parted(struct mhp_gate *g, const struct mhp_result *base, const struct mhp_result *cand,
			  const struct mhp_check *outcome, unsigned parted)
{
	const struct mhp_check *c = find_check(cand, outcome);

	add_check_row(g, MHP_GATE_OUTCOME, base->topology, outcome, outcome->observed, c->observed);
	for (size_t i = 0; i < cand->nchecks; i++)
		if (cand->checks[i].status == MHP_STATUS_FAIL && past(&cand->checks[i], parted))
			add_check_row(g, MHP_GATE_OUTCOME, base->topology, &cand->checks[i], "(not compared)",
				      cand->checks[i].observed);
}

void mhp_gate_compare(struct mhp_gate *g, const struct mhp_result *base, const struct mhp_result *cand)
{
	const struct mhp_check *outcome = NULL;
	unsigned parted = g->strict ? UINT_MAX : first_differed(base, cand, &outcome);

	g->compared += completed(base);
	compare_base(g, base, cand, parted);
	compare_new(g, base, cand, parted);
	if (outcome) {
		g->parted++;
		report_parted(g, base, cand, outcome, parted);
	}
	/* A run that stopped is a regression whichever outcome led there. */
	if (!completed(cand))
		add_row(g, completed(base) ? MHP_GATE_REGRESSION : MHP_GATE_BOTH_FAIL, base->topology, RUN_COMPLETED,
			run_value(base), run_value(cand));
	else if (!completed(base))
		add_row(g, MHP_GATE_FIXED, base->topology, RUN_COMPLETED, run_value(base), run_value(cand));
}

void mhp_gate_build_failed(struct mhp_gate *g, const char *why)
{
	add_row(g, MHP_GATE_REGRESSION, "(build)", "kernel builds", "builds", why);
}

bool mhp_gate_wants_rerun(const struct mhp_gate *g, const char *topology)
{
	for (size_t i = 0; i < g->nrows; i++)
		if (g->rows[i].kind == MHP_GATE_REGRESSION && !strcmp(g->rows[i].topology, topology))
			return true;
	return false;
}

void mhp_gate_rerun(struct mhp_gate *g, const struct mhp_result *rerun)
{
	for (size_t i = 0; i < g->nrows; i++) {
		struct mhp_gate_row *row = &g->rows[i];
		bool passes;

		if (row->kind != MHP_GATE_REGRESSION || strcmp(row->topology, rerun->topology))
			continue;
		if (!row->key) { /* "run completed" */
			passes = completed(rerun);
			row->rerun = mhp_xstrdup(run_value(rerun));
		} else {
			const struct mhp_check *c = find_check(rerun, row->key);
			passes = c && c->status == MHP_STATUS_PASS;
			row->rerun = mhp_xstrdup(c ? c->observed : NOT_REACHED);
		}
		if (passes)
			row->kind = MHP_GATE_FLAKY;
	}
}

size_t mhp_gate_count(const struct mhp_gate *g, enum mhp_gate_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nrows; i++)
		n += g->rows[i].kind == kind;
	return n;
}

/* ------------------------------------------------------------ output */

static void print_kind(FILE *f, const struct mhp_gate *g, enum mhp_gate_kind kind, const char *title)
{
	const char *topology = "";

	if (!mhp_gate_count(g, kind))
		return;
	fprintf(f, "\n%s (%zu):\n  %-58s %-22s %s\n", title, mhp_gate_count(g, kind), "topology / check", "baseline",
		kind == MHP_GATE_FLAKY ? "candidate (re-run)" : "candidate");
	for (size_t i = 0; i < g->nrows; i++) {
		const struct mhp_gate_row *row = &g->rows[i];

		if (row->kind != kind)
			continue;
		if (strcmp(topology, row->topology))
			fprintf(f, "  %s\n", row->topology);
		topology = row->topology;
		fprintf(f, "    %-56s %-22s %s", row->check, row->baseline, row->candidate);
		if (row->rerun)
			fprintf(f, " (re-run: %s)", row->rerun);
		fputc('\n', f);
	}
}

void mhp_gate_print(FILE *f, const struct mhp_gate *g)
{
	size_t regressions = mhp_gate_count(g, MHP_GATE_REGRESSION);

	if (regressions)
		fprintf(f, "BLOCK: %zu check(s) pass on the baseline and fail on the candidate\n", regressions);
	else
		fprintf(f, "PASS: no check that passes on the baseline fails on the candidate (%zu topologies compared, "
			"%zu of them up to a differing outcome)\n", g->compared, g->parted);
	print_kind(f, g, MHP_GATE_REGRESSION, "Regressions (blocking)");
	print_kind(f, g, MHP_GATE_FLAKY, "Flaky: failed on the candidate, passed when re-run (not blocking)");
	print_kind(f, g, MHP_GATE_BOTH_FAIL, "Failing on both kernels (not blocking)");
	print_kind(f, g, MHP_GATE_FIXED, "Fixed by the candidate");
	print_kind(f, g, MHP_GATE_OUTCOME,
		   "Outcome differed, not compared: a step the oracle allows either way went differently, so "
		   "nothing after it is compared (not blocking; --strict compares it)");
}

int mhp_gate_write_json(const struct mhp_gate *g, const char *dir, const char *baseline, const char *candidate)
{
	json_object *o = json_object_new_object(), *rows = json_object_new_array();
	_cleanup_free_ char *path = mhp_xasprintf("%s/gate.json", dir);

	json_object_object_add(o, "verdict",
			       json_object_new_string(mhp_gate_count(g, MHP_GATE_REGRESSION) ? "block" : "pass"));
	json_object_object_add(o, "baseline", json_object_new_string(baseline));
	json_object_object_add(o, "candidate", json_object_new_string(candidate));
	json_object_object_add(o, "topologies_compared", json_object_new_int64((int64_t)g->compared));
	json_object_object_add(o, "outcome_differed", json_object_new_int64((int64_t)g->parted));
	for (size_t i = 0; i < g->nrows; i++) {
		const struct mhp_gate_row *row = &g->rows[i];
		json_object *r = json_object_new_object();

		json_object_object_add(r, "kind", json_object_new_string(kind_names[row->kind]));
		json_object_object_add(r, "topology", json_object_new_string(row->topology));
		json_object_object_add(r, "check", json_object_new_string(row->check));
		if (row->key) {
			json_object *fields = json_object_new_object();
			mhp_check_key_json(fields, row->key);
			json_object_object_add(r, "fields", fields);
		}
		json_object_object_add(r, "baseline", json_object_new_string(row->baseline));
		json_object_object_add(r, "candidate", json_object_new_string(row->candidate));
		json_object_object_add(r, "rerun", row->rerun ? json_object_new_string(row->rerun) : NULL);
		json_object_array_add(rows, r);
	}
	json_object_object_add(o, "rows", rows);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *data = mhp_xasprintf("%s\n", text);
	json_object_put(o);
	return mhp_write_file_atomic(path, data, strlen(data));
}
