/* Sizes, kernel image probing and result.json. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "guest/kernel-image.h"
#include "model/result.h"
#include "report/report.h"
#include "lib/process.h"
#include "lib/sock.h"
#include "lib/util.h"

struct size_row {
	const char *name, *text;
	int ret;
	uint64_t bytes;
};

static const struct size_row size_rows[] = {
	{ "plain bytes", "134217728", 0, 134217728 },
	{ "hex", "0x8000000", 0, 0x8000000 },
	{ "megabytes", "512M", 0, 512ull << 20 },
	{ "gigabytes lower case", "1g", 0, 1ull << 30 },
	{ "terabytes", "2T", 0, 2ull << 40 },
	{ "unknown suffix", "1X", -EINVAL, 0 },
	{ "trailing junk", "1GB", -EINVAL, 0 },
	{ "negative", "-1G", -EINVAL, 0 },
	{ "empty", "", -EINVAL, 0 },
	{ "overflow by suffix", "99999999999T", -ERANGE, 0 },
	{ "overflow by digits", "999999999999999999999999", -ERANGE, 0 },
};

static void test_parse_size(void **state)
{
	const struct size_row *row = *state;
	uint64_t v = 0;

	assert_int_equal(mhp_parse_size(row->text, &v), row->ret);
	if (row->ret == 0)
		assert_int_equal(v, row->bytes);
}

static char tmpdir[] = "/tmp/mhp-unit-XXXXXX";

static char *tmp_path(const char *name)
{
	return mhp_xasprintf("%s/%s", tmpdir, name);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void test_kernel_probe(void **state)
{
	(void)state;
	unsigned char img[0x400] = { 0 };
	char *path = tmp_path("bzImage"), ver[128];

	/* A minimal setup header: boot flag, HdrS, version string at 0x300. */
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = 0x00;
	img[0x20f] = 0x01; /* 0x100 + 0x200 = 0x300 */
	strcpy((char *)img + 0x300, "6.1.0-test (x@y) #1 SMP");
	write_bytes(path, img, sizeof(img));
	assert_int_equal(mhp_kernel_probe(path, ver, sizeof(ver)), 0);
	assert_string_equal(ver, "6.1.0-test (x@y) #1 SMP");
	/* Not a kernel: a text file, and a truncated one. */
	write_bytes(path, "#!/bin/sh\necho hi\n", 18);
	assert_int_equal(mhp_kernel_probe(path, ver, sizeof(ver)), -ENOEXEC);
	memcpy(img + 0x202, "HdrX", 4);
	write_bytes(path, img, sizeof(img));
	assert_int_equal(mhp_kernel_probe(path, ver, sizeof(ver)), -ENOEXEC);
	assert_int_equal(mhp_kernel_probe("/nonexistent", ver, sizeof(ver)), -ENOENT);
	unlink(path);
	free(path);
}

static void test_kernel_default_picks_newest(void **state)
{
	(void)state;
	char *dir = tmp_path("boot"), *p, *got = NULL;
	const char *names[] = { "vmlinuz-6.1.0-9-amd64", "vmlinuz-6.12.1-amd64", "vmlinuz-6.1.0-56-amd64", "config-9" };

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mhp_kernel_newest(dir, "vmlinuz-", &got), -ENOENT);
	for (size_t i = 0; i < 4; i++) {
		p = mhp_xasprintf("%s/%s", dir, names[i]);
		write_bytes(p, "x", 1);
		free(p);
	}
	assert_int_equal(mhp_kernel_newest(dir, "vmlinuz-", &got), 0);
	p = mhp_xasprintf("%s/vmlinuz-6.12.1-amd64", dir);
	assert_string_equal(got, p);
	for (size_t i = 0; i < 4; i++) {
		free(p);
		p = mhp_xasprintf("%s/%s", dir, names[i]);
		unlink(p);
	}
	free(p);
	free(got);
	rmdir(dir);
	free(dir);
}

