/* Source lines for json-c objects.  json-c keeps no positions, so after
 * parsing, the tree's keys (in document order, as json-c keeps them) are
 * paired with the textual occurrences of '"key" :' outside strings and
 * comments.  Used only to name a line in error messages. */
#ifndef MHP_JSON_LOCATE_H
#define MHP_JSON_LOCATE_H

#include <json-c/json.h>

struct mhp_json_loc {
	const json_object *obj;
	const char *key;
	int line;
};

struct mhp_json_locator {
	struct mhp_json_loc *locs;
	size_t n, cap;
};
#define MHP_JSON_LOCATOR_INIT { NULL, 0, 0 }

/* Builds the table for root parsed from text. */
void mhp_json_locator_build(struct mhp_json_locator *l, const char *text, json_object *root);
void mhp_json_locator_release(struct mhp_json_locator *l);
/* The line of key inside obj; with key NULL, the line of the key that holds
 * obj.  0 when unknown. */
int mhp_json_locator_line(const struct mhp_json_locator *l, const json_object *obj, const char *key);
/* The 1-based line of byte offset off in text. */
int mhp_text_line_of(const char *text, size_t off);

#endif
