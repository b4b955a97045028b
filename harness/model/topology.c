#include "model/topology.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "model/json-locate.h"

#define BLOCK_ALIGN (128ull << 20) /* x86_64 memory block size below 64 GiB */
#define MAX_SCENARIO_FILE (1u << 20)

struct parse_ctx {
	const char *path;
	struct mhp_json_locator loc;
	char *err;
	size_t errsize;
};

static int fail(struct parse_ctx *c, const json_object *obj, const char *field, const char *fmt, ...)
	MHP_FORMAT(4, 5);
static int fail(struct parse_ctx *c, const json_object *obj, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errsize, "%s:%d: field '%s': %s", c->path,
		 mhp_json_locator_line(&c->loc, obj, field), field, msg);
	return -EINVAL;
}

/* Rejects keys outside the allowed list: a typo must not pass silently. */
static int check_keys(struct parse_ctx *c, json_object *obj, const char *const *allowed)
{
	json_object_object_foreach(obj, key, val) {
		bool ok = false;
		(void)val;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, key);
		if (!ok)
			return fail(c, obj, key, "unknown key");
	}
	return 0;
}

static int get_string(struct parse_ctx *c, json_object *obj, const char *key, bool required,
		      char *dst, size_t size)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return required ? fail(c, obj, key, "missing") : 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(c, obj, key, "must be a string");
	const char *s = json_object_get_string(v);
	if (!*s || strlen(s) >= size)
		return fail(c, obj, key, "must be 1 to %zu characters", size - 1);
	strcpy(dst, s);
	return 0;
}

static int get_uint(struct parse_ctx *c, json_object *obj, const char *key, bool required,
		    unsigned max, unsigned *dst)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return required ? fail(c, obj, key, "missing") : 0;
	if (!json_object_is_type(v, json_type_int))
		return fail(c, obj, key, "must be an integer");
	int64_t x = json_object_get_int64(v);
	if (x < 0 || x > max)
		return fail(c, obj, key, "must be between 0 and %u", max);
	*dst = (unsigned)x;
	return 0;
}

/* A size is a string with a binary suffix ("512M") or a plain integer. */
static int get_size(struct parse_ctx *c, json_object *obj, const char *key, bool required, uint64_t *dst)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return required ? fail(c, obj, key, "missing") : 0;
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0) {
		*dst = (uint64_t)json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) || mhp_parse_size(json_object_get_string(v), dst) < 0)
		return fail(c, obj, key, "must be a size such as \"512M\" or \"1G\"");
	return 0;
}

static int get_array(struct parse_ctx *c, json_object *obj, const char *key, size_t max, json_object **ret)
{
	json_object *v;

	*ret = NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return fail(c, obj, key, "missing");
	if (!json_object_is_type(v, json_type_array))
		return fail(c, obj, key, "must be an array");
	if (json_object_array_length(v) == 0 || json_object_array_length(v) > max)
		return fail(c, obj, key, "must hold 1 to %zu entries", max);
	*ret = v;
	return 0;
}

static int get_bool(struct parse_ctx *c, json_object *obj, const char *key, bool *dst)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(c, obj, key, "must be true or false");
	*dst = json_object_get_boolean(v);
	return 0;
}

static int parse_node(struct parse_ctx *c, json_object *n, unsigned index, struct mhp_node *node)
{
	static const char *const keys[] = { "memory", "cpus", "pxm", "hotpluggable", NULL };
	json_object *mem;
	int r;

	node->cpus = 1;
	node->pxm = index;
	if ((r = check_keys(c, n, keys)) < 0)
		return r;
	/* 0 is a valid size here only: a memoryless node. */
	if (json_object_object_get_ex(n, "memory", &mem) && json_object_is_type(mem, json_type_int) &&
	    json_object_get_int64(mem) == 0)
		node->memory = 0;
	else if ((r = get_size(c, n, "memory", true, &node->memory)) < 0)
		return r;
	if ((r = get_uint(c, n, "cpus", false, 64, &node->cpus)) < 0 ||
	    (r = get_uint(c, n, "pxm", false, 255, &node->pxm)) < 0 ||
	    (r = get_bool(c, n, "hotpluggable", &node->hotpluggable)) < 0)
		return r;
	if (node->memory % BLOCK_ALIGN)
		return fail(c, n, "memory", "must be a multiple of 128M (the memory block size)");
	if (node->hotpluggable && !node->memory)
		return fail(c, n, "hotpluggable", "a memoryless node has no boot range to flag");
	return 0;
}

