/* The block-by-step grid (report/block-grid.h). */
#include "report/block-grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/util.h"

/* "block 40" -> 40; -1 for any other subject. */
static long block_of(const char *subject)
{
	char *end;
	long id;

	if (!subject || strncmp(subject, "block ", 6))
		return -1;
	id = strtol(subject + 6, &end, 10);
	return *end || id < 0 ? -1 : id;
}

static int by_id(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/* "8 blocks, ids 32-39" -> [32, 39]; false when it is no such text. */
static bool id_range(const char *text, unsigned *lo, unsigned *hi)
{
	const char *ids = text ? strstr(text, "ids ") : NULL;

	if (!ids || sscanf(ids, "ids %u-%u", lo, hi) != 2) {
		if (!ids || sscanf(ids, "ids %u", lo) != 1)
			return false;
		*hi = *lo;
	}
	return *lo <= *hi && *hi - *lo < 1u << 16;
}

/* Whether id is in the "ids 32,35-36" part of text. */
static bool in_ids(const char *text, unsigned id)
{
	const char *p = text ? strstr(text, "ids ") : NULL;

	for (p = p ? p + 4 : NULL; p && *p;) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			return false;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (id >= lo && id <= hi)
			return true;
		p = *end == ',' ? end + 1 : NULL;
	}
	return false;
}

static void add_id(struct mhp_grid *g, size_t *cap, unsigned id)
{
	for (size_t i = 0; i < g->nblocks; i++)
		if (g->blocks[i] == id)
			return;
	MHP_ARRAY_PUSH(g->blocks, g->nblocks, *cap) = id;
}

/* Every block any check names, and those a plug's "new blocks" lists. */
static void collect_blocks(struct mhp_grid *g, const struct mhp_result *r)
{
	size_t cap = 0;

	for (size_t i = 0; i < r->nchecks; i++) {
		const struct mhp_check *c = &r->checks[i];
		long id = block_of(c->subject);
		unsigned lo, hi;

		if (id >= 0)
			add_id(g, &cap, (unsigned)id);
		else if (c->aspect && (!strcmp(c->aspect, "new blocks") || !strcmp(c->aspect, "blocks added")) &&
			 id_range(c->observed, &lo, &hi))
			for (unsigned b = lo; b <= hi; b++)
				add_id(g, &cap, b);
	}
	if (g->nblocks)
		qsort(g->blocks, g->nblocks, sizeof(*g->blocks), by_id);
}

static long column(const struct mhp_grid *g, unsigned id)
{
	for (size_t i = 0; i < g->nblocks; i++)
		if (g->blocks[i] == id)
			return (long)i;
	return -1;
}

static char *row_label(const struct mhp_check *c)
{
	if (!c->step)
		return mhp_xstrdup("boot");
	return mhp_xasprintf("step %u %s%s%s", c->step, c->kind ? c->kind : "", c->device ? " " : "",
			     c->device ? c->device : "");
}

static void set_zone(struct mhp_grid_cell *cell, const char *zone)
{
	cell->state = !strcmp(zone, "none") ? MHP_CELL_OFFLINE : MHP_CELL_ZONE;
	snprintf(cell->zone, sizeof(cell->zone), "%s", zone);
}

/* What one check says of its block in its row. */
static void apply_block(struct mhp_grid_cell *cell, const struct mhp_check *c)
{
	const char *v = c->observed ? c->observed : "";

	cell->seen = true;
	if (!strcmp(c->aspect, "node and zone") && strchr(v, ' '))
		set_zone(cell, strchr(v, ' ') + 1);
	else if (!strcmp(c->aspect, "zone") && strcmp(v, "(absent)"))
		set_zone(cell, v);
	else if (!strcmp(c->aspect, "state") && (!strcmp(v, "offline") || !strcmp(v, "(absent)")))
		cell->state = !strcmp(v, "offline") ? MHP_CELL_OFFLINE : MHP_CELL_ABSENT;
	else if (!strcmp(c->aspect, "state") && cell->state != MHP_CELL_ZONE)
		set_zone(cell, "?"); /* online; its zone check follows */
	if (c->status == MHP_STATUS_FAIL) {
		char *tip = mhp_xasprintf("%s%s%s: expected %s, observed %s", cell->tip ? cell->tip : "",
					  cell->tip ? "\n" : "", c->aspect, c->expected ? c->expected : "",
					  c->observed ? c->observed : "");
		free(cell->tip);
		cell->tip = tip;
		cell->mismatch = true;
	}
}

