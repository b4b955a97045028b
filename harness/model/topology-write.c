/* A struct mhp_topology back into a topology file, built with json-c's
 * object API: what the parser would fill in by default is left out, sizes
 * are written as "512M", addresses as "0x140000000".  And the comparison
 * that says whether the file parses back into the same struct. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "model/topology-internal.h"

/* The largest binary unit that divides v ("512M", "1G"); plain bytes else. */
static json_object *size_value(uint64_t v)
{
	static const char units[] = "KMGT";
	char buf[32];

	for (int u = 3; u >= 0; u--) {
		unsigned shift = 10 * (unsigned)(u + 1);

		if (v && v % (1ull << shift) == 0) {
			snprintf(buf, sizeof(buf), "%" PRIu64 "%c", v >> shift, units[u]);
			return json_object_new_string(buf);
		}
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_object_new_string(buf);
}

static json_object *hex_value(uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

/* o under key, unless it is an empty object (then freed). */
static void put_object(json_object *root, const char *key, json_object *o)
{
	if (json_object_object_length(o))
		put(root, key, o);
	else
		json_object_put(o);
}

static void put_string(json_object *o, const char *key, const char *s)
{
	if (s && *s)
		put(o, key, json_object_new_string(s));
}

static json_object *write_node(const struct mhp_node *n, unsigned i)
{
	json_object *o = json_object_new_object();

	/* 0 as a number: the one size written so, a memoryless node. */
	put(o, "memory", n->memory ? size_value(n->memory) : json_object_new_int(0));
	if (n->cpus != 1)
		put(o, "cpus", json_object_new_int64(n->cpus));
	if (n->pxm != i)
		put(o, "pxm", json_object_new_int64(n->pxm));
	if (n->hotpluggable)
		put(o, "hotpluggable", json_object_new_boolean(true));
	return o;
}

static json_object *write_virtio_mem(const struct mhp_dimm *d)
{
	json_object *o = json_object_new_object();

	put(o, "id", json_object_new_string(d->id));
	put(o, "kind", json_object_new_string(mhp_device_kind_name(d->kind)));
	put(o, "max_size", size_value(d->size));
	put(o, "node", json_object_new_int64(d->node));
	if (d->requested_size)
		put(o, "requested_size", size_value(d->requested_size));
	if (d->block_size != MHP_VIRTIO_MEM_BLOCK_SIZE)
		put(o, "block_size", size_value(d->block_size));
	return o;
}

static json_object *write_dimm(const struct mhp_dimm *d)
{
	json_object *o;

	if (d->kind == MHP_DEVICE_VIRTIO_MEM)
		return write_virtio_mem(d);
	o = json_object_new_object();
	put(o, "id", json_object_new_string(d->id));
	put(o, "size", size_value(d->size));
	put(o, "node", json_object_new_int64(d->node));
	if (d->addr)
		put(o, "addr", hex_value(d->addr));
	if (d->pxm >= 0)
		put(o, "pxm", json_object_new_int(d->pxm));
	return o;
}

static void write_kernel(const struct mhp_kernel_knobs *k, json_object *root)
{
	json_object *o = json_object_new_object();

	if (k->movable_node)
		put(o, "movable_node", json_object_new_boolean(true));
	put_string(o, "memhp_default_state", k->default_state);
	put_string(o, "online_policy", k->online_policy);
	if (k->auto_movable_ratio)
		put(o, "auto_movable_ratio", json_object_new_int64(k->auto_movable_ratio));
	if (k->memmap_on_memory)
		put(o, "memmap_on_memory", json_object_new_boolean(true));
	if (k->kernelcore)
		put(o, "kernelcore", size_value(k->kernelcore));
	if (k->movablecore)
		put(o, "movablecore", size_value(k->movablecore));
	put_object(root, "kernel", o);
}

/* Only what differs from what the parser derives: the SRAT where the nodes
 * need none (or none where they do), another OEM revision. */
static void write_acpi(const struct mhp_topology *t, json_object *root)
{
	json_object *o = json_object_new_object();

	if (t->srat != mhp_topology_needs_srat(t))
		put(o, "srat", json_object_new_boolean(t->srat));
	if (t->srat_oem_revision != MHP_TOPO_OEM_REVISION)
		put(o, "oem_revision", json_object_new_int64(t->srat_oem_revision));
	put_object(root, "acpi", o);
}

/* The words after those the knobs make (which the parser makes again). */
static void write_cmdline(const struct mhp_topology *t, json_object *root)
{
	struct mhp_strv knobs = MHP_STRV_INIT;
	size_t n = mhp_kernel_knob_words(&t->kernel, &knobs), skip = n <= t->cmdline.n ? n : 0;

	for (size_t i = 0; i < skip; i++)
		if (strcmp(knobs.v[i], t->cmdline.v[i]))
			skip = 0;
	mhp_strv_release(&knobs);
	if (skip == t->cmdline.n)
		return;
	json_object *arr = json_object_new_array();
	for (size_t i = skip; i < t->cmdline.n; i++)
		json_object_array_add(arr, json_object_new_string(t->cmdline.v[i]));
	put(root, "cmdline", arr);
}

/* What the action takes: a DIMM's id, true, or a sysrq key. */
static int write_action(const struct mhp_topology *t, const struct mhp_step *st, json_object *o)
{
	const char *key = mhp_step_kind_name(st->kind);
	char sysrq[2] = { st->sysrq, '\0' };

	if (st->kind == MHP_STEP_INVALID || st->kind > MHP_STEP_LAST)
		return -EINVAL;
	if (st->kind == MHP_STEP_CHECK || st->kind == MHP_STEP_CORRUPT)
		put(o, key, json_object_new_boolean(true));
	else if (st->kind == MHP_STEP_SYSRQ)
		put(o, key, json_object_new_string(sysrq));
	else if (st->kind == MHP_STEP_OFFLINE_BOOT)
		put(o, key, json_object_new_int64(st->node));
	else if (st->dimm < t->nr_dimms)
		put(o, key, json_object_new_string(t->dimms[st->dimm].id));
	else
		return -EINVAL;
	return 0;
}

static void write_blocks(const struct mhp_step *st, json_object *o)
{
	json_object *arr;

	if (!st->blocks)
		return;
	arr = json_object_new_array();
	for (int b = 0; b < 64; b++)
		if (st->blocks >> b & 1)
			json_object_array_add(arr, json_object_new_int(b));
	put(o, "blocks", arr);
}

static int write_step(const struct mhp_topology *t, const struct mhp_step *st, json_object **ret)
{
	json_object *o = json_object_new_object();
	const char *expect = mhp_expect_word(st->kind, st->expect);
	int r = write_action(t, st, o);

	*ret = o;
	if (r < 0 || (st->expect != MHP_EXPECT_DEFAULT && !expect))
		return -EINVAL;
	if (st->kind == MHP_STEP_ONLINE && strcmp(st->online_type, "online"))
		put(o, "type", json_object_new_string(st->online_type));
	put_string(o, "expect", st->expect != MHP_EXPECT_DEFAULT ? expect : NULL);
	put_string(o, "expect_zone", st->expect_zone);
	put_string(o, "expect_valid_zones", st->expect_valid);
	if (st->has_expect_online)
		put(o, "expect_online", json_object_new_boolean(st->expect_online));
	write_blocks(st, o);
	if ((st->kind == MHP_STEP_FILL && st->size != MHP_TOPO_FILL_SIZE) ||
	    (st->kind == MHP_STEP_PIN && st->size != MHP_TOPO_PIN_SIZE) || st->kind == MHP_STEP_RESIZE)
		put(o, "size", size_value(st->size));
	if (st->kind == MHP_STEP_FILL && st->min_share != MHP_TOPO_FILL_SHARE)
		put(o, "min_share", json_object_new_int64(st->min_share));
	if (st->timeout_ms)
		put(o, "timeout_ms", json_object_new_int64(st->timeout_ms));
	return 0;
}

static void write_nodes(const struct mhp_topology *t, json_object *root)
{
	json_object *nodes = json_object_new_array();

	put(root, "nodes", nodes);
	for (unsigned i = 0; i < t->nr_nodes && i < MHP_MAX_NODES; i++)
		json_object_array_add(nodes, write_node(&t->nodes[i], i));
}

static int write_dimms_and_steps(const struct mhp_topology *t, json_object *root)
{
	json_object *dimms = json_object_new_array(), *steps = json_object_new_array();
	int r = 0;

	put(root, "dimms", dimms);
	for (unsigned i = 0; i < t->nr_dimms && i < MHP_MAX_DIMMS; i++)
		json_object_array_add(dimms, write_dimm(&t->dimms[i]));
	put(root, "steps", steps);
	for (unsigned i = 0; r == 0 && i < t->nr_steps && i < MHP_MAX_STEPS; i++) {
		json_object *o;

		r = write_step(t, &t->steps[i], &o);
		json_object_array_add(steps, o);
	}
	return r;
}

int mhp_topology_write(const struct mhp_topology *t, char **ret_text)
{
	json_object *root = json_object_new_object();
	int r;

	*ret_text = NULL;
	put(root, "name", json_object_new_string(t->name ? t->name : ""));
	if (t->description)
		put(root, "description", json_object_new_string(t->description));
	if (strcmp(t->machine, "pc"))
		put(root, "machine", json_object_new_string(t->machine));
	if (t->one_socket)
		put(root, "sockets", json_object_new_string("one"));
	write_nodes(t, root);
	if (t->interleave)
		put(root, "interleave", size_value(t->interleave));
	put(root, "slots", json_object_new_int64(t->slots));
	put(root, "maxmem", size_value(t->maxmem));
	write_kernel(&t->kernel, root);
	write_acpi(t, root);
	write_cmdline(t, root);
	if ((r = write_dimms_and_steps(t, root)) == 0)
		*ret_text = mhp_xasprintf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return r;
}

/* ---- the comparison ---- */

/* Names the field that differs; always false, for "return differ(...)". */
static bool differ(char *what, size_t size, const char *fmt, ...) MHP_FORMAT(3, 4);
static bool differ(char *what, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (what && size) {
		va_start(ap, fmt);
		vsnprintf(what, size, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Each returns the name of the first field that differs, or NULL. */
static const char *node_diff(const struct mhp_node *a, const struct mhp_node *b)
{
	return a->memory != b->memory ? "memory" : a->cpus != b->cpus ? "cpus" : a->pxm != b->pxm ? "pxm"
	       : a->hotpluggable != b->hotpluggable ? "hotpluggable" : NULL;
}

static const char *dimm_diff(const struct mhp_dimm *a, const struct mhp_dimm *b)
{
	return strcmp(a->id, b->id) ? "id" : a->kind != b->kind ? "kind" : a->size != b->size ? "size"
	       : a->node != b->node ? "node" : a->addr != b->addr ? "addr" : a->pxm != b->pxm ? "pxm"
	       : a->requested_size != b->requested_size ? "requested_size" : a->block_size != b->block_size ? "block_size"
	       : NULL;
}

static const char *step_diff(const struct mhp_step *a, const struct mhp_step *b)
{
	return a->kind != b->kind ? "kind" : a->dimm != b->dimm ? "dimm" : strcmp(a->online_type, b->online_type) ? "type"
	       : strcmp(a->expect_zone, b->expect_zone) ? "expect_zone"
	       : strcmp(a->expect_valid, b->expect_valid) ? "expect_valid_zones"
	       : a->expect_online != b->expect_online || a->has_expect_online != b->has_expect_online ? "expect_online"
	       : a->expect != b->expect ? "expect" : a->blocks != b->blocks ? "blocks" : a->size != b->size ? "size"
	       : a->min_share != b->min_share ? "min_share" : a->sysrq != b->sysrq ? "sysrq"
	       : a->timeout_ms != b->timeout_ms ? "timeout_ms" : NULL;
}

static const char *kernel_diff(const struct mhp_kernel_knobs *a, const struct mhp_kernel_knobs *b)
{
	return a->movable_node != b->movable_node ? "movable_node"
	       : strcmp(a->default_state, b->default_state) ? "memhp_default_state"
	       : strcmp(a->online_policy, b->online_policy) ? "online_policy"
	       : a->auto_movable_ratio != b->auto_movable_ratio ? "auto_movable_ratio"
	       : a->memmap_on_memory != b->memmap_on_memory ? "memmap_on_memory"
	       : a->kernelcore != b->kernelcore ? "kernelcore" : a->movablecore != b->movablecore ? "movablecore" : NULL;
}

static const char *top_diff(const struct mhp_topology *a, const struct mhp_topology *b)
{
	return !same_str(a->name, b->name) ? "name" : !same_str(a->description, b->description) ? "description"
	       : strcmp(a->machine, b->machine) ? "machine" : a->one_socket != b->one_socket ? "sockets"
	       : a->nr_nodes != b->nr_nodes ? "nodes" : a->slots != b->slots ? "slots" : a->maxmem != b->maxmem ? "maxmem"
	       : a->interleave != b->interleave ? "interleave" : a->nr_dimms != b->nr_dimms ? "dimms"
	       : a->srat != b->srat ? "acpi.srat" : a->srat_oem_revision != b->srat_oem_revision ? "acpi.oem_revision"
	       : a->dsdt != b->dsdt ? "dsdt" : a->cmdline.n != b->cmdline.n ? "cmdline" : a->nr_steps != b->nr_steps ? "steps"
	       : NULL;
}

bool mhp_topology_equal(const struct mhp_topology *a, const struct mhp_topology *b, char *what, size_t whatsize)
{
	const char *f;

	if ((f = top_diff(a, b)))
		return differ(what, whatsize, "%s", f);
	if ((f = kernel_diff(&a->kernel, &b->kernel)))
		return differ(what, whatsize, "kernel.%s", f);
	for (unsigned i = 0; i < a->nr_nodes && i < MHP_MAX_NODES; i++)
		if ((f = node_diff(&a->nodes[i], &b->nodes[i])))
			return differ(what, whatsize, "nodes[%u].%s", i, f);
	for (unsigned i = 0; i < a->nr_dimms && i < MHP_MAX_DIMMS; i++)
		if ((f = dimm_diff(&a->dimms[i], &b->dimms[i])))
			return differ(what, whatsize, "dimms[%u].%s", i, f);
	for (size_t i = 0; i < a->cmdline.n; i++)
		if (strcmp(a->cmdline.v[i], b->cmdline.v[i]))
			return differ(what, whatsize, "cmdline[%zu]", i);
	for (unsigned i = 0; i < a->nr_steps && i < MHP_MAX_STEPS; i++)
		if ((f = step_diff(&a->steps[i], &b->steps[i])))
			return differ(what, whatsize, "steps[%u].%s", i, f);
	return true;
}
