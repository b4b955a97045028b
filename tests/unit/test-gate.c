/* The gate's comparison: which differences block a series, which are
 * reported, and what a re-run changes. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "kernel/gate.h"

/* A run of topology "t": checks as "[@STEP ]name=status:value" ("p" pass,
 * "f" fail, "s" skip, "o" an outcome the oracle does not score), and an
 * error that stopped it, or NULL. */
static void run_of(struct mhp_result *r, const char *const *checks, const char *error)
{
	mhp_result_init(r, "t");
	for (size_t i = 0; checks[i]; i++) {
		const char *spec = checks[i];
		char name[64], value[64], st;
		unsigned step = 0;
		int used = 0;

		if (sscanf(spec, "@%u %n", &step, &used) == 1)
			spec += used;
		mhp_result_step(r, step, NULL, NULL);
		assert_int_equal(sscanf(spec, "%63[^=]=%c:%63s", name, &st, value), 3);
		if (st == 's')
			mhp_result_skip(r, NULL, name, value);
		else if (st == 'o')
			mhp_result_outcome(r, NULL, name, value);
		else
			mhp_result_checkb(r, NULL, name, "x", value, st == 'p');
	}
	if (error)
		mhp_result_error(r, "%s", error);
	mhp_result_finish(r);
}

struct gate_case {
	const char *name;
	const char *base[8], *cand[8];
	const char *base_error, *cand_error;
	const char *rerun[8]; /* the candidate's re-run, when the case has one */
	size_t regression, flaky, both, fixed, outcome;
	const char *first_kind_check; /* check of the first row */
};

static const struct gate_case cases[] = {
	{ "same results: nothing to say", { "a=p:1", "b=p:2" }, { "a=p:1", "b=p:2" }, NULL, NULL, { NULL }, 0, 0, 0, 0, 0, NULL },
	{ "pass to fail blocks", { "a=p:Movable", "b=p:2" }, { "a=f:Normal", "b=p:2" }, NULL, NULL, { NULL }, 1, 0, 0, 0, 0, "a" },
	{ "failing on both is reported, not blocking", { "a=f:1" }, { "a=f:1" }, NULL, NULL, { NULL }, 0, 0, 1, 0, 0, "a" },
	{ "fail to pass is fixed", { "a=f:1" }, { "a=p:2" }, NULL, NULL, { NULL }, 0, 0, 0, 1, 0, "a" },
	{ "a check the candidate never reached blocks", { "a=p:1", "b=p:2" }, { "a=p:1" }, NULL, "QEMU died",
	  { NULL }, 2, 0, 0, 0, 0, "b" },
	{ "a failing check the complete baseline lacks blocks", { "a=p:1" }, { "a=p:1", "block 40=f:1" }, NULL, NULL,
	  { NULL }, 1, 0, 0, 0, 0, "block 40" },
	{ "what a stopped baseline lacks is not blamed on the candidate", { "a=p:1" }, { "a=p:1", "b=f:1" }, "hang",
	  NULL, { NULL }, 0, 0, 1, 1, 0, "b" },
	{ "skipped checks are not compared", { "a=s:why" }, { "a=f:1" }, NULL, NULL, { NULL }, 0, 0, 0, 0, 0, NULL },
	{ "a regression that passes on re-run is flaky", { "a=p:1", "b=p:1" }, { "a=f:2", "b=f:2" }, NULL, NULL,
	  { "a=p:1", "b=f:2" }, 1, 1, 0, 0, 0, "a" },
	/* three-nodes-interleaved: the baseline's kernel-zone unplug refused,
	 * the candidate's removed; the plug-time zones are still compared. */
	{ "baseline refused, candidate removed: not compared after it",
	  { "@2 zone=p:Normal", "@3 outcome=o:refused", "@3 still present=p:present", "@4 block 36 zone=p:Normal" },
	  { "@2 zone=p:Normal", "@3 outcome=o:removed", "@3 blocks gone=p:none", "@4 block 36=f:present" }, NULL, NULL,
	  { NULL }, 0, 0, 0, 0, 2, "outcome" },
	{ "baseline removed, candidate refused: not compared after it",
	  { "@1 zone=p:Normal", "@2 outcome=o:removed", "@2 blocks gone=p:none", "@2 memmap=p:absent" },
	  { "@1 zone=p:Normal", "@2 outcome=o:refused", "@2 still present=p:present" }, NULL, NULL,
	  { NULL }, 0, 0, 0, 0, 1, "outcome" },
	{ "a check before the differing outcome still blocks",
	  { "@1 zone=p:Movable", "@2 outcome=o:refused", "@2 still present=p:present" },
	  { "@1 zone=f:Normal", "@2 outcome=o:removed", "@2 blocks gone=p:none" }, NULL, NULL,
	  { "@1 zone=f:Normal", "@2 outcome=o:removed" }, 1, 0, 0, 0, 1, "zone" },
	{ "the same unscored outcome on both: everything compared",
	  { "@1 outcome=o:refused", "@1 still present=p:present" }, { "@1 outcome=o:refused", "@1 still present=f:absent" },
	  NULL, NULL, { "@1 outcome=o:refused", "@1 still present=f:absent" }, 1, 0, 0, 0, 0, "still present" },
	{ "a scored outcome that changed blocks",
	  { "@1 outcome=p:removed", "@1 blocks gone=p:none" }, { "@1 outcome=f:refused", "@1 still present=p:present" },
	  NULL, NULL, { "@1 outcome=f:refused" }, 2, 0, 0, 0, 0, "outcome" },
	{ "a hang after a differing outcome still blocks",
	  { "@1 outcome=o:refused", "@1 still present=p:present" }, { "@1 outcome=o:removed" }, NULL, "timed out",
	  { NULL }, 1, 0, 0, 0, 1, "outcome" },
	{ "checks of no step are compared after a differing outcome",
	  { "@1 outcome=o:refused", "@0 kernel health=p:clean" }, { "@1 outcome=o:removed", "@0 kernel health=f:WARNING" },
	  NULL, NULL, { "@1 outcome=o:removed", "@0 kernel health=f:WARNING" }, 1, 0, 0, 0, 1, "kernel health" },
};

