/* The boot layout: which blocks boot memory gives each node and their
 * zones, from QEMU's e820 and SRAT (hot-pluggable ranges under
 * movable_node), kernelcore=/movablecore=, where the kernel image, initrd
 * and ACPI tables sit and the ZONE_DMA/DMA32 boundaries; or, once the guest
 * booted, what it reported. */
#include "model/oracle.h"

#include "model/oracle-internal.h"

#define MAX_ORDER_NR_PAGES 1024ull   /* 4 MiB, 6.1 (MAX_ORDER 11) and 6.12 (MAX_PAGE_ORDER 10) */
#define DMA32_START_PFN PFN(16ull << 20) /* ZONE_DMA ends, ZONE_DMA32 begins (and ZONE_MOVABLE may) */
#define E820_TOP_RESERVED (128ull << 10) /* the firmware keeps the last 128K of RAM */
#define MAX_RANGES 64                    /* of one node, as mhp_topology_node_ranges() gives them */

/* ------------------------------------------------------------ e820 */

/* The end of e820 RAM: boot memory less the firmware's top 128K. */
static uint64_t e820_top_pfn(const struct mhp_topology *t)
{
	return PFN(mhp_topology_boot_memory(t) - E820_TOP_RESERVED);
}

/* QEMU's e820 has RAM from page 1 to the 640K hole, then from 1M to 128K
 * below the top. */
size_t mhp_oracle_usable_pfn_ranges(const struct mhp_topology *t, struct mhp_range r, uint64_t out[][2])
{
	const uint64_t ram[2][2] = { { 1, PFN(0x9f000ull) }, { PFN(0x100000ull), e820_top_pfn(t) } };
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

struct pfn_ranges {
	uint64_t r[2 * MAX_RANGES][2];
	size_t n;
};

/* for_each_mem_pfn_range() of one node. */
static void node_pfn_ranges(const struct mhp_topology *t, unsigned node, struct pfn_ranges *p)
{
	struct mhp_range r[MAX_RANGES];
	size_t nr = mhp_topology_node_ranges(t, node, r, MAX_RANGES);

	p->n = 0;
	for (size_t k = 0; k < nr && p->n + 2 <= 2 * MAX_RANGES; k++)
		p->n += mhp_oracle_usable_pfn_ranges(t, r[k], p->r + p->n);
}

/* ------------------------------------------------------------ kernelcore= / movablecore= */

static uint64_t roundup_max_order(uint64_t pfn)
{
	return (pfn + MAX_ORDER_NR_PAGES - 1) / MAX_ORDER_NR_PAGES * MAX_ORDER_NR_PAGES;
}

/* One pass of find_zone_movable_pfns_for_nodes() (mm/mm_init.c) spreading
 * the required kernelcore evenly over the nodes; below DMA32 is kernel
 * memory only. */
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

/* Where ZONE_MOVABLE starts on each node (bytes), 0 for none:
 * find_zone_movable_pfns_for_nodes() over QEMU's e820 RAM. */
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
	/* "If movable_node is specified, ignore kernelcore and movablecore
	 * options": ZONE_MOVABLE at boot is then the hot-pluggable ranges'
	 * (boot_node_movable), whatever they are. */
	if (t->kernel.movable_node)
		return;
	if (t->kernel.movablecore) {
		uint64_t movable = roundup_max_order(PFN(t->kernel.movablecore));
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
	/* ZONE_MOVABLE starts on a MAX_ORDER boundary, and not at all past the
	 * node's end. */
	for (unsigned nid = 0; nid < t->nr_nodes; nid++) {
		struct mhp_range r[MAX_RANGES];
		size_t nr = mhp_topology_node_ranges(t, nid, r, MAX_RANGES);
		uint64_t pfn = roundup_max_order(movable_pfn[nid]);
		uint64_t end = nr ? PFN(r[nr - 1].start + r[nr - 1].size) : 0;

		if (end > e820_top_pfn(t))
			end = e820_top_pfn(t);
		start[nid] = pfn < end ? pfn * PAGE_SIZE_BYTES : 0;
	}
}

/* ------------------------------------------------------------ boot blocks */

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

/* A node flagged hot-pluggable in SRAT keeps it under movable_node unless
 * numa_clear_kernel_node_hotplug() clears it: a node with early
 * reservations (node 0: the kernel image, under nokaslr; the top node:
 * initrd and ACPI tables) keeps no Movable memory. */
static bool boot_node_movable(const struct mhp_topology *t, unsigned i)
{
	return t->kernel.movable_node && t->nodes[i].hotpluggable && i != 0 && i != mhp_topology_top_node(t);
}

bool mhp_oracle_boot_movable_node(const struct mhp_oracle *o, unsigned kernel_node)
{
	for (unsigned i = 0; i < o->t->nr_nodes; i++)
		if (mhp_topology_kernel_node(o->t, i) == kernel_node)
			return boot_node_movable(o->t, i);
	return false;
}

static bool is_boot(const struct mhp_oracle_block *b, int unused)
{
	(void)unused;
	return b->dimm < 0;
}

void mhp_oracle_predict_boot(struct mhp_oracle *o)
{
	const struct mhp_topology *t = o->t;
	uint64_t movable_start[MHP_MAX_NODES];

	mhp_oracle_drop_blocks(o, is_boot, 0);
	boot_movable_starts(t, movable_start);
	for (unsigned i = 0; i < t->nr_nodes; i++) {
		struct mhp_range r[MAX_RANGES];
		size_t nr = mhp_topology_node_ranges(t, i, r, MAX_RANGES);
		bool movable = boot_node_movable(t, i);

		for (size_t k = 0; k < nr; k++)
			for (uint64_t a = r[k].start; a < r[k].start + r[k].size; a += o->block_size) {
				unsigned id = (unsigned)(a / o->block_size);
				enum mhp_zone z = boot_zone(o, a, o->block_size, movable_start[i], movable);

				mhp_oracle_add_block(o, (struct mhp_oracle_block){ id, mhp_topology_kernel_node(t, i), -1, z, z, 0 });
			}
	}
}

void mhp_oracle_seed_boot(struct mhp_oracle *o, const struct mhp_guest_report *r)
{
	mhp_oracle_drop_blocks(o, is_boot, 0);
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct mhp_block *b = &r->blocks[i];

		enum mhp_zone z = mhp_oracle_observed_zone(b);

		mhp_oracle_add_block(o, (struct mhp_oracle_block){ b->id, b->node < 0 ? 0 : (unsigned)b->node, -1, z, z, 0 });
	}
}
