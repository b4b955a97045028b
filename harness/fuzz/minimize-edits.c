/* The minimiser's simplifications of a machine (fuzz/minimize.h), as a
 * numbered list: the search tries number k on the current topology. */
#include <string.h>

#include "fuzz/minimize.h"
#include "lib/util.h"

static bool uses_dimm(const struct mhp_topology *t, unsigned d)
{
	for (unsigned i = 0; i < t->nr_steps; i++)
		if (t->steps[i].dimm == d && mhp_step_kind_has_dimm(t->steps[i].kind))
			return true;
	return false;
}

void mhp_minimize_drop_unused_dimms(struct mhp_topology *t)
{
	for (unsigned d = t->nr_dimms; d-- > 0 && t->nr_dimms > 1;) {
		if (uses_dimm(t, d))
			continue;
		memmove(&t->dimms[d], &t->dimms[d + 1], (t->nr_dimms - d - 1) * sizeof(t->dimms[0]));
		t->nr_dimms--;
		for (unsigned i = 0; i < t->nr_steps; i++)
			if (t->steps[i].dimm > d)
				t->steps[i].dimm--;
	}
}

/* The knobs' words lead cmdline: they are rebuilt from the knobs, the
 * file's own words after them kept. */
static void set_knobs(struct mhp_topology *c, const struct mhp_kernel_knobs *old)
{
	struct mhp_strv words = MHP_STRV_INIT, rebuilt = MHP_STRV_INIT;
	size_t nold = mhp_kernel_knob_words(old, &words);

	mhp_kernel_knob_words(&c->kernel, &rebuilt);
	for (size_t i = nold; i < c->cmdline.n; i++)
		mhp_strv_push(&rebuilt, c->cmdline.v[i]);
	mhp_strv_release(&words);
	mhp_strv_release(&c->cmdline);
	c->cmdline = rebuilt;
}

/* Knob k back to the kernel's default; false past the last. */
static bool edit_knob(struct mhp_topology *c, unsigned k, bool *applies)
{
	struct mhp_kernel_knobs old = c->kernel, *n = &c->kernel;

	switch (k) {
	case 0: n->movable_node = false; break;
	case 1: n->memmap_on_memory = false; break;
	case 2: n->kernelcore = 0; break;
	case 3: n->movablecore = 0; break;
	case 4: n->online_policy[0] = '\0', n->auto_movable_ratio = 0; break;
	case 5: n->auto_movable_ratio = 0; break;
	case 6: strcpy(n->default_state, "offline"); break;
	default: return false;
	}
	*applies = memcmp(&old, n, sizeof(old)) != 0;
	set_knobs(c, &old);
	return true;
}

/* SRAT features: a node's hot-pluggable flag, proximity domains back to the
 * node indexes, no interleave. */
static bool edit_srat(struct mhp_topology *c, unsigned k, bool *applies)
{
	if (k < c->nr_nodes) {
		*applies = c->nodes[k].hotpluggable;
		c->nodes[k].hotpluggable = false;
	} else if (k == MHP_MAX_NODES) {
		*applies = false;
		for (unsigned i = 0; i < c->nr_nodes; i++) {
			*applies |= c->nodes[i].pxm != i;
			c->nodes[i].pxm = i;
		}
	} else if (k == MHP_MAX_NODES + 1) {
		*applies = c->interleave != 0;
		c->interleave = 0;
	} else {
		*applies = false;
		return k < MHP_MAX_NODES;
	}
	c->srat = c->srat && mhp_topology_needs_srat(c);
	return true;
}

static void dimm_pxm_off(struct mhp_topology *c, unsigned d)
{
	c->dimms[d].pxm = -1;
	c->dsdt = mhp_topology_needs_dsdt(c);
}

/* One block: every block pick of its steps becomes that block (a
 * candidate like any other: it counts only if it still fails). */
static void one_block(struct mhp_topology *c, unsigned d)
{
	c->dimms[d].size = MHP_BLOCK_SIZE;
	for (unsigned i = 0; i < c->nr_steps; i++)
		if (c->steps[i].dimm == d)
			c->steps[i].blocks = 0;
}

/* DIMM d = k / 3: to an address QEMU picks, QEMU's _PXM, one block. */
static bool edit_dimm(struct mhp_topology *c, unsigned k, bool *applies)
{
	unsigned d = k / 3;

	*applies = false;
	if (d >= MHP_MAX_DIMMS)
		return false;
	if (d >= c->nr_dimms)
		return true;
	switch (k % 3) {
	case 0: *applies = c->dimms[d].addr != 0, c->dimms[d].addr = 0; break;
	case 1: *applies = c->dimms[d].pxm >= 0, dimm_pxm_off(c, d); break;
	default: *applies = c->dimms[d].size > MHP_BLOCK_SIZE, one_block(c, d); break;
	}
	return true;
}

/* The last node, when no DIMM sits on it (tried once per node: each try
 * sees the nodes the one before left); then the pc machine; then every
 * proximity domain back to QEMU's. */
static bool edit_node_machine(struct mhp_topology *c, unsigned k, bool *applies)
{
	*applies = false;
	if (k < MHP_MAX_NODES && c->nr_nodes > 1) {
		unsigned last = c->nr_nodes - 1;

		for (unsigned d = 0; d < c->nr_dimms; d++)
			if (c->dimms[d].node == last)
				return true;
		c->nr_nodes--;
		c->srat = c->srat && mhp_topology_needs_srat(c);
		*applies = true;
	} else if (k == MHP_MAX_NODES) {
		*applies = strcmp(c->machine, "pc") != 0;
		strcpy(c->machine, "pc");
	} else if (k == MHP_MAX_NODES + 1) {
		/* Proximity domains back to the node indexes together with the
		 * DIMMs' own: apart, neither validates when they were offset. */
		*applies = c->dsdt;
		for (unsigned i = 0; i < c->nr_nodes; i++) {
			*applies |= c->nodes[i].pxm != i;
			c->nodes[i].pxm = i;
		}
		for (unsigned d = 0; d < c->nr_dimms; d++)
			c->dimms[d].pxm = -1;
		c->dsdt = false;
		c->srat = c->srat && mhp_topology_needs_srat(c);
	}
	return k <= MHP_MAX_NODES + 1;
}

bool mhp_minimize_edit(const struct mhp_topology *t, unsigned k, struct mhp_topology *c, bool *applies)
{
	static bool (*const groups[])(struct mhp_topology *, unsigned, bool *) = {
		edit_knob, edit_srat, edit_dimm, edit_node_machine,
	};
	static const unsigned sizes[] = { 7, MHP_MAX_NODES + 2, 3 * MHP_MAX_DIMMS, MHP_MAX_NODES + 2 };

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); k -= sizes[g], g++) {
		if (k >= sizes[g])
			continue;
		mhp_topology_copy(c, t);
		if (!groups[g](c, k, applies)) {
			mhp_topology_release(c);
			*applies = false;
			/* past a group's real end but inside its size: keep going */
			mhp_topology_copy(c, t);
		}
		return true;
	}
	return false;
}
