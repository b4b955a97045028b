/* The topology's steps on a running guest, each checked against the oracle
 * (or against the step's own expectations, which win). */
#ifndef MHP_STEPS_H
#define MHP_STEPS_H

#include "model/oracle.h"
#include "guest/vm.h"

struct mhp_steps {
	struct mhp_vm *vm;
	struct mhp_oracle oracle;
	int64_t base_kb[MHP_MAX_NODES + 1];  /* MemTotal per kernel node at boot */
	unsigned *blocks[MHP_MAX_DIMMS];      /* block ids each plugged DIMM got */
	unsigned nblocks[MHP_MAX_DIMMS];
	uint64_t addr[MHP_MAX_DIMMS];        /* where QEMU put each DIMM */
	uint64_t filled_pages;               /* pages the fill step wrote */
};

/* Takes the baseline report, checks the boot layout against the oracle's
 * prediction and seeds the oracle with what is really there. */
int mhp_steps_baseline(struct mhp_steps *s, struct mhp_vm *vm);
/* Runs step i.  0 when the run can go on (whatever the checks said), -1
 * when it cannot (the error is in the result). */
int mhp_steps_run(struct mhp_steps *s, unsigned i);
void mhp_steps_release(struct mhp_steps *s);

#endif
