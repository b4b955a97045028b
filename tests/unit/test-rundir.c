/* Private run directories: made with a locked owner file, removed whole;
 * a sweep removes those whose owner is gone and nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/rundir.h"
#include "lib/sock.h"
#include "lib/util.h"

static char tmp[] = "/tmp/mhp-rundir-XXXXXX";

static bool there(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void touch(const char *dir, const char *name)
{
	char *p = mhp_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	free(p);
}

/* A run directory of a process that then died without cleaning up. */
static char *dead_owners_dir(void)
{
	int pipefd[2];
	char path[256] = "";
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	if ((pid = fork()) == 0) {
		struct mhp_rundir d = MHP_RUNDIR_INIT;
		if (mhp_rundir_make(&d, "mhp-run") < 0)
			_exit(1);
		touch(d.path, "qmp.sock");
		if (write(pipefd[1], d.path, strlen(d.path)) < 0)
			_exit(1);
		_exit(0); /* killed, as it were: no release */
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], path, sizeof(path) - 1) > 0);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return mhp_xstrdup(path);
}

static void test_make_and_release(void **state)
{
	(void)state;
	struct mhp_rundir d = MHP_RUNDIR_INIT;

	assert_int_equal(mhp_rundir_make(&d, "mhp-run"), 0);
	assert_int_equal(strncmp(d.path, tmp, strlen(tmp)), 0);
	assert_true(d.lock_fd >= 0);
	touch(d.path, "initrd.cpio");
	char *path = mhp_xstrdup(d.path);
	mhp_rundir_release(&d);
	assert_false(there(path));
	assert_int_equal(d.lock_fd, -1);
	mhp_rundir_release(&d); /* again: nothing */
	free(path);
}

static void test_sweep(void **state)
{
	(void)state;
	struct mhp_rundir live = MHP_RUNDIR_INIT;
	char *dead = dead_owners_dir(), *foreign = mhp_xasprintf("%s/mhp-run-foreign", tmp);
	char *other = mhp_xasprintf("%s/mhp-runner-x", tmp);

	assert_true(there(dead));
	assert_int_equal(mkdir(foreign, 0700), 0); /* no owner file: not ours to judge */
	assert_int_equal(mkdir(other, 0700), 0);   /* another prefix */
	assert_int_equal(mhp_rundir_make(&live, "mhp-run"), 0);
	assert_int_equal(mhp_rundir_sweep(tmp, "mhp-run"), 1);
	assert_false(there(dead));
	assert_true(there(live.path));
	assert_true(there(foreign));
	assert_true(there(other));
	assert_int_equal(mhp_rundir_sweep(tmp, "mhp-run"), 0);
	mhp_rundir_release(&live);
	rmdir(foreign), rmdir(other);
	free(dead), free(foreign), free(other);
}

static void test_path_too_long(void **state)
{
	(void)state;
	struct mhp_rundir d = MHP_RUNDIR_INIT;
	char *old = getenv("TMPDIR") ? mhp_xstrdup(getenv("TMPDIR")) : NULL, longdir[300];

	memset(longdir, 'x', sizeof(longdir) - 1);
	longdir[0] = '/', longdir[sizeof(longdir) - 1] = '\0';
	setenv("TMPDIR", longdir, 1);
	assert_int_equal(mhp_rundir_make(&d, "mhp-run"), -ENAMETOOLONG);
	assert_string_equal(d.path, "");
	setenv("TMPDIR", old ? old : tmp, 1);
	free(old);
}

/* Under a $TMPDIR too long for a socket address (a CI runner's or a Slurm
 * job's), sockets still bind and connect, through the directory's fd. */
static void test_socket_under_long_tmpdir(void **state)
{
	(void)state;
	struct mhp_rundir d = MHP_RUNDIR_INIT;
	char *deep = mhp_xasprintf("%s/%0120d", tmp, 0), *old = mhp_xstrdup(getenv("TMPDIR"));
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	assert_int_equal(mkdir(deep, 0700), 0);
	setenv("TMPDIR", deep, 1);
	assert_int_equal(mhp_rundir_make(&d, "mhp-run"), 0);
	char *path = mhp_rundir_socket_path(&d, "qmp.sock"), *real = mhp_xasprintf("%s/qmp.sock", d.path);
	assert_true(strlen(path) < sizeof(a.sun_path));
	assert_int_equal(strncmp(path, "/proc/", 6), 0);
	int l = mhp_unix_listen(path), c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0 && c >= 0);
	strcpy(a.sun_path, path);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_true(there(real)); /* the socket is in the run directory itself */
	close(l), close(c);
	mhp_rundir_release(&d);
	setenv("TMPDIR", old, 1);
	assert_int_equal(rmdir(deep), 0);
	free(deep), free(old), free(path), free(real);
}

int main(void)
{
	static struct test_list l;

	assert_non_null(mkdtemp(tmp));
	setenv("TMPDIR", tmp, 1);
	TEST_ONE(&l, test_make_and_release);
	TEST_ONE(&l, test_sweep);
	TEST_ONE(&l, test_path_too_long);
	TEST_ONE(&l, test_socket_under_long_tmpdir);
	int r = TEST_RUN("rundir", &l);
	rmdir(tmp);
	return r;
}
