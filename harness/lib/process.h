/* Child processes: started from an argv (never a shell), in their own process
 * group, with PR_SET_PDEATHSIG as a safety net, watched through a pidfd. */
#ifndef MHP_PROCESS_H
#define MHP_PROCESS_H

#include <sys/types.h>

#include "lib/util.h"

struct mhp_child {
	pid_t pid;     /* 0 when not running */
	int pidfd;     /* -1 when not running */
	int status;    /* exit code, 128+signo when killed; -1 until reaped */
};
#define MHP_CHILD_INIT { 0, -1, -1 }

/* Starts argv[0] (a path or a name looked up in PATH).  stdin is /dev/null;
 * stdout and stderr go to out_path (created/truncated) or, when NULL, are
 * inherited.  A failed exec is reported here as its errno through an
 * O_CLOEXEC pipe (-ENOENT when the program does not exist).  On error nothing
 * is left running. */
int mhp_child_start(struct mhp_child *c, char *const argv[], const char *out_path);

/* The same, with stdout and stderr appended to log_path (created if need be). */
int mhp_child_start_append(struct mhp_child *c, char *const argv[], const char *log_path);
/* Forks a child that runs code of this program (not an exec): in its own
 * process group, with PR_SET_PDEATHSIG SIGTERM so it stops what it runs
 * when the parent dies.  Returns 0 in the child, 1 in the parent (c set up,
 * watched through its pidfd), -errno when no child was made. */
int mhp_child_fork(struct mhp_child *c);

/* Waits for the child to exit until the deadline.  Returns 0 (c->status set)
 * or -ETIMEDOUT.  The child is reaped on success. */
int mhp_child_wait(struct mhp_child *c, mhp_deadline_t deadline);

/* Non-blocking check: 1 if the child has exited (and is reaped), else 0. */
int mhp_child_poll(struct mhp_child *c);

/* Stops the child: SIGTERM to its group, up to grace_ms, then SIGKILL and a
 * reap.  Safe on a child that already exited or never started. */
void mhp_child_stop(struct mhp_child *c, unsigned grace_ms);

/* Describes c->status in words ("exit status 1", "killed by signal 9"). */
const char *mhp_child_describe(const struct mhp_child *c, char *buf, size_t size);

/* Runs argv to completion under a deadline and captures its stdout (at most
 * max bytes, NUL-terminated; ret_out may be NULL).  Returns the exit status (>= 0) or -errno. */
int mhp_run_capture(char *const argv[], mhp_deadline_t deadline, size_t max, char **ret_out);

/* Runs argv to completion, stdout and stderr appended to log.  On failure
 * (exit status, deadline, SIGINT/SIGTERM: -EIO, -ETIMEDOUT, -EINTR) err
 * names what failed and quotes the log's last lines. */
int mhp_run_logged(char *const argv[], const char *log, mhp_deadline_t d, const char *what, char *err,
		   size_t errsize);
/* The same, calling tick(ctx) about twice a second while argv runs (a
 * progress line that reads the log). */
typedef void (*mhp_tick_fn)(void *ctx);
int mhp_run_logged_tick(char *const argv[], const char *log, mhp_deadline_t d, const char *what, mhp_tick_fn tick,
			void *ctx, char *err, size_t errsize);

/* Before mhp exits: the processes left to it as a subreaper (a
 * grandchild whose parent died, e.g. bisect's step after git was stopped)
 * get SIGTERM, SIGKILL after grace_ms, and are reaped. */
void mhp_reap_orphans(unsigned grace_ms);
/* Reaps the children that exited, but those in keep (whose owners wait
 * for them): a daemonized QEMU of libvirt's comes to mhp as a subreaper,
 * and libvirt, which waits for it to vanish, would wait out its timeouts
 * on a zombie. */
void mhp_reap_exited_orphans(const pid_t *keep, size_t nkeep);

#endif
