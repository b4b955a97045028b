/* The libvirt backend's clean-up (issue 17): a domain is destroyed on
 * every way out of mhp, and one that a killed mhp left running in its
 * embed root (embed mode has no autodestroy) is destroyed by the next run,
 * which says so.  Debian's 6.1 kernel, TCG, the embed roots under the
 * test's own cache. */
#include <pthread.h>
#include <sys/prctl.h>

#include "itest.h"
#include "guest/kernel-image.h"

#define TOPOLOGY "topologies/dimm-node1-movable.json"

static char *kernel;

/* libvirt daemonizes QEMU: when mhp is killed, its QEMU comes to us (a
 * subreaper, as mhp is one); this machine's PID 1 would never reap it,
 * and libvirt waits for a destroyed QEMU to vanish.  Reaps our exited
 * children that are QEMUs, never an mhp run we wait for ourselves. */
static void *reaper(void *arg)
{
	char *kids_path = mhp_xasprintf("/proc/%d/task/%d/children", (int)getpid(), (int)getpid());

	(void)arg;
	for (;;) {
		char *kids = slurp(kids_path), *p = kids, *end;
		for (long pid; (pid = strtol(p, &end, 10)) > 0; p = end) {
			char *comm_path = mhp_xasprintf("/proc/%ld/comm", pid), *comm = slurp(comm_path);
			if (!strncmp(comm, "qemu", 4))
				(void)waitpid((pid_t)pid, NULL, WNOHANG);
			free(comm_path), free(comm);
		}
		free(kids);
		usleep(20000);
	}
	return NULL;
}

/* A QEMU of this test's embed roots still there. */
static pid_t qemu_of_roots(void)
{
	char *roots = mhp_xasprintf("%s/cache/mhp/libvirt/", workdir);
	pid_t pid = find_process("guest=mhp-", roots);

	free(roots);
	return pid;
}

static void wait_for_hello(struct run *r)
{
	char *path = mhp_xasprintf("%s/latest/channel.log", r->results);

	for (int i = 0; i < 12000; i++) {
		char *log = slurp(path);
		bool there = strstr(log, "< hello ") != NULL;
		free(log);
		if (there) {
			free(path);
			return;
		}
		usleep(10000);
	}
	fail_msg("the guest of '%s' never said hello", r->results);
}

static void start_run(struct run *r, const char *tag)
{
	const char *args[] = { "run", "--backend", "libvirt", "--accel", "tcg", "--kernel", kernel, TOPOLOGY, NULL };

	run_start(r, tag, args);
}

/* The mhp worker of run r: its one child (pool workers are forked by
 * mhp's main thread). */
static pid_t worker_of(struct run *r)
{
	char *path = mhp_xasprintf("/proc/%d/task/%d/children", (int)r->pid, (int)r->pid);
	pid_t worker = 0;

	for (int i = 0; i < 500 && !worker; i++) {
		char *kids = slurp(path);
		if (!(worker = (pid_t)atoi(kids)))
			usleep(10000);
		free(kids);
	}
	free(path);
	if (!worker)
		fail_msg("no mhp worker for '%s'", r->results);
	return worker;
}

/* mhp and its worker killed outright: nothing of theirs destroys the
 * domain, its QEMU runs on.  The next run destroys it, says so, and
 * passes; afterwards no QEMU of the embed roots is left. */
static void test_killed_then_cleaned(void **state)
{
	(void)state;
	struct run r, next;

	start_run(&r, "lv-killed");
	wait_for_hello(&r);
	pid_t worker = worker_of(&r);
	assert_int_equal(kill(worker, SIGKILL), 0);
	assert_int_equal(kill(r.pid, SIGKILL), 0);
	run_wait(&r);
	usleep(500000);
	pid_t left = qemu_of_roots();
	if (!left)
		fail_msg("killing mhp and its worker left no QEMU: the test proves nothing");
	start_run(&next, "lv-next");
	run_wait(&next);
	expect_status(&next, 0);
	char *out = slurp(next.out);
	if (!strstr(out, "left running by an mhp that was killed"))
		fail_msg("the next run did not say it destroyed the leftover domain:\n%s", out);
	for (int i = 0; i < 500 && kill(left, 0) == 0; i++)
		usleep(10000);
	assert_int_equal(kill(left, 0), -1);
	assert_int_equal(qemu_of_roots(), 0);
	free(out);
	run_release(&r), run_release(&next);
}

struct signal_row {
	const char *name;
	int sig, status;
};

static const struct signal_row signal_rows[] = {
	{ "SIGTERM to mhp: domain destroyed, 143", SIGTERM, 143 },
	{ "SIGINT to mhp: domain destroyed, 130", SIGINT, 130 },
};

/* A signal to mhp while the guest runs: the run ends interrupted, its
 * results kept, and the domain is destroyed (no QEMU left). */
static void test_signal(void **state)
{
	const struct signal_row *row = *state;
	struct run r;

	start_run(&r, row->sig == SIGTERM ? "lv-term" : "lv-int");
	wait_for_hello(&r);
	assert_int_equal(kill(r.pid, row->sig), 0);
	run_wait(&r);
	expect_status(&r, row->status);
	json_object *res = latest_result(&r);
	assert_true(json_object_get_boolean(json_object_object_get(res, "interrupted")));
	json_object_put(res);
	assert_int_equal(qemu_of_roots(), 0);
	run_release(&r);
}

/* QEMU killed under libvirt: the run fails naming how the domain ended,
 * and the logs (libvirt.log, qemu.log) are kept. */
static void test_qemu_killed(void **state)
{
	(void)state;
	struct run r;
	struct stat st;

	start_run(&r, "lv-qemu-killed");
	wait_for_hello(&r);
	pid_t qemu = qemu_of_roots();
	assert_true(qemu > 0);
	assert_int_equal(kill(qemu, SIGKILL), 0);
	run_wait(&r);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	if (!strstr(jstr(res, "error"), "the libvirt domain mhp-pid") ||
	    !strstr(jstr(res, "error"), "-dimm-node1-movable stopped (failed)"))
		fail_msg("error: '%s'", jstr(res, "error"));
	json_object_put(res);
	char *lv = mhp_xasprintf("%s/latest/libvirt.log", r.results), *ql = mhp_xasprintf("%s/latest/qemu.log", r.results);
	assert_int_equal(stat(lv, &st), 0);
	assert_int_equal(stat(ql, &st), 0);
	assert_int_equal(qemu_of_roots(), 0);
	free(lv), free(ql);
	run_release(&r);
}

int main(void)
{
	static struct test_list l;
	pthread_t t;

	itest_setup();
	if (mhp_kernel_newest("/boot", "vmlinuz-6.1.", &kernel) < 0) {
		fprintf(stderr, "no /boot/vmlinuz-6.1.* (ci/install-deps installs it)\n");
		return 2;
	}
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pthread_create(&t, NULL, reaper, NULL) != 0)
		return 2;
	TEST_ONE(&l, test_killed_then_cleaned);
	TEST_ROWS(&l, test_signal, signal_rows);
	TEST_ONE(&l, test_qemu_killed);
	return itest_end(TEST_RUN("libvirt", &l));
}
