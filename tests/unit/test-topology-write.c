/* The topology writer and the checks on the struct: every topology file of
 * the tree parses, validates, is written and parses back into the same
 * struct; a struct built in code validates without JSON, and its problems
 * name the element. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "model/topology.h"

/* ---- every file, one row each ---- */

/* A file whose description says "Invalid on purpose" (an integration test
 * of the refusal) has no struct to write: it must be refused, by line. */
static bool invalid_on_purpose(const char *path, const char *err)
{
	char *text = NULL, *where = mhp_xasprintf("%s:", path);
	size_t len;
	bool yes = mhp_read_file(path, 1u << 20, &text, &len) == 0 && strstr(text, "\"Invalid on purpose") &&
		   !strncmp(err, where, strlen(where)) && err[strlen(where)] >= '1' && err[strlen(where)] <= '9';

	free(text), free(where);
	return yes;
}

static void test_round_trip(void **state)
{
	const char *path = *state;
	struct mhp_topology t, back, again;
	char err[512] = "", what[64] = "";
	char *text = NULL, *text2 = NULL;

	if (mhp_topology_load(&t, path, err, sizeof(err)) < 0) {
		if (!invalid_on_purpose(path, err))
			fail_msg("%s", err);
		return;
	}
	if (mhp_topology_validate(&t, path, err, sizeof(err)) < 0)
		fail_msg("a parsed topology fails validation: %s", err);
	assert_int_equal(mhp_topology_write(&t, &text), 0);
	if (mhp_topology_parse(&back, "written.json", text, err, sizeof(err)) < 0)
		fail_msg("the written file does not parse: %s\n%s", err, text);
	if (!mhp_topology_equal(&t, &back, what, sizeof(what)))
		fail_msg("%s differs after the round trip:\n%s", what, text);
	/* Written again, the text is the same: nothing drifts. */
	assert_int_equal(mhp_topology_write(&back, &text2), 0);
	assert_string_equal(text, text2);
	assert_int_equal(mhp_topology_parse(&again, "again.json", text2, err, sizeof(err)), 0);
	assert_true(mhp_topology_equal(&t, &again, NULL, 0));
	free(text), free(text2);
	mhp_topology_release(&t), mhp_topology_release(&back), mhp_topology_release(&again);
}

/* ---- a struct built in code ---- */

static void build(struct mhp_topology *t)
{
	memset(t, 0, sizeof(*t));
	t->name = mhp_xstrdup("built");
	strcpy(t->machine, "pc");
	t->nr_nodes = 2;
	for (unsigned i = 0; i < 2; i++)
		t->nodes[i] = (struct mhp_node){ .memory = 512ull << 20, .cpus = 1, .pxm = i };
	t->slots = 2;
	t->maxmem = 4ull << 30;
	t->srat_oem_revision = 2;
	strcpy(t->kernel.default_state, "offline"); /* a default state, not an online type */
	mhp_kernel_knob_words(&t->kernel, &t->cmdline);
	mhp_strv_push(&t->cmdline, "quiet");
	t->nr_dimms = 2;
	t->dimms[0] = (struct mhp_dimm){ .id = "d0", .size = 512ull << 20, .node = 0, .pxm = -1 };
	t->dimms[1] = (struct mhp_dimm){ .id = "d1", .size = 256ull << 20, .node = 1, .addr = 5ull << 30, .pxm = -1 };
	t->nr_steps = 7;
	t->steps[0] = (struct mhp_step){ .kind = MHP_STEP_PLUG, .dimm = 0 };
	t->steps[1] = (struct mhp_step){ .kind = MHP_STEP_ONLINE, .dimm = 0, .online_type = "online_movable",
					 .expect_zone = "Movable", .blocks = 0x5 };
	t->steps[2] = (struct mhp_step){ .kind = MHP_STEP_FILL, .dimm = 0, .size = 64ull << 20, .min_share = 90 };
	t->steps[3] = (struct mhp_step){ .kind = MHP_STEP_UNPLUG, .dimm = 0, .expect = MHP_EXPECT_OK };
	t->steps[4] = (struct mhp_step){ .kind = MHP_STEP_VERIFY, .dimm = 0 };
	t->steps[5] = (struct mhp_step){ .kind = MHP_STEP_PLUG, .dimm = 1, .has_expect_online = true };
	t->steps[6] = (struct mhp_step){ .kind = MHP_STEP_CHECK };
}

