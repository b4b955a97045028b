/* Strict JSON for topologies: what json-c parses without complaint but
 * would make a file mean something else than it says. */
#ifndef MHP_JSON_STRICT_H
#define MHP_JSON_STRICT_H

#include <json-c/json.h>
#include <stddef.h>

struct mhp_json_problem {
	char field[64];        /* the key, or "(syntax)" */
	char why[96];
	size_t offset;         /* where in the text, when obj is NULL */
	const json_object *obj; /* the bad value, when known (its key's line) */
};

/* Checks root, parsed from text, for a key given twice in one object, a
 * string holding a NUL (\u0000), an integer beyond 64 bits.  0, or -1
 * with the first problem in *ret. */
int mhp_json_strict(const char *text, json_object *root, struct mhp_json_problem *ret);

#endif
