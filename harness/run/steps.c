#include "run/steps.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NOT_DETERMINISTIC "not scored: the kernel may or may not manage this (kernel zone)"

static void checkf(struct mhp_result *res, const char *what, const char *expected, const char *observed,
		   const char *fmt, ...) MHP_FORMAT(5, 6);
/* A check named "<what>: <fmt...>". */
static void checkf(struct mhp_result *res, const char *what, const char *expected, const char *observed,
		   const char *fmt, ...)
{
	char name[160], tail[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	snprintf(name, sizeof(name), "%s: %s", what, tail);
	mhp_result_check(res, name, expected, observed);
}

/* The hot-added range appears in /sys/firmware/memmap as System RAM while
 * the DIMM is there, and leaves with it. */
static void check_memmap(struct mhp_steps *s, const char *what, uint64_t addr, uint64_t size, bool present)
{
	const struct mhp_memmap_entry *e = mhp_guest_report_memmap(&s->vm->report, addr);
	char want[96], got[96];

	snprintf(want, sizeof(want), "0x%" PRIx64 "-0x%" PRIx64 " System_RAM", addr, addr + size - 1);
	if (e)
		snprintf(got, sizeof(got), "0x%" PRIx64 "-0x%" PRIx64 " %s", e->start, e->end, e->type);
	checkf(s->vm->res, what, present ? want : "(absent)", e ? got : "(absent)", "firmware memmap entry");
}

static void checkf_status(struct mhp_result *res, const char *what, const char *expected, const char *observed,
			  bool pass, const char *tail)
{
	char name[160];

	snprintf(name, sizeof(name), "%s: %s", what, tail);
	mhp_result_checkb(res, name, expected, observed, pass);
}

/* ZONE_NORMAL and ZONE_MOVABLE of node, in /proc/zoneinfo, where the
 * oracle knows them exactly (zones of hot-added blocks only). */
static void check_zones(struct mhp_steps *s, const char *what, unsigned node)
{
	static const enum mhp_zone zones[] = { MHP_ZONE_NORMAL, MHP_ZONE_MOVABLE };

	for (size_t i = 0; i < 2; i++) {
		const char *name = mhp_zone_name(zones[i]);
		const struct mhp_zone_info *zi = mhp_guest_report_zone(&s->vm->report, node, name);
		int64_t present, spanned;
		char e[32], o[32];

		if (mhp_oracle_zone_pages(&s->oracle, node, zones[i], &present, &spanned) < 0)
			continue;
		snprintf(e, sizeof(e), "%" PRId64, present);
		snprintf(o, sizeof(o), "%" PRIu64, zi ? zi->present : 0);
		checkf(s->vm->res, what, e, zi ? o : "(absent)", "node %u %s present pages", node, name);
		snprintf(e, sizeof(e), "%" PRId64, spanned);
		snprintf(o, sizeof(o), "%" PRIu64, zi ? zi->spanned : 0);
		checkf(s->vm->res, what, e, zi ? o : "(absent)", "node %u %s spanned pages", node, name);
	}
}

static void check_memtotal(struct mhp_steps *s, const char *what, unsigned node)
{
	char e[32], o[32];
	int64_t kb = mhp_guest_report_memtotal_kb(&s->vm->report, node);

	if (node > MHP_MAX_NODES || s->base_kb[node] < 0)
		return;
	snprintf(e, sizeof(e), "%" PRIu64, (uint64_t)s->base_kb[node] + mhp_oracle_hot_managed_bytes(&s->oracle, node) / 1024);
	snprintf(o, sizeof(o), "%" PRId64, kb);
	checkf(s->vm->res, what, e, kb < 0 ? "(absent)" : o, "node %u MemTotal kB", node);
	check_zones(s, what, node);
}

/* One block as observed against the oracle: node, state, then the zone of
 * an online block or the valid_zones of an offline one.  A step's explicit
 * expectations replace the oracle's where it has them. */
static void check_block(struct mhp_steps *s, const char *what, unsigned id, const struct mhp_step *st)
{
	const struct mhp_oracle_block *ob = mhp_oracle_block(&s->oracle, id);
	const struct mhp_block *b = mhp_guest_report_block(&s->vm->report, id);
	struct mhp_result *res = s->vm->res;
	char node[16], obs[16], valid[96];
	bool online = ob && ob->zone != MHP_ZONE_OFF;
	const char *zone = ob ? mhp_zone_name(ob->zone) : "(absent)";

	if (st && st->has_expect_online)
		online = st->expect_online;
	if (st && st->expect_zone[0])
		zone = st->expect_zone;
	snprintf(node, sizeof(node), "%u", ob ? ob->node : 0);
	snprintf(obs, sizeof(obs), "%d", b ? b->node : -1);
	checkf(res, what, node, b ? obs : "(absent)", "block %u node", id);
	checkf(res, what, online ? "online" : "offline", b ? b->state : "(absent)", "block %u state", id);
	if (online) {
		checkf(res, what, zone, b ? b->zone : "(absent)", "block %u zone", id);
		return;
	}
	mhp_oracle_valid_zones(&s->oracle, id, valid, sizeof(valid));
	checkf(res, what, st && st->expect_valid[0] ? st->expect_valid : valid, b ? b->valid_zones : "(absent)",
	       "block %u valid_zones", id);
}

/* ------------------------------------------------------------ baseline */

static void check_boot(struct mhp_steps *s)
{
	struct mhp_oracle *o = &s->oracle;
	char e[64], obs[64];

	mhp_oracle_predict_boot(o);
	snprintf(e, sizeof(e), "%zu", o->nblocks);
	snprintf(obs, sizeof(obs), "%zu", s->vm->report.nblocks);
	mhp_result_check(s->vm->res, "boot: memory blocks", e, obs);
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *ob = &o->blocks[i];
		const struct mhp_block *b = mhp_guest_report_block(&s->vm->report, ob->id);
		char name[64];

		snprintf(e, sizeof(e), "%u %s", ob->node, mhp_zone_name(ob->zone));
		snprintf(obs, sizeof(obs), "%d %s", b ? b->node : -1, b ? b->zone : "(absent)");
		snprintf(name, sizeof(name), "boot: block %u node and zone", ob->id);
		mhp_result_check(s->vm->res, name, e, b ? obs : "(absent)");
	}
}

