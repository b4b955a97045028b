/* The memory map in SVG (report/html-internal.h): an address bar in three
 * stretches, each to its own scale (boot memory, the hole up to 4 GiB,
 * QEMU's hotplug window), nodes coloured, DIMMs at their addresses; below
 * it the block-by-step grid of zones. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/block-grid.h"
#include "report/html-internal.h"

#define W 960.0
#define LEFT 170.0             /* row labels of the grid */
#define PLOT (W - LEFT - 10)
#define ROW 15.0

static const char *const node_colours[] = { "#f28e2b", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac" };

struct scale {
	uint64_t boot_end, hp_base, hp_end;
	double a, b;               /* widths of the boot and hole stretches */
};

static double x_of(const struct scale *s, uint64_t addr)
{
	if (addr <= s->boot_end || s->hp_end <= s->hp_base)
		return LEFT + (s->boot_end ? s->a * (double)addr / (double)s->boot_end : 0);
	if (addr <= s->hp_base)
		return LEFT + s->a + s->b * (double)(addr - s->boot_end) / (double)(s->hp_base - s->boot_end);
	return LEFT + s->a + s->b +
	       (PLOT - s->a - s->b) * (double)(addr - s->hp_base) / (double)(s->hp_end - s->hp_base);
}

static void size_text(char *buf, size_t n, uint64_t bytes)
{
	if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
		snprintf(buf, n, "%" PRIu64 " GiB", bytes >> 30);
	else
		snprintf(buf, n, "%" PRIu64 " MiB", bytes >> 20);
}

static xmlNodePtr rect(xmlNodePtr svg, double x, double y, double w, double h, const char *fill, const char *cls)
{
	xmlNodePtr r = mhp_h_el(svg, "rect", cls);

	mhp_h_attr(r, "x", "%.1f", x), mhp_h_attr(r, "y", "%.1f", y);
	mhp_h_attr(r, "width", "%.1f", w > 0.5 ? w : 0.5), mhp_h_attr(r, "height", "%.1f", h);
	mhp_h_attr(r, "fill", "%s", fill);
	return r;
}

static void label(xmlNodePtr svg, double x, double y, const char *anchor, const char *text)
{
	xmlNodePtr t = mhp_h_text(svg, "text", NULL, text);

	mhp_h_attr(t, "x", "%.1f", x), mhp_h_attr(t, "y", "%.1f", y), mhp_h_attr(t, "text-anchor", "%s", anchor);
}

static void tip(xmlNodePtr n, const char *text)
{
	mhp_h_text(n, "title", NULL, text);
}

/* Address labels in hex at a stretch's ends. */
static void tick(xmlNodePtr svg, const struct scale *s, uint64_t addr, double y, const char *anchor)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "0x%" PRIx64, addr);
	label(svg, x_of(s, addr), y, anchor, hex);
}

static void draw_nodes(xmlNodePtr svg, const struct mhp_topology *t, const struct scale *s)
{
	for (unsigned n = 0; n < t->nr_nodes; n++) {
		struct mhp_range r[16];
		size_t k = mhp_topology_node_ranges(t, n, r, 16);

		for (size_t i = 0; i < k; i++) {
			double x0 = x_of(s, r[i].start), x1 = x_of(s, r[i].start + r[i].size);
			char text[96], size[24];

			size_text(size, sizeof(size), r[i].size);
			snprintf(text, sizeof(text), "node %u (kernel node %u), pxm %u: 0x%" PRIx64 "-0x%" PRIx64 ", %s%s", n,
				 mhp_topology_kernel_node(t, n), t->nodes[n].pxm, r[i].start, r[i].start + r[i].size - 1, size,
				 t->nodes[n].hotpluggable ? ", SRAT hot-pluggable" : "");
			tip(rect(svg, x0, 30, x1 - x0, 26, node_colours[n % 6], "range"), text);
			if (x1 - x0 > 60) {
				snprintf(text, sizeof(text), "node %u %s", n, size);
				label(svg, (x0 + x1) / 2, 47, "middle", text);
			}
		}
	}
}

/* A DIMM's address: the topology's, else what the guest's firmware map
 * showed after its plug ("0x100000000-0x13fffffff System_RAM"); a
 * virtio-mem device's: its "region" recorded at baseline. */
