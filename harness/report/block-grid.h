/* Which zone each memory block was in after each step, as the guest
 * reported it: the grid the HTML report draws under the memory map.
 * Built from result.json's checks alone (never from console text):
 *
 *   boot "block N node and zone" "1 DMA32"    the boot blocks
 *   "block N zone" "Movable", "block N state" "offline"   after a step
 *   a step's "new blocks" "8 blocks, ids 32-39"           a plug adds them
 *   an unplug's "blocks gone" "none left" (or the ids left)   they go
 *
 * A block a step did not look at keeps its state from the step before
 * (drawn as carried over).  A cell where a check of that block failed is
 * marked, with what the oracle expected and what the guest showed. */
#ifndef MHP_BLOCK_GRID_H
#define MHP_BLOCK_GRID_H

#include <stdbool.h>
#include <stddef.h>

#include "model/result.h"

enum mhp_cell_state {
	MHP_CELL_ABSENT = 0, /* no such block (not plugged yet, or unplugged) */
	MHP_CELL_OFFLINE,
	MHP_CELL_ZONE,       /* online in zone (its name in the cell) */
};

struct mhp_grid_cell {
	enum mhp_cell_state state;
	char zone[16];       /* "Normal", "Movable", "DMA32", "DMA", "none" */
	bool seen;           /* a check of this step looked at the block */
	bool mismatch;       /* a check of the block failed in this step */
	char *tip;           /* the failed checks: "zone: expected Movable, observed Normal" */
};

struct mhp_grid_row {
	char *label;         /* "boot", "step 3 online dimm0" */
	struct mhp_grid_cell *cells; /* [nblocks] */
};

struct mhp_grid {
	unsigned *blocks;    /* block ids, ascending */
	size_t nblocks;
	struct mhp_grid_row *rows;
	size_t nrows;
};

/* Builds the grid of r (released with mhp_grid_release). */
void mhp_grid_build(struct mhp_grid *g, const struct mhp_result *r);
void mhp_grid_release(struct mhp_grid *g);

#endif
