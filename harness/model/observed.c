#include "model/observed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mhp_guest_report_release(struct mhp_guest_report *r)
{
	free(r->blocks);
	free(r->nodes);
	free(r->memmap);
	free(r->zones);
	free(r->iomem);
	*r = (struct mhp_guest_report)MHP_GUEST_REPORT_INIT;
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

static const struct mhp_memmap_entry *range_at(const struct mhp_memmap_entry *v, size_t n, uint64_t start)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].start == start)
			return &v[i];
	return NULL;
}

const struct mhp_memmap_entry *mhp_guest_report_memmap(const struct mhp_guest_report *r, uint64_t start)
{
	return range_at(r->memmap, r->nmemmap, start);
}

const struct mhp_memmap_entry *mhp_guest_report_iomem(const struct mhp_guest_report *r, uint64_t start)
{
	for (size_t i = 0; i < r->niomem; i++)
		if (r->iomem[i].start == start && !strcmp(r->iomem[i].type, "System_RAM"))
			return &r->iomem[i];
	return NULL;
}

int64_t mhp_guest_report_memtotal_kb(const struct mhp_guest_report *r, unsigned node)
{
	for (size_t i = 0; i < r->nnodes; i++)
		if (r->nodes[i].id == node)
			return (int64_t)r->nodes[i].memtotal_kb;
	return -1;
}

bool mhp_guest_report_has_node(const struct mhp_guest_report *r, unsigned node)
{
	return mhp_guest_report_memtotal_kb(r, node) >= 0;
}

uint64_t mhp_guest_report_present_pages(const struct mhp_guest_report *r, unsigned node)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->nzones; i++)
		if (r->zones[i].node == node)
			sum += r->zones[i].present;
	return sum;
}

static int parse_node(const char **p, unsigned long *ret)
{
	char *end;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	errno = 0;
	*ret = strtoul(*p, &end, 10);
	if (errno || *ret > 63)
		return -EINVAL;
	*p = end;
	return 0;
}

int mhp_nodelist_parse(const char *s, uint64_t *ret_mask)
{
	uint64_t mask = 0;

	if (!strcmp(s, "-") || !*s) {
		*ret_mask = 0;
		return 0;
	}
	for (const char *p = s;; p++) {
		unsigned long lo, hi;

		if (parse_node(&p, &lo) < 0)
			return -EINVAL;
		hi = lo;
		if (*p == '-' && (p++, parse_node(&p, &hi) < 0 || hi < lo))
			return -EINVAL;
		for (unsigned long n = lo; n <= hi; n++)
			mask |= 1ull << n;
		if (!*p)
			break;
		if (*p != ',')
			return -EINVAL;
	}
	*ret_mask = mask;
	return 0;
}

void mhp_nodelist_format(uint64_t mask, char *buf, size_t size)
{
	size_t off = 0;

	snprintf(buf, size, "-");
	for (unsigned n = 0; n < 64 && off < size; n++) {
		unsigned hi = n;

		if (!(mask >> n & 1))
			continue;
		while (hi < 63 && (mask >> (hi + 1) & 1))
			hi++;
		if (hi == n)
			off += (size_t)snprintf(buf + off, size - off, "%s%u", off ? "," : "", n);
		else
			off += (size_t)snprintf(buf + off, size - off, "%s%u-%u", off ? "," : "", n, hi);
		n = hi;
	}
}
