/* Calibrated deadlines: the first cold boot of a kernel is the measure,
 * the user's deadline wins, the defaults are the floor. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/process.h"
#include "run/deadlines.h"

static char tmp[] = "/tmp/mhp-deadlines-XXXXXX";
static char kernel[64];

struct derive_row {
	const char *name;
	unsigned boot_ms, factor, floor_ms, want;
};

static const struct derive_row derive_rows[] = {
	{ "derive: a fast boot keeps the floor", 3000, 20, 180000, 180000 },
	{ "derive: a slow boot lifts it", 12000, 20, 180000, 240000 },
	{ "derive: nothing measured: the floor", 0, 10, 60000, 60000 },
	{ "derive: no overflow", 3600000, 2000, 1000, 4294967295u },
};

static void test_derive(void **state)
{
	const struct derive_row *row = *state;

	assert_int_equal(mhp_deadline_derive(row->boot_ms, row->factor, row->floor_ms), row->want);
}

static void test_calibration(void **state)
{
	(void)state;
	const struct mhp_deadline_key k = { kernel, "true", "tcg" };
	struct mhp_deadlines d;

	/* Nothing measured: the defaults, said so. */
	mhp_deadlines_get(&k, 0, 0, 180000, 60000, &d);
	assert_int_equal(d.boot_ms, 180000);
	assert_int_equal(d.step_ms, 60000);
	assert_string_equal(d.why, "boot 180 s, step 60 s: defaults (no boot of this kernel measured here yet)");
	/* The first boot is the measure; a later one does not replace it. */
	mhp_deadlines_record(&k, 12500ull * 1000000);
	mhp_deadlines_record(&k, 1000ull * 1000000);
	mhp_deadlines_get(&k, 0, 0, 180000, 60000, &d);
	assert_int_equal(d.boot_ms, 250000);
	assert_int_equal(d.step_ms, 125000);
	assert_string_equal(d.why, "boot 250 s, step 125 s: this kernel booted in 12.5 s here (x20 and x10, "
				   "at least 180 s and 60 s)");
	/* The user's deadline wins. */
	mhp_deadlines_get(&k, 0, 5000, 180000, 60000, &d);
	assert_int_equal(d.boot_ms, 250000);
	assert_int_equal(d.step_ms, 5000);
	assert_non_null(strstr(d.why, "step 5 s (given)"));
	/* Another kernel file (a rebuilt one: new mtime) is measured anew. */
	FILE *f = fopen(kernel, "a");
	assert_non_null(f);
	assert_true(fputs("rebuilt", f) >= 0);
	assert_int_equal(fclose(f), 0);
	mhp_deadlines_get(&k, 0, 0, 180000, 60000, &d);
	assert_int_equal(d.boot_ms, 180000);
}

int main(void)
{
	static struct test_list l;

	assert_non_null(mkdtemp(tmp));
	setenv("XDG_CACHE_HOME", tmp, 1);
	snprintf(kernel, sizeof(kernel), "%s/bzImage", tmp);
	FILE *f = fopen(kernel, "w");
	if (!f || fputs("not really a kernel", f) < 0 || fclose(f) != 0)
		return 2;
	TEST_ROWS(&l, test_derive, derive_rows);
	TEST_ONE(&l, test_calibration);
	int r = TEST_RUN("deadlines", &l);
	char *argv[] = { "rm", "-rf", tmp, NULL };
	mhp_run_capture(argv, mhp_deadline_in_ms(10000), 0, NULL);
	return r;
}
