/* The zone policy: which zone onlining a block gives, from the zones the
 * node already has (mm/memory_hotplug.c zone_for_pfn_range(), identical in
 * 6.1 and 6.12), and the valid_zones the kernel shows for it
 * (drivers/base/memory.c valid_zones_show()). */
#include "model/oracle.h"

#include <stdio.h>
#include <string.h>

#include "model/oracle-internal.h"

#define DEFAULT_AUTO_MOVABLE_RATIO 301 /* memory_hotplug.auto_movable_ratio default */

/* zone_intersects(): the zone's span on the node (the hull of its blocks)
 * meets block id. */
static bool zone_intersects(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, unsigned id)
{
	bool any = false;
	unsigned lo = 0, hi = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->node != node || !mhp_oracle_in_zone(b, z))
			continue;
		lo = any && lo < b->id ? lo : b->id;
		hi = any && hi > b->id ? hi : b->id;
		any = true;
	}
	return any && id >= lo && id <= hi;
}

/* default_kernel_zone_for_pfn(): the first of DMA, DMA32 whose span meets
 * the block, else Normal (online_kernel). */
static enum mhp_zone default_kernel_zone(const struct mhp_oracle *o, unsigned node, unsigned id)
{
	if (zone_intersects(o, node, MHP_ZONE_DMA, id))
		return MHP_ZONE_DMA;
	if (zone_intersects(o, node, MHP_ZONE_DMA32, id))
		return MHP_ZONE_DMA32;
	return MHP_ZONE_NORMAL;
}

/* default_zone_for_pfn(), the contig-zones policy: the one zone whose span
 * meets the block, else Movable under movable_node, else the kernel zone. */
static enum mhp_zone default_zone(const struct mhp_oracle *o, unsigned node, unsigned id)
{
	enum mhp_zone kz = default_kernel_zone(o, node, id);
	bool in_kernel = zone_intersects(o, node, kz, id);
	bool in_movable = zone_intersects(o, node, MHP_ZONE_MOVABLE, id);

	if (in_kernel != in_movable)
		return in_kernel ? kz : MHP_ZONE_MOVABLE;
	return o->t->kernel.movable_node ? MHP_ZONE_MOVABLE : kz;
}

/* auto_movable_stats_account_zone(): bytes of boot memory in kernel zones
 * (present_early_pages) and of ZONE_MOVABLE, on one node or (node < 0) on
 * all. */
static void account(const struct mhp_oracle *o, int node, uint64_t *early_kernel, uint64_t *movable)
{
	*early_kernel = *movable = 0;
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (node >= 0 && b->node != (unsigned)node)
			continue;
		if (b->zone == MHP_ZONE_MOVABLE)
			*movable += mhp_oracle_present_bytes(o, b);
		else if (b->zone != MHP_ZONE_OFF && b->dimm < 0)
			*early_kernel += mhp_oracle_present_bytes(o, b);
	}
}

static unsigned ratio_of(const struct mhp_oracle *o)
{
	return o->t->kernel.auto_movable_ratio ? o->t->kernel.auto_movable_ratio : DEFAULT_AUTO_MOVABLE_RATIO;
}

/* Present pages of virtio-mem device dev (a dynamic memory group) online
 * Movable and in kernel zones. */
static void group_pages(const struct mhp_oracle *o, unsigned dev, uint64_t *movable, uint64_t *kernel)
{
	*movable = *kernel = 0;
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm != (int)dev || b->zone == MHP_ZONE_OFF)
			continue;
		if (b->zone == MHP_ZONE_MOVABLE)
			*movable += PFN(mhp_oracle_present_bytes(o, b));
		else
			*kernel += PFN(mhp_oracle_present_bytes(o, b));
	}
}

/* auto_movable_can_online_movable(), in pages: Movable stays within
 * auto_movable_ratio percent of the early kernel memory with bytes more.
 * The other dynamic groups on the node (virtio-mem devices, not group)
 * are taken out (auto_movable_stats_account_group()): their Movable pages,
 * and the early kernel pages their Movable needs beyond their own kernel
 * pages; the kernel pages of the group being onlined (dynamic) count for
 * it. */