/* Whether id is in a list of ids ("32,33,40"). */
static bool listed(const char *list, unsigned id)
{
	for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (end != p && v == id)
			return true;
	}
	return false;
}

/* Checks of the row without a block subject: a plug adds its blocks (and
 * they belong to its DIMM), an unplug takes its DIMM's away but those it
 * lists as left; a virtio-mem resize adds or removes the blocks it lists. */
static void apply_step(const struct mhp_grid *g, struct mhp_grid_cell *cells, char **owner, const struct mhp_check *c)
{
	unsigned lo, hi;

	if (!c->aspect || !c->device)
		return;
	if (!strcmp(c->aspect, "blocks removed"))
		for (size_t i = 0; i < g->nblocks; i++)
			if (in_ids(c->observed, g->blocks[i]))
				cells[i] = (struct mhp_grid_cell){ .state = MHP_CELL_ABSENT, .seen = true };
	if ((!strcmp(c->aspect, "new blocks") || !strcmp(c->aspect, "blocks added")) && id_range(c->observed, &lo, &hi))
		for (unsigned b = lo; b <= hi; b++) {
			long col = column(g, b);
			if (col < 0)
				continue;
			free(owner[col]);
			owner[col] = mhp_xstrdup(c->device);
			if (cells[col].state == MHP_CELL_ABSENT)
				cells[col] = (struct mhp_grid_cell){ .state = MHP_CELL_OFFLINE, .seen = true };
		}
	if (!strcmp(c->aspect, "blocks gone"))
		for (size_t i = 0; i < g->nblocks; i++)
			if (owner[i] && !strcmp(owner[i], c->device) && !listed(c->observed, g->blocks[i]))
				cells[i] = (struct mhp_grid_cell){ .state = MHP_CELL_ABSENT, .seen = true };
}

static struct mhp_grid_row *new_row(struct mhp_grid *g, size_t *cap, const struct mhp_check *c)
{
	struct mhp_grid_row *row = &MHP_ARRAY_PUSH(g->rows, g->nrows, *cap);

	row->label = row_label(c);
	row->cells = mhp_xcalloc(g->nblocks ? g->nblocks : 1, sizeof(*row->cells));
	if (g->nrows > 1) /* carried over from the row before */
		for (size_t i = 0; i < g->nblocks; i++) {
			row->cells[i] = g->rows[g->nrows - 2].cells[i];
			row->cells[i].seen = row->cells[i].mismatch = false;
			row->cells[i].tip = NULL;
		}
	return row;
}

void mhp_grid_build(struct mhp_grid *g, const struct mhp_result *r)
{
	size_t cap = 0;
	struct mhp_grid_row *row = NULL;
	long last = -1;
	char **owner;

	*g = (struct mhp_grid){ 0 };
	collect_blocks(g, r);
	owner = mhp_xcalloc(g->nblocks ? g->nblocks : 1, sizeof(*owner));
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct mhp_check *c = &r->checks[i];
		long id = block_of(c->subject), step = c->step;

		if (c->kind && strcmp(c->kind, "boot") && !c->step)
			continue; /* kernel health, poweroff: no blocks */
		if (!row || step != last) {
			row = new_row(g, &cap, c);
			last = step;
		}
		if (id >= 0 && c->aspect)
			apply_block(&row->cells[column(g, (unsigned)id)], c);
		else
			apply_step(g, row->cells, owner, c);
	}
	for (size_t i = 0; i < g->nblocks; i++)
		free(owner[i]);
	free(owner);
}

void mhp_grid_release(struct mhp_grid *g)
{
	for (size_t i = 0; i < g->nrows; i++) {
		for (size_t j = 0; j < g->nblocks; j++)
			free(g->rows[i].cells[j].tip);
		free(g->rows[i].cells);
		free(g->rows[i].label);
	}
	free(g->rows), free(g->blocks);
	*g = (struct mhp_grid){ 0 };
}
