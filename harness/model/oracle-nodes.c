/* Node states: which nodes the kernel has in node_states[] after boot and
 * after every step, from the model's blocks and the topology's CPUs.  The
 * rules and the kernel code they come from (6.1 and 6.12 alike):
 *
 * - possible: every node SRAT names (x86 numa_init(): node_possible_map
 *   is numa_nodes_parsed).  Topology validation makes every node named:
 *   by its CPUs, its boot ranges or, for the last, the hotplug window.
 * - has_cpu (N_CPU): nodes with a CPU (all of them come online at boot).
 * - has_memory (N_MEMORY): nodes with online pages.  Boot: free_area_init()
 *   sets it for a node with present pages.  Hot: online_pages() sets it
 *   through node_states_set_node() when a node's first pages come online;
 *   offline_pages() clears it through node_states_check_changes_offline()
 *   when the pages going are all the node has present.
 * - has_normal_memory (N_NORMAL_MEMORY; N_HIGH_MEMORY is the same mask on
 *   x86_64): nodes with online pages in a zone up to ZONE_NORMAL (boot:
 *   check_for_memory(); hot: the same two functions, for the zones up to
 *   ZONE_NORMAL).  A node all ZONE_MOVABLE has memory but not this.
 * - online: nodes with a CPU or boot memory come online at boot; a node
 *   with neither is possible only, with no sysfs directory.  A plug onlines
 *   its node before adding the memory (add_memory_resource() calls
 *   __try_online_node(), then registers the node's sysfs device), online
 *   or not.  An unplug offlines it (try_offline_node()) only when it spans
 *   no pages, no memory block links to it and no CPU is on it: with the
 *   model's blocks, when no block of the node is left and it has no CPU.
 *   The node's /sys/devices/system/node/nodeN exists while it is online. */
#include "model/oracle.h"

#include "model/oracle-internal.h"

static bool normal_zone(enum mhp_zone z)
{
	return z == MHP_ZONE_DMA || z == MHP_ZONE_DMA32 || z == MHP_ZONE_NORMAL || z == MHP_ZONE_MIXED;
}

void mhp_oracle_node_states(const struct mhp_oracle *o, struct mhp_node_states *ret)
{
	const struct mhp_topology *t = o->t;
	uint64_t blocks = 0;

	*ret = (struct mhp_node_states){ 0 };
	for (unsigned i = 0; i < t->nr_nodes; i++) {
		uint64_t bit = 1ull << mhp_topology_kernel_node(t, i);

		ret->possible |= bit;
		if (t->nodes[i].cpus)
			ret->has_cpu |= bit;
	}
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];
		uint64_t bit = b->node < 64 ? 1ull << b->node : 0;

		blocks |= bit;
		if (b->zone != MHP_ZONE_OFF)
			ret->has_memory |= bit;
		if (normal_zone(b->zone))
			ret->has_normal_memory |= bit;
	}
	ret->online = ret->has_cpu | blocks;
}

/* memory_block_online() counts the whole block present, the memmap that
 * memmap_on_memory put on it included (adjust_present_page_count()). */
uint64_t mhp_oracle_hot_present_pages(const struct mhp_oracle *o, unsigned node)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm >= 0 && b->node == node && b->zone != MHP_ZONE_OFF)
			pages += o->block_size / PAGE_SIZE_BYTES;
	}
	return pages;
}
