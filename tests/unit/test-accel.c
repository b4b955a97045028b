/* Accelerator choice: the bounded KVM probe and its cache. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "guest/accel.h"
#include "lib/util.h"

static char cache[] = "/tmp/mhp-accel-XXXXXX";

static struct mhp_accel_probe probe_with(const char *qemu)
{
	return (struct mhp_accel_probe){ .qemu = qemu, .kernel = "/nonexistent-kernel", .guest_init = "/bin/true",
					 .cache_dir = cache, .kvm_device = "/dev/null", .timeout_ms = 400 };
}

static void clear_cache(void)
{
	char *p = mhp_xasprintf("%s/accel", cache);

	unlink(p);
	free(p);
}

struct probe_row {
	const char *name, *qemu, *accel, *reason;
};

static const struct probe_row probe_rows[] = {
	{ "hanging KVM boot falls back to TCG", "tests/fixtures/qemu-hangs", "tcg", "KVM probe boot hung, using TCG" },
	{ "failing KVM start falls back to TCG", "tests/fixtures/qemu-fails", "tcg", "KVM probe boot failed, using TCG" },
	{ "working KVM boot picks KVM", "tests/fixtures/qemu-boots", "kvm", "KVM probe boot succeeded" },
};

static void test_probe(void **state)
{
	const struct probe_row *row = *state;
	struct mhp_accel_probe p = probe_with(row->qemu);
	const char *accel = NULL;
	char reason[160];
	uint64_t t0 = mhp_now_ns();

	clear_cache();
	assert_int_equal(mhp_accel_resolve("auto", &p, &accel, reason, sizeof(reason)), 0);
	assert_string_equal(accel, row->accel);
	assert_string_equal(reason, row->reason);
	/* Bounded: the hang costs the probe's deadline, not more. */
	assert_true(mhp_now_ns() - t0 < 5000000000ull);
	/* The verdict is cached for the same QEMU and host kernel. */
	assert_int_equal(mhp_accel_resolve("auto", &p, &accel, reason, sizeof(reason)), 0);
	assert_string_equal(accel, row->accel);
	assert_non_null(strstr(reason, "cached probe verdict"));
}

static void test_cache_keyed_by_qemu(void **state)
{
	(void)state;
	struct mhp_accel_probe hangs = probe_with("tests/fixtures/qemu-hangs");
	struct mhp_accel_probe boots = probe_with("tests/fixtures/qemu-boots");
	const char *accel;
	char reason[160];

	clear_cache();
	assert_int_equal(mhp_accel_resolve("auto", &hangs, &accel, reason, sizeof(reason)), 0);
	assert_string_equal(accel, "tcg");
	/* Another QEMU version: the cached TCG verdict does not apply. */
	assert_int_equal(mhp_accel_resolve("auto", &boots, &accel, reason, sizeof(reason)), 0);
	assert_string_equal(accel, "kvm");
	assert_string_equal(reason, "KVM probe boot succeeded");
}

static void test_no_device_means_tcg(void **state)
{
	(void)state;
	struct mhp_accel_probe p = probe_with("tests/fixtures/qemu-boots");
	const char *accel;
	char reason[160];

	p.kvm_device = "/nonexistent/kvm";
	assert_int_equal(mhp_accel_resolve("auto", &p, &accel, reason, sizeof(reason)), 0);
	assert_string_equal(accel, "tcg");
	assert_string_equal(reason, "/nonexistent/kvm: No such file or directory");
}

static void test_explicit_and_unknown(void **state)
{
	(void)state;
	struct mhp_accel_probe p = probe_with("tests/fixtures/qemu-hangs");
	const char *accel;
	char reason[160];

	assert_int_equal(mhp_accel_resolve("kvm", &p, &accel, reason, sizeof(reason)), 0);
	assert_string_equal(accel, "kvm");
	assert_int_equal(mhp_accel_resolve("tcg", &p, &accel, reason, sizeof(reason)), 0);
	assert_string_equal(accel, "tcg");
	assert_int_equal(mhp_accel_resolve("hvf", &p, &accel, reason, sizeof(reason)), -EINVAL);
}

int main(void)
{
	static struct test_list l;
	int r;

	if (!mkdtemp(cache))
		return 1;
	TEST_ROWS(&l, test_probe, probe_rows);
	TEST_ONE(&l, test_cache_keyed_by_qemu);
	TEST_ONE(&l, test_no_device_means_tcg);
	TEST_ONE(&l, test_explicit_and_unknown);
	r = TEST_RUN("accel", &l);
	clear_cache();
	rmdir(cache);
	return r;
}
