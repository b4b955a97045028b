/* The steps of a topology file: one action each, and what the action takes.
 * What the values mean (zones, online types, blocks, sizes, the order of
 * plugs and unplugs) is checked on the struct, by topology-validate.c. */
#include <string.h>

#include "lib/cleanup.h"
#include "model/topology-internal.h"

static const char *const step_keys[] = { "plug", "online", "offline", "unplug", "check", "fill", "verify", "corrupt",
					 "sysrq", "pin", "offline_boot", "resize", "type", "expect", "expect_zone", "expect_valid_zones",
					 "expect_online", "blocks", "size", "min_share", "timeout_ms", NULL };

static int find_dimm(const struct mhp_topology *s, const char *id)
{
	for (unsigned i = 0; i < s->nr_dimms; i++)
		if (!strcmp(s->dimms[i].id, id))
			return (int)i;
	return -1;
}

/* A fill step's size (default 64M) and the share of it that must sit on the
 * DIMM for the later verify to prove anything (default 90%); a pin step's
 * size (default 16M). */
static int parse_fill(struct mhp_parse_ctx *c, json_object *o, struct mhp_step *st)
{
	if (st->kind == MHP_STEP_PIN) {
		int r;

		st->size = MHP_TOPO_PIN_SIZE;
		if ((r = mhp_json_get_size(c, o, "size", false, &st->size)) < 0)
			return r;
		if (json_object_object_get_ex(o, "min_share", NULL))
			return mhp_json_fail(c, o, "min_share", "only a fill step takes it");
		return 0;
	}
	if (st->kind != MHP_STEP_FILL) {
		if (json_object_object_get_ex(o, "size", NULL) || json_object_object_get_ex(o, "min_share", NULL))
			return mhp_json_fail(c, o, json_object_object_get_ex(o, "size", NULL) ? "size" : "min_share",
					     "only fill and pin steps take it");
		return 0;
	}
	st->size = MHP_TOPO_FILL_SIZE;
	st->min_share = MHP_TOPO_FILL_SHARE;
	int r = mhp_json_get_size(c, o, "size", false, &st->size);
	return r < 0 ? r : mhp_json_get_uint(c, o, "min_share", false, MHP_TOPO_MAX_SHARE, &st->min_share);
}

/* "blocks": [0, 2] picks blocks of the DIMM by their index in it. */
static int parse_block_list(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *o, struct mhp_step *st)
{
	unsigned n = mhp_topo_pickable_blocks(s, st->dimm);
	json_object *arr;

	if (!json_object_object_get_ex(o, "blocks", &arr))
		return 0;
	if (st->kind != MHP_STEP_ONLINE && st->kind != MHP_STEP_OFFLINE)
		return mhp_json_fail(c, o, "blocks", "only online and offline steps pick blocks");
	if (!json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0)
		return mhp_json_fail(c, o, "blocks", "must be a non-empty array of block indexes within the DIMM");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		int64_t idx = json_object_get_int64(v);

		/* Here, not on the struct only: the message counts the file's entries. */
		if (!json_object_is_type(v, json_type_int) || idx < 0 || idx >= n)
			return mhp_json_fail(c, o, "blocks", MHP_TOPO_MSG_BLOCK_INDEX, (unsigned)i, n - 1);
		st->blocks |= 1ull << idx;
	}
	return 0;
}

static int parse_expect(struct mhp_parse_ctx *c, json_object *o, struct mhp_step *st)
{
	char word[16] = "";
	int r = mhp_json_get_string(c, o, "expect", false, word, sizeof(word));

	if (r < 0 || !word[0])
		return r;
	if (mhp_expect_parse(st->kind, word, &st->expect) == 0)
		return 0;
	return mhp_json_fail(c, o, "expect", "'%s' does not apply to a %s step (online/offline: ok, fail, any; "
			     "unplug: removed, refused, any)", word, mhp_step_kind_name(st->kind));
}

