/* libvirt's events for the libvirt backend.  libvirt (its embedded QEMU
 * driver above all) needs an event loop running all the time: its monitor
 * I/O runs there.  One thread per process runs libvirt's default loop; the
 * callbacks queue each event of the backend's domain (by UUID) as a
 * QMP-shaped object ({"event": NAME, "data": ...}) and wake the waiter
 * through a pipe, so the backend waits on them as the QEMU backend waits on
 * QMP events, with the same matchers.  QEMU's monitor events keep their
 * names, but for MEMORY_DEVICE_SIZE_CHANGE: libvirt's own event of that
 * name (data/id: the alias) comes after libvirt updated the device's
 * <current>, QEMU's (before it) is queued as "qemu
 * MEMORY_DEVICE_SIZE_CHANGE".  libvirt's others are "libvirt
 * DEVICE_REMOVED" (data/device: the alias), "libvirt
 * DEVICE_REMOVAL_FAILED" and "libvirt LIFECYCLE" (data/event,
 * data/detail as names).
 *
 * libvirt may still be running a callback when it is deregistered, so the
 * queue is reference-counted: each registered callback holds a reference,
 * dropped by libvirt when it lets the callback go; after release no
 * callback touches the log or the queue. */
#ifndef MHP_LIBVIRT_EVENTS_H
#define MHP_LIBVIRT_EVENTS_H

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "guest/qmp.h"
#include "lib/sock.h"

struct mhp_lv_events;

/* Registers libvirt's default event loop and starts its thread, once per
 * process; must come before the first virConnectOpen.  libvirt's own log
 * (its warnings) goes to log_dir/libvirt-driver.log, its errors are not
 * printed (the backend says them).  0 or -errno. */
int mhp_lv_loop_start(const char *log_dir);

/* A new queue whose events go to log (borrowed until release); NULL with
 * errno when no pipe can be made. */
struct mhp_lv_events *mhp_lv_events_new(struct mhp_transcript *log);
/* Subscribes to conn's events.  0, or -EIO (libvirt's error is the last). */
int mhp_lv_events_register(struct mhp_lv_events *e, virConnectPtr conn);
/* From now on, only the events of the domain with this UUID are queued. */
void mhp_lv_events_follow(struct mhp_lv_events *e, const unsigned char uuid[VIR_UUID_BUFLEN]);
/* Deregisters, drops the queue; e is freed once libvirt lets its last
 * callback go.  NULL is fine. */
void mhp_lv_events_release(struct mhp_lv_events *e);

/* Takes the oldest queued or arriving event that match accepts (NULL:
 * any), as mhp_qmp_event_wait_ref.  -ETIMEDOUT, -EINTR (SIGINT/SIGTERM). */
int mhp_lv_events_wait(struct mhp_lv_events *e, mhp_deadline_t deadline, mhp_qmp_event_match_fn match, void *ctx,
		       json_object **ret_event);

#endif
