/* SIGINT ends mhp within 1 s in every phase of its work: a QEMU boot, a
 * wait on QMP, a wait on the guest, iasl, the DSDT capture boot, a kernel
 * build, a gate and a bisect step.  Each row starts mhp, waits until it is inside that
 * phase (its child process is there, or its log says so), sends SIGINT,
 * and measures the time until mhp exited: 130, within 1 s, no child left.
 * A QEMU that ignores SIGTERM is killed in time.
 * Waits use ppoll with the signals blocked around the flag's check, so a
 * signal that lands just before a wait is not lost in it. */
#include <sys/stat.h>

#include "itest.h"
#include "kernel-repo.h"
#include "guest/kernel-image.h"

#define LIMIT_MS 1000.0

/* Debian's 6.1 for the run phases; the gate takes the minimal kernels
 * (built by test-kernels before this runs in make check). */
static char *kernel;

static char *fake_qemu(void)
{
	char *dir = mhp_xstrdup(mhp_bin), *fake;

	*strrchr(dir, '/') = '\0';
	fake = mhp_xasprintf("%s/fake-qemu", dir);
	free(dir);
	return fake;
}

static void wait_for_log(struct run *r, const char *file, const char *text)
{
	char *path = mhp_xasprintf("%s/latest/%s", r->results, file);

	for (int i = 0; i < 30000; i++) {
		char *log = slurp(path);
		bool there = strstr(log, text) != NULL;
		free(log);
		if (there) {
			free(path);
			return;
		}
		usleep(1000);
	}
	fail_msg("%s never showed '%s'", path, text);
}

/* Each phase: start mhp into r and return once it is in the phase; the
 * needle that its children's command lines hold (none may be left). */
typedef char *(*phase_fn)(struct run *r, const char *tag);

static char *phase_boot(struct run *r, const char *tag)
{
	const char *args[] = { "run", "--accel", "tcg", "--no-snapshot", "--kernel", kernel,
			       "topologies/dimm-node1-movable.json", NULL };

	run_start(r, tag, args);
	wait_for_process("qemu-system", r->results, 30);
	usleep(300000); /* inside the kernel's boot */
	return mhp_xasprintf("%s/", r->results);
}

static char *phase_qmp(struct run *r, const char *tag)
{
	char *fake = fake_qemu();
	const char *args[] = { "run", "--accel", "tcg", "--no-snapshot", "--qemu", fake,
			       "topologies/dimm-node1-movable.json", NULL };

	setenv("FAKE_QEMU_FAULT", "qmp-silent", 1);
	run_start(r, tag, args);
	unsetenv("FAKE_QEMU_FAULT");
	wait_for_log(r, "qmp.log", "qmp_capabilities"); /* asked, never answered */
	free(fake);
	return mhp_xstrdup("fake-qemu");
}

/* QEMU busy in a command acts on SIGTERM only when the command ends (seen
 * in CI: 3 s after SIGINT in a device_add); mhp does not wait for it. */
static char *phase_qemu_stuck(struct run *r, const char *tag)
{
	setenv("FAKE_QEMU_IGNORE_TERM", "1", 1);
	char *needle = phase_qmp(r, tag);
	unsetenv("FAKE_QEMU_IGNORE_TERM");
	return needle;
}

static char *phase_guest(struct run *r, const char *tag)
{
	const char *args[] = { "run", "--accel", "tcg", "--kernel", kernel, "tests/topologies/plug-cycles.json", NULL };

	run_start(r, tag, args);
	wait_for_log(r, "qmp.log", "\"device_add\""); /* then mhp waits for the guest's uevents */
	return mhp_xasprintf("%s/", r->results);
}

static char *phase_iasl(struct run *r, const char *tag)
{
	const char *args[] = { "run", "--accel", "tcg", "--kernel", kernel, "topologies/srat-hotpluggable-boot.json", NULL };
	char *bin = mhp_xasprintf("%s/bin-iasl", workdir), *cwd = getcwd(NULL, 0);
	char *fake = mhp_xasprintf("%s/tests/fixtures/iasl-hangs", cwd), *iasl = mhp_xasprintf("%s/iasl", bin);
	char *qemu = mhp_xasprintf("%s/qemu-system-x86_64", bin), *started = mhp_xasprintf("%s/iasl-started", workdir);
	char *path = mhp_xstrdup(getenv("PATH")), *with = mhp_xasprintf("%s:%s", bin, path);
	struct stat st;

	assert_int_equal(mkdir(bin, 0755), 0);
	assert_int_equal(symlink(fake, iasl), 0);
	assert_int_equal(symlink("/usr/bin/qemu-system-x86_64", qemu), 0);
	setenv("MHP_TEST_IASL_STARTED", started, 1);
	setenv("PATH", with, 1);
	run_start(r, tag, args);
	setenv("PATH", path, 1);
	unsetenv("MHP_TEST_IASL_STARTED");
	for (int i = 0; i < 30000 && stat(started, &st) < 0; i++)
		usleep(1000);
	assert_int_equal(stat(started, &st), 0);
	free(bin), free(cwd), free(fake), free(iasl), free(qemu), free(started), free(path), free(with);
	return mhp_xstrdup("iasl-hangs");
}

