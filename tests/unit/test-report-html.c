/* The HTML report without a browser: the block-by-step grid is what the
 * checks say (a plug adds its blocks, an unplug takes them, a failed zone
 * check marks its cell with expected and observed), and text from the
 * guest and the topology stays text: a <script> in a description and an
 * attribute-breaking string in an observed value appear as text, never
 * as elements. */
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/util.h"
#include "report/block-grid.h"
#include "report/html.h"
#include "report/report.h"

static void plug_cycle(struct mhp_result *r, const char *observed_zone)
{
	mhp_result_init(r, "cycle");
	mhp_result_check(r, "block 0", "node and zone", "0 none", "0 none");
	mhp_result_check(r, "block 1", "node and zone", "0 DMA32", "0 DMA32");
	mhp_result_step(r, 1, "plug", "dimm0");
	mhp_result_check(r, NULL, "new blocks", "2 blocks, ids 32-33", "2 blocks, ids 32-33");
	mhp_result_check(r, "block 32", "state", "offline", "offline");
	mhp_result_check(r, "block 33", "state", "offline", "offline");
	mhp_result_step(r, 2, "online", "dimm0");
	mhp_result_check(r, "block 32", "state", "online", "online");
	mhp_result_check(r, "block 32", "zone", "Movable", observed_zone);
	mhp_result_step(r, 3, "unplug", "dimm0");
	mhp_result_check(r, NULL, "blocks gone", "none left", "none left");
	mhp_result_finish(r);
}

static void test_grid(void **state)
{
	struct mhp_result r;
	struct mhp_grid g;

	(void)state;
	plug_cycle(&r, "Normal");
	mhp_grid_build(&g, &r);
	assert_int_equal(g.nblocks, 4);
	assert_int_equal(g.blocks[2], 32);
	assert_int_equal(g.nrows, 4);
	assert_string_equal(g.rows[0].label, "boot");
	assert_string_equal(g.rows[2].label, "step 2 online dimm0");
	assert_int_equal(g.rows[0].cells[1].state, MHP_CELL_ZONE);
	assert_string_equal(g.rows[0].cells[1].zone, "DMA32");
	assert_int_equal(g.rows[0].cells[2].state, MHP_CELL_ABSENT);  /* not plugged yet */
	assert_int_equal(g.rows[1].cells[3].state, MHP_CELL_OFFLINE); /* plugged */
	assert_false(g.rows[1].cells[1].seen);                        /* boot block, carried */
	assert_int_equal(g.rows[2].cells[2].state, MHP_CELL_ZONE);
	assert_string_equal(g.rows[2].cells[2].zone, "Normal");       /* what the guest showed */
	assert_true(g.rows[2].cells[2].mismatch);
	assert_string_equal(g.rows[2].cells[2].tip, "zone: expected Movable, observed Normal");
	assert_false(g.rows[2].cells[3].mismatch);
	assert_int_equal(g.rows[3].cells[2].state, MHP_CELL_ABSENT);  /* unplugged */
	assert_int_equal(g.rows[3].cells[1].state, MHP_CELL_ZONE);    /* boot memory stays */
	mhp_grid_release(&g);
	mhp_result_release(&r);
}

/* A virtio-mem resize adds the blocks it lists and a shrink takes the
 * ones it lists away, scored or recorded as an outcome alike. */
static void test_grid_resize(void **state)
{
	struct mhp_result r;
	struct mhp_grid g;

	(void)state;
	mhp_result_init(&r, "resize");
	mhp_result_check(&r, "block 1", "node and zone", "0 DMA32", "0 DMA32");
	mhp_result_step(&r, 1, "resize", "vm0");
	mhp_result_check(&r, NULL, "blocks added", "4 blocks, ids 32-35", "4 blocks, ids 32-35");
	mhp_result_check(&r, "block 32", "zone", "Movable", "Movable");
	mhp_result_step(&r, 2, "resize", "vm0");
	mhp_result_check(&r, NULL, "blocks removed", "2 blocks, ids 34-35", "2 blocks, ids 34-35");
	mhp_result_step(&r, 3, "resize", "vm0");
	/* A kernel-zone shrink may keep any of the blocks. */
	mhp_result_outcome(&r, NULL, "blocks removed", "1 block, ids 32");
	mhp_result_step(&r, 4, "resize", "vm0");
	mhp_result_outcome(&r, NULL, "blocks removed", "none");
	mhp_result_finish(&r);
	mhp_grid_build(&g, &r);
	assert_int_equal(g.nblocks, 5);
	assert_int_equal(g.nrows, 5);
	assert_int_equal(g.rows[1].cells[1].state, MHP_CELL_ZONE);     /* 32: onlined */
	assert_int_equal(g.rows[1].cells[4].state, MHP_CELL_OFFLINE);  /* 35: added, not looked at */
	assert_int_equal(g.rows[2].cells[1].state, MHP_CELL_ZONE);     /* 32 stays */
	assert_int_equal(g.rows[2].cells[3].state, MHP_CELL_ABSENT);   /* 34 went */
	assert_int_equal(g.rows[3].cells[1].state, MHP_CELL_ABSENT);   /* the kernel gave 32 back */
	assert_int_equal(g.rows[3].cells[2].state, MHP_CELL_OFFLINE);  /* and kept 33 above it */
	assert_int_equal(g.rows[3].cells[0].state, MHP_CELL_ZONE);     /* boot memory stays */
	assert_int_equal(g.rows[4].cells[2].state, MHP_CELL_OFFLINE);  /* "none" takes nothing */
	mhp_grid_release(&g);
	mhp_result_release(&r);
}

