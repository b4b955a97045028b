/* The guest backend interface: what the engine and the steps ask of a
 * machine, at the level of meaning (start it, plug a DIMM and wait until the
 * guest saw it, unplug it and say whether the kernel let it go, ask the
 * guest, power off).  QEMU driven over QMP is the first implementation
 * (guest/qemu-guest.c); the engine and the steps use only this header.
 *
 * A backend records no check.  An operation that fails returns -errno and
 * leaves in g->error why the run cannot go on, naming what it waited for
 * and how the hypervisor ended ("timed out waiting for the guest's report",
 * "QEMU exited (signal 9) while waiting for device_del"); g->interrupted
 * says the wait was cut by SIGINT/SIGTERM. */
#ifndef MHP_BACKEND_H
#define MHP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "guest/channel.h"
#include "guest/initrd.h"
#include "guest/wire.h"
#include "lib/rundir.h"
#include "model/observed.h"
#include "model/topology.h"

/* What to boot, and where its logs go. */
struct mhp_machine {
	const struct mhp_topology *t;
	const char *kernel;       /* bzImage */
	const char *guest_init;   /* static guest-init binary */
	const char *accel;        /* "tcg" or "kvm" (already resolved) */
	const char *qemu;         /* hypervisor binary, NULL for the default */
	const char *append;       /* extra kernel command line, may be NULL */
	unsigned boot_timeout_ms; /* start until the guest's hello */
	unsigned timeout_ms;      /* each hypervisor reply, event, guest command */
	const struct mhp_initrd_table *tables; /* ACPI tables the initrd carries */
	size_t ntables;
	const struct mhp_guest_modules *modules; /* modules init loads, NULL: none */
	bool pin_slots;           /* DIMM i goes into slot i (a regenerated DSDT) */
	const char *log_dir;      /* console.log, qemu.log, qmp.log, channel.log */
	uint64_t epoch_ns;        /* time origin of the transcripts */
	const char *restore;      /* a boot snapshot (the backend's save) to start
				     from instead of booting, or NULL */
	bool runtime_knobs;       /* boot without the knobs the guest can set at run
				     time (mhp_wire_knobs): the engine sets them */
};

/* A DIMM after plug: what the guest and the hypervisor saw. */
struct mhp_plugged {
	int64_t ost_status;       /* the guest's ACPI _OST of the insert */
	char device[96];          /* the hypervisor's view, "node=N size=S" */
	uint64_t addr;            /* where the hypervisor put it */
	unsigned *ids;            /* blocks whose add uevent arrived (owned) */
	unsigned nids;
};

/* A virtio-mem device after a resize: QEMU's view of it. */
struct mhp_resized {
	uint64_t size;            /* what the guest has plugged */
	uint64_t requested;       /* what it was asked for */
	uint64_t addr;            /* where its region starts */
	unsigned *ids;            /* blocks whose add (or remove) uevent arrived (owned) */
	unsigned nids;
};

enum mhp_unplug_outcome {
	MHP_UNPLUG_INVALID = 0,
	MHP_UNPLUG_REMOVED,       /* the device is gone and so are its blocks */
	MHP_UNPLUG_REFUSED,       /* the guest refused the eject: still there */
};

struct mhp_guest;

