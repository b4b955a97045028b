/* result.json: the machine-readable record of one topology run, written
 * atomically and read back (a parent process, the gate or a report works
 * from results on disk). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "lib/array.h"
#include "lib/cleanup.h"
#include "report/report.h"

static const char *const status_names[] = { [MHP_STATUS_PASS] = "pass", [MHP_STATUS_FAIL] = "fail",
					    [MHP_STATUS_SKIP] = "skip" };

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* Adds n string members (NULL values as null) given as key, value pairs. */
static void add_strings(json_object *o, const char *const *kv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_object_add(o, kv[2 * i], str_or_null(kv[2 * i + 1]));
}

void mhp_check_key_json(json_object *o, const struct mhp_check *c)
{
	const char *const key[] = { "kind", c->kind, "device", c->device, "subject", c->subject, "aspect", c->aspect };

	json_object_object_add(o, "step", json_object_new_int64(c->step));
	add_strings(o, key, ARRAY_SIZE(key) / 2);
}

static json_object *check_json(const struct mhp_check *c)
{
	json_object *o = json_object_new_object();
	const char *const values[] = { "expected", c->expected, "observed", c->observed, "status",
				       status_names[c->status] };

	json_object_object_add(o, "name", json_object_new_string(c->name));
	mhp_check_key_json(o, c);
	add_strings(o, values, ARRAY_SIZE(values) / 2);
	if (c->outcome)
		json_object_object_add(o, "outcome", json_object_new_boolean(true));
	return o;
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
	json_object *o = json_object_new_object(), *checks = json_object_new_array();
	_cleanup_free_ char *path = mhp_xasprintf("%s/result.json", dir);

	const char *const facts[] = { "topology", r->topology, "verdict", status_names[mhp_result_verdict(r)],
				      "failed_phase", r->error || r->interrupted ? r->phase : NULL, "error", r->error,
				      "kernel", r->kernel, "kernel_version", r->kernel_version,
				      "guest_release", r->guest_release, "qemu_version", r->qemu_version,
				      "accel", r->accel, "deadlines", r->deadlines, "boot", r->boot };

	add_strings(o, facts, ARRAY_SIZE(facts) / 2);
	json_object_object_add(o, "interrupted", json_object_new_boolean(r->interrupted));
	json_object_object_add(o, "seconds", json_object_new_double(r->duration_ns / 1e9));
	json_object_object_add(o, "phases", phases_json(r));
	for (size_t i = 0; i < r->nchecks; i++)
		json_object_array_add(checks, check_json(&r->checks[i]));
	json_object_object_add(o, "checks", checks);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *data = mhp_xasprintf("%s\n", text);
	json_object_put(o);
	return mhp_write_file_atomic(path, data, strlen(data));
}

/* ------------------------------------------------------------ reading */

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : NULL;
}

static char *dup_str(json_object *o, const char *key)
{
	const char *s = get_str(o, key);

	return s ? mhp_xstrdup(s) : NULL;
}

static int read_check(struct mhp_result *r, json_object *o, size_t i, char *err, size_t errsize)
{
	const char *status = get_str(o, "status"), *aspect = get_str(o, "aspect");
	json_object *step = NULL, *outcome = NULL;
	struct mhp_check c = { 0 };
	int st = -1;

	for (int k = 0; status && k <= MHP_STATUS_SKIP; k++)
		if (!strcmp(status, status_names[k]))
			st = k;
	if (st < 0 || !aspect || !get_str(o, "expected") || !get_str(o, "observed") ||
	    !json_object_object_get_ex(o, "step", &step) || !json_object_is_type(step, json_type_int)) {
		snprintf(err, errsize, "checks[%zu]: wants step, aspect, expected, observed and a status", i);
		return -EINVAL;
	}
	c = (struct mhp_check){ .step = (unsigned)json_object_get_int64(step), .kind = (char *)get_str(o, "kind"),
				.device = (char *)get_str(o, "device"), .subject = (char *)get_str(o, "subject"),
				.aspect = (char *)aspect, .expected = (char *)get_str(o, "expected"),
				.observed = (char *)get_str(o, "observed"), .status = (enum mhp_status)st };
	c.outcome = json_object_object_get_ex(o, "outcome", &outcome) && json_object_get_boolean(outcome);
	mhp_result_add(r, &c);
	return 0;
}

static int read_checks(struct mhp_result *r, json_object *root, char *err, size_t errsize)
{
	json_object *arr = NULL;
	int ret;

	if (!json_object_object_get_ex(root, "checks", &arr) || !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errsize, "no checks array");
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if ((ret = read_check(r, json_object_array_get_idx(arr, i), i, err, errsize)) < 0)
			return ret;
	return 0;
}

static void read_phases(struct mhp_result *r, json_object *root)
{
	json_object *arr = NULL, *secs = NULL;

	if (!json_object_object_get_ex(root, "phases", &arr) || !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *p = json_object_array_get_idx(arr, i);
		const char *name = get_str(p, "name");
		double s = json_object_object_get_ex(p, "seconds", &secs) ? json_object_get_double(secs) : 0;

		if (name)
			MHP_ARRAY_PUSH(r->phases, r->nphases, r->phases_cap) =
				(struct mhp_phase){ mhp_xstrdup(name), (uint64_t)(s * 1e9) };
	}
}

static void read_facts(struct mhp_result *r, json_object *root)
{
	json_object *v = NULL;

	r->error = dup_str(root, "error");
	r->phase = dup_str(root, "failed_phase");
	r->kernel = dup_str(root, "kernel");
	r->kernel_version = dup_str(root, "kernel_version");
	r->guest_release = dup_str(root, "guest_release");
	r->qemu_version = dup_str(root, "qemu_version");
	r->accel = dup_str(root, "accel");
	r->boot = dup_str(root, "boot");
	r->deadlines = dup_str(root, "deadlines");
	r->interrupted = json_object_object_get_ex(root, "interrupted", &v) && json_object_get_boolean(v);
	if (json_object_object_get_ex(root, "seconds", &v))
		r->duration_ns = (uint64_t)(json_object_get_double(v) * 1e9);
}

int mhp_result_read_json(struct mhp_result *r, const char *path, char *err, size_t errsize)
{
	_cleanup_free_ char *text = NULL;
	json_object *root = NULL;
	int ret;

	mhp_result_init(r, "");
	if ((ret = mhp_read_file(path, 64u << 20, &text, NULL)) < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(-ret));
		return ret;
	}
	root = json_tokener_parse(text);
	if (!root || !get_str(root, "topology")) {
		snprintf(err, errsize, "%s: not a result.json (no topology)", path);
		json_object_put(root);
		return -EINVAL;
	}
	free(r->topology);
	r->topology = mhp_xstrdup(get_str(root, "topology"));
	read_phases(r, root);
	if ((ret = read_checks(r, root, err, errsize)) == 0)
		read_facts(r, root);
	else {
		_cleanup_free_ char *why = mhp_xstrdup(err);
		snprintf(err, errsize, "%s: %s", path, why);
	}
	json_object_put(root);
	return ret;
}
