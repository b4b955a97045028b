/* What json-c accepts but a topology must not mean: a key given twice in
 * one object (json-c keeps the last one silently), a string or key holding
 * a NUL (\u0000: every C string stops there, so the value would be cut),
 * an integer beyond 64 bits (json-c saturates it). */
#include "model/json-strict.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"

/* A key in the text: where it is, and which object (by its opening brace
 * count) holds it. */
struct key_seen {
	const char *start;
	size_t len;
	size_t object;
};

static const char *skip_string(const char *p)
{
	while (*p && *p != '"')
		p += (*p == '\\' && p[1]) ? 2 : 1;
	return *p ? p + 1 : p;
}

static const char *skip_comment(const char *p)
{
	if (p[1] == '/')
		return p + strcspn(p, "\n");
	const char *end = strstr(p + 2, "*/");
	return end ? end + 2 : p + strlen(p);
}

/* Whether key s[0..len) of object obj was seen before in that object. */
static bool seen_in(const struct key_seen *keys, size_t n, size_t obj, const char *s, size_t len)
{
	for (size_t i = n; i-- > 0;) {
		if (keys[i].object != obj)
			continue;
		if (keys[i].len == len && !memcmp(keys[i].start, s, len))
			return true;
	}
	return false;
}

/* Whether the key's raw text s[0..len) is cut short by a \u0000. */
static bool key_has_nul(const char *s, size_t len)
{
	for (size_t i = 0; i + 6 <= len; i++)
		if (!memcmp(s + i, "\\u0000", 6))
			return true;
	return false;
}

static void problem_at(struct mhp_json_problem *ret, const char *text, const char *s, size_t len, const char *why)
{
	snprintf(ret->field, sizeof(ret->field), "%.*s", (int)(len < 60 ? len : 60), s);
	snprintf(ret->why, sizeof(ret->why), "%s", why);
	ret->offset = (size_t)(s - text);
}

static int scan_keys(const char *text, struct mhp_json_problem *ret)
{
	struct key_seen *keys = NULL;
	size_t n = 0, cap = 0, objects = 0, depth = 0, stack[64] = { 0 };
	int r = 0;

	for (const char *p = text; *p && r == 0;) {
		if (*p == '/' && (p[1] == '/' || p[1] == '*')) {
			p = skip_comment(p);
		} else if (*p == '{' || *p == '[') {
			/* Arrays take a slot too, so '}' and ']' pop alike. */
			if (depth < 64)
				stack[depth] = *p == '{' ? ++objects : 0;
			depth++, p++;
		} else if (*p == '}' || *p == ']') {
			depth -= depth > 0;
			p++;
		} else if (*p == '"') {
			const char *s = p + 1, *e = skip_string(s);
			const char *q = e + strspn(e, " \t\r\n");
			size_t len = (size_t)(e - s) - (e[-1] == '"'), obj = depth && depth <= 64 ? stack[depth - 1] : 0;
			if (*q == ':' && key_has_nul(s, len)) {
				problem_at(ret, text, s, len, "a key holding a NUL character (\\u0000)");
				r = -1;
			} else if (*q == ':' && obj && seen_in(keys, n, obj, s, len)) {
				problem_at(ret, text, s, len, "given twice in one object");
				r = -1;
			} else if (*q == ':' && obj)
				MHP_ARRAY_PUSH(keys, n, cap) = (struct key_seen){ s, len, obj };
			p = e;
		} else
			p++;
	}
	free(keys);
	return r;
}

/* The first value under obj, depth first, that a C program would read
 * wrong; its key (or NULL for an array element) into *ret_key. */
static json_object *bad_value(json_object *obj, const char **ret_key, const char **why)
{
	if (json_object_is_type(obj, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(obj); i++) {
			json_object *bad = bad_value(json_object_array_get_idx(obj, i), ret_key, why);
			if (bad)
				return bad;
		}
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object))
		return NULL;
	json_object_object_foreach(obj, key, val) {
		json_object *bad = NULL;
		*ret_key = key;
		if (json_object_is_type(val, json_type_string) &&
		    (size_t)json_object_get_string_len(val) != strlen(json_object_get_string(val)))
			*why = "holds a NUL character (\\u0000)", bad = val;
		else if (json_object_is_type(val, json_type_int) &&
			 (json_object_get_int64(val) == INT64_MAX || json_object_get_int64(val) == INT64_MIN))
			*why = "is beyond the numbers mhp takes (64 bits)", bad = val;
		else
			bad = bad_value(val, ret_key, why);
		if (bad)
			return bad;
	}
	return NULL;
}

int mhp_json_strict(const char *text, json_object *root, struct mhp_json_problem *ret)
{
	const char *key = NULL, *why = NULL;
	json_object *bad;

	*ret = (struct mhp_json_problem){ 0 };
	if (scan_keys(text, ret) < 0)
		return -1;
	if (!(bad = bad_value(root, &key, &why)))
		return 0;
	snprintf(ret->field, sizeof(ret->field), "%s", key ? key : "(value)");
	snprintf(ret->why, sizeof(ret->why), "%s", why);
	ret->obj = bad;
	return -1;
}