static bool can_online_movable(const struct mhp_oracle *o, int node, uint64_t bytes, int group)
{
	uint64_t early, movable, req = 0, other_movable = 0, gm, gk;
	unsigned ratio = ratio_of(o);

	account(o, node, &early, &movable);
	early = PFN(early), movable = PFN(movable);
	for (unsigned d = 0; d < o->t->nr_dimms; d++) {
		int dn = mhp_topology_dimm_node(o->t, d);

		if (o->t->dimms[d].kind != MHP_DEVICE_VIRTIO_MEM || (int)d == group || (node >= 0 && dn != node))
			continue;
		group_pages(o, d, &gm, &gk);
		if (gm * 100 / ratio > gk)
			req += gm * 100 / ratio - gk;
		other_movable += gm;
	}
	if (early <= req)
		return false;
	early -= req;
	movable -= other_movable;
	if (group >= 0 && o->t->dimms[group].kind == MHP_DEVICE_VIRTIO_MEM) {
		group_pages(o, (unsigned)group, &gm, &gk);
		early += gk;
	}
	return movable + PFN(bytes) <= ratio * early / 100;
}

/* auto_movable_zone_for_pfn(): a DIMM is one static memory group, a
 * virtio-mem device a dynamic one whose unit is what its driver adds at
 * once.  Once any of the group (a dynamic group: of the unit) is in a
 * kernel zone the rest follows; else Movable while the rest of the group
 * (of the unit) still fits the ratio, globally and per node
 * (auto_movable_numa_aware, on by default).  It ignores movable_node. */
static enum mhp_zone auto_movable_zone(const struct mhp_oracle *o, const struct mhp_oracle_block *blk)
{
	bool dynamic = blk->dimm >= 0 && o->t->dimms[blk->dimm].kind == MHP_DEVICE_VIRTIO_MEM;
	uint64_t max = blk->dimm >= 0 ? o->t->dimms[blk->dimm].size : o->block_size, movable = 0;
	unsigned lo = 0, hi = ~0u;

	if (dynamic) {
		unsigned per_unit = (unsigned)(mhp_oracle_device_unit(o, (unsigned)blk->dimm) / o->block_size);
		max = (uint64_t)per_unit * o->block_size;
		lo = blk->id - blk->id % per_unit; /* units are aligned (ALIGN_DOWN(pfn, unit_pages)) */
		hi = lo + per_unit - 1;
	}
	for (size_t i = 0; blk->dimm >= 0 && i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm != blk->dimm || b->zone == MHP_ZONE_OFF || b->id < lo || b->id > hi)
			continue;
		if (b->zone != MHP_ZONE_MOVABLE)
			return default_kernel_zone(o, blk->node, blk->id);
		movable += o->block_size;
	}
	uint64_t rest = max - movable;
	if (!can_online_movable(o, -1, rest, blk->dimm) || !can_online_movable(o, (int)blk->node, rest, blk->dimm))
		return default_kernel_zone(o, blk->node, blk->id);
	return MHP_ZONE_MOVABLE;
}

/* zone_for_pfn_range(). */
enum mhp_zone mhp_oracle_zone_for(const struct mhp_oracle *o, unsigned id, enum mhp_online_type type)
{
	const struct mhp_oracle_block *b = mhp_oracle_find(o, id);

	if (!b)
		return MHP_ZONE_OFF;
	switch (type) {
	case MHP_ONLINE_KERNEL: return default_kernel_zone(o, b->node, id);
	case MHP_ONLINE_MOVABLE: return MHP_ZONE_MOVABLE;
	case MHP_ONLINE: break;
	}
	if (!strcmp(o->t->kernel.online_policy, "auto-movable"))
		return auto_movable_zone(o, b);
	return default_zone(o, b->node, id);
}

void mhp_oracle_valid_zones(const struct mhp_oracle *o, unsigned id, char *buf, size_t size)
{
	const struct mhp_oracle_block *b = mhp_oracle_find(o, id);

	if (!b) {
		snprintf(buf, size, "(absent)");
		return;
	}
	if (b->zone != MHP_ZONE_OFF) {
		snprintf(buf, size, "%s", mhp_zone_name(b->zone));
		return;
	}
	/* valid_zones_show(): the default zone, then online_kernel's and
	 * online_movable's where they differ from it. */
	enum mhp_zone d = mhp_oracle_zone_for(o, id, MHP_ONLINE);
	enum mhp_zone k = mhp_oracle_zone_for(o, id, MHP_ONLINE_KERNEL);
	int n = snprintf(buf, size, "%s", mhp_zone_name(d));
	if (k != d && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, ",%s", mhp_zone_name(k));
	if (d != MHP_ZONE_MOVABLE && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ",%s", mhp_zone_name(MHP_ZONE_MOVABLE));
}