int mhp_steps_baseline(struct mhp_steps *s, struct mhp_vm *vm)
{
	const char *release = vm->res->guest_release;
	int auto_online = mhp_online_type_parse(vm->auto_online);

	s->vm = vm;
	mhp_oracle_init(&s->oracle, vm->t, mhp_kernel_version_code(release), vm->block_size);
	s->oracle.auto_online = auto_online >= 0 ? auto_online : -1;
	if (mhp_vm_report(vm) < 0)
		return -1;
	/* /proc/zoneinfo lists every zone the kernel was built with. */
	s->oracle.no_zone_dma = vm->report.nzones && !mhp_guest_report_zone(&vm->report, 0, "DMA");
	s->oracle.no_memmap_on_memory = !vm->memmap_on_memory;
	s->oracle.pageblock_order = vm->pageblock_order;
	check_boot(s);
	mhp_oracle_seed_boot(&s->oracle, &vm->report);
	for (unsigned n = 0; n <= MHP_MAX_NODES; n++)
		s->base_kb[n] = mhp_guest_report_memtotal_kb(&vm->report, n);
	return 0;
}

void mhp_steps_release(struct mhp_steps *s)
{
	for (unsigned i = 0; i < MHP_MAX_DIMMS; i++)
		free(s->blocks[i]);
	mhp_oracle_release(&s->oracle);
}

/* ------------------------------------------------------------ plug */

/* Parses "32,33" of an await answer into a new array. */
static unsigned parse_ids(const char *list, unsigned **ret)
{
	unsigned n = 0, *ids = mhp_xcalloc(strlen(list) / 2 + 1, sizeof(*ids));

	for (const char *p = list; *p && *p != '-';) {
		char *end;
		ids[n++] = (unsigned)strtoul(p, &end, 10);
		p = *end == ',' ? end + 1 : end + strlen(end);
	}
	*ret = ids;
	return n;
}

