/* Bringing a run's guest up: booted cold, or restored from the boot
 * snapshot of its machine shape (run/snapshot.h), which the first run of
 * that shape makes; then the knobs the guest can set at run time.
 *
 * With snapshots on, the knobs the kernel also takes at run time
 * (mhp_wire_knobs: memhp_default_state, online_policy, auto_movable_ratio)
 * are left off the command line and set by the guest before the first step,
 * cold or restored alike, so topologies differing only in them share a
 * shape.  They only act on memory onlined later, so a boot does not see
 * them.  With snapshots off they stay on the command line, as written. */
#ifndef MHP_BOOT_H
#define MHP_BOOT_H

#include "guest/backend.h"
#include "model/result.h"
#include "run/snapshot.h"

struct mhp_boot {
	bool snapshots;                       /* use and make boot snapshots */
	uint64_t cap;                         /* bytes the snapshot cache keeps */
	void (*guest_init)(struct mhp_guest *g); /* the backend, for a cold retry */
	struct mhp_snapshot snap;
	bool making;                          /* this run saves the snapshot */
	char *how;                            /* for res->boot */
	uint64_t cold_boot_ns;                /* a cold boot's start to hello, 0 if none */
};

/* Starts g on m (whose restore and runtime_knobs are set here), with
 * m->log_dir as the run's directory; a snapshot that does not restore is
 * dropped and the guest booted cold.  Returns as mhp_guest_start. */
int mhp_boot_start(struct mhp_boot *b, struct mhp_guest *g, struct mhp_machine *m);

/* Once the boot checks passed: saves the snapshot if this run makes it,
 * sets the runtime knobs of t and asks the guest's hello again.  Records
 * how the guest came up in res->boot.  -1 (the error in res) when the run
 * cannot go on. */
int mhp_boot_settle(struct mhp_boot *b, struct mhp_guest *g, struct mhp_result *res);

void mhp_boot_release(struct mhp_boot *b);

#endif
