/* Unmovable kernel memory on a node, to make a hot-remove fail. */
#ifndef MHP_GUEST_PIN_H
#define MHP_GUEST_PIN_H

#include <stddef.h>

#include "guest-init/channel.h"

/* pin NODE KIB: about kib KiB of slab allocated from one of node's CPUs:
 * directories on a tmpfs, whose dentries and inodes (about 1 KiB each) never
 * migrate.  A kernel-zone DIMM on that node can then not be removed. */
void pin_slab(const struct channel *ch, unsigned node, size_t kib);

#endif
