/* Page accounting: the pages present and spanned in a node's zones, the
 * bytes hot-added memory adds to MemTotal (less its memmap where
 * memmap_on_memory puts it on the memory itself) and the pageblock order
 * that decides whether it can. */
#include "model/oracle.h"

#include "model/oracle-internal.h"

#define STRUCT_PAGE_SIZE 64 /* x86_64 sizeof(struct page) */
#define DEFAULT_PAGEBLOCK_ORDER 9 /* with HUGETLB: HPAGE_PMD_ORDER */

/* Boot blocks lose what the e820 does not call RAM (page 0, the 640K-1M
 * hole, the firmware's top 128K). */
uint64_t mhp_oracle_present_bytes(const struct mhp_oracle *o, const struct mhp_oracle_block *b)
{
	uint64_t pfns[2][2], sum = 0;
	size_t n;

	if (b->dimm >= 0)
		return o->block_size;
	n = mhp_oracle_usable_pfn_ranges(o->t, (struct mhp_range){ (uint64_t)b->id * o->block_size, o->block_size },
					 pfns);
	for (size_t i = 0; i < n; i++)
		sum += (pfns[i][1] - pfns[i][0]) * PAGE_SIZE_BYTES;
	return sum;
}

/* memmap_on_memory: 6.1 (mhp_supports_memmap_on_memory()) only for a range
 * of exactly one memory block; from 6.6 on, for every block of any DIMM.
 * Both want the memmap (2M of a 128M block: 512 pages) in whole pageblocks
 * (pageblock_nr_pages). */
static bool memmap_on_memory(const struct mhp_oracle *o, int dimm)
{
	uint64_t memmap_pages = o->block_size / PAGE_SIZE_BYTES * STRUCT_PAGE_SIZE / PAGE_SIZE_BYTES;
	unsigned order = o->pageblock_order ? o->pageblock_order : DEFAULT_PAGEBLOCK_ORDER;

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
		if (b->node != node || !mhp_oracle_in_zone(b, z))
			continue;
		if (b->dimm < 0)
			return -1;
		lo = n && lo < b->id ? lo : b->id;
		hi = n && hi > b->id ? hi : b->id;
		n++;
	}
	/* memory_block_online() moves the whole block into the zone
	 * (move_pfn_range_to_zone(): the span grows to the hull of its
	 * blocks) and counts all of it present, memmap and all. */
	*ret_present = (int64_t)(n * pages);
	*ret_spanned = n ? (int64_t)((hi - lo + 1) * pages) : 0;
	return 0;
}

/* memory_block_online() hands the block to the buddy allocator (managed
 * pages) but for the memmap that memmap_on_memory put at its start
 * (nr_vmemmap_pages). */
uint64_t mhp_oracle_hot_managed_bytes(const struct mhp_oracle *o, unsigned node)
{
	uint64_t memmap = o->block_size / PAGE_SIZE_BYTES * STRUCT_PAGE_SIZE, sum = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm < 0 || b->node != node || b->zone == MHP_ZONE_OFF)
			continue;
		sum += o->block_size - (memmap_on_memory(o, b->dimm) ? memmap : 0) - b->unplugged;
	}
	return sum;
}

void mhp_oracle_zone_hot(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, struct mhp_zone_hot *ret)
{
	uint64_t pages = o->block_size / PAGE_SIZE_BYTES, memmap = pages * STRUCT_PAGE_SIZE / PAGE_SIZE_BYTES;

	*ret = (struct mhp_zone_hot){ 0 };
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];
		uint64_t lo = (uint64_t)b->id * pages;

		if (b->dimm < 0 || b->node != node || b->zone != z || z == MHP_ZONE_OFF)
			continue;
		ret->present += pages;
		ret->managed += pages - (memmap_on_memory(o, b->dimm) ? memmap : 0) - b->unplugged / PAGE_SIZE_BYTES;
		ret->lo_pfn = ret->present > pages && ret->lo_pfn < lo ? ret->lo_pfn : lo;
		ret->end_pfn = ret->end_pfn > lo + pages ? ret->end_pfn : lo + pages;
	}
}

uint64_t mhp_oracle_boot_offline_pages(const struct mhp_oracle *o, unsigned node, enum mhp_zone z)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm < 0 && b->node == node && b->zone == MHP_ZONE_OFF && b->boot_zone != MHP_ZONE_OFF &&
		    (z == MHP_ZONE_OFF || b->boot_zone == z))
			pages += o->block_size / PAGE_SIZE_BYTES;
	}
	return pages;
}

bool mhp_oracle_boot_span(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, uint64_t boot_lo,
			  uint64_t boot_end, uint64_t rounded_end, uint64_t *ret_lo, uint64_t *ret_end)
{
	uint64_t pages = o->block_size / PAGE_SIZE_BYTES, lo = 0, end = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];
		uint64_t first = (uint64_t)b->id * pages, last = first + pages;

		if (b->node != node)
			continue;
		/* A boot block split between DMA32 and Movable (kernelcore=):
		 * which part of it is where is not modelled. */
		if (b->dimm < 0 && b->boot_zone == MHP_ZONE_MIXED && b->id != 0)
			return false;
		if (b->zone == MHP_ZONE_OFF || !mhp_oracle_in_zone(b, z))
			continue;
		if (b->dimm < 0 && boot_lo >= first && boot_lo < last)
			first = boot_lo;
		if (b->dimm < 0 && boot_end > first && boot_end <= last)
			last = rounded_end;
		lo = end && lo < first ? lo : first;
		end = end > last ? end : last;
	}
	*ret_lo = lo, *ret_end = end;
	return true;
}
