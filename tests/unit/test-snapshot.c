/* The boot-snapshot cache: a key's lock and the runs that wait on it, a
 * store that appears whole or not at all, the console a restored run starts
 * from, eviction by last use.  Every test has a root of its own under /tmp;
 * a second run is a forked child that answers with its exit code. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/util.h"
#include "run/snapshot.h"

#define KEY "0123456789abcdef"
#define STATE "fake guest state\n"
#define CONSOLE "[    0.000000] Linux version 6.1.0\nmhp-init: hello\n"
#define MADE_BY "run 7 of two-nodes"
#define NO_CAP UINT64_MAX

static char top[] = "/tmp/mhp-snapshot-XXXXXX";

/* One test's directories: root (the snapshots, made empty) and run (a run
 * directory holding console.log), both under base. */
struct fx {
	char *base, *root, *run;
};

static void fx_make(struct fx *f)
{
	f->base = mhp_xasprintf("%s/t-XXXXXX", top);
	assert_non_null(mkdtemp(f->base));
	f->root = mhp_xasprintf("%s/snapshots", f->base);
	f->run = mhp_xasprintf("%s/run", f->base);
	assert_int_equal(mkdir(f->root, 0755), 0);
	assert_int_equal(mkdir(f->run, 0755), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fx_free(struct fx *f)
{
	rm_rf(f->base);
	assert_int_equal(access(f->base, F_OK), -1);
	free(f->base);
	free(f->root);
	free(f->run);
}

/* dir/name in one of a few static buffers, used in turn. */
static const char *at(const char *dir, const char *name)
{
	static char buf[4][1024];
	static unsigned i;
	char *p = buf[i++ % 4];

	assert_true(snprintf(p, sizeof(buf[0]), "%s/%s", dir, name) < (int)sizeof(buf[0]));
	return p;
}

static void write_path(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void assert_file(const char *path, const char *want)
{
	char *text = NULL;

	assert_int_equal(mhp_read_file(path, 1 << 20, &text, NULL), 0);
	assert_string_equal(text, want);
	free(text);
}

#define there(path) (access((path), F_OK) == 0)

/* Entries of dir whose name starts with prefix ("": all but . and ..). */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && !strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* The fake backend: save writes STATE where it is told (and remembers
 * where), or writes half of it and fails as a cut migration does. */
static char saved_to[512];

static int fake_save(struct mhp_guest *g, const char *path)
{
	(void)g;
	snprintf(saved_to, sizeof(saved_to), "%s", path);
	write_path(path, STATE, strlen(STATE));
	return 0;
}

static int failing_save(struct mhp_guest *g, const char *path)
{
	write_path(path, STATE, 4);
	snprintf(g->error, sizeof(g->error), "QEMU migration failed: No space left on device");
	return -EIO;
}

static const struct mhp_guest_ops save_ops = { .name = "fake", .save = fake_save };
static const struct mhp_guest_ops failing_ops = { .name = "fake-failing", .save = failing_save };

/* A run that finds nothing, makes the snapshot and stores it. */
static void make_snapshot(const struct fx *f)
{
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	struct mhp_guest g = { .ops = &save_ops };
	char err[256] = "";

	write_path(at(f->run, "console.log"), CONSOLE, strlen(CONSOLE));
	assert_int_equal(mhp_snapshot_acquire(&s, f->root, KEY, mhp_deadline_in_ms(1000)), 0);
	assert_true(s.lock_fd >= 0);
	assert_int_equal(mhp_snapshot_store(&s, &g, f->run, MADE_BY, NO_CAP, err, sizeof(err)), 0);
	mhp_snapshot_release(&s);
}

enum { CHILD_RESTORES = 10, CHILD_MAKES, CHILD_TIMED_OUT, CHILD_OTHER };

/* A second run acquiring KEY in a child until ms from now.  It first closes
 * the parent's lock descriptor: a flock belongs to the open file, which the
 * child's copy would keep locked after the parent released it.  ready (when
 * >= 0) gets a byte just before the child acquires. */
static pid_t child_acquire(const char *root, int parent_fd, unsigned ms, int ready)
{
	pid_t pid;

	fflush(NULL);
	assert_true((pid = fork()) >= 0);
	if (pid > 0)
		return pid;
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	if (parent_fd >= 0)
		close(parent_fd);
	if (ready >= 0 && write(ready, "x", 1) != 1)
		_exit(CHILD_OTHER);
	int r = mhp_snapshot_acquire(&s, root, KEY, mhp_deadline_in_ms(ms));
	int code = r == -ETIMEDOUT ? CHILD_TIMED_OUT : r < 0 ? CHILD_OTHER : s.restore && s.lock_fd < 0 ? CHILD_RESTORES
		   : !s.restore && s.lock_fd >= 0 ? CHILD_MAKES : CHILD_OTHER;
	mhp_snapshot_release(&s);
	_exit(code);
}

static int child_code(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Nothing there: this run makes it and holds the lock; a second run gives
 * up at its deadline, and makes it itself once the lock is released. */
static void test_acquire_empty_and_timeout(void **state)
{
	(void)state;
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	struct fx f;

	fx_make(&f);
	assert_int_equal(mhp_snapshot_acquire(&s, f.root, KEY, mhp_deadline_in_ms(1000)), 0);
	assert_false(s.restore);
	assert_true(s.lock_fd >= 0);
	assert_true(there(at(f.root, KEY ".lock")));
	assert_false(there(at(f.root, KEY)));
	uint64_t t0 = mhp_now_ns();
	assert_int_equal(child_code(child_acquire(f.root, s.lock_fd, 300, -1)), CHILD_TIMED_OUT);
	uint64_t ms = (mhp_now_ns() - t0) / 1000000;
	assert_true(ms >= 300 && ms < 3000);
	mhp_snapshot_release(&s);
	assert_int_equal(s.lock_fd, -1);
	mhp_snapshot_release(&s); /* safe to repeat */
	assert_int_equal(child_code(child_acquire(f.root, -1, 300, -1)), CHILD_MAKES);
	fx_free(&f);
}

/* A store appears whole under root/key, made beside it, and the next run
 * restores it. */
static void test_store(void **state)
{
	(void)state;
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	struct fx f;

	fx_make(&f);
	make_snapshot(&f);
	char *dir = mhp_xasprintf("%s/%s", f.root, KEY), *tmp_state = mhp_xasprintf("%s.tmp-%d/state", dir, (int)getpid());
	assert_string_equal(saved_to, tmp_state);
	assert_file(at(dir, "state"), STATE);
	assert_file(at(dir, "console.log"), CONSOLE);
	assert_file(at(dir, "made-by"), MADE_BY);
	assert_int_equal(count_entries(dir, ""), 3);
	assert_int_equal(count_entries(f.root, KEY ".tmp-"), 0);
	assert_int_equal(count_entries(f.root, ""), 2); /* KEY and KEY.lock */
	assert_int_equal(mhp_snapshot_acquire(&s, f.root, KEY, mhp_deadline_in_ms(1000)), 0);
	assert_true(s.restore);
	assert_int_equal(s.lock_fd, -1);
	assert_string_equal(s.state, at(dir, "state"));
	char *by = mhp_snapshot_made_by(&s);
	assert_string_equal(by, MADE_BY);
	free(by);
	mhp_snapshot_release(&s);
	free(tmp_state);
	free(dir);
	fx_free(&f);
}

struct store_fail_row {
	const char *name;
	const struct mhp_guest_ops *ops;
	bool console;          /* the run directory has a console.log */
	uint64_t cap;
	int ret;
	const char *err, *err2; /* in err */
};

static const struct store_fail_row store_fail_rows[] = {
	{ "store: the save fails", &failing_ops, true, NO_CAP, -EIO, "QEMU migration failed: No space left on device", NULL },
	{ "store: no console.log in the run directory", &save_ops, false, NO_CAP, -ENOENT,
	  "cannot write the snapshot in '", "': No such file or directory" },
	/* Eviction would take the new one at once: not "saved". */
	{ "store: a snapshot larger than the cap", &save_ops, true, 1, -EFBIG,
	  "the snapshot is larger than the cache's cap (--snapshot-cap 0 MiB)", NULL },
};

/* A store that fails leaves nothing but the lock: no half snapshot, no
 * directory being made. */
static void test_store_fails(void **state)
{
	const struct store_fail_row *row = *state;
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	struct mhp_guest g = { .ops = row->ops };
	char err[512] = "";
	struct fx f;

	fx_make(&f);
	if (row->console)
		write_path(at(f.run, "console.log"), CONSOLE, strlen(CONSOLE));
	assert_int_equal(mhp_snapshot_acquire(&s, f.root, KEY, mhp_deadline_in_ms(1000)), 0);
	assert_int_equal(mhp_snapshot_store(&s, &g, f.run, MADE_BY, row->cap, err, sizeof(err)), row->ret);
	if (!strstr(err, row->err) || (row->err2 && !strstr(err, row->err2)))
		fail_msg("err is '%s'", err);
	assert_int_equal(count_entries(f.root, ""), 1);
	assert_int_equal(count_entries(f.root, KEY ".lock"), 1);
	mhp_snapshot_release(&s);
	assert_int_equal(child_code(child_acquire(f.root, -1, 1000, -1)), CHILD_MAKES);
	fx_free(&f);
}

/* A run that finds the key being made waits, and restores what the maker
 * stored instead of booting the machine too. */
static void test_waiter_restores(void **state)
{
	(void)state;
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	struct mhp_guest g = { .ops = &save_ops };
	char err[256] = "", c;
	int p[2];
	struct fx f;

	fx_make(&f);
	write_path(at(f.run, "console.log"), CONSOLE, strlen(CONSOLE));
	assert_int_equal(mhp_snapshot_acquire(&s, f.root, KEY, mhp_deadline_in_ms(1000)), 0);
	assert_true(s.lock_fd >= 0);
	assert_int_equal(pipe(p), 0);
	pid_t pid = child_acquire(f.root, s.lock_fd, 5000, p[1]);
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	nanosleep(&(struct timespec){ 0, 300 * 1000000L }, NULL); /* the child polls the lock by now */
	assert_int_equal(mhp_snapshot_store(&s, &g, f.run, MADE_BY, NO_CAP, err, sizeof(err)), 0);
	mhp_snapshot_release(&s);
	assert_int_equal(child_code(pid), CHILD_RESTORES);
	fx_free(&f);
}

/* A restored run starts its console.log with the snapshot's and marks the
 * snapshot used now. */
static void test_begin_run(void **state)
{
	(void)state;
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	struct stat st;
	struct fx f;

	fx_make(&f);
	make_snapshot(&f);
	char *state_path = mhp_xasprintf("%s/%s/state", f.root, KEY), *run2 = mhp_xasprintf("%s/run2", f.base);
	assert_int_equal(utimensat(AT_FDCWD, state_path, old, 0), 0);
	assert_int_equal(mkdir(run2, 0755), 0);
	assert_int_equal(mhp_snapshot_acquire(&s, f.root, KEY, mhp_deadline_in_ms(1000)), 0);
	assert_true(s.restore);
	time_t before = time(NULL);
	assert_int_equal(mhp_snapshot_begin_run(&s, run2), 0);
	assert_file(at(run2, "console.log"), CONSOLE);
	assert_int_equal(stat(state_path, &st), 0);
	assert_true(st.st_mtim.tv_sec >= before - 1);
	assert_int_equal(mhp_snapshot_begin_run(&s, at(f.base, "no-such-dir")), -ENOENT);
	mhp_snapshot_release(&s);
	free(state_path);
	free(run2);
	fx_free(&f);
}

/* A finished snapshot made by hand: 1 MiB of state (real data, so it takes
 * blocks), console.log and made-by; last used at second `used`. */
static void hand_snapshot(const char *root, const char *name, time_t used)
{
	static char data[1 << 20];
	char *dir = mhp_xasprintf("%s/%s", root, name);
	struct timespec t[2] = { { used, 0 }, { used, 0 } };

	memset(data, 'm', sizeof(data));
	assert_int_equal(mkdir(dir, 0755), 0);
	write_path(at(dir, "state"), data, 1 << 20);
	write_path(at(dir, "console.log"), CONSOLE, strlen(CONSOLE));
	write_path(at(dir, "made-by"), MADE_BY, strlen(MADE_BY));
	assert_int_equal(utimensat(AT_FDCWD, at(dir, "state"), t, 0), 0);
	free(dir);
}

/* What a snapshot takes on disk, as eviction counts it. */
static uint64_t du(const char *root, const char *name)
{
	static const char *const files[] = { "state", "console.log", "made-by" };
	char *dir = mhp_xasprintf("%s/%s", root, name);
	uint64_t b = 0;
	struct stat st;

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(stat(at(dir, files[i]), &st), 0);
		b += (uint64_t)st.st_blocks * 512;
	}
	free(dir);
	return b;
}

struct evict_row {
	const char *name;
	unsigned twos, less; /* the cap: what aaa and ccc take, times twos, less bytes */
	int gone;
	bool aaa, bbb, ccc; /* which stay */
};

/* Last used: bbb first, then aaa, then ccc. */
static const struct evict_row evict_rows[] = {
	{ "evict: under the cap, nothing goes", 3, 0, 0, true, true, true },
	{ "evict: a cap for two, the least recently used goes", 1, 0, 1, true, false, true },
	{ "evict: a byte under two, the two oldest go", 1, 1, 2, false, false, true },
	{ "evict: cap 0, every finished one goes", 0, 0, 3, false, false, false },
};

/* A pid that no process has: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void test_evict(void **state)
{
	const struct evict_row *row = *state;
	char live[64], dead[64], live_state[80];
	struct fx f;

	snprintf(live, sizeof(live), "ddd.tmp-%d", (int)getpid());
	snprintf(live_state, sizeof(live_state), "%s/state", live);
	snprintf(dead, sizeof(dead), "fff.tmp-%d", (int)dead_pid());
	fx_make(&f);
	hand_snapshot(f.root, "aaa", 2000);
	hand_snapshot(f.root, "bbb", 1000);
	hand_snapshot(f.root, "ccc", 3000);
	hand_snapshot(f.root, live, 500); /* being made: never counted or removed */
	hand_snapshot(f.root, dead, 500); /* its maker died while saving: it goes */
	write_path(at(f.root, "aaa.lock"), "", 0);
	write_path(at(f.root, "eee.lock"), "", 0);
	uint64_t cap = (du(f.root, "aaa") + du(f.root, "ccc")) * row->twos - row->less;
	assert_int_equal(mhp_snapshot_evict(f.root, cap), row->gone);
	assert_int_equal(there(at(f.root, "aaa")), row->aaa);
	assert_int_equal(there(at(f.root, "bbb")), row->bbb);
	assert_int_equal(there(at(f.root, "ccc")), row->ccc);
	assert_true(there(at(f.root, live_state)));
	assert_false(there(at(f.root, dead)));
	assert_true(there(at(f.root, "aaa.lock")));
	assert_true(there(at(f.root, "eee.lock")));
	assert_int_equal(count_entries(f.root, ""), 3 + row->aaa + row->bbb + row->ccc);
	fx_free(&f);
	assert_int_equal(mhp_snapshot_evict("/nonexistent-mhp-snapshots", 0), 0);
}

/* drop removes the key's snapshot; the next run makes it again. */
static void test_drop(void **state)
{
	(void)state;
	struct mhp_snapshot s = MHP_SNAPSHOT_INIT;
	struct fx f;

	mhp_snapshot_drop(&s); /* nothing acquired: nothing to do */
	fx_make(&f);
	make_snapshot(&f);
	assert_int_equal(mhp_snapshot_acquire(&s, f.root, KEY, mhp_deadline_in_ms(1000)), 0);
	assert_true(s.restore);
	mhp_snapshot_drop(&s);
	assert_false(there(at(f.root, KEY)));
	char *by = mhp_snapshot_made_by(&s);
	assert_string_equal(by, "?");
	free(by);
	mhp_snapshot_release(&s);
	assert_int_equal(count_entries(f.root, ""), 1); /* the lock */
	assert_int_equal(child_code(child_acquire(f.root, -1, 1000, -1)), CHILD_MAKES);
	fx_free(&f);
}

int main(void)
{
	static struct test_list l;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(top))
		return 1;
	TEST_ONE(&l, test_acquire_empty_and_timeout);
	TEST_ONE(&l, test_store);
	TEST_ROWS(&l, test_store_fails, store_fail_rows);
	TEST_ONE(&l, test_waiter_restores);
	TEST_ONE(&l, test_begin_run);
	TEST_ROWS(&l, test_evict, evict_rows);
	TEST_ONE(&l, test_drop);
	r = TEST_RUN("snapshot", &l);
	rm_rf(top);
	return r;
}
