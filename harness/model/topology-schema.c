/* The JSON shape of a topology file: keys, types and the bounds a value must
 * fit in, and the messages that name FILE:LINE: field. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/topology-internal.h"

int mhp_topo_message(const struct mhp_topo_err *e, int line, const char *where, const char *field, const char *fmt,
		     va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		snprintf(e->err, e->errsize, "%s:%d: field '%s': %s", e->path, line, field, msg);
	else
		snprintf(e->err, e->errsize, "%s: field '%s%s%s': %s", e->path ? e->path : "(no file)", where,
			 *where ? "." : "", field, msg);
	return -EINVAL;
}

int mhp_json_line(const struct mhp_parse_ctx *c, const json_object *obj, const char *key)
{
	return mhp_json_locator_line(&c->loc, obj, key);
}

int mhp_json_entry_line(const struct mhp_parse_ctx *c, json_object *obj)
{
	json_object_object_foreach(obj, key, val) {
		(void)val;
		return mhp_json_line(c, obj, key);
	}
	return mhp_json_line(c, obj, NULL);
}

int mhp_json_fail(struct mhp_parse_ctx *c, const json_object *obj, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The file's line even when the locator found none (0): a parse error
	 * always names the file's line. */
	snprintf(c->e.err, c->e.errsize, "%s:%d: field '%s': %s", c->e.path, mhp_json_line(c, obj, field), field, msg);
	return -EINVAL;
}

/* Rejects keys outside the allowed list: a typo must not pass silently. */
int mhp_json_check_keys(struct mhp_parse_ctx *c, json_object *obj, const char *const *allowed)
{
	json_object_object_foreach(obj, key, val) {
		bool ok = false;
		(void)val;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, key);
		if (!ok)
			return mhp_json_fail(c, obj, key, "unknown key");
	}
	return 0;
}

/* Whether obj has key (its value, maybe JSON null, into *v); when not, *r
 * is 0 for an optional key, -EINVAL for a required one. */
static bool lookup(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, json_object **v, int *r)
{
	*r = 0;
	if (json_object_object_get_ex(obj, key, v))
		return true;
	if (required)
		*r = mhp_json_fail(c, obj, key, "missing");
	return false;
}

int mhp_json_get_string(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, char *dst,
			size_t size)
{
	json_object *v;
	int r;

	if (!lookup(c, obj, key, required, &v, &r))
		return r;
	if (!json_object_is_type(v, json_type_string))
		return mhp_json_fail(c, obj, key, "must be a string");
	const char *s = json_object_get_string(v);
	if (!*s || strlen(s) >= size)
		return mhp_json_fail(c, obj, key, "must be 1 to %zu characters", size - 1);
	strcpy(dst, s);
	return 0;
}

int mhp_json_get_uint(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, unsigned max,
		      unsigned *dst)
{
	json_object *v;
	int r;

	if (!lookup(c, obj, key, required, &v, &r))
		return r;
	if (!json_object_is_type(v, json_type_int))
		return mhp_json_fail(c, obj, key, "must be an integer");
	int64_t x = json_object_get_int64(v);
	if (x < 0 || x > max)
		return mhp_json_fail(c, obj, key, "must be between 0 and %u", max);
	*dst = (unsigned)x;
	return 0;
}

int mhp_json_get_size_or_zero(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, uint64_t *dst)
{
	json_object *v;
	int r;

	if (!lookup(c, obj, key, required, &v, &r))
		return r;
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		*dst = (uint64_t)json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) || mhp_parse_size(json_object_get_string(v), dst) < 0)
		return mhp_json_fail(c, obj, key, "must be a size such as \"512M\" or \"1G\"");
	return 0;
}

int mhp_json_get_size(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, uint64_t *dst)
{
	uint64_t v = 0;
	int r = mhp_json_get_size_or_zero(c, obj, key, required, &v);

	if (r < 0 || !json_object_object_get_ex(obj, key, NULL))
		return r;
	/* 0 is how the struct says "not set" (or it is no size at all). */
	if (v == 0)
		return mhp_json_fail(c, obj, key, "0 here would mean 'not set': leave %s out", key);
	*dst = v;
	return 0;
}

int mhp_json_not_unset(struct mhp_parse_ctx *c, json_object *obj, const char *key, uint64_t value, const char *hint)
{
	if (value || !json_object_object_get_ex(obj, key, NULL))
		return 0;
	return mhp_json_fail(c, obj, key, "0 here would mean 'not set': %s", hint);
}

int mhp_json_get_array(struct mhp_parse_ctx *c, json_object *obj, const char *key, size_t max, json_object **ret)
{
	json_object *v;
	int r;

	*ret = NULL;
	if (!lookup(c, obj, key, true, &v, &r))
		return r;
	if (!json_object_is_type(v, json_type_array))
		return mhp_json_fail(c, obj, key, "must be an array");
	if (json_object_array_length(v) == 0 || json_object_array_length(v) > max)
		return mhp_json_fail(c, obj, key, "must hold 1 to %zu entries", max);
	*ret = v;
	return 0;
}

int mhp_json_get_bool(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool *dst)
{
	json_object *v;
	int r;

	if (!lookup(c, obj, key, false, &v, &r))
		return r;
	if (!json_object_is_type(v, json_type_boolean))
		return mhp_json_fail(c, obj, key, "must be true or false");
	*dst = json_object_get_boolean(v);
	return 0;
}

int mhp_json_each_entry(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root, const char *key, size_t max,
			int (*parse)(struct mhp_parse_ctx *, struct mhp_topology *, json_object *, unsigned))
{
	json_object *arr;
	int r = mhp_json_get_array(c, root, key, max, &arr);

	for (size_t i = 0; r == 0 && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(o, json_type_object))
			return mhp_json_fail(c, arr, key, "entry %zu must be an object", i);
		r = parse(c, s, o, (unsigned)i);
	}
	return r;
}

void mhp_json_note_lines(const struct mhp_parse_ctx *c, const json_object *obj, const struct mhp_json_key_line *keys)
{
	for (; keys->key; keys++)
		*keys->line = mhp_json_line(c, obj, keys->key);
}

int mhp_json_get_section(struct mhp_parse_ctx *c, json_object *root, const char *key, json_object **ret)
{
	if (!json_object_object_get_ex(root, key, ret))
		return 0;
	if (!json_object_is_type(*ret, json_type_object))
		return mhp_json_fail(c, root, key, "must be an object");
	return 1;
}
