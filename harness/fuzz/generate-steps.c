/* The fuzz generator's step half: a random walk over what the DIMMs can do
 * next, keeping a model of each DIMM and block that is only as sure as the
 * oracle is.  A block onlined with a type the zone policy decides, then
 * offlined, may have stayed online (a kernel-zone offline is not
 * deterministic): the walk leaves it alone afterwards, and a DIMM whose
 * unplug the oracle cannot promise is never touched again.  Expectations
 * are the oracle's (no step states its own), so a step the oracle cannot
 * predict is scored as an outcome, never as a failure. */
#include "fuzz/generate.h"

#include <stdio.h>
#include <string.h>

enum gen_block {
	GB_ABSENT = 0,
	GB_OFF,
	GB_MOVABLE, /* onlined as online_movable: offline and unplug are sure */
	GB_ONLINE,  /* online in a zone the policy picked */
	GB_UNKNOWN, /* offlined from a kernel zone, or the DIMM's unplug may fail */
};

struct gen {
	struct mhp_topology *t;
	struct mhp_rng *r;
	bool plugged[MHP_MAX_DIMMS];
	bool lost[MHP_MAX_DIMMS]; /* its state is the kernel's to decide: left alone */
	unsigned char block[MHP_MAX_DIMMS][64];
	unsigned used; /* slots taken, lost DIMMs included */
	bool filled;
	/* A virtio-mem device's last requested size: what it has at least (a
	 * shrink of kernel-zone memory may keep some; the oracle follows). */
	uint64_t requested[MHP_MAX_DIMMS];
};

/* Resize last: a walk without a device draws as it did before there was one. */
enum action { A_PLUG, A_ONLINE, A_OFFLINE, A_UNPLUG, A_CHECK, A_FILL, A_RESIZE, A_COUNT };

static unsigned nblocks(const struct gen *g, unsigned d)
{
	uint64_t n = g->t->dimms[d].size / MHP_BLOCK_SIZE;

	return n < 64 ? (unsigned)n : 64;
}

/* The DIMM's blocks in state st, as a mask. */
static uint64_t in_state(const struct gen *g, unsigned d, enum gen_block st)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < nblocks(g, d); i++)
		if (g->block[d][i] == st)
			m |= 1ull << i;
	return m;
}

static uint64_t all_blocks(const struct gen *g, unsigned d)
{
	unsigned n = nblocks(g, d);

	return n == 64 ? ~0ull : (1ull << n) - 1;
}

/* A device's data can go in once it has a memory block's worth, half of
 * it at most (fill sizes), wherever the kernel onlined it. */
static bool can_device(const struct gen *g, enum action a, unsigned d)
{
	return a == A_RESIZE || (a == A_FILL && !g->filled && g->requested[d] >= MHP_BLOCK_SIZE);
}

static bool can(const struct gen *g, enum action a, unsigned d)
{
	if (g->t->dimms[d].kind == MHP_DEVICE_VIRTIO_MEM)
		return can_device(g, a, d);
	if (g->lost[d])
		return false;
	switch (a) {
	case A_PLUG: return !g->plugged[d] && g->used < g->t->slots;
	case A_ONLINE: return g->plugged[d] && in_state(g, d, GB_OFF);
	case A_OFFLINE: return g->plugged[d] && (in_state(g, d, GB_MOVABLE) | in_state(g, d, GB_ONLINE));
	case A_UNPLUG: return g->plugged[d];
	case A_FILL: return g->plugged[d] && !g->filled && in_state(g, d, GB_MOVABLE) == all_blocks(g, d);
	case A_RESIZE: return false;
	default: return true;
	}
}

static struct mhp_step *push(struct gen *g, enum mhp_step_kind kind, unsigned d)
{
	struct mhp_step *st = &g->t->steps[g->t->nr_steps++];

	*st = (struct mhp_step){ .kind = kind, .dimm = d };
	return st;
}

