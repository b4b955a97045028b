/* The topology's steps on a running guest: steps.c does what each step
 * says through the guest backend, checks.c scores what the guest then
 * shows against the oracle (or against the step's own expectations, which
 * win). */
#ifndef MHP_STEPS_H
#define MHP_STEPS_H

#include "guest/backend.h"
#include "model/oracle.h"
#include "model/result.h"

struct mhp_steps {
	struct mhp_guest *g;
	const struct mhp_topology *t;
	struct mhp_result *res;
	struct mhp_guest_report report;      /* the guest's latest */
	struct mhp_oracle oracle;
	int64_t base_kb[MHP_MAX_NODES + 1];  /* MemTotal per kernel node at boot (-1: no node) */
	uint64_t base_present[MHP_MAX_NODES + 1]; /* present pages per kernel node at boot */
	struct mhp_zone_info *boot_zones;   /* /proc/zoneinfo at boot */
	size_t nboot_zones;
	bool zone_extended[MHP_MAX_NODES + 1][MHP_ZONE_MIXED + 1]; /* hot memory went past the boot end */
	unsigned *blocks[MHP_MAX_DIMMS];      /* block ids each plugged DIMM got */
	unsigned nblocks[MHP_MAX_DIMMS];
	uint64_t addr[MHP_MAX_DIMMS];        /* where the hypervisor put each DIMM */
	uint64_t filled_pages;               /* pages the fill step wrote */
};

/* Takes the baseline report, checks the boot layout against the oracle's
 * prediction and seeds the oracle with what is really there. */
int mhp_steps_baseline(struct mhp_steps *s, struct mhp_guest *g, const struct mhp_topology *t,
		       struct mhp_result *res);
/* Runs step i.  0 when the run can go on (whatever the checks said), -1
 * when it cannot (the error is in the result). */
int mhp_steps_run(struct mhp_steps *s, unsigned i);
void mhp_steps_release(struct mhp_steps *s);

/* The guest backend's failure into the result (its error, interrupted or
 * not); returns -1. */
int mhp_steps_guest_failed(struct mhp_result *res, const struct mhp_guest *g);

/* ---- steps-data.c: the data and kernel-memory steps ---- */
int mhp_step_fill(struct mhp_steps *s, const struct mhp_step *st);
int mhp_step_verify(struct mhp_steps *s, const struct mhp_step *st);
int mhp_step_pin(struct mhp_steps *s, const struct mhp_step *st);
int mhp_step_sysrq(struct mhp_steps *s, const struct mhp_step *st);
int mhp_step_corrupt(struct mhp_steps *s, const struct mhp_step *st);

/* ---- steps-virtio-mem.c: a virtio-mem device's resize ---- */
int mhp_step_resize(struct mhp_steps *s, const struct mhp_step *st);
/* Where each virtio-mem device's region starts (QEMU places it at boot, so
 * fill/verify before a first resize know it). */
int mhp_steps_virtio_mem_regions(struct mhp_steps *s);
/* virtio-mem devices with memory requested at boot: waits until QEMU's
 * size is the request and the blocks are online (got[dev]); the boot
 * report's blocks without theirs; then the oracle told, the boot values
 * taken back to before the devices plugged, and their blocks scored. */
int mhp_steps_await_boot_plugged(struct mhp_steps *s, struct mhp_resized *got);
void mhp_steps_hide_device_blocks(struct mhp_steps *s);
int mhp_steps_score_boot_plugged(struct mhp_steps *s, struct mhp_resized *got);

/* ---- checks.c: what the guest shows, scored (mhp_score_*) ---- */

/* Every boot block's node and zone against the oracle's prediction. */
void mhp_score_boot(struct mhp_steps *s);
/* One block: node, state, then the zone of an online block or the
 * valid_zones of an offline one (st's expectations win where it has them;
 * st may be NULL). */
void mhp_score_block(struct mhp_steps *s, unsigned id, const struct mhp_step *st);
/* Every block of DIMM di as above. */
void mhp_score_dimm_blocks(struct mhp_steps *s, unsigned di, const struct mhp_step *st);
/* Node's node states and its sysfs directory; whether the oracle has the
 * node online. */
bool mhp_score_node_states(struct mhp_steps *s, unsigned node);
/* The above, and MemTotal, present pages and the hot-added zones' pages of
 * node while it is online. */
void mhp_score_node(struct mhp_steps *s, unsigned node);
/* The same for the node DIMM di is on. */
void mhp_score_dimm_node(struct mhp_steps *s, unsigned di);
/* The DIMM's range in /sys/firmware/memmap and /proc/iomem: there or gone. */
void mhp_score_memmap(struct mhp_steps *s, uint64_t addr, uint64_t size, bool present);
/* /proc/meminfo's MemTotal against the nodes' summed. */
void mhp_score_system(struct mhp_steps *s);
/* At boot: memory block size, system MemTotal, and the facts the oracle
 * does not predict (mhp_oracle_unpredicted), recorded as not scored. */
void mhp_score_boot_facts(struct mhp_steps *s);
/* What a plug gave: the _OST status, the hypervisor's view, the blocks. */
void mhp_score_plugged(struct mhp_steps *s, unsigned di, const struct mhp_plugged *p);
/* An online/offline of block id: r is the guest's answer; e what was
 * expected (ANY: recorded as an outcome, not scored).  True when the
 * kernel did it. */
bool mhp_score_action(struct mhp_steps *s, unsigned id, const char *action, enum mhp_expect e, int r);
/* An unplug's outcome against e; observed is "removed" or "refused (...)". */
void mhp_score_outcome(struct mhp_steps *s, enum mhp_expect e, bool removed, const char *observed);
/* After a removal: blocks gone, memmap entry gone, MemTotal, the device
 * gone from the hypervisor. */
void mhp_score_removed(struct mhp_steps *s, unsigned di, const char *view);
/* After a refusal: the device still there, every block still present. */
void mhp_score_refused(struct mhp_steps *s, unsigned di, const char *view);

#endif
