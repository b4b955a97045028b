#include "lib/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

#define OWNER "owner"

const char *mhp_tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* Every file in dir, then dir (it holds no directories). */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
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
	if (d->lock_fd < 0 || flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0 || rename(fresh, owner) < 0) {
		e = errno;
		mhp_rundir_release(d);
		return -e;
	}
	return 0;
}

void mhp_rundir_release(struct mhp_rundir *d)
{
	if (d->path[0])
		remove_tree(d->path);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	*d = (struct mhp_rundir)MHP_RUNDIR_INIT;
}

/* Whether dir's owner file exists and nobody holds its lock. */
static bool abandoned(const char *dir)
{
	_cleanup_free_ char *owner = mhp_xasprintf("%s/" OWNER, dir);
	_cleanup_close_ int fd = open(owner, O_RDWR | O_CLOEXEC);

	return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
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
		if (abandoned(dir)) {
			remove_tree(dir);
			gone++;
		}
	}
	closedir(d);
	return gone;
}