static int parse_nodes(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	json_object *arr;
	unsigned cpus = 0;
	int r = get_array(c, root, "nodes", MHP_MAX_NODES, &arr);

	for (size_t i = 0; r == 0 && i < json_object_array_length(arr); i++) {
		json_object *n = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(n, json_type_object))
			return fail(c, arr, "nodes", "entry %zu must be an object", i);
		if ((r = parse_node(c, n, (unsigned)i, &s->nodes[i])) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (s->nodes[j].pxm == s->nodes[i].pxm)
				return fail(c, n, "pxm", "proximity domain %u is used by node %zu too", s->nodes[i].pxm, j);
		s->srat |= s->nodes[i].hotpluggable || s->nodes[i].pxm != i;
		cpus += s->nodes[i].cpus;
		s->nr_nodes++;
	}
	if (r == 0 && cpus == 0)
		return fail(c, root, "nodes", "the machine needs at least one CPU");
	if (r == 0 && s->nodes[0].memory == 0)
		return fail(c, json_object_array_get_idx(arr, 0), "memory", "node 0 holds the kernel and needs memory");
	return r;
}

static int find_dimm(const struct mhp_topology *s, const char *id)
{
	for (unsigned i = 0; i < s->nr_dimms; i++)
		if (!strcmp(s->dimms[i].id, id))
			return (int)i;
	return -1;
}

static bool has_pxm(const struct mhp_topology *s, unsigned pxm)
{
	for (unsigned i = 0; i < s->nr_nodes; i++)
		if (s->nodes[i].pxm == pxm)
			return true;
	return false;
}