/* A fresh cache: the pxm topology's DSDT is captured by a boot of its own. */
static char *phase_capture(struct run *r, const char *tag)
{
	const char *args[] = { "run", "--accel", "tcg", "--kernel", kernel, "topologies/pxm-from-regenerated-dsdt.json",
			       NULL };
	char *cache = mhp_xasprintf("%s/capture-cache", workdir);

	setenv("XDG_CACHE_HOME", cache, 1);
	run_start(r, tag, args);
	itest_default_cache();
	wait_for_process(r->results, "/acpi/capture/", 30);
	usleep(300000);
	free(cache);
	return mhp_xasprintf("%s/", r->results);
}

/* A kernel that is not in the cache: mhp is in make when the signal comes. */
static char *phase_kernel_build(struct run *r, const char *tag)
{
	char *cache = cache_dir(), *patch = realpath("tests/fixtures/interrupted-build.patch", NULL);
	const char *args[] = { "kernel", "build", "--src", kernel_repo(), "--rev", "mhp-base", "--cache", cache,
			       "--patch", patch, NULL };

	run_start(r, tag, args);
	wait_for_process("make", cache, 600); /* after the work tree is made */
	usleep(500000);
	free(patch);
	return cache;
}

static char *phase_gate(struct run *r, const char *tag)
{
	char *patch = realpath("kernel-patches/regressions/movable-node-ignored.patch", NULL);
	char *bad = built_kernel(patch), *good = built_kernel(NULL), *results = mhp_xasprintf("%s/%s", workdir, tag);
	const char *args[] = { "gate", "--baseline", good, "--candidate", bad, "--results", results, "--accel", "tcg",
			       "topologies/dimm-node1-movable.json", NULL };

	run_start(r, tag, args);
	wait_for_process("qemu-system", results, 60);
	usleep(300000);
	free(patch), free(bad), free(good);
	return mhp_xasprintf("%s/", results);
}

/* Two commits on mhp-base: the step that tests the first builds a kernel
 * that no cache holds, and is in make when the signal comes. */
static char *phase_bisect(struct run *r, const char *tag)
{
	const char *repo = kernel_repo();
	char *cache = cache_dir(), *patch = realpath("tests/fixtures/interrupted-build.patch", NULL);
	char *results = mhp_xasprintf("%s/%s", workdir, tag);
	const char *args[] = { "bisect", "--src", repo, "--good", "mhp-base", "--bad", "interrupt-bad", "--topology",
			       "topologies/dimm-node1-movable.json", "--cache", cache, "--results", results, "--accel",
			       "tcg", NULL };

	git(repo, (const char *[]){ "checkout", "-q", "-b", "interrupt-bad", "mhp-base", NULL });
	git(repo, (const char *[]){ "apply", "--index", patch, NULL });
	git(repo, (const char *[]){ "commit", "-q", "-m", "a comment no cached kernel has", NULL });
	git(repo, (const char *[]){ "commit", "-q", "--allow-empty", "-m", "an empty commit after it", NULL });
	git(repo, (const char *[]){ "checkout", "-q", "mhp-base", NULL });
	run_start(r, tag, args);
	wait_for_process("make", cache, 600); /* the step's kernel build */
	usleep(500000);
	free(patch), free(results);
	return cache;
}

struct phase_row {
	const char *name;
	phase_fn start;
};

static const struct phase_row phase_rows[] = {
	{ "SIGINT in a boot", phase_boot },
	{ "SIGINT in a wait on QMP", phase_qmp },
	{ "SIGINT while QEMU ignores SIGTERM", phase_qemu_stuck },
	{ "SIGINT in a wait on the guest", phase_guest },
	{ "SIGINT in iasl", phase_iasl },
	{ "SIGINT in the DSDT capture boot", phase_capture },
	{ "SIGINT in a kernel build", phase_kernel_build },
	{ "SIGINT in a gate", phase_gate },
	{ "SIGINT in a bisect step", phase_bisect },
};

static void test_interrupt(void **state)
{
	const struct phase_row *row = *state;
	char tag[32];
	struct run r;

	if (!kernel && mhp_kernel_newest("/boot", "vmlinuz-6.1.", &kernel) < 0)
		fail_msg("no /boot/vmlinuz-6.1.* (ci/install-deps installs linux-image-amd64)");
	snprintf(tag, sizeof(tag), "phase-%p", (const void *)row);
	char *needle = row->start(&r, tag);
	double ms = signal_and_time(&r, SIGINT);
	printf("# %s: mhp exited %.0f ms after SIGINT\n", row->name, ms);
	expect_status(&r, 130);
	if (ms > LIMIT_MS)
		fail_msg("%s: mhp took %.0f ms to exit after SIGINT (limit %.0f)", row->name, ms, LIMIT_MS);
	for (int i = 0; i < 100 && process_mentions(needle); i++)
		usleep(10000); /* a child killed as mhp exits is reaped by init a moment later */
	if (process_mentions(needle))
		fail_msg("%s: a process mentioning '%s' is left", row->name, needle);
	free(needle);
	run_release(&r);
}

int main(void)
{
	static struct test_list l;

	itest_setup();
	TEST_ROWS(&l, test_interrupt, phase_rows);
	return kernel_tests_end(itest_run("interrupts", &l));
}
