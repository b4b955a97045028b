/* The crash database (fuzz/crashdb.h): plain files, written atomically,
 * under one lock per campaign. */
#include "fuzz/crashdb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

void mhp_crash_hash(const char *signature, char out[17])
{
	snprintf(out, 17, "%016" PRIx64, mhp_hash(MHP_HASH_INIT, signature, strlen(signature)));
}

static int write_text(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/%s", dir, name);

	return mhp_write_file_logged(path, text, strlen(text));
}

char *mhp_crash_field(const char *crash_dir, const char *name)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/%s", crash_dir, name);
	char *text = NULL;

	if (mhp_read_file(path, 4096, &text, NULL) < 0)
		return mhp_xstrdup("");
	text[strcspn(text, "\n")] = '\0';
	return text;
}

unsigned mhp_crash_count(const char *crashes_dir, const char *hash)
{
	_cleanup_free_ char *dir = mhp_xasprintf("%s/%s", crashes_dir, hash), *count = mhp_crash_field(dir, "count");

	return (unsigned)strtoul(count, NULL, 10);
}

/* At most LOG_CAP bytes of each log: a console flooded by a kernel that
 * loops on a splat must not fill the disk, nor stop the campaign. */
#define LOG_CAP (4u << 20)

static int copy_head(const char *from, const char *to)
{
	_cleanup_free_ char *buf = mhp_xcalloc(1, LOG_CAP);
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : mhp_log_errno(-errno, "cannot read '%s'", from);
	n = read(fd, buf, LOG_CAP);
	close(fd);
	if (n < 0)
		return mhp_log_errno(-errno, "cannot read '%s'", from);
	int r = mhp_write_file_atomic(to, buf, (size_t)n);
	return r < 0 ? mhp_log_errno(r, "cannot write '%s'", to) : 0;
}

const char *const mhp_crash_log_files[] = { "console.log", "qmp.log", "channel.log", "result.json", "topology.json",
					     NULL };

static int copy_logs(const char *run_dir, const char *log_dir, uint64_t scenario)
{
	_cleanup_free_ char *index = mhp_xasprintf("%" PRIu64 "\n", scenario);

	if (mkdir(log_dir, 0755) < 0 && errno != EEXIST)
		return mhp_log_errno(-errno, "cannot create '%s'", log_dir);
	for (size_t i = 0; mhp_crash_log_files[i]; i++) {
		_cleanup_free_ char *from = mhp_xasprintf("%s/%s", run_dir, mhp_crash_log_files[i]);
		_cleanup_free_ char *to = mhp_xasprintf("%s/%s", log_dir, mhp_crash_log_files[i]);
		int r = copy_head(from, to);

		if (r < 0)
			return r;
	}
	return write_text(log_dir, "scenario", index);
}

static int lock_db(const char *crashes_dir)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/.lock", crashes_dir);
	int fd;

	if (mkdir(crashes_dir, 0755) < 0 && errno != EEXIST)
		return mhp_log_errno(-errno, "cannot create '%s'", crashes_dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return mhp_log_errno(-errno, "cannot open '%s'", path);
	while (flock(fd, LOCK_EX) < 0) {
		int r = -errno;

		if (r == -EINTR && !mhp_interrupted)
			continue;
		close(fd);
		return r == -EINTR ? r : mhp_log_errno(r, "cannot lock '%s'", path);
	}
	return fd;
}

static int add_locked(const char *dir, const struct mhp_crash *c, unsigned count)
{
	_cleanup_free_ char *line = mhp_xasprintf("%s\n", c->signature), *kind_line = NULL, *n = NULL, *logs = NULL;
	_cleanup_free_ char *first = mhp_xasprintf("%" PRIu64 "\n", c->scenario);
	int r;

	if (count == 1) {
		kind_line = mhp_xasprintf("%s\n", mhp_sig_kind_name(c->kind));
		if ((r = write_text(dir, "description", line)) < 0 || (r = write_text(dir, "kind", kind_line)) < 0 ||
		    (r = write_text(dir, "first.json", c->topology_text)) < 0 ||
		    (r = write_text(dir, "first-scenario", first)) < 0)
			return r;
	}
	if (count <= MHP_CRASH_LOGS) {
		logs = mhp_xasprintf("%s/log%u", dir, count - 1);
		if ((r = copy_logs(c->run_dir, logs, c->scenario)) < 0)
			return r;
	}
	n = mhp_xasprintf("%u\n", count);
	return write_text(dir, "count", n);
}

int mhp_crash_add(const char *crashes_dir, const struct mhp_crash *c, bool *ret_new, unsigned *ret_count)
{
	char hash[17];
	int fd = lock_db(crashes_dir), r;

	if (fd < 0)
		return fd;
	mhp_crash_hash(c->signature, hash);
	_cleanup_free_ char *dir = mhp_xasprintf("%s/%s", crashes_dir, hash);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		r = mhp_log_errno(-errno, "cannot create '%s'", dir);
		close(fd);
		return r;
	}
	unsigned count = mhp_crash_count(crashes_dir, hash) + 1;
	r = add_locked(dir, c, count);
	close(fd);
	if (r == 0) {
		*ret_new = count == 1;
		*ret_count = count;
	}
	return r;
}
