/* The engine: one topology through its phases on a guest backend (QEMU
 * today), every check recorded in the result. */
#ifndef MHP_ENGINE_H
#define MHP_ENGINE_H

#include "guest/backend.h"
#include "guest/modules.h"
#include "model/result.h"
#include "model/topology.h"

struct mhp_run_opts {
	const char *kernel;       /* bzImage to boot */
	const char *guest_init;   /* static guest-init binary */
	const char *accel;        /* "tcg" or "kvm" (already resolved) */
	const char *qemu;         /* QEMU binary, NULL for qemu-system-x86_64 */
	const char *append;       /* extra kernel command line, may be NULL */
	unsigned boot_timeout_ms; /* QEMU start until the guest's hello */
	unsigned timeout_ms;      /* each QMP reply, event, guest command */
	bool snapshots;           /* restore boots from snapshots, save new ones */
	uint64_t snapshot_cap;    /* bytes of snapshots the cache keeps */
	const struct mhp_guest_modules *modules; /* modules the guest init loads, NULL: none */
	const struct mhp_guest_modules *virtio_mem; /* and for a topology with a virtio-mem device */
	struct mhp_backend_choice backend; /* QEMU's own unless libvirt */
};

/* Runs s, writing console.log, qemu.log, qmp.log and channel.log into
 * results_dir (which must exist) and filling res.  Returns 0 when the run
 * happened (whatever its verdict: see mhp_result_verdict), or -errno when
 * it could not start for a reason outside the topology (res->error says
 * which).  Leaves no process, socket or temporary file behind. */
int mhp_engine_run(const struct mhp_run_opts *o, const struct mhp_topology *s, const char *results_dir,
		   struct mhp_result *res);

#endif
