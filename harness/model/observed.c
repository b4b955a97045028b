#include "model/observed.h"

#include <stdlib.h>
#include <string.h>

void mhp_guest_report_release(struct mhp_guest_report *r)
{
	free(r->blocks);
	free(r->nodes);
	free(r->memmap);
	free(r->zones);
	memset(r, 0, sizeof(*r));
}

const struct mhp_block *mhp_guest_report_block(const struct mhp_guest_report *r, unsigned id)
{
	for (size_t i = 0; i < r->nblocks; i++)
		if (r->blocks[i].id == id)
			return &r->blocks[i];
	return NULL;
}

const struct mhp_zone_info *mhp_guest_report_zone(const struct mhp_guest_report *r, unsigned node, const char *name)
{
	for (size_t i = 0; i < r->nzones; i++)
		if (r->zones[i].node == node && !strcmp(r->zones[i].name, name))
			return &r->zones[i];
	return NULL;
}

const struct mhp_memmap_entry *mhp_guest_report_memmap(const struct mhp_guest_report *r, uint64_t start)
{
	for (size_t i = 0; i < r->nmemmap; i++)
		if (r->memmap[i].start == start)
			return &r->memmap[i];
	return NULL;
}

int64_t mhp_guest_report_memtotal_kb(const struct mhp_guest_report *r, unsigned node)
{
	for (size_t i = 0; i < r->nnodes; i++)
		if (r->nodes[i].id == node)
			return (int64_t)r->nodes[i].memtotal_kb;
	return -1;
}