/* The blocks that appeared must be exactly the DIMM's physical range. */
static void check_block_range(struct mhp_steps *s, unsigned di, unsigned first, const char *what)
{
	unsigned want = (unsigned)(s->vm->t->dimms[di].size / s->vm->block_size), n = s->nblocks[di];
	unsigned lo = n ? s->blocks[di][0] : 0, hi = lo;
	char e[64], o[64];

	for (unsigned i = 0; i < n; i++) {
		lo = s->blocks[di][i] < lo ? s->blocks[di][i] : lo;
		hi = s->blocks[di][i] > hi ? s->blocks[di][i] : hi;
	}
	snprintf(e, sizeof(e), "%u blocks, ids %u-%u", want, first, first + want - 1);
	snprintf(o, sizeof(o), "%u blocks, ids %u-%u", n, lo, hi);
	checkf(s->vm->res, what, e, n ? o : "0 blocks", "new blocks");
}

static int step_plug(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_vm *vm = s->vm;
	const struct mhp_dimm *d = &vm->t->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	char cmd[64], qemu_state[96], expect[96], status[32];
	uint64_t addr = 0;
	int64_t ost;
	int r;

	if (mhp_vm_plug(vm, d) < 0 || mhp_vm_wait_ost(vm, d->id, 1, &ost) < 0)
		return -1;
	snprintf(status, sizeof(status), "0x%" PRIx64, (uint64_t)ost);
	checkf(vm->res, what, "0x0", status, "guest _OST status");
	if (mhp_vm_qemu_dimm(vm, d->id, qemu_state, sizeof(qemu_state), &addr) < 0)
		return -1;
	snprintf(expect, sizeof(expect), "node=%u size=%" PRIu64, d->node, d->size);
	checkf(vm->res, what, expect, qemu_state, "QEMU lists the DIMM");
	snprintf(cmd, sizeof(cmd), "await-add %u %u", (unsigned)(d->size / vm->block_size), vm->o->timeout_ms);
	if ((r = mhp_vm_command(vm, cmd, &ok)) < 0)
		return mhp_vm_fail(vm, r, "the guest to see the new memory blocks");
	free(s->blocks[st->dimm]);
	s->nblocks[st->dimm] = parse_ids(mhp_wire_get(&ok, "ids") ? mhp_wire_get(&ok, "ids") : "-", &s->blocks[st->dimm]);
	mhp_wire_msg_release(&ok);
	unsigned first = (unsigned)(addr / vm->block_size);
	check_block_range(s, st->dimm, first, what);
	mhp_oracle_plug(&s->oracle, st->dimm, first);
	s->addr[st->dimm] = addr;
	if (mhp_vm_report(vm) < 0)
		return -1;
	check_memmap(s, what, addr, d->size, true);
	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++)
		check_block(s, what, s->blocks[st->dimm][i], st);
	int node = mhp_oracle_dimm_node(vm->t, st->dimm);
	if (node >= 0)
		check_memtotal(s, what, (unsigned)node);
	return 0;
}

/* ------------------------------------------------------------ online/offline */

/* One online/offline result against what was expected; ANY is recorded but
 * not scored.  Returns true when the kernel did it. */
static bool check_action(struct mhp_steps *s, const char *what, unsigned id, const char *action, enum mhp_expect e,
			 int r)
{
	char name[160];
	const char *observed = r == 0 ? "ok" : s->vm->ch.error;

	snprintf(name, sizeof(name), "%s: block %u %s", what, id, action);
	if (e == MHP_EXPECT_ANY)
		mhp_result_outcome(s->vm->res, name, r == 0 ? NOT_DETERMINISTIC "; it did" : NOT_DETERMINISTIC "; it refused");
	else if (e == MHP_EXPECT_FAIL) /* keep the guest's reason: a timeout is not a refusal */
		mhp_result_checkb(s->vm->res, name, "refused", r == 0 ? "ok" : observed, r != 0);
	else
		mhp_result_check(s->vm->res, name, "ok", observed);
	return r == 0;
}

/* Whether the step touches the DIMM's i-th block. */
static bool picked(const struct mhp_step *st, unsigned i)
{
	return !st->blocks || (i < 64 && (st->blocks >> i) & 1);
}

