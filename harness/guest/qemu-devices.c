/* DIMMs of the QEMU backend: object-add + device_add to plug, device_del to
 * ask for one back, the guest's ACPI _OST and DEVICE_DELETED events to know
 * what the kernel did, query-memory-devices for QEMU's own view. */
#include "guest/qemu-guest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/device-waits.h"
#include "guest/qemu.h"
#include "lib/cleanup.h"

int mhp_qemu_event_wait(struct mhp_guest *g, mhp_deadline_t deadline, mhp_qmp_event_match_fn match, void *ctx,
			json_object **ret_event)
{
	return mhp_qmp_event_wait_ref(&mhp_qemu_of(g)->qmp, deadline, match, ctx, ret_event);
}

int mhp_qemu_memory_device(struct mhp_guest *g, const char *id, json_object **list, json_object **ret_dev)
{
	int r = mhp_qmp_execute_ref(&mhp_qemu_of(g)->qmp, mhp_guest_deadline(g), "query-memory-devices", NULL, list);

	*ret_dev = NULL;
	if (r < 0)
		return mhp_qemu_fail(g, r, "query-memory-devices");
	*ret_dev = mhp_qmp_memory_device_in(*list, id);
	return 0;
}

int mhp_qemu_device(struct mhp_guest *g, const char *id, char *view, size_t size, uint64_t *ret_addr)
{
	json_object *list = NULL, *dev;
	int r = mhp_qemu_memory_device(g, id, &list, &dev);

	if (r < 0)
		return r;
	snprintf(view, size, "(absent)");
	if (dev) {
		snprintf(view, size, "node=%" PRId64 " size=%" PRId64, mhp_json_path_int(dev, "data/node", -1),
			 mhp_json_path_int(dev, "data/size", -1));
		/* A DIMM's "addr" is a virtio-mem device's "memaddr". */
		if (ret_addr)
			*ret_addr = (uint64_t)mhp_json_path_int(dev, "data/addr", mhp_json_path_int(dev, "data/memaddr", 0));
	}
	json_object_put(list);
	return 0;
}

static int qmp(struct mhp_guest *g, const char *command, json_object *args)
{
	int r = mhp_qmp_execute_ref(&mhp_qemu_of(g)->qmp, mhp_guest_deadline(g), command, args, NULL);

	return r < 0 ? mhp_qemu_fail(g, r, command) : 0;
}

static int add_device(struct mhp_guest *g, unsigned index)
{
	const struct mhp_dimm *d = &g->m->t->dimms[index];
	json_object *obj = json_object_new_object(), *dev = json_object_new_object();
	char backend[64];

	mhp_qemu_backend_id(d, backend, sizeof(backend));
	json_object_object_add(obj, "qom-type", json_object_new_string("memory-backend-ram"));
	json_object_object_add(obj, "id", json_object_new_string(backend));
	json_object_object_add(obj, "size", json_object_new_uint64(d->size));
	if (qmp(g, "object-add", obj) < 0) {
		json_object_put(dev);
		return -EIO;
	}
	json_object_object_add(dev, "driver", json_object_new_string("pc-dimm"));
	json_object_object_add(dev, "id", json_object_new_string(d->id));
	json_object_object_add(dev, "memdev", json_object_new_string(backend));
	json_object_object_add(dev, "node", json_object_new_int((int)d->node));
	/* With a regenerated DSDT, slot i's _PXM is DIMM i's: pin it there. */
	if (g->m->pin_slots)
		json_object_object_add(dev, "slot", json_object_new_int((int)mhp_topology_dimm_slot(g->m->t, index)));
	if (d->addr)
		json_object_object_add(dev, "addr", json_object_new_uint64(d->addr));
	return qmp(g, "device_add", dev);
}

/* The guest's _OST for source (1 insert, 3 eject) of device id. */
int mhp_qemu_plug(struct mhp_guest *g, unsigned index, struct mhp_plugged *ret)
{
	const struct mhp_dimm *d = &g->m->t->dimms[index];
	int r;

	*ret = (struct mhp_plugged){ 0 };
	if ((r = add_device(g, index)) < 0 || (r = mhp_guest_wait_ost(g, mhp_qemu_event_wait, d->id, 1, &ret->ost_status)) < 0 ||
	    (r = mhp_qemu_device(g, d->id, ret->device, sizeof(ret->device), &ret->addr)) < 0)
		return r;
	/* No DIMM sits at 0 (the hotplug window is above 4 GiB): without its
	 * address every block id, the oracle and fill/verify would be wrong. */
	if (ret->addr == 0) {
		snprintf(g->error, sizeof(g->error), "QEMU does not list DIMM '%s' (or its address) after device_add: "
			 "query-memory-devices says %s", d->id, ret->device);
		return -EPROTO;
	}
	return mhp_guest_await_blocks(g, "await-add", (unsigned)(d->size / g->hello.block_size), &ret->ids, &ret->nids,
			    "the guest to see the new memory blocks");
}

static int delete_backend(struct mhp_guest *g, const struct mhp_dimm *d)
{
	json_object *args = json_object_new_object();
	char backend[64];

	mhp_qemu_backend_id(d, backend, sizeof(backend));
	json_object_object_add(args, "id", json_object_new_string(backend));
	return qmp(g, "object-del", args);
}

int mhp_qemu_unplug(struct mhp_guest *g, unsigned index, unsigned nblocks, enum mhp_unplug_outcome *ret,
		    char *reason, size_t size)
{
	const struct mhp_dimm *d = &g->m->t->dimms[index];
	json_object *args = json_object_new_object(), *ev = NULL;
	int r;

	off_t from = mhp_guest_console_size(g);

	json_object_object_add(args, "id", json_object_new_string(d->id));
	if ((r = qmp(g, "device_del", args)) < 0)
		return r;
	r = mhp_guest_wait_unplug(g, mhp_qemu_event_wait, mhp_qmp_match_unplug, (void *)d->id, from, &ev);
	if (r < 0)
		return mhp_qemu_fail(g, r, "DEVICE_DELETED or a failed ACPI_DEVICE_OST");
	*ret = strcmp(mhp_qmp_event_name(ev), "DEVICE_DELETED") ? MHP_UNPLUG_REFUSED : MHP_UNPLUG_REMOVED;
	snprintf(reason, size, "ACPI _OST status 0x%" PRIx64, (uint64_t)mhp_json_path_int(ev, "data/info/status", 0));
	json_object_put(ev);
	if (*ret == MHP_UNPLUG_REFUSED)
		return 0;
	reason[0] = '\0';
	if ((r = delete_backend(g, d)) < 0)
		return r;
	return mhp_guest_await_blocks(g, "await-remove", nblocks, NULL, NULL, "the guest to see the blocks removed");
}
