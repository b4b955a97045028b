/* virtio-mem devices in the oracle, after drivers/virtio/virtio_mem.c
 * (6.1 and 6.12 alike).  The driver is in Sub Block Mode when its sub-block
 * (the device block, at least a pageblock) is smaller than a memory block,
 * else in Big Block Mode with big blocks of max(device block, memory block)
 * (virtio_mem_init_hotplug()).
 *
 * Growing (virtio_mem_sbm_plug_request()): partly plugged blocks are
 * filled first, then unused blocks of the region from the bottom up, each
 * added and onlined as auto_online says; BBM adds whole big blocks, lowest
 * unused first (virtio_mem_bbm_plug_request()).
 *
 * Shrinking (virtio_mem_sbm_unplug_request()): partly plugged blocks first,
 * then whole ones, ZONE_MOVABLE before kernel zones, each group from the
 * top down; BBM offline big blocks, then Movable ones, then any, from the
 * top down (virtio_mem_bbm_unplug_request()).  A block with nothing
 * plugged is offlined and removed (offline_and_remove_memory()). */
#include "model/oracle-internal.h"

#include <stdlib.h>

unsigned mhp_oracle_device_blocks(const struct mhp_oracle *o, unsigned dev)
{
	unsigned n = 0;

	for (size_t i = 0; i < o->nblocks; i++)
		n += o->blocks[i].dimm == (int)dev;
	return n;
}

/* The unit the driver adds and removes: a memory block (SBM) or a big
 * block; also its memory group's unit_pages. */
uint64_t mhp_oracle_device_unit(const struct mhp_oracle *o, unsigned dev)
{
	uint64_t sb = o->t->dimms[dev].block_size > MHP_VIRTIO_MEM_SUB_BLOCK ? o->t->dimms[dev].block_size
									   : MHP_VIRTIO_MEM_SUB_BLOCK;

	return sb < o->block_size ? o->block_size : sb;
}


static uint64_t plugged_bytes(const struct mhp_oracle *o, unsigned dev)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].dimm == (int)dev)
			sum += o->block_size - o->blocks[i].unplugged;
	return sum;
}

/* ---------------------------------------------------------------- shrink */

struct victim {
	size_t idx;     /* in o->blocks */
	unsigned rank;  /* the driver's pass */
	unsigned unit;  /* block id (SBM) or big block index */
};

/* The pass of virtio_mem_sbm_unplug_request()'s mb_states[] a block is in:
 * offline partial, offline, Movable partial, kernel partial, Movable,
 * kernel. */
static unsigned sbm_rank(const struct mhp_oracle_block *b)
{
	bool partial = b->unplugged != 0;

	if (b->zone == MHP_ZONE_OFF)
		return partial ? 0 : 1;
	if (partial)
		return b->zone == MHP_ZONE_MOVABLE ? 2 : 3;
	return b->zone == MHP_ZONE_MOVABLE ? 4 : 5;
}

/* virtio_mem_bbm_unplug_request()'s rounds: an offline big block, one all
 * in ZONE_MOVABLE, any. */
static unsigned bbm_rank(const struct mhp_oracle *o, unsigned dev, unsigned bb, unsigned per_bb, unsigned first_id)
{
	bool offline = true, movable = true;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm != (int)dev || (b->id - first_id) / per_bb != bb)
			continue;
		offline = offline && b->zone == MHP_ZONE_OFF;
		movable = movable && b->zone == MHP_ZONE_MOVABLE;
	}
	return offline ? 0 : movable ? 1 : 2;
}

static int victim_order(const void *pa, const void *pb)
{
	const struct victim *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->unit == b->unit ? 0 : a->unit > b->unit ? -1 : 1; /* top down */
}

/* The device's blocks in the order a shrink takes from them; their number. */
static size_t shrink_order(const struct mhp_oracle *o, unsigned dev, unsigned first_id, struct victim *out)
{
	unsigned per_bb = (unsigned)(mhp_oracle_device_unit(o, dev) / o->block_size);
	size_t n = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm != (int)dev)
			continue;
		unsigned bb = (b->id - first_id) / per_bb;
		out[n++] = per_bb > 1 ? (struct victim){ i, bbm_rank(o, dev, bb, per_bb, first_id), bb }
				      : (struct victim){ i, sbm_rank(b), b->id };
	}
	qsort(out, n, sizeof(*out), victim_order);
	return n;
}

/* A shrink of some bytes: the device's blocks in the order the driver
 * takes from them, and what it unplugs of each. */
struct shrink_plan {
	size_t n;
	struct victim *order;
	uint64_t *take;
};

static void plan_release(struct shrink_plan *p)
{
	free(p->order);
	free(p->take);
}

static void plan_shrink(const struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t bytes,
			struct shrink_plan *p)
{
	size_t n = mhp_oracle_device_blocks(o, dev);

	p->order = calloc(n + 1, sizeof(*p->order));
	p->take = calloc(n + 1, sizeof(*p->take));
	if (!p->order || !p->take)
		abort();
	p->n = shrink_order(o, dev, first_id, p->order);
	for (size_t k = 0; k < p->n; k++) {
		uint64_t has = o->block_size - o->blocks[p->order[k].idx].unplugged;

		p->take[k] = bytes < has ? bytes : has;
		bytes -= p->take[k];
	}
}

/* Only ZONE_MOVABLE memory must go back (its pages migrate); memory in a
 * kernel zone may hold unmovable pages, and the driver then unplugs what
 * it can. */
enum mhp_expect mhp_oracle_shrink_expect(const struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t size)
{
	uint64_t now = plugged_bytes(o, dev);
	enum mhp_expect e = MHP_EXPECT_OK;
	struct shrink_plan p;

