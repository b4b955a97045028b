/* virtio-mem devices of the QEMU backend.  QEMU 7.2 has them on the command
 * line from the start (guest/qemu.c); a resize is qom-set of the device's
 * requested-size, after which the guest driver plugs or unplugs device
 * blocks (QEMU's "size") and adds or removes memory blocks.  QEMU reports
 * each change with MEMORY_DEVICE_SIZE_CHANGE (at most one a second), and
 * query-memory-devices says where the device is now. */
#include "guest/qemu-guest.h"

#include "guest/device-waits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* QEMU's view of virtio-mem device id into r (size, requested, addr). */
static int query(struct mhp_guest *g, const char *id, struct mhp_resized *r)
{
	json_object *list = NULL, *dev;
	int rc = mhp_qemu_memory_device(g, id, &list, &dev);

	if (rc < 0)
		return rc;
	if (dev) {
		r->size = (uint64_t)mhp_json_path_int(dev, "data/size", 0);
		r->requested = (uint64_t)mhp_json_path_int(dev, "data/requested-size", 0);
		r->addr = (uint64_t)mhp_json_path_int(dev, "data/memaddr", 0);
	}
	json_object_put(list);
	if (dev)
		return 0;
	snprintf(g->error, sizeof(g->error), "QEMU does not list virtio-mem device '%s'", id);
	return -EPROTO;
}

static int set_requested(struct mhp_guest *g, const char *id, uint64_t size)
{
	json_object *args = json_object_new_object();
	char path[96];
	int r;

	snprintf(path, sizeof(path), "/machine/peripheral/%s", id);
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "property", json_object_new_string("requested-size"));
	json_object_object_add(args, "value", json_object_new_uint64(size));
	r = mhp_qmp_execute_ref(&mhp_qemu_of(g)->qmp, mhp_guest_deadline(g), "qom-set", args, NULL);
	return r < 0 ? mhp_qemu_fail(g, r, "qom-set requested-size") : 0;
}

/* query asks QEMU itself: every 20 ms costs a QMP round trip each. */
static int wait_size(struct mhp_guest *g, const char *id, bool settle, struct mhp_resized *r)
{
	return mhp_virtio_mem_wait_size(g, mhp_qemu_event_wait, query, id, 20, settle, r);
}

/* The guest kept part of what a shrink asked back: make what it has the
 * request, or the driver retries the unplug in the background (its retry
 * timer) and memory vanishes under later steps. */
static int accept_partial(struct mhp_guest *g, const char *id, const struct mhp_resized *r)
{
	return r->size != r->requested ? set_requested(g, id, r->size) : 0;
}

int mhp_qemu_resize(struct mhp_guest *g, unsigned index, uint64_t size, int nblocks, struct mhp_resized *ret)
{
	const struct mhp_dimm *d = &g->m->t->dimms[index];
	int r;

	*ret = (struct mhp_resized){ 0 };
	mhp_guest_drain_events(g, mhp_qemu_event_wait, mhp_qmp_match_size_change, d->id);
	if ((r = mhp_virtio_mem_before_resize(g, nblocks)) < 0)
		return r;
	if ((r = set_requested(g, d->id, size)) < 0 || (r = wait_size(g, d->id, nblocks == 0, ret)) < 0 ||
	    (nblocks == 0 && (r = accept_partial(g, d->id, ret)) < 0))
		return r;
	return mhp_virtio_mem_after_resize(g, nblocks, ret);
}

int mhp_qemu_boot_plugged(struct mhp_guest *g, unsigned index, unsigned first_id, unsigned end_id, unsigned nblocks,
			  struct mhp_resized *ret)
{
	int r;

	*ret = (struct mhp_resized){ 0 };
	if ((r = wait_size(g, g->m->t->dimms[index].id, false, ret)) < 0)
		return r;
	return mhp_virtio_mem_await_boot_blocks(g, first_id, end_id, nblocks, ret);
}
