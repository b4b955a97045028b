#include "lib/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"

/* Runs in the forked child: only async-signal-safe calls, then execvp. */
static __attribute__((noreturn)) void child_exec(char *const argv[], int out_fd, int err_pipe, pid_t parent)
{
	int null_fd, e;

	if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		goto fail;
	if (getppid() != parent) /* the parent died before prctl */
		_exit(127);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* dup2 makes 0 inheritable */
	if (null_fd < 0 || dup2(null_fd, 0) < 0)
		goto fail;
	if (out_fd >= 0 && (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0))
		goto fail;
	/* Nothing mhp inherited (a CI runner's pipes) goes on to QEMU or make:
	 * a stray child holding a pipe would keep its reader waiting.  CLOEXEC,
	 * not closed: err_pipe must live until the exec. */
	if (close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC); /* EBADF: no such descriptor */
	sigset_t none;
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL); /* fails only on a bad how */
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(err_pipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static int start_with_fd(struct mhp_child *c, char *const argv[], int out_fd)
{
	int pipefd[2], e = 0;
	ssize_t n;
	pid_t parent = getpid(), pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return -e;
	}
	if (pid == 0)
		child_exec(argv, out_fd, pipefd[1], parent);
	close(pipefd[1]);
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -e;
	}
	c->pid = pid;
	c->status = -1;
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->pidfd < 0) {
		e = errno;
		mhp_child_stop(c, 0);
		return -e;
	}
	return 0;
}

int mhp_child_fork(struct mhp_child *c)
{
	pid_t parent = getpid(), pid;
	int e;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		/* SIGTERM, not SIGKILL: a worker stops its own QEMU on the way out. */
		if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		return 0;
	}
	/* Both sides set the group, so no signal to it can race the child's setpgid. */
	setpgid(pid, pid);
	c->pid = pid;
	c->status = -1;
	if ((c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		e = errno;
		mhp_child_stop(c, 0);
		return -e;
	}
	return 1;
}

static int start_to(struct mhp_child *c, char *const argv[], const char *out_path, int mode)
{
	_cleanup_close_ int out_fd = -1;

	if (out_path) {
		out_fd = open(out_path, O_WRONLY | O_CREAT | O_CLOEXEC | mode, 0644);
		if (out_fd < 0)
			return -errno;
	}
	return start_with_fd(c, argv, out_fd);
}

int mhp_child_start(struct mhp_child *c, char *const argv[], const char *out_path)
{
	return start_to(c, argv, out_path, O_TRUNC);
}

int mhp_child_start_append(struct mhp_child *c, char *const argv[], const char *log_path)
{
	return start_to(c, argv, log_path, O_APPEND);
}

static void reap(struct mhp_child *c)
{
	int st;

	/* A group member may outlive the leader: take the group down while the
	 * leader, a zombie until reaped, still holds the group's id. */
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = 0xff00; /* already reaped elsewhere: unknown, say 255 */
			break;
		}
	}
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	close(c->pidfd);
	c->pidfd = -1;
	c->pid = 0;
}

int mhp_child_wait(struct mhp_child *c, mhp_deadline_t deadline)
{
	if (c->pid <= 0)
		return 0;
	for (;;) {
		struct pollfd pfd = { .fd = c->pidfd, .events = POLLIN };
		int r = poll(&pfd, 1, mhp_deadline_poll_ms(deadline));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		reap(c);
		return 0;
	}
}

/* mhp_child_wait that SIGINT/SIGTERM end: -EINTR, the child running. */
static int child_wait_interruptible(struct mhp_child *c, mhp_deadline_t deadline)
{
	struct pollfd pfd = { .fd = c->pidfd, .events = POLLIN };
	int r = c->pid > 0 ? mhp_poll_interruptible(&pfd, 1, deadline) : 1;

	if (r <= 0)
		return r == 0 ? -ETIMEDOUT : r;
	if (c->pid > 0)
		reap(c);
	return 0;
}

int mhp_child_poll(struct mhp_child *c)
{
	if (c->pid <= 0)
		return 1;
	return mhp_child_wait(c, 0) == 0;
}

void mhp_child_stop(struct mhp_child *c, unsigned grace_ms)
{
	if (c->pid <= 0)
		return;
	if (grace_ms && kill(-c->pid, SIGTERM) == 0 &&
	    mhp_child_wait(c, mhp_deadline_in_ms(grace_ms)) == 0)
		return;
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	if (c->pidfd >= 0 && mhp_child_wait(c, mhp_deadline_in_ms(10000)) < 0) {
		/* Unkillable (stuck in the kernel): given up, not left looking alive. */
		close(c->pidfd);
		c->pidfd = -1;
		c->pid = 0;
		c->status = 128 + SIGKILL;
	} else if (c->pidfd < 0) {
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->pid = 0;
	}
}

