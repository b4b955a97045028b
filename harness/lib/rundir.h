/* Private temporary directories (sockets, an initrd) that a killed mhp
 * cannot leave behind for good: each holds an "owner" file its process
 * keeps open and flock()ed, so a directory whose owner lock can be taken
 * belongs to a process that is gone, and the next mhp removes it. */
#ifndef MHP_RUNDIR_H
#define MHP_RUNDIR_H

struct mhp_rundir {
	char path[256];  /* "" when there is none */
	int lock_fd;     /* the owner file, locked, -1 when none */
};
#define MHP_RUNDIR_INIT { "", -1 }

/* The directory temporary files go to: $TMPDIR, else /tmp. */
const char *mhp_tmp_dir(void);

/* Makes TMP/PREFIX-XXXXXX (mkdtemp, 0700) owned by this process.  -errno
 * (nothing left behind) on failure. */
int mhp_rundir_make(struct mhp_rundir *d, const char *prefix);

/* Removes the directory and every file in it; safe to repeat. */
void mhp_rundir_release(struct mhp_rundir *d);

/* Removes the PREFIX-* directories in tmp whose owner is gone; returns how
 * many went.  Directories of live processes (their lock held) stay, and so
 * do those without an owner file (another program's, or an older mhp's). */
int mhp_rundir_sweep(const char *tmp, const char *prefix);

#endif
