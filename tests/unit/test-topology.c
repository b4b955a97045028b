/* Scenario parsing: good files, and bad ones named by line and field. */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "model/topology.h"

#define GOOD                                                                           \
	"{\n"                                                                          \
	"  \"name\": \"t\",\n"                                                         \
	"  \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\", \"cpus\": 2 } ],\n" \
	"  \"slots\": 2,\n"                                                            \
	"  \"maxmem\": \"4G\",\n"                                                      \
	"  \"cmdline\": [ \"movable_node\" ],\n"                                       \
	"  \"dimms\": [ { \"id\": \"d1\", \"size\": \"1G\", \"node\": 1 } ],\n"         \
	"  \"steps\": [\n"                                                             \
	"    { \"plug\": \"d1\", \"expect_valid_zones\": \"Normal,Movable\" },\n"      \
	"    { \"online\": \"d1\", \"type\": \"online_movable\", \"expect_zone\": \"Movable\" },\n" \
	"    { \"unplug\": \"d1\" }\n"                                                 \
	"  ]\n"                                                                        \
	"}\n"

static void test_good(void **state)
{
	(void)state;
	struct mhp_topology s;
	char err[256] = "";

	assert_int_equal(mhp_topology_parse(&s, "good.json", GOOD, err, sizeof(err)), 0);
	assert_string_equal(s.name, "t");
	assert_int_equal(s.nr_nodes, 2);
	assert_int_equal(s.nodes[1].cpus, 2);
	assert_int_equal(mhp_topology_boot_memory(&s), 1ull << 30);
	assert_int_equal(s.maxmem, 4ull << 30);
	assert_int_equal(s.nr_dimms, 1);
	assert_int_equal(s.dimms[0].size, 1ull << 30);
	assert_int_equal(s.nr_steps, 3);
	assert_int_equal(s.steps[1].kind, MHP_STEP_ONLINE);
	assert_string_equal(s.steps[1].online_type, "online_movable");
	assert_string_equal(s.steps[1].expect_zone, "Movable");
	assert_int_equal(s.steps[1].line, 10);
	assert_string_equal(s.cmdline.v[0], "movable_node");
	mhp_topology_release(&s);
}

/* Each row edits GOOD (replacing `from` by `to`) and expects this message. */
struct bad_row {
	const char *name, *from, *to, *error;
};