	if (size >= now)
		return e;
	plan_shrink(o, dev, first_id, now - size, &p);
	for (size_t k = 0; k < p.n; k++)
		if (p.take[k] && o->blocks[p.order[k].idx].zone != MHP_ZONE_MOVABLE)
			e = MHP_EXPECT_ANY;
	plan_release(&p);
	return e;
}

/* A block shrink() emptied: its unplugged bytes set to UINT64_MAX. */
static bool emptied(const struct mhp_oracle_block *b, int unused)
{
	(void)unused;
	return b->dimm >= 0 && b->unplugged == UINT64_MAX;
}

static void shrink(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t bytes)
{
	struct shrink_plan p;

	plan_shrink(o, dev, first_id, bytes, &p);
	for (size_t k = 0; k < p.n; k++) {
		struct mhp_oracle_block *b = &o->blocks[p.order[k].idx];

		b->unplugged += p.take[k];
		if (b->unplugged == o->block_size)
			b->unplugged = UINT64_MAX; /* marked; dropped below */
	}
	mhp_oracle_drop_blocks(o, emptied, 0);
	plan_release(&p);
}

/* ------------------------------------------------------------------ grow */

/* The pass of virtio_mem_sbm_plug_request()'s mb_states[] a partly
 * plugged block is in: kernel, Movable, offline. */
static unsigned plug_rank(const struct mhp_oracle_block *b)
{
	return b->zone == MHP_ZONE_OFF ? 2 : b->zone == MHP_ZONE_MOVABLE ? 1 : 0;
}

/* The lowest partly plugged block of the device in pass rank at or above
 * block lo, or NULL. */
static struct mhp_oracle_block *next_partial(struct mhp_oracle *o, unsigned dev, unsigned rank, unsigned lo)
{
	struct mhp_oracle_block *next = NULL;

	for (size_t i = 0; i < o->nblocks; i++) {
		struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm == (int)dev && b->unplugged && plug_rank(b) == rank && b->id >= lo && (!next || b->id < next->id))
			next = b;
	}
	return next;
}

/* Partly plugged blocks are filled first, each pass from the bottom up;
 * what is left of bytes. */
static uint64_t fill_partial(struct mhp_oracle *o, unsigned dev, uint64_t bytes)
{
	for (unsigned rank = 0; rank < 3; rank++)
		for (struct mhp_oracle_block *b = next_partial(o, dev, rank, 0); b && bytes;
		     b = next_partial(o, dev, rank, b->id + 1)) {
			uint64_t add = bytes < b->unplugged ? bytes : b->unplugged;

			b->unplugged -= add;
			bytes -= add;
		}
	return bytes;
}

/* Adds memory block id with bytes of it plugged and onlines it as
 * auto_online says (the kernel onlines it inside add_memory). */
static void add_block(struct mhp_oracle *o, unsigned dev, unsigned id, uint64_t bytes)
{
	int node = mhp_topology_dimm_node(o->t, dev);

	mhp_oracle_add_block(o, (struct mhp_oracle_block){ id, node < 0 ? 0 : (unsigned)node, (int)dev, MHP_ZONE_OFF,
							   MHP_ZONE_OFF, o->block_size - bytes });
	if (o->auto_online >= 0)
		mhp_oracle_online(o, id, (enum mhp_online_type)o->auto_online);
}

/* Unused units from the bottom of the region (those below the driver's
 * next one come first, and they are the lowest). */
static void grow(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t bytes)
{
	unsigned per_unit = (unsigned)(mhp_oracle_device_unit(o, dev) / o->block_size);
	unsigned span = (unsigned)(o->t->dimms[dev].size / o->block_size);

	bytes = fill_partial(o, dev, bytes);
	for (unsigned u = first_id; bytes && u < first_id + span; u += per_unit) {
		if (mhp_oracle_find(o, u))
			continue;
		for (unsigned id = u; id < u + per_unit && bytes; id++) {
			uint64_t now = bytes < o->block_size ? bytes : o->block_size;

			add_block(o, dev, id, now);
			bytes -= now;
		}
	}
}

void mhp_oracle_resize(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t size)
{
	uint64_t now = plugged_bytes(o, dev);

	if (size > now)
		grow(o, dev, first_id, size - now);
	else if (size < now)
		shrink(o, dev, first_id, now - size);
}

static bool of_device(const struct mhp_oracle_block *b, int dev)
{
	return b->dimm == dev;
}

void mhp_oracle_resync_device(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t plugged,
			      const struct mhp_guest_report *r)
{
	unsigned span = (unsigned)(o->t->dimms[dev].size / o->block_size);
	int node = mhp_topology_dimm_node(o->t, dev);
	size_t k;

	mhp_oracle_drop_blocks(o, of_device, (int)dev);
	k = o->nblocks;
	for (size_t i = 0; i < r->nblocks; i++)
		if (r->blocks[i].id >= first_id && r->blocks[i].id < first_id + span)
			mhp_oracle_add_block(o, (struct mhp_oracle_block){ r->blocks[i].id, node < 0 ? 0 : (unsigned)node,
									   (int)dev, mhp_oracle_observed_zone(&r->blocks[i]),
									   MHP_ZONE_OFF, 0 });
	uint64_t held = (uint64_t)mhp_oracle_device_blocks(o, dev) * o->block_size;
	uint64_t deficit = held > plugged ? held - plugged : 0;
	/* Which blocks hold the unplugged part the guest does not show; the
	 * managed pages of the node are the same wherever it is. */
	for (size_t i = o->nblocks; i-- > k && deficit;) {
		uint64_t take = deficit < o->block_size ? deficit : o->block_size;
		o->blocks[i].unplugged = take;
		deficit -= take;
	}
}
