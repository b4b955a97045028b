/* What a topology may ask of a virtio-mem device, on the struct alone: its
 * sizes against its device block size and the memory block size, the
 * knobs the guest needs for its memory to come online, and resize steps.
 *
 * QEMU 7.2 has the device on the command line from the start (device_add
 * of virtio-mem needs 8.1) and resizes it with qom-set requested-size; the
 * guest driver adds memory only while the kernel onlines it by itself
 * (drivers/virtio/virtio_mem.c: it stops adding with offline memory
 * pending), and mhp's guest onlines nothing on its own. */
#include <stdio.h>
#include <string.h>

#include "model/topology-internal.h"

static int bad(const struct mhp_topo_err *e, int line, const char *sect, int idx, const char *field, const char *fmt,
	       ...) MHP_FORMAT(6, 7);
static int bad(const struct mhp_topo_err *e, int line, const char *sect, int idx, const char *field, const char *fmt,
	       ...)
{
	char where[32];
	va_list ap;
	int r;

	snprintf(where, sizeof(where), "%s[%d]", sect, idx);
	va_start(ap, fmt);
	r = mhp_topo_message(e, line, where, field, fmt, ap);
	va_end(ap);
	return r;
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* A size the driver can plug: whole sub-blocks, which span at least
 * MAX_ORDER_NR_PAGES (4M on x86_64, 6.1 and 6.12) and a device block
 * (virtio_mem_init()'s sb_size); in Big Block Mode
 * whole device blocks. */
static int check_plug_size(const struct mhp_dimm *d, uint64_t size, int line, const char *sect, int idx,
			   const char *field, const struct mhp_topo_err *e)
{
	if (size > d->size)
		return bad(e, line, sect, idx, field, "above the device's max_size (%llu MiB)",
			   (unsigned long long)(d->size >> 20));
	if (size % d->block_size)
		return bad(e, line, sect, idx, field, "must be a multiple of the device block size (%llu KiB)",
			   (unsigned long long)(d->block_size >> 10));
	if (size % MHP_VIRTIO_MEM_SUB_BLOCK)
		return bad(e, line, sect, idx, field, "must be a multiple of 4M: the driver plugs whole sub-blocks "
			   "(MAX_ORDER_NR_PAGES), and no more of a request than that");
	return 0;
}

/* The device itself, after its id and node (mhp_topo_check_dimm). */
int mhp_topo_check_virtio_mem(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e)
{
	const struct mhp_dimm *d = &t->dimms[i];
	const struct mhp_kernel_knobs *k = &t->kernel;
	int at = (int)i;

	if (d->addr)
		return bad(e, d->lines.addr, "dimms", at, "addr", "a virtio-mem device's address is QEMU's to pick");
	if (d->pxm >= 0)
		return bad(e, d->lines.pxm, "dimms", at, "pxm", "a virtio-mem device has no ACPI slot to report a _PXM");
	if (!power_of_two(d->block_size) || d->block_size < MHP_VIRTIO_MEM_BLOCK_SIZE || d->block_size > (1ull << 30))
		return bad(e, d->lines.block_size, "dimms", at, "block_size", "must be a power of two from 2M to 1G");
	if (!d->size || d->size % MHP_BLOCK_SIZE || d->size % d->block_size)
		return bad(e, d->lines.size, "dimms", at, "max_size",
			   "must be a multiple of 128M (the memory block size) and of block_size");
	int r = d->requested_size ? check_plug_size(d, d->requested_size, d->lines.requested_size, "dimms", at,
						     "requested_size", e) : 0;
	if (r < 0)
		return r;
	if (strncmp(k->default_state, "online", 6))
		return bad(e, k->lines.default_state ? k->lines.default_state : d->line, "kernel", -1, "memhp_default_state",
			   "a virtio-mem device's memory comes online only by the kernel's auto-online: set online, "
			   "online_kernel or online_movable");
	if (k->memmap_on_memory)
		return bad(e, d->line, "kernel", -1, "memmap_on_memory", "virtio-mem does not use it: leave it out");
	return 0;
}

/* A resize of a virtio-mem device; the DIMM-only actions on one. */
int mhp_topo_check_device_step(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e)
{
	const struct mhp_step *st = &t->steps[i];
	const char *key = mhp_step_kind_name(st->kind);
	const struct mhp_dimm *d;

	if (!mhp_step_kind_has_dimm(st->kind) || st->dimm >= t->nr_dimms)
		return 0;
	d = &t->dimms[st->dimm];
	if (st->kind == MHP_STEP_RESIZE && d->kind != MHP_DEVICE_VIRTIO_MEM)
		return bad(e, st->line, "steps", (int)i, key, "'%s' is a DIMM: it is plugged and unplugged, not resized", d->id);
	if (st->kind == MHP_STEP_RESIZE)
		return check_plug_size(d, st->size, st->lines.size, "steps", (int)i, "size", e);
	/* Its data can be filled and verified across a shrink like a DIMM's,
	 * and kernel memory pinned on its node. */
	if (d->kind == MHP_DEVICE_VIRTIO_MEM && st->kind != MHP_STEP_FILL && st->kind != MHP_STEP_VERIFY &&
	    st->kind != MHP_STEP_PIN)
		return bad(e, st->line, "steps", (int)i, key,
			   "'%s' is a virtio-mem device: it is resized, not plugged, onlined or offlined", d->id);
	return 0;
}

bool mhp_topology_plugs_at_boot(const struct mhp_topology *t)
{
	for (unsigned i = 0; i < t->nr_dimms; i++)
		if (t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM && t->dimms[i].requested_size)
			return true;
	return false;
}
