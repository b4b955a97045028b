/* mhp guest init: a static PID 1 that serves the harness over ttyS1.
 *
 * It mounts proc, sys and devtmpfs, opens the second serial port raw, listens
 * to kernel uevents for memory blocks, says hello, then answers commands (see
 * guest-init/wire.h) until told to power off.  No shell, no busybox.  Every
 * wait has a deadline; anything fatal is reported on the channel and ends in
 * power-off, because PID 1 must never exit. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest-init/channel.h"
#include "guest-init/commands.h"
#include "guest-init/halt.h"
#include "guest-init/modules.h"
#include "guest-init/report.h"
#include "guest-init/state.h"
#include "guest-init/sysfs.h"
#include "guest-init/uevent.h"

static void mount_or_die(const struct channel *ch, const char *src, const char *dir, const char *type)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		fatal(ch, dir, errno);
	if (mount(src, dir, type, MS_NOSUID | MS_NOEXEC, NULL) < 0 && errno != EBUSY)
		fatal(ch, dir, errno);
}

static bool cmdline_has(const char *word)
{
	char cmdline[4096];

	return read_text("/proc/cmdline", cmdline, sizeof(cmdline)) == 0 && strstr(cmdline, word);
}

/* The harness's KVM probe only needs to know that a boot comes back. */
static void probe_mode(void)
{
	if (cmdline_has("mhp.probe=1"))
		power_off();
}

/* Test hook: an init that says hello, then never answers again. */
static void hang_mode(void)
{
	if (!cmdline_has("mhp.test_hang=1"))
		return;
	for (;;)
		pause();
}

static void run_line(void *st, char *line)
{
	command_run(st, line);
}

int main(void)
{
	static struct init_state st = INIT_STATE_INIT;

	mount_or_die(&st.chan, "proc", "/proc", "proc");
	mount_or_die(&st.chan, "sysfs", "/sys", "sysfs");
	mount_or_die(&st.chan, "devtmpfs", "/dev", "devtmpfs");
	probe_mode();
	uevent_open(&st.uevents, &st.chan);
	channel_open(&st.chan);
	modules_load(&st.chan);
	say_hello(&st.chan, "hello");
	hang_mode();
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = st.chan.fd, .events = POLLIN },
			{ .fd = st.uevents.fd, .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			fatal(&st.chan, "poll", errno);
		if (pfd[1].revents)
			uevent_drain(&st.uevents);
		if (pfd[0].revents & POLLIN)
			channel_serve(&st.chan, run_line, &st);
		else if (pfd[0].revents & (POLLHUP | POLLERR))
			/* No host on the line: wait for one without spinning. */
			(void)nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL); /* EINTR: sooner */
	}
}