static enum gen_block after_online(const char *type)
{
	return !strcmp(type, "online_movable") ? GB_MOVABLE : GB_ONLINE;
}

static void plug(struct gen *g, unsigned d)
{
	const char *state = g->t->kernel.default_state;
	enum gen_block b = !strcmp(state, "offline") ? GB_OFF : after_online(state);

	push(g, MHP_STEP_PLUG, d);
	g->plugged[d] = true;
	g->used++;
	for (unsigned i = 0; i < nblocks(g, d); i++)
		g->block[d][i] = (unsigned char)b;
}

/* Some of the blocks in mask (never none): all of them now and then. */
static uint64_t some_of(struct gen *g, uint64_t mask)
{
	uint64_t pick = 0;

	if (mhp_rng_chance(g->r, 50))
		return mask;
	while (!pick)
		pick = mask & mhp_rng_next(g->r);
	return pick;
}

/* blocks: 0 says every block, which only fits when every block is picked. */
static void set_blocks(struct gen *g, struct mhp_step *st, unsigned d, uint64_t pick)
{
	st->blocks = pick == all_blocks(g, d) ? 0 : pick;
}

static void online(struct gen *g, unsigned d)
{
	static const char *const types[] = { "online", "online_movable", "online_kernel" };
	static const unsigned types_w[] = { 40, 35, 25 };
	const char *type = types[mhp_rng_pick(g->r, types_w, 3)];
	uint64_t pick = some_of(g, in_state(g, d, GB_OFF));
	struct mhp_step *st = push(g, MHP_STEP_ONLINE, d);

	snprintf(st->online_type, sizeof(st->online_type), "%s", type);
	set_blocks(g, st, d, pick);
	for (unsigned i = 0; i < nblocks(g, d); i++)
		if (pick >> i & 1)
			g->block[d][i] = (unsigned char)after_online(type);
}

static void offline(struct gen *g, unsigned d)
{
	uint64_t pick = some_of(g, in_state(g, d, GB_MOVABLE) | in_state(g, d, GB_ONLINE));
	struct mhp_step *st = push(g, MHP_STEP_OFFLINE, d);

	set_blocks(g, st, d, pick);
	for (unsigned i = 0; i < nblocks(g, d); i++)
		if (pick >> i & 1)
			g->block[d][i] = g->block[d][i] == GB_MOVABLE ? GB_OFF : GB_UNKNOWN;
}

/* Sure when every block is offline or Movable: then the slot is free again
 * for a re-plug; else the kernel may refuse, and the DIMM is left alone. */
static void unplug(struct gen *g, unsigned d)
{
	bool sure = (in_state(g, d, GB_OFF) | in_state(g, d, GB_MOVABLE)) == all_blocks(g, d);

	push(g, MHP_STEP_UNPLUG, d);
	memset(g->block[d], GB_ABSENT, sizeof(g->block[d]));
	g->plugged[d] = false;
	if (sure)
		g->used--;
	else
		g->lost[d] = true;
}

/* A virtio-mem device's new size, never the one it was asked for last:
 * mostly whole memory blocks (or big blocks), else whole sub-blocks, which
 * leave a block partly plugged; below the last request when shrink. */
static uint64_t new_size(struct gen *g, unsigned d, bool shrink)
{
	const struct mhp_dimm *dev = &g->t->dimms[d];
	uint64_t unit = dev->block_size > MHP_VIRTIO_MEM_SUB_BLOCK ? dev->block_size : MHP_VIRTIO_MEM_SUB_BLOCK;
	uint64_t big = dev->block_size > MHP_BLOCK_SIZE ? dev->block_size : MHP_BLOCK_SIZE;
	uint64_t step = mhp_rng_chance(g->r, 70) ? big : unit, now = g->requested[d], size;

	if (now && mhp_rng_chance(g->r, 15))
		return 0;
	if (shrink)
		return step * mhp_rng_below(g->r, (unsigned)((now + step - 1) / step));
	size = step * mhp_rng_below(g->r, (unsigned)(dev->size / step + 1));
	return size != now ? size : now ? 0 : dev->size;
}

