/* Waits on memory-device events that both backends share: their events
 * are QMP-shaped (QEMU's own, or passed on by libvirt), each backend
 * hands in how it waits for one and how it reads a virtio-mem device. */
#ifndef MHP_DEVICE_WAITS_H
#define MHP_DEVICE_WAITS_H

#include <sys/types.h>

#include "guest/backend.h"
#include "guest/qmp.h"

/* The backend's wait for the oldest event match accepts. */
typedef int (*mhp_event_wait_fn)(struct mhp_guest *g, mhp_deadline_t deadline, mhp_qmp_event_match_fn match,
				 void *ctx, json_object **ret_event);
/* The backend's view of virtio-mem device id: size, requested, addr. */
typedef int (*mhp_size_query_fn)(struct mhp_guest *g, const char *id, struct mhp_resized *r);

/* Drops the events about device id that match accepts still queued from
 * before: a stale one would end the next wait early. */
void mhp_guest_drain_events(struct mhp_guest *g, mhp_event_wait_fn wait, mhp_qmp_event_match_fn match, const char *id);

/* The guest's _OST of source (1 insert, 3 eject) for device id; its
 * status into *ret_status. */
int mhp_guest_wait_ost(struct mhp_guest *g, mhp_event_wait_fn wait, const char *id, int source, int64_t *ret_status);

/* The unplug's answer (an event match accepts), waited for in slices of a
 * second between which the console is looked at: -EOWNERDEAD when the
 * kernel oopsed after byte from, so a crashed eject costs a second, not
 * the whole deadline.  Failures are not explained (the caller says what
 * it waited for). */
int mhp_guest_wait_unplug(struct mhp_guest *g, mhp_event_wait_fn wait, mhp_qmp_event_match_fn match, void *ctx,
			  off_t from, json_object **ret_event);

/* Until virtio-mem device id's size is the requested one, woken by its
 * MEMORY_DEVICE_SIZE_CHANGE events and asking query at least every poll_ms:
 * QEMU holds back all but the first event of each second (its monitor's
 * rate limit), so a plug that took 30 ms was seen after a second.  With
 * settle, until two seconds pass without a change: the guest may unplug
 * only part of kernel-zone memory. */
int mhp_virtio_mem_wait_size(struct mhp_guest *g, mhp_event_wait_fn wait, mhp_size_query_fn query, const char *id,
			     unsigned poll_ms, bool settle, struct mhp_resized *r);

#endif
