/* An error is named by the code the failed call returned, never by errno
 * read after other calls have run (4529b2f: bisect-step logged -errno after
 * mhp_write_file_atomic(), whose contract is its return value; kernel-tree.c
 * returned -errno after snprintf(), which may set errno when it succeeds).
 * The Makefile links this test with -Wl,--wrap= for both: armed, the
 * wrappers fail a write with one error, or let snprintf succeed, and leave
 * errno at another value.  Wrapping needs the call to cross object files,
 * as these do: log.o (mhp_write_file_logged(), which bisect's steps.txt and
 * first-bad-commit and other outputs go through) and kernel-tree.o call
 * into util.o and libc. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "cli/commands.h"
#include "kernel/kernel-tree.h"
#include "lib/process.h"

int __real_mhp_write_file_atomic(const char *path, const void *data, size_t len);
int __wrap_mhp_write_file_atomic(const char *path, const void *data, size_t len);
int __wrap_snprintf(char *s, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Armed: a write to a path ending in fail_suffix returns -fail_error and
 * leaves errno at ENOENT. */
static const char *fail_suffix;
static int fail_error;

int __wrap_mhp_write_file_atomic(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path), m = fail_suffix ? strlen(fail_suffix) : 0;

	if (!fail_suffix || n < m || strcmp(path + n - m, fail_suffix))
		return __real_mhp_write_file_atomic(path, data, len);
	errno = ENOENT;
	return -fail_error;
}

/* Armed: snprintf succeeds and leaves errno at ENOTTY.  A build with
 * _FORTIFY_SOURCE calls __snprintf_chk instead, which this does not wrap:
 * the tests check that the wrapper ran. */
static bool clobber;
static unsigned clobbered;

int __wrap_snprintf(char *s, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vsnprintf(s, n, fmt, ap);
	va_end(ap);
	if (clobber) {
		errno = ENOTTY;
		clobbered++;
	}
	return r;
}

static char root[] = "/tmp/mhp-stale-errno-XXXXXX";

/* stderr (fd 2) into a temporary file until stderr_back() returns what was
 * written there, a new string.  No assertion in between: cmocka would jump
 * out with fd 2 still redirected. */
struct capture {
	char path[64];
	int saved;
};

static void stderr_to_file(struct capture *c)
{
	snprintf(c->path, sizeof(c->path), "%s/stderr", root);
	int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	fflush(stderr);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static char *stderr_back(struct capture *c)
{
	char *text = NULL;

	fflush(stderr);
	assert_int_equal(dup2(c->saved, STDERR_FILENO), STDERR_FILENO);
	close(c->saved);
	assert_int_equal(mhp_read_file(c->path, 1 << 20, &text, NULL), 0);
	fputs(text, stderr); /* still shown, for whoever reads the test log */
	return text;
}

/* bisect-step on a tree that does not exist: the build fails, the step is
 * skipped and its line appended to RESULTS/steps.txt.  That write fails
 * with EISDIR (errno says ENOENT): the log must say "Is a directory". */
static void test_bisect_step_names_the_write_error(void **state)
{
	(void)state;
	char *src = mhp_xasprintf("--src=%s/no-such-tree", root), *results = mhp_xasprintf("--results=%s/results", root);
	char *cache = mhp_xasprintf("--cache=%s/cache", root);
	char *argv[] = { "bisect-step", src, results, cache,
			 "--topology=" MHP_SOURCE_DIR "/topologies/auto-online-movable.json", NULL };
	char *want = mhp_xasprintf("mhp: cannot write '%s/results/steps.txt': Is a directory\n", root);
	struct capture c;

	fail_suffix = "/steps.txt", fail_error = EISDIR;
	stderr_to_file(&c);
	int r = mhp_cmd_bisect_step(5, argv);
	char *log = stderr_back(&c);
	fail_suffix = NULL;

	assert_int_equal(r, 125); /* skip: the kernel did not build */
	assert_non_null(strstr(log, want));
	assert_null(strstr(log, "No such file"));
	/* Other writes went through: the step's build error is kept. */
	char *path = mhp_xasprintf("%s/results/steps/01-unknown/build-error.txt", root), *text = NULL;
	assert_int_equal(mhp_read_file(path, 1 << 20, &text, NULL), 0);
	assert_non_null(strstr(text, "no-such-tree"));
	free(src), free(results), free(cache), free(want), free(log), free(path), free(text);
}

/* realpath fails with ENOENT; snprintf, called before the return, leaves
 * errno at ENOTTY: the code returned and the message are ENOENT's. */
static void test_ktree_open_missing_tree(void **state)
{
	(void)state;
	char *src = mhp_xasprintf("%s/no-such-tree", root), *cache = mhp_xasprintf("%s/cache", root), err[1024];
	char *want = mhp_xasprintf("kernel tree '%s': No such file or directory", src);
	struct mhp_ktree t;

	clobbered = 0, clobber = true;
	int r = mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(10000), err, sizeof(err));
	clobber = false;
	assert_true(clobbered > 0);
	assert_int_equal(r, -ENOENT);
	assert_string_equal(err, want);
	free(src), free(cache), free(want);
}

/* A toy tree (just a Makefile) whose source record cannot be written, then
 * whose lock cannot be opened (a directory is in its place). */
static void test_ktree_open_source_and_lock_errors(void **state)
{
	(void)state;
	char *src = mhp_xasprintf("%s/tree", root), *cache = mhp_xasprintf("%s/cache-lock", root), err[1024];
	char *makefile = mhp_xasprintf("%s/Makefile", src), *want = NULL, *lock = NULL;
	struct mhp_ktree t;
	glob_t g;

	assert_int_equal(mhp_mkdir_p(src, 0755), 0);
	assert_int_equal(mhp_write_file_atomic(makefile, "VERSION = 6\n", 12), 0);
	fail_suffix = "/source", fail_error = EISDIR;
	int r = mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(10000), err, sizeof(err));
	fail_suffix = NULL;
	assert_int_equal(r, -EISDIR);
	want = mhp_xasprintf("cannot set up the build tree of '%s': Is a directory", src);
	assert_string_equal(err, want);
	free(want);

	/* That open made CACHE/trees/<id>/obj before it failed. */
	char *pattern = mhp_xasprintf("%s/trees/*", cache);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	lock = mhp_xasprintf("%s/lock", g.gl_pathv[0]);
	globfree(&g);
	assert_int_equal(mkdir(lock, 0755), 0);
	clobbered = 0, clobber = true;
	r = mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(10000), err, sizeof(err));
	clobber = false;
	assert_true(clobbered > 0);
	assert_int_equal(r, -EISDIR);
	want = mhp_xasprintf("cannot open '%s': Is a directory", lock);
	assert_string_equal(err, want);
	free(src), free(cache), free(makefile), free(want), free(lock), free(pattern);
}

int main(void)
{
	static struct test_list l;
	int r;

	if (!mkdtemp(root))
		return 2;
	TEST_ONE(&l, test_bisect_step_names_the_write_error);
	TEST_ONE(&l, test_ktree_open_missing_tree);
	TEST_ONE(&l, test_ktree_open_source_and_lock_errors);
	r = TEST_RUN("stale-errno", &l);
	char *argv[] = { "rm", "-rf", root, NULL };
	mhp_run_capture(argv, mhp_deadline_in_ms(30000), 0, NULL);
	return r;
}