static uint64_t dimm_addr(const struct mhp_topology *t, unsigned i, const struct mhp_result *r)
{
	const char *aspect = t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM ? "region" : "firmware memmap entry";
	uint64_t a = t->dimms[i].addr;

	for (size_t k = 0; r && !a && k < r->nchecks; k++) {
		const struct mhp_check *c = &r->checks[k];

		if (c->device && !strcmp(c->device, t->dimms[i].id) && c->aspect && !strcmp(c->aspect, aspect) &&
		    c->observed && !strncmp(c->observed, "0x", 2))
			a = strtoull(c->observed, NULL, 16);
	}
	return a;
}

/* The label row for a DIMM id at x: the first whose last label ends left
 * of it (about 6 px a character at font-size 10), so that ids of DIMMs
 * side by side do not print over each other. */
static unsigned label_row(double *row_end, unsigned rows, double x, const char *id)
{
	unsigned k = 0;

	while (k + 1 < rows && row_end[k] > x - 4)
		k++;
	row_end[k] = x + 6.0 * (double)strlen(id);
	return k;
}

static void draw_dimms(xmlNodePtr svg, const struct mhp_topology *t, const struct mhp_result *r, const struct scale *s)
{
	double row_end[MHP_MAX_DIMMS] = { 0 };

	for (unsigned i = 0; i < t->nr_dimms; i++) {
		uint64_t a = dimm_addr(t, i, r);
		char text[160], size[24];
		int kn = mhp_topology_dimm_node(t, i);

		size_text(size, sizeof(size), t->dimms[i].size);
		snprintf(text, sizeof(text), "%s: %s%s on node %u (kernel node %d), %s", t->dimms[i].id,
			 t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM ? "virtio-mem, at most " : "", size, t->dimms[i].node, kn,
			 a ? "" : "address chosen by QEMU, not seen");
		if (!a) {
			label(svg, x_of(s, s->hp_base) + 4, 84 + 11.0 * i, "start", text);
			continue;
		}
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "0x%" PRIx64 "-0x%" PRIx64, a, a + t->dimms[i].size - 1);
		double x0 = x_of(s, a), x1 = x_of(s, a + t->dimms[i].size);
		tip(rect(svg, x0, 62, x1 - x0, 14, node_colours[t->dimms[i].node % 6], "dimm"), text);
		label(svg, x0, 88 + 11.0 * label_row(row_end, t->nr_dimms, x0, t->dimms[i].id), "start", t->dimms[i].id);
	}
}

static void draw_address_bar(xmlNodePtr svg, const struct mhp_topology *t, const struct mhp_result *r, struct scale *s)
{
	s->boot_end = mhp_topology_boot_memory(t);
	s->hp_base = mhp_topology_hotplug_base(t);
	s->hp_end = s->hp_base + mhp_topology_hotplug_size(t);
	bool window = s->hp_end > s->hp_base;
	s->a = window ? PLOT * 0.38 : PLOT;
	s->b = window ? PLOT * 0.08 : 0;
	label(svg, LEFT - 8, 47, "end", "boot memory");
	draw_nodes(svg, t, s);
	/* The legacy hole inside node 0's first range: too small to see to
	 * scale, so a mark that says where it is. */
	if (s->boot_end > 0x100000)
		tip(rect(svg, x_of(s, 0xa0000), 28, 1.5, 30, "#222222", "legacy-hole"),
		    "legacy hole 0xa0000-0xfffff (VGA, option ROMs, BIOS): not RAM");
	tick(svg, s, 0, 24, "start");
	if (window) {
		tip(rect(svg, x_of(s, s->boot_end), 30, s->b, 26, "#f4f4f4", "hole"),
		    "no RAM: the rest of the 32-bit space (PCI hole) below 4 GiB");
		xmlNodePtr w = rect(svg, x_of(s, s->hp_base), 30, PLOT - s->a - s->b, 26, "#ffffff", "window");
		mhp_h_attr(w, "stroke", "#555"), mhp_h_attr(w, "stroke-dasharray", "4 3");
		tip(w, "QEMU's hotplug window (device memory)");
		label(svg, x_of(s, s->hp_base) + (PLOT - s->a - s->b) / 2, 47, "middle", "hotplug window");
		tick(svg, s, s->boot_end, 24, "middle");
		tick(svg, s, s->hp_base, 24, "start");
		tick(svg, s, s->hp_end, 24, "end");
		label(svg, LEFT - 8, 73, "end", "DIMMs");
		draw_dimms(svg, t, r, s);
	}
}

