/* Guest channel: line splitting, line parsing, and the guest report. */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "guest/guest-report.h"
#include "guest/wire.h"

/* Splits text fed `step` bytes at a time; joins lines with '|', marks an
 * overlong line with '!'. */
static void split_in_steps(const char *text, size_t len, size_t step, char *out, size_t size)
{
	struct mhp_line_splitter s = MHP_LINE_SPLITTER_INIT;
	size_t off = 0;

	out[0] = '\0';
	while (off < len) {
		size_t chunk = len - off < step ? len - off : step, used = 0;

		while (used < chunk) {
			const char *line;
			int err;

			used += mhp_line_splitter_feed(&s, text + off + used, chunk - used, &line, &err);
			if (err)
				strncat(out, "!|", size - strlen(out) - 1);
			if (line) {
				strncat(out, line, size - strlen(out) - 1);
				strncat(out, "|", size - strlen(out) - 1);
			}
		}
		off += chunk;
	}
}

struct split_row {
	const char *name, *text, *lines;
};

static const struct split_row split_rows[] = {
	{ "two lines", "hello proto=1\nok\n", "hello proto=1|ok|" },
	{ "crlf and empty line", "a\r\n\r\nb\n", "a||b|" },
	{ "unterminated tail waits", "ok ids=1\nblock id=3", "ok ids=1|" },
};

static void test_split_every_step(void **state)
{
	const struct split_row *row = *state;
	char got[256];

	for (size_t step = 1; step <= strlen(row->text); step++) {
		split_in_steps(row->text, strlen(row->text), step, got, sizeof(got));
		if (strcmp(got, row->lines))
			fail_msg("step %zu: '%s', want '%s'", step, got, row->lines);
	}
}

static void test_split_overlong_line_resyncs(void **state)
{
	(void)state;
	size_t n = MHP_WIRE_MAX_LINE + 10;
	char *text = malloc(n + 16), got[64];

	memset(text, 'x', n);
	strcpy(text + n, "\nend\n");
	for (size_t step = 1000; step <= n + 5; step += 997) {
		split_in_steps(text, strlen(text), step, got, sizeof(got));
		assert_string_equal(got, "!|end|");
	}
	free(text);
}

struct msg_row {
	const char *name, *line;
	int ret;
	const char *verb, *key, *val;
};

static const struct msg_row msg_rows[] = {
	{ "verb and fields", "block id=32 start=0x100000000 zone=Movable", 0, "block", "start", "0x100000000" },
	{ "verb alone", "end", 0, "end", NULL, NULL },
	{ "empty value allowed", "x a=", 0, "x", "a", "" },
	{ "field without equals", "block id", -EINVAL, NULL, NULL, NULL },
	{ "empty key", "block =3", -EINVAL, NULL, NULL, NULL },
	{ "empty line", "", -EINVAL, NULL, NULL, NULL },
	{ "too many fields", "v a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 l=1 m=1 n=1 o=1 p=1 q=1 r=1 s=1 t=1 "
			     "u=1 v=1 w=1 x=1 y=1 z=1 aa=1 bb=1 cc=1 dd=1 ee=1 ff=1 gg=1", -EINVAL, NULL, NULL, NULL },
};

static void test_msg_parse(void **state)
{
	const struct msg_row *row = *state;
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;

	assert_int_equal(mhp_wire_msg_parse(&m, row->line), row->ret);
	if (row->verb)
		assert_string_equal(m.verb, row->verb);
	if (row->key)
		assert_string_equal(mhp_wire_get(&m, row->key), row->val);
	if (row->ret == 0)
		assert_null(mhp_wire_get(&m, "absent"));
	mhp_wire_msg_release(&m);
}

struct hello_row {
	const char *name, *line;
	int ret;
	const char *release, *auto_online;
	uint64_t block_size;
	bool memmap;
	unsigned order;
	const char *modules; /* NULL: "" */
};

