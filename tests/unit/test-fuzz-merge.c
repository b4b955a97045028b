/* Sharded campaigns without a guest: the shards of a campaign split its
 * scenarios exactly; `mhp fuzz merge` folds their crash databases as one
 * campaign would have filed them, names a missing shard by its index,
 * refuses directories of different campaigns, and can run again; a shard's
 * directory is claimed only when new or an unfinished run of itself. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "fuzz/campaign-file.h"
#include "fuzz/campaign.h"
#include "fuzz/crashdb.h"
#include "fuzz/merge.h"
#include "lib/util.h"

#define SEED 0x5eedull
#define COUNT 9
#define SHARDS 3

/* ---- the split ---- */

/* Every scenario of [first, first + count) in exactly one shard. */
static void test_shards_split_exactly(void **state)
{
	(void)state;
	for (uint64_t count = 1; count <= 40; count++)
		for (unsigned n = 1; n <= 7; n++) {
			unsigned seen[50] = { 0 };

			for (unsigned k = 0; k < n; k++) {
				struct mhp_campaign_opts o = { .first = 3, .count = count, .shard = k, .shards = n };
				uint64_t p = 0, got;

				/* In batches of 2, as a campaign takes them. */
				while ((got = mhp_campaign_shard_left(&o, p, 2)) > 0)
					for (uint64_t end = p + got; p < end; p++) {
						uint64_t i = mhp_campaign_scenario(&o, p);
						assert_true(i >= 3 && i < 3 + count);
						seen[i - 3]++;
					}
			}
			for (uint64_t i = 0; i < count; i++)
				if (seen[i] != 1)
					fail_msg("count %lu, %u shards: scenario %lu run %u times", (unsigned long)count, n,
						 (unsigned long)i + 3, seen[i]);
		}
}

/* ---- shard directories as `mhp fuzz --shard` leaves them ---- */

static char *tmp;

static void put(const char *path, const char *text)
{
	assert_int_equal(mhp_write_file_atomic(path, text, strlen(text)), 0);
}

static char *slurp(const char *path)
{
	char *text = NULL;

	if (mhp_read_file(path, 1 << 20, &text, NULL) < 0)
		fail_msg("cannot read %s", path);
	return text;
}

struct occurrence {
	const char *sig;
	uint64_t scenario;
};

/* Shard k of the campaign: its corpus, the given crashes, a repro.json
 * copied from topologies/REPRO for signature A when repro is set. */
static char *make_shard(unsigned k, bool finished, const struct occurrence *occ, size_t nocc, const char *repro)
{
	char *dir = mhp_xasprintf("%s/shard-%u", tmp, k), *run = mhp_xasprintf("%s/run", tmp);
	struct mhp_suite su = { .opts = { .kernel = "bzImage", .accel = "tcg" } };
	struct mhp_campaign_opts o = { .seed = SEED, .count = COUNT, .shard = k, .shards = SHARDS, .dir = dir };
	struct mhp_campaign_stats st = { .run = 3, .finished = finished, .start_ns = mhp_now_ns() };

	snprintf(su.kernel_version, sizeof(su.kernel_version), "6.1.0-test");
	char *corpus = mhp_xasprintf("%s/corpus", dir), *crashes = mhp_xasprintf("%s/crashes", dir);
	assert_int_equal(mhp_mkdir_p(run, 0755), 0);
	assert_int_equal(mhp_mkdir_p(corpus, 0755), 0);
	for (uint64_t p = 0; p < 3; p++) {
		char *path = mhp_xasprintf("%s/%06lu.json", corpus, (unsigned long)mhp_campaign_scenario(&o, p));
		char *text = mhp_xasprintf("{\"scenario\": %lu}\n", (unsigned long)mhp_campaign_scenario(&o, p));
		put(path, text);
		free(path), free(text);
	}
	for (size_t i = 0; i < nocc; i++) {
		char *text = mhp_xasprintf("{\"scenario\": %lu}\n", (unsigned long)occ[i].scenario);
		char *console = mhp_xasprintf("%s/console.log", run), *log = mhp_xasprintf("scenario %lu\n",
											 (unsigned long)occ[i].scenario);
		struct mhp_crash c = { occ[i].sig, MHP_SIG_ORACLE, run, text, occ[i].scenario };
		bool is_new;
		unsigned count;

		put(console, log);
		assert_int_equal(mhp_crash_add(crashes, &c, &is_new, &count), 0);
		st.kernel_failures++;
		free(text), free(console), free(log);
	}
	st.passed = st.run - st.kernel_failures;
	if (repro) {
		char hash[17];
		mhp_crash_hash("A", hash);
		char *to = mhp_xasprintf("%s/crashes/%s/repro.json", dir, hash), *from = mhp_xasprintf("topologies/%s", repro);
		char *rel = mhp_xasprintf("%s/crashes/%s/reliability", dir, hash);
		assert_int_equal(mhp_copy_file(from, to, 1 << 20), 0);
		put(rel, k == 1 ? "4/5\n" : "5/5\n");
		free(to), free(from), free(rel);
	}
	assert_int_equal(mhp_campaign_write_json(&o, &su, &st), 0);
	free(run), free(corpus), free(crashes);
	return dir;
}

