/* The steps: what each does, through the guest backend, before checks.c
 * scores what the guest then shows. */
#include "run/steps.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mhp_steps_guest_failed(struct mhp_result *res, const struct mhp_guest *g)
{
	if (g->interrupted)
		res->interrupted = true;
	mhp_result_error(res, "%s", g->error[0] ? g->error : "the guest backend failed");
	return -1;
}

static int failed(struct mhp_steps *s)
{
	return mhp_steps_guest_failed(s->res, s->g);
}

static int report(struct mhp_steps *s)
{
	return mhp_guest_report(s->g, &s->report) < 0 ? failed(s) : 0;
}

/* The boot's blocks, zones and sizes, the oracle seeded from them (the
 * blocks of virtio-mem devices left out: they are the devices'). */
static void take_boot(struct mhp_steps *s)
{
	/* /proc/zoneinfo lists every zone the kernel was built with. */
	s->oracle.no_zone_dma = s->report.nzones && !mhp_guest_report_zone(&s->report, 0, "DMA");
	s->oracle.no_memmap_on_memory = !s->g->hello.memmap_on_memory;
	s->oracle.pageblock_order = s->g->hello.pageblock_order;
	mhp_steps_hide_device_blocks(s);
	mhp_score_boot(s);
	mhp_oracle_seed_boot(&s->oracle, &s->report);
	s->nboot_zones = s->report.nzones;
	s->boot_zones = mhp_xcalloc(s->nboot_zones + 1, sizeof(*s->boot_zones));
	memcpy(s->boot_zones, s->report.zones, s->nboot_zones * sizeof(*s->boot_zones));
	for (unsigned n = 0; n <= MHP_MAX_NODES; n++) {
		s->base_kb[n] = mhp_guest_report_memtotal_kb(&s->report, n);
		s->base_present[n] = mhp_guest_report_present_pages(&s->report, n);
	}
}

int mhp_steps_baseline(struct mhp_steps *s, struct mhp_guest *g, const struct mhp_topology *t,
		       struct mhp_result *res)
{
	int auto_online = mhp_online_type_parse(g->hello.auto_online), r;
	struct mhp_resized plugged[MHP_MAX_DIMMS] = { 0 };

	*s = (struct mhp_steps){ .g = g, .t = t, .res = res };
	mhp_oracle_init(&s->oracle, t, mhp_kernel_version_code(g->hello.release), g->hello.block_size);
	s->oracle.auto_online = auto_online >= 0 ? auto_online : -1;
	if (mhp_steps_virtio_mem_regions(s) < 0 || mhp_steps_await_boot_plugged(s, plugged) < 0 || report(s) < 0) {
		r = -1;
		goto out;
	}
	take_boot(s);
	r = mhp_steps_score_boot_plugged(s, plugged);
	/* The boot's node states follow from the boot blocks the guest has
	 * (their zones are scored above, against the prediction). */
	for (unsigned n = 0; n <= MHP_MAX_NODES && r == 0; n++)
		if (mhp_topology_has_kernel_node(t, n))
			mhp_score_node_states(s, n);
	if (r == 0)
		mhp_score_boot_facts(s);
out:
	for (unsigned i = 0; i < MHP_MAX_DIMMS; i++)
		free(plugged[i].ids);
	return r;
}

void mhp_steps_release(struct mhp_steps *s)
{
	for (unsigned i = 0; i < MHP_MAX_DIMMS; i++)
		free(s->blocks[i]);
	free(s->boot_zones);
	mhp_guest_report_release(&s->report);
	mhp_oracle_release(&s->oracle);
}

/* What the guest shows of DIMM di and its node after a step. */
static int look(struct mhp_steps *s, unsigned di, const struct mhp_step *st)
{
	if (report(s) < 0)
		return -1;
	mhp_score_dimm_blocks(s, di, st);
	mhp_score_dimm_node(s, di);
	return 0;
}

/* ------------------------------------------------------------ plug */

static int step_plug(struct mhp_steps *s, const struct mhp_step *st)
{
	const struct mhp_dimm *d = &s->t->dimms[st->dimm];
	struct mhp_plugged p;

	if (mhp_guest_plug(s->g, st->dimm, &p) < 0) {
		mhp_plugged_release(&p);
		return failed(s);
	}
	free(s->blocks[st->dimm]);
	s->blocks[st->dimm] = p.ids;
	s->nblocks[st->dimm] = p.nids;
	p.ids = NULL;
	mhp_score_plugged(s, st->dimm, &p);
	mhp_oracle_plug(&s->oracle, st->dimm, (unsigned)(p.addr / s->g->hello.block_size));
	s->addr[st->dimm] = p.addr;
	if (report(s) < 0)
		return -1;
	mhp_score_memmap(s, p.addr, d->size, true);
	mhp_score_dimm_blocks(s, st->dimm, st);
	mhp_score_dimm_node(s, st->dimm);
	return 0;
}

