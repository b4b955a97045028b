/* What the kernel build checks in a .config, and what bisect reads from
 * git's output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "lib/util.h"
#include "kernel/bisect.h"
#include "kernel/build-errors.h"
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

struct build_errors_row {
	const char *name;
	const char *log, *errors; /* NULL: none */
};

/* make -j2's log of a kernel whose memory.c does not compile: the other
 * job went on after the error, so the error is not among the last lines. */
static const char two_jobs[] =
	"  CC      drivers/base/memory.o\n"
	"../drivers/base/memory.c:42:1: error: unknown type name 'mhp_no'\n"
	"   42 | mhp_no x;\n"
	"      | ^~~~~~\n"
	"../drivers/base/memory.c:43:1: warning: not quoted\n"
	"   43 | y;\n"
	"make[4]: *** [../scripts/Makefile.build:250: drivers/base/memory.o] Error 1\n"
	"make[3]: *** Waiting for unfinished jobs....\n"
	"  CC      drivers/base/node.o\n"
	"make[2]: *** [../scripts/Makefile.build:500: drivers/base] Error 2\n";

static const struct build_errors_row build_errors_rows[] = {
	{ "gcc's error with its excerpt, other jobs after it", two_jobs,
	  "../drivers/base/memory.c:42:1: error: unknown type name 'mhp_no'\n   42 | mhp_no x;\n      | ^~~~~~" },
	{ "fatal error and the linker, in order",
	  "a.c:1:10: fatal error: x.h: No such file or directory\nld: mm/a.o: undefined reference to `f'\n",
	  "a.c:1:10: fatal error: x.h: No such file or directory\nld: mm/a.o: undefined reference to `f'" },
	{ "the same line twice is quoted once", "a.c:1:1: error: e\na.c:1:1: error: e\n", "a.c:1:1: error: e" },
	{ "modpost", "ERROR: modpost: \"f\" [m.ko] undefined!", "ERROR: modpost: \"f\" [m.ko] undefined!" },
	{ "warnings and make's own errors are not compiler errors",
	  "a.c:1:1: warning: unused\nmake: *** [Makefile:1] Error 2\n-Werror=x\n", NULL },
	{ "empty", "", NULL },
};

static void test_build_errors(void **state)
{
	const struct build_errors_row *row = *state;
	char *errors = mhp_build_errors(row->log);

	if (row->errors)
		assert_string_equal(errors, row->errors);
	else
		assert_null(errors);
	free(errors);
}

/* The error lines go between the message's first line and the log's tail. */
static void test_build_errors_quote(void **state)
{
	char dir[] = "/tmp/mhp-test-errors-XXXXXX", err[4096];

	(void)state;
	assert_non_null(mkdtemp(dir));
	char *log = mhp_xasprintf("%s/build.log", dir);
	FILE *f = fopen(log, "w");
	assert_non_null(f);
	fputs(two_jobs, f);
	assert_int_equal(fclose(f), 0);
	snprintf(err, sizeof(err), "make bzImage failed (exit status 2):\nmake[2]: *** Error 2\n");
	mhp_build_errors_quote(log, err, sizeof(err));
	assert_string_equal(err, "make bzImage failed (exit status 2):\n../drivers/base/memory.c:42:1: error: unknown "
				 "type name 'mhp_no'\n   42 | mhp_no x;\n      | ^~~~~~\nlast lines of the log:\n"
				 "make[2]: *** Error 2\n");
	assert_int_equal(mhp_remove_tree(dir), 0);
	free(log);
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
	TEST_ROWS(&l, test_build_errors, build_errors_rows);
	TEST_ONE(&l, test_build_errors_quote);
	return TEST_RUN("kernel-build", &l);
}