static const struct hello_row hello_rows[] = {
	{ "hello at boot", "hello proto=1 release=6.1.0-57-amd64 block_size=0x8000000 nodes=0-1 auto_online=offline "
	  "memmap_on_memory=N pageblock_order=9 modules=-", 0, "6.1.0-57-amd64", "offline", 128ull << 20, false, 9, NULL },
	{ "modules init loaded", "hello proto=1 release=6.1.0-57-amd64 block_size=0x8000000 nodes=0-1 auto_online=offline "
	  "memmap_on_memory=N pageblock_order=9 modules=virtio_ring,virtio,virtio_mem", 0, "6.1.0-57-amd64", "offline",
	  128ull << 20, false, 9, "virtio_ring,virtio,virtio_mem" },
	{ "hello asked again (ok)", "ok proto=1 release=6.12.1 block_size=0x8000000 nodes=0 auto_online=online_movable "
	  "memmap_on_memory=Y pageblock_order=9", 0, "6.12.1", "online_movable", 128ull << 20, true, 9, NULL },
	{ "no memmap_on_memory parameter", "hello proto=1 release=r block_size=0x8000000 auto_online=online "
	  "memmap_on_memory=-", 0, "r", "online", 128ull << 20, false, 0, NULL },
	{ "another protocol", "hello proto=2 release=r block_size=0x8000000 auto_online=online", -EPROTO, NULL, NULL, 0, false, 0, NULL },
	{ "no block size", "hello proto=1 release=r auto_online=online", -EPROTO, NULL, NULL, 0, false, 0, NULL },
	{ "block size 0", "hello proto=1 release=r block_size=0 auto_online=online", -EPROTO, NULL, NULL, 0, false, 0, NULL },
	{ "no auto_online", "hello proto=1 release=r block_size=0x8000000", -EPROTO, NULL, NULL, 0, false, 0, NULL },
};

static void test_hello_parse(void **state)
{
	const struct hello_row *row = *state;
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	struct mhp_guest_hello h = { 0 };

	assert_int_equal(mhp_wire_msg_parse(&m, row->line), 0);
	assert_int_equal(mhp_guest_hello_parse(&m, &h), row->ret);
	if (row->ret == 0) {
		assert_string_equal(h.release, row->release);
		assert_string_equal(h.auto_online, row->auto_online);
		assert_int_equal(h.block_size, row->block_size);
		assert_int_equal(h.memmap_on_memory, row->memmap);
		assert_int_equal(h.pageblock_order, row->order);
		assert_string_equal(h.modules, row->modules ? row->modules : "");
	}
	mhp_wire_msg_release(&m);
}

struct knob_row {
	const char *name, *word, *path; /* path NULL: not a runtime knob */
};

static const struct knob_row knob_rows[] = {
	{ "memhp_default_state", "memhp_default_state=online_movable", "/sys/devices/system/memory/auto_online_blocks" },
	{ "online_policy", "memory_hotplug.online_policy=auto-movable", "/sys/module/memory_hotplug/parameters/online_policy" },
	{ "auto_movable_ratio", "memory_hotplug.auto_movable_ratio=301",
	  "/sys/module/memory_hotplug/parameters/auto_movable_ratio" },
	{ "memmap_on_memory is boot-only", "memory_hotplug.memmap_on_memory=1", NULL },
	{ "movable_node is boot-only", "movable_node", NULL },
	{ "kernelcore is boot-only", "kernelcore=512M", NULL },
	{ "a longer name is another parameter", "memhp_default_state_x=online", NULL },
	{ "a bare parameter name (the guest's knob command)", "memory_hotplug.online_policy",
	  "/sys/module/memory_hotplug/parameters/online_policy" },
};

static void test_knob_of(void **state)
{
	const struct knob_row *row = *state;
	const struct mhp_wire_knob *k = mhp_wire_knob_of(row->word);

	if (!row->path)
		assert_null(k);
	else {
		assert_non_null(k);
		assert_string_equal(k->path, row->path);
	}
}

