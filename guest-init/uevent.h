/* Kernel uevents for memory blocks, from netlink: the ids of blocks that
 * were added or removed, kept until an await command hands them over. */
#ifndef MHP_GUEST_UEVENT_H
#define MHP_GUEST_UEVENT_H

#include "guest-init/channel.h"

#define UEVENT_MAX_PENDING 4096

/* online: a block the kernel onlined (auto-online after a virtio-mem add). */
enum uevent_action { UEVENT_ADD, UEVENT_REMOVE, UEVENT_ONLINE, UEVENT_ACTIONS };

/* Ids of memory blocks whose uevent arrived and was not yet handed to the
 * harness by an await command; more than UEVENT_MAX_PENDING are dropped. */
struct uevent_pending {
	unsigned ids[UEVENT_MAX_PENDING];
	unsigned n;
};

struct uevents {
	int fd;                                          /* -1 until uevent_open() */
	struct uevent_pending pending[UEVENT_ACTIONS];   /* by enum uevent_action */
};

/* Subscribes to the kernel's uevents; fatal on failure. */
void uevent_open(struct uevents *u, const struct channel *ch);

/* Takes in every uevent queued on the socket, without waiting. */
void uevent_drain(struct uevents *u);

/* await-add/await-remove: waits up to ms until count ids of action are
 * pending, then answers "ok ids=..." with all of them and forgets them. */
void uevent_await(struct uevents *u, const struct channel *ch, enum uevent_action action,
		  unsigned count, int ms);

/* await-online-in FIRST END N MS: waits up to ms until N memory blocks of
 * [FIRST, END) are online (a virtio-mem device's blocks plugged while the
 * guest booted), then answers "ok ids=..." with them. */
void uevent_await_online_in(struct uevents *u, const struct channel *ch, unsigned first, unsigned end,
			 unsigned count, int ms);

#endif
