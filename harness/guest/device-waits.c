#include "guest/device-waits.h"

#include <errno.h>

int mhp_guest_wait_unplug(struct mhp_guest *g, mhp_event_wait_fn wait, mhp_qmp_event_match_fn match, void *ctx,
			  off_t from, json_object **ret_event)
{
	mhp_deadline_t end = mhp_guest_deadline(g);

	for (;;) {
		mhp_deadline_t slice = mhp_deadline_in_ms(1000);
		int r = wait(g, slice < end ? slice : end, match, ctx, ret_event);

		if (r != -ETIMEDOUT || slice >= end)
			return r;
		if (mhp_guest_oopsed_since(g, from))
			return -EOWNERDEAD;
	}
}

int mhp_virtio_mem_wait_size(struct mhp_guest *g, mhp_event_wait_fn wait, mhp_size_query_fn query, const char *id,
			     unsigned poll_ms, bool settle, struct mhp_resized *r)
{
	mhp_deadline_t end = mhp_guest_deadline(g), quiet_until = mhp_deadline_in_ms(2000);
	bool changed = false;
	int rc;

	while ((rc = query(g, id, r)) == 0 && r->size != r->requested) {
		mhp_deadline_t slice = mhp_deadline_in_ms(poll_ms);
		uint64_t before = r->size;
		json_object *ev = NULL;

		rc = wait(g, slice < end ? slice : end, mhp_qmp_match_size_change, (void *)id, &ev);
		json_object_put(ev);
		if (rc < 0 && rc != -ETIMEDOUT)
			return mhp_guest_fail(g, rc, "MEMORY_DEVICE_SIZE_CHANGE");
		if ((rc = query(g, id, r)) < 0)
			return rc;
		if (r->size != before) {
			changed = true;
			quiet_until = mhp_deadline_in_ms(2000);
		}
		if (settle && mhp_deadline_expired(quiet_until))
			return 0;
		if (slice >= end)
			return mhp_virtio_mem_deadline_passed(g, id, r, changed);
	}
	return rc;
}

int mhp_guest_wait_ost(struct mhp_guest *g, mhp_event_wait_fn wait, const char *id, int source, int64_t *ret_status)
{
	struct mhp_qmp_ost_match m = { id, source };
	json_object *ev = NULL;
	int r = wait(g, mhp_guest_deadline(g), mhp_qmp_match_ost, &m, &ev);

	if (r < 0)
		return mhp_guest_fail(g, r, "the guest's ACPI _OST");
	*ret_status = mhp_json_path_int(ev, "data/info/status", -1);
	json_object_put(ev);
	return 0;
}

void mhp_guest_drain_events(struct mhp_guest *g, mhp_event_wait_fn wait, mhp_qmp_event_match_fn match, const char *id)
{
	json_object *ev = NULL;

	while (wait(g, mhp_deadline_in_ms(0), match, (void *)id, &ev) == 0) {
		json_object_put(ev);
		ev = NULL;
	}
}
