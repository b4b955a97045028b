/* libvirt's events for the libvirt backend.  libvirt (its embedded QEMU
 * driver above all) needs an event loop running all the time: its monitor
 * I/O runs there.  One thread per process runs libvirt's default loop; the
 * callbacks queue each event as a QMP-shaped object ({"event": NAME,
 * "data": ...}) and wake the waiter through a pipe, so the backend waits
 * on them as the QEMU backend waits on QMP events, with the same matchers.
 * QEMU's own monitor events keep their names; libvirt's are "libvirt
 * DEVICE_REMOVED" (data/device: the alias), "libvirt
 * DEVICE_REMOVAL_FAILED" and "libvirt LIFECYCLE" (data/event, data/detail
 * as names). */
#ifndef MHP_LIBVIRT_EVENTS_H
#define MHP_LIBVIRT_EVENTS_H

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>

#include "guest/qmp.h"
#include "lib/sock.h"

struct mhp_lv_events {
	pthread_mutex_t lock;
	json_object **queue;        /* oldest first */
	size_t n, alloc;
	int wake[2];                /* a byte per event queued */
	const char *domain;         /* only this domain's events (borrowed) */
	struct mhp_transcript *log; /* borrowed: every event, as it came */
	int callbacks[4];           /* libvirt's ids, -1 when not registered */
	virConnectPtr conn;         /* borrowed while registered */
};

/* Registers libvirt's default event loop and starts its thread, once per
 * process; must come before the first virConnectOpen.  0 or -errno. */
int mhp_lv_loop_start(void);

int mhp_lv_events_init(struct mhp_lv_events *e, const char *domain, struct mhp_transcript *log);
/* Subscribes to conn's events of domain e->domain (QEMU monitor events,
 * device removal, lifecycle).  0, or -EIO with libvirt's error logged. */
int mhp_lv_events_register(struct mhp_lv_events *e, virConnectPtr conn);
void mhp_lv_events_release(struct mhp_lv_events *e);

/* Takes the oldest queued or arriving event that match accepts (NULL:
 * any), as mhp_qmp_event_wait_ref.  -ETIMEDOUT, -EINTR (SIGINT/SIGTERM). */
int mhp_lv_events_wait(struct mhp_lv_events *e, mhp_deadline_t deadline, mhp_qmp_event_match_fn match, void *ctx,
		       json_object **ret_event);

#endif
