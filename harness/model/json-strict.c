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

/* A key in the text: where it is, its name as json-c reads it, and which
 * object (by its opening brace count) holds it. */
struct key_seen {
	const char *start;
	char name[64];
	size_t object;
};

/* Past the string that starts after quote q (json-c also takes '...'). */
static const char *skip_string(const char *p, char q)
{
	while (*p && *p != q)
		p += (*p == '\\' && p[1]) ? 2 : 1;
	return *p ? p + 1 : p;
}

/* A key as json-c reads it, for comparing: the escapes \uXXXX (below
 * 0x80) and \" \\ \/ decoded, anything else kept as written. */
static size_t decode_key(const char *s, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned v;
		if (s[i] == '\\' && i + 5 < len && s[i + 1] == 'u' && sscanf(s + i + 2, "%4x", &v) == 1 && v < 0x80) {
			out[n++] = (char)v;
			i += 5;
		} else if (s[i] == '\\' && i + 1 < len && strchr("\"\\/'", s[i + 1]))
			out[n++] = s[++i];
		else
			out[n++] = s[i];
	}
	out[n] = '\0';
	return n;
}

static const char *skip_comment(const char *p)
{
	if (p[1] == '/')
		return p + strcspn(p, "\n");
	const char *end = strstr(p + 2, "*/");
	return end ? end + 2 : p + strlen(p);
}

/* Whether key name was seen before in object obj. */
static bool seen_in(const struct key_seen *keys, size_t n, size_t obj, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (keys[i].object == obj && !strcmp(keys[i].name, name))
			return true;
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
		} else if (*p == '"' || *p == '\'') {
			const char *s = p + 1, *e = skip_string(s, *p);
			const char *q = e + strspn(e, " \t\r\n");
			size_t len = (size_t)(e - s) - (e[-1] == *p), obj = depth && depth <= 64 ? stack[depth - 1] : 0;
			struct key_seen k = { .start = s, .object = obj };
			decode_key(s, len, k.name, sizeof(k.name));
			if (*q == ':' && key_has_nul(s, len)) {
				problem_at(ret, text, s, len, "a key holding a NUL character (\\u0000)");
				r = -1;
			} else if (*q == ':' && obj && seen_in(keys, n, obj, k.name)) {
				problem_at(ret, text, s, len, "given twice in one object");
				r = -1;
			} else if (*q == ':' && obj)
				MHP_ARRAY_PUSH(keys, n, cap) = k;
			p = e;
		} else
			p++;
	}
	free(keys);
	return r;
}

/* Why a leaf value would be read wrong, or NULL. */
static const char *bad_leaf(json_object *v)
{
	if (json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v)))
		return "holds a NUL character (\\u0000)";
	if (json_object_is_type(v, json_type_int) &&
	    (json_object_get_int64(v) == INT64_MAX || json_object_get_int64(v) == INT64_MIN))
		return "is beyond the numbers mhp takes (64 bits)";
	return NULL;
}

/* The first value at or under v, depth first, that a C program would read
 * wrong; the key that holds it (an array's, for its elements) stays in
 * *ret_key. */
static json_object *bad_value(json_object *v, const char **ret_key, const char **why)
{
	json_object *bad;

	if ((*why = bad_leaf(v)))
		return v;
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			/* A bad element itself is named by the array's key line. */
			if ((bad = bad_value(e, ret_key, why)))
				return bad == e ? v : bad;
		}
		return NULL;
	}
	if (!json_object_is_type(v, json_type_object))
		return NULL;
	json_object_object_foreach(v, key, val) {
		const char *outer = *ret_key;
		*ret_key = key;
		if ((bad = bad_value(val, ret_key, why)))
			return bad;
		*ret_key = outer;
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
