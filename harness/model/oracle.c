#include "model/oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define DEFAULT_AUTO_MOVABLE_RATIO 301 /* memory_hotplug.auto_movable_ratio default */
#define STRUCT_PAGE_SIZE 64            /* x86_64 sizeof(struct page) */
#define PAGE_SIZE_BYTES 4096

static const char *const zone_names[] = {
	[MHP_ZONE_OFF] = "-", [MHP_ZONE_DMA] = "DMA", [MHP_ZONE_DMA32] = "DMA32",
	[MHP_ZONE_NORMAL] = "Normal", [MHP_ZONE_MOVABLE] = "Movable", [MHP_ZONE_MIXED] = "none",
};

const char *mhp_zone_name(enum mhp_zone z)
{
	return z <= MHP_ZONE_MIXED ? zone_names[z] : "?";
}

enum mhp_zone mhp_zone_parse(const char *name)
{
	for (int z = MHP_ZONE_DMA; z <= MHP_ZONE_MIXED; z++)
		if (!strcmp(name, zone_names[z]))
			return (enum mhp_zone)z;
	return MHP_ZONE_OFF;
}

int mhp_online_type_parse(const char *word)
{
	if (!strcmp(word, "online"))
		return MHP_ONLINE;
	if (!strcmp(word, "online_kernel"))
		return MHP_ONLINE_KERNEL;
	if (!strcmp(word, "online_movable"))
		return MHP_ONLINE_MOVABLE;
	return !strcmp(word, "offline") ? -1 : -2;
}

unsigned mhp_kernel_version_code(const char *release)
{
	unsigned major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2 || minor > 99)
		return 0;
	return major * 100 + minor;
}

void mhp_oracle_init(struct mhp_oracle *o, const struct mhp_topology *t, unsigned kver, uint64_t block_size)
{
	memset(o, 0, sizeof(*o));
	o->t = t;
	o->kver = kver;
	o->block_size = block_size;
	o->auto_online = -1;
}

void mhp_oracle_release(struct mhp_oracle *o)
{
	free(o->blocks);
	o->blocks = NULL;
	o->nblocks = 0;
}

/* ------------------------------------------------------------ nodes */

unsigned mhp_oracle_kernel_node(const struct mhp_topology *t, unsigned i)
{
	unsigned rank = 0;

	/* CPU nodes first in index order, then the CPU-less ones. */
	for (unsigned j = 0; j < t->nr_nodes; j++)
		if (t->nodes[j].cpus && (!t->nodes[i].cpus || j < i))
			rank++;
	for (unsigned j = 0; j < i; j++)
		if (!t->nodes[j].cpus && !t->nodes[i].cpus)
			rank++;
	return rank;
}

int mhp_oracle_dimm_node(const struct mhp_topology *t, unsigned dimm)
{
	const struct mhp_dimm *d = &t->dimms[dimm];
	unsigned pxm = d->pxm >= 0 ? (unsigned)d->pxm : d->node;

	for (unsigned i = 0; i < t->nr_nodes; i++)
		if (t->nodes[i].pxm == pxm)
			return (int)mhp_oracle_kernel_node(t, i);
	return -1;
}

/* ------------------------------------------------------------ the model */

static struct mhp_oracle_block *find(const struct mhp_oracle *o, unsigned id)
{
	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].id == id)
			return &o->blocks[i];
	return NULL;
}

const struct mhp_oracle_block *mhp_oracle_block(const struct mhp_oracle *o, unsigned id)
{
	return find(o, id);
}

static void add_block(struct mhp_oracle *o, struct mhp_oracle_block b)
{
	struct mhp_oracle_block *v = realloc(o->blocks, (o->nblocks + 1) * sizeof(*v));

	if (!v)
		abort();
	o->blocks = v;
	o->blocks[o->nblocks++] = b;
}

static void drop_blocks(struct mhp_oracle *o, bool (*drop)(const struct mhp_oracle_block *, int), int arg)
{
	size_t k = 0;

	for (size_t i = 0; i < o->nblocks; i++)
		if (!drop(&o->blocks[i], arg))
			o->blocks[k++] = o->blocks[i];
	o->nblocks = k;
}

/* A block spanning DMA and DMA32 (block 0) counts for both spans. */
static bool in_zone(const struct mhp_oracle_block *b, enum mhp_zone z)
{
	return b->zone == z || (b->zone == MHP_ZONE_MIXED && (z == MHP_ZONE_DMA || z == MHP_ZONE_DMA32));
}