/* The one action key a step has; its kind and line into st. */
static int parse_action(struct mhp_parse_ctx *c, json_object *o, struct mhp_step *st, const char **ret_action)
{
	const char *action = NULL;
	int r;

	if ((r = mhp_json_check_keys(c, o, step_keys)) < 0)
		return r;
	for (int k = MHP_STEP_PLUG; k <= MHP_STEP_LAST; k++) {
		const char *key = mhp_step_kind_name((enum mhp_step_kind)k);

		if (!json_object_object_get_ex(o, key, NULL))
			continue;
		if (action)
			return mhp_json_fail(c, o, key, "a step has one action, this one also has '%s'", action);
		action = key;
		st->kind = (enum mhp_step_kind)k;
	}
	if (!action)
		return mhp_json_fail(c, o, "plug",
				     MHP_TOPO_MSG_NO_ACTION);
	st->line = mhp_json_line(c, o, action);
	*ret_action = action;
	return 0;
}

static void note_step_lines(struct mhp_parse_ctx *c, json_object *o, struct mhp_step *st)
{
	const struct mhp_json_key_line keys[] = {
		{ "type", &st->lines.type },	   { "expect", &st->lines.expect },
		{ "expect_zone", &st->lines.expect_zone }, { "blocks", &st->lines.blocks },
		{ "size", &st->lines.size },	   { "min_share", &st->lines.min_share },
		{ "timeout_ms", &st->lines.timeout_ms }, { NULL, NULL },
	};

	mhp_json_note_lines(c, o, keys);
}

