/* Fuzz campaigns on a real kernel (the minimal 6.1 mhp builds): a clean
 * kernel gives no failure at all in 150 scenarios; the same seed gives the
 * same corpus; each regression patch of kernel-patches/regressions/ is
 * found within 100 scenarios, under at most three signatures, and
 * minimised to a reproducer of at most 4 steps and 2 DIMMs that `mhp run`
 * fails on with the patch and passes without. */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kernel-repo.h"
#include "model/topology.h"

#define SEED "0x5eed"
#define SCENARIOS "150"
/* A regression must be found well within that: 100 scenarios each. */
#define REGRESSION_SCENARIOS "100"

static char *clean_campaign;


static void campaign(const char *kernel, const char *dir, const char *count, const char *budget, int status)
{
	const char *args[] = { "fuzz", "--kernel", kernel, "--seed", SEED, "--count", count, "-j", "2", "--accel", "tcg",
			       "--campaign", dir, "--minimize-budget", budget, NULL };
	struct run r;

	run_mhp(&r, "fuzz", args);
	expect_status(&r, status);
	run_release(&r);
}

/* A clean kernel: every scenario passes, none is a harness failure either. */
static void test_clean_campaign(void **state)
{
	char *image = built_kernel(NULL);
	glob_t g;

	(void)state;
	clean_campaign = mhp_xasprintf("%s/clean", workdir);
	campaign(image, clean_campaign, SCENARIOS, "0", 0);
	json_object *c = campaign_json(clean_campaign);
	assert_int_equal(jint(c, "scenarios_run"), 150);
	assert_int_equal(jint(c, "passed"), 150);
	assert_int_equal(jint(c, "kernel_failures"), 0);
	assert_int_equal(jint(c, "harness_failures"), 0);
	char *pattern = mhp_xasprintf("%s/corpus/*.json", clean_campaign);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 150);
	globfree(&g);
	json_object_put(c);
	free(pattern), free(image);
}

/* The same seed again: the same scenarios, byte for byte. */
static void test_same_seed_same_corpus(void **state)
{
	char *image = built_kernel(NULL), *again = mhp_xasprintf("%s/again", workdir);

	(void)state;
	assert_non_null(clean_campaign);
	campaign(image, again, "12", "0", 0);
	for (int i = 0; i < 12; i++) {
		char *a = mhp_xasprintf("%s/corpus/%06d.json", clean_campaign, i);
		char *b = mhp_xasprintf("%s/corpus/%06d.json", again, i);
		char *ta = slurp(a), *tb = slurp(b);

		assert_string_equal(ta, tb);
		free(a), free(b), free(ta), free(tb);
	}
	free(image), free(again);
}

struct regression {
	const char *name;
	const char *patch;
};

static const struct regression regressions[] = {
	{ "campaign finds: plain online ignores movable_node", "kernel-patches/regressions/movable-node-ignored.patch" },
	{ "campaign finds: valid_zones in a fixed order", "kernel-patches/regressions/valid-zones-fixed-order.patch" },
	{ "campaign finds: firmware memmap entry left on hot-remove",
	  "kernel-patches/regressions/firmware-memmap-left-behind.patch" },
	{ "campaign finds: a zone's end shrunk over offline blocks", "kernel-patches/regressions/zone-end-shrink-offline.patch" },
	{ "campaign finds: a CPU-less node offlined while a DIMM is on it",
	  "kernel-patches/regressions/cpuless-node-offlined-early.patch" },
};

/* A kept reproducer: small, and `mhp run` fails on it with the patch and
 * passes without. */
static void check_repro(const char *repro, const char *bad, const char *good)
{
	struct mhp_topology t;
	char err[512];
	struct run r1, r2;

	if (mhp_topology_load(&t, repro, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	if (t.nr_steps > 4 || t.nr_dimms > 2)
		fail_msg("%s has %u steps and %u DIMMs", repro, t.nr_steps, t.nr_dimms);
	assert_non_null(strstr(t.description, "reproduced"));
	mhp_topology_release(&t);
	const char *on_bad[] = { "run", "--accel", "tcg", "--kernel", bad, repro, NULL };
	const char *on_good[] = { "run", "--accel", "tcg", "--kernel", good, repro, NULL };
	run_mhp(&r1, "repro-bad", on_bad);
	expect_status(&r1, 1);
	run_mhp(&r2, "repro-good", on_good);
	expect_status(&r2, 0);
	run_release(&r1), run_release(&r2);
}

static void test_regression_found(void **state)
{
	const struct regression *row = *state;
	char *patch = realpath(row->patch, NULL), *image = built_kernel(patch), *good = built_kernel(NULL);
	char *dir = mhp_xasprintf("%s/campaign-%p", workdir, (const void *)row);
	size_t repros = 0;

	campaign(image, dir, REGRESSION_SCENARIOS, "40", 1);
	json_object *c = campaign_json(dir), *sigs = json_object_object_get(c, "signatures");
	assert_true(jint(c, "kernel_failures") >= 1);
	assert_int_equal(jint(c, "harness_failures"), 0);
	size_t n = json_object_array_length(sigs);
	if (n < 1 || n > 3)
		fail_msg("%zu signatures for %s (want 1 to 3)", n, row->patch);
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(sigs, i);
		const char *repro = jstr(s, "repro");
		if (!repro)
			continue;
		char *path = mhp_xasprintf("%s/%s", dir, repro);
		check_repro(path, image, good);
		repros++;
		free(path);
	}
	if (!repros)
		fail_msg("no signature of %s has a kept repro.json", row->patch);
	json_object_put(c);
	free(patch), free(image), free(good), free(dir);
}

int main(void)
{
	static struct test_list l;

	itest_setup();
	TEST_ONE(&l, test_clean_campaign);
	TEST_ONE(&l, test_same_seed_same_corpus);
	TEST_ROWS(&l, test_regression_found, regressions);
	return kernel_tests_end(itest_run("campaigns", &l));
}