const char *mhp_child_describe(const struct mhp_child *c, char *buf, size_t size)
{
	if (c->status < 0)
		snprintf(buf, size, "still running");
	else if (c->status > 128)
		snprintf(buf, size, "killed by signal %d (%s)", c->status - 128, strsignal(c->status - 128));
	else
		snprintf(buf, size, "exit status %d", c->status);
	return buf;
}

int mhp_run_capture(char *const argv[], mhp_deadline_t deadline, size_t max, char **ret_out)
{
	struct mhp_child c = MHP_CHILD_INIT;
	_cleanup_free_ char *out = mhp_xcalloc(max + 1, 1);
	int p[2], r;
	size_t len = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	r = start_with_fd(&c, argv, p[1]);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return r;
	}
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		int n = mhp_poll_interruptible(&pfd, 1, deadline);

		if (n <= 0) {
			r = n == 0 ? -ETIMEDOUT : n;
			break;
		}
		ssize_t got = read(p[0], out + len, len < max ? max - len : 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (len < max)
			len += (size_t)got;
	}
	close(p[0]);
	if (r < 0) {
		mhp_child_stop(&c, 0);
		return r;
	}
	r = mhp_child_wait(&c, deadline);
	if (r < 0) {
		mhp_child_stop(&c, 0);
		return r;
	}
	out[len] = '\0';
	if (ret_out)
		*ret_out = TAKE_PTR(out);
	return c.status;
}

int mhp_run_logged(char *const argv[], const char *log, mhp_deadline_t d, const char *what, char *err,
		   size_t errsize)
{
	return mhp_run_logged_tick(argv, log, d, what, NULL, NULL, err, errsize);
}

int mhp_run_logged_tick(char *const argv[], const char *log, mhp_deadline_t d, const char *what, mhp_tick_fn tick,
			void *ctx, char *err, size_t errsize)
{
	struct mhp_child c = MHP_CHILD_INIT;
	_cleanup_free_ char *text = NULL;
	int r = mhp_child_start_append(&c, argv, log);

	/* Waits in slices (for tick) that SIGINT/SIGTERM end at once. */
	while (r == 0 && c.pid > 0) {
		mhp_deadline_t slice = mhp_deadline_in_ms(500);

		r = child_wait_interruptible(&c, slice < d ? slice : d);
		if (r == -ETIMEDOUT && !mhp_deadline_expired(d))
			r = 0;
		if (r == 0 && tick)
			tick(ctx);
	}
	if (r == 0 && c.pid == 0 && c.status == 0)
		return 0;
	if (r < 0)
		mhp_child_stop(&c, 2000);
	if (r == 0)
		r = -EIO;
	if (mhp_read_file(log, 64u << 20, &text, NULL) < 0)
		text = mhp_xstrdup("");
	/* The last 15 lines say what went wrong. */
	const char *tail = text + strlen(text);
	for (int lines = 0; tail > text && lines < 16; tail--)
		lines += tail[-1] == '\n';
	mhp_sanitize(text);
	snprintf(err, errsize, "%s failed (%s; all of it in %s):\n%s", what,
		 r == -EIO ? mhp_child_describe(&c, (char[64]){ 0 }, 64) : strerror(-r), log, tail);
	return r;
}

/* The processes whose parent is this one (orphans of our children come
 * here, as a subreaper), into pids; how many. */
static size_t children(pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	while (d && n < max && (de = readdir(d))) {
		char path[300], buf[512];
		int fd;
		ssize_t len;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[len > 0 ? len : 0] = '\0';
		char *end = strrchr(buf, ')'); /* "pid (comm) S ppid": comm may hold anything */
		int ppid;
		if (end && sscanf(end + 1, " %*c %d", &ppid) == 1 && ppid == getpid())
			pids[n++] = (pid_t)atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

void mhp_reap_exited_orphans(const pid_t *keep, size_t nkeep)
{
	pid_t pids[64];
	size_t n = children(pids, 64);

	for (size_t i = 0; i < n; i++) {
		bool kept = false;
		for (size_t k = 0; k < nkeep && !kept; k++)
			kept = pids[i] == keep[k];
		if (!kept)
			(void)waitpid(pids[i], NULL, WNOHANG); /* 0 while it runs */
	}
}

void mhp_reap_orphans(unsigned grace_ms)
{
	mhp_deadline_t term = mhp_deadline_in_ms(grace_ms), kill_by = mhp_deadline_in_ms(grace_ms + 1000);
	bool termed = false, killed = false;
	pid_t pids[64];
	size_t n;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	while ((n = children(pids, 64)) > 0 && !mhp_deadline_expired(kill_by)) {
		bool now_kill = !killed && mhp_deadline_expired(term);
		for (size_t i = 0; i < n && (!termed || now_kill); i++)
			kill(pids[i], now_kill ? SIGKILL : SIGTERM);
		termed = true, killed |= now_kill;
		mhp_sleep_ms(10);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