/* ------------------------------------------------------------ online/offline */

/* Whether the step touches the DIMM's i-th block. */
static bool picked(const struct mhp_step *st, unsigned i)
{
	return !st->blocks || (i < 64 && (st->blocks >> i) & 1);
}

/* One block's online or offline: the guest's answer into *ret_r (0 done,
 * -EREMOTEIO refused); -1 when the run cannot go on. */
static int block_action(struct mhp_steps *s, const char *cmd, int *ret_r)
{
	int r = mhp_guest_command(s->g, cmd, NULL, NULL);

	if (r < 0 && r != -EREMOTEIO)
		return failed(s);
	*ret_r = r;
	return 0;
}

static int step_online(struct mhp_steps *s, const struct mhp_step *st)
{
	enum mhp_online_type type = (enum mhp_online_type)mhp_online_type_parse(st->online_type);
	char cmd[64];

	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++) {
		unsigned id = s->blocks[st->dimm][i];
		int r;

		if (!picked(st, i))
			continue;
		snprintf(cmd, sizeof(cmd), "online %u %s", id, st->online_type);
		if (block_action(s, cmd, &r) < 0)
			return -1;
		if (mhp_score_action(s, id, st->online_type, st->expect ? st->expect : MHP_EXPECT_OK, r))
			mhp_oracle_online(&s->oracle, id, type);
	}
	if (report(s) < 0)
		return -1;
	/* Blocks the step did not touch keep the oracle's view, not the step's. */
	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++)
		mhp_score_block(s, s->blocks[st->dimm][i], picked(st, i) ? st : NULL);
	mhp_score_dimm_node(s, st->dimm);
	return 0;
}

static int step_offline(struct mhp_steps *s, const struct mhp_step *st)
{
	char cmd[64];

	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++) {
		unsigned id = s->blocks[st->dimm][i];
		enum mhp_expect e = st->expect ? st->expect : mhp_oracle_offline_expect(&s->oracle, id);
		int r;

		if (!picked(st, i))
			continue;
		snprintf(cmd, sizeof(cmd), "offline %u %u", id, st->timeout_ms ? st->timeout_ms : s->g->m->timeout_ms);
		if (block_action(s, cmd, &r) < 0)
			return -1;
		if (mhp_score_action(s, id, "offline", e, r))
			mhp_oracle_offline(&s->oracle, id);
	}
	return look(s, st->dimm, NULL);
}

/* Every boot block of a node, top down, each as the oracle says it must
 * go (mhp_oracle_offline_expect()): QEMU's boot RAM is no ACPI memory
 * device, so offline is as far as boot memory goes. */