struct mhp_guest_ops {
	const char *name;
	/* Boots m and waits for the guest's hello (in g->hello). */
	int (*start)(struct mhp_guest *g, const struct mhp_machine *m);
	/* Plugs DIMM index of the topology, waits for the guest's _OST and the
	 * add uevents of its blocks. */
	int (*plug)(struct mhp_guest *g, unsigned index, struct mhp_plugged *ret);
	/* Asks for the DIMM back.  On REMOVED the backing memory is freed and
	 * the guest has seen nblocks remove uevents; on REFUSED reason says
	 * how the guest refused. */
	int (*unplug)(struct mhp_guest *g, unsigned index, unsigned nblocks, enum mhp_unplug_outcome *ret,
		      char *reason, size_t size);
	/* Asks virtio-mem device index for size bytes, waits until the guest
	 * plugged or unplugged to it (nblocks 0: until the size stops
	 * changing, for a shrink the guest may do in part), then until it saw
	 * nblocks add (or -nblocks remove) uevents. */
	int (*resize)(struct mhp_guest *g, unsigned index, uint64_t size, int nblocks, struct mhp_resized *ret);
	/* Waits until virtio-mem device index plugged what it was asked for
	 * at boot, then until nblocks memory blocks of [first_id, end_id)
	 * are online in the guest (into ret->ids). */
	int (*boot_plugged)(struct mhp_guest *g, unsigned index, unsigned first_id, unsigned end_id, unsigned nblocks,
			    struct mhp_resized *ret);
	/* The hypervisor's view of device id: "node=N size=S" or "(absent)". */
	int (*device)(struct mhp_guest *g, const char *id, char *view, size_t size, uint64_t *ret_addr);
	/* One guest command; 0 on "ok" (kept in ret_ok when not NULL).  The
	 * guest's "error" is -EREMOTEIO with its line in g->refusal; any
	 * failure says in g->error what happened while waiting for awaited
	 * (NULL: the command itself). */
	int (*command)(struct mhp_guest *g, const char *cmd, struct mhp_wire_msg *ret_ok, const char *awaited);
	/* The guest's report of its memory, into r (released first). */
	int (*report)(struct mhp_guest *g, struct mhp_guest_report *r);
	/* ACPI table sig as the firmware gave it, in a new buffer. */
	int (*acpi_table)(struct mhp_guest *g, const char *sig, unsigned char **ret_data, size_t *ret_len);
	/* Powers the guest off; how the hypervisor ended and the reason it
	 * gave, for the caller to score. */
	int (*power_off)(struct mhp_guest *g, char *exit, size_t exit_size, char *reason, size_t reason_size);
	/* (NULL: the backend makes no boot snapshots, every run boots cold.)
	 * Pauses the guest, writes its whole state to path (created; a
	 * boot snapshot that start can restore with m->restore) and lets it
	 * run on. */
	int (*save)(struct mhp_guest *g, const char *path);
	/* A key for everything m's state after boot depends on: the
	 * hypervisor's build, its command line with this run's own paths and
	 * name left out, the kernel, the initrd's contents.  -ENOTSUP when the
	 * backend cannot restore; -errno when a file cannot be read. */
	int (*shape)(const struct mhp_machine *m, char *key, size_t size);
	/* Stops whatever still runs and removes every temporary file. */
	void (*teardown)(struct mhp_guest *g);
	/* Says in g->error why waiting for awaited ended with r (the
	 * hypervisor's death and its last events first); returns r. */
	int (*explain)(struct mhp_guest *g, int r, const char *awaited);
	/* What power_off's exit says when the hypervisor ended cleanly. */
	const char *clean_exit;
	/* 1 with why when the backend cannot run t as it says (NULL: runs
	 * any): the run is not scored, never run differently. */
	int (*unsupported)(const struct mhp_topology *t, char *why, size_t size);
};

struct mhp_guest {
	const struct mhp_guest_ops *ops;
	const struct mhp_machine *m;
	void *impl;                 /* the backend's own state */
	struct mhp_guest_hello hello;
	char hypervisor_version[32];
	char error[512];            /* why the last operation failed */
	char refusal[256];          /* the guest's "error" line for a command */
	bool interrupted;
	struct mhp_channel ch;      /* to guest init (guest-link.c); fd -1 until connected */
	struct mhp_transcript chan_log;
};

/* The QEMU+QMP backend: sets g up (nothing runs until start). */
void mhp_qemu_guest_init(struct mhp_guest *g);
/* The libvirt backend (libvirt-guest.c) on uri, NULL for an embedded
 * driver in mhp's cache: sets g up (nothing runs until start). */
void mhp_libvirt_guest_init(struct mhp_guest *g, const char *uri);

/* Which backend runs a machine (--backend). */
struct mhp_backend_choice {
	bool libvirt;
	const char *uri;          /* libvirt's, NULL: an embedded driver */
};
void mhp_guest_init_backend(struct mhp_guest *g, const struct mhp_backend_choice *b);

/* guest-link.c: the guest channel, the same for every backend.  A
 * backend opens the log, attaches the connected socket and closes it at
 * teardown; the rest are its ops or helpers of them. */
int mhp_guest_link_open_log(struct mhp_guest *g);
void mhp_guest_link_attach(struct mhp_guest *g, int fd);
void mhp_guest_link_close(struct mhp_guest *g);
/* Waits (boot timeout) for the guest's hello into g->hello. */
int mhp_guest_link_hello(struct mhp_guest *g);
/* One command, no explanation: the guest's "error" in g->refusal. */
int mhp_guest_link_command(struct mhp_guest *g, const char *cmd, struct mhp_wire_msg *ret_ok);
int mhp_guest_link_command_op(struct mhp_guest *g, const char *cmd, struct mhp_wire_msg *ret_ok,
			      const char *awaited);
