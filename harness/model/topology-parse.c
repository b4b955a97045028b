/* A topology file into struct mhp_topology: the top level and the nodes,
 * DIMMs, kernel knobs, command line and ACPI sections (the steps are
 * topology-parse-steps.c).  Each section's JSON shape is checked here; what
 * its values mean, by the checks of topology-validate.c, run as soon as the
 * section is in the struct. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "model/json-strict.h"
#include "model/topology-internal.h"

#define MAX_SCENARIO_FILE (1u << 20)

static int parse_node(struct mhp_parse_ctx *c, json_object *n, unsigned index, struct mhp_node *node)
{
	static const char *const keys[] = { "memory", "cpus", "pxm", "hotpluggable", NULL };
	const struct mhp_json_key_line lines[] = {
		{ "memory", &node->lines.memory }, { "cpus", &node->lines.cpus },
		{ "pxm", &node->lines.pxm }, { "hotpluggable", &node->lines.hotpluggable }, { NULL, NULL },
	};
	int r;

	node->cpus = 1;
	node->pxm = index;
	node->line = mhp_json_entry_line(c, n);
	mhp_json_note_lines(c, n, lines);
	if ((r = mhp_json_check_keys(c, n, keys)) < 0)
		return r;
	/* 0 is a valid size here only: a memoryless node. */
	if ((r = mhp_json_get_size_or_zero(c, n, "memory", true, &node->memory)) < 0)
		return r;
	if ((r = mhp_json_get_uint(c, n, "cpus", false, MHP_TOPO_MAX_CPUS, &node->cpus)) < 0 ||
	    (r = mhp_json_get_uint(c, n, "pxm", false, MHP_TOPO_MAX_PXM, &node->pxm)) < 0)
		return r;
	return mhp_json_get_bool(c, n, "hotpluggable", &node->hotpluggable);
}

static int parse_node_entry(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *n, unsigned i)
{
	int r;

	if ((r = parse_node(c, n, i, &s->nodes[i])) < 0 || (r = mhp_topo_check_node(s, i, &c->e)) < 0)
		return r;
	s->nr_nodes++;
	return 0;
}

static int parse_nodes(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	int r = mhp_json_each_entry(c, s, root, "nodes", MHP_MAX_NODES, parse_node_entry);

	return r < 0 ? r : mhp_topo_check_nodes(s, &c->e);
}

/* A virtio-mem device: its region (max_size), what it plugs at boot, its
 * device block size (default QEMU's). */
static int parse_virtio_mem(struct mhp_parse_ctx *c, json_object *o, struct mhp_dimm *d)
{
	static const char *const keys[] = { "id", "kind", "node", "max_size", "requested_size", "block_size", NULL };
	const struct mhp_json_key_line lines[] = {
		{ "max_size", &d->lines.size }, { "requested_size", &d->lines.requested_size },
		{ "block_size", &d->lines.block_size }, { NULL, NULL },
	};
	int r;

	mhp_json_note_lines(c, o, lines);
	d->block_size = MHP_VIRTIO_MEM_BLOCK_SIZE;
	if ((r = mhp_json_check_keys(c, o, keys)) < 0 ||
	    (r = mhp_json_get_string(c, o, "id", true, d->id, sizeof(d->id))) < 0 ||
	    (r = mhp_json_get_uint(c, o, "node", true, MHP_MAX_NODES, &d->node)) < 0 ||
	    (r = mhp_json_get_size(c, o, "max_size", true, &d->size)) < 0 ||
	    (r = mhp_json_get_size_or_zero(c, o, "requested_size", false, &d->requested_size)) < 0)
		return r;
	return mhp_json_get_size(c, o, "block_size", false, &d->block_size);
}

