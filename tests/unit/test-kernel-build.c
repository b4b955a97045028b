/* What the kernel build checks in a .config, and what bisect reads from
 * git's output. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "kernel/bisect.h"
#include "kernel/kernel-build.h"

struct kconfig_row {
	const char *name;
	const char *fragment, *config, *missing;
};

static const struct kconfig_row kconfig_rows[] = {
	{ "every option there", "CONFIG_A=y\nCONFIG_B=m\n", "CONFIG_B=m\nCONFIG_A=y\n", "" },
	{ "a dropped option is named", "CONFIG_A=y\nCONFIG_NUMA=y\n", "CONFIG_A=y\n# CONFIG_NUMA is not set\n",
	  "CONFIG_NUMA=y\n" },
	{ "y asked, m given", "CONFIG_A=y\n", "CONFIG_A=m\n", "CONFIG_A=y\n" },
	{ "a longer name is not a match", "CONFIG_X=y\n", "CONFIG_XY=y\n", "CONFIG_X=y\n" },
	{ "=n is satisfied by 'is not set'", "CONFIG_A=n\n", "# CONFIG_A is not set\n", "" },
	{ "=n with the option set", "CONFIG_A=n\n", "CONFIG_A=y\n", "CONFIG_A=n\n" },
	{ "'is not set' asked, option set", "# CONFIG_A is not set\n", "CONFIG_A=y\n", "# CONFIG_A is not set\n" },
	{ "comments and blank lines are not options", "# a comment\n\nCONFIG_A=\"x y\"\n", "CONFIG_A=\"x y\"\n", "" },
	{ "no newline at the end", "CONFIG_A=y", "CONFIG_B=y", "CONFIG_A=y\n" },
};

static void test_kconfig_missing(void **state)
{
	const struct kconfig_row *row = *state;
	char *missing = mhp_kconfig_missing(row->fragment, row->config);

	assert_string_equal(missing, row->missing);
	free(missing);
}

struct first_bad_row {
	const char *name;
	const char *output, *commit; /* NULL: none named */
};

static const struct first_bad_row first_bad_rows[] = {
	{ "git names it", "Bisecting: 0 revisions left\nrunning 'mhp' 'bisect-step'\n"
			  "4ba31be443865817261c6e895f5880f19d30f4d7 is the first bad commit\ncommit 4ba31be4\n",
	  "4ba31be443865817261c6e895f5880f19d30f4d7" },
	{ "only skipped commits left", "There are only 'skip'ped commits left to test.\nThe first bad commit could be "
				       "any of:\n4ba31be443865817261c6e895f5880f19d30f4d7\n", NULL },
	{ "a subject that says it is no commit id", "running x\nfix: this is the first bad commit\n", NULL },
	{ "empty", "", NULL },
};

static void test_first_bad(void **state)
{
	const struct first_bad_row *row = *state;
	char commit[41] = "";

	assert_int_equal(mhp_bisect_first_bad(row->output, commit), row->commit != NULL);
	if (row->commit)
		assert_string_equal(commit, row->commit);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_kconfig_missing, kconfig_rows);
	TEST_ROWS(&l, test_first_bad, first_bad_rows);
	return TEST_RUN("kernel-build", &l);
}
