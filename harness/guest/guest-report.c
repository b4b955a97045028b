#include "guest/guest-report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static int copy_field(char *dst, size_t size, const struct mhp_wire_msg *m, const char *key)
{
	const char *v = mhp_wire_get(m, key);

	if (!v || !*v || strlen(v) >= size)
		return -EINVAL;
	strcpy(dst, v);
	return 0;
}

static void *grow(void *p, size_t n, size_t size)
{
	void *q = realloc(p, (n + 1) * size);

	if (!q)
		abort();
	return q;
}

static int add_block(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	struct mhp_block b = { 0 };
	unsigned long long id, start;
	const char *node = mhp_wire_get(m, "node");
	char *end;

	if (mhp_wire_get_u64(m, "id", &id) < 0 || id > UINT32_MAX ||
	    mhp_wire_get_u64(m, "start", &start) < 0 || !node ||
	    copy_field(b.state, sizeof(b.state), m, "state") < 0 ||
	    copy_field(b.zone, sizeof(b.zone), m, "zone") < 0 ||
	    copy_field(b.valid_zones, sizeof(b.valid_zones), m, "valid_zones") < 0)
		return -EINVAL;
	long n = strtol(node, &end, 10);
	if (*end || end == node || n < -1 || n > 4095)
		return -EINVAL;
	b.id = (unsigned)id;
	b.start = start;
	b.node = (int)n;
	r->blocks = grow(r->blocks, r->nblocks, sizeof(b));
	r->blocks[r->nblocks++] = b;
	return 0;
}

static int add_node(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	unsigned long long id, kb;

	if (mhp_wire_get_u64(m, "id", &id) < 0 || id > 4095 ||
	    mhp_wire_get_u64(m, "memtotal_kb", &kb) < 0)
		return -EINVAL;
	r->nodes = grow(r->nodes, r->nnodes, sizeof(*r->nodes));
	r->nodes[r->nnodes++] = (struct mhp_node_mem){ (unsigned)id, kb };
	return 0;
}

static int add_memmap(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	struct mhp_memmap_entry e = { 0 };
	unsigned long long start, end;

	if (mhp_wire_get_u64(m, "start", &start) < 0 || mhp_wire_get_u64(m, "end", &end) < 0 || end < start ||
	    copy_field(e.type, sizeof(e.type), m, "type") < 0)
		return -EINVAL;
	e.start = start;
	e.end = end;
	r->memmap = grow(r->memmap, r->nmemmap, sizeof(e));
	r->memmap[r->nmemmap++] = e;
	return 0;
}

static int add_zone(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	struct mhp_zone_info z = { 0 };
	unsigned long long node, present, managed, spanned, start;

	if (mhp_wire_get_u64(m, "node", &node) < 0 || node > 4095 || copy_field(z.name, sizeof(z.name), m, "name") < 0 ||
	    mhp_wire_get_u64(m, "present", &present) < 0 || mhp_wire_get_u64(m, "managed", &managed) < 0 ||
	    mhp_wire_get_u64(m, "spanned", &spanned) < 0 || mhp_wire_get_u64(m, "start_pfn", &start) < 0)
		return -EINVAL;
	z.node = (unsigned)node;
	z.present = present;
	z.managed = managed;
	z.spanned = spanned;
	z.start_pfn = start;
	r->zones = grow(r->zones, r->nzones, sizeof(z));
	r->zones[r->nzones++] = z;
	return 0;
}

int mhp_guest_report_add(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	if (r->complete)
		return -EINVAL;
	if (!strcmp(m->verb, "block"))
		return add_block(r, m);
	if (!strcmp(m->verb, "node"))
		return add_node(r, m);
	if (!strcmp(m->verb, "memmap"))
		return add_memmap(r, m);
	if (!strcmp(m->verb, "zone"))
		return add_zone(r, m);
	if (!strcmp(m->verb, "end")) {
		r->complete = 1;
		return 1;
	}
	return -EINVAL;
}

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
