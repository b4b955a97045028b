/* What the topology's parts share and nothing else includes: the format's
 * limits and defaults, error messages, the JSON schema helpers the parser
 * uses (topology-schema.c), the checks on the struct in the order the parser
 * meets them (topology-validate.c), and the words of the format
 * (topology-names.c). */
#ifndef MHP_TOPOLOGY_INTERNAL_H
#define MHP_TOPOLOGY_INTERNAL_H

#include <json-c/json.h>
#include <stdarg.h>

#include "model/json-locate.h"
#include "model/topology.h"

/* Limits the parser's JSON bounds and the validator share. */
#define MHP_TOPO_MAX_CPUS 64
#define MHP_TOPO_MAX_PXM 255
#define MHP_TOPO_MAX_SLOTS 256
#define MHP_TOPO_MAX_RATIO 10000
#define MHP_TOPO_MAX_OEM_REVISION 0x7fffffffu
#define MHP_TOPO_MAX_TIMEOUT_MS 3600000u
#define MHP_TOPO_MAX_SHARE 100
/* What a file that leaves them out gets. */
#define MHP_TOPO_OEM_REVISION 2
#define MHP_TOPO_FILL_SIZE (64ull << 20)
#define MHP_TOPO_FILL_SHARE 90
#define MHP_TOPO_PIN_SIZE (16ull << 20)

/* Where a message goes: "PATH:LINE: field 'F': problem". */
struct mhp_topo_err {
	const char *path;
	char *err;
	size_t errsize;
};

/* The message for field (of element where: "dimms[2]", "kernel", "" for
 * the top level): with a line, "PATH:LINE: field 'F': ..."; with line 0,
 * "PATH: field 'WHERE.F': ...".  Returns -EINVAL. */
int mhp_topo_message(const struct mhp_topo_err *e, int line, const char *where, const char *field, const char *fmt,
		     va_list ap) MHP_FORMAT(5, 0);

/* ---- the JSON shape (topology-schema.c) ---- */
struct mhp_parse_ctx {
	struct mhp_topo_err e;
	struct mhp_json_locator loc;
};

/* "PATH:LINE: field 'F': ..." at the line of field in obj.  -EINVAL. */
/* Rejects key given as 0 where 0 is the struct's "not set" (hint: what to
 * write instead). */
/* A size that may be 0 (a memoryless node); mhp_json_get_size refuses 0. */
int mhp_json_get_size_or_zero(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, uint64_t *dst);
int mhp_json_not_unset(struct mhp_parse_ctx *c, json_object *obj, const char *key, uint64_t value, const char *hint);
int mhp_json_fail(struct mhp_parse_ctx *c, const json_object *obj, const char *field, const char *fmt, ...)
	MHP_FORMAT(4, 5);
/* The line of key in obj as messages name it (the object's when absent). */
int mhp_json_line(const struct mhp_parse_ctx *c, const json_object *obj, const char *key);
/* Notes the line of each key (a NULL key ends the list) as mhp_json_line()
 * names it. */
struct mhp_json_key_line {
	const char *key;
	int *line;
};
void mhp_json_note_lines(const struct mhp_parse_ctx *c, const json_object *obj, const struct mhp_json_key_line *keys);
/* The line of an object's first key: where an array entry starts. */
int mhp_json_entry_line(const struct mhp_parse_ctx *c, json_object *obj);
/* Rejects keys outside the NULL-terminated allowed list. */
int mhp_json_check_keys(struct mhp_parse_ctx *c, json_object *obj, const char *const *allowed);
/* Each leaves *dst alone when key is absent and not required. */
int mhp_json_get_string(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, char *dst,
			size_t size);
int mhp_json_get_uint(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, unsigned max,
		      unsigned *dst);
/* A size is a string with a binary suffix ("512M") or a plain integer. */
int mhp_json_get_size(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool required, uint64_t *dst);
int mhp_json_get_bool(struct mhp_parse_ctx *c, json_object *obj, const char *key, bool *dst);
/* A required array of 1 to max entries. */
int mhp_json_get_array(struct mhp_parse_ctx *c, json_object *obj, const char *key, size_t max, json_object **ret);
/* The optional object root[key] ("kernel", "acpi"): 1 with it in *ret, 0
 * when absent, -EINVAL when no object. */
int mhp_json_get_section(struct mhp_parse_ctx *c, json_object *root, const char *key, json_object **ret);
/* The required array root[key] of 1 to max objects: parse(c, s, entry, i)
 * on each, up to the first that fails. */
int mhp_json_each_entry(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root, const char *key, size_t max,
			int (*parse)(struct mhp_parse_ctx *, struct mhp_topology *, json_object *, unsigned));

/* ---- the sections (topology-parse.c, topology-parse-steps.c) ---- */
int mhp_topo_parse_steps(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root);

/* ---- checks on the struct (topology-validate.c) ----
 * Each returns 0 or a message through e; the parser calls them as soon as
 * what they look at is parsed, so a file's first problem is the one named;
 * mhp_topology_validate() calls all of them in the same order. */
int mhp_topo_check_counts(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_machine(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_name(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_node(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e);
int mhp_topo_check_nodes(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_interleave(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_kernel(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_acpi(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_cmdline(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_dimm(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e);
int mhp_topo_check_memory(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_slots(const struct mhp_topology *t, const struct mhp_topo_err *e);
int mhp_topo_check_step(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e);
int mhp_topo_check_step_order(const struct mhp_topology *t, const struct mhp_topo_err *e);
/* topology-virtio-mem.c: a virtio-mem device, and steps on devices by kind. */
int mhp_topo_check_virtio_mem(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e);
int mhp_topo_check_device_step(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e);

/* ---- the format's words (topology-names.c) ---- */
/* The kind a step's action key names; MHP_STEP_INVALID for none. */
enum mhp_step_kind mhp_step_kind_parse(const char *key);
/* "expect" words: ok/fail/any on online and offline, removed/refused/any
 * on unplug.  parse: 0 or -1 when the word does not apply; word: NULL for
 * MHP_EXPECT_DEFAULT or a pair that does not apply. */
int mhp_expect_parse(enum mhp_step_kind kind, const char *word, enum mhp_expect *ret);
const char *mhp_expect_word(enum mhp_step_kind kind, enum mhp_expect e);
bool mhp_default_state_valid(const char *state); /* an online type or "offline" */
bool mhp_online_policy_valid(const char *policy);
bool mhp_online_type_valid(const char *type);
bool mhp_zone_name_valid(const char *zone);
/* A command-line word of the file: not empty, no space or quote. */
bool mhp_cmdline_word_valid(const char *w);
/* How many blocks of the DIMM a step may pick: its blocks, at most 64. */
unsigned mhp_topo_pickable_blocks(const struct mhp_topology *t, unsigned dimm);

#define MHP_TOPO_MSG_BLOCK_INDEX "entry %u must be a block index from 0 to %u"
#define MHP_TOPO_MSG_CMDLINE_WORD "entry %zu must be one word without spaces or quotes"
#define MHP_TOPO_MSG_SYSRQ "one of the keys c (crash), w, l, m, t"
#define MHP_TOPO_MSG_NO_ACTION \
	"a step needs one of plug, online, offline, unplug, check, fill, verify, corrupt, sysrq, pin, offline_boot, resize"

#endif