static int parse_dimms(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	static const char *const keys[] = { "id", "size", "node", "addr", "pxm", NULL };
	json_object *arr;
	int r = get_array(c, root, "dimms", MHP_MAX_DIMMS, &arr);

	for (size_t i = 0; r == 0 && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct mhp_dimm *d = &s->dimms[i];

		if (!json_object_is_type(o, json_type_object))
			return fail(c, arr, "dimms", "entry %zu must be an object", i);
		unsigned pxm = 0;

		d->pxm = -1;
		if (json_object_object_get_ex(o, "pxm", NULL)) {
			if ((r = get_uint(c, o, "pxm", true, 255, &pxm)) < 0)
				return r;
			d->pxm = (int)pxm;
			s->dsdt = true;
		}
		if ((r = check_keys(c, o, keys)) < 0 || (r = get_string(c, o, "id", true, d->id, sizeof(d->id))) < 0 ||
		    (r = get_size(c, o, "size", true, &d->size)) < 0 ||
		    (r = get_uint(c, o, "node", true, MHP_MAX_NODES, &d->node)) < 0 ||
		    (r = get_size(c, o, "addr", false, &d->addr)) < 0)
			return r;
		if (strspn(d->id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != strlen(d->id))
			return fail(c, o, "id", "may hold only letters, digits, '-' and '_'");
		if (find_dimm(s, d->id) >= 0)
			return fail(c, o, "id", "'%s' is used twice", d->id);
		if (d->size % BLOCK_ALIGN)
			return fail(c, o, "size", "must be a multiple of 128M (the memory block size)");
		if (d->addr % BLOCK_ALIGN)
			return fail(c, o, "addr", "must be aligned to 128M");
		if (d->node >= s->nr_nodes)
			return fail(c, o, "node", "node %u does not exist (the topology has %u)", d->node, s->nr_nodes);
		if (d->pxm < 0 && !has_pxm(s, d->node))
			return fail(c, o, "node", "QEMU reports this DIMM's _PXM as %u, and no node has proximity domain %u",
				    d->node, d->node);
		if (d->pxm >= 0 && !has_pxm(s, (unsigned)d->pxm))
			return fail(c, o, "pxm", "no node has proximity domain %d", d->pxm);
		s->nr_dimms++;
	}
	return r;
}

static int one_of(struct parse_ctx *c, json_object *o, const char *key, const char *v, const char *const *allowed)
{
	for (const char *const *a = allowed; *a; a++)
		if (!strcmp(*a, v))
			return 0;
	return fail(c, o, key, "'%s' is not one of the values the kernel accepts", v);
}

/* The kernel's hotplug knobs, turned into command-line words too. */
static int parse_kernel(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	static const char *const keys[] = { "movable_node", "memhp_default_state", "online_policy",
					    "auto_movable_ratio", "memmap_on_memory", "kernelcore", "movablecore", NULL };
	static const char *const states[] = { "online", "offline", "online_kernel", "online_movable", NULL };
	static const char *const policies[] = { "contig-zones", "auto-movable", NULL };
	struct mhp_kernel_knobs *k = &s->kernel;
	json_object *o;
	int r;

	if (!json_object_object_get_ex(root, "kernel", &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return fail(c, root, "kernel", "must be an object");
	if ((r = check_keys(c, o, keys)) < 0 || (r = get_bool(c, o, "movable_node", &k->movable_node)) < 0 ||
	    (r = get_string(c, o, "memhp_default_state", false, k->default_state, sizeof(k->default_state))) < 0 ||
	    (r = get_string(c, o, "online_policy", false, k->online_policy, sizeof(k->online_policy))) < 0 ||
	    (r = get_uint(c, o, "auto_movable_ratio", false, 10000, &k->auto_movable_ratio)) < 0 ||
	    (r = get_bool(c, o, "memmap_on_memory", &k->memmap_on_memory)) < 0 ||
	    (r = get_size(c, o, "kernelcore", false, &k->kernelcore)) < 0 ||
	    (r = get_size(c, o, "movablecore", false, &k->movablecore)) < 0)
		return r;
	if (k->default_state[0] && (r = one_of(c, o, "memhp_default_state", k->default_state, states)) < 0)
		return r;
	if (k->online_policy[0] && (r = one_of(c, o, "online_policy", k->online_policy, policies)) < 0)
		return r;
	if (k->movable_node)
		mhp_strv_push(&s->cmdline, "movable_node");
	if (k->default_state[0])
		mhp_strv_pushf(&s->cmdline, "memhp_default_state=%s", k->default_state);
	if (k->online_policy[0])
		mhp_strv_pushf(&s->cmdline, "memory_hotplug.online_policy=%s", k->online_policy);
	if (k->auto_movable_ratio)
		mhp_strv_pushf(&s->cmdline, "memory_hotplug.auto_movable_ratio=%u", k->auto_movable_ratio);
	if (k->memmap_on_memory)
		mhp_strv_push(&s->cmdline, "memory_hotplug.memmap_on_memory=1");
	if (k->kernelcore)
		mhp_strv_pushf(&s->cmdline, "kernelcore=%lluM", (unsigned long long)(k->kernelcore >> 20));
	if (k->movablecore)
		mhp_strv_pushf(&s->cmdline, "movablecore=%lluM", (unsigned long long)(k->movablecore >> 20));
	return 0;
}

static int parse_cmdline(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	json_object *arr;

	if (!json_object_object_get_ex(root, "cmdline", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return fail(c, root, "cmdline", "must be an array of strings");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *w = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) || !*w || strpbrk(w, " \t\n\"'"))
			return fail(c, root, "cmdline", "entry %zu must be one word without spaces or quotes", i);
		mhp_strv_push(&s->cmdline, w);
	}
	return 0;
}

static bool valid_online_type(const char *t)
{
	return !strcmp(t, "online") || !strcmp(t, "online_kernel") || !strcmp(t, "online_movable");
}

static bool valid_zone(const char *z)
{
	static const char *const zones[] = { "DMA", "DMA32", "Normal", "Movable", "Device", "none" };

	for (size_t i = 0; i < ARRAY_SIZE(zones); i++)
		if (!strcmp(z, zones[i]))
			return true;
	return false;
}

/* A fill step's size (default 64M) and the share of it that must sit on the
 * DIMM for the later verify to prove anything (default 90%). */
static int parse_fill(struct parse_ctx *c, json_object *o, struct mhp_step *st)
{
	int r;

	if (st->kind == MHP_STEP_PIN) {
		st->size = 16ull << 20;
		if ((r = get_size(c, o, "size", false, &st->size)) < 0)
			return r;
		if (json_object_object_get_ex(o, "min_share", NULL))
			return fail(c, o, "min_share", "only a fill step takes it");
		return 0;
	}
	if (st->kind != MHP_STEP_FILL) {
		if (json_object_object_get_ex(o, "size", NULL) || json_object_object_get_ex(o, "min_share", NULL))
			return fail(c, o, json_object_object_get_ex(o, "size", NULL) ? "size" : "min_share",
				    "only fill and pin steps take it");
		return 0;
	}
	st->size = 64ull << 20;
	st->min_share = 90;
	if ((r = get_size(c, o, "size", false, &st->size)) < 0 || (r = get_uint(c, o, "min_share", false, 100, &st->min_share)) < 0)
		return r;
	if (st->size % 8192 || st->size > (1ull << 32))
		return fail(c, o, "size", "must be a multiple of 8K and at most 4G");
	return 0;
}

/* "blocks": [0, 2] picks blocks of the DIMM by their index in it. */
static int parse_block_list(struct parse_ctx *c, struct mhp_topology *s, json_object *o, struct mhp_step *st)
{
	unsigned nblocks = (unsigned)(s->dimms[st->dimm].size / BLOCK_ALIGN);
	json_object *arr;

	if (!json_object_object_get_ex(o, "blocks", &arr))
		return 0;
	if (st->kind != MHP_STEP_ONLINE && st->kind != MHP_STEP_OFFLINE)
		return fail(c, o, "blocks", "only online and offline steps pick blocks");
	if (!json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0)
		return fail(c, o, "blocks", "must be a non-empty array of block indexes within the DIMM");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		int64_t idx = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || idx < 0 || idx >= nblocks || idx >= 64)
			return fail(c, o, "blocks", "entry %zu must be a block index from 0 to %u", i,
				    (nblocks < 64 ? nblocks : 64) - 1);
		st->blocks |= 1ull << idx;
	}
	return 0;
}

