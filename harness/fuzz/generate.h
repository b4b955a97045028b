/* The fuzz generator: from a campaign seed and a scenario index, one random
 * topology (machine, kernel knobs, DIMMs) and a hotplug step sequence over
 * it that validation accepts.  Deterministic by construction: a private
 * PRNG (splitmix64) and nothing of the host, so the same seed and index give
 * the same topology file byte for byte on any machine, and scenario i of a
 * campaign does not depend on any other (shards split the index space).
 *
 * Machines are drawn from a palette of the campaign (most scenarios) or
 * fresh: scenarios that share a machine share its boot snapshot, and the
 * palette still covers a new part of the space for every seed. */
#ifndef MHP_FUZZ_GENERATE_H
#define MHP_FUZZ_GENERATE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/topology.h"

struct mhp_rng {
	uint64_t state;
};

void mhp_rng_seed(struct mhp_rng *r, uint64_t seed);
uint64_t mhp_rng_next(struct mhp_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
unsigned mhp_rng_below(struct mhp_rng *r, unsigned n);
/* True with the given chance in percent. */
bool mhp_rng_chance(struct mhp_rng *r, unsigned percent);
/* An index into weights[0..n) drawn in proportion to the weights. */
unsigned mhp_rng_pick(struct mhp_rng *r, const unsigned *weights, unsigned n);

/* Machines in a campaign's palette. */
#define MHP_FUZZ_PALETTE 10

/* Topology number index of the campaign seed into t (which it initialises;
 * release with mhp_topology_release).  Named "fuzz-<seed>-<index>"; it has
 * passed mhp_topology_validate().  -EINVAL only if it did not (a generator
 * bug, said in err). */
int mhp_fuzz_generate(struct mhp_topology *t, uint64_t seed, uint64_t index, char *err, size_t errsize);

/* The same on the machine of shape (nodes, SRAT features, slots, maxmem,
 * the boot knobs): only knobs, DIMMs and steps are drawn (mhp fuzz
 * --shape).  -EINVAL (err) when no DIMM fits the machine. */
int mhp_fuzz_generate_on(struct mhp_topology *t, uint64_t seed, uint64_t index, const struct mhp_topology *shape,
			 char *err, size_t errsize);

/* The parts, for the generator's own files (generate-steps.c). */
void mhp_fuzz_gen_machine(struct mhp_topology *t, struct mhp_rng *r);
void mhp_fuzz_gen_knobs(struct mhp_topology *t, struct mhp_rng *r);
void mhp_fuzz_gen_dimms(struct mhp_topology *t, struct mhp_rng *r);
/* A virtio-mem device (id vm0) beside the DIMMs in
 * MHP_FUZZ_VIRTIO_MEM_PERCENT of the scenarios whose machine allows one
 * (no memmap_on_memory, a node QEMU's _PXM finds, room below maxmem): the
 * knobs then auto-online.  scenario draws whether (and the knob), machine
 * what device (streams of their own, seeded by the scenario and by its
 * machine); without one t is left as it was. */
#define MHP_FUZZ_VIRTIO_MEM_PERCENT 28
void mhp_fuzz_gen_virtio_mem(struct mhp_topology *t, struct mhp_rng *scenario, struct mhp_rng *machine);
void mhp_fuzz_gen_steps(struct mhp_topology *t, struct mhp_rng *r);

#endif