static int add_line(struct mhp_guest_report *r, const char *line)
{
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	int ret;

	assert_int_equal(mhp_wire_msg_parse(&m, line), 0);
	ret = mhp_guest_report_add(r, &m);
	mhp_wire_msg_release(&m);
	return ret;
}

static void test_report_parse(void **state)
{
	(void)state;
	struct mhp_guest_report r = MHP_GUEST_REPORT_INIT;

	assert_int_equal(add_line(&r, "block id=32 start=0x100000000 node=1 state=online zone=Movable valid_zones=Movable"), 0);
	assert_int_equal(add_line(&r, "block id=33 start=0x108000000 node=1 state=offline zone=- valid_zones=Normal,Movable "
					  "removable=1 phys_device=0"), 0);
	assert_int_equal(add_line(&r, "node id=1 memtotal_kb=449188"), 0);
	assert_int_equal(add_line(&r, "zone node=1 name=Normal present=100 managed=90 spanned=120 start_pfn=4096"), 0);
	assert_int_equal(add_line(&r, "zone node=1 name=Movable present=32768 managed=32256 spanned=32768 start_pfn=1"), 0);
	assert_false(r.has_states);
	assert_int_equal(add_line(&r, "nodestates possible=0-2 online=0-1 has_memory=1 has_normal_memory=- has_cpu=0"), 0);
	assert_int_equal(r.memtotal_kb, -1);
	assert_int_equal(add_line(&r, "iomem start=0x100000000 end=0x10fffffff"), 0);
	assert_int_equal(add_line(&r, "iomem start=0x140000000 end=0x147ffffff name=virtio_mem"), 0);
	assert_int_equal(add_line(&r, "meminfo memtotal_kb=900000"), 0);
	assert_int_equal(add_line(&r, "end"), 1);
	assert_int_equal(r.memtotal_kb, 900000);
	assert_non_null(mhp_guest_report_iomem(&r, 0x100000000ull));
	assert_int_equal(mhp_guest_report_iomem(&r, 0x100000000ull)->end, 0x10fffffffull);
	assert_null(mhp_guest_report_iomem(&r, 0x108000000ull));
	/* a driver's "System RAM (virtio_mem)" is kept apart from the top level */
	assert_null(mhp_guest_report_iomem(&r, 0x140000000ull));
	assert_int_equal(r.niomem, 2);
	assert_string_equal(r.iomem[1].type, "virtio_mem");
	assert_true(r.has_states);
	assert_int_equal(r.states.possible, 7);
	assert_int_equal(r.states.online, 3);
	assert_int_equal(r.states.has_memory, 2);
	assert_int_equal(r.states.has_normal_memory, 0);
	assert_int_equal(r.states.has_cpu, 1);
	assert_true(mhp_guest_report_has_node(&r, 1));
	assert_false(mhp_guest_report_has_node(&r, 0));
	assert_int_equal(mhp_guest_report_present_pages(&r, 1), 32868);
	assert_int_equal(mhp_guest_report_present_pages(&r, 0), 0);
	assert_true(r.complete);
	const struct mhp_block *b = mhp_guest_report_block(&r, 33);
	assert_non_null(b);
	assert_int_equal(b->start, 0x108000000ull);
	assert_int_equal(b->node, 1);
	assert_string_equal(b->state, "offline");
	assert_string_equal(b->valid_zones, "Normal,Movable");
	assert_string_equal(b->removable, "1");
	assert_string_equal(b->phys_device, "0");
	assert_string_equal(mhp_guest_report_block(&r, 32)->removable, "-");
	assert_string_equal(mhp_guest_report_block(&r, 32)->zone, "Movable");
	assert_null(mhp_guest_report_block(&r, 34));
	assert_int_equal(mhp_guest_report_memtotal_kb(&r, 1), 449188);
	assert_int_equal(mhp_guest_report_memtotal_kb(&r, 0), -1);
	/* Nothing may follow "end". */
	assert_int_equal(add_line(&r, "node id=0 memtotal_kb=1"), -EINVAL);
	mhp_guest_report_release(&r);
}