static int step_offline_boot(struct mhp_steps *s, const struct mhp_step *st)
{
	unsigned node = mhp_topology_kernel_node(s->t, st->node);
	struct mhp_oracle_block boot[256];
	size_t n = 0;
	char cmd[64];

	for (size_t i = 0; i < s->oracle.nblocks && n < 256; i++)
		if (s->oracle.blocks[i].dimm < 0 && s->oracle.blocks[i].node == node)
			boot[n++] = s->oracle.blocks[i];
	for (size_t i = n; i-- > 0;) {
		enum mhp_expect e = mhp_oracle_offline_expect(&s->oracle, boot[i].id);
		int r;

		snprintf(cmd, sizeof(cmd), "offline %u %u", boot[i].id, s->g->m->timeout_ms);
		if (block_action(s, cmd, &r) < 0)
			return -1;
		if (mhp_score_action(s, boot[i].id, "offline", e, r))
			mhp_oracle_offline(&s->oracle, boot[i].id);
	}
	if (report(s) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		mhp_score_block(s, boot[i].id, NULL);
	mhp_score_node(s, node);
	mhp_score_system(s);
	return 0;
}

/* ------------------------------------------------------------ unplug */

static int step_unplug(struct mhp_steps *s, const struct mhp_step *st)
{
	enum mhp_expect e = st->expect ? st->expect : mhp_oracle_unplug_expect(&s->oracle, st->dimm);
	const struct mhp_dimm *d = &s->t->dimms[st->dimm];
	enum mhp_unplug_outcome outcome;
	char reason[96], observed[128], view[96];

	if (mhp_guest_unplug(s->g, st->dimm, s->nblocks[st->dimm], &outcome, reason, sizeof(reason)) < 0)
		return failed(s);
	if (outcome == MHP_UNPLUG_REMOVED)
		snprintf(observed, sizeof(observed), "removed");
	else
		snprintf(observed, sizeof(observed), "refused (%s)", reason);
	mhp_score_outcome(s, e, outcome == MHP_UNPLUG_REMOVED, observed);
	if (outcome == MHP_UNPLUG_REMOVED)
		mhp_oracle_unplug(&s->oracle, st->dimm);
	if (report(s) < 0)
		return -1;
	if (mhp_guest_device(s->g, d->id, view, sizeof(view), NULL) < 0)
		return failed(s);
	if (outcome == MHP_UNPLUG_REMOVED) {
		mhp_score_removed(s, st->dimm, view);
		return 0;
	}
	/* The kernel offlined some blocks before one failed, then onlined them
	 * again (with the online type last written to each, even by a failed
	 * write): which zones they are in now is not predictable. */
	mhp_oracle_resync_dimm(&s->oracle, st->dimm, &s->report);
	mhp_score_refused(s, st->dimm, view);
	return 0;
}

/* ------------------------------------------------------------ check */

/* Every block the oracle knows and every block the guest has must agree,
 * and so must every node's MemTotal. */
static int step_check(struct mhp_steps *s)
{
	char subject[32];

	if (report(s) < 0)
		return -1;
	for (size_t i = 0; i < s->oracle.nblocks; i++)
		mhp_score_block(s, s->oracle.blocks[i].id, NULL);
	for (size_t i = 0; i < s->report.nblocks; i++) {
		if (mhp_oracle_block(&s->oracle, s->report.blocks[i].id))
			continue;
		snprintf(subject, sizeof(subject), "block %u", s->report.blocks[i].id);
		mhp_result_check(s->res, subject, "present", "(absent)", "present");
	}
	for (unsigned n = 0; n <= MHP_MAX_NODES; n++)
		mhp_score_node(s, n);
	mhp_score_system(s);
	return 0;
}

/* ------------------------------------------------------------ dispatch */

typedef int (*step_fn)(struct mhp_steps *s, const struct mhp_step *st);

static int do_check(struct mhp_steps *s, const struct mhp_step *st)
{
	(void)st;
	return step_check(s);
}

static const step_fn step_fns[] = {
	[MHP_STEP_PLUG] = step_plug,     [MHP_STEP_ONLINE] = step_online, [MHP_STEP_OFFLINE] = step_offline,
	[MHP_STEP_UNPLUG] = step_unplug, [MHP_STEP_CHECK] = do_check,     [MHP_STEP_FILL] = mhp_step_fill,
	[MHP_STEP_VERIFY] = mhp_step_verify, [MHP_STEP_CORRUPT] = mhp_step_corrupt,
	[MHP_STEP_SYSRQ] = mhp_step_sysrq, [MHP_STEP_PIN] = mhp_step_pin,
	[MHP_STEP_OFFLINE_BOOT] = step_offline_boot, [MHP_STEP_RESIZE] = mhp_step_resize,
};

int mhp_steps_run(struct mhp_steps *s, unsigned i)
{
	const struct mhp_step *st = &s->t->steps[i];
	const char *kind = mhp_step_kind_name(st->kind);
	const char *dimm = mhp_step_kind_has_dimm(st->kind) ? s->t->dimms[st->dimm].id : NULL;
	char node[16];

	/* An offline_boot step's device is its node. */
	if (st->kind == MHP_STEP_OFFLINE_BOOT)
		snprintf(node, sizeof(node), "node %u", st->node), dimm = node;
	if (dimm)
		mhp_result_phase(s->res, "step %u %s %s", i + 1, kind, dimm);
	else
		mhp_result_phase(s->res, "step %u %s", i + 1, kind);
	mhp_result_step(s->res, i + 1, kind, dimm);
	if ((size_t)st->kind < sizeof(step_fns) / sizeof(step_fns[0]) && step_fns[st->kind])
		return step_fns[st->kind](s, st);
	mhp_result_error(s->res, "invalid step %u", i + 1);
	return -1;
}
