#include "model/json-locate.h"

#include <stdlib.h>
#include <string.h>

#include "lib/array.h"

int mhp_text_line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

/* Key positions in the text, in order: a string followed by ':'. */
struct key_pos {
	const char *start; /* after the opening quote */
	size_t len;
	int line;
	int used;
};

static const char *skip_comment(const char *p, int *line)
{
	if (p[1] == '/') {
		while (*p && *p != '\n')
			p++;
		return p;
	}
	p += 2;
	while (*p && !(p[0] == '*' && p[1] == '/'))
		*line += *p++ == '\n';
	return *p ? p + 2 : p;
}

static size_t scan_keys(const char *text, struct key_pos **ret)
{
	struct key_pos *v = NULL;
	size_t n = 0, cap = 0;
	int line = 1;

	for (const char *p = text; *p;) {
		if (*p == '/' && (p[1] == '/' || p[1] == '*')) {
			p = skip_comment(p, &line);
			continue;
		}
		if (*p != '"') {
			line += *p++ == '\n';
			continue;
		}
		const char *s = ++p;
		while (*p && *p != '"')
			p += (*p == '\\' && p[1]) ? 2 : 1;
		size_t len = (size_t)(p - s);
		if (*p)
			p++;
		const char *q = p;
		while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			q++;
		if (*q != ':')
			continue;
		MHP_ARRAY_PUSH(v, n, cap) = (struct key_pos){ s, len, line, 0 };
	}
	*ret = v;
	return n;
}

static void add(struct mhp_json_locator *l, const json_object *obj, const char *key, int line)
{
	MHP_ARRAY_PUSH(l->locs, l->n, l->cap) = (struct mhp_json_loc){ obj, key, line };
}

/* Walks the tree in document order, matching each key with the next
 * unmatched textual key of the same name. */
static void walk(struct mhp_json_locator *l, json_object *obj, struct key_pos *keys, size_t nkeys, size_t *cursor)
{
	if (json_object_is_type(obj, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(obj); i++)
			walk(l, json_object_array_get_idx(obj, i), keys, nkeys, cursor);
		return;
	}
	if (!json_object_is_type(obj, json_type_object))
		return;
	json_object_object_foreach(obj, key, val) {
		int line = 0;
		for (size_t i = *cursor; i < nkeys; i++) {
			if (keys[i].used || keys[i].len != strlen(key) || memcmp(keys[i].start, key, keys[i].len))
				continue;
			keys[i].used = 1;
			line = keys[i].line;
			*cursor = i + 1;
			break;
		}
		add(l, obj, key, line);
		if (val)
			add(l, val, NULL, line);
		walk(l, val, keys, nkeys, cursor);
	}
}

void mhp_json_locator_build(struct mhp_json_locator *l, const char *text, json_object *root)
{
	struct key_pos *keys = NULL;
	size_t nkeys = scan_keys(text, &keys), cursor = 0;

	walk(l, root, keys, nkeys, &cursor);
	free(keys);
}

void mhp_json_locator_release(struct mhp_json_locator *l)
{
	free(l->locs);
	*l = (struct mhp_json_locator)MHP_JSON_LOCATOR_INIT;
}

int mhp_json_locator_line(const struct mhp_json_locator *l, const json_object *obj, const char *key)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct mhp_json_loc *loc = &l->locs[i];

		if (loc->obj != obj)
			continue;
		if (!key ? !loc->key : (loc->key && !strcmp(loc->key, key)))
			return loc->line;
	}
	if (!key)
		return 0;
	/* A missing key: name the line of the object that lacks it; the root
	 * object has no key holding it, so line 1. */
	int line = mhp_json_locator_line(l, obj, NULL);
	return line ? line : 1;
}
