/* virtio-mem devices in the oracle.  The driver adds a device's memory
 * blocks from the start of its region up, the next one whenever it needs
 * room for what it is asked to plug (drivers/virtio/virtio_mem.c:
 * virtio_mem_sbm_plug_request() takes sbm.next_mb_id, and BBM the next big
 * block), the kernel onlining each as auto_online says (the zone policy is
 * a DIMM's: zone_for_pfn_range() looks at the memory group only under
 * auto-movable).  A shrink unplugs memory blocks from the top
 * (virtio_mem_sbm_unplug_request() and virtio_mem_bbm_unplug_request()
 * walk them in reverse), and a fully unplugged block is offlined and
 * removed (offline_and_remove_memory()). */
#include "model/oracle-internal.h"

unsigned mhp_oracle_device_blocks(const struct mhp_oracle *o, unsigned dev)
{
	unsigned n = 0;

	for (size_t i = 0; i < o->nblocks; i++)
		n += o->blocks[i].dimm == (int)dev;
	return n;
}

/* Only ZONE_MOVABLE memory must go back (its pages migrate); memory in a
 * kernel zone may hold unmovable pages, and the driver then unplugs what
 * it can. */
enum mhp_expect mhp_oracle_shrink_expect(const struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t size)
{
	unsigned keep = (unsigned)(size / o->block_size); /* a partly kept block is unplugged from too */

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm == (int)dev && b->id >= first_id + keep && b->zone != MHP_ZONE_MOVABLE)
			return MHP_EXPECT_ANY;
	}
	return MHP_EXPECT_OK;
}

/* The part of the device's blocks it does not have plugged sits in its top
 * block: the driver fills a partly plugged block before it adds the next
 * (virtio_mem_sbm_plug_request() tries partly plugged blocks first) and
 * empties the top one first on a shrink. */
static void mark_unplugged(struct mhp_oracle *o, unsigned dev, unsigned top_id, uint64_t deficit)
{
	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].dimm == (int)dev)
			o->blocks[i].unplugged = o->blocks[i].id == top_id ? deficit : 0;
}

void mhp_oracle_resize(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t size)
{
	unsigned want = (unsigned)((size + o->block_size - 1) / o->block_size), had = mhp_oracle_device_blocks(o, dev);
	int node = mhp_topology_dimm_node(o->t, dev);
	size_t k = 0;

	for (unsigned i = had; i < want; i++) {
		mhp_oracle_add_block(o, (struct mhp_oracle_block){ first_id + i, node < 0 ? 0 : (unsigned)node, (int)dev,
								   MHP_ZONE_OFF, MHP_ZONE_OFF, 0 });
		if (o->auto_online >= 0)
			mhp_oracle_online(o, first_id + i, (enum mhp_online_type)o->auto_online);
	}
	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].dimm != (int)dev || o->blocks[i].id < first_id + want)
			o->blocks[k++] = o->blocks[i];
	o->nblocks = k;
	if (want)
		mark_unplugged(o, dev, first_id + want - 1, (uint64_t)want * o->block_size - size);
}

void mhp_oracle_resync_device(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t plugged,
			      const struct mhp_guest_report *r)
{
	unsigned span = (unsigned)(o->t->dimms[dev].size / o->block_size);
	int node = mhp_topology_dimm_node(o->t, dev);
	size_t k = 0;

	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].dimm != (int)dev)
			o->blocks[k++] = o->blocks[i];
	o->nblocks = k;
	for (size_t i = 0; i < r->nblocks; i++)
		if (r->blocks[i].id >= first_id && r->blocks[i].id < first_id + span)
			mhp_oracle_add_block(o, (struct mhp_oracle_block){ r->blocks[i].id, node < 0 ? 0 : (unsigned)node,
									   (int)dev, mhp_oracle_observed_zone(&r->blocks[i]),
									   MHP_ZONE_OFF, 0 });
	uint64_t held = (uint64_t)mhp_oracle_device_blocks(o, dev) * o->block_size;
	uint64_t deficit = held > plugged ? held - plugged : 0;
	/* The guest lists blocks in id order: the top ones are last. */
	for (size_t i = o->nblocks; i-- > k && deficit;) {
		uint64_t take = deficit < o->block_size ? deficit : o->block_size;
		o->blocks[i].unplugged = take;
		deficit -= take;
	}
}