/* zone_intersects(): the zone's span on the node (the hull of its blocks)
 * meets block id. */
static bool zone_intersects(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, unsigned id)
{
	bool any = false;
	unsigned lo = 0, hi = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->node != node || !in_zone(b, z))
			continue;
		lo = any && lo < b->id ? lo : b->id;
		hi = any && hi > b->id ? hi : b->id;
		any = true;
	}
	return any && id >= lo && id <= hi;
}

/* default_kernel_zone_for_pfn(): the first of DMA, DMA32 whose span meets
 * the block, else Normal. */
static enum mhp_zone default_kernel_zone(const struct mhp_oracle *o, unsigned node, unsigned id)
{
	if (zone_intersects(o, node, MHP_ZONE_DMA, id))
		return MHP_ZONE_DMA;
	if (zone_intersects(o, node, MHP_ZONE_DMA32, id))
		return MHP_ZONE_DMA32;
	return MHP_ZONE_NORMAL;
}

/* default_zone_for_pfn(): the one zone whose span meets the block, else
 * Movable under movable_node, else the kernel zone. */
static enum mhp_zone default_zone(const struct mhp_oracle *o, unsigned node, unsigned id)
{
	enum mhp_zone kz = default_kernel_zone(o, node, id);
	bool in_kernel = zone_intersects(o, node, kz, id);
	bool in_movable = zone_intersects(o, node, MHP_ZONE_MOVABLE, id);

	if (in_kernel != in_movable)
		return in_kernel ? kz : MHP_ZONE_MOVABLE;
	return o->t->kernel.movable_node ? MHP_ZONE_MOVABLE : kz;
}

/* ---- kernelcore= / movablecore=: mm/mm_init.c find_zone_movable_pfns_for_nodes() */

#define PFN(x) ((x) / PAGE_SIZE_BYTES)
#define MAX_ORDER_NR_PAGES 1024ull   /* 4 MiB, 6.1 (MAX_ORDER 11) and 6.12 (MAX_PAGE_ORDER 10) */
#define DMA32_START_PFN PFN(16ull << 20) /* ZONE_MOVABLE comes out of DMA32 here */
#define E820_TOP_RESERVED (128ull << 10) /* the firmware keeps the last 128K of RAM */

/* Usable RAM (memblock.memory) of one node range in pages: QEMU's e820 has
 * RAM from page 1 to the 640K hole, then from 1M to 128K below the top. */
static size_t usable_pfn_ranges(const struct mhp_topology *t, struct mhp_range r, uint64_t out[][2])
{
	uint64_t top = PFN(mhp_topology_boot_memory(t) - E820_TOP_RESERVED);
	const uint64_t ram[2][2] = { { 1, PFN(0x9f000ull) }, { PFN(0x100000ull), top } };
	uint64_t lo = PFN(r.start), hi = PFN(r.start + r.size);
	size_t n = 0;

	for (size_t i = 0; i < 2; i++) {
		uint64_t a = lo > ram[i][0] ? lo : ram[i][0], b = hi < ram[i][1] ? hi : ram[i][1];

		if (a < b) {
			out[n][0] = a;
			out[n++][1] = b;
		}
	}
	return n;
}

/* Present bytes of a block: boot blocks lose what the e820 does not call
 * RAM (page 0, the 640K-1M hole, the firmware's top 128K). */
static uint64_t present_bytes(const struct mhp_oracle *o, const struct mhp_oracle_block *b)
{
	uint64_t pfns[2][2], sum = 0;
	size_t n;

	if (b->dimm >= 0)
		return o->block_size;
	n = usable_pfn_ranges(o->t, (struct mhp_range){ (uint64_t)b->id * o->block_size, o->block_size }, pfns);
	for (size_t i = 0; i < n; i++)
		sum += (pfns[i][1] - pfns[i][0]) * PAGE_SIZE_BYTES;
	return sum;
}

/* Bytes of boot memory in kernel zones (present_early_pages) and of
 * ZONE_MOVABLE, on one node or (node < 0) on all. */
static void account(const struct mhp_oracle *o, int node, uint64_t *early_kernel, uint64_t *movable)
{
	*early_kernel = *movable = 0;
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (node >= 0 && b->node != (unsigned)node)
			continue;
		if (b->zone == MHP_ZONE_MOVABLE)
			*movable += present_bytes(o, b);
		else if (b->zone != MHP_ZONE_OFF && b->dimm < 0)
			*early_kernel += present_bytes(o, b);
	}
}

