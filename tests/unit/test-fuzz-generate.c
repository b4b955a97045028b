/* The fuzz generator: 10,000 generated topologies (virtio-mem devices and
 * resize steps among them) all validate and survive a write/parse round trip; the same seed and index give the same file byte
 * for byte (a checked-in file pins it across machines and versions); and
 * the walk reaches every part of the space it is meant to cover. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "fuzz/generate.h"
#include "model/topology.h"

#define PROPERTY_RUNS 10000

/* What the generated space must contain, counted over the property runs. */
struct coverage {
	unsigned q35, four_nodes, memoryless, cpuless_with_memory, pxm_permuted, pxm_other, hotpluggable,
		interleave, movable_node, memmap_on_memory, kernelcore, movablecore, auto_movable, contig,
		auto_online, dsdt, fixed_addr, three_dimms, virtio_mem;
	unsigned steps[MHP_STEP_LAST + 1], online_types[3], partial_blocks, replug;
};

static void count_machine(const struct mhp_topology *t, struct coverage *c)
{
	bool permuted = false, other = false;

	c->q35 += !strcmp(t->machine, "q35");
	c->four_nodes += t->nr_nodes == 4;
	for (unsigned i = 0; i < t->nr_nodes; i++) {
		c->memoryless += !t->nodes[i].memory;
		c->cpuless_with_memory += t->nodes[i].memory && !t->nodes[i].cpus;
		c->hotpluggable += t->nodes[i].hotpluggable;
		permuted |= t->nodes[i].pxm != i && t->nodes[i].pxm < t->nr_nodes;
		other |= t->nodes[i].pxm >= t->nr_nodes;
	}
	c->pxm_permuted += permuted, c->pxm_other += other;
	c->interleave += t->interleave != 0;
	c->movable_node += t->kernel.movable_node;
	c->memmap_on_memory += t->kernel.memmap_on_memory;
	c->kernelcore += t->kernel.kernelcore != 0;
	c->movablecore += t->kernel.movablecore != 0;
	c->auto_movable += !strcmp(t->kernel.online_policy, "auto-movable");
	c->contig += !strcmp(t->kernel.online_policy, "contig-zones");
	c->auto_online += strcmp(t->kernel.default_state, "offline") != 0;
	c->dsdt += t->dsdt;
	c->three_dimms += t->nr_dimms == 3;
	for (unsigned i = 0; i < t->nr_dimms; i++)
		c->fixed_addr += t->dimms[i].addr != 0;
	c->virtio_mem += mhp_topology_has_virtio_mem(t);
}

static void count_steps(const struct mhp_topology *t, struct coverage *c)
{
	unsigned plugs[MHP_MAX_DIMMS] = { 0 };

	for (unsigned i = 0; i < t->nr_steps; i++) {
		const struct mhp_step *st = &t->steps[i];

		c->steps[st->kind]++;
		c->partial_blocks += st->blocks != 0;
		if (st->kind == MHP_STEP_ONLINE)
			c->online_types[!strcmp(st->online_type, "online_movable") ? 1
					: !strcmp(st->online_type, "online_kernel") ? 2 : 0]++;
		if (st->kind == MHP_STEP_PLUG && ++plugs[st->dimm] == 2)
			c->replug++;
	}
}

static void round_trip(uint64_t seed, uint64_t index, struct coverage *c)
{
	struct mhp_topology t, back;
	char err[512], what[64] = "";
	char *text = NULL;

	if (mhp_fuzz_generate(&t, seed, index, err, sizeof(err)) < 0)
		fail_msg("seed %llu index %llu: %s", (unsigned long long)seed, (unsigned long long)index, err);
	assert_int_equal(mhp_topology_write(&t, &text), 0);
	if (mhp_topology_parse(&back, "generated.json", text, err, sizeof(err)) < 0)
		fail_msg("seed %llu index %llu does not parse back: %s\n%s", (unsigned long long)seed,
			 (unsigned long long)index, err, text);
	if (!mhp_topology_equal(&t, &back, what, sizeof(what)))
		fail_msg("%s differs after the round trip:\n%s", what, text);
	count_machine(&t, c);
	count_steps(&t, c);
	free(text);
	mhp_topology_release(&t), mhp_topology_release(&back);
}

