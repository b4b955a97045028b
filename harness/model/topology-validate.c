/* The semantic checks, on struct mhp_topology alone: sizes and addresses,
 * knob values, slots and maxmem, the order of the steps.  The parser runs
 * each as soon as what it looks at is parsed; a generator runs them all
 * through mhp_topology_validate(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/topology-internal.h"

/* A message on field of element sect[idx] (idx -1: the section itself;
 * sect NULL: the top level), at line when the struct came from a file. */
static int bad(const struct mhp_topo_err *e, int line, const char *sect, int idx, const char *field, const char *fmt,
	       ...) MHP_FORMAT(6, 7);
static int bad(const struct mhp_topo_err *e, int line, const char *sect, int idx, const char *field, const char *fmt,
	       ...)
{
	char where[32] = "";
	va_list ap;
	int r;

	if (sect && idx >= 0)
		snprintf(where, sizeof(where), "%s[%d]", sect, idx);
	else if (sect)
		snprintf(where, sizeof(where), "%s", sect);
	va_start(ap, fmt);
	r = mhp_topo_message(e, line, where, field, fmt, ap);
	va_end(ap);
	return r;
}

#define BETWEEN "must be between 0 and %u"
#define BLOCK_MULTIPLE "must be a multiple of 128M (the memory block size)"

/* What only a struct built in code can get wrong: the parser bounds them. */
int mhp_topo_check_counts(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	if (t->nr_nodes < 1 || t->nr_nodes > MHP_MAX_NODES)
		return bad(e, t->lines.nodes, NULL, -1, "nodes", "must hold 1 to %d entries", MHP_MAX_NODES);
	if (t->nr_dimms < 1 || t->nr_dimms > MHP_MAX_DIMMS)
		return bad(e, 0, NULL, -1, "dimms", "must hold 1 to %d entries", MHP_MAX_DIMMS);
	if (t->nr_steps < 1 || t->nr_steps > MHP_MAX_STEPS)
		return bad(e, 0, NULL, -1, "steps", "must hold 1 to %d entries", MHP_MAX_STEPS);
	return 0;
}

int mhp_topo_check_machine(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	if (strcmp(t->machine, "pc") && strcmp(t->machine, "q35"))
		return bad(e, t->lines.machine, NULL, -1, "machine", "must be \"pc\" or \"q35\"");
	return 0;
}

int mhp_topo_check_name(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	const char *name = t->name ? t->name : "";

	if (!*name || strlen(name) > 63)
		return bad(e, t->lines.name, NULL, -1, "name", "must be 1 to 63 characters");
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(name) || name[0] == '.')
		return bad(e, t->lines.name, NULL, -1, "name", "may hold only lowercase letters, digits, '-', '_' and '.'");
	return 0;
}

int mhp_topo_check_node(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e)
{
	const struct mhp_node *n = &t->nodes[i];

	if (n->cpus > MHP_TOPO_MAX_CPUS)
		return bad(e, n->lines.cpus, "nodes", (int)i, "cpus", BETWEEN, MHP_TOPO_MAX_CPUS);
	if (n->pxm > MHP_TOPO_MAX_PXM)
		return bad(e, n->lines.pxm, "nodes", (int)i, "pxm", BETWEEN, MHP_TOPO_MAX_PXM);
	if (n->memory % MHP_BLOCK_SIZE)
		return bad(e, n->lines.memory, "nodes", (int)i, "memory", BLOCK_MULTIPLE);
	if (n->hotpluggable && !n->memory)
		return bad(e, n->lines.hotpluggable, "nodes", (int)i, "hotpluggable",
			   "a memoryless node has no boot range to flag");
	for (unsigned j = 0; j < i; j++)
		if (t->nodes[j].pxm == n->pxm)
			return bad(e, n->lines.pxm, "nodes", (int)i, "pxm", "proximity domain %u is used by node %u too",
				   n->pxm, j);
	return 0;
}