/* "kind": "dimm" (the default) or "virtio-mem". */
static int parse_kind(struct mhp_parse_ctx *c, json_object *o, struct mhp_dimm *d)
{
	char kind[16] = "dimm";
	int r = mhp_json_get_string(c, o, "kind", false, kind, sizeof(kind));

	if (r < 0)
		return r;
	d->kind = !strcmp(kind, "virtio-mem") ? MHP_DEVICE_VIRTIO_MEM : MHP_DEVICE_DIMM;
	if (strcmp(kind, mhp_device_kind_name(d->kind)))
		return mhp_json_fail(c, o, "kind", "must be \"dimm\" or \"virtio-mem\"");
	return 0;
}

static int parse_dimm(struct mhp_parse_ctx *c, json_object *o, struct mhp_dimm *d)
{
	static const char *const keys[] = { "id", "kind", "size", "node", "addr", "pxm", NULL };
	const struct mhp_json_key_line lines[] = {
		{ "id", &d->lines.id }, { "size", &d->lines.size }, { "node", &d->lines.node },
		{ "addr", &d->lines.addr }, { "pxm", &d->lines.pxm }, { "kind", &d->lines.kind }, { NULL, NULL },
	};
	unsigned pxm = 0;
	int r;

	d->pxm = -1;
	d->line = mhp_json_entry_line(c, o);
	mhp_json_note_lines(c, o, lines);
	if ((r = parse_kind(c, o, d)) < 0)
		return r;
	if (d->kind == MHP_DEVICE_VIRTIO_MEM)
		return parse_virtio_mem(c, o, d);
	if (json_object_object_get_ex(o, "pxm", NULL)) {
		if ((r = mhp_json_get_uint(c, o, "pxm", true, MHP_TOPO_MAX_PXM, &pxm)) < 0)
			return r;
		d->pxm = (int)pxm;
	}
	if ((r = mhp_json_check_keys(c, o, keys)) < 0 ||
	    (r = mhp_json_get_string(c, o, "id", true, d->id, sizeof(d->id))) < 0 ||
	    (r = mhp_json_get_size(c, o, "size", true, &d->size)) < 0 ||
	    (r = mhp_json_get_uint(c, o, "node", true, MHP_MAX_NODES, &d->node)) < 0)
		return r;
	return mhp_json_get_size(c, o, "addr", false, &d->addr);
}

static int parse_dimm_entry(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *o, unsigned i)
{
	int r;

	if ((r = parse_dimm(c, o, &s->dimms[i])) < 0)
		return r;
	/* A DIMM with its own pxm needs the regenerated DSDT. */
	s->dsdt |= s->dimms[i].pxm >= 0;
	if ((r = mhp_topo_check_dimm(s, i, &c->e)) < 0)
		return r;
	s->nr_dimms++;
	return 0;
}

/* 0 is how the struct says "not set": given, it would silently mean the
 * kernel's default instead of what the file says (sizes: in
 * mhp_json_get_size). */
static int not_unset_knobs(struct mhp_parse_ctx *c, json_object *o, const struct mhp_kernel_knobs *k)
{
	return mhp_json_not_unset(c, o, "auto_movable_ratio", k->auto_movable_ratio,
				  "mhp cannot ask for a ratio of 0 yet; leave it out for the kernel's 301");
}