struct bad_row {
	const char *name, *line;
};

static const struct bad_row bad_rows[] = {
	{ "block without node", "block id=1 start=0x0 state=online zone=DMA valid_zones=DMA" },
	{ "block id not a number", "block id=x start=0x0 node=0 state=online zone=DMA valid_zones=DMA" },
	{ "node out of range", "block id=1 start=0x0 node=99999 state=online zone=DMA valid_zones=DMA" },
	{ "state too long", "block id=1 start=0 node=0 state=aaaaaaaaaaaaaaaaaaaaaaaa zone=D valid_zones=D" },
	{ "negative memtotal", "node id=0 memtotal_kb=-5" },
	{ "unknown verb", "hello proto=1" },
	{ "iomem range that ends before it starts", "iomem start=0x2000 end=0x1fff" },
	{ "iomem driver name longer than its field", "iomem start=0x0 end=0x1 name=virtio_mem_virtio_mem_virtio_mem_x" },
	{ "iomem driver name empty", "iomem start=0x0 end=0x1 name=" },
	{ "meminfo without its number", "meminfo memtotal_kb=" },
	{ "node states without has_cpu", "nodestates possible=0 online=0 has_memory=0 has_normal_memory=0" },
	{ "node states, a list that is not one", "nodestates possible=0-x online=0 has_memory=0 has_normal_memory=0 has_cpu=0" },
};

static void test_report_rejects(void **state)
{
	const struct bad_row *row = *state;
	struct mhp_guest_report r = MHP_GUEST_REPORT_INIT;

	assert_int_equal(add_line(&r, row->line), -EINVAL);
	assert_int_equal(r.nblocks + r.nnodes, 0);
	mhp_guest_report_release(&r);
}

struct nodelist_row {
	const char *name, *text;
	int ret;
	uint64_t mask;
	const char *formatted; /* NULL: the text itself */
};

static const struct nodelist_row nodelist_rows[] = {
	{ "one node", "0", 0, 1, NULL },
	{ "a range and a node", "0-2,5", 0, 0x27, NULL },
	{ "ranges as the kernel prints them", "1-3,6-7", 0, 0xce, NULL },
	{ "none, as mhp-init says it", "-", 0, 0, NULL },
	{ "none, an empty file", "", 0, 0, "-" },
	{ "the last node a mask holds", "63", 0, 1ull << 63, NULL },
	{ "a range written node by node is one range", "0,1,2", 0, 7, "0-2" },
	{ "node 64 is beyond the mask", "64", -EINVAL, 0, NULL },
	{ "a backwards range", "3-1", -EINVAL, 0, NULL },
	{ "a trailing comma", "1,", -EINVAL, 0, NULL },
	{ "a word", "all", -EINVAL, 0, NULL },
	{ "a sign", "-1", -EINVAL, 0, NULL },
};

static void test_nodelist(void **state)
{
	const struct nodelist_row *row = *state;
	uint64_t mask = 0xdead;
	char buf[64];

	assert_int_equal(mhp_nodelist_parse(row->text, &mask), row->ret);
	if (row->ret < 0)
		return;
	assert_int_equal(mask, row->mask);
	mhp_nodelist_format(mask, buf, sizeof(buf));
	assert_string_equal(buf, row->formatted ? row->formatted : row->text);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_split_every_step, split_rows);
	TEST_ONE(&l, test_split_overlong_line_resyncs);
	TEST_ROWS(&l, test_msg_parse, msg_rows);
	TEST_ONE(&l, test_report_parse);
	TEST_ROWS(&l, test_report_rejects, bad_rows);
	TEST_ROWS(&l, test_nodelist, nodelist_rows);
	TEST_ROWS(&l, test_hello_parse, hello_rows);
	TEST_ROWS(&l, test_knob_of, knob_rows);
	return TEST_RUN("wire", &l);
}