int mhp_topo_check_nodes(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	unsigned cpus = 0;

	for (unsigned i = 0; i < t->nr_nodes; i++)
		cpus += t->nodes[i].cpus;
	if (cpus == 0)
		return bad(e, t->lines.nodes, NULL, -1, "nodes", "the machine needs at least one CPU");
	if (t->nodes[0].memory == 0)
		return bad(e, t->nodes[0].lines.memory, "nodes", 0, "memory", "node 0 holds the kernel and needs memory");
	/* SRAT names a node by its CPUs, its boot ranges, or (the last node) the
	 * hotplug window: any other node with neither is absent for the kernel. */
	for (unsigned i = 0; i + 1 < t->nr_nodes; i++)
		if (!t->nodes[i].memory && !t->nodes[i].cpus)
			return bad(e, t->nodes[i].line, "nodes", (int)i, "cpus",
				   "a node with neither CPUs nor memory is in no SRAT entry unless it is the last "
				   "(which owns the hotplug window): give it a CPU or make it the last node");
	return 0;
}

/* Interleaved node ranges exist only in our SRAT: QEMU lays nodes out whole. */
int mhp_topo_check_interleave(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	if (t->interleave % MHP_BLOCK_SIZE)
		return bad(e, t->lines.interleave, NULL, -1, "interleave", BLOCK_MULTIPLE);
	return 0;
}

int mhp_topo_check_kernel(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	const struct mhp_kernel_knobs *k = &t->kernel;
	static const char not_accepted[] = "'%s' is not one of the values the kernel accepts";

	if (k->auto_movable_ratio > MHP_TOPO_MAX_RATIO)
		return bad(e, k->lines.auto_movable_ratio, "kernel", -1, "auto_movable_ratio", BETWEEN, MHP_TOPO_MAX_RATIO);
	if (k->default_state[0] && !mhp_default_state_valid(k->default_state))
		return bad(e, k->lines.default_state, "kernel", -1, "memhp_default_state", not_accepted, k->default_state);
	if (k->online_policy[0] && !mhp_online_policy_valid(k->online_policy))
		return bad(e, k->lines.online_policy, "kernel", -1, "online_policy", not_accepted, k->online_policy);
	return 0;
}

int mhp_topo_check_acpi(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	if (t->srat_oem_revision > MHP_TOPO_MAX_OEM_REVISION)
		return bad(e, t->lines.oem_revision, "acpi", -1, "oem_revision", BETWEEN, MHP_TOPO_MAX_OEM_REVISION);
	if (!t->srat && mhp_topology_needs_srat(t))
		return bad(e, t->lines.srat, "acpi", -1, "srat",
			   "the nodes need a generated SRAT (a pxm or hotpluggable flag)");
	return 0;
}

/* The file's words follow the knobs' (whose words are always good). */
int mhp_topo_check_cmdline(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	struct mhp_strv knobs = MHP_STRV_INIT;
	size_t nknobs = mhp_kernel_knob_words(&t->kernel, &knobs);

	mhp_strv_release(&knobs);
	for (size_t i = 0; i < t->cmdline.n; i++)
		if (!mhp_cmdline_word_valid(t->cmdline.v[i]))
			return bad(e, t->lines.cmdline, NULL, -1, "cmdline", MHP_TOPO_MSG_CMDLINE_WORD,
				   i >= nknobs ? i - nknobs : i);
	return 0;
}

static int check_dimm_node(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e)
{
	const struct mhp_dimm *d = &t->dimms[i];

	if (d->node >= t->nr_nodes)
		return bad(e, d->lines.node, "dimms", (int)i, "node", "node %u does not exist (the topology has %u)", d->node,
			   t->nr_nodes);
	if (d->pxm < 0 && !mhp_topology_has_pxm(t, d->node))
		return bad(e, d->lines.node, "dimms", (int)i, "node",
			   "QEMU reports this DIMM's _PXM as %u, and no node has proximity domain %u", d->node, d->node);
	return 0;
}

