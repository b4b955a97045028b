/* result.json: the machine-readable record of one topology run. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "model/result.h"

static const char *status_name(enum mhp_status st)
{
	return st == MHP_STATUS_PASS ? "pass" : st == MHP_STATUS_SKIP ? "skip" : "fail";
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *checks_json(const struct mhp_result *r)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < r->nchecks; i++) {
		const struct mhp_check *c = &r->checks[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(c->name));
		json_object_object_add(o, "expected", json_object_new_string(c->expected));
		json_object_object_add(o, "observed", json_object_new_string(c->observed));
		json_object_object_add(o, "status", json_object_new_string(status_name(c->status)));
		json_object_object_add(o, "step", json_object_new_int64(c->step));
		if (c->outcome)
			json_object_object_add(o, "outcome", json_object_new_boolean(true));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *phases_json(const struct mhp_result *r)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < r->nphases; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(r->phases[i].name));
		json_object_object_add(o, "seconds", json_object_new_double(r->phases[i].duration_ns / 1e9));
		json_object_array_add(arr, o);
	}
	return arr;
}

int mhp_result_write_json(const struct mhp_result *r, const char *dir)
{
	json_object *o = json_object_new_object();
	_cleanup_free_ char *path = mhp_xasprintf("%s/result.json", dir);

	json_object_object_add(o, "topology", json_object_new_string(r->topology));
	json_object_object_add(o, "verdict", json_object_new_string(status_name(mhp_result_verdict(r))));
	json_object_object_add(o, "failed_phase", str_or_null(r->error || r->interrupted ? r->phase : NULL));
	json_object_object_add(o, "error", str_or_null(r->error));
	json_object_object_add(o, "interrupted", json_object_new_boolean(r->interrupted));
	json_object_object_add(o, "kernel", str_or_null(r->kernel));
	json_object_object_add(o, "kernel_version", str_or_null(r->kernel_version));
	json_object_object_add(o, "guest_release", str_or_null(r->guest_release));
	json_object_object_add(o, "qemu_version", str_or_null(r->qemu_version));
	json_object_object_add(o, "accel", str_or_null(r->accel));
	json_object_object_add(o, "seconds", json_object_new_double(r->duration_ns / 1e9));
	json_object_object_add(o, "phases", phases_json(r));
	json_object_object_add(o, "checks", checks_json(r));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *data = mhp_xasprintf("%s\n", text);
	json_object_put(o);
	return mhp_write_file_atomic(path, data, strlen(data));
}
