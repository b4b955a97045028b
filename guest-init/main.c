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
#include <sys/utsname.h>
#include <unistd.h>

#include "guest-init/channel.h"
#include "guest-init/commands.h"
#include "guest-init/halt.h"
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

/* Files that are missing leave "-" (or 0): the harness decides what an
 * absent knob means. */
static void say_hello(const struct channel *ch)
{
	struct utsname u;
	char nodes[256] = "-", auto_online[32] = "-", memmap[16] = "-", pagetypes[128] = "";
	unsigned pageblock_order = 0;

	if (uname(&u) < 0)
		fatal(ch, "uname", errno);
	read_text(NODE_SYSFS "/online", nodes, sizeof(nodes));
	read_text(MEMORY_SYSFS "/auto_online_blocks", auto_online, sizeof(auto_online));
	/* Absent without CONFIG_MHP_MEMMAP_ON_MEMORY: then the knob does nothing. */
	read_text("/sys/module/memory_hotplug/parameters/memmap_on_memory", memmap, sizeof(memmap));
	/* "Page block order: 9": memmap_on_memory needs whole pageblocks. */
	if (read_text("/proc/pagetypeinfo", pagetypes, sizeof(pagetypes)) == 0 &&
	    sscanf(pagetypes, "Page block order: %u", &pageblock_order) != 1)
		pageblock_order = 0;
	say(ch, "hello proto=%d release=%s block_size=0x%llx nodes=%s auto_online=%s memmap_on_memory=%s pageblock_order=%u",
	    MHP_WIRE_PROTO, u.release, (unsigned long long)block_size(), nodes, auto_online,
	    memmap[0] ? memmap : "-", pageblock_order);
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
	say_hello(&st.chan);
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
	}
}
