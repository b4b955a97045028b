/* `mhp results merge` without a guest: shard directories as `mhp run
 * --shard` and `mhp gate --shard` leave them (shard.json and run
 * directories with result.json), merged back in topology order; a missing
 * shard's topologies are not run, never dropped; shards of different
 * suites are refused. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "kernel/suite-merge.h"
#include "lib/util.h"
#include "report/report.h"
#include "report/shard-manifest.h"

static char *tmp;
static char *names[] = { "alpha", "beta", "gamma" };

/* A run directory of topology name whose one check passes or not. */
static char *make_run(const char *tag, const char *name, bool pass)
{
	char *dir = mhp_xasprintf("%s/%s-%s", tmp, tag, name);
	struct mhp_result r;

	assert_int_equal(mhp_mkdir_p(dir, 0755), 0);
	mhp_result_init(&r, name);
	mhp_result_phase(&r, "steps");
	mhp_result_step(&r, 1, "online", "dimm0");
	mhp_result_check(&r, "block 40", "zone", "Movable", pass ? "Movable" : "Normal");
	mhp_result_finish(&r);
	assert_int_equal(mhp_result_write_json(&r, dir), 0);
	assert_int_equal(mhp_report_junit(&r, dir), 0);
	mhp_result_release(&r);
	return dir;
}

/* Shard k of 2 of a run over names[]; beta fails. */
static char *make_run_shard(unsigned k, bool finished, char *const *list)
{
	char *dir = mhp_xasprintf("%s/shard-%u", tmp, k);
	json_object *m = mhp_shard_manifest_new("run", k, 2, list, 3);

	assert_int_equal(mhp_mkdir_p(dir, 0755), 0);
	mhp_shard_manifest_label(m, "kernel_version", "6.1.0-test");
	for (unsigned i = k; i < 3; i += 2) {
		char *run = make_run("run", names[i], i != 1);
		mhp_shard_manifest_run(m, i, "dir", run);
		free(run);
	}
	assert_int_equal(mhp_shard_manifest_save(m, dir, finished), 0);
	json_object_put(m);
	return dir;
}

static void begin(void)
{
	tmp = mhp_xstrdup("/tmp/mhp-test-suite-merge-XXXXXX");
	assert_non_null(mkdtemp(tmp));
}

static void end(char **dirs, size_t n)
{
	assert_int_equal(mhp_remove_tree(tmp), 0);
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(tmp);
}

static char *read_out(const char *into, const char *name)
{
	char *path = mhp_xasprintf("%s/%s", into, name), *text = NULL;

	assert_int_equal(mhp_read_file(path, 1 << 20, &text, NULL), 0);
	free(path);
	return text;
}

static void test_run_shards_in_order(void **state)
{
	char *dirs[2], *into, *ktap, *junit;
	struct mhp_suite_merge m;

	(void)state;
	begin();
	dirs[0] = make_run_shard(0, true, names), dirs[1] = make_run_shard(1, true, names);
	into = mhp_xasprintf("%s/merged", tmp);
	assert_int_equal(mhp_suite_merge(dirs, 2, into, &m), 0);
	assert_false(m.gate);
	assert_int_equal(m.passed, 2);
	assert_int_equal(m.failed, 1);
	assert_int_equal(m.nmissing, 0);
	ktap = read_out(into, "results.ktap");
	char *a = strstr(ktap, "\nok 1 alpha\n"), *b = strstr(ktap, "\nnot ok 2 beta\n"), *c = strstr(ktap, "\nok 3 gamma\n");
	assert_true(strncmp(ktap, "KTAP version 1\n1..3\n", 20) == 0);
	assert_true(a && b && c && a < b && b < c);
	junit = read_out(into, "junit.xml");
	assert_non_null(strstr(junit, "<testsuite name=\"alpha\""));
	assert_non_null(strstr(junit, "<testsuite name=\"gamma\""));
	end(dirs, 2);
	free(into), free(ktap), free(junit);
}

/* Shard 1 died: beta is not run, and said so; gamma and alpha are there. */
static void test_missing_shard_not_dropped(void **state)
{
	char *dirs[2], *into, *ktap, *json;
	struct mhp_suite_merge m;

	(void)state;
	begin();
	dirs[0] = make_run_shard(0, true, names), dirs[1] = make_run_shard(1, false, names);
	into = mhp_xasprintf("%s/merged", tmp);
	assert_int_equal(mhp_suite_merge(dirs, 2, into, &m), 0);
	assert_int_equal(m.nmissing, 1);
	assert_int_equal(m.missing[0], 1);
	assert_int_equal(m.not_run, 1);
	ktap = read_out(into, "results.ktap");
	assert_non_null(strstr(ktap, "\nnot ok 2 beta # not run: shard 1/2 missing\n"));
	assert_non_null(strstr(ktap, "\nok 3 gamma\n"));
	json = read_out(into, "merge.json");
	assert_non_null(strstr(json, "\"complete\":false"));
	end(dirs, 2);
	free(into), free(ktap), free(json);
}

/* A gate in 2 shards: beta passes on the baseline and fails on the
 * candidate, and blocks the merged gate as it would the whole one. */
static void test_gate_shards_compared_again(void **state)
{
	char *dirs[2], *into, *txt;
	struct mhp_suite_merge m;

	(void)state;
	begin();
	for (unsigned k = 0; k < 2; k++) {
		json_object *g = mhp_shard_manifest_new("gate", k, 2, names, 3);
		dirs[k] = mhp_xasprintf("%s/gate-%u", tmp, k);
		assert_int_equal(mhp_mkdir_p(dirs[k], 0755), 0);
		mhp_shard_manifest_label(g, "baseline", "v6.1"), mhp_shard_manifest_label(g, "candidate", "series");
		for (unsigned i = k; i < 3; i += 2) {
			char *base = make_run("base", names[i], true), *cand = make_run("cand", names[i], i != 1);
			mhp_shard_manifest_run(g, i, "baseline", base), mhp_shard_manifest_run(g, i, "candidate", cand);
			free(base), free(cand);
		}
		assert_int_equal(mhp_shard_manifest_save(g, dirs[k], true), 0);
		json_object_put(g);
	}
	into = mhp_xasprintf("%s/merged", tmp);
	assert_int_equal(mhp_suite_merge(dirs, 2, into, &m), 0);
	assert_true(m.gate);
	assert_int_equal(m.compared, 3);
	assert_int_equal(m.regressions, 1);
	txt = read_out(into, "gate.txt");
	assert_non_null(strstr(txt, "BLOCK"));
	assert_non_null(strstr(txt, "beta"));
	end(dirs, 2);
	free(into), free(txt);
}

static void test_other_suite_refused(void **state)
{
	char *dirs[2], *into;
	char *other[] = { "alpha", "delta", "gamma" };
	struct mhp_suite_merge m;

	(void)state;
	begin();
	dirs[0] = make_run_shard(0, true, names), dirs[1] = make_run_shard(1, true, other);
	into = mhp_xasprintf("%s/merged", tmp);
	assert_int_equal(mhp_suite_merge(dirs, 2, into, &m), -EINVAL);
	end(dirs, 2);
	free(into);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_run_shards_in_order);
	TEST_ONE(&l, test_missing_shard_not_dropped);
	TEST_ONE(&l, test_gate_shards_compared_again);
	TEST_ONE(&l, test_other_suite_refused);
	return TEST_RUN("suite-merge", &l);
}
