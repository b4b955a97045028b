/* The minimiser (after syzkaller's pkg/repro): a failing topology made as
 * small as it can be while it still fails with the same signature.  First
 * delta debugging over the steps (chunks of half, a quarter, ... then single
 * steps, only sequences validation accepts), then one simplification at a
 * time of the machine: DIMMs no step uses, kernel knobs back to their
 * defaults, SRAT features (hot-pluggable flags, proximity domains,
 * interleave), DIMMs to one block at an address QEMU picks, nodes no DIMM
 * uses, the pc machine.  Candidates are tried a batch at a time (-j); the
 * first of a batch that reproduces is kept. */
#ifndef MHP_FUZZ_MINIMIZE_H
#define MHP_FUZZ_MINIMIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/topology.h"
#include "run/suite.h"

/* Runs candidates c[0..n) and says which reproduce; 0, or < 0 to stop. */
typedef int (*mhp_repro_fn)(void *ctx, const struct mhp_topology *c, size_t n, bool *reproduces);

/* The smallest reproducer found from orig within budget runs, into out (a
 * copy of orig when nothing smaller reproduced); runs used into *ret_runs.
 * 0, or the error repro returned. */
int mhp_minimize(const struct mhp_topology *orig, unsigned width, unsigned budget, mhp_repro_fn repro, void *ctx,
		 struct mhp_topology *out, unsigned *ret_runs);

/* A deep copy of t (through the writer and the parser). */
void mhp_topology_copy(struct mhp_topology *dst, const struct mhp_topology *t);

/* Simplification number k of t into c (a copy of t, changed): false when
 * there is no k-th (the list is over).  *applies says whether it changes
 * anything here; the caller still validates c.  For minimize.c. */
bool mhp_minimize_edit(const struct mhp_topology *t, unsigned k, struct mhp_topology *c, bool *applies);
/* Drops the DIMMs no step uses: they are never plugged, so the guest
 * cannot tell. */
void mhp_minimize_drop_unused_dimms(struct mhp_topology *t);

/* The crash directory's first.json minimised on su's kernel within budget
 * runs, checked 5 times, and kept as repro.json when it reproduced at least
 * 3 times (crashes/<hash>/reliability says how often).  Says what it did. */
int mhp_fuzz_minimize_crash(const struct mhp_suite *su, const char *crash_dir, unsigned width, unsigned budget);

#endif