int mhp_guest_link_report(struct mhp_guest *g, struct mhp_guest_report *rep);
int mhp_guest_link_acpi_table(struct mhp_guest *g, const char *sig, unsigned char **ret_data, size_t *ret_len);
/* Waits until the guest saw n add, remove or online uevents of memory
 * blocks ("await-add", "await-remove", "await-online"; n 0 forgets those
 * seen so far), or n blocks of [FIRST, END) online ("await-online-in
 * FIRST END"); the blocks into ret_ids when not NULL. */
int mhp_guest_await_blocks(struct mhp_guest *g, const char *verb, unsigned n, unsigned **ret_ids, unsigned *ret_n,
			   const char *awaited);
/* The deadline of one hypervisor reply or guest command. */
mhp_deadline_t mhp_guest_deadline(const struct mhp_guest *g);
/* ops->explain. */
int mhp_guest_fail(struct mhp_guest *g, int r, const char *awaited);
/* Says why into g->error. */
void mhp_guest_say(struct mhp_guest *g, const char *fmt, ...) MHP_FORMAT(2, 3);
/* A private run directory (made by mhp_rundir_make) with the channel
 * socket's path and the initrd of g->m written there. */
int mhp_guest_make_rundir(struct mhp_guest *g, struct mhp_rundir *d, char **ret_chan, char **ret_initrd);

/* virtio-mem-blocks.c: the guest side of a resize (nblocks as in
 * ops->resize), and the error of one whose deadline passed. */
int mhp_virtio_mem_before_resize(struct mhp_guest *g, int nblocks);
int mhp_virtio_mem_after_resize(struct mhp_guest *g, int nblocks, struct mhp_resized *ret);
int mhp_virtio_mem_await_boot_blocks(struct mhp_guest *g, unsigned first_id, unsigned end_id, unsigned nblocks,
				     struct mhp_resized *ret);
int mhp_virtio_mem_deadline_passed(struct mhp_guest *g, const char *id, const struct mhp_resized *r, bool changed);

/* console-oops.c: console.log's size now, and whether the kernel oopsed
 * (a splat that kills the task) after byte from. */
off_t mhp_guest_console_size(const struct mhp_guest *g);
bool mhp_guest_oopsed_since(const struct mhp_guest *g, off_t from);

void mhp_plugged_release(struct mhp_plugged *p);

/* Asks the guest's hello again (after a restore, after knobs) into
 * g->hello; on failure g->error says why, awaited naming the wait. */
int mhp_guest_hello_again(struct mhp_guest *g, const char *awaited);

static inline int mhp_guest_start(struct mhp_guest *g, const struct mhp_machine *m) { return g->ops->start(g, m); }
static inline int mhp_guest_plug(struct mhp_guest *g, unsigned index, struct mhp_plugged *ret)
{
	return g->ops->plug(g, index, ret);
}
static inline int mhp_guest_unplug(struct mhp_guest *g, unsigned index, unsigned nblocks,
				   enum mhp_unplug_outcome *ret, char *reason, size_t size)
{
	return g->ops->unplug(g, index, nblocks, ret, reason, size);
}
static inline int mhp_guest_resize(struct mhp_guest *g, unsigned index, uint64_t size, int nblocks,
				   struct mhp_resized *ret)
{
	return g->ops->resize(g, index, size, nblocks, ret);
}
static inline int mhp_guest_boot_plugged(struct mhp_guest *g, unsigned index, unsigned first_id, unsigned end_id,
					 unsigned nblocks, struct mhp_resized *ret)
{
	return g->ops->boot_plugged(g, index, first_id, end_id, nblocks, ret);
}
static inline int mhp_guest_device(struct mhp_guest *g, const char *id, char *view, size_t size, uint64_t *ret_addr)
{
	return g->ops->device(g, id, view, size, ret_addr);
}
static inline int mhp_guest_command(struct mhp_guest *g, const char *cmd, struct mhp_wire_msg *ret_ok,
				    const char *awaited)
{
	return g->ops->command(g, cmd, ret_ok, awaited);
}
static inline int mhp_guest_report(struct mhp_guest *g, struct mhp_guest_report *r) { return g->ops->report(g, r); }
static inline int mhp_guest_acpi_table(struct mhp_guest *g, const char *sig, unsigned char **ret_data,
				       size_t *ret_len)
{
	return g->ops->acpi_table(g, sig, ret_data, ret_len);
}
static inline int mhp_guest_power_off(struct mhp_guest *g, char *exit, size_t exit_size, char *reason,
				      size_t reason_size)
{
	return g->ops->power_off(g, exit, exit_size, reason, reason_size);
}
static inline int mhp_guest_save(struct mhp_guest *g, const char *path) { return g->ops->save(g, path); }
static inline void mhp_guest_teardown(struct mhp_guest *g) { g->ops->teardown(g); }

#endif