static const struct bad_row bad_rows[] = {
	{ "syntax error", "\"slots\": 2,", "\"slots\": 2,,", "bad.json:4: field '(syntax)': " },
	{ "truncated", "  ]\n}\n", "  ]\n", "bad.json:13: field '(syntax)': unexpected end of file" },
	{ "unknown top-level key", "\"slots\": 2", "\"slot\": 2", "bad.json:4: field 'slot': unknown key" },
	{ "wrong type", "\"slots\": 2", "\"slots\": \"2\"", "bad.json:4: field 'slots': must be an integer" },
	{ "size not a multiple of the block size", "\"size\": \"1G\"", "\"size\": \"100M\"",
	  "bad.json:7: field 'size': must be a multiple of 128M (the memory block size)" },
	{ "dimm on unknown node", "\"node\": 1 }", "\"node\": 5 }",
	  "bad.json:7: field 'node': node 5 does not exist (the topology has 2)" },
	{ "maxmem below boot memory", "\"4G\"", "\"512M\"", "bad.json:5: field 'maxmem': below the boot memory (1024 MiB)" },
	/* Strict JSON: what json-c takes but would mean something else. */
	{ "a key twice at the top", "\"slots\": 2,", "\"slots\": 2, \"slots\": 3,",
	  "bad.json:4: field 'slots': given twice in one object" },
	{ "a key twice in a DIMM", "\"node\": 1 }", "\"node\": 1, \"node\": 0 }",
	  "bad.json:7: field 'node': given twice in one object" },
	{ "the same key in two objects is fine, a third time in one is not", "{ \"memory\": \"512M\" },",
	  "{ \"memory\": \"512M\", \"cpus\": 1, \"cpus\": 1 },", "bad.json:3: field 'cpus': given twice in one object" },
	{ "a NUL in a string value", "\"name\": \"t\"", "\"name\": \"t\\u0000x\"",
	  "bad.json:2: field 'name': holds a NUL character (\\u0000)" },
	{ "a NUL in a key", "\"slots\": 2", "\"slo\\u0000ts\": 2",
	  "bad.json:4: field 'slo\\u0000ts': a key holding a NUL character (\\u0000)" },
	{ "a number beyond 64 bits", "\"slots\": 2", "\"slots\": 123456789012345678901234",
	  "bad.json:4: field 'slots': is beyond the numbers mhp takes (64 bits)" },
	{ "a negative number beyond 64 bits", "\"slots\": 2", "\"slots\": -123456789012345678901234",
	  "bad.json:4: field 'slots': is beyond the numbers mhp takes (64 bits)" },
	{ "a DIMM address of 0 (not set)", "\"node\": 1 }", "\"node\": 1, \"addr\": 0 }",
	  "bad.json:7: field 'addr': 0 here would mean 'not set': leave addr out" },
	{ "a DIMM of size 0", "\"size\": \"1G\"", "\"size\": 0", "bad.json:7: field 'size': 0 here would mean 'not set'" },
	{ "an interleave of 0", "\"slots\": 2,", "\"slots\": 2, \"interleave\": \"0\",",
	  "bad.json:4: field 'interleave': 0 here would mean 'not set': leave interleave out" },
	{ "a NUL in an array element", "[ \"movable_node\" ]", "[ \"movable_node\\u0000x\" ]",
	  "bad.json:6: field 'cmdline': holds a NUL character (\\u0000)" },
	{ "a key twice, once escaped", "\"slots\": 2,", "\"slots\": 2, \"slo\\u0074s\": 3,",
	  "bad.json:4: field 'slo\\u0074s': given twice in one object" },
	{ "a key twice, once in single quotes", "\"slots\": 2,", "\"slots\": 2, 'slots': 3,",
	  "bad.json:4: field 'slots': given twice in one object" },
	{ "a '// \"k\": 1' comment is no key", "\"slots\": 2,", "\"slots\": 2, // \"slots\": 3,\n",
	  NULL },
	{ "maxmem too small for the dimms", "\"4G\"", "\"1536M\"",
	  "bad.json:5: field 'maxmem': leaves 512 MiB for DIMMs of 1024 MiB in all" },
	{ "step on unknown dimm", "{ \"unplug\": \"d1\" }", "{ \"unplug\": \"d2\" }",
	  "bad.json:11: field 'unplug': no DIMM has id 'd2'" },
	{ "bad online type", "\"online_movable\"", "\"online_weird\"",
	  "bad.json:10: field 'type': must be online, online_kernel or online_movable" },
	{ "bad zone name", "\"expect_zone\": \"Movable\"", "\"expect_zone\": \"Moveable\"",
	  "bad.json:10: field 'expect_zone': 'Moveable' is not a zone (DMA, DMA32, Normal, Movable, Device, none)" },
	{ "two actions in a step", "{ \"unplug\": \"d1\" }", "{ \"unplug\": \"d1\", \"plug\": \"d1\" }",
	  "bad.json:11: field 'unplug': a step has one action, this one also has 'plug'" },
	{ "unplug before plug", "    { \"plug\": \"d1\", \"expect_valid_zones\": \"Normal,Movable\" },\n", "",
	  "bad.json:9: field 'online': DIMM 'd1' is not plugged at this step" },
	{ "no slots", "\"slots\": 2", "\"slots\": 0", "bad.json:4: field 'slots': hotplug needs at least one slot" },
	{ "absurd size", "\"size\": \"1G\"", "\"size\": \"99999999999T\"",
	  "bad.json:7: field 'size': must be a size such as \"512M\" or \"1G\"" },
	{ "missing steps", ",\n  \"steps\": [\n    { \"plug\": \"d1\", \"expect_valid_zones\": \"Normal,Movable\" },\n"
			   "    { \"online\": \"d1\", \"type\": \"online_movable\", \"expect_zone\": \"Movable\" },\n"
			   "    { \"unplug\": \"d1\" }\n  ]", "", "bad.json:1: field 'steps': missing" },
	{ "name with a slash", "\"name\": \"t\"", "\"name\": \"../t\"",
	  "bad.json:2: field 'name': may hold only lowercase letters, digits, '-', '_' and '.'" },
	{ "cmdline word with space", "\"movable_node\"", "\"movable_node quiet\"",
	  "bad.json:6: field 'cmdline': entry 0 must be one word without spaces or quotes" },
	{ "duplicate proximity domain", "\"cpus\": 2 }", "\"cpus\": 2, \"pxm\": 0 }",
	  "bad.json:3: field 'pxm': proximity domain 0 is used by node 0 too" },
	{ "hot-pluggable memoryless node", "{ \"memory\": \"512M\", \"cpus\": 2 }",
	  "{ \"memory\": 0, \"cpus\": 2, \"hotpluggable\": true }",
	  "bad.json:3: field 'hotpluggable': a memoryless node has no boot range to flag" },
	{ "node 0 without memory", "{ \"memory\": \"512M\" },", "{ \"memory\": 0 },",
	  "bad.json:3: field 'memory': node 0 holds the kernel and needs memory" },
	{ "boot memory too large", "{ \"memory\": \"512M\" },", "{ \"memory\": \"2560M\" },",
	  "bad.json:3: field 'nodes': boot memory of 3072 MiB is above the 2560 MiB mhp supports" },
	{ "interleave not block-aligned", "\"slots\": 2,", "\"slots\": 2, \"interleave\": \"64M\",",
	  "bad.json:4: field 'interleave': must be a multiple of 128M (the memory block size)" },
	{ "unknown memhp_default_state", "\"cmdline\": [ \"movable_node\" ],",
	  "\"kernel\": { \"memhp_default_state\": \"online_fast\" },",
	  "bad.json:6: field 'memhp_default_state': 'online_fast' is not one of the values the kernel accepts" },
	{ "unknown kernel knob", "\"cmdline\": [ \"movable_node\" ],", "\"kernel\": { \"movable_nodes\": true },",
	  "bad.json:6: field 'movable_nodes': unknown key" },
	{ "block index outside the DIMM", "\"type\": \"online_movable\",", "\"type\": \"online_movable\", \"blocks\": [ 8 ],",
	  "bad.json:10: field 'blocks': entry 0 must be a block index from 0 to 7" },
	{ "expect word that does not fit the step", "{ \"unplug\": \"d1\" }", "{ \"unplug\": \"d1\", \"expect\": \"ok\" }",
	  "bad.json:11: field 'expect': 'ok' does not apply to a unplug step" },
	{ "address below the hotplug window", "\"node\": 1 }", "\"node\": 1, \"addr\": \"0x80000000\" }",
	  "bad.json:7: field 'addr': 0x80000000 is outside the hotplug window [0x100000000, 0x240000000)" },
	{ "DIMM whose _PXM no node has", "\"cpus\": 2 }", "\"cpus\": 2, \"pxm\": 5 }",
	  "bad.json:7: field 'node': QEMU reports this DIMM's _PXM as 1, and no node has proximity domain 1" },
	{ "DIMM pxm no node has", "\"node\": 1 }", "\"node\": 1, \"pxm\": 4 }",
	  "bad.json:7: field 'pxm': no node has proximity domain 4" },
	{ "DIMM pxm pins DIMMs to slots", "\"slots\": 2", "\"slots\": 0", "bad.json:4: field 'slots': hotplug needs at least one slot" },
	{ "check step with a DIMM", "{ \"unplug\": \"d1\" }", "{ \"unplug\": \"d1\" }, { \"check\": true, \"type\": \"online\" }",
	  "bad.json:11: field 'type': a check step takes no other key" },
};

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	assert_non_null(at);
	char *out = malloc(strlen(text) + strlen(to) + 1);
	size_t pre = (size_t)(at - text);

	memcpy(out, text, pre);
	strcpy(out + pre, to);
	strcat(out, at + strlen(from));
	return out;
}