/* Signature A in all but shard 2, first in scenario 1 (shard 1), whose
 * repro is the smaller; B once, in shard 1. */
static const struct occurrence occ0[] = { { "A", 3 }, { "A", 6 } };
static const struct occurrence occ1[] = { { "A", 1 }, { "B", 7 } };

static void make_campaign(char *dirs[SHARDS], bool shard1_finished)
{
	tmp = mhp_xstrdup("/tmp/mhp-test-merge-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	dirs[0] = make_shard(0, true, occ0, 2, "dimm-never-onlined.json");   /* 4 steps */
	dirs[1] = make_shard(1, shard1_finished, occ1, 2, "auto-online-movable.json"); /* 2 steps */
	dirs[2] = make_shard(2, true, NULL, 0, NULL);
}

static void end_campaign(char *dirs[SHARDS])
{
	assert_int_equal(mhp_remove_tree(tmp), 0);
	for (int k = 0; k < SHARDS; k++)
		free(dirs[k]);
	free(tmp);
}

static char *crash_file(const char *dir, const char *sig, const char *name)
{
	char hash[17];

	mhp_crash_hash(sig, hash);
	char *path = mhp_xasprintf("%s/crashes/%s/%s", dir, hash, name), *text = slurp(path);
	free(path);
	return text;
}

static void expect_crash_file(const char *dir, const char *sig, const char *name, const char *want)
{
	char *got = crash_file(dir, sig, name);

	if (strcmp(got, want))
		fail_msg("%s of %s: '%s', want '%s'", name, sig, got, want);
	free(got);
}

static void test_merge_folds_signatures(void **state)
{
	char *dirs[SHARDS], *into, *want_repro;
	struct mhp_merge_result m;

	(void)state;
	make_campaign(dirs, true);
	into = mhp_xasprintf("%s/merged", tmp);
	assert_int_equal(mhp_fuzz_merge(dirs, SHARDS, into, &m), 0);
	assert_int_equal(m.shards, 3);
	assert_int_equal(m.merged, 3);
	assert_int_equal(m.nmissing, 0);
	assert_int_equal(m.run, 9);
	assert_int_equal(m.kernel_failures, 4);
	for (int i = 0; i < COUNT; i++) {
		char *path = mhp_xasprintf("%s/corpus/%06d.json", into, i);
		assert_int_equal(access(path, F_OK), 0);
		free(path);
	}
	expect_crash_file(into, "A", "count", "3\n");
	expect_crash_file(into, "A", "first-scenario", "1\n");
	expect_crash_file(into, "A", "first.json", "{\"scenario\": 1}\n");
	expect_crash_file(into, "A", "log0/console.log", "scenario 1\n"); /* scenario order */
	expect_crash_file(into, "A", "log1/console.log", "scenario 3\n");
	expect_crash_file(into, "A", "log2/console.log", "scenario 6\n");
	expect_crash_file(into, "A", "reliability", "4/5\n"); /* with the smaller repro */
	expect_crash_file(into, "B", "count", "1\n");
	want_repro = slurp("topologies/auto-online-movable.json");
	char *repro = crash_file(into, "A", "repro.json");
	assert_string_equal(repro, want_repro);
	struct mhp_campaign_head h;
	char err[512];
	assert_int_equal(mhp_campaign_read(into, &h, err, sizeof(err)), 0);
	assert_true(h.merged);
	assert_int_equal(h.kernel_failures, 4);
	assert_int_equal(h.passed, 5);
	end_campaign(dirs);
	free(into), free(want_repro), free(repro);
}

/* Shard 1 died: the merge names it; its rerun completes the merge, which
 * replaces the earlier one. */
static void test_merge_names_missing_shard(void **state)
{
	char *dirs[SHARDS], *into;
	json_object *json;
	struct mhp_merge_result m;
	struct mhp_campaign_opts rerun = { .seed = SEED, .count = COUNT, .shard = 1, .shards = SHARDS };

	(void)state;
	make_campaign(dirs, false);
	into = mhp_xasprintf("%s/merged", tmp);
	assert_int_equal(mhp_fuzz_merge(dirs, SHARDS, into, &m), 0);
	assert_int_equal(m.merged, 2);
	assert_int_equal(m.nmissing, 1);
	assert_int_equal(m.missing[0], 1);
	char *path = mhp_xasprintf("%s/campaign.json", into), *shard_json = mhp_xasprintf("%s/campaign.json", dirs[1]);
	json = json_object_from_file(path);
	json_object *missing = json_object_object_get(json, "missing_shards");
	assert_int_equal(json_object_array_length(missing), 1);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(missing, 0)), 1);
	assert_false(json_object_get_boolean(json_object_object_get(json, "complete")));
	json_object_put(json);
	/* The rerun starts over in the dead shard's directory. */
	rerun.dir = dirs[1];
	assert_int_equal(mhp_campaign_claim_dir(&rerun), 0);
	assert_int_equal(access(shard_json, F_OK), -1);
	free(make_shard(1, true, occ1, 2, "auto-online-movable.json"));
	assert_int_equal(mhp_fuzz_merge(dirs, SHARDS, into, &m), 0);
	assert_int_equal(m.nmissing, 0);
	assert_int_equal(m.run, 9);
	expect_crash_file(into, "A", "count", "3\n");
	end_campaign(dirs);
	free(into), free(path), free(shard_json);
}

