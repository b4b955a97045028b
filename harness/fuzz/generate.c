/* The fuzz generator's machine half: nodes, memory, proximity domains, SRAT
 * features, slots, boot-only knobs (the machine's shape, which a boot
 * snapshot is keyed by), then the run-time knobs and the DIMMs.  The steps
 * are generate-steps.c. */
#include "fuzz/generate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

void mhp_rng_seed(struct mhp_rng *r, uint64_t seed)
{
	r->state = seed;
}

/* splitmix64 (Steele, Lea, Flood): tiny, and the same on every host. */
uint64_t mhp_rng_next(struct mhp_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

unsigned mhp_rng_below(struct mhp_rng *r, unsigned n)
{
	return n ? (unsigned)(mhp_rng_next(r) % n) : 0;
}

bool mhp_rng_chance(struct mhp_rng *r, unsigned percent)
{
	return mhp_rng_below(r, 100) < percent;
}

unsigned mhp_rng_pick(struct mhp_rng *r, const unsigned *weights, unsigned n)
{
	unsigned total = 0, x;

	for (unsigned i = 0; i < n; i++)
		total += weights[i];
	x = mhp_rng_below(r, total);
	for (unsigned i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	struct mhp_rng r = { a ^ (b * 0xd1342543de82ef95ull) };

	return mhp_rng_next(&r);
}

/* Boot memory of a node in blocks: node 0 holds the kernel. */
static uint64_t node_memory(struct mhp_rng *r, unsigned i)
{
	static const unsigned blocks[] = { 2, 3, 4, 6, 8 };
	static const unsigned weights[] = { 3, 2, 4, 2, 2 };

	if (i > 0 && mhp_rng_chance(r, 30))
		return 0; /* memoryless: hot-add brings its first memory */
	if (i > 0 && mhp_rng_chance(r, 30))
		return MHP_BLOCK_SIZE * (1 + mhp_rng_below(r, 2));
	return MHP_BLOCK_SIZE * blocks[mhp_rng_pick(r, weights, 5)];
}

/* Proximity domains: the node index (QEMU's view), a permutation of the
 * indexes (SRAT disagrees with QEMU), or other numbers (then DIMMs need a
 * pxm of their own, see gen_dimm). */
static void gen_pxms(struct mhp_topology *t, struct mhp_rng *r)
{
	unsigned base = mhp_rng_chance(r, 25) ? 4 + mhp_rng_below(r, 8) : 0;

	for (unsigned i = 0; i < t->nr_nodes; i++)
		t->nodes[i].pxm = base + i;
	if (mhp_rng_chance(r, 20))
		for (unsigned i = t->nr_nodes - 1; i > 0; i--) {
			unsigned j = mhp_rng_below(r, i + 1), p = t->nodes[i].pxm;

			t->nodes[i].pxm = t->nodes[j].pxm;
			t->nodes[j].pxm = p;
		}
}

static void gen_nodes(struct mhp_topology *t, struct mhp_rng *r)
{
	static const unsigned nodes_w[] = { 15, 45, 25, 15 };
	unsigned with_memory = 0;
	uint64_t left = 2 * GIB; /* boot memory in all: small guests, fast boots */

	t->nr_nodes = 1 + mhp_rng_pick(r, nodes_w, 4);
	for (unsigned i = 0; i < t->nr_nodes; i++) {
		struct mhp_node *n = &t->nodes[i];

		n->memory = node_memory(r, i);
		n->memory = n->memory < left ? n->memory : left;
		left -= n->memory;
		n->cpus = i == 0 || mhp_rng_chance(r, 40);
		/* Only the last node may have neither (validation says why). */
		n->cpus |= !n->memory && i + 1 < t->nr_nodes;
		/* Flagged hot-pluggable: ZONE_MOVABLE at boot under movable_node. */
		n->hotpluggable = i > 0 && n->memory && mhp_rng_chance(r, 20);
		with_memory += n->memory != 0;
	}
	if (mhp_rng_chance(r, 60))
		gen_pxms(t, r);
	else
		for (unsigned i = 0; i < t->nr_nodes; i++)
			t->nodes[i].pxm = i;
	if (with_memory > 1 && mhp_rng_chance(r, 12))
		t->interleave = MHP_BLOCK_SIZE << mhp_rng_below(r, 2);
}

/* Boot-only knobs: they change the boot, so they belong to the machine. */
static void gen_boot_knobs(struct mhp_topology *t, struct mhp_rng *r)
{
	struct mhp_kernel_knobs *k = &t->kernel;
	uint64_t boot = mhp_topology_boot_memory(t);

	k->movable_node = mhp_rng_chance(r, 30);
	k->memmap_on_memory = mhp_rng_chance(r, 20);
	if (mhp_rng_chance(r, 8) && boot >= 4 * MHP_BLOCK_SIZE)
		k->movablecore = MHP_BLOCK_SIZE * (1 + mhp_rng_below(r, 2));
	else if (mhp_rng_chance(r, 8) && boot >= 4 * MHP_BLOCK_SIZE)
		k->kernelcore = boot - MHP_BLOCK_SIZE * (1 + mhp_rng_below(r, 2));
}

void mhp_fuzz_gen_machine(struct mhp_topology *t, struct mhp_rng *r)
{
	static const unsigned slots[] = { 2, 4, 8 };
	static const uint64_t maxmem[] = { 4 * GIB, 8 * GIB, 16 * GIB };

	snprintf(t->machine, sizeof(t->machine), "%s", mhp_rng_chance(r, 25) ? "q35" : "pc");
	gen_nodes(t, r);
	t->slots = slots[mhp_rng_below(r, 3)];
	/* Room for the DIMMs (at most 2G in all, gen_dimms) above boot memory. */
	t->maxmem = maxmem[mhp_rng_below(r, 3)];
	if (t->maxmem < mhp_topology_boot_memory(t) + 2 * GIB)
		t->maxmem = 8 * GIB;
	gen_boot_knobs(t, r);
	t->srat_oem_revision = 2;
	t->srat = mhp_topology_needs_srat(t);
}

/* Run-time knobs (set through the guest on a restored boot): always an
 * explicit memhp_default_state, since the kernel's default is its config's. */
void mhp_fuzz_gen_knobs(struct mhp_topology *t, struct mhp_rng *r)
{
	static const char *const states[] = { "offline", "online", "online_movable", "online_kernel" };
	static const unsigned states_w[] = { 60, 14, 16, 10 };
	static const unsigned ratios[] = { 0, 50, 100, 200, 301, 600 };
	struct mhp_kernel_knobs *k = &t->kernel;

	snprintf(k->default_state, sizeof(k->default_state), "%s", states[mhp_rng_pick(r, states_w, 4)]);
	if (mhp_rng_chance(r, 35)) {
		snprintf(k->online_policy, sizeof(k->online_policy), "auto-movable");
		k->auto_movable_ratio = ratios[mhp_rng_below(r, 6)];
	} else if (mhp_rng_chance(r, 20))
		snprintf(k->online_policy, sizeof(k->online_policy), "contig-zones");
}

/* A node for a DIMM, weighted towards memoryless ones (they come online with
 * their first hot-added memory) and hot-pluggable ones. */
static unsigned dimm_node(const struct mhp_topology *t, struct mhp_rng *r)
{
	unsigned w[MHP_MAX_NODES];

	for (unsigned i = 0; i < t->nr_nodes; i++)
		w[i] = !t->nodes[i].memory || t->nodes[i].hotpluggable ? 3 : 2;
	return mhp_rng_pick(r, w, t->nr_nodes);
}

static void gen_dimm(struct mhp_topology *t, struct mhp_rng *r, unsigned i, uint64_t *fixed_at)
{
	static const unsigned blocks[] = { 1, 2, 3, 4, 8 };
	static const unsigned blocks_w[] = { 5, 4, 2, 3, 1 };
	struct mhp_dimm *d = &t->dimms[i];

	snprintf(d->id, sizeof(d->id), "dimm%u", i);
	d->size = MHP_BLOCK_SIZE * blocks[mhp_rng_pick(r, blocks_w, 5)];
	d->node = dimm_node(t, r);
	d->pxm = -1;
	/* QEMU's _PXM is the node index: where no node has it as its proximity
	 * domain, or now and then anyway, the regenerated DSDT says otherwise. */
	if (!mhp_topology_has_pxm(t, d->node) || mhp_rng_chance(r, 8))
		d->pxm = (int)t->nodes[mhp_rng_below(r, t->nr_nodes)].pxm;
	if (mhp_rng_chance(r, 20)) {
		/* A fixed address, leaving a gap of 0-2 blocks after the last one. */
		uint64_t at = *fixed_at + MHP_BLOCK_SIZE * mhp_rng_below(r, 3);

		if (at + d->size <= mhp_topology_hotplug_base(t) + mhp_topology_hotplug_size(t)) {
			d->addr = at;
			*fixed_at = at + d->size;
		}
	}
}

/* Sizes towards the auto-movable ratio's boundary: the first DIMM exactly at
 * the ratio of its node's boot memory, or one block either side. */
static void ratio_boundary(struct mhp_topology *t, struct mhp_rng *r)
{
	struct mhp_kernel_knobs *k = &t->kernel;
	const struct mhp_dimm *d = &t->dimms[0];
	uint64_t early = t->nodes[d->node].memory;
	int64_t off = (int64_t)mhp_rng_below(r, 3) - 1;
	int64_t movable = (int64_t)d->size + off * (int64_t)MHP_BLOCK_SIZE;

	if (strcmp(k->online_policy, "auto-movable") || !early || movable <= 0 || !mhp_rng_chance(r, 50))
		return;
	k->auto_movable_ratio = (unsigned)((uint64_t)movable * 100 / early);
	if (!k->auto_movable_ratio)
		k->auto_movable_ratio = 1;
}

void mhp_fuzz_gen_dimms(struct mhp_topology *t, struct mhp_rng *r)
{
	static const unsigned count_w[] = { 40, 40, 20 };
	/* Fixed addresses start above the 2G that QEMU-placed DIMMs may take
	 * from the window's start, so a plug never finds its range taken. */
	uint64_t fixed_at = mhp_topology_hotplug_base(t) + 2 * GIB, total = 0;
	unsigned n = 1 + mhp_rng_pick(r, count_w, 3);

	t->nr_dimms = n < t->slots ? n : t->slots;
	for (unsigned i = 0; i < t->nr_dimms; i++) {
		gen_dimm(t, r, i, &fixed_at);
		total += t->dimms[i].size;
	}
	/* At most 2G of DIMMs: two guests at once fit any host mhp runs on. */
	while (total > 2 * GIB) {
		total -= t->dimms[t->nr_dimms - 1].size;
		t->nr_dimms--;
	}
	/* The regenerated DSDT only for a DIMM that is left with a pxm. */
	t->dsdt = mhp_topology_needs_dsdt(t);
	ratio_boundary(t, r);
}

/* A node QEMU's _PXM for a virtio-mem device finds (the device has no
 * pxm of its own): weighted as a DIMM's; false when no node index is a
 * proximity domain. */
static bool virtio_mem_node(const struct mhp_topology *t, struct mhp_rng *r, unsigned *ret_node)
{
	unsigned w[MHP_MAX_NODES], any = 0;

	for (unsigned i = 0; i < t->nr_nodes; i++) {
		w[i] = !mhp_topology_has_pxm(t, i) ? 0 : !t->nodes[i].memory || t->nodes[i].hotpluggable ? 3 : 2;
		any += w[i];
	}
	if (!any)
		return false;
	*ret_node = mhp_rng_pick(r, w, t->nr_nodes);
	return true;
}

/* The device's knob: the kernel must online its memory by itself. */
static void virtio_mem_state(struct mhp_topology *t, struct mhp_rng *r)
{
	static const char *const states[] = { "online", "online_movable", "online_kernel" };
	static const unsigned states_w[] = { 35, 40, 25 };
	struct mhp_kernel_knobs *k = &t->kernel;

	if (!strcmp(k->default_state, "offline"))
		snprintf(k->default_state, sizeof(k->default_state), "%s", states[mhp_rng_pick(r, states_w, 3)]);
}

/* Now and then a virtio-mem device beside the DIMMs, from streams of its
 * own: a scenario without one is the same file it was before devices were
 * drawn.  Whether, where in the list and the knob are the scenario's
 * (scenario); node, block size and region the machine's (machine), so the
 * scenarios of a palette machine share its boot snapshot (the device is on
 * QEMU's command line).  Its region counts against maxmem (it takes no
 * slot) and sits at the window's start (QEMU places it at boot), so DIMMs
 * and device stay within the 2G below the fixed addresses (gen_dimms). */
void mhp_fuzz_gen_virtio_mem(struct mhp_topology *t, struct mhp_rng *scenario, struct mhp_rng *machine)
{
	static const uint64_t block[] = { 2 * MIB, 4 * MIB, 32 * MIB, 128 * MIB, 256 * MIB, GIB };
	static const unsigned block_w[] = { 45, 10, 10, 20, 10, 5 };
	uint64_t total = 0, room = t->maxmem - mhp_topology_boot_memory(t), bs, big;
	unsigned node, at;

	if (!mhp_rng_chance(scenario, MHP_FUZZ_VIRTIO_MEM_PERCENT) || t->kernel.memmap_on_memory ||
	    t->nr_dimms >= MHP_MAX_DIMMS || !virtio_mem_node(t, machine, &node))
		return;
	for (unsigned i = 0; i < t->nr_dimms; i++)
		total += t->dimms[i].size;
	room = (room < 2 * GIB ? room : 2 * GIB) - (total < room ? total : room);
	bs = block[mhp_rng_pick(machine, block_w, 6)];
	big = bs > MHP_BLOCK_SIZE ? bs : MHP_BLOCK_SIZE;
	if (room < big)
		return;
	at = mhp_rng_below(scenario, t->nr_dimms + 1); /* ACPI slots count DIMMs only */
	memmove(&t->dimms[at + 1], &t->dimms[at], (t->nr_dimms - at) * sizeof(t->dimms[0]));
	t->nr_dimms++;
	t->dimms[at] = (struct mhp_dimm){ .kind = MHP_DEVICE_VIRTIO_MEM, .node = node, .pxm = -1, .block_size = bs };
	snprintf(t->dimms[at].id, sizeof(t->dimms[at].id), "vm0");
	t->dimms[at].size = big * (1 + mhp_rng_below(machine, 4));
	if (t->dimms[at].size > room)
		t->dimms[at].size = room / big * big;
	virtio_mem_state(t, scenario);
}

static void finish(struct mhp_topology *t, uint64_t seed, uint64_t index)
{
	t->name = mhp_xasprintf("fuzz-%016llx-%llu", (unsigned long long)seed, (unsigned long long)index);
	t->description = mhp_xasprintf("generated by mhp fuzz: seed 0x%016llx, scenario %llu",
				       (unsigned long long)seed, (unsigned long long)index);
	mhp_kernel_knob_words(&t->kernel, &t->cmdline);
}

/* The machine of shape: nodes, SRAT features, slots, the boot knobs. */
static void take_machine(struct mhp_topology *t, const struct mhp_topology *shape)
{
	memcpy(t->machine, shape->machine, sizeof(t->machine));
	t->one_socket = shape->one_socket;
	t->nr_nodes = shape->nr_nodes;
	memcpy(t->nodes, shape->nodes, sizeof(t->nodes));
	t->slots = shape->slots;
	t->maxmem = shape->maxmem;
	t->interleave = shape->interleave;
	t->kernel.movable_node = shape->kernel.movable_node;
	t->kernel.memmap_on_memory = shape->kernel.memmap_on_memory;
	t->kernel.kernelcore = shape->kernel.kernelcore;
	t->kernel.movablecore = shape->kernel.movablecore;
	t->srat = shape->srat;
	t->srat_oem_revision = shape->srat_oem_revision;
}

/* DIMMs that fit a machine the generator did not make: its slots, its
 * maxmem, its hotplug window for fixed addresses. */
static void fit_dimms(struct mhp_topology *t)
{
	uint64_t room = t->maxmem - mhp_topology_boot_memory(t), total = 0;
	uint64_t end = mhp_topology_hotplug_base(t) + mhp_topology_hotplug_size(t);

	for (unsigned i = 0; i < t->nr_dimms; i++) {
		total += t->dimms[i].size;
		if (t->dimms[i].addr + t->dimms[i].size > end)
			t->dimms[i].addr = 0;
		if (total > room || i >= t->slots) {
			t->nr_dimms = i ? i : 1;
			t->dimms[0].size = t->dimms[0].size <= room ? t->dimms[0].size : MHP_BLOCK_SIZE;
			break;
		}
	}
	t->dsdt = mhp_topology_needs_dsdt(t);
}

int mhp_fuzz_generate_on(struct mhp_topology *t, uint64_t seed, uint64_t index, const struct mhp_topology *shape,
			 char *err, size_t errsize)
{
	struct mhp_rng own, machine, vm_scenario, vm_machine;
	uint64_t machine_seed;

	*t = (struct mhp_topology){ .cmdline = MHP_STRV_INIT };
	mhp_rng_seed(&own, mix(seed, index));
	/* Most scenarios take a machine of the campaign's palette: a fresh
	 * machine is a cold boot (seconds), a palette one a restore of its boot
	 * snapshot (a fraction of one). */
	if (mhp_rng_chance(&own, 90))
		machine_seed = mix(seed ^ 0x6d616368696e65ull, mhp_rng_below(&own, MHP_FUZZ_PALETTE));
	else
		machine_seed = mhp_rng_next(&own);
	mhp_rng_seed(&machine, machine_seed);
	mhp_rng_seed(&vm_scenario, mix(seed ^ 0x76697274696f6dull, index));
	mhp_rng_seed(&vm_machine, mix(machine_seed ^ 0x76697274696f6dull, 1));
	if (shape)
		take_machine(t, shape);
	else
		mhp_fuzz_gen_machine(t, &machine);
	mhp_fuzz_gen_knobs(t, &own);
	mhp_fuzz_gen_dimms(t, &own);
	if (shape)
		fit_dimms(t);
	mhp_fuzz_gen_virtio_mem(t, &vm_scenario, &vm_machine);
	mhp_fuzz_gen_steps(t, &own);
	finish(t, seed, index);
	if (mhp_topology_validate(t, NULL, err, errsize) < 0)
		return -EINVAL;
	return 0;
}

int mhp_fuzz_generate(struct mhp_topology *t, uint64_t seed, uint64_t index, char *err, size_t errsize)
{
	return mhp_fuzz_generate_on(t, seed, index, NULL, err, errsize);
}