static int parse_expect(struct parse_ctx *c, json_object *o, struct mhp_step *st)
{
	static const struct { const char *word; enum mhp_expect e; enum mhp_step_kind kind; } words[] = {
		{ "ok", MHP_EXPECT_OK, MHP_STEP_ONLINE }, { "fail", MHP_EXPECT_FAIL, MHP_STEP_ONLINE },
		{ "ok", MHP_EXPECT_OK, MHP_STEP_OFFLINE }, { "fail", MHP_EXPECT_FAIL, MHP_STEP_OFFLINE },
		{ "removed", MHP_EXPECT_OK, MHP_STEP_UNPLUG }, { "refused", MHP_EXPECT_FAIL, MHP_STEP_UNPLUG },
		{ "any", MHP_EXPECT_ANY, MHP_STEP_ONLINE }, { "any", MHP_EXPECT_ANY, MHP_STEP_OFFLINE },
		{ "any", MHP_EXPECT_ANY, MHP_STEP_UNPLUG },
	};
	char word[16] = "";
	int r = get_string(c, o, "expect", false, word, sizeof(word));

	if (r < 0 || !word[0])
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (words[i].kind == st->kind && !strcmp(words[i].word, word)) {
			st->expect = words[i].e;
			return 0;
		}
	return fail(c, o, "expect", "'%s' does not apply to a %s step (online/offline: ok, fail, any; "
		    "unplug: removed, refused, any)", word, mhp_step_kind_name(st->kind));
}

/* A step is an object with exactly one action key: plug, online, offline or
 * unplug naming a DIMM, or check (true). */