static void test_compare(void **state)
{
	const struct gate_case *c = *state;
	struct mhp_result base, cand, rerun;
	struct mhp_gate g = { 0 };

	run_of(&base, c->base, c->base_error);
	run_of(&cand, c->cand, c->cand_error);
	mhp_gate_compare(&g, &base, &cand);
	if (c->rerun[0]) {
		assert_true(mhp_gate_wants_rerun(&g, "t"));
		run_of(&rerun, c->rerun, NULL);
		mhp_gate_rerun(&g, &rerun);
		mhp_result_release(&rerun);
	}
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_REGRESSION), c->regression);
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_FLAKY), c->flaky);
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_BOTH_FAIL), c->both);
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_FIXED), c->fixed);
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_OUTCOME), c->outcome);
	assert_int_equal(g.parted, c->outcome ? 1 : 0);
	if (c->first_kind_check)
		assert_string_equal(g.rows[0].check, c->first_kind_check);
	else
		assert_int_equal(g.nrows, 0);
	assert_int_equal(g.compared, c->base_error ? 0 : 1);
	mhp_gate_release(&g);
	mhp_result_release(&base);
	mhp_result_release(&cand);
}

/* The table and gate.json say the same thing: the blocking check with
 * both values, and the verdict. */
static void test_table_and_json(void **state)
{
	(void)state;
	struct mhp_result base, cand;
	struct mhp_gate g = { 0 };
	char *buf = NULL, dir[] = "/tmp/mhp-gate-test-XXXXXX";
	size_t len = 0;

	run_of(&base, (const char *[]){ "step 3 online d: block 32 zone=p:Movable", "x=f:1", NULL }, NULL);
	run_of(&cand, (const char *[]){ "step 3 online d: block 32 zone=f:Normal", "x=f:1", NULL }, NULL);
	mhp_gate_compare(&g, &base, &cand);
	FILE *f = open_memstream(&buf, &len);
	mhp_gate_print(f, &g);
	fclose(f);
	assert_non_null(strstr(buf, "BLOCK: 1 check(s)"));
	assert_non_null(strstr(buf, "step 3 online d: block 32 zone"));
	assert_non_null(strstr(buf, "Failing on both kernels (not blocking) (1)"));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mhp_gate_write_json(&g, dir, "v6.1", "series"), 0);
	char *path = mhp_xasprintf("%s/gate.json", dir);
	json_object *o = json_object_from_file(path), *rows = json_object_object_get(o, "rows");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "verdict")), "block");
	json_object *row = json_object_array_get_idx(rows, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(row, "kind")), "regression");
	assert_string_equal(json_object_get_string(json_object_object_get(row, "baseline")), "Movable");
	assert_string_equal(json_object_get_string(json_object_object_get(row, "candidate")), "Normal");
	json_object_put(o);
	unlink(path);
	rmdir(dir);
	free(path), free(buf);
	mhp_gate_release(&g);
	mhp_result_release(&base);
	mhp_result_release(&cand);
}

/* --strict compares past a differing outcome: what was not reached blocks. */
static void test_strict_compares_everything(void **state)
{
	(void)state;
	struct mhp_result base, cand;
	struct mhp_gate g = { .strict = true };

	run_of(&base, (const char *[]){ "@3 outcome=o:refused", "@3 still present=p:present", NULL }, NULL);
	run_of(&cand, (const char *[]){ "@3 outcome=o:removed", "@3 blocks gone=p:none", NULL }, NULL);
	mhp_gate_compare(&g, &base, &cand);
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_REGRESSION), 1);
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_OUTCOME), 0);
	assert_string_equal(g.rows[0].check, "still present");
	assert_string_equal(g.rows[0].candidate, "(not reached)");
	mhp_gate_release(&g);
	mhp_result_release(&base);
	mhp_result_release(&cand);
}

/* A candidate that does not build blocks by itself. */
static void test_build_failure_blocks(void **state)
{
	(void)state;
	struct mhp_gate g = { 0 };

	mhp_gate_build_failed(&g, "make bzImage failed: mm/memory_hotplug.c:1: error");
	assert_int_equal(mhp_gate_count(&g, MHP_GATE_REGRESSION), 1);
	assert_string_equal(g.rows[0].check, "kernel builds");
	mhp_gate_release(&g);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_compare, cases);
	TEST_ONE(&l, test_table_and_json);
	TEST_ONE(&l, test_strict_compares_everything);
	TEST_ONE(&l, test_build_failure_blocks);
	return TEST_RUN("gate", &l);
}
