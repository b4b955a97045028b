/* One running guest: QEMU with its QMP session and guest channel, and the
 * operations the steps need.  Failures are turned into the run's error (in
 * the result), naming what was awaited and how QEMU ended. */
#ifndef MHP_VM_H
#define MHP_VM_H

#include "guest/channel.h"
#include "run/engine.h"
#include "lib/process.h"
#include "guest/qmp.h"

struct mhp_vm {
	const struct mhp_run_opts *o;
	const struct mhp_topology *t;
	struct mhp_result *res;
	char rundir[64]; /* private mkdtemp directory: sockets, initrd */
	char *qmp_path, *chan_path, *initrd_path;
	struct mhp_child qemu;
	struct mhp_qmp qmp;
	struct mhp_channel ch;
	struct mhp_transcript qmp_log, chan_log;
	uint64_t block_size;         /* from the guest's hello */
	char auto_online[32];        /* auto_online_blocks, from the hello */
	bool memmap_on_memory;       /* the kernel has the parameter and it is on */
	unsigned pageblock_order;    /* from /proc/pagetypeinfo, 0 if unknown */
	struct mhp_guest_report report; /* the latest one */
	bool capture;                /* a boot that only fetches QEMU's ACPI tables */
};

/* Builds the initrd, starts QEMU, accepts its sockets, negotiates QMP and
 * waits for the guest's hello.  Returns 0, or -1 with res->error set. */
int mhp_vm_start(struct mhp_vm *vm, const char *results_dir);
/* Stops QEMU (SIGTERM, then SIGKILL) and removes the run directory. */
void mhp_vm_teardown(struct mhp_vm *vm);

/* Records why the run cannot go on (r from a wait on awaited); returns -1. */
int mhp_vm_fail(struct mhp_vm *vm, int r, const char *awaited);
mhp_deadline_t mhp_vm_deadline(const struct mhp_vm *vm);

/* Refreshes vm->report from the guest. */
int mhp_vm_report(struct mhp_vm *vm);
/* Runs one guest command.  0 on "ok" (kept in ret_ok when not NULL);
 * -EREMOTEIO with vm->ch.error for the guest's "error"; other failures are
 * returned as they are, not recorded. */
int mhp_vm_command(struct mhp_vm *vm, const char *cmd, struct mhp_wire_msg *ret_ok);

/* Fetches the guest's ACPI table sig (as the firmware gave it) into a new
 * buffer. */
int mhp_vm_acpi_table(struct mhp_vm *vm, const char *sig, unsigned char **ret_data, size_t *ret_len);

/* object-add memory-backend-ram + device_add pc-dimm. */
int mhp_vm_plug(struct mhp_vm *vm, const struct mhp_dimm *d);
/* Waits for the guest's ACPI _OST of source (1 insert, 3 eject) for id. */
int mhp_vm_wait_ost(struct mhp_vm *vm, const char *id, int source, int64_t *ret_status);
/* device_del, then DEVICE_DELETED ("removed") or a failed _OST ("refused
 * (ACPI _OST status 0x82)") into outcome. */
int mhp_vm_unplug(struct mhp_vm *vm, const struct mhp_dimm *d, char *outcome, size_t size);
int mhp_vm_object_del(struct mhp_vm *vm, const struct mhp_dimm *d);
/* The DIMM as query-memory-devices lists it: "node=N size=S", or
 * "(absent)"; its address in ret_addr when not NULL. */
int mhp_vm_qemu_dimm(struct mhp_vm *vm, const char *id, char *buf, size_t size, uint64_t *ret_addr);
/* Asks the guest to power off and checks that QEMU exits cleanly. */
int mhp_vm_power_off(struct mhp_vm *vm);

#endif
