/* What the kernel build checks in a .config, and what bisect reads from
 * git's output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "lib/util.h"
#include "kernel/bisect.h"
#include "kernel/build-progress.h"
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

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Objects counted from kbuild's quiet lines as make writes them (a half
 * written line waits), the link seen, and a complete build's count kept
 * as the next build's estimate. */
static void test_build_progress(void **state)
{
	char dir[] = "/tmp/mhp-test-progress-XXXXXX";
	struct mhp_build_progress p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	char *log = mhp_xasprintf("%s/build.log", dir);
	append(log, "  CC      old/before.o\n");
	mhp_build_progress_start(&p, log, dir);
	assert_int_equal(p.estimate, 0);
	mhp_build_progress_phase(&p, "compile");
	append(log, "  CC      mm/memory_hotplug.o\n  AS      arch/x86/entry/entry_64.o\n  HOSTCC  scripts/x\n  CC      mm/spar");
	mhp_build_progress_tick(&p);
	assert_int_equal(p.objects, 2);
	append(log, "se.o\n  LD      vmlinux\n");
	mhp_build_progress_tick(&p);
	assert_int_equal(p.objects, 3);
	assert_true(p.linking);
	mhp_build_progress_end(&p, true);
	mhp_build_progress_start(&p, log, dir);
	assert_int_equal(p.estimate, 3);
	assert_int_equal(mhp_remove_tree(dir), 0);
	free(log);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_kconfig_missing, kconfig_rows);
	TEST_ROWS(&l, test_first_bad, first_bad_rows);
	TEST_ONE(&l, test_build_progress);
	return TEST_RUN("kernel-build", &l);
}
