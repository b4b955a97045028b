/* The memory a topology implies: boot memory and its ranges per node, the
 * top node, QEMU's hotplug window, and the kernel's numbering of the nodes
 * (and so the node each DIMM lands on). */
#include "model/topology.h"

uint64_t mhp_topology_boot_memory(const struct mhp_topology *s)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < s->nr_nodes; i++)
		sum += s->nodes[i].memory;
	return sum;
}

bool mhp_topology_needs_srat(const struct mhp_topology *t)
{
	for (unsigned i = 0; i < t->nr_nodes; i++)
		if (t->nodes[i].hotpluggable || t->nodes[i].pxm != i)
			return true;
	return t->interleave != 0;
}

bool mhp_topology_has_pxm(const struct mhp_topology *t, unsigned pxm)
{
	for (unsigned i = 0; i < t->nr_nodes; i++)
		if (t->nodes[i].pxm == pxm)
			return true;
	return false;
}

bool mhp_topology_needs_dsdt(const struct mhp_topology *t)
{
	for (unsigned i = 0; i < t->nr_dimms; i++)
		if (t->dimms[i].pxm >= 0)
			return true;
	return false;
}

/* Deals boot RAM out; calls fn(node, start, size, ctx) for each range. */
static void deal_ranges(const struct mhp_topology *s, void (*fn)(unsigned, uint64_t, uint64_t, void *), void *ctx)
{
	uint64_t left[MHP_MAX_NODES], addr = 0;
	bool more = true;

	for (unsigned i = 0; i < s->nr_nodes; i++)
		left[i] = s->nodes[i].memory;
	while (more) {
		more = false;
		for (unsigned i = 0; i < s->nr_nodes; i++) {
			uint64_t chunk = s->interleave && s->interleave < left[i] ? s->interleave : left[i];

			if (!chunk)
				continue;
			fn(i, addr, chunk, ctx);
			addr += chunk;
			left[i] -= chunk;
			more = true;
		}
	}
}

struct ranges_ctx {
	unsigned node;
	struct mhp_range *out;
	size_t n, max;
};

static void collect_range(unsigned node, uint64_t start, uint64_t size, void *p)
{
	struct ranges_ctx *c = p;

	if (node != c->node)
		return;
	/* Adjacent chunks of one node (the last ones) are one range. */
	if (c->n && c->out[c->n - 1].start + c->out[c->n - 1].size == start)
		c->out[c->n - 1].size += size;
	else if (c->n < c->max)
		c->out[c->n++] = (struct mhp_range){ start, size };
}

size_t mhp_topology_node_ranges(const struct mhp_topology *s, unsigned node, struct mhp_range *out, size_t max)
{
	struct ranges_ctx c = { node, out, 0, max };

	deal_ranges(s, collect_range, &c);
	return c.n;
}

static void note_last(unsigned node, uint64_t start, uint64_t size, void *p)
{
	(void)start;
	(void)size;
	*(unsigned *)p = node;
}

unsigned mhp_topology_top_node(const struct mhp_topology *s)
{
	unsigned top = 0;

	deal_ranges(s, note_last, &top);
	return top;
}

uint64_t mhp_topology_hotplug_base(const struct mhp_topology *s)
{
	(void)s;
	return 4ull << 30;
}

uint64_t mhp_topology_hotplug_size(const struct mhp_topology *s)
{
	return s->maxmem - mhp_topology_boot_memory(s) + (uint64_t)s->slots * (1ull << 30);
}

bool mhp_topology_has_kernel_node(const struct mhp_topology *t, unsigned n)
{
	for (unsigned i = 0; i < t->nr_nodes; i++)
		if (mhp_topology_kernel_node(t, i) == n)
			return true;
	return false;
}

unsigned mhp_topology_kernel_node(const struct mhp_topology *t, unsigned i)
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

int mhp_topology_dimm_node(const struct mhp_topology *t, unsigned dimm)
{
	const struct mhp_dimm *d = &t->dimms[dimm];
	unsigned pxm = d->pxm >= 0 ? (unsigned)d->pxm : d->node;

	for (unsigned i = 0; i < t->nr_nodes; i++)
		if (t->nodes[i].pxm == pxm)
			return (int)mhp_topology_kernel_node(t, i);
	return -1;
}

unsigned mhp_topology_dimm_slot(const struct mhp_topology *t, unsigned dimm)
{
	unsigned slot = 0;

	for (unsigned i = 0; i < dimm && i < t->nr_dimms; i++)
		slot += t->dimms[i].kind == MHP_DEVICE_DIMM;
	return slot;
}