/* The kernel's hotplug knobs, turned into command-line words too. */
static int parse_kernel(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	static const char *const keys[] = { "movable_node", "memhp_default_state", "online_policy",
					    "auto_movable_ratio", "memmap_on_memory", "kernelcore", "movablecore", NULL };
	struct mhp_kernel_knobs *k = &s->kernel;
	const struct mhp_json_key_line lines[] = {
		{ "memhp_default_state", &k->lines.default_state }, { "online_policy", &k->lines.online_policy },
		{ "auto_movable_ratio", &k->lines.auto_movable_ratio }, { NULL, NULL },
	};
	json_object *o;
	int r;

	if ((r = mhp_json_get_section(c, root, "kernel", &o)) <= 0)
		return r;
	mhp_json_note_lines(c, o, lines);
	if ((r = mhp_json_check_keys(c, o, keys)) < 0 || (r = mhp_json_get_bool(c, o, "movable_node", &k->movable_node)) < 0 ||
	    (r = mhp_json_get_string(c, o, "memhp_default_state", false, k->default_state, sizeof(k->default_state))) < 0 ||
	    (r = mhp_json_get_string(c, o, "online_policy", false, k->online_policy, sizeof(k->online_policy))) < 0 ||
	    (r = mhp_json_get_uint(c, o, "auto_movable_ratio", false, MHP_TOPO_MAX_RATIO, &k->auto_movable_ratio)) < 0 ||
	    (r = mhp_json_get_bool(c, o, "memmap_on_memory", &k->memmap_on_memory)) < 0 ||
	    (r = mhp_json_get_size(c, o, "kernelcore", false, &k->kernelcore)) < 0 ||
	    (r = mhp_json_get_size(c, o, "movablecore", false, &k->movablecore)) < 0 ||
	    (r = not_unset_knobs(c, o, k)) < 0 || (r = mhp_topo_check_kernel(s, &c->e)) < 0)
		return r;
	mhp_kernel_knob_words(k, &s->cmdline);
	return 0;
}

static int parse_cmdline(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	json_object *arr;

	if (!json_object_object_get_ex(root, "cmdline", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return mhp_json_fail(c, root, "cmdline", "must be an array of strings");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *w = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) || !mhp_cmdline_word_valid(w))
			return mhp_json_fail(c, root, "cmdline", MHP_TOPO_MSG_CMDLINE_WORD, i);
		mhp_strv_push(&s->cmdline, w);
	}
	return 0;
}

/* Our own SRAT: wherever the nodes need one, unless the file says no. */
static int parse_acpi(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	static const char *const keys[] = { "srat", "oem_revision", NULL };
	const struct mhp_json_key_line lines[] = {
		{ "srat", &s->lines.srat }, { "oem_revision", &s->lines.oem_revision }, { NULL, NULL },
	};
	json_object *o;
	int r;

	s->srat_oem_revision = MHP_TOPO_OEM_REVISION;
	s->srat = mhp_topology_needs_srat(s);
	if ((r = mhp_json_get_section(c, root, "acpi", &o)) <= 0)
		return r;
	mhp_json_note_lines(c, o, lines);
	if ((r = mhp_json_check_keys(c, o, keys)) < 0 || (r = mhp_json_get_bool(c, o, "srat", &s->srat)) < 0 ||
	    (r = mhp_json_get_uint(c, o, "oem_revision", false, MHP_TOPO_MAX_OEM_REVISION, &s->srat_oem_revision)) < 0)
		return r;
	return mhp_topo_check_acpi(s, &c->e);
}

static void note_root_lines(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	const struct mhp_json_key_line lines[] = {
		{ "name", &s->lines.name },	    { "machine", &s->lines.machine }, { "nodes", &s->lines.nodes },
		{ "slots", &s->lines.slots },	    { "maxmem", &s->lines.maxmem },   { "interleave", &s->lines.interleave },
		{ "cmdline", &s->lines.cmdline }, { NULL, NULL },
	};

	mhp_json_note_lines(c, root, lines);
}

/* Name, machine and sockets. */
static int parse_machine(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	char sockets[16] = "per-cpu";
	char name[64] = "";
	json_object *v;
	int r;

	strcpy(s->machine, "pc");
	if ((r = mhp_json_get_string(c, root, "name", true, name, sizeof(name))) < 0 ||
	    (r = mhp_json_get_string(c, root, "machine", false, s->machine, sizeof(s->machine))) < 0 ||
	    (r = mhp_topo_check_machine(s, &c->e)) < 0 ||
	    (r = mhp_json_get_string(c, root, "sockets", false, sockets, sizeof(sockets))) < 0)
		return r;
	if (strcmp(sockets, "per-cpu") && strcmp(sockets, "one"))
		return mhp_json_fail(c, root, "sockets", "must be \"per-cpu\" or \"one\"");
	s->one_socket = !strcmp(sockets, "one");
	s->name = mhp_xstrdup(name);
	/* Free text, for people: kept when it is a string, never checked. */
	if (json_object_object_get_ex(root, "description", &v) && json_object_is_type(v, json_type_string))
		s->description = mhp_xstrdup(json_object_get_string(v));
	return mhp_topo_check_name(s, &c->e);
}

