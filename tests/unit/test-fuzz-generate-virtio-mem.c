/* virtio-mem devices in the fuzz generator: over a campaign's scenarios a
 * minority draw one (beside their DIMMs, never instead of them), every
 * such topology validates, the device's fields and each resize size keep
 * the rules of model/topology-virtio-mem.c, the walk grows, shrinks, goes
 * to 0 and fills before a shrink (test-fuzz-generate.c pins a scenario
 * without a device to the file made before devices were drawn). */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "fuzz/generate.h"
#include "model/topology.h"

#define SCENARIOS 1000

struct vm_row {
	const char *name;
	uint64_t seed;
	const char *shape; /* a corpus topology for --shape, or NULL */
};

static const struct vm_row vm_rows[] = {
	{ "seed 1", 1, NULL },
	{ "seed 0x5eed (test-campaigns)", 0x5eed, NULL },
	{ "seed far", 0xfeedfacecafebeefull, NULL },
	{ "shape two-nodes-movable-node", 9, "two-nodes-movable-node" },
	{ "shape memoryless-node-gains-memory", 9, "memoryless-node-gains-memory" },
};

struct vm_count {
	unsigned devices, big_blocks, resizes, grows, shrinks, to_zero, sub_block, fills;
};

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* The device: where it may sit, and the knobs its memory needs. */
static void check_device(const struct mhp_topology *t, const struct mhp_dimm *d, struct vm_count *c)
{
	assert_true(d->block_size >= (2u << 20) && d->block_size <= (1u << 30));
	assert_int_equal(d->block_size & (d->block_size - 1), 0);
	assert_true(d->size && d->size % max_u64(d->block_size, MHP_BLOCK_SIZE) == 0);
	assert_true(d->requested_size == 0 && d->addr == 0 && d->pxm == -1);
	assert_true(!strncmp(t->kernel.default_state, "online", 6));
	assert_false(t->kernel.memmap_on_memory);
	c->big_blocks += d->block_size >= MHP_BLOCK_SIZE;
}

/* Each resize: whole sub-blocks (and device blocks), within max_size; a
 * fill on the device is followed by a shrink, then the verify. */
static void check_steps(const struct mhp_topology *t, struct vm_count *c)
{
	uint64_t requested[MHP_MAX_DIMMS] = { 0 };

	for (unsigned i = 0; i < t->nr_steps; i++) {
		const struct mhp_step *st = &t->steps[i];
		const struct mhp_dimm *d = &t->dimms[st->dimm];

		if (st->kind == MHP_STEP_FILL && d->kind == MHP_DEVICE_VIRTIO_MEM) {
			assert_true(i + 2 < t->nr_steps && t->steps[i + 1].kind == MHP_STEP_RESIZE);
			assert_true(t->steps[i + 1].size < requested[st->dimm] && requested[st->dimm] >= MHP_BLOCK_SIZE);
			assert_int_equal(t->steps[i + 2].kind, MHP_STEP_VERIFY);
			c->fills++;
		}
		if (st->kind != MHP_STEP_RESIZE)
			continue;
		assert_int_equal(d->kind, MHP_DEVICE_VIRTIO_MEM);
		assert_int_equal(st->size % max_u64(d->block_size, MHP_VIRTIO_MEM_SUB_BLOCK), 0);
		assert_true(st->size <= d->size && st->size != requested[st->dimm]);
		c->resizes++;
		c->grows += st->size > requested[st->dimm];
		c->shrinks += st->size < requested[st->dimm];
		c->to_zero += st->size == 0;
		c->sub_block += st->size % MHP_BLOCK_SIZE != 0;
		requested[st->dimm] = st->size;
	}
}

static void count_one(const struct mhp_topology *t, struct vm_count *c)
{
	unsigned devices = 0;
	char err[512];

	if (mhp_topology_validate(t, NULL, err, sizeof(err)) < 0)
		fail_msg("%s: %s", t->name, err);
	for (unsigned i = 0; i < t->nr_dimms; i++)
		if (t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM) {
			check_device(t, &t->dimms[i], c);
			devices++;
		}
	assert_true(devices <= 1);
	/* Beside the DIMMs: the DIMM half of the space stays. */
	assert_true(!devices || t->nr_dimms >= 2);
	c->devices += devices;
	check_steps(t, c);
}

static void test_virtio_mem_drawn(void **state)
{
	const struct vm_row *row = *state;
	struct mhp_topology shape, t;
	struct vm_count c = { 0 };
	char err[512];

	if (row->shape) {
		char *path = mhp_xasprintf(MHP_SOURCE_DIR "/topologies/%s.json", row->shape);

		assert_int_equal(mhp_topology_load(&shape, path, err, sizeof(err)), 0);
		free(path);
	}
	for (uint64_t i = 0; i < SCENARIOS; i++) {
		if (mhp_fuzz_generate_on(&t, row->seed, i, row->shape ? &shape : NULL, err, sizeof(err)) < 0)
			fail_msg("scenario %llu: %s", (unsigned long long)i, err);
		count_one(&t, &c);
		mhp_topology_release(&t);
	}
	if (row->shape)
		mhp_topology_release(&shape);
	/* A minority: the DIMM scenarios that find the regressions of
	 * kernel-patches/regressions/ stay most of a campaign. */
	if (c.devices < SCENARIOS / 10 || c.devices > SCENARIOS * 3 / 10)
		fail_msg("%u of %u scenarios have a virtio-mem device", c.devices, SCENARIOS);
	const unsigned *all[] = { &c.big_blocks, &c.resizes, &c.grows, &c.shrinks, &c.to_zero, &c.sub_block, &c.fills };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i] < 5)
			fail_msg("feature %zu appears %u times in %u scenarios", i, *all[i], SCENARIOS);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_virtio_mem_drawn, vm_rows);
	return TEST_RUN("fuzz-generate-virtio-mem", &l);
}
