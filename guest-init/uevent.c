#include "guest-init/uevent.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest-init/deadline.h"
#include "guest-init/sysfs.h"

#define UEVENT_BUF 8192

/* The ACTION values counted, by enum uevent_action. */
static const char *const action_names[] = { "add", "remove", "online", NULL };

void uevent_open(struct uevents *u, const struct channel *ch)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = 4 << 20;

	u->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (u->fd < 0)
		fatal(ch, "uevent-socket", errno);
	/* Large: a 4 GiB DIMM sends 32 adds in a burst, plus online events.
	 * Without it only the default buffer, and a lost burst shows as ENOBUFS. */
	if (setsockopt(u->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		console("uevent SO_RCVBUFFORCE: %s", strerror(errno));
	if (bind(u->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		fatal(ch, "uevent-bind", errno);
}

/* One datagram: "ACTION@DEVPATH\0KEY=VALUE\0...".  Only memory blocks count. */
static void uevent_handle(struct uevents *u, const char *buf, size_t len)
{
	const char *action = NULL, *devpath = NULL, *subsystem = NULL;

	for (size_t off = 0; off < len; off += strlen(buf + off) + 1) {
		const char *kv = buf + off;

		if (!strncmp(kv, "ACTION=", 7))
			action = kv + 7;
		else if (!strncmp(kv, "DEVPATH=", 8))
			devpath = kv + 8;
		else if (!strncmp(kv, "SUBSYSTEM=", 10))
			subsystem = kv + 10;
	}
	if (!action || !devpath || !subsystem || strcmp(subsystem, "memory"))
		return;
	const char *name = strrchr(devpath, '/');
	if (!name || strncmp(name, "/memory", 7) || name[7] < '0' || name[7] > '9')
		return;
	int which = mhp_wire_lookup(action_names, action);
	if (which < 0)
		return;
	struct uevent_pending *p = &u->pending[which];
	if (p->n < UEVENT_MAX_PENDING)
		p->ids[p->n++] = (unsigned)strtoul(name + 7, NULL, 10);
}

void uevent_drain(struct uevents *u)
{
	char buf[UEVENT_BUF];

	for (;;) {
		ssize_t n = recv(u->fd, buf, sizeof(buf) - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* ENOBUFS: events were lost; the report still tells the truth. */
			console("uevent recv: %s", strerror(errno));
			return;
		}
		buf[n] = '\0';
		uevent_handle(u, buf, (size_t)n);
	}
}

/* A block's remove uevent goes out (device_del()) before its sysfs
 * directory goes (kobject_del()): a report right after the uevent could
 * still find memoryN, half torn down.  Until it is gone, or the deadline:
 * a second at most, as a block removed in an earlier step may be back. */
static void await_dir_gone(unsigned id, int64_t deadline)
{
	char path[64];

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u", id);
	while (access(path, F_OK) == 0 && deadline_left(deadline) > 0)
		(void)poll(NULL, 0, 1);
}

void uevent_await(struct uevents *u, const struct channel *ch, enum uevent_action action,
		  unsigned count, int ms)
{
	struct uevent_pending *p = &u->pending[action];
	int64_t deadline = deadline_in(ms);
	char line[MHP_WIRE_MAX_LINE] = "";
	size_t off = 0;

	uevent_drain(u);
	while (p->n < count) {
		struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
		int left = deadline_left(deadline);

		if (left == 0) {
			say(ch, "error what=await have=%u want=%u errno=%d", p->n, count, ETIMEDOUT);
			return;
		}
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			fatal(ch, "poll", errno);
		uevent_drain(u);
	}
	int64_t gone_by = deadline_in(deadline_left(deadline) < 1000 ? deadline_left(deadline) : 1000);

	for (unsigned i = 0; i < p->n && off < sizeof(line) - 16; i++) {
		if (action == UEVENT_REMOVE && count > 0) /* 0: only clearing */
			await_dir_gone(p->ids[i], gone_by);
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%u", i ? "," : "", p->ids[i]);
	}
	p->n = 0;
	say(ch, "ok ids=%s", line[0] ? line : "-");
}

/* The online blocks of [first, end) into ids; their number.  Removes
 * their pending add and online uevents: the blocks are handed over here,
 * and a later await-add or await-online must not count them. */
static unsigned online_blocks(struct uevents *u, unsigned first, unsigned end, unsigned *ids, unsigned max)
{
	char path[64], state[16];
	unsigned n = 0;

	for (unsigned id = first; id < end && n < max; id++) {
		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%u/state", id);
		if (read_text(path, state, sizeof(state)) == 0 && !strcmp(state, "online")) /* newline trimmed */
			ids[n++] = id;
	}
	static const enum uevent_action handed[] = { UEVENT_ADD, UEVENT_ONLINE };

	for (size_t a = 0; a < sizeof(handed) / sizeof(handed[0]); a++) {
		struct uevent_pending *p = &u->pending[handed[a]];
		unsigned k = 0;

		for (unsigned i = 0; i < p->n; i++)
			if (p->ids[i] < first || p->ids[i] >= end)
				p->ids[k++] = p->ids[i];
		p->n = k;
	}
	return n;
}

void uevent_await_online_in(struct uevents *u, const struct channel *ch, unsigned first, unsigned end,
			 unsigned count, int ms)
{
	static unsigned ids[UEVENT_MAX_PENDING];
	int64_t deadline = deadline_in(ms);
	char line[MHP_WIRE_MAX_LINE] = "";
	size_t off = 0;
	unsigned n;

	/* Blocks a built-in driver added before init are there already; the
	 * rest come with add and online uevents, each a reason to look again. */
	uevent_drain(u);
	while ((n = online_blocks(u, first, end, ids, UEVENT_MAX_PENDING)) < count) {
		struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
		int left = deadline_left(deadline);

		if (left == 0) {
			say(ch, "error what=await-online-in have=%u want=%u errno=%d", n, count, ETIMEDOUT);
			return;
		}
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			fatal(ch, "poll", errno);
		uevent_drain(u);
	}
	for (unsigned i = 0; i < n && off < sizeof(line) - 16; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%u", i ? "," : "", ids[i]);
	say(ch, "ok ids=%s", line[0] ? line : "-");
}
