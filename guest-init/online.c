#include "guest-init/online.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-init/deadline.h"
#include "guest-init/sysfs.h"

static void state_path(char *path, size_t size, unsigned id)
{
	snprintf(path, size, MEMORY_SYSFS "/memory%u/state", id);
}

void block_online(const struct channel *ch, unsigned id, const char *type)
{
	char path[PATH_MAX];
	int r;

	if (mhp_wire_lookup(mhp_wire_online_types, type) < 0) {
		say(ch, "error what=online id=%u errno=%d", id, EINVAL);
		return;
	}
	state_path(path, sizeof(path), id);
	r = write_text(path, type);
	if (r < 0)
		say(ch, "error what=online id=%u errno=%d", id, -r);
	else
		say(ch, "ok");
}

/* Waits for the child behind pidfd until ms passed: 1 when it ended, 0 when
 * it did not, or -errno. */
static int wait_exit(int pidfd, int ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int64_t deadline = deadline_in(ms);
	int ready;

	do
		ready = poll(&pfd, 1, deadline_left(deadline));
	while (ready < 0 && errno == EINTR);
	return ready < 0 ? -errno : ready;
}

/* Runs the write in a child and waits ms for it, then kills it: 1 when it
 * ended by itself (*status is then its wait status), 0 when it was killed at
 * the deadline, or -errno. */
static int offline_in_child(const char *path, int ms, int *status)
{
	pid_t pid = fork();
	int ended;

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(-write_text(path, "offline") & 0xff);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ended = pidfd < 0 ? -errno : wait_exit(pidfd, ms);
	if (pidfd >= 0)
		close(pidfd);
	if (ended <= 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return ended < 0 ? ended : -errno;
	return ended;
}

/* The kernel retries offlining until the writer gets a signal, so the write
 * happens in a child that is killed when the deadline passes.  The child's
 * exit status is the errno of its write. */
void block_offline(const struct channel *ch, unsigned id, int ms)
{
	char path[PATH_MAX];
	int status = 0;

	state_path(path, sizeof(path), id);
	int ended = offline_in_child(path, ms, &status);
	if (ended < 0)
		say(ch, "error what=offline id=%u errno=%d", id, -ended);
	else if (ended == 0)
		say(ch, "error what=offline id=%u errno=%d", id, ETIMEDOUT);
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		say(ch, "error what=offline id=%u errno=%d", id, WEXITSTATUS(status));
	else
		say(ch, "ok");
}