static void test_property_round_trip(void **state)
{
	struct coverage c = { 0 };

	(void)state;
	/* Ten campaigns' first thousand scenarios: seeds far apart and near. */
	for (uint64_t i = 0; i < PROPERTY_RUNS; i++)
		round_trip(i % 10 == 9 ? 0xfeedfacecafebeefull : i % 10, i / 10, &c);
	/* Every part of the space shows up, and not by a fluke: >= 0.5%. */
	const unsigned floor = PROPERTY_RUNS / 200;
	const unsigned *all[] = { &c.q35, &c.four_nodes, &c.memoryless, &c.cpuless_with_memory, &c.pxm_permuted,
				  &c.pxm_other, &c.hotpluggable, &c.interleave, &c.movable_node, &c.memmap_on_memory,
				  &c.kernelcore, &c.movablecore, &c.auto_movable, &c.contig, &c.auto_online, &c.dsdt,
				  &c.fixed_addr, &c.three_dimms, &c.steps[MHP_STEP_PLUG], &c.steps[MHP_STEP_ONLINE],
				  &c.steps[MHP_STEP_OFFLINE], &c.steps[MHP_STEP_UNPLUG], &c.steps[MHP_STEP_CHECK],
				  &c.steps[MHP_STEP_FILL], &c.steps[MHP_STEP_VERIFY], &c.online_types[0],
				  &c.online_types[1], &c.online_types[2], &c.partial_blocks, &c.replug, &c.virtio_mem,
				  &c.steps[MHP_STEP_RESIZE] };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i] < floor)
			fail_msg("feature %zu of the coverage list appears %u times in %u topologies", i, *all[i],
				 PROPERTY_RUNS);
	/* Debug steps never: they fail a clean kernel on purpose. */
	assert_int_equal(c.steps[MHP_STEP_CORRUPT] + c.steps[MHP_STEP_SYSRQ] + c.steps[MHP_STEP_PIN], 0);
}

/* Same seed and index, same bytes: here and on the machine that wrote the
 * checked-in file.  Scenario 6 has no virtio-mem device, and its file was
 * written before devices were drawn: a scenario without one is unchanged. */
struct fixture_row {
	const char *name;
	uint64_t index;
	const char *file;
};

static const struct fixture_row fixture_rows[] = {
	{ "deterministic: seed 0x5eed scenario 7 (a virtio-mem device)", 7, "seed-0x5eed-7.json" },
	{ "deterministic: seed 0x5eed scenario 6 (as before virtio-mem)", 6, "seed-0x5eed-6.json" },
};

static void test_deterministic(void **state)
{
	const struct fixture_row *row = *state;
	char *path = mhp_xasprintf(MHP_SOURCE_DIR "/tests/fixtures/fuzz/%s", row->file);
	struct mhp_topology t;
	char err[512], *text = NULL, *want = NULL;
	size_t len;

	assert_int_equal(mhp_read_file(path, 1 << 20, &want, &len), 0);
	assert_int_equal(mhp_fuzz_generate(&t, 0x5eed, row->index, err, sizeof(err)), 0);
	assert_int_equal(mhp_topology_has_virtio_mem(&t), row->index == 7);
	assert_int_equal(mhp_topology_write(&t, &text), 0);
	assert_string_equal(text, want);
	mhp_topology_release(&t);
	free(text), free(want), free(path);
}

/* Scenarios differ: a campaign is not one topology a thousand times. */
static void test_scenarios_differ(void **state)
{
	char err[512], *a = NULL, *b = NULL;
	struct mhp_topology t;
	unsigned same = 0;

	(void)state;
	for (uint64_t i = 0; i < 200; i++) {
		assert_int_equal(mhp_fuzz_generate(&t, 3, i, err, sizeof(err)), 0);
		free(t.name), free(t.description);
		t.name = t.description = NULL; /* the name holds the index */
		assert_int_equal(mhp_topology_write(&t, &b), 0);
		same += a && !strcmp(a, b);
		free(a);
		a = b;
		mhp_topology_release(&t);
	}
	free(a);
	assert_true(same < 5);
}

/* On a given machine (--shape): every scenario keeps it, whatever the
 * corpus file, and validates (DIMMs fitted to its slots and maxmem). */
static void test_shape(void **state)
{
	static const char *const shapes[] = { "two-nodes-movable-node", "memoryless-node-gains-memory",
					      "three-nodes-interleaved", "pxm-disagrees-with-srat", "kernelcore-boot" };
	char err[512];

	(void)state;
	for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		char *path = mhp_xasprintf(MHP_SOURCE_DIR "/topologies/%s.json", shapes[k]);
		struct mhp_topology shape, t;

		assert_int_equal(mhp_topology_load(&shape, path, err, sizeof(err)), 0);
		for (uint64_t i = 0; i < 500; i++) {
			if (mhp_fuzz_generate_on(&t, 9, i, &shape, err, sizeof(err)) < 0)
				fail_msg("%s, scenario %llu: %s", shapes[k], (unsigned long long)i, err);
			assert_int_equal(t.nr_nodes, shape.nr_nodes);
			assert_memory_equal(t.nodes, shape.nodes, sizeof(t.nodes));
			assert_true(t.maxmem == shape.maxmem && t.slots == shape.slots && t.interleave == shape.interleave);
			assert_true(t.kernel.movable_node == shape.kernel.movable_node);
			mhp_topology_release(&t);
		}
		mhp_topology_release(&shape);
		free(path);
	}
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_property_round_trip);
	TEST_ROWS(&l, test_deterministic, fixture_rows);
	TEST_ONE(&l, test_scenarios_differ);
	TEST_ONE(&l, test_shape);
	return TEST_RUN("fuzz-generate", &l);
}