static int step_online(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_vm *vm = s->vm;
	enum mhp_online_type type = (enum mhp_online_type)mhp_online_type_parse(st->online_type);
	char cmd[64];

	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++) {
		unsigned id = s->blocks[st->dimm][i];
		int r;

		if (!picked(st, i))
			continue;
		snprintf(cmd, sizeof(cmd), "online %u %s", id, st->online_type);
		r = mhp_vm_command(vm, cmd, NULL);
		if (r < 0 && r != -EREMOTEIO)
			return mhp_vm_fail(vm, r, cmd);
		if (check_action(s, what, id, st->online_type, st->expect ? st->expect : MHP_EXPECT_OK, r))
			mhp_oracle_online(&s->oracle, id, type);
	}
	if (mhp_vm_report(vm) < 0)
		return -1;
	/* Blocks the step did not touch keep the oracle's view, not the step's. */
	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++)
		check_block(s, what, s->blocks[st->dimm][i], picked(st, i) ? st : NULL);
	int node = mhp_oracle_dimm_node(vm->t, st->dimm);
	if (node >= 0)
		check_memtotal(s, what, (unsigned)node);
	return 0;
}

static int step_offline(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_vm *vm = s->vm;
	char cmd[64];

	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++) {
		unsigned id = s->blocks[st->dimm][i];
		enum mhp_expect e = st->expect ? st->expect : mhp_oracle_offline_expect(&s->oracle, id);
		int r;

		if (!picked(st, i))
			continue;
		snprintf(cmd, sizeof(cmd), "offline %u %u", id, st->timeout_ms ? st->timeout_ms : vm->o->timeout_ms);
		r = mhp_vm_command(vm, cmd, NULL);
		if (r < 0 && r != -EREMOTEIO)
			return mhp_vm_fail(vm, r, cmd);
		if (check_action(s, what, id, "offline", e, r))
			mhp_oracle_offline(&s->oracle, id);
	}
	if (mhp_vm_report(vm) < 0)
		return -1;
	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++)
		check_block(s, what, s->blocks[st->dimm][i], NULL);
	int node = mhp_oracle_dimm_node(vm->t, st->dimm);
	if (node >= 0)
		check_memtotal(s, what, (unsigned)node);
	return 0;
}

/* ------------------------------------------------------------ unplug */

static void check_blocks_gone(struct mhp_steps *s, unsigned di, const char *what)
{
	char left[256] = "";
	size_t off = 0;

	for (unsigned i = 0; i < s->nblocks[di]; i++)
		if (mhp_guest_report_block(&s->vm->report, s->blocks[di][i]) && off < sizeof(left) - 12)
			off += (size_t)snprintf(left + off, sizeof(left) - off, "%s%u", off ? "," : "", s->blocks[di][i]);
	checkf(s->vm->res, what, "none left", off ? left : "none left", "blocks gone");
}

static int after_removal(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_vm *vm = s->vm;
	const struct mhp_dimm *d = &vm->t->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	char cmd[64], qemu_state[96];
	int r;

	if (mhp_vm_object_del(vm, d) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "await-remove %u %u", s->nblocks[st->dimm], vm->o->timeout_ms);
	if ((r = mhp_vm_command(vm, cmd, &ok)) < 0)
		return mhp_vm_fail(vm, r, "the guest to see the blocks removed");
	mhp_wire_msg_release(&ok);
	mhp_oracle_unplug(&s->oracle, st->dimm);
	if (mhp_vm_report(vm) < 0 || mhp_vm_qemu_dimm(vm, d->id, qemu_state, sizeof(qemu_state), NULL) < 0)
		return -1;
	check_blocks_gone(s, st->dimm, what);
	check_memmap(s, what, s->addr[st->dimm], d->size, false);
	int node = mhp_oracle_dimm_node(vm->t, st->dimm);
	if (node >= 0)
		check_memtotal(s, what, (unsigned)node);
	checkf(vm->res, what, "(absent)", qemu_state, "QEMU lists the DIMM");
	return 0;
}

/* A refused unplug leaves the DIMM plugged and its blocks as they were. */
static int after_refusal(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_vm *vm = s->vm;
	const struct mhp_dimm *d = &vm->t->dimms[st->dimm];
	char qemu_state[96], expect[96];

	if (mhp_vm_report(vm) < 0 || mhp_vm_qemu_dimm(vm, d->id, qemu_state, sizeof(qemu_state), NULL) < 0)
		return -1;
	snprintf(expect, sizeof(expect), "node=%u size=%" PRIu64, d->node, d->size);
	checkf(vm->res, what, expect, qemu_state, "QEMU still lists the DIMM");
	/* The kernel offlined some blocks before one failed, then onlined them
	 * again (with the online type last written to each, even by a failed
	 * write): which zones they are in now is not predictable. */
	mhp_oracle_resync_dimm(&s->oracle, st->dimm, &vm->report);
	for (unsigned i = 0; i < s->nblocks[st->dimm]; i++) {
		const struct mhp_block *b = mhp_guest_report_block(&vm->report, s->blocks[st->dimm][i]);
		char name[160];

		snprintf(name, sizeof(name), "%s: block %u still present", what, s->blocks[st->dimm][i]);
		mhp_result_check(vm->res, name, "present", b ? "present" : "(absent)");
	}
	return 0;
}

