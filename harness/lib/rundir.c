#include "lib/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

#define OWNER "owner"

const char *mhp_tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

int mhp_rundir_make(struct mhp_rundir *d, const char *prefix)
{
	_cleanup_free_ char *owner = NULL;
	int n = snprintf(d->path, sizeof(d->path), "%s/%s-XXXXXX", mhp_tmp_dir(), prefix), e;

	if (n < 0 || (size_t)n >= sizeof(d->path)) {
		d->path[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(d->path)) {
		e = errno;
		d->path[0] = '\0';
		return -e;
	}
	/* Locked before it has its name: a sweep never sees it unlocked. */
	owner = mhp_xasprintf("%s/" OWNER, d->path);
	_cleanup_free_ char *fresh = mhp_xasprintf("%s/" OWNER ".new", d->path);
	d->lock_fd = open(fresh, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (d->lock_fd < 0 || flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0 || rename(fresh, owner) < 0 ||
	    (d->dir_fd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		e = errno;
		mhp_rundir_release(d);
		return -e;
	}
	return 0;
}

char *mhp_rundir_socket_path(const struct mhp_rundir *d, const char *name)
{
	char *path = mhp_xasprintf("%s/%s", d->path, name);

	if (strlen(path) < sizeof(((struct sockaddr_un *)0)->sun_path))
		return path;
	free(path);
	return mhp_xasprintf("/proc/%ld/fd/%d/%s", (long)getpid(), d->dir_fd, name);
}

void mhp_rundir_release(struct mhp_rundir *d)
{
	/* Removed while still locked: a sweep never takes a live one's lock. */
	if (d->path[0])
		(void)mhp_remove_flat_dir(d->path); /* what stays is swept by the next mhp */
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	if (d->dir_fd >= 0)
		close(d->dir_fd);
	*d = (struct mhp_rundir)MHP_RUNDIR_INIT;
}

/* dir's owner file, locked, when dir is ours (our uid, a real directory)
 * and its owner is gone; -1 otherwise.  Held until dir is removed, so two
 * sweeps never both take it. */
static int take_abandoned(const char *dir)
{
	_cleanup_free_ char *owner = mhp_xasprintf("%s/" OWNER, dir);
	struct stat st;
	int fd;

	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return -1;
	if ((fd = open(owner, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return -1;
	/* Unlinked meanwhile: its owner released it cleanly, or a sweep did. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int mhp_rundir_sweep(const char *tmp, const char *prefix)
{
	DIR *d = opendir(tmp);
	size_t len = strlen(prefix);
	struct dirent *de;
	int gone = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, len) || de->d_name[len] != '-')
			continue;
		_cleanup_free_ char *dir = mhp_xasprintf("%s/%s", tmp, de->d_name);
		_cleanup_close_ int lock = take_abandoned(dir);
		if (lock >= 0 && mhp_remove_flat_dir(dir) == 0)
			gone++;
	}
	closedir(d);
	return gone;
}