static void test_bad(void **state)
{
	const struct bad_row *row = *state;
	char *text = replace(GOOD, row->from, row->to), err[512] = "";
	struct mhp_topology s;

	if (!row->error) { /* a row that must parse */
		assert_int_equal(mhp_topology_parse(&s, "bad.json", text, err, sizeof(err)), 0);
		mhp_topology_release(&s);
		free(text);
		return;
	}
	assert_int_equal(mhp_topology_parse(&s, "bad.json", text, err, sizeof(err)), -EINVAL);
	if (strncmp(err, row->error, strlen(row->error)))
		fail_msg("error '%s', want '%s'", err, row->error);
	free(text);
}

static void test_empty_and_binary(void **state)
{
	(void)state;
	struct mhp_topology s;
	char err[256];

	assert_int_equal(mhp_topology_parse(&s, "e.json", "", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "e.json:1: field '(syntax)': empty file");
	assert_int_equal(mhp_topology_parse(&s, "b.json", "\x7f" "ELF\x01\x02", err, sizeof(err)), -EINVAL);
	assert_int_equal(strncmp(err, "b.json:1: field '(syntax)': ", 28), 0);
	assert_int_equal(mhp_topology_load(&s, "/nonexistent/x.json", err, sizeof(err)), -ENOENT);
}

/* A virtio-mem device takes no ACPI slot: the DIMM after it is slot 0,
 * so one slot is enough for one DIMM with a _PXM. */
static void test_slots_skip_virtio_mem(void **state)
{
	(void)state;
	static const char text[] =
		"{ \"name\": \"s\", \"nodes\": [ { \"memory\": \"512M\", \"cpus\": 1 }, { \"memory\": \"512M\" } ],\n"
		"  \"slots\": 1, \"maxmem\": \"4G\", \"kernel\": { \"memhp_default_state\": \"online_movable\" },\n"
		"  \"dimms\": [ { \"id\": \"vm0\", \"kind\": \"virtio-mem\", \"max_size\": \"512M\", \"node\": 0 },\n"
		"              { \"id\": \"d0\", \"size\": \"128M\", \"node\": 1, \"pxm\": 1 } ],\n"
		"  \"steps\": [ { \"plug\": \"d0\" }, { \"resize\": \"vm0\", \"size\": \"128M\" } ] }\n";
	struct mhp_topology s;
	char err[256] = "";

	assert_int_equal(mhp_topology_parse(&s, "s.json", text, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(mhp_topology_dimm_slot(&s, 1), 0);
	mhp_topology_release(&s);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_good);
	TEST_ROWS(&l, test_bad, bad_rows);
	TEST_ONE(&l, test_empty_and_binary);
	TEST_ONE(&l, test_slots_skip_virtio_mem);
	return TEST_RUN("scenario", &l);
}
