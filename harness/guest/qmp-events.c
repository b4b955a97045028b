/* Matchers of QEMU's memory-device events, for mhp_qmp_event_wait_ref and
 * the libvirt backend's queue alike (both hold QMP-shaped events). */
#include "guest/qmp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool mhp_qmp_match_ost(json_object *ev, void *ctx)
{
	const struct mhp_qmp_ost_match *m = ctx;
	const char *name = mhp_qmp_event_name(ev), *dev = mhp_json_path_string(ev, "data/info/device");

	return name && !strcmp(name, "ACPI_DEVICE_OST") && dev && !strcmp(dev, m->id) &&
	       mhp_json_path_int(ev, "data/info/source", -1) == m->source;
}

bool mhp_qmp_match_ost_refusal(json_object *ev, const char *id)
{
	const char *name = mhp_qmp_event_name(ev), *dev = mhp_json_path_string(ev, "data/info/device");
	int64_t status = mhp_json_path_int(ev, "data/info/status", 0);

	/* 0x84 is "in progress"; 0 success, then the device goes. */
	return name && !strcmp(name, "ACPI_DEVICE_OST") && dev && !strcmp(dev, id) && status != 0 && status != 0x84;
}

bool mhp_qmp_match_unplug(json_object *ev, void *ctx)
{
	const char *id = ctx, *name = mhp_qmp_event_name(ev), *dev = mhp_json_path_string(ev, "data/device");

	if (name && !strcmp(name, "DEVICE_DELETED"))
		return dev && !strcmp(dev, id);
	return mhp_qmp_match_ost_refusal(ev, id);
}

bool mhp_qmp_match_size_change(json_object *ev, void *ctx)
{
	const char *id = ctx, *name = mhp_qmp_event_name(ev), *dev = mhp_json_path_string(ev, "data/id");

	return name && !strcmp(name, "MEMORY_DEVICE_SIZE_CHANGE") && dev && !strcmp(dev, id);
}

bool mhp_qmp_match_end(json_object *ev, void *ctx)
{
	const char *name = mhp_qmp_event_name(ev);

	(void)ctx;
	return name && (!strcmp(name, "SHUTDOWN") || !strcmp(name, "GUEST_PANICKED"));
}

void mhp_qmp_end_text(json_object *ev, char *buf, size_t size)
{
	const char *reason = mhp_json_path_string(ev, "data/reason"), *name = mhp_qmp_event_name(ev);

	if (name && !strcmp(name, "GUEST_PANICKED"))
		snprintf(buf, size, ", GUEST_PANICKED");
	else if (reason && !strcmp(reason, "guest-reset"))
		snprintf(buf, size, ", SHUTDOWN guest-reset: the guest reset itself, a panic under panic=-1?");
	else
		snprintf(buf, size, ", SHUTDOWN %s", reason ? reason : "?");
}

json_object *mhp_qmp_memory_device_in(json_object *list, const char *id)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *dev = json_object_array_get_idx(list, i);
		const char *dev_id = mhp_json_path_string(dev, "data/id");

		if (dev_id && !strcmp(dev_id, id))
			return dev;
	}
	return NULL;
}

void mhp_qmp_version_text(json_object *obj, const char *at, char *buf, size_t size)
{
	char major[64], minor[64], micro[64];

	snprintf(major, sizeof(major), "%s/major", at);
	snprintf(minor, sizeof(minor), "%s/minor", at);
	snprintf(micro, sizeof(micro), "%s/micro", at);
	snprintf(buf, size, "%" PRId64 ".%" PRId64 ".%" PRId64, mhp_json_path_int(obj, major, -1),
		 mhp_json_path_int(obj, minor, -1), mhp_json_path_int(obj, micro, -1));
}