/* The id, then where the DIMM sits: node, proximity domain, alignment. */
int mhp_topo_check_dimm(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e)
{
	const struct mhp_dimm *d = &t->dimms[i];
	int at = (int)i;

	if (!d->id[0] || strnlen(d->id, MHP_ID_MAX) == MHP_ID_MAX)
		return bad(e, d->lines.id, "dimms", at, "id", "must be 1 to %d characters", MHP_ID_MAX - 1);
	if (d->pxm < -1 || d->pxm > MHP_TOPO_MAX_PXM)
		return bad(e, d->lines.pxm, "dimms", at, "pxm", BETWEEN, MHP_TOPO_MAX_PXM);
	if (strspn(d->id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != strlen(d->id))
		return bad(e, d->lines.id, "dimms", at, "id", "may hold only letters, digits, '-' and '_'");
	for (unsigned j = 0; j < i; j++)
		if (!strcmp(t->dimms[j].id, d->id))
			return bad(e, d->lines.id, "dimms", at, "id", "'%s' is used twice", d->id);
	if (d->kind == MHP_DEVICE_VIRTIO_MEM) /* its node_id is a proximity domain to the guest too */
		return check_dimm_node(t, i, e) < 0 ? -EINVAL : mhp_topo_check_virtio_mem(t, i, e);
	if (d->size % MHP_BLOCK_SIZE)
		return bad(e, d->lines.size, "dimms", at, "size", BLOCK_MULTIPLE);
	if (d->addr % MHP_BLOCK_SIZE)
		return bad(e, d->lines.addr, "dimms", at, "addr", "must be aligned to 128M");
	if (check_dimm_node(t, i, e) < 0)
		return -EINVAL;
	if (d->pxm >= 0 && !mhp_topology_has_pxm(t, (unsigned)d->pxm))
		return bad(e, d->lines.pxm, "dimms", at, "pxm", "no node has proximity domain %d", d->pxm);
	if (d->pxm >= 0 && !t->dsdt)
		return bad(e, d->lines.pxm, "dimms", at, "pxm", "needs the regenerated DSDT (dsdt) the topology lacks");
	return 0;
}

static int check_dimm_addresses(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	uint64_t base = mhp_topology_hotplug_base(t), end = base + mhp_topology_hotplug_size(t);

	for (unsigned i = 0; i < t->nr_dimms; i++) {
		const struct mhp_dimm *d = &t->dimms[i];

		if (d->size > end - base)
			return bad(e, d->lines.size, "dimms", (int)i, "size", "larger than the hotplug window (%llu MiB)",
				   (unsigned long long)((end - base) >> 20));
		if (!d->addr)
			continue;
		if (d->addr < base || d->addr > end - d->size)
			return bad(e, d->lines.addr, "dimms", (int)i, "addr",
				   "0x%llx is outside the hotplug window [0x%llx, 0x%llx)", (unsigned long long)d->addr,
				   (unsigned long long)base, (unsigned long long)end);
		for (unsigned j = 0; j < i; j++)
			if (t->dimms[j].addr && d->addr < t->dimms[j].addr + t->dimms[j].size &&
			    t->dimms[j].addr < d->addr + d->size)
				return bad(e, d->lines.addr, "dimms", (int)i, "addr", "overlaps DIMM '%s'", t->dimms[j].id);
	}
	return 0;
}

/* Boot memory, maxmem, and the DIMMs within the hotplug window. */
int mhp_topo_check_memory(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	uint64_t boot = mhp_topology_boot_memory(t), plugged = 0;

	if (boot > MHP_MAX_BOOT_MEMORY)
		return bad(e, t->lines.nodes, NULL, -1, "nodes", "boot memory of %llu MiB is above the %llu MiB mhp supports",
			   (unsigned long long)(boot >> 20), (unsigned long long)(MHP_MAX_BOOT_MEMORY >> 20));
	if (t->maxmem < boot)
		return bad(e, t->lines.maxmem, NULL, -1, "maxmem", "below the boot memory (%llu MiB)",
			   (unsigned long long)(boot >> 20));
	/* QEMU's default 40 physical address bits: the window must end below 1 TiB. */
	if (t->maxmem > (512ull << 30))
		return bad(e, t->lines.maxmem, NULL, -1, "maxmem", "above the 512 GiB mhp supports");
	for (unsigned i = 0; i < t->nr_dimms; i++)
		plugged += t->dimms[i].size;
	/* All DIMMs at once is the worst case the topology can reach. */
	if (plugged > t->maxmem - boot)
		return bad(e, t->lines.maxmem, NULL, -1, "maxmem", "leaves %llu MiB for DIMMs of %llu MiB in all",
			   (unsigned long long)((t->maxmem - boot) >> 20), (unsigned long long)(plugged >> 20));
	return check_dimm_addresses(t, e);
}

int mhp_topo_check_slots(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	if (t->slots > MHP_TOPO_MAX_SLOTS)
		return bad(e, t->lines.slots, NULL, -1, "slots", BETWEEN, MHP_TOPO_MAX_SLOTS);
	if (t->slots == 0)
		return bad(e, t->lines.slots, NULL, -1, "slots", "hotplug needs at least one slot");
	unsigned dimms = 0;
	for (unsigned i = 0; i < t->nr_dimms && i < MHP_MAX_DIMMS; i++)
		dimms += t->dimms[i].kind == MHP_DEVICE_DIMM;
	if (t->dsdt && dimms > t->slots)
		return bad(e, t->lines.slots, NULL, -1, "slots",
			   "a DIMM with a pxm pins every DIMM to its own slot: %u DIMMs need %u slots", dimms, dimms);
	return 0;
}

/* Bit i of blocks picks the DIMM's block i; the message counts like the
 * file's list, in block order. */
static int check_blocks(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e)
{
	const struct mhp_step *st = &t->steps[i];
	unsigned n = mhp_topo_pickable_blocks(t, st->dimm), entry = 0;

	if (!st->blocks)
		return 0;
	if (st->kind != MHP_STEP_ONLINE && st->kind != MHP_STEP_OFFLINE)
		return bad(e, st->lines.blocks, "steps", (int)i, "blocks", "only online and offline steps pick blocks");
	for (unsigned b = 0; b < 64; b++) {
		if (!(st->blocks >> b & 1))
			continue;
		if (b >= n)
			return bad(e, st->lines.blocks, "steps", (int)i, "blocks", MHP_TOPO_MSG_BLOCK_INDEX, entry, n - 1);
		entry++;
	}
	return 0;
}

/* What one step says: its DIMM, key, zone, online type, blocks, sizes. */
int mhp_topo_check_step(const struct mhp_topology *t, unsigned i, const struct mhp_topo_err *e)
{
	const struct mhp_step *st = &t->steps[i];
	const char *key = mhp_step_kind_name(st->kind);
	int at = (int)i, r;

	if (st->kind == MHP_STEP_INVALID || st->kind > MHP_STEP_LAST)
		return bad(e, st->line, "steps", at, "plug",
			   MHP_TOPO_MSG_NO_ACTION);
	if (mhp_step_kind_has_dimm(st->kind) && st->dimm >= t->nr_dimms)
		return bad(e, st->line, "steps", at, key, "no DIMM has index %u", st->dimm);
	if ((r = mhp_topo_check_device_step(t, i, e)) < 0)
		return r;
	if (st->kind == MHP_STEP_OFFLINE_BOOT && (st->node >= t->nr_nodes || !t->nodes[st->node].memory))
		return bad(e, st->line, "steps", at, key, st->node >= t->nr_nodes ? "no node has index %u"
				: "node %u has no boot memory to offline", st->node);
	if (st->kind == MHP_STEP_SYSRQ && (!st->sysrq || !strchr("cwlmt", st->sysrq)))
		return bad(e, st->line, "steps", at, key, MHP_TOPO_MSG_SYSRQ);
	if (st->expect_zone[0] && !mhp_zone_name_valid(st->expect_zone))
		return bad(e, st->lines.expect_zone, "steps", at, "expect_zone",
			   "'%s' is not a zone (DMA, DMA32, Normal, Movable, Device, none)", st->expect_zone);
	if (st->kind == MHP_STEP_ONLINE && !mhp_online_type_valid(st->online_type))
		return bad(e, st->lines.type, "steps", at, "type", "must be online, online_kernel or online_movable");
	if ((r = check_blocks(t, i, e)) < 0)
		return r;
	if (st->kind == MHP_STEP_FILL && (st->size % 8192 || st->size > (1ull << 32)))
		return bad(e, st->lines.size, "steps", at, "size", "must be a multiple of 8K and at most 4G");
	if (st->min_share > MHP_TOPO_MAX_SHARE)
		return bad(e, st->lines.min_share, "steps", at, "min_share", BETWEEN, MHP_TOPO_MAX_SHARE);
	if (st->timeout_ms > MHP_TOPO_MAX_TIMEOUT_MS)
		return bad(e, st->lines.timeout_ms, "steps", at, "timeout_ms", BETWEEN, MHP_TOPO_MAX_TIMEOUT_MS);
	if (st->expect != MHP_EXPECT_DEFAULT && !mhp_expect_word(st->kind, st->expect))
		return bad(e, st->lines.expect, "steps", at, "expect",
			   "does not apply to a %s step (online/offline: ok, fail, any; unplug: removed, refused, any)", key);
	return 0;
}

/* Plug, online and unplug must come in an order QEMU and the kernel allow. */
int mhp_topo_check_step_order(const struct mhp_topology *t, const struct mhp_topo_err *e)
{
	bool plugged[MHP_MAX_DIMMS] = { false }, filled = false;
	unsigned used = 0;

	for (unsigned i = 0; i < t->nr_dimms && i < MHP_MAX_DIMMS; i++)
		plugged[i] = t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM; /* there from the start */

	for (unsigned i = 0; i < t->nr_steps; i++) {
		const struct mhp_step *st = &t->steps[i];
		const char *key = mhp_step_kind_name(st->kind);
		int at = (int)i;

		/* A virtio-mem device is there from the start, and takes no slot. */
		if (st->kind == MHP_STEP_CHECK || st->kind == MHP_STEP_SYSRQ || st->kind == MHP_STEP_OFFLINE_BOOT ||
		    st->kind == MHP_STEP_RESIZE)
			continue;
		if (st->kind == MHP_STEP_CORRUPT || st->kind == MHP_STEP_VERIFY) {
			if (!filled)
				return bad(e, st->line, "steps", at, key, "comes before any fill step");
			continue;
		}
		const char *id = t->dimms[st->dimm].id;
		if (st->kind == MHP_STEP_FILL && filled)
			return bad(e, st->line, "steps", at, key, "there is already data from an earlier fill");
		filled |= st->kind == MHP_STEP_FILL;
		if (st->kind == MHP_STEP_PLUG) {
			if (plugged[st->dimm])
				return bad(e, st->line, "steps", at, key, "DIMM '%s' is already plugged", id);
			if (++used > t->slots)
				return bad(e, st->line, "steps", at, key, "more DIMMs plugged than the %u slots", t->slots);
			plugged[st->dimm] = true;
		} else if (!plugged[st->dimm])
			return bad(e, st->line, "steps", at, key, "DIMM '%s' is not plugged at this step", id);
		else if (st->kind == MHP_STEP_UNPLUG) {
			plugged[st->dimm] = false;
			used--;
		}
	}
	return 0;
}

static int check_each(const struct mhp_topology *t, unsigned n, const struct mhp_topo_err *e,
		      int (*check)(const struct mhp_topology *, unsigned, const struct mhp_topo_err *))
{
	int r = 0;

	for (unsigned i = 0; r == 0 && i < n; i++)
		r = check(t, i, e);
	return r;
}

int mhp_topology_validate(const struct mhp_topology *t, const char *path, char *err, size_t errsize)
{
	const struct mhp_topo_err e = { path, err, errsize };
	int r;

	if ((r = mhp_topo_check_counts(t, &e)) < 0 || (r = mhp_topo_check_machine(t, &e)) < 0 ||
	    (r = mhp_topo_check_name(t, &e)) < 0 || (r = check_each(t, t->nr_nodes, &e, mhp_topo_check_node)) < 0 ||
	    (r = mhp_topo_check_nodes(t, &e)) < 0 || (r = mhp_topo_check_interleave(t, &e)) < 0 ||
	    (r = mhp_topo_check_kernel(t, &e)) < 0 || (r = mhp_topo_check_acpi(t, &e)) < 0 ||
	    (r = mhp_topo_check_cmdline(t, &e)) < 0 || (r = check_each(t, t->nr_dimms, &e, mhp_topo_check_dimm)) < 0 ||
	    (r = mhp_topo_check_memory(t, &e)) < 0 || (r = mhp_topo_check_slots(t, &e)) < 0 ||
	    (r = check_each(t, t->nr_steps, &e, mhp_topo_check_step)) < 0)
		return r;
	return mhp_topo_check_step_order(t, &e);
}