static int parse_step(struct parse_ctx *c, struct mhp_topology *s, json_object *o, struct mhp_step *st)
{
	static const struct { const char *key; enum mhp_step_kind kind; } actions[] = {
		{ "plug", MHP_STEP_PLUG }, { "online", MHP_STEP_ONLINE }, { "offline", MHP_STEP_OFFLINE },
		{ "unplug", MHP_STEP_UNPLUG }, { "check", MHP_STEP_CHECK }, { "fill", MHP_STEP_FILL },
		{ "verify", MHP_STEP_VERIFY }, { "corrupt", MHP_STEP_CORRUPT }, { "sysrq", MHP_STEP_SYSRQ },
		{ "pin", MHP_STEP_PIN },
	};
	static const char *const keys[] = { "plug", "online", "offline", "unplug", "check", "fill", "verify", "corrupt", "sysrq", "pin",
					    "type", "expect", "expect_zone", "expect_valid_zones", "expect_online",
					    "blocks", "size", "min_share", "timeout_ms", NULL };
	char id[MHP_ID_MAX] = "";
	const char *action = NULL;
	json_object *v;
	int r;

	if ((r = check_keys(c, o, keys)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (!json_object_object_get_ex(o, actions[i].key, NULL))
			continue;
		if (action)
			return fail(c, o, actions[i].key, "a step has one action, this one also has '%s'", action);
		action = actions[i].key;
		st->kind = actions[i].kind;
	}
	if (!action)
		return fail(c, o, "plug", "a step needs one of plug, online, offline, unplug, check, fill, verify, corrupt, sysrq, pin");
	st->line = mhp_json_locator_line(&c->loc, o, action);
	if (st->kind == MHP_STEP_SYSRQ) {
		char key[4] = "";
		if ((r = get_string(c, o, "sysrq", true, key, sizeof(key))) < 0)
			return r;
		if (strlen(key) != 1 || !strchr("cwlmt", key[0]))
			return fail(c, o, "sysrq", "one of the keys c (crash), w, l, m, t");
		st->sysrq = key[0];
		return 0;
	}
	if (st->kind == MHP_STEP_CHECK || st->kind == MHP_STEP_CORRUPT) {
		json_object_object_get_ex(o, action, &v);
		if (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
			return fail(c, o, action, "must be true");
		for (size_t i = 0; keys[i]; i++)
			if (strcmp(keys[i], action) && json_object_object_get_ex(o, keys[i], NULL))
				return fail(c, o, keys[i], "a %s step takes no other key", action);
		return 0;
	}
	if ((r = get_string(c, o, action, true, id, sizeof(id))) < 0)
		return r;
	int d = find_dimm(s, id);
	if (d < 0)
		return fail(c, o, action, "no DIMM has id '%s'", id);
	st->dimm = (unsigned)d;
	if ((r = get_string(c, o, "expect_zone", false, st->expect_zone, sizeof(st->expect_zone))) < 0 ||
	    (r = get_string(c, o, "expect_valid_zones", false, st->expect_valid, sizeof(st->expect_valid))) < 0 ||
	    (r = parse_expect(c, o, st)) < 0)
		return r;
	if (st->expect_zone[0] && !valid_zone(st->expect_zone))
		return fail(c, o, "expect_zone", "'%s' is not a zone (DMA, DMA32, Normal, Movable, Device, none)",
			    st->expect_zone);
	if (json_object_object_get_ex(o, "expect", NULL) && st->kind == MHP_STEP_PLUG)
		return fail(c, o, "expect", "a plug step takes expect_online, expect_zone, expect_valid_zones");
	if (st->kind == MHP_STEP_ONLINE) {
		strcpy(st->online_type, "online");
		if ((r = get_string(c, o, "type", false, st->online_type, sizeof(st->online_type))) < 0)
			return r;
		if (!valid_online_type(st->online_type))
			return fail(c, o, "type", "must be online, online_kernel or online_movable");
	} else if (json_object_object_get_ex(o, "type", NULL))
		return fail(c, o, "type", "only an online step takes a type");
	if ((r = parse_block_list(c, s, o, st)) < 0 || (r = parse_fill(c, o, st)) < 0)
		return r;
	if (json_object_object_get_ex(o, "timeout_ms", NULL)) {
		if (st->kind != MHP_STEP_OFFLINE)
			return fail(c, o, "timeout_ms", "only an offline step takes it");
		if ((r = get_uint(c, o, "timeout_ms", true, 3600000, &st->timeout_ms)) < 0)
			return r;
		if (!st->timeout_ms)
			return fail(c, o, "timeout_ms", "must be at least 1");
	}
	if (json_object_object_get_ex(o, "expect_online", &v)) {
		if (st->kind != MHP_STEP_PLUG || !json_object_is_type(v, json_type_boolean))
			return fail(c, o, "expect_online", "a boolean, on a plug step only");
		st->expect_online = json_object_get_boolean(v);
		st->has_expect_online = true;
	}
	return 0;
}

/* Plug, online and unplug must come in an order QEMU and the kernel allow. */
static int check_step_order(struct parse_ctx *c, struct mhp_topology *s, json_object *arr)
{
	bool plugged[MHP_MAX_DIMMS] = { false }, filled = false;
	unsigned used = 0;

	for (unsigned i = 0; i < s->nr_steps; i++) {
		const struct mhp_step *st = &s->steps[i];
		json_object *o = json_object_array_get_idx(arr, i);
		const char *key = mhp_step_kind_name(st->kind);

		if (st->kind == MHP_STEP_CHECK || st->kind == MHP_STEP_SYSRQ)
			continue;
		if (st->kind == MHP_STEP_CORRUPT || st->kind == MHP_STEP_VERIFY) {
			if (!filled)
				return fail(c, o, key, "comes before any fill step");
			continue;
		}
		if (st->kind == MHP_STEP_FILL) {
			if (filled)
				return fail(c, o, key, "there is already data from an earlier fill");
			filled = true;
		}
		if (st->kind == MHP_STEP_PLUG) {
			if (plugged[st->dimm])
				return fail(c, o, key, "DIMM '%s' is already plugged", s->dimms[st->dimm].id);
			if (++used > s->slots)
				return fail(c, o, key, "more DIMMs plugged than the %u slots", s->slots);
			plugged[st->dimm] = true;
		} else if (!plugged[st->dimm])
			return fail(c, o, key, "DIMM '%s' is not plugged at this step", s->dimms[st->dimm].id);
		else if (st->kind == MHP_STEP_UNPLUG) {
			plugged[st->dimm] = false;
			used--;
		}
	}
	return 0;
}

static int parse_steps(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	json_object *arr;
	int r = get_array(c, root, "steps", MHP_MAX_STEPS, &arr);

	for (size_t i = 0; r == 0 && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(o, json_type_object))
			return fail(c, arr, "steps", "entry %zu must be an object", i);
		r = parse_step(c, s, o, &s->steps[i]);
		s->nr_steps += r == 0;
	}
	return r < 0 ? r : check_step_order(c, s, arr);
}

static int check_dimm_addresses(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	json_object *arr = json_object_object_get(root, "dimms");
	uint64_t base = mhp_topology_hotplug_base(s), end = base + mhp_topology_hotplug_size(s);

	for (unsigned i = 0; i < s->nr_dimms; i++) {
		const struct mhp_dimm *d = &s->dimms[i];
		json_object *o = json_object_array_get_idx(arr, i);

		if (d->size > end - base)
			return fail(c, o, "size", "larger than the hotplug window (%llu MiB)",
				    (unsigned long long)((end - base) >> 20));
		if (!d->addr)
			continue;
		if (d->addr < base || d->addr > end - d->size)
			return fail(c, o, "addr", "0x%llx is outside the hotplug window [0x%llx, 0x%llx)",
				    (unsigned long long)d->addr, (unsigned long long)base, (unsigned long long)end);
		for (unsigned j = 0; j < i; j++)
			if (s->dimms[j].addr && d->addr < s->dimms[j].addr + s->dimms[j].size &&
			    s->dimms[j].addr < d->addr + d->size)
				return fail(c, o, "addr", "overlaps DIMM '%s'", s->dimms[j].id);
	}
	return 0;
}

static int check_memory(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	uint64_t boot = mhp_topology_boot_memory(s), plugged = 0;

	if (boot > MHP_MAX_BOOT_MEMORY)
		return fail(c, root, "nodes", "boot memory of %llu MiB is above the %llu MiB mhp supports",
			    (unsigned long long)(boot >> 20), (unsigned long long)(MHP_MAX_BOOT_MEMORY >> 20));
	if (s->maxmem < boot)
		return fail(c, root, "maxmem", "below the boot memory (%llu MiB)", (unsigned long long)(boot >> 20));
	/* QEMU's default 40 physical address bits: the window must end below 1 TiB. */
	if (s->maxmem > (512ull << 30))
		return fail(c, root, "maxmem", "above the 512 GiB mhp supports");
	for (unsigned i = 0; i < s->nr_dimms; i++)
		plugged += s->dimms[i].size;
	/* All DIMMs at once is the worst case the topology can reach. */
	if (plugged > s->maxmem - boot)
		return fail(c, root, "maxmem", "leaves %llu MiB for DIMMs of %llu MiB in all",
			    (unsigned long long)((s->maxmem - boot) >> 20), (unsigned long long)(plugged >> 20));
	return check_dimm_addresses(c, s, root);
}

/* Interleaved node ranges exist only in our SRAT: QEMU lays nodes out whole. */
static int check_interleave(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	if (!s->interleave)
		return 0;
	if (s->interleave % BLOCK_ALIGN)
		return fail(c, root, "interleave", "must be a multiple of 128M (the memory block size)");
	s->srat = true;
	return 0;
}

static int parse_acpi(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	static const char *const keys[] = { "srat", "oem_revision", NULL };
	json_object *o;
	bool srat = s->srat;
	int r;

	s->srat_oem_revision = 2;
	if (!json_object_object_get_ex(root, "acpi", &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return fail(c, root, "acpi", "must be an object");
	if ((r = check_keys(c, o, keys)) < 0 || (r = get_bool(c, o, "srat", &srat)) < 0 ||
	    (r = get_uint(c, o, "oem_revision", false, 0x7fffffff, &s->srat_oem_revision)) < 0)
		return r;
	if (s->srat && !srat)
		return fail(c, o, "srat", "the nodes need a generated SRAT (a pxm or hotpluggable flag)");
	s->srat = srat;
	return 0;
}

static int parse_root(struct parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	static const char *const keys[] = { "name", "description", "machine", "sockets", "nodes", "slots", "maxmem",
					    "interleave", "kernel", "cmdline", "dimms", "steps", "acpi", NULL };
	char sockets[16] = "per-cpu";
	char name[64] = "";
	int r;

	if (!json_object_is_type(root, json_type_object))
		return fail(c, root, "(top level)", "must be a JSON object");
	strcpy(s->machine, "pc");
	if ((r = check_keys(c, root, keys)) < 0 || (r = get_string(c, root, "name", true, name, sizeof(name))) < 0 ||
	    (r = get_string(c, root, "machine", false, s->machine, sizeof(s->machine))) < 0)
		return r;
	if (strcmp(s->machine, "pc") && strcmp(s->machine, "q35"))
		return fail(c, root, "machine", "must be \"pc\" or \"q35\"");
	if ((r = get_string(c, root, "sockets", false, sockets, sizeof(sockets))) < 0)
		return r;
	if (strcmp(sockets, "per-cpu") && strcmp(sockets, "one"))
		return fail(c, root, "sockets", "must be \"per-cpu\" or \"one\"");
	s->one_socket = !strcmp(sockets, "one");
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(name) || name[0] == '.')
		return fail(c, root, "name", "may hold only lowercase letters, digits, '-', '_' and '.'");
	s->name = mhp_xstrdup(name);
	s->slots = 0;
	if ((r = parse_nodes(c, s, root)) < 0 || (r = get_uint(c, root, "slots", true, 256, &s->slots)) < 0 ||
	    (r = get_size(c, root, "maxmem", true, &s->maxmem)) < 0 ||
	    (r = get_size(c, root, "interleave", false, &s->interleave)) < 0 || (r = check_interleave(c, s, root)) < 0 ||
	    (r = parse_kernel(c, s, root)) < 0 ||
	    (r = parse_acpi(c, s, root)) < 0 || (r = parse_cmdline(c, s, root)) < 0 ||
	    (r = parse_dimms(c, s, root)) < 0 || (r = check_memory(c, s, root)) < 0)
		return r;
	if (s->slots == 0)
		return fail(c, root, "slots", "hotplug needs at least one slot");
	if (s->dsdt && s->nr_dimms > s->slots)
		return fail(c, root, "slots", "a DIMM with a pxm pins every DIMM to its own slot: %u DIMMs need %u slots",
			    s->nr_dimms, s->nr_dimms);
	return parse_steps(c, s, root);
}

int mhp_topology_parse(struct mhp_topology *s, const char *path, const char *text, char *err, size_t errsize)
{
	struct parse_ctx c = { .path = path, .err = err, .errsize = errsize };
	json_tokener *tok = json_tokener_new_ex(16);
	size_t len = strlen(text);
	json_object *root;
	int r;

	memset(s, 0, sizeof(*s));
	s->path = mhp_xstrdup(path);
	if (!tok)
		abort();
	root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_success && strspn(text + end, " \t\r\n") != len - end)
		jerr = json_tokener_error_parse_unexpected;
	json_tokener_free(tok);
	if (len == 0 || jerr != json_tokener_success) {
		snprintf(err, errsize, "%s:%d: field '(syntax)': %s", path, mhp_text_line_of(text, end),
			 len == 0 ? "empty file" : jerr == json_tokener_continue ? "unexpected end of file"
										  : json_tokener_error_desc(jerr));
		json_object_put(root);
		mhp_topology_release(s);
		return -EINVAL;
	}
	mhp_json_locator_build(&c.loc, text, root);
	r = parse_root(&c, s, root);
	mhp_json_locator_release(&c.loc);
	json_object_put(root);
	if (r < 0)
		mhp_topology_release(s);
	return r;
}

int mhp_topology_load(struct mhp_topology *s, const char *path, char *err, size_t errsize)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = mhp_read_file(path, MAX_SCENARIO_FILE, &text, &len);

	memset(s, 0, sizeof(*s));
	if (r < 0) {
		snprintf(err, errsize, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	if (strlen(text) != len) {
		snprintf(err, errsize, "%s:%d: field '(syntax)': NUL byte in file", path, mhp_text_line_of(text, strlen(text)));
		return -EINVAL;
	}
	return mhp_topology_parse(s, path, text, err, errsize);
}

void mhp_topology_release(struct mhp_topology *s)
{
	free(s->name);
	free(s->path);
	mhp_strv_release(&s->cmdline);
	memset(s, 0, sizeof(*s));
}

/* Deals boot RAM out; calls fn(node, start, size, ctx) for each range. */
static void deal_ranges(const struct mhp_topology *s, void (*fn)(unsigned, uint64_t, uint64_t, void *), void *ctx)
{
	uint64_t left[MHP_MAX_NODES], addr = 0;
	bool more = true;

	for (unsigned i = 0; i < s->nr_nodes; i++)
		left[i] = s->nodes[i].memory;
	while (more) {
		more = false;
		for (unsigned i = 0; i < s->nr_nodes; i++) {
			uint64_t chunk = s->interleave && s->interleave < left[i] ? s->interleave : left[i];

			if (!chunk)
				continue;
			fn(i, addr, chunk, ctx);
			addr += chunk;
			left[i] -= chunk;
			more = true;
		}
	}
}

struct ranges_ctx {
	unsigned node;
	struct mhp_range *out;
	size_t n, max;
};

static void collect_range(unsigned node, uint64_t start, uint64_t size, void *p)
{
	struct ranges_ctx *c = p;

	if (node != c->node)
		return;
	/* Adjacent chunks of one node (the last ones) are one range. */
	if (c->n && c->out[c->n - 1].start + c->out[c->n - 1].size == start)
		c->out[c->n - 1].size += size;
	else if (c->n < c->max)
		c->out[c->n++] = (struct mhp_range){ start, size };
}

size_t mhp_topology_node_ranges(const struct mhp_topology *s, unsigned node, struct mhp_range *out, size_t max)
{
	struct ranges_ctx c = { node, out, 0, max };

	deal_ranges(s, collect_range, &c);
	return c.n;
}

static void note_last(unsigned node, uint64_t start, uint64_t size, void *p)
{
	(void)start;
	(void)size;
	*(unsigned *)p = node;
}

unsigned mhp_topology_top_node(const struct mhp_topology *s)
{
	unsigned top = 0;

	deal_ranges(s, note_last, &top);
	return top;
}

uint64_t mhp_topology_hotplug_base(const struct mhp_topology *s)
{
	(void)s;
	return 4ull << 30;
}

uint64_t mhp_topology_hotplug_size(const struct mhp_topology *s)
{
	return s->maxmem - mhp_topology_boot_memory(s) + (uint64_t)s->slots * (1ull << 30);
}

uint64_t mhp_topology_boot_memory(const struct mhp_topology *s)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < s->nr_nodes; i++)
		sum += s->nodes[i].memory;
	return sum;
}

const char *mhp_step_kind_name(enum mhp_step_kind k)
{
	switch (k) {
	case MHP_STEP_PLUG: return "plug";
	case MHP_STEP_ONLINE: return "online";
	case MHP_STEP_OFFLINE: return "offline";
	case MHP_STEP_UNPLUG: return "unplug";
	case MHP_STEP_CHECK: return "check";
	case MHP_STEP_FILL: return "fill";
	case MHP_STEP_VERIFY: return "verify";
	case MHP_STEP_CORRUPT: return "corrupt";
	case MHP_STEP_SYSRQ: return "sysrq";
	case MHP_STEP_PIN: return "pin";
	case MHP_STEP_INVALID: break;
	}
	return "invalid";
}
