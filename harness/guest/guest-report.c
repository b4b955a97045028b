#include "guest/guest-report.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/util.h"

static int copy_field(char *dst, size_t size, const struct mhp_wire_msg *m, const char *key)
{
	const char *v = mhp_wire_get(m, key);

	if (!v || !*v || strlen(v) >= size)
		return -EINVAL;
	strcpy(dst, v);
	return 0;
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
	/* Optional: "-" where the guest did not say. */
	if (copy_field(b.removable, sizeof(b.removable), m, "removable") < 0)
		strcpy(b.removable, "-");
	if (copy_field(b.phys_device, sizeof(b.phys_device), m, "phys_device") < 0)
		strcpy(b.phys_device, "-");
	b.id = (unsigned)id;
	b.start = start;
	b.node = (int)n;
	MHP_ARRAY_PUSH(r->blocks, r->nblocks, r->blocks_cap) = b;
	return 0;
}

static int add_node(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	unsigned long long id, kb;

	if (mhp_wire_get_u64(m, "id", &id) < 0 || id > 4095 ||
	    mhp_wire_get_u64(m, "memtotal_kb", &kb) < 0)
		return -EINVAL;
	MHP_ARRAY_PUSH(r->nodes, r->nnodes, r->nodes_cap) = (struct mhp_node_mem){ (unsigned)id, kb };
	return 0;
}

/* start= and end= of a memmap or iomem line (inclusive end). */
static int get_range(const struct mhp_wire_msg *m, struct mhp_memmap_entry *e)
{
	unsigned long long start, end;

	if (mhp_wire_get_u64(m, "start", &start) < 0 || mhp_wire_get_u64(m, "end", &end) < 0 || end < start)
		return -EINVAL;
	e->start = start;
	e->end = end;
	return 0;
}

static int add_memmap(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	struct mhp_memmap_entry e = { 0 };

	if (get_range(m, &e) < 0 || copy_field(e.type, sizeof(e.type), m, "type") < 0)
		return -EINVAL;
	MHP_ARRAY_PUSH(r->memmap, r->nmemmap, r->memmap_cap) = e;
	return 0;
}

static int add_iomem(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	struct mhp_memmap_entry e = { .type = "System_RAM" };

	/* name=: a driver's "System RAM (name)" */
	if (get_range(m, &e) < 0 || (mhp_wire_get(m, "name") && copy_field(e.type, sizeof(e.type), m, "name") < 0))
		return -EINVAL;
	MHP_ARRAY_PUSH(r->iomem, r->niomem, r->iomem_cap) = e;
	return 0;
}

static int add_meminfo(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	unsigned long long kb;

	if (mhp_wire_get_u64(m, "memtotal_kb", &kb) < 0 || kb > INT64_MAX)
		return -EINVAL;
	r->memtotal_kb = (int64_t)kb;
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
	MHP_ARRAY_PUSH(r->zones, r->nzones, r->zones_cap) = z;
	return 0;
}

static int add_node_states(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	struct mhp_node_states *st = &r->states;
	const char *keys[] = { "possible", "online", "has_memory", "has_normal_memory", "has_cpu" };
	uint64_t *masks[] = { &st->possible, &st->online, &st->has_memory, &st->has_normal_memory, &st->has_cpu };

	for (size_t i = 0; i < 5; i++) {
		const char *v = mhp_wire_get(m, keys[i]);

		if (!v || mhp_nodelist_parse(v, masks[i]) < 0)
			return -EINVAL;
	}
	r->has_states = 1;
	return 0;
}

int mhp_guest_report_add(struct mhp_guest_report *r, const struct mhp_wire_msg *m)
{
	static const struct {
		const char *verb;
		int (*add)(struct mhp_guest_report *, const struct mhp_wire_msg *);
	} lines[] = {
		{ "block", add_block }, { "node", add_node },	    { "memmap", add_memmap },	       { "zone", add_zone },
		{ "iomem", add_iomem }, { "meminfo", add_meminfo }, { "nodestates", add_node_states },
	};

	if (r->complete)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strcmp(m->verb, lines[i].verb))
			return lines[i].add(r, m);
	if (!strcmp(m->verb, "end")) {
		r->complete = 1;
		return 1;
	}
	return -EINVAL;
}
