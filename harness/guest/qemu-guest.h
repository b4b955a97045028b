/* The QEMU backend's own state, shared by its two files: qemu-guest.c
 * (start, guest commands, power off, teardown) and qemu-devices.c (DIMMs
 * over QMP).  Nothing outside guest/ includes this. */
#ifndef MHP_QEMU_GUEST_H
#define MHP_QEMU_GUEST_H

#include "guest/backend.h"
#include "guest/channel.h"
#include "guest/qmp.h"
#include "lib/process.h"
#include "lib/rundir.h"

struct mhp_qemu_guest {
	struct mhp_rundir rundir; /* private: sockets, initrd */
	char *qmp_path, *chan_path, *initrd_path;
	struct mhp_child qemu;
	struct mhp_qmp qmp;
	struct mhp_transcript qmp_log;
};

static inline struct mhp_qemu_guest *mhp_qemu_of(struct mhp_guest *g)
{
	return g->impl;
}

/* Says in g->error why waiting for awaited ended with r (QEMU's death and
 * its last events first); returns r. */
int mhp_qemu_fail(struct mhp_guest *g, int r, const char *awaited);

int mhp_qemu_plug(struct mhp_guest *g, unsigned index, struct mhp_plugged *ret);
int mhp_qemu_unplug(struct mhp_guest *g, unsigned index, unsigned nblocks, enum mhp_unplug_outcome *ret,
		    char *reason, size_t size);
int mhp_qemu_device(struct mhp_guest *g, const char *id, char *view, size_t size, uint64_t *ret_addr);
/* The next QMP event match accepts (a mhp_event_wait_fn). */
int mhp_qemu_event_wait(struct mhp_guest *g, mhp_deadline_t deadline, mhp_qmp_event_match_fn match, void *ctx,
			json_object **ret_event);
/* query-memory-devices into *list (the caller puts it); the entry of
 * device id in it (borrowed), or NULL.  -errno (g->error) when QMP fails. */
int mhp_qemu_memory_device(struct mhp_guest *g, const char *id, json_object **list, json_object **ret_dev);
/* qemu-virtio-mem.c: the resize op. */
int mhp_qemu_resize(struct mhp_guest *g, unsigned index, uint64_t size, int nblocks, struct mhp_resized *ret);
int mhp_qemu_boot_plugged(struct mhp_guest *g, unsigned index, unsigned first_id, unsigned end_id, unsigned nblocks,
			  struct mhp_resized *ret);

/* qemu-snapshot.c: boot snapshots (the ops' save and shape; restore runs in
 * start when m->restore is set, after QEMU connected its sockets). */
int mhp_qemu_save(struct mhp_guest *g, const char *path);
int mhp_qemu_restore(struct mhp_guest *g);
int mhp_qemu_shape(const struct mhp_machine *m, char *key, size_t size);

#endif