static bool can_online_movable(const struct mhp_oracle *o, int node, uint64_t bytes)
{
	unsigned ratio = o->t->kernel.auto_movable_ratio ? o->t->kernel.auto_movable_ratio : DEFAULT_AUTO_MOVABLE_RATIO;
	uint64_t early, movable;

	account(o, node, &early, &movable);
	return movable + bytes <= ratio * early / 100;
}

/* auto_movable_zone_for_pfn() for a DIMM, which is one static memory group:
 * once any of it is in a kernel zone the rest follows; else Movable while
 * the whole rest of the DIMM still fits the ratio, globally and per node. */
static enum mhp_zone auto_movable_zone(const struct mhp_oracle *o, const struct mhp_oracle_block *blk)
{
	uint64_t movable = 0;

	for (size_t i = 0; blk->dimm >= 0 && i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm != blk->dimm || b->zone == MHP_ZONE_OFF)
			continue;
		if (b->zone != MHP_ZONE_MOVABLE)
			return default_kernel_zone(o, blk->node, blk->id);
		movable += o->block_size;
	}
	uint64_t rest = (blk->dimm >= 0 ? o->t->dimms[blk->dimm].size : o->block_size) - movable;
	if (!can_online_movable(o, -1, rest) || !can_online_movable(o, (int)blk->node, rest))
		return default_kernel_zone(o, blk->node, blk->id);
	return MHP_ZONE_MOVABLE;
}

enum mhp_zone mhp_oracle_zone_for(const struct mhp_oracle *o, unsigned id, enum mhp_online_type type)
{
	const struct mhp_oracle_block *b = find(o, id);

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

enum mhp_zone mhp_oracle_online(struct mhp_oracle *o, unsigned id, enum mhp_online_type type)
{
	struct mhp_oracle_block *b = find(o, id);
	enum mhp_zone z = mhp_oracle_zone_for(o, id, type);

	if (b)
		b->zone = z;
	return z;
}

enum mhp_expect mhp_oracle_offline_expect(const struct mhp_oracle *o, unsigned id)
{
	const struct mhp_oracle_block *b = find(o, id);

	if (!b || b->zone == MHP_ZONE_OFF || b->zone == MHP_ZONE_MOVABLE)
		return MHP_EXPECT_OK;
	return MHP_EXPECT_ANY;
}

void mhp_oracle_offline(struct mhp_oracle *o, unsigned id)
{
	struct mhp_oracle_block *b = find(o, id);

	if (b)
		b->zone = MHP_ZONE_OFF;
}

void mhp_oracle_plug(struct mhp_oracle *o, unsigned dimm, unsigned first_id)
{
	unsigned n = (unsigned)(o->t->dimms[dimm].size / o->block_size);
	int node = mhp_oracle_dimm_node(o->t, dimm);

	for (unsigned i = 0; i < n; i++)
		add_block(o, (struct mhp_oracle_block){ first_id + i, node < 0 ? 0 : (unsigned)node, (int)dimm,
							MHP_ZONE_OFF });
	/* add_memory_resource() onlines the new blocks in address order. */
	for (unsigned i = 0; o->auto_online >= 0 && i < n; i++)
		mhp_oracle_online(o, first_id + i, (enum mhp_online_type)o->auto_online);
}

enum mhp_expect mhp_oracle_unplug_expect(const struct mhp_oracle *o, unsigned dimm)
{
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm == (int)dimm && b->zone != MHP_ZONE_OFF && b->zone != MHP_ZONE_MOVABLE)
			return MHP_EXPECT_ANY;
	}
	return MHP_EXPECT_OK;
}

static bool of_dimm(const struct mhp_oracle_block *b, int dimm)
{
	return b->dimm == dimm;
}

void mhp_oracle_unplug(struct mhp_oracle *o, unsigned dimm)
{
	drop_blocks(o, of_dimm, (int)dimm);
}

void mhp_oracle_resync_dimm(struct mhp_oracle *o, unsigned dimm, const struct mhp_guest_report *r)
{
	for (size_t i = 0; i < o->nblocks; i++) {
		struct mhp_oracle_block *b = &o->blocks[i];
		const struct mhp_block *seen = mhp_guest_report_block(r, b->id);

		if (b->dimm == (int)dimm && seen)
			b->zone = strcmp(seen->state, "online") ? MHP_ZONE_OFF : mhp_zone_parse(seen->zone);
	}
}

