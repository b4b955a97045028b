/* Private temporary directories (sockets, an initrd) that a killed mhp
 * cannot leave behind for good: each holds an "owner" file its process
 * keeps open and flock()ed, so a directory whose owner lock can be taken
 * belongs to a process that is gone, and the next mhp removes it. */
#ifndef MHP_RUNDIR_H
#define MHP_RUNDIR_H

struct mhp_rundir {
	char path[256];  /* "" when there is none */
	int lock_fd;     /* the owner file, locked, -1 when none */
	int dir_fd;      /* the directory (O_PATH), for socket paths; -1 when none */
};
#define MHP_RUNDIR_INIT { "", -1, -1 }

/* The directory temporary files go to: $TMPDIR, else /tmp. */
const char *mhp_tmp_dir(void);

/* Makes TMP/PREFIX-XXXXXX (mkdtemp, 0700) owned by this process.  -errno
 * (nothing left behind) on failure. */
int mhp_rundir_make(struct mhp_rundir *d, const char *prefix);

/* The path of socket name in the directory, short enough for a unix
 * socket address (108 bytes) however long $TMPDIR is: PATH/NAME, else
 * /proc/PID/fd/N/NAME through the directory's open descriptor (good for
 * this process and its children while the directory is held). */
char *mhp_rundir_socket_path(const struct mhp_rundir *d, const char *name);

/* Removes the directory and every file in it; safe to repeat. */
void mhp_rundir_release(struct mhp_rundir *d);

/* Removes the PREFIX-* directories in tmp whose owner is gone; returns how
 * many went.  Directories of live processes (their lock held) stay, and so
 * do those without an owner file (another program's, or an older mhp's). */
int mhp_rundir_sweep(const char *tmp, const char *prefix);

#endif