static int step_unplug(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	enum mhp_expect e = st->expect ? st->expect : mhp_oracle_unplug_expect(&s->oracle, st->dimm);
	char outcome[96], name[160];
	bool removed;

	if (mhp_vm_unplug(s->vm, &s->vm->t->dimms[st->dimm], outcome, sizeof(outcome)) < 0)
		return -1;
	removed = !strcmp(outcome, "removed");
	snprintf(name, sizeof(name), "%s: outcome", what);
	if (e == MHP_EXPECT_ANY)
		mhp_result_outcome(s->vm->res, name, outcome);
	else
		mhp_result_check(s->vm->res, name, e == MHP_EXPECT_FAIL ? "refused" : "removed",
				 removed ? "removed" : e == MHP_EXPECT_FAIL ? "refused" : outcome);
	return removed ? after_removal(s, st, what) : after_refusal(s, st, what);
}

/* ------------------------------------------------------------ check */

/* Every block the oracle knows and every block the guest has must agree,
 * and so must every node's MemTotal. */
static int step_check(struct mhp_steps *s, const char *what)
{
	struct mhp_vm *vm = s->vm;

	if (mhp_vm_report(vm) < 0)
		return -1;
	for (size_t i = 0; i < s->oracle.nblocks; i++)
		check_block(s, what, s->oracle.blocks[i].id, NULL);
	for (size_t i = 0; i < vm->report.nblocks; i++)
		if (!mhp_oracle_block(&s->oracle, vm->report.blocks[i].id))
			checkf(vm->res, what, "(absent)", "present", "block %u", vm->report.blocks[i].id);
	for (unsigned n = 0; n <= MHP_MAX_NODES; n++)
		check_memtotal(s, what, n);
	return 0;
}

/* ------------------------------------------------------------ data */

#define DATA_SEED 0x6d68702d64617461ull /* "mhp-data": fixed, so runs compare */

static int step_fill(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_vm *vm = s->vm;
	const struct mhp_dimm *d = &vm->t->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	unsigned long long pages = 0, on = 0;
	char cmd[160], e[64], o[96];
	int node = mhp_oracle_dimm_node(vm->t, st->dimm), r;

	snprintf(cmd, sizeof(cmd), "fill %d 0x%" PRIx64 " 0x%" PRIx64 " %" PRIu64 " %llu", node < 0 ? 0 : node,
		 s->addr[st->dimm], s->addr[st->dimm] + d->size, st->size >> 10, DATA_SEED);
	if ((r = mhp_vm_command(vm, cmd, &ok)) < 0)
		return mhp_vm_fail(vm, r, "the guest to fill memory");
	mhp_wire_get_u64(&ok, "pages", &pages);
	mhp_wire_get_u64(&ok, "on_range", &on);
	mhp_wire_msg_release(&ok);
	s->filled_pages = pages;
	/* A verify proves nothing unless the data really sat on the DIMM. */
	snprintf(e, sizeof(e), "at least %u%% of %llu pages", st->min_share, pages);
	snprintf(o, sizeof(o), "%llu of %llu pages (%llu%%)", on, pages, pages ? on * 100 / pages : 0);
	checkf_status(vm->res, what, e, o, pages && on * 100 >= (unsigned long long)st->min_share * pages,
		      "pages on the DIMM");
	return 0;
}