static const char *cell_fill(const struct mhp_grid_cell *c)
{
	static const struct { const char *zone, *fill; } zones[] = {
		{ "Normal", "#4e79a7" }, { "Movable", "#59a14f" }, { "DMA32", "#b07aa1" }, { "DMA", "#9c755f" },
		{ "Device", "#e15759" },
	};

	if (c->state == MHP_CELL_OFFLINE)
		return "#d9d9d9";
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (!strcmp(c->zone, zones[i].zone))
			return zones[i].fill;
	return "#bbbbbb"; /* online, zone not reported */
}

static void draw_cell(xmlNodePtr svg, const struct mhp_grid *g, size_t row, size_t col, double y, double cw)
{
	const struct mhp_grid_cell *c = &g->rows[row].cells[col];
	char text[512];

	if (c->state == MHP_CELL_ABSENT && !c->mismatch)
		return;
	xmlNodePtr r = rect(svg, LEFT + cw * (double)col, y, cw > 2 ? cw - 1 : cw, ROW - 2, cell_fill(c),
			    c->mismatch ? "cell mismatch" : c->seen ? "cell" : "cell carried");
	mhp_h_attr(r, "data-block", "%u", g->blocks[col]);
	snprintf(text, sizeof(text), "block %u after %s: %s%s%s%s", g->blocks[col], g->rows[row].label,
		 c->state == MHP_CELL_ABSENT ? "absent" : c->state == MHP_CELL_OFFLINE ? "offline" : c->zone,
		 c->seen ? "" : " (not looked at in this step: as before)", c->tip ? "\nMISMATCH " : "", c->tip ? c->tip : "");
	tip(r, text);
}

static void draw_legend(xmlNodePtr svg, double y)
{
	static const char *const names[] = { "Normal", "Movable", "DMA32", "DMA", "offline" };
	static const char *const fills[] = { "#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#d9d9d9" };
	double x = LEFT;

	for (size_t i = 0; i < 5; i++, x += 90) {
		rect(svg, x, y, 12, 12, fills[i], "legend");
		label(svg, x + 16, y + 10, "start", names[i]);
	}
	xmlNodePtr m = rect(svg, x, y, 12, 12, "#ffffff", "legend mismatch");
	(void)m;
	label(svg, x + 16, y + 10, "start", "oracle disagrees (hover for expected/observed)");
}

static double draw_grid(xmlNodePtr svg, const struct mhp_result *r, double y)
{
	struct mhp_grid g;

	mhp_grid_build(&g, r);
	double cw = g.nblocks ? PLOT / (double)g.nblocks : PLOT;
	size_t every = g.nblocks > 24 ? (g.nblocks + 23) / 24 : 1;

	label(svg, LEFT - 8, y + 10, "end", "memory block");
	for (size_t c = 0; c < g.nblocks; c += every) {
		char id[16];
		snprintf(id, sizeof(id), "%u", g.blocks[c]);
		label(svg, LEFT + cw * ((double)c + 0.5), y + 10, "middle", id);
	}
	y += 16;
	for (size_t row = 0; row < g.nrows; row++, y += ROW) {
		label(svg, LEFT - 8, y + 10, "end", g.rows[row].label);
		for (size_t c = 0; c < g.nblocks; c++)
			draw_cell(svg, &g, row, c, y, cw);
	}
	mhp_grid_release(&g);
	draw_legend(svg, y + 8);
	return y + 30;
}

void mhp_html_map(xmlNodePtr parent, const struct mhp_topology *t, const struct mhp_result *r)
{
	xmlNodePtr svg = mhp_h_el(parent, "svg", "map");
	struct scale s;
	double h;

	mhp_h_attr(svg, "xmlns", "http://www.w3.org/2000/svg");
	draw_address_bar(svg, t, r, &s);
	h = 92 + 11.0 * t->nr_dimms;
	if (r)
		h = draw_grid(svg, r, h + 8);
	mhp_h_attr(svg, "width", "%.0f", W), mhp_h_attr(svg, "height", "%.0f", h);
	mhp_h_attr(svg, "viewBox", "0 0 %.0f %.0f", W, h);
	mhp_h_attr(svg, "font-family", "sans-serif"), mhp_h_attr(svg, "font-size", "10");
}