/* ---- what merge and a shard's start refuse ---- */

struct refusal {
	const char *name;
	int what; /* 0 another seed, 1 a shard twice, 2 into a shard, 3 into something else */
};

static const struct refusal refusals[] = {
	{ "shards of another campaign (seed)", 0 },
	{ "one shard given twice", 1 },
	{ "--into one of the shards", 2 },
	{ "--into a directory that is no merge", 3 },
};

static void test_merge_refuses(void **state)
{
	const struct refusal *row = *state;
	char *dirs[SHARDS + 1], *into;
	struct mhp_merge_result m;
	size_t n = SHARDS;

	make_campaign(dirs, true);
	into = mhp_xasprintf("%s/merged", tmp);
	if (row->what == 0) {
		struct mhp_suite su = { .opts = { .kernel = "bzImage", .accel = "tcg" } };
		struct mhp_campaign_opts o = { .seed = SEED + 1, .count = COUNT, .shard = 2, .shards = SHARDS,
					       .dir = dirs[2] };
		struct mhp_campaign_stats st = { .finished = true };
		snprintf(su.kernel_version, sizeof(su.kernel_version), "6.1.0-test");
		assert_int_equal(mhp_campaign_write_json(&o, &su, &st), 0);
	} else if (row->what == 1) {
		dirs[SHARDS] = dirs[0], n++;
	} else if (row->what == 2) {
		free(into), into = mhp_xstrdup(dirs[1]);
	} else {
		char *other = mhp_xasprintf("%s/notes.txt", into);
		assert_int_equal(mhp_mkdir_p(into, 0755), 0);
		put(other, "mine\n");
		free(other);
	}
	assert_int_equal(mhp_fuzz_merge(dirs, n, into, &m), -EINVAL);
	/* Nothing half-made is left beside into. */
	char *pattern = mhp_xasprintf("%s.merging.%ld", into, (long)getpid());
	assert_int_equal(access(pattern, F_OK), -1);
	end_campaign(dirs);
	free(into), free(pattern);
}

static void test_claim_dir(void **state)
{
	char *dirs[SHARDS], *fresh, *stray;
	struct mhp_campaign_opts o = { .seed = SEED, .count = COUNT, .shard = 0, .shards = SHARDS };

	(void)state;
	make_campaign(dirs, false);
	fresh = mhp_xasprintf("%s/fresh", tmp), stray = mhp_xasprintf("%s/stray", tmp);
	o.dir = fresh; /* new */
	assert_int_equal(mhp_campaign_claim_dir(&o), 0);
	o.dir = dirs[0]; /* finished */
	assert_int_equal(mhp_campaign_claim_dir(&o), -EEXIST);
	o.dir = dirs[1]; /* an unfinished run of shard 1, not of shard 0 */
	assert_int_equal(mhp_campaign_claim_dir(&o), -EEXIST);
	assert_int_equal(mhp_mkdir_p(stray, 0755), 0);
	char *file = mhp_xasprintf("%s/x", stray);
	put(file, "x\n");
	o.dir = stray; /* files, no campaign.json */
	assert_int_equal(mhp_campaign_claim_dir(&o), -EEXIST);
	end_campaign(dirs);
	free(fresh), free(stray), free(file);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_shards_split_exactly);
	TEST_ONE(&l, test_merge_folds_signatures);
	TEST_ONE(&l, test_merge_names_missing_shard);
	TEST_ROWS(&l, test_merge_refuses, refusals);
	TEST_ONE(&l, test_claim_dir);
	return TEST_RUN("fuzz-merge", &l);
}