/* check and corrupt: true, and nothing else. */
static int parse_flag(struct mhp_parse_ctx *c, json_object *o, const char *action)
{
	json_object *v;

	json_object_object_get_ex(o, action, &v);
	if (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
		return mhp_json_fail(c, o, action, "must be true");
	for (size_t i = 0; step_keys[i]; i++)
		if (strcmp(step_keys[i], action) && json_object_object_get_ex(o, step_keys[i], NULL))
			return mhp_json_fail(c, o, step_keys[i], "a %s step takes no other key", action);
	return 0;
}

/* offline_boot: the index of a node in "nodes", and nothing else. */
static int parse_boot_node(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *o, unsigned i)
{
	int r = mhp_json_get_uint(c, o, "offline_boot", true, MHP_MAX_NODES - 1, &s->steps[i].node);

	if (r < 0)
		return r;
	for (size_t k = 0; step_keys[k]; k++)
		if (strcmp(step_keys[k], "offline_boot") && json_object_object_get_ex(o, step_keys[k], NULL))
			return mhp_json_fail(c, o, step_keys[k], "an offline_boot step takes no other key");
	return mhp_topo_check_step(s, i, &c->e);
}

/* resize: a virtio-mem device's id and the size to ask for (0: all of it
 * back), and nothing else. */
static int parse_resize(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *o, unsigned i)
{
	static const char *const keys[] = { "resize", "size", NULL };
	struct mhp_step *st = &s->steps[i];
	char id[MHP_ID_MAX] = "";
	int r;

	if ((r = mhp_json_check_keys(c, o, keys)) < 0 || (r = mhp_json_get_string(c, o, "resize", true, id, sizeof(id))) < 0)
		return r;
	int d = find_dimm(s, id);
	if (d < 0)
		return mhp_json_fail(c, o, "resize", "no device has id '%s'", id);
	st->dimm = (unsigned)d;
	if ((r = mhp_json_get_size_or_zero(c, o, "size", true, &st->size)) < 0)
		return r;
	return mhp_topo_check_step(s, i, &c->e);
}

/* The DIMM the action names and what the step expects of it. */
static int parse_target(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *o, const char *action,
			struct mhp_step *st)
{
	char id[MHP_ID_MAX] = "";
	int r;

	if ((r = mhp_json_get_string(c, o, action, true, id, sizeof(id))) < 0)
		return r;
	int d = find_dimm(s, id);
	if (d < 0)
		return mhp_json_fail(c, o, action, "no DIMM has id '%s'", id);
	st->dimm = (unsigned)d;
	if (st->kind == MHP_STEP_ONLINE)
		strcpy(st->online_type, "online");
	if ((r = mhp_json_get_string(c, o, "expect_zone", false, st->expect_zone, sizeof(st->expect_zone))) < 0 ||
	    (r = mhp_json_get_string(c, o, "expect_valid_zones", false, st->expect_valid, sizeof(st->expect_valid))) < 0)
		return r;
	return parse_expect(c, o, st);
}

/* An online step's type (default online). */
static int parse_type(struct mhp_parse_ctx *c, json_object *o, struct mhp_step *st)
{
	if (json_object_object_get_ex(o, "expect", NULL) && st->kind == MHP_STEP_PLUG)
		return mhp_json_fail(c, o, "expect", "a plug step takes expect_online, expect_zone, expect_valid_zones");
	if (st->kind == MHP_STEP_ONLINE)
		return mhp_json_get_string(c, o, "type", false, st->online_type, sizeof(st->online_type));
	if (json_object_object_get_ex(o, "type", NULL))
		return mhp_json_fail(c, o, "type", "only an online step takes a type");
	return 0;
}

/* An offline step's deadline; a plug step's expect_online. */
static int parse_limits(struct mhp_parse_ctx *c, json_object *o, struct mhp_step *st)
{
	json_object *v;
	int r;

	if (json_object_object_get_ex(o, "timeout_ms", NULL)) {
		if (st->kind != MHP_STEP_OFFLINE)
			return mhp_json_fail(c, o, "timeout_ms", "only an offline step takes it");
		if ((r = mhp_json_get_uint(c, o, "timeout_ms", true, MHP_TOPO_MAX_TIMEOUT_MS, &st->timeout_ms)) < 0)
			return r;
		if (!st->timeout_ms)
			return mhp_json_fail(c, o, "timeout_ms", "must be at least 1");
	}
	if (json_object_object_get_ex(o, "expect_online", &v)) {
		if (st->kind != MHP_STEP_PLUG || !json_object_is_type(v, json_type_boolean))
			return mhp_json_fail(c, o, "expect_online", "a boolean, on a plug step only");
		st->expect_online = json_object_get_boolean(v);
		st->has_expect_online = true;
	}
	return 0;
}

/* A step is an object with exactly one action key: plug, online, offline,
 * unplug, fill, verify, pin naming a DIMM, check or corrupt (true), sysrq
 * (a key).  The checks on the struct run as each group of fields is in
 * (the others at their defaults), so that a file's first problem is the
 * one named: the zone, then the type, then the blocks and sizes. */
static int parse_step_fields(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *o, unsigned i)
{
	struct mhp_step *st = &s->steps[i];
	const char *action = NULL;
	int r;

	if ((r = parse_action(c, o, st, &action)) < 0)
		return r;
	note_step_lines(c, o, st);
	if (st->kind == MHP_STEP_SYSRQ) {
		char key[4] = "";
		if ((r = mhp_json_get_string(c, o, "sysrq", true, key, sizeof(key))) < 0)
			return r;
		st->sysrq = key[1] ? '\0' : key[0]; /* '\0': not one key, which the check names */
		return mhp_topo_check_step(s, i, &c->e);
	}
	if (st->kind == MHP_STEP_CHECK || st->kind == MHP_STEP_CORRUPT)
		return parse_flag(c, o, action);
	if (st->kind == MHP_STEP_OFFLINE_BOOT)
		return parse_boot_node(c, s, o, i);
	if (st->kind == MHP_STEP_RESIZE)
		return parse_resize(c, s, o, i);
	if ((r = parse_target(c, s, o, action, st)) < 0 || (r = mhp_topo_check_step(s, i, &c->e)) < 0 ||
	    (r = parse_type(c, o, st)) < 0 || (r = mhp_topo_check_step(s, i, &c->e)) < 0 ||
	    (r = parse_block_list(c, s, o, st)) < 0 || (r = parse_fill(c, o, st)) < 0 ||
	    (r = mhp_topo_check_step(s, i, &c->e)) < 0)
		return r;
	return parse_limits(c, o, st);
}

static int parse_step(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *o, unsigned i)
{
	int r = parse_step_fields(c, s, o, i);

	s->nr_steps += r == 0;
	return r;
}

int mhp_topo_parse_steps(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	int r = mhp_json_each_entry(c, s, root, "steps", MHP_MAX_STEPS, parse_step);

	return r < 0 ? r : mhp_topo_check_step_order(s, &c->e);
}