static void test_result_json(void **state)
{
	(void)state;
	struct mhp_result r;
	char *path = tmp_path("result.json");

	mhp_result_init(&r, "s");
	mhp_result_phase(&r, "boot");
	assert_int_equal(mhp_result_check(&r, NULL, "zone", "Movable", "Movable"), MHP_STATUS_PASS);
	assert_int_equal(mhp_result_verdict(&r), MHP_STATUS_PASS);
	mhp_result_phase(&r, "step 2 online d");
	assert_int_equal(mhp_result_check(&r, NULL, "zone \"quoted\"", "Normal", "Movable"), MHP_STATUS_FAIL);
	mhp_result_error(&r, "QEMU exited (%s)", "killed by signal 9");
	mhp_result_error(&r, "second error is dropped");
	mhp_result_finish(&r);
	assert_int_equal(mhp_result_verdict(&r), MHP_STATUS_FAIL);
	assert_int_equal(mhp_result_write_json(&r, tmpdir), 0);
	json_object *o = json_object_from_file(path);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "verdict")), "fail");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "failed_phase")), "step 2 online d");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "error")), "QEMU exited (killed by signal 9)");
	json_object *checks = json_object_object_get(o, "checks");
	assert_int_equal(json_object_array_length(checks), 2);
	json_object *c = json_object_array_get_idx(checks, 1);
	assert_string_equal(json_object_get_string(json_object_object_get(c, "name")), "zone \"quoted\"");
	assert_string_equal(json_object_get_string(json_object_object_get(c, "status")), "fail");
	assert_int_equal(json_object_array_length(json_object_object_get(o, "phases")), 2);
	json_object_put(o);
	/* Written through a temporary name that does not stay behind. */
	char *name = mhp_xasprintf("result.json.tmp-%d", (int)getpid()), *tmp = tmp_path(name);
	assert_int_equal(access(tmp, F_OK), -1);
	free(tmp), free(name);
	unlink(path);
	free(path);
	mhp_result_release(&r);
}

/* result.json read back gives the same checks, field by field, and the
 * same verdict; a long name is whole, not cut. */
