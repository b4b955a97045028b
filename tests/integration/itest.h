/* What mhp's integration tests share: running the mhp binary with its
 * own results directory and reading what it left. */
#ifndef MHP_ITEST_H
#define MHP_ITEST_H

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <json-c/json.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../unit/testutil.h"
#include "lib/util.h"

extern char **environ;

static const char *mhp_bin;
static char workdir[] = "/tmp/mhp-itest-XXXXXX";

struct run {
	pid_t pid;
	char *results; /* --results directory of this run */
	char *out;     /* stdout+stderr file */
	int status;    /* exit status, 128+sig when killed */
};

/* Starts mhp with args (NULL-terminated) and its own results directory. */
static inline void run_start(struct run *r, const char *tag, const char *const *args)
{
	const char *argv[64];
	size_t n = 0;
	posix_spawn_file_actions_t fa;

	r->results = mhp_xasprintf("%s/%s", workdir, tag);
	r->out = mhp_xasprintf("%s/%s.out", workdir, tag);
	argv[n++] = mhp_bin;
	argv[n++] = args[0];
	if (!strcmp(args[0], "run") || !strcmp(args[0], "boot")) { /* the commands that take it */
		argv[n++] = "--results";
		argv[n++] = r->results;
	}
	for (size_t i = 1; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, r->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	assert_int_equal(posix_spawn(&r->pid, mhp_bin, &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
}

static inline int run_wait(struct run *r)
{
	int st;

	assert_int_equal(waitpid(r->pid, &st, 0), r->pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r->status;
}

static inline int run_mhp(struct run *r, const char *tag, const char *const *args)
{
	run_start(r, tag, args);
	return run_wait(r);
}

static inline void run_release(struct run *r)
{
	free(r->results);
	free(r->out);
}

/* Runs argv to completion: its exit status, 128+signo, or -1. */
static inline int spawn_wait(char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline char *slurp(const char *path)
{
	char *buf = NULL;

	if (mhp_read_file(path, 1 << 22, &buf, NULL) < 0)
		return mhp_xstrdup("");
	return buf;
}

/* The first process other than us whose command line holds both needles
 * (b may be NULL), or 0. */
static inline pid_t find_process(const char *a, const char *b)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	assert_non_null(d);
	while (!found && (de = readdir(d))) {
		char path[300], buf[8192];
		ssize_t n;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || atoi(de->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < n - 1; i++)
			buf[i] = buf[i] ? buf[i] : ' ';
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, a) && (!b || strstr(buf, b)))
			found = atoi(de->d_name);
	}
	closedir(d);
	return found;
}

static inline bool process_mentions(const char *needle)
{
	return find_process(needle, NULL) != 0;
}

/* Waits (up to seconds) for a process whose command line holds a and b. */
static inline pid_t wait_for_process(const char *a, const char *b, int seconds)
{
	pid_t pid = 0;

	for (int i = 0; i < seconds * 100 && !(pid = find_process(a, b)); i++)
		usleep(10000);
	if (!pid)
		fail_msg("no process '%s' '%s' appeared in %d s", a, b ? b : "", seconds);
	return pid;
}

/* Sends sig to the run's mhp and returns the milliseconds until it exited. */
static inline double signal_and_time(struct run *r, int sig)
{
	uint64_t t0 = mhp_now_ns();

	assert_int_equal(kill(r->pid, sig), 0);
	run_wait(r);
	return (double)(mhp_now_ns() - t0) / 1e6;
}

/* Chromium headless as ci/install-deps installs it, with a fresh profile
 * (and no background networking: this machine has none). */
static inline char *chromium(const char *what, const char *url, const char *profile)
{
	char *dir = mhp_xasprintf("--user-data-dir=%s", profile), *out = mhp_xasprintf("%s.out", profile);
	char *err = mhp_xasprintf("%s.err", profile);
	char *argv[] = { "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			 "--disable-background-networking", "--disable-component-update", "--disable-sync",
			 "--enable-logging=stderr", "--v=0", "--window-size=1050,1400", dir, (char *)what, (char *)url, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawnp(&pid, "chromium", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 900 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(100000);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		kill(pid, SIGKILL), waitpid(pid, NULL, WNOHANG);
		fail_msg("chromium %s failed (status %d); see %s", what, st, err);
	}
	/* The page's own console (a script error, a blocked resource). */
	char *said = slurp(err);
	if (strstr(said, ":CONSOLE"))
		fail_msg("the report logged to the browser console:\n%s", said);
	char *text = slurp(out);
	free(dir), free(out), free(err), free(said);
	return text;
}

/* Fails with mhp's output when its exit status is not the expected one. */
static inline void expect_status(struct run *r, int want)
{
	if (r->status != want) {
		char *out = slurp(r->out);
		fail_msg("mhp exited %d, want %d; its output:\n%s", r->status, want, out);
	}
}

static inline json_object *latest_result(struct run *r)
{
	char *path = mhp_xasprintf("%s/latest/result.json", r->results);
	json_object *o = json_object_from_file(path);

	if (!o)
		fail_msg("no readable %s", path);
	free(path);
	return o;
}

static inline const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

/* DIR/campaign.json of a fuzz campaign (fails the test when unreadable). */
static inline json_object *campaign_json(const char *dir)
{
	char *path = mhp_xasprintf("%s/campaign.json", dir);
	json_object *o = json_object_from_file(path);

	if (!o)
		fail_msg("no readable %s", path);
	free(path);
	return o;
}

/* An integer field of campaign.json that must be there. */
static inline int64_t jint(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no '%s' in campaign.json", key);
	return json_object_get_int64(v);
}

/* The tests' own cache (boot snapshots, DSDTs, the accelerator verdict),
 * in the work directory: nothing a run left in the user's cache, from an
 * older mhp or guest-init, can change what a test sees. */
static inline void itest_default_cache(void)
{
	char *cache = mhp_xasprintf("%s/cache", workdir);

	setenv("XDG_CACHE_HOME", cache, 1);
	free(cache);
}

/* main()'s start: MHP names the mhp binary; a fresh work directory;
 * MHP_TEST_FILTER (a cmocka glob) picks tests.  Exits 2 when unusable. */
static inline void itest_setup(void)
{
	const char *filter = getenv("MHP_TEST_FILTER");

	mhp_bin = getenv("MHP");
	if (!mhp_bin) {
		fprintf(stderr, "set MHP to the mhp binary\n");
		exit(2);
	}
	if (!mkdtemp(workdir)) {
		perror("mkdtemp");
		exit(2);
	}
	if (filter)
		cmocka_set_test_filter(filter);
	/* ccache keeps its objects under $XDG_CACHE_HOME, which the tests make
	 * private just below: pin it to the user's, or every test binary
	 * compiles its kernels from nothing. */
	if (!getenv("CCACHE_DIR") && getenv("HOME")) {
		char *ccache = mhp_xasprintf("%s/.cache/ccache", getenv("HOME"));
		setenv("CCACHE_DIR", ccache, 1);
		free(ccache);
	}
	itest_default_cache();
	/* Run directories of the tests' own: what another mhp on this
	 * machine does in /tmp (or sweeps there) is none of theirs. */
	char *tmp = mhp_xasprintf("%s/tmp", workdir);
	if (mkdir(tmp, 0700) < 0 || setenv("TMPDIR", tmp, 1) < 0) {
		perror(tmp);
		exit(2);
	}
	free(tmp);
}

/* After the tests ran (r: cmocka's result): keeps the work directory only
 * on failure. */
static inline int itest_end(int r)
{
	if (r == 0) {
		char *argv[] = { "rm", "-rf", workdir, NULL };
		spawn_wait(argv);
	} else
		fprintf(stderr, "kept %s for inspection\n", workdir);
	return r;
}

/* main()'s end: runs the list, then itest_end. */
static inline int itest_run(const char *group, struct test_list *l)
{
	return itest_end(TEST_RUN(group, l));
}

#endif
