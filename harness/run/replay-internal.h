/* Shared by replay.c and replay-readme.c. */
#ifndef MHP_REPLAY_INTERNAL_H
#define MHP_REPLAY_INTERNAL_H

#include <stdio.h>

#include "model/topology.h"

struct mhp_replay_ctx {
	const struct mhp_topology *t;
	char name[MHP_ID_MAX + 256];          /* the domain's */
	char files[MHP_MAX_DIMMS][32];        /* DIMM i's device XML ("dimm0.xml"), "" if never plugged */
	size_t ntables;                       /* ACPI tables in the initrd */
	char modules_note[600];               /* what the initrd carries for virtio-mem, or "" */
};

/* The README (markdown) into f. */
void mhp_replay_readme(FILE *f, const struct mhp_replay_ctx *c);

#endif