static int parse_root(struct mhp_parse_ctx *c, struct mhp_topology *s, json_object *root)
{
	static const char *const keys[] = { "name", "description", "machine", "sockets", "nodes", "slots", "maxmem",
					    "interleave", "kernel", "cmdline", "dimms", "steps", "acpi", NULL };
	int r;

	if (!json_object_is_type(root, json_type_object))
		return mhp_json_fail(c, root, "(top level)", "must be a JSON object");
	note_root_lines(c, s, root);
	if ((r = mhp_json_check_keys(c, root, keys)) < 0 || (r = parse_machine(c, s, root)) < 0 ||
	    (r = parse_nodes(c, s, root)) < 0 ||
	    (r = mhp_json_get_uint(c, root, "slots", true, MHP_TOPO_MAX_SLOTS, &s->slots)) < 0 ||
	    (r = mhp_json_get_size(c, root, "maxmem", true, &s->maxmem)) < 0 ||
	    (r = mhp_json_get_size(c, root, "interleave", false, &s->interleave)) < 0 ||
	    (r = mhp_topo_check_interleave(s, &c->e)) < 0 || (r = parse_kernel(c, s, root)) < 0 ||
	    (r = parse_acpi(c, s, root)) < 0 || (r = parse_cmdline(c, s, root)) < 0 || (r = mhp_json_each_entry(c, s, root, "dimms", MHP_MAX_DIMMS, parse_dimm_entry)) < 0 ||
	    (r = mhp_topo_check_memory(s, &c->e)) < 0 || (r = mhp_topo_check_slots(s, &c->e)) < 0)
		return r;
	return mhp_topo_parse_steps(c, s, root);
}

/* The whole text one JSON document, or a '(syntax)' message. */
static json_object *parse_json(const char *path, const char *text, char *err, size_t errsize)
{
	json_tokener *tok = json_tokener_new_ex(16);
	size_t len = strlen(text);
	json_object *root;

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
		return NULL;
	}
	return root;
}

/* JSON that parses but would mean something else than it says. */
static int strict(struct mhp_parse_ctx *c, const char *text, json_object *root)
{
	struct mhp_json_problem p;
	int line;

	if (mhp_json_strict(text, root, &p) == 0)
		return 0;
	line = p.obj ? mhp_json_locator_line(&c->loc, p.obj, NULL) : mhp_text_line_of(text, p.offset);
	snprintf(c->e.err, c->e.errsize, "%s:%d: field '%s': %s", c->e.path, line ? line : 1, p.field, p.why);
	return -1;
}

int mhp_topology_parse(struct mhp_topology *s, const char *path, const char *text, char *err, size_t errsize)
{
	struct mhp_parse_ctx c = { .e = { .path = path, .err = err, .errsize = errsize } };
	json_object *root;
	int r;

	memset(s, 0, sizeof(*s));
	s->path = mhp_xstrdup(path);
	if (!(root = parse_json(path, text, err, errsize))) {
		mhp_topology_release(s);
		return -EINVAL;
	}
	mhp_json_locator_build(&c.loc, text, root);
	r = strict(&c, text, root) < 0 ? -EINVAL : parse_root(&c, s, root);
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
	free(s->description);
	free(s->path);
	mhp_strv_release(&s->cmdline);
	memset(s, 0, sizeof(*s));
}