static void resize_to(struct gen *g, unsigned d, uint64_t size)
{
	push(g, MHP_STEP_RESIZE, d)->size = size;
	g->requested[d] = size;
}

static void fill(struct gen *g, unsigned d);

/* After a grow, now and then data that the next shrink must keep. */
static void resize(struct gen *g, unsigned d)
{
	uint64_t before = g->requested[d];

	resize_to(g, d, new_size(g, d, false));
	if (g->requested[d] > before && can_device(g, A_FILL, d) && mhp_rng_chance(g->r, 25))
		fill(g, d);
}

/* Data on a DIMM that is all Movable, then the DIMM goes (its pages must
 * migrate) and every byte is read back; on a virtio-mem device the device
 * shrinks instead (kernel-zone memory may keep some: verify then looks
 * above the highest block it kept, run/steps-data.c). */
static void fill(struct gen *g, unsigned d)
{
	static const uint64_t sizes[] = { 16ull << 20, 32ull << 20, 64ull << 20 };
	struct mhp_step *st = push(g, MHP_STEP_FILL, d);

	st->size = sizes[mhp_rng_below(g->r, 3)];
	/* The node may have boot memory the data can land on instead. */
	st->min_share = 0;
	g->filled = true;
	if (g->t->dimms[d].kind == MHP_DEVICE_VIRTIO_MEM)
		resize_to(g, d, new_size(g, d, true));
	else
		unplug(g, d);
	push(g, MHP_STEP_VERIFY, d);
}

typedef void (*act_fn)(struct gen *g, unsigned d);

/* One step: an action the state allows, weighted, on a DIMM that allows it.
 * False when nothing is possible any more. */
static bool one_step(struct gen *g)
{
	static const unsigned weights[A_COUNT] = { 4, 6, 4, 3, 1, 1, 6 };
	static const act_fn fns[A_COUNT] = { plug, online, offline, unplug, NULL, fill, resize };
	unsigned w[A_COUNT], cand[MHP_MAX_DIMMS], n;
	bool any = false;

	for (unsigned a = 0; a < A_COUNT; a++) {
		w[a] = 0;
		for (unsigned d = 0; d < g->t->nr_dimms && a != A_CHECK; d++)
			w[a] |= can(g, (enum action)a, d) ? weights[a] : 0;
		any |= w[a] != 0;
	}
	if (!any)
		return false;
	w[A_CHECK] = g->t->nr_steps && g->t->steps[g->t->nr_steps - 1].kind != MHP_STEP_CHECK ? weights[A_CHECK] : 0;
	unsigned a = mhp_rng_pick(g->r, w, A_COUNT);
	if (a == A_CHECK) {
		push(g, MHP_STEP_CHECK, 0);
		return true;
	}
	n = 0;
	for (unsigned d = 0; d < g->t->nr_dimms; d++)
		if (can(g, (enum action)a, d))
			cand[n++] = d;
	fns[a](g, cand[mhp_rng_below(g->r, n)]);
	return true;
}

void mhp_fuzz_gen_steps(struct mhp_topology *t, struct mhp_rng *r)
{
	struct gen g = { .t = t, .r = r };
	unsigned want = 2 + mhp_rng_below(r, 11);

	/* A fill adds three steps: stay within MHP_MAX_STEPS whatever the walk. */
	while (t->nr_steps < want && t->nr_steps + 3 < MHP_MAX_STEPS && one_step(&g))
		;
	if (t->nr_steps && t->steps[t->nr_steps - 1].kind != MHP_STEP_CHECK && mhp_rng_chance(r, 50))
		push(&g, MHP_STEP_CHECK, 0);
}
