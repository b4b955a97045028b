/* A replayable reproducer for libvirt users: a directory with the boot
 * domain XML, one device XML per DIMM in the order the steps plug them, the
 * initrd a run builds (guest init, and mhp's ACPI tables in the first cpio),
 * the topology, and a README.md with the virsh commands in step order. */
#ifndef MHP_REPLAY_H
#define MHP_REPLAY_H

#include <stddef.h>

#include "model/topology.h"

struct mhp_replay_opts {
	const char *kernel;     /* the bzImage domain.xml boots */
	const char *guest_init; /* the static guest init; NULL: mhp's built one */
	const char *accel;      /* "kvm" or "tcg" (domain type 'kvm' or 'qemu') */
};

/* Writes the reproducer of t into dir, which must not exist or be empty:
 * built in a sibling temporary directory and renamed into place, so a
 * failure leaves nothing behind (dir as it was).  0; -EEXIST when dir holds
 * something; else -errno; the reason in err either way. */
int mhp_replay_write(const struct mhp_topology *t, const char *dir, const struct mhp_replay_opts *o, char *err,
		     size_t errsize);

#endif