static int step_verify(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_vm *vm = s->vm;
	const struct mhp_dimm *d = &vm->t->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	unsigned long long pages = 0, bad = ~0ull, on = ~0ull;
	char cmd[128], e[32], o[32];
	int r;

	snprintf(cmd, sizeof(cmd), "verify 0x%" PRIx64 " 0x%" PRIx64, s->addr[st->dimm], s->addr[st->dimm] + d->size);
	if ((r = mhp_vm_command(vm, cmd, &ok)) < 0)
		return mhp_vm_fail(vm, r, "the guest to verify its data");
	mhp_wire_get_u64(&ok, "pages", &pages);
	mhp_wire_get_u64(&ok, "bad_words", &bad);
	mhp_wire_get_u64(&ok, "on_range", &on);
	mhp_wire_msg_release(&ok);
	snprintf(e, sizeof(e), "%" PRIu64, s->filled_pages);
	snprintf(o, sizeof(o), "%llu", pages);
	checkf(vm->res, what, e, o, "pages verified");
	snprintf(o, sizeof(o), "%llu", bad);
	checkf(vm->res, what, "0", o, "corrupted 8-byte words");
	/* Where the DIMM was plugged, no page can still be. */
	if (s->nblocks[st->dimm] && !mhp_oracle_block(&s->oracle, s->blocks[st->dimm][0])) {
		snprintf(o, sizeof(o), "%llu", on);
		checkf(vm->res, what, "0", o, "pages still in the removed DIMM's range");
	}
	return 0;
}

/* Slab on the DIMM's node: its kernel-zone memory can no longer offline. */
static int step_pin(struct mhp_steps *s, const struct mhp_step *st, const char *what)
{
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	int node = mhp_oracle_dimm_node(s->vm->t, st->dimm), r;
	unsigned long long dirs = 0;
	char cmd[64], e[32], o[32];

	snprintf(cmd, sizeof(cmd), "pin %d %" PRIu64, node < 0 ? 0 : node, st->size >> 10);
	if ((r = mhp_vm_command(s->vm, cmd, &ok)) < 0)
		return mhp_vm_fail(s->vm, r, "the guest to pin kernel memory");
	mhp_wire_get_u64(&ok, "dirs", &dirs);
	mhp_wire_msg_release(&ok);
	snprintf(e, sizeof(e), "%" PRIu64, st->size >> 10);
	snprintf(o, sizeof(o), "%llu", dirs);
	checkf(s->vm->res, what, e, o, "directories made");
	return 0;
}

/* The guest may die answering (c): its end is then the run's error, and
 * the console scan quotes the panic. */
static int step_sysrq(struct mhp_steps *s, const struct mhp_step *st)
{
	char cmd[16];
	int r;

	snprintf(cmd, sizeof(cmd), "sysrq %c", st->sysrq);
	r = mhp_vm_command(s->vm, cmd, NULL);
	return r < 0 ? mhp_vm_fail(s->vm, r, "the guest after sysrq") : 0;
}

static int step_corrupt(struct mhp_steps *s)
{
	int r = mhp_vm_command(s->vm, "corrupt", NULL);

	return r < 0 ? mhp_vm_fail(s->vm, r, "the guest to corrupt its data") : 0;
}

int mhp_steps_run(struct mhp_steps *s, unsigned i)
{
	const struct mhp_step *st = &s->vm->t->steps[i];
	char what[96];

	if (st->kind == MHP_STEP_CHECK || st->kind == MHP_STEP_CORRUPT || st->kind == MHP_STEP_SYSRQ)
		snprintf(what, sizeof(what), "step %u %s", i + 1, mhp_step_kind_name(st->kind));
	else
		snprintf(what, sizeof(what), "step %u %s %s", i + 1, mhp_step_kind_name(st->kind),
			 s->vm->t->dimms[st->dimm].id);
	mhp_result_phase(s->vm->res, "%s", what);
	mhp_result_step(s->vm->res, i + 1);
	switch (st->kind) {
	case MHP_STEP_PLUG: return step_plug(s, st, what);
	case MHP_STEP_ONLINE: return step_online(s, st, what);
	case MHP_STEP_OFFLINE: return step_offline(s, st, what);
	case MHP_STEP_UNPLUG: return step_unplug(s, st, what);
	case MHP_STEP_CHECK: return step_check(s, what);
	case MHP_STEP_FILL: return step_fill(s, st, what);
	case MHP_STEP_VERIFY: return step_verify(s, st, what);
	case MHP_STEP_CORRUPT: return step_corrupt(s);
	case MHP_STEP_SYSRQ: return step_sysrq(s, st);
	case MHP_STEP_PIN: return step_pin(s, st, what);
	case MHP_STEP_INVALID: break;
	}
	mhp_result_error(s->vm->res, "invalid step %u", i + 1);
	return -1;
}