void mhp_oracle_valid_zones(const struct mhp_oracle *o, unsigned id, char *buf, size_t size)
{
	const struct mhp_oracle_block *b = find(o, id);

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

/* memmap_on_memory: 6.1 (mhp_supports_memmap_on_memory) only for a range of
 * exactly one memory block; from 6.6 on, for every block of any DIMM.  Both
 * want the memmap (2M of a 128M block: 512 pages) in whole pageblocks. */
static bool memmap_on_memory(const struct mhp_oracle *o, int dimm)
{
	uint64_t memmap_pages = o->block_size / PAGE_SIZE_BYTES * STRUCT_PAGE_SIZE / PAGE_SIZE_BYTES;
	unsigned order = o->pageblock_order ? o->pageblock_order : 9;

	if (!o->t->kernel.memmap_on_memory || o->no_memmap_on_memory || dimm < 0 || memmap_pages % (1ull << order))
		return false;
	return o->kver >= 606 || o->t->dimms[dimm].size == o->block_size;
}

int mhp_oracle_zone_pages(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, int64_t *ret_present,
			  int64_t *ret_spanned)
{
	uint64_t pages = o->block_size / PAGE_SIZE_BYTES, n = 0;
	unsigned lo = 0, hi = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		/* A boot block across DMA32 and Movable (kernelcore=) holds an
		 * unknown part of this zone. */
		if (b->node == node && b->dimm < 0 && b->zone == MHP_ZONE_MIXED && b->id != 0)
			return -1;
		if (b->node != node || !in_zone(b, z))
			continue;
		if (b->dimm < 0)
			return -1;
		lo = n && lo < b->id ? lo : b->id;
		hi = n && hi > b->id ? hi : b->id;
		n++;
	}
	*ret_present = (int64_t)(n * pages);
	*ret_spanned = n ? (int64_t)((hi - lo + 1) * pages) : 0;
	return 0;
}

uint64_t mhp_oracle_hot_managed_bytes(const struct mhp_oracle *o, unsigned node)
{
	uint64_t memmap = o->block_size / PAGE_SIZE_BYTES * STRUCT_PAGE_SIZE, sum = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm < 0 || b->node != node || b->zone == MHP_ZONE_OFF)
			continue;
		sum += o->block_size - (memmap_on_memory(o, b->dimm) ? memmap : 0);
	}
	return sum;
}

/* ------------------------------------------------------------ boot */

static bool is_boot(const struct mhp_oracle_block *b, int unused)
{
	(void)unused;
	return b->dimm < 0;
}

struct pfn_ranges {
	uint64_t r[128][2];
	size_t n;
};

static void node_pfn_ranges(const struct mhp_topology *t, unsigned node, struct pfn_ranges *p)
{
	struct mhp_range r[64];
	size_t nr = mhp_topology_node_ranges(t, node, r, 64);

	p->n = 0;
	for (size_t k = 0; k < nr && p->n + 2 <= 128; k++)
		p->n += usable_pfn_ranges(t, r[k], p->r + p->n);
}

/* One pass of spreading required kernelcore over the nodes. */
static void spread_kernelcore(const struct mhp_topology *t, uint64_t *required, unsigned usable_nodes, uint64_t *movable_pfn)
{
	uint64_t per_node = *required / usable_nodes;

	for (unsigned nid = 0; nid < t->nr_nodes; nid++) {
		struct pfn_ranges p;

		if (!t->nodes[nid].memory)
			continue;
		if (*required < per_node)
			per_node = *required / usable_nodes;
		uint64_t remaining = per_node;
		node_pfn_ranges(t, nid, &p);
		for (size_t i = 0; i < p.n; i++) {
			uint64_t start = p.r[i][0] > movable_pfn[nid] ? p.r[i][0] : movable_pfn[nid], end = p.r[i][1];

			if (start >= end)
				continue;
			if (start < DMA32_START_PFN) { /* below DMA32: kernel only */
				uint64_t kernel = (end < DMA32_START_PFN ? end : DMA32_START_PFN) - start;
				remaining -= kernel < remaining ? kernel : remaining;
				*required -= kernel < *required ? kernel : *required;
				if (end <= DMA32_START_PFN) {
					movable_pfn[nid] = end;
					continue;
				}
				start = DMA32_START_PFN;
			}
			uint64_t size = end - start < remaining ? end - start : remaining;
			movable_pfn[nid] = start + size;
			*required -= size < *required ? size : *required;
			remaining -= size;
			if (!remaining)
				break;
		}
	}
}