static void test_result_json_read_back(void **state)
{
	(void)state;
	struct mhp_result r, back;
	char *path = tmp_path("result.json"), err[256], aspect[400];

	memset(aspect, 'a', sizeof(aspect) - 1);
	aspect[sizeof(aspect) - 1] = '\0';
	mhp_result_init(&r, "two-nodes");
	mhp_result_step(&r, 0, "boot", NULL);
	mhp_result_check(&r, "block 0", "node and zone", "0 none", "0 none");
	mhp_result_step(&r, 3, "unplug", "dimm1");
	mhp_result_outcome(&r, NULL, "outcome", "refused (ACPI _OST status 0x82)");
	mhp_result_check(&r, "block 36", "still present", "present", "(absent)");
	mhp_result_check(&r, NULL, aspect, "x", "x");
	mhp_result_step(&r, 0, "boot", "vm0"); /* a device's memory plugged at boot */
	mhp_result_check(&r, NULL, "QEMU plugged size", "384M", "384M");
	mhp_result_phase(&r, "step 3 unplug dimm1");
	mhp_result_finish(&r);
	assert_int_equal(mhp_result_write_json(&r, tmpdir), 0);
	assert_int_equal(mhp_result_read_json(&back, path, err, sizeof(err)), 0);
	assert_string_equal(back.topology, "two-nodes");
	assert_int_equal(back.nchecks, r.nchecks);
	for (size_t i = 0; i < r.nchecks; i++) {
		assert_string_equal(back.checks[i].name, r.checks[i].name);
		assert_true(mhp_check_same(&back.checks[i], &r.checks[i]));
		assert_string_equal(back.checks[i].observed, r.checks[i].observed);
		assert_int_equal(back.checks[i].status, r.checks[i].status);
		assert_int_equal(back.checks[i].outcome, r.checks[i].outcome);
	}
	assert_string_equal(back.checks[0].name, "boot: block 0 node and zone");
	assert_string_equal(back.checks[2].name, "step 3 unplug dimm1: block 36 still present");
	assert_int_equal(strlen(back.checks[3].name), strlen("step 3 unplug dimm1: ") + strlen(aspect));
	assert_string_equal(back.checks[4].name, "boot vm0: QEMU plugged size");
	assert_int_equal(mhp_result_verdict(&back), MHP_STATUS_FAIL);
	assert_int_equal(back.nphases, 1);
	/* Field specs and substrings, as bisect --check takes them. */
	assert_true(mhp_check_matches(&back.checks[2], "aspect=still present,device=dimm1"));
	assert_false(mhp_check_matches(&back.checks[2], "aspect=still present,step=2"));
	assert_true(mhp_check_matches(&back.checks[2], "block 36 still"));
	assert_true(mhp_check_matches(&back.checks[1], "step=3,kind=unplug,aspect=outcome"));
	mhp_result_release(&back);
	/* Not a result: named. */
	assert_int_equal(mhp_write_file_atomic(path, "{\"checks\": 3}", 13), 0);
	assert_int_equal(mhp_result_read_json(&back, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a result.json"));
	mhp_result_release(&back);
	unlink(path);
	free(path);
	mhp_result_release(&r);
}

static void test_result_nothing_scored_is_skip(void **state)
{
	(void)state;
	struct mhp_result r;

	mhp_result_init(&r, "s");
	mhp_result_skip(&r, NULL, "offline Normal", "not deterministic");
	mhp_result_finish(&r);
	assert_int_equal(mhp_result_verdict(&r), MHP_STATUS_SKIP);
	mhp_result_release(&r);
}

/* A unix socket path must fit sockaddr_un (108 bytes): a clear error. */
struct read_row {
	const char *name;
	size_t size, max;
	int ret;
};

static const struct read_row read_rows[] = {
	{ "read_file: a file of exactly max bytes", 100, 100, 0 },
	{ "read_file: one byte over max", 101, 100, -EFBIG },
	{ "read_file: grown past its first buffer", 300 * 1024 + 7, 1u << 20, 0 },
	{ "read_file: an empty file", 0, 100, 0 },
};

/* Whole and NUL-terminated up to max, -EFBIG past it, with no buffer of
 * max bytes allocated up front (a 64 MiB max is common). */
static void test_read_file(void **state)
{
	const struct read_row *row = *state;
	char *path = tmp_path("read-file"), *data = mhp_xcalloc(row->size + 1, 1), *got = NULL;
	size_t len = 1;

	for (size_t i = 0; i < row->size; i++)
		data[i] = (char)('a' + i % 26);
	write_bytes(path, data, row->size);
	assert_int_equal(mhp_read_file(path, row->max, &got, &len), row->ret);
	if (row->ret == 0) {
		assert_int_equal(len, row->size);
		assert_memory_equal(got, data, row->size);
		assert_int_equal(got[len], '\0');
	}
	free(got), free(data);
	unlink(path);
	free(path);
}

/* A child gets stdin, stdout and stderr and nothing else of ours, not
 * even a descriptor open without O_CLOEXEC (ls's own is 3 or above). */
static void test_child_fds(void **state)
{
	(void)state;
	char *argv[] = { "ls", "/proc/self/fd", NULL }, *out = NULL;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* dup2 leaves 100 inheritable, as a descriptor mhp got from its caller. */
	assert_int_equal(dup2(null, 100), 100);
	close(null);
	assert_int_equal(mhp_run_capture(argv, mhp_deadline_in_ms(10000), 4096, &out), 0);
	close(100);
	assert_string_equal(out, "0\n1\n2\n3\n");
	free(out);
}

static void test_socket_path_limit(void **state)
{
	(void)state;
	char path[200];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(mhp_unix_listen(path), -ENAMETOOLONG);
	char *ok = tmp_path("s.sock");
	int fd = mhp_unix_listen(ok);
	assert_true(fd >= 0);
	close(fd);
	unlink(ok);
	free(ok);
}

static void on_sigint(int sig)
{
	mhp_interrupted = sig;
}

/* A SIGINT that arrives while the signal is blocked, just before the wait
 * (where a plain check-then-poll loses it), ends the wait at once; a ready
 * fd and a deadline are told apart from it. */
static void test_poll_interruptible(void **state)
{
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	sigset_t block, prev;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	struct pollfd pfd = { .fd = p[0], .events = POLLIN };
	assert_int_equal(mhp_poll_interruptible(&pfd, 1, mhp_deadline_in_ms(20)), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(mhp_poll_interruptible(&pfd, 1, mhp_deadline_in_ms(5000)), 1);
	assert_int_equal(read(p[0], (char[1]){ 0 }, 1), 1);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGINT, &sa, &old), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &prev), 0);
	assert_int_equal(raise(SIGINT), 0); /* pending: the handler has not run */
	assert_int_equal(mhp_interrupted, 0);
	uint64_t t0 = mhp_now_ns();
	assert_int_equal(mhp_poll_interruptible(&pfd, 1, mhp_deadline_in_ms(5000)), -EINTR);
	assert_true(mhp_now_ns() - t0 < 1000000000ull);
	assert_int_equal(mhp_interrupted, SIGINT);
	sigprocmask(SIG_SETMASK, &prev, NULL);
	sigaction(SIGINT, &old, NULL);
	mhp_interrupted = 0;
	close(p[0]), close(p[1]);
}

int main(void)
{
	static struct test_list l;
	int r;

	if (!mkdtemp(tmpdir))
		return 1;
	TEST_ROWS(&l, test_parse_size, size_rows);
	TEST_ONE(&l, test_kernel_probe);
	TEST_ONE(&l, test_kernel_default_picks_newest);
	TEST_ONE(&l, test_result_json);
	TEST_ONE(&l, test_result_json_read_back);
	TEST_ONE(&l, test_result_nothing_scored_is_skip);
	TEST_ONE(&l, test_socket_path_limit);
	TEST_ROWS(&l, test_read_file, read_rows);
	TEST_ONE(&l, test_child_fds);
	TEST_ONE(&l, test_poll_interruptible);
	r = TEST_RUN("util", &l);
	rmdir(tmpdir);
	return r;
}
