/* KTAP and JUnit output of a result, and the KTAP checker they are held to. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "../ktap-check.h"
#include "lib/process.h"
#include "report/report.h"

static void sample(struct mhp_result *r, bool fail, bool error)
{
	mhp_result_init(r, "topo");
	mhp_result_phase(r, "boot");
	mhp_result_check(r, NULL, "boot: block 0 node and zone", "0 none", "0 none");
	mhp_result_skip(r, NULL, "step 3 offline d: block 32 offline", "not scored: kernel zone; it did");
	mhp_result_check(r, NULL, "step 2 online d: block 32 zone #1", "Movable", fail ? "Normal" : "Movable");
	mhp_result_check(r, NULL, "kernel health: console", "no splat",
			 fail ? "[ 1.0] WARNING: CPU: 1 at x.c:1\n[ 1.0] Call Trace:\n[ 1.0] ---[ end trace ]---" : "no splat");
	if (error)
		mhp_result_error(r, "QEMU exited (killed by signal 9) while waiting for the guest's report");
	mhp_result_finish(r);
}

static char *ktap_of(const struct mhp_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fputs("KTAP version 1\n1..1\n", f);
	mhp_report_ktap(f, r, 1, "/results/x");
	fclose(f);
	return buf;
}

struct ktap_row {
	const char *name;
	bool fail, error;
	const char *top; /* the top-level result line */
};

static const struct ktap_row ktap_rows[] = {
	{ "all passed", false, false, "\nok 1 topo\n" },
	{ "a failed check with a multi-line splat", true, false, "\nnot ok 1 topo\n" },
	{ "an aborted run", false, true, "\nnot ok 1 topo\n" },
};

static void test_ktap(void **state)
{
	const struct ktap_row *row = *state;
	struct mhp_result r;

	sample(&r, row->fail, row->error);
	char *out = ktap_of(&r);
	const char *why = ktap_check(out);
	if (why)
		fail_msg("%s in:\n%s", why, out);
	assert_non_null(strstr(out, row->top));
	assert_non_null(strstr(out, "    ok 2 step 3 offline d: block 32 offline # SKIP not scored: kernel zone; it did\n"));
	/* '#' in a name would start a directive. */
	assert_non_null(strstr(out, "block 32 zone _1\n"));
	if (row->fail)
		assert_non_null(strstr(out, "    # observed: [ 1.0] WARNING: CPU: 1 at x.c:1\n    #   [ 1.0] Call Trace:\n"));
	if (row->error)
		assert_non_null(strstr(out, "    not ok 5 run completed\n    # failed in phase 'boot': QEMU exited"));
	free(out);
	mhp_result_release(&r);
}

/* mhp run -j N prints KTAP from each run's result.json read back: it must
 * be what the run itself would have printed. */
static void test_ktap_read_back(void **state)
{
	const struct ktap_row *row = *state;
	char dir[] = "/tmp/mhp-readback-XXXXXX", err[256];
	struct mhp_result r, back;

	assert_non_null(mkdtemp(dir));
	sample(&r, row->fail, row->error);
	r.boot = mhp_xstrdup("restored from boot snapshot 0123456789abcdef (made by t)");
	r.interrupted = row->error;
	assert_int_equal(mhp_result_write_json(&r, dir), 0);
	char *path = mhp_xasprintf("%s/result.json", dir);
	assert_int_equal(mhp_result_read_json(&back, path, err, sizeof(err)), 0);
	char *want = ktap_of(&r), *got = ktap_of(&back);
	assert_string_equal(got, want);
	assert_string_equal(back.boot, r.boot);
	assert_int_equal(mhp_result_verdict(&back), mhp_result_verdict(&r));
	unlink(path);
	rmdir(dir);
	free(path), free(want), free(got);
	mhp_result_release(&r);
	mhp_result_release(&back);
}

struct bad_row {
	const char *name, *text;
};

static const struct bad_row bad_rows[] = {
	{ "no version line", "1..1\nok 1 a\n" },
	{ "numbers out of order", "KTAP version 1\n1..2\nok 2 a\nok 1 b\n" },
	{ "fewer results than the plan", "KTAP version 1\n1..2\nok 1 a\n" },
	{ "subtest short of its plan", "KTAP version 1\n1..1\n    KTAP version 1\n    1..2\n    ok 1 x\nok 1 a\n" },
	{ "unknown directive", "KTAP version 1\n1..1\nok 1 a # MAYBE\n" },
	{ "stray text", "KTAP version 1\n1..1\nhello\nok 1 a\n" },
	{ "odd indentation", "KTAP version 1\n1..1\n  ok 1 a\n" },
};

static void test_checker_rejects(void **state)
{
	const struct bad_row *row = *state;

	assert_non_null(ktap_check(row->text));
}

static void test_junit(void **state)
{
	(void)state;
	char dir[] = "/tmp/mhp-junit-XXXXXX", *text = NULL;
	struct mhp_result r;

	assert_non_null(mkdtemp(dir));
	sample(&r, true, true);
	assert_int_equal(mhp_report_junit(&r, dir), 0);
	char *path = mhp_xasprintf("%s/junit.xml", dir);
	assert_int_equal(mhp_read_file(path, 1 << 20, &text, NULL), 0);
	assert_non_null(strstr(text, "<testsuite name=\"topo\" tests=\"5\" failures=\"2\" errors=\"1\" skipped=\"1\""));
	assert_non_null(strstr(text, "<failure message=\"expected 'Movable', observed 'Normal'\">Normal</failure>"));
	assert_non_null(strstr(text, "<skipped message=\"not scored: kernel zone; it did\"/>"));
	assert_non_null(strstr(text, "<error message=\"failed in phase 'boot'\">QEMU exited"));
	/* Well-formed XML, by xmllint (libxml2-utils, from ci/install-deps). */
	char *argv[] = { "xmllint", "--noout", path, NULL };
	char *out = NULL;
	assert_int_equal(mhp_run_capture(argv, mhp_deadline_in_ms(10000), 4096, &out), 0);
	free(out);
	unlink(path);
	rmdir(dir);
	free(path);
	free(text);
	mhp_result_release(&r);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_ktap, ktap_rows);
	TEST_ROWS(&l, test_ktap_read_back, ktap_rows);
	TEST_ROWS(&l, test_checker_rejects, bad_rows);
	TEST_ONE(&l, test_junit);
	return TEST_RUN("report", &l);
}