/* Where ZONE_MOVABLE starts on each node (bytes), 0 for none. */
static void boot_movable_starts(const struct mhp_topology *t, uint64_t *start)
{
	uint64_t movable_pfn[MHP_MAX_NODES] = { 0 }, total = 0, required = PFN(t->kernel.kernelcore);
	unsigned usable_nodes = 0;

	for (unsigned nid = 0; nid < t->nr_nodes; nid++) {
		struct pfn_ranges p;

		node_pfn_ranges(t, nid, &p);
		for (size_t i = 0; i < p.n; i++)
			total += p.r[i][1] - p.r[i][0];
		usable_nodes += t->nodes[nid].memory != 0;
		start[nid] = 0;
	}
	if (t->kernel.movablecore) {
		uint64_t movable = (PFN(t->kernel.movablecore) + MAX_ORDER_NR_PAGES - 1) / MAX_ORDER_NR_PAGES * MAX_ORDER_NR_PAGES;
		movable = movable < total ? movable : total;
		required = required > total - movable ? required : total - movable;
	}
	if (!required || required >= total)
		return;
	while (usable_nodes) {
		spread_kernelcore(t, &required, usable_nodes, movable_pfn);
		usable_nodes--;
		if (!usable_nodes || required <= usable_nodes)
			break;
	}
	for (unsigned nid = 0; nid < t->nr_nodes; nid++) {
		struct mhp_range r[64];
		size_t nr = mhp_topology_node_ranges(t, nid, r, 64);
		uint64_t pfn = (movable_pfn[nid] + MAX_ORDER_NR_PAGES - 1) / MAX_ORDER_NR_PAGES * MAX_ORDER_NR_PAGES;
		uint64_t end = nr ? PFN(r[nr - 1].start + r[nr - 1].size) : 0;

		if (end > PFN(mhp_topology_boot_memory(t) - E820_TOP_RESERVED))
			end = PFN(mhp_topology_boot_memory(t) - E820_TOP_RESERVED);
		start[nid] = pfn < end ? pfn * PAGE_SIZE_BYTES : 0;
	}
}

/* A boot block's zone given where ZONE_MOVABLE starts on its node. */
static enum mhp_zone boot_zone(const struct mhp_oracle *o, uint64_t a, uint64_t size, uint64_t movable_start,
			       bool movable_node)
{
	if (movable_node || (movable_start && a >= movable_start))
		return MHP_ZONE_MOVABLE;
	if ((a == 0 && !o->no_zone_dma) || (movable_start && a + size > movable_start))
		return MHP_ZONE_MIXED; /* DMA and DMA32, or DMA32 and Movable */
	return MHP_ZONE_DMA32;
}

void mhp_oracle_predict_boot(struct mhp_oracle *o)
{
	const struct mhp_topology *t = o->t;
	uint64_t movable_start[MHP_MAX_NODES];

	drop_blocks(o, is_boot, 0);
	boot_movable_starts(t, movable_start);
	for (unsigned i = 0; i < t->nr_nodes; i++) {
		struct mhp_range r[64];
		size_t nr = mhp_topology_node_ranges(t, i, r, 64);
		/* numa_clear_kernel_node_hotplug(): a node with early reservations
		 * (node 0: the kernel image, under nokaslr; the top node: initrd
		 * and ACPI tables) loses its hot-pluggable flag, so it keeps no
		 * Movable memory. */
		bool movable = t->kernel.movable_node && t->nodes[i].hotpluggable && i != 0 &&
			       i != mhp_topology_top_node(t);

		for (size_t k = 0; k < nr; k++)
			for (uint64_t a = r[k].start; a < r[k].start + r[k].size; a += o->block_size) {
				unsigned id = (unsigned)(a / o->block_size);
				enum mhp_zone z = boot_zone(o, a, o->block_size, movable_start[i], movable);

				add_block(o, (struct mhp_oracle_block){ id, mhp_oracle_kernel_node(t, i), -1, z });
			}
	}
}

void mhp_oracle_seed_boot(struct mhp_oracle *o, const struct mhp_guest_report *r)
{
	drop_blocks(o, is_boot, 0);
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct mhp_block *b = &r->blocks[i];
		enum mhp_zone z = strcmp(b->state, "online") ? MHP_ZONE_OFF : mhp_zone_parse(b->zone);

		add_block(o, (struct mhp_oracle_block){ b->id, b->node < 0 ? 0 : (unsigned)b->node, -1, z });
	}
}