static void test_built_validates_and_round_trips(void **state)
{
	(void)state;
	struct mhp_topology t, back;
	char err[512] = "", what[64] = "", *text = NULL;

	build(&t);
	if (mhp_topology_validate(&t, NULL, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(mhp_topology_write(&t, &text), 0);
	assert_non_null(strstr(text, "\"512M\""));
	assert_non_null(strstr(text, "\"0x140000000\""));
	if (mhp_topology_parse(&back, "built.json", text, err, sizeof(err)) < 0)
		fail_msg("%s\n%s", err, text);
	if (!mhp_topology_equal(&t, &back, what, sizeof(what)))
		fail_msg("%s differs:\n%s", what, text);
	/* What the file says, the parsed struct knows the line of. */
	assert_true(back.dimms[1].lines.addr > 0);
	assert_true(back.steps[1].line > back.steps[0].line);
	free(text);
	mhp_topology_release(&t), mhp_topology_release(&back);
}

static void test_unwritable(void **state)
{
	(void)state;
	struct mhp_topology t;
	char *text = NULL;

	build(&t);
	t.steps[3].dimm = 7;
	assert_int_equal(mhp_topology_write(&t, &text), -EINVAL);
	assert_null(text);
	t.steps[3].dimm = 0;
	t.steps[3].kind = MHP_STEP_INVALID;
	assert_int_equal(mhp_topology_write(&t, &text), -EINVAL);
	mhp_topology_release(&t);
}

static void test_equal_names_the_field(void **state)
{
	(void)state;
	struct mhp_topology a, b;
	char what[64] = "";

	build(&a), build(&b);
	assert_true(mhp_topology_equal(&a, &b, what, sizeof(what)));
	b.dimms[1].addr += 128ull << 20;
	assert_false(mhp_topology_equal(&a, &b, what, sizeof(what)));
	assert_string_equal(what, "dimms[1].addr");
	b.dimms[1].addr = a.dimms[1].addr;
	b.kernel.movable_node = true;
	assert_false(mhp_topology_equal(&a, &b, what, sizeof(what)));
	assert_string_equal(what, "kernel.movable_node");
	mhp_topology_release(&a), mhp_topology_release(&b);
}

/* Each row breaks the built struct one way and expects this message. */
struct built_row {
	const char *name;
	void (*edit)(struct mhp_topology *t);
	const char *path, *error;
};

static void addr_unaligned(struct mhp_topology *t) { t->dimms[1].addr += 64ull << 20; }
static void addr_unaligned_line(struct mhp_topology *t) { t->dimms[1].addr += 64ull << 20, t->dimms[1].lines.addr = 7; }
static void online_before_plug(struct mhp_topology *t) { t->steps[0] = (struct mhp_step){ .kind = MHP_STEP_CHECK }; }
static void verify_before_fill(struct mhp_topology *t) { t->steps[2] = (struct mhp_step){ .kind = MHP_STEP_CHECK }; }
static void maxmem_below_boot(struct mhp_topology *t) { t->maxmem = 512ull << 20; }
static void bad_zone(struct mhp_topology *t) { strcpy(t->steps[1].expect_zone, "Moveable"); }
static void offline_is_no_online_type(struct mhp_topology *t) { strcpy(t->steps[1].online_type, "offline"); }
static void bad_default_state(struct mhp_topology *t) { strcpy(t->kernel.default_state, "online_fast"); }
static void unknown_node(struct mhp_topology *t) { t->dimms[0].node = 5; }
static void too_few_slots(struct mhp_topology *t) { t->slots = 1, t->steps[3] = (struct mhp_step){ .kind = MHP_STEP_CHECK }; }
static void block_beyond_dimm(struct mhp_topology *t) { t->steps[1].blocks |= 1ull << 9; }
static void fill_size(struct mhp_topology *t) { t->steps[2].size = 4096; }
static void no_dimm(struct mhp_topology *t) { t->steps[4].dimm = 9; }
static void no_kind(struct mhp_topology *t) { t->steps[6].kind = MHP_STEP_INVALID; }
static void srat_needed(struct mhp_topology *t) { t->interleave = 128ull << 20; }
static void pxm_without_dsdt(struct mhp_topology *t) { t->dimms[1].pxm = 0; }
static void cmdline_space(struct mhp_topology *t) { free(t->cmdline.v[1]), t->cmdline.v[1] = mhp_xstrdup("a b"); }
static void no_nodes(struct mhp_topology *t) { t->nr_nodes = 0; }
static void bad_name(struct mhp_topology *t) { t->name[0] = 'B'; }

static const struct built_row built_rows[] = {
	{ "DIMM address unaligned", addr_unaligned, NULL, "(no file): field 'dimms[1].addr': must be aligned to 128M" },
	{ "named by the path", addr_unaligned, "gen.json", "gen.json: field 'dimms[1].addr': must be aligned to 128M" },
	{ "a line of its own", addr_unaligned_line, "gen.json", "gen.json:7: field 'addr': must be aligned to 128M" },
	{ "online before plug", online_before_plug, NULL,
	  "(no file): field 'steps[1].online': DIMM 'd0' is not plugged at this step" },
	{ "verify before fill", verify_before_fill, NULL, "(no file): field 'steps[4].verify': comes before any fill step" },
	{ "maxmem below boot memory", maxmem_below_boot, NULL, "(no file): field 'maxmem': below the boot memory (1024 MiB)" },
	{ "zone name", bad_zone, NULL,
	  "(no file): field 'steps[1].expect_zone': 'Moveable' is not a zone (DMA, DMA32, Normal, Movable, Device, none)" },
	{ "offline is no online type", offline_is_no_online_type, NULL,
	  "(no file): field 'steps[1].type': must be online, online_kernel or online_movable" },
	{ "memhp_default_state", bad_default_state, NULL,
	  "(no file): field 'kernel.memhp_default_state': 'online_fast' is not one of the values the kernel accepts" },
	{ "DIMM on no node", unknown_node, NULL, "(no file): field 'dimms[0].node': node 5 does not exist (the topology has 2)" },
	{ "more plugs than slots", too_few_slots, NULL, "(no file): field 'steps[5].plug': more DIMMs plugged than the 1 slots" },
	{ "block beyond the DIMM", block_beyond_dimm, NULL,
	  "(no file): field 'steps[1].blocks': entry 2 must be a block index from 0 to 3" },
	{ "fill size", fill_size, NULL, "(no file): field 'steps[2].size': must be a multiple of 8K and at most 4G" },
	{ "step on no DIMM", no_dimm, NULL, "(no file): field 'steps[4].verify': no DIMM has index 9" },
	{ "step of no kind", no_kind, NULL, "(no file): field 'steps[6].plug': a step needs one of plug, online" },
	{ "interleave without SRAT", srat_needed, NULL,
	  "(no file): field 'acpi.srat': the nodes need a generated SRAT (a pxm or hotpluggable flag)" },
	{ "DIMM pxm without DSDT", pxm_without_dsdt, NULL, "(no file): field 'dimms[1].pxm': needs the regenerated DSDT" },
	{ "command-line word", cmdline_space, NULL,
	  "(no file): field 'cmdline': entry 0 must be one word without spaces or quotes" },
	{ "no nodes", no_nodes, NULL, "(no file): field 'nodes': must hold 1 to 8 entries" },
	{ "name", bad_name, NULL, "(no file): field 'name': may hold only lowercase letters" },
};

static void test_built_bad(void **state)
{
	const struct built_row *row = *state;
	struct mhp_topology t;
	char err[512] = "";

	build(&t);
	row->edit(&t);
	assert_int_equal(mhp_topology_validate(&t, row->path, err, sizeof(err)), -EINVAL);
	if (strncmp(err, row->error, strlen(row->error)))
		fail_msg("error '%s', want '%s'", err, row->error);
	mhp_topology_release(&t);
}

int main(void)
{
	static struct test_list l;
	glob_t g;
	int r;

	/* From the repository root, as make unit runs it. */
	assert_int_equal(glob("topologies/*.json", 0, NULL, &g), 0);
	assert_int_equal(glob("tests/topologies/*.json", GLOB_APPEND, NULL, &g), 0);
	if (g.gl_pathc < 20) {
		fprintf(stderr, "test-topology-write: %zu topology files: run from the repository root\n", g.gl_pathc);
		return 1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		test_add(&l, g.gl_pathv[i], test_round_trip, g.gl_pathv[i]);
	TEST_ONE(&l, test_built_validates_and_round_trips);
	TEST_ONE(&l, test_unwritable);
	TEST_ONE(&l, test_equal_names_the_field);
	TEST_ROWS(&l, test_built_bad, built_rows);
	r = TEST_RUN("topology-write", &l);
	globfree(&g);
	return r;
}
