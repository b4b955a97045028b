#include "run/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/cleanup.h"

#define LOCK_POLL_MS 100
/* What a snapshot directory holds; nothing else is ever in one. */
static const char *const files[] = { "state", "console.log", "made-by" };

static bool exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* A snapshot directory (or one being made) holds files only: they go,
 * then it; what stays is tried again by the next eviction. */
static void remove_dir(const char *dir)
{
	(void)mhp_remove_flat_dir(dir);
}

static int lock_wait(struct mhp_snapshot *s, const char *lock, mhp_deadline_t deadline)
{
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (mhp_interrupted || mhp_deadline_expired(deadline)) {
			close(fd);
			return mhp_interrupted ? -EINTR : -ETIMEDOUT;
		}
		mhp_sleep_ms(LOCK_POLL_MS);
	}
	s->lock_fd = fd;
	return 0;
}

int mhp_snapshot_acquire(struct mhp_snapshot *s, const char *root, const char *key, mhp_deadline_t deadline)
{
	_cleanup_free_ char *lock = NULL;
	int r;

	snprintf(s->key, sizeof(s->key), "%s", key);
	s->root = root ? mhp_xstrdup(root) : mhp_cache_path("snapshots");
	s->dir = mhp_xasprintf("%s/%s", s->root, key);
	s->state = mhp_xasprintf("%s/state", s->dir);
	if ((s->restore = exists(s->state)))
		return 0;
	if ((r = mhp_mkdir_p(s->root, 0755)) < 0)
		return r;
	/* No cap: only what a killed maker left goes. */
	mhp_snapshot_evict(s->root, UINT64_MAX);
	lock = mhp_xasprintf("%s/%s.lock", s->root, key);
	if ((r = lock_wait(s, lock, deadline)) < 0)
		return r;
	/* Whoever held the lock may have made it meanwhile. */
	if ((s->restore = exists(s->state))) {
		close(s->lock_fd);
		s->lock_fd = -1;
	}
	return 0;
}

int mhp_snapshot_begin_run(const struct mhp_snapshot *s, const char *run_dir)
{
	_cleanup_free_ char *from = mhp_xasprintf("%s/console.log", s->dir);
	_cleanup_free_ char *to = mhp_xasprintf("%s/console.log", run_dir);

	/* Its age is when it was last used: eviction goes by it. */
	if (utimensat(AT_FDCWD, s->state, NULL, 0) < 0)
		return -errno;
	return mhp_copy_file(from, to, 64u << 20);
}

char *mhp_snapshot_made_by(const struct mhp_snapshot *s)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/made-by", s->dir);
	char *text = NULL;

	if (mhp_read_file(path, 4096, &text, NULL) < 0)
		return mhp_xstrdup("?");
	text[strcspn(text, "\n")] = '\0';
	return text;
}

int mhp_snapshot_store(struct mhp_snapshot *s, struct mhp_guest *g, const char *run_dir, const char *made_by,
		       uint64_t cap, char *err, size_t errsize)
{
	_cleanup_free_ char *tmp = mhp_xasprintf("%s.tmp-%d", s->dir, (int)getpid());
	_cleanup_free_ char *state = mhp_xasprintf("%s/state", tmp), *by = mhp_xasprintf("%s/made-by", tmp);
	_cleanup_free_ char *console = mhp_xasprintf("%s/console.log", tmp);
	_cleanup_free_ char *run_console = mhp_xasprintf("%s/console.log", run_dir);
	int r;

	remove_dir(tmp);
	if (mkdir(tmp, 0755) < 0) {
		snprintf(err, errsize, "cannot create '%s': %s", tmp, strerror(errno));
		return -errno;
	}
	if ((r = mhp_guest_save(g, state)) < 0)
		snprintf(err, errsize, "%s", g->error);
	else if ((r = mhp_copy_file(run_console, console, 64u << 20)) < 0 || (r = mhp_write_file_atomic(by, made_by, strlen(made_by))) < 0)
		snprintf(err, errsize, "cannot write the snapshot in '%s': %s", tmp, strerror(-r));
	else if (remove_dir(s->dir), rename(tmp, s->dir) < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot rename '%s' to '%s': %s", tmp, s->dir, strerror(errno));
	}
	if (r < 0) {
		remove_dir(tmp);
		return r;
	}
	mhp_snapshot_evict(s->root, cap);
	if (!exists(s->state)) {
		snprintf(err, errsize, "the snapshot is larger than the cache's cap (--snapshot-cap %llu MiB)",
			 (unsigned long long)(cap >> 20));
		return -EFBIG;
	}
	return 0;
}

void mhp_snapshot_drop(struct mhp_snapshot *s)
{
	if (s->dir)
		remove_dir(s->dir);
}

/* ------------------------------------------------------------ eviction */

struct entry {
	char *dir;
	uint64_t bytes;
	struct timespec used;
};

static int by_use(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	return x->used.tv_nsec < y->used.tv_nsec ? -1 : x->used.tv_nsec > y->used.tv_nsec;
}

/* A <key>.tmp-PID directory whose maker died (killed while saving):
 * nothing will finish it, so it goes. */
static void remove_if_abandoned(const char *root, const char *name)
{
	const char *tag = strstr(name, ".tmp-");
	char *end;
	long pid = tag ? strtol(tag + 5, &end, 10) : 0;

	if (pid <= 0 || *end || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return; /* its maker still runs (or cannot be asked) */
	_cleanup_free_ char *dir = mhp_xasprintf("%s/%s", root, name);
	remove_dir(dir);
}

/* A finished snapshot directory's size and last use, 0 when it is none. */
static int measure(const char *dir, struct entry *e)
{
	struct stat st;

	e->bytes = 0;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = mhp_xasprintf("%s/%s", dir, files[i]);
		if (stat(p, &st) < 0)
			return i == 0 ? 0 : 1; /* no state: none */
		e->bytes += (uint64_t)st.st_blocks * 512;
		if (i == 0)
			e->used = st.st_mtim;
	}
	return 1;
}

int mhp_snapshot_evict(const char *root, uint64_t cap)
{
	DIR *d = opendir(root);
	struct entry *all = NULL;
	size_t n = 0, alloc = 0;
	uint64_t total = 0;
	struct dirent *de;
	int gone = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct entry e = { 0 };
		if (strstr(de->d_name, ".tmp-"))
			remove_if_abandoned(root, de->d_name);
		if (de->d_name[0] == '.' || strchr(de->d_name, '.'))
			continue; /* ., .., <key>.lock, <key>.tmp-PID */
		e.dir = mhp_xasprintf("%s/%s", root, de->d_name);
		if (measure(e.dir, &e) <= 0) {
			free(e.dir);
			continue;
		}
		total += e.bytes;
		MHP_ARRAY_PUSH(all, n, alloc) = e;
	}
	closedir(d);
	if (n)
		qsort(all, n, sizeof(*all), by_use);
	for (size_t i = 0; i < n; i++) {
		if (total > cap) {
			remove_dir(all[i].dir);
			total -= all[i].bytes;
			gone++;
		}
		free(all[i].dir);
	}
	free(all);
	return gone;
}

void mhp_snapshot_release(struct mhp_snapshot *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->root);
	free(s->dir);
	free(s->state);
	*s = (struct mhp_snapshot)MHP_SNAPSHOT_INIT;
}