static bool has_element(xmlNodePtr n, const char *name)
{
	for (; n; n = n->next)
		if ((n->type == XML_ELEMENT_NODE && !xmlStrcasecmp(n->name, BAD_CAST name)) || has_element(n->children, name))
			return true;
	return false;
}

/* Topology t and result r in a run directory of their own, rendered and
 * parsed; the directory removed. */
static htmlDocPtr render(const struct mhp_topology *t, struct mhp_result *r)
{
	char dir[] = "/tmp/mhp-test-html-XXXXXX", *text = NULL;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(mhp_topology_write(t, &text), 0);
	char *tpath = mhp_xasprintf("%s/topology.json", dir), *out = mhp_xasprintf("%s/report.html", dir);
	assert_int_equal(mhp_write_file_atomic(tpath, text, strlen(text)), 0);
	assert_int_equal(mhp_result_write_json(r, dir), 0);
	char *dirs[] = { dir };
	assert_int_equal(mhp_report_html(out, "test", dirs, 1), 0);
	htmlDocPtr doc = htmlReadFile(out, NULL, HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	assert_non_null(doc);
	assert_int_equal(mhp_remove_tree(dir), 0);
	free(text), free(tpath), free(out);
	return doc;
}

static void test_untrusted_text_stays_text(void **state)
{
	const char *script = "<script>alert(1)</script>", *breakout = "\"><img src=x onerror=alert(2)>";
	char err[512];
	struct mhp_topology t;
	struct mhp_result r;

	(void)state;
	assert_int_equal(mhp_topology_load(&t, "topologies/dimm-node1-movable.json", err, sizeof(err)), 0);
	free(t.description);
	t.description = mhp_xstrdup(script);
	plug_cycle(&r, breakout);
	mhp_result_step(&r, 4, "check", NULL);
	mhp_result_check(&r, "console", "line", "quiet", script);
	htmlDocPtr doc = render(&t, &r);
	assert_false(has_element(xmlDocGetRootElement(doc), "script"));
	assert_false(has_element(xmlDocGetRootElement(doc), "img"));
	xmlChar *content = xmlNodeGetContent(xmlDocGetRootElement(doc));
	assert_non_null(strstr((char *)content, script));   /* shown, as text */
	assert_non_null(strstr((char *)content, breakout));
	xmlFree(content);
	xmlFreeDoc(doc);
	mhp_topology_release(&t);
	mhp_result_release(&r);
}

/* A virtio-mem device is drawn where QEMU put its region (the baseline's
 * "region" row), whether or not a resize ever adds a block. */
static void test_device_region_drawn(void **state)
{
	char err[512];
	struct mhp_topology t;
	struct mhp_result r;

	(void)state;
	assert_int_equal(mhp_topology_load(&t, "topologies/virtio-mem-plugged-at-boot.json", err, sizeof(err)), 0);
	mhp_result_init(&r, t.name);
	mhp_result_step(&r, 0, "boot", "vm1");
	mhp_result_outcome(&r, NULL, "region", "0x140000000-0x15fffffff");
	mhp_result_finish(&r);
	htmlDocPtr doc = render(&t, &r);
	xmlChar *content = xmlNodeGetContent(xmlDocGetRootElement(doc));
	assert_non_null(strstr((char *)content, "vm1: virtio-mem, at most 512 MiB on node 0 (kernel node 0), "
						 "0x140000000-0x15fffffff"));
	assert_non_null(strstr((char *)content, "vm0: virtio-mem, at most 1 GiB on node 1 (kernel node 1), "
						 "address chosen by QEMU, not seen"));
	xmlFree(content);
	xmlFreeDoc(doc);
	mhp_topology_release(&t);
	mhp_result_release(&r);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_grid);
	TEST_ONE(&l, test_grid_resize);
	TEST_ONE(&l, test_untrusted_text_stays_text);
	TEST_ONE(&l, test_device_region_drawn);
	return TEST_RUN("report-html", &l);
}
