/* Scoring: what the guest and the hypervisor show after a step, against
 * the oracle (or the step's own expectations).  Every check is recorded
 * with its subject and aspect; the step it belongs to is the result's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "run/steps.h"

#define NOT_DETERMINISTIC "not scored: the kernel may or may not manage this (kernel zone)"

static void block_subject(char *buf, size_t size, unsigned id)
{
	snprintf(buf, size, "block %u", id);
}

void mhp_score_boot(struct mhp_steps *s)
{
	struct mhp_oracle *o = &s->oracle;
	char e[64], obs[64], subject[32];

	mhp_oracle_predict_boot(o);
	snprintf(e, sizeof(e), "%zu", o->nblocks);
	snprintf(obs, sizeof(obs), "%zu", s->report.nblocks);
	mhp_result_check(s->res, NULL, "memory blocks", e, obs);
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *ob = &o->blocks[i];
		const struct mhp_block *b = mhp_guest_report_block(&s->report, ob->id);

		snprintf(e, sizeof(e), "%u %s", ob->node, mhp_zone_name(ob->zone));
		snprintf(obs, sizeof(obs), "%d %s", b ? b->node : -1, b ? b->zone : "(absent)");
		block_subject(subject, sizeof(subject), ob->id);
		mhp_result_check(s->res, subject, "node and zone", e, b ? obs : "(absent)");
	}
}

void mhp_score_block(struct mhp_steps *s, unsigned id, const struct mhp_step *st)
{
	const struct mhp_oracle_block *ob = mhp_oracle_block(&s->oracle, id);
	const struct mhp_block *b = mhp_guest_report_block(&s->report, id);
	char subject[32], node[16], obs[24], valid[96];
	bool online = ob && ob->zone != MHP_ZONE_OFF;
	const char *zone = ob ? mhp_zone_name(ob->zone) : "(absent)";

	if (st && st->has_expect_online)
		online = st->expect_online;
	if (st && st->expect_zone[0])
		zone = st->expect_zone;
	block_subject(subject, sizeof(subject), id);
	snprintf(node, sizeof(node), "%u", ob ? ob->node : 0);
	snprintf(obs, sizeof(obs), "%d", b ? b->node : -1);
	mhp_result_check(s->res, subject, "node", node, b ? obs : "(absent)");
	mhp_result_check(s->res, subject, "state", online ? "online" : "offline", b ? b->state : "(absent)");
	/* removable_show() says CONFIG_MEMORY_HOTREMOVE (since 5.7); x86 has
	 * no phys_device of its own (arch_get_memory_phys_device() is 0). */
	snprintf(obs, sizeof(obs), "%s %s", b ? b->removable : "", b ? b->phys_device : "");
	mhp_result_check(s->res, subject, "removable phys_device", "1 0", b ? obs : "(absent)");
	if (online) {
		mhp_result_check(s->res, subject, "zone", zone, b ? b->zone : "(absent)");
		return;
	}
	mhp_oracle_valid_zones(&s->oracle, id, valid, sizeof(valid));
	mhp_result_check(s->res, subject, "valid_zones", st && st->expect_valid[0] ? st->expect_valid : valid,
			 b ? b->valid_zones : "(absent)");
}

void mhp_score_dimm_blocks(struct mhp_steps *s, unsigned di, const struct mhp_step *st)
{
	for (unsigned i = 0; i < s->nblocks[di]; i++)
		mhp_score_block(s, s->blocks[di][i], st);
}

#define PAGES_PER_SECTION 32768 /* x86_64: 128 MiB sections of 4K pages */
#define SPAN_UNKNOWN "not predicted: boot memory went offline on a node whose boot blocks kernelcore= split between zones"


static void zone_check(struct mhp_steps *s, const char *subject, const char *aspect, uint64_t want,
		       const struct mhp_zone_info *zi, uint64_t got)
{
	char e[32], o[32];

	snprintf(e, sizeof(e), "%" PRIu64, want);
	snprintf(o, sizeof(o), "%" PRIu64, got);
	mhp_result_check(s->res, subject, aspect, e, zi ? o : "(absent)");
}

/* What zone z of node must show: the zone at boot (zoneinfo's numbers,
 * its holes and edges being the firmware's) plus the hot-added memory
 * online in it.  A hot block grows the span to the hull (move_pfn_range_
 * to_zone()); when the zone's end is shrunk back (shrink_zone_span(),
 * find_biggest_section_pfn()), the new end is the last online pfn below,
 * walked in subsections: the end of the boot part's last section, whose
 * memmap is online to its end even where the firmware's RAM stops short. */
static bool expect_zone(struct mhp_steps *s, unsigned node, enum mhp_zone z, const struct mhp_zone_info *boot,
			struct mhp_zone_info *want)
{
	struct mhp_zone_hot hot;
	uint64_t boot_end = boot && boot->spanned ? boot->start_pfn + boot->spanned : 0;
	uint64_t off = z == MHP_ZONE_OFF ? 0 : mhp_oracle_boot_offline_pages(&s->oracle, node, z);
	bool *extended = &s->zone_extended[node][z];

	mhp_oracle_zone_hot(&s->oracle, node, z, &hot);
	/* A boot block that went offline had no page the kernel kept for
	 * itself (offline_pages() cannot move those): all of it was managed. */
	want->present = (boot ? boot->present : 0) + hot.present - off;
	want->managed = (boot ? boot->managed : 0) + hot.managed - off;
	if (hot.present && hot.end_pfn > boot_end && boot_end)
		*extended = true;
	uint64_t lo = boot_end ? boot->start_pfn : hot.lo_pfn, end = boot_end;
	if (*extended)
		end = (boot_end + PAGES_PER_SECTION - 1) / PAGES_PER_SECTION * PAGES_PER_SECTION;
	if (off && boot_end) { /* boot memory went offline: the hull of what is online */
		if (!mhp_oracle_boot_span(&s->oracle, node, z, boot->start_pfn, boot_end, end, &lo, &end))
			return false;
	} else if (hot.present) {
		lo = boot_end && lo < hot.lo_pfn ? lo : hot.lo_pfn;
		end = end > hot.end_pfn ? end : hot.end_pfn;
	}
	want->spanned = end ? end - lo : 0;
	/* zoneinfo has start_pfn for populated zones only */
	want->start_pfn = want->present ? lo : 0;
	return true;
}

/* Every zone of node in /proc/zoneinfo, boot zones too. */
static void score_zones(struct mhp_steps *s, unsigned node)
{
	for (size_t i = 0; i < s->report.nzones; i++) {
		const struct mhp_zone_info *zi = &s->report.zones[i], *boot = NULL;
		struct mhp_zone_info want;
		char subject[48];

		if (zi->node != node)
			continue;
		for (size_t k = 0; k < s->nboot_zones; k++)
			if (s->boot_zones[k].node == node && !strcmp(s->boot_zones[k].name, zi->name))
				boot = &s->boot_zones[k];
		bool span = expect_zone(s, node, mhp_zone_parse(zi->name), boot, &want);
		snprintf(subject, sizeof(subject), "node %u %s", node, zi->name);
		zone_check(s, subject, "present pages", want.present, zi, zi->present);
		zone_check(s, subject, "managed pages", want.managed, zi, zi->managed);
		if (!span) {
			mhp_result_skip(s->res, subject, "span", SPAN_UNKNOWN);
			continue;
		}
		zone_check(s, subject, "spanned pages", want.spanned, zi, zi->spanned);
		zone_check(s, subject, "start_pfn", want.start_pfn, zi, zi->start_pfn);
	}
}

/* The node state masks that hold node, as a list ("possible,online,...";
 * "-" for none). */
static void states_of(const struct mhp_node_states *st, unsigned node, char *buf, size_t size)
{
	const char *names[] = { "possible", "online", "has_memory", "has_normal_memory", "has_cpu" };
	const uint64_t masks[] = { st->possible, st->online, st->has_memory, st->has_normal_memory, st->has_cpu };
	size_t off = 0;

	snprintf(buf, size, "-");
	for (size_t i = 0; i < 5; i++)
		if (masks[i] >> node & 1)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? "," : "", names[i]);
}

/* Node's states in node_states[] and its sysfs directory (oracle-nodes.c
 * says why each is what it is). */
bool mhp_score_node_states(struct mhp_steps *s, unsigned node)
{
	struct mhp_node_states want;
	char subject[32], e[96], o[96];
	bool online;

	mhp_oracle_node_states(&s->oracle, &want);
	online = want.online >> node & 1;
	snprintf(subject, sizeof(subject), "node %u", node);
	states_of(&want, node, e, sizeof(e));
	states_of(&s->report.states, node, o, sizeof(o));
	mhp_result_check(s->res, subject, "node states", e, s->report.has_states ? o : "(not reported)");
	mhp_result_check(s->res, subject, "sysfs directory", online ? "present" : "(absent)",
			 mhp_guest_report_has_node(&s->report, node) ? "present" : "(absent)");
	return online;
}

void mhp_score_node(struct mhp_steps *s, unsigned node)
{
	int64_t kb = mhp_guest_report_memtotal_kb(&s->report, node);
	uint64_t base_kb = s->base_kb[node] > 0 ? (uint64_t)s->base_kb[node] : 0;
	char subject[32], e[32], o[32];

	if (node > MHP_MAX_NODES || !mhp_topology_has_kernel_node(s->t, node))
		return;
	if (!mhp_score_node_states(s, node))
		return; /* offline: no meminfo, no zones; the directory check says it */
	snprintf(subject, sizeof(subject), "node %u", node);
	uint64_t boot_off = mhp_oracle_boot_offline_pages(&s->oracle, node, MHP_ZONE_OFF);
	snprintf(e, sizeof(e), "%" PRIu64,
		 base_kb + mhp_oracle_hot_managed_bytes(&s->oracle, node) / 1024 - boot_off * 4);
	snprintf(o, sizeof(o), "%" PRId64, kb);
	mhp_result_check(s->res, subject, "MemTotal kB", e, kb < 0 ? "(absent)" : o);
	snprintf(e, sizeof(e), "%" PRIu64,
		 s->base_present[node] + mhp_oracle_hot_present_pages(&s->oracle, node) - boot_off);
	snprintf(o, sizeof(o), "%" PRIu64, mhp_guest_report_present_pages(&s->report, node));
	mhp_result_check(s->res, subject, "present pages", e, kb < 0 ? "(absent)" : o);
	score_zones(s, node);
}

void mhp_score_dimm_node(struct mhp_steps *s, unsigned di)
{
	int node = mhp_topology_dimm_node(s->t, di);

	if (node >= 0)
		mhp_score_node(s, (unsigned)node);
	mhp_score_system(s);
}

/* The hot-added range appears in /sys/firmware/memmap and as a top-level
 * "System RAM" resource in /proc/iomem (add_memory_resource():
 * firmware_map_add_hotplug(), register_memory_resource()) while the DIMM
 * is there, and leaves both with it. */
void mhp_score_memmap(struct mhp_steps *s, uint64_t addr, uint64_t size, bool present)
{
	const struct mhp_memmap_entry *e = mhp_guest_report_memmap(&s->report, addr);
	const struct mhp_memmap_entry *io = mhp_guest_report_iomem(&s->report, addr);
	char want[96], got[96];

	snprintf(want, sizeof(want), "0x%" PRIx64 "-0x%" PRIx64 " System_RAM", addr, addr + size - 1);
	if (e)
		snprintf(got, sizeof(got), "0x%" PRIx64 "-0x%" PRIx64 " %s", e->start, e->end, e->type);
	mhp_result_check(s->res, NULL, "firmware memmap entry", present ? want : "(absent)", e ? got : "(absent)");
	snprintf(want, sizeof(want), "0x%" PRIx64 "-0x%" PRIx64, addr, addr + size - 1);
	if (io)
		snprintf(got, sizeof(got), "0x%" PRIx64 "-0x%" PRIx64, io->start, io->end);
	mhp_result_check(s->res, NULL, "/proc/iomem System RAM", present ? want : "(absent)", io ? got : "(absent)");
}

/* /proc/meminfo's MemTotal is the nodes' MemTotal summed (both count
 * managed pages: totalram_pages(), si_meminfo_node()). */
void mhp_score_system(struct mhp_steps *s)
{
	char e[32], o[32];
	uint64_t sum = 0;

	for (size_t i = 0; i < s->report.nnodes; i++)
		sum += s->report.nodes[i].memtotal_kb;
	snprintf(e, sizeof(e), "%" PRIu64, sum);
	snprintf(o, sizeof(o), "%" PRId64, s->report.memtotal_kb);
	mhp_result_check(s->res, "system", "MemTotal kB, the nodes' summed", e,
			 s->report.memtotal_kb < 0 ? "(not reported)" : o);
}

/* At boot: the block size, the system MemTotal, and what the oracle does
 * not predict, said as such. */
void mhp_score_boot_facts(struct mhp_steps *s)
{
	char e[32], o[32];

	snprintf(e, sizeof(e), "0x%llx", MHP_ORACLE_BLOCK_SIZE);
	snprintf(o, sizeof(o), "0x%" PRIx64, s->g->hello.block_size);
	mhp_result_check(s->res, NULL, "memory block size", e, o);
	mhp_score_system(s);
	for (const struct mhp_unpredicted *u = mhp_oracle_unpredicted; u->subject; u++)
		mhp_result_skip(s->res, u->subject, u->aspect, u->reason);
}

/* The blocks that appeared must be exactly the DIMM's physical range. */
static void score_block_range(struct mhp_steps *s, unsigned di, unsigned first)
{
	unsigned want = (unsigned)(s->t->dimms[di].size / s->g->hello.block_size), n = s->nblocks[di];
	unsigned lo = n ? s->blocks[di][0] : 0, hi = lo;
	char e[64], o[64];

	for (unsigned i = 0; i < n; i++) {
		lo = s->blocks[di][i] < lo ? s->blocks[di][i] : lo;
		hi = s->blocks[di][i] > hi ? s->blocks[di][i] : hi;
	}
	snprintf(e, sizeof(e), "%u blocks, ids %u-%u", want, first, first + want - 1);
	snprintf(o, sizeof(o), "%u blocks, ids %u-%u", n, lo, hi);
	mhp_result_check(s->res, NULL, "new blocks", e, n ? o : "0 blocks");
}

static void dimm_view(const struct mhp_dimm *d, char *buf, size_t size)
{
	snprintf(buf, size, "node=%u size=%" PRIu64, d->node, d->size);
}

void mhp_score_plugged(struct mhp_steps *s, unsigned di, const struct mhp_plugged *p)
{
	char status[32], expect[96];

	snprintf(status, sizeof(status), "0x%" PRIx64, (uint64_t)p->ost_status);
	mhp_result_check(s->res, NULL, "guest _OST status", "0x0", status);
	dimm_view(&s->t->dimms[di], expect, sizeof(expect));
	mhp_result_check(s->res, NULL, "QEMU lists the DIMM", expect, p->device);
	score_block_range(s, di, (unsigned)(p->addr / s->g->hello.block_size));
}

bool mhp_score_action(struct mhp_steps *s, unsigned id, const char *action, enum mhp_expect e, int r)
{
	const char *observed = r == 0 ? "ok" : s->g->refusal;
	char subject[32];

	block_subject(subject, sizeof(subject), id);
	if (e == MHP_EXPECT_ANY)
		mhp_result_outcome(s->res, subject, action,
				   r == 0 ? NOT_DETERMINISTIC "; it did" : NOT_DETERMINISTIC "; it refused");
	else if (e == MHP_EXPECT_FAIL) /* keep the guest's reason: a timeout is not a refusal */
		mhp_result_checkb(s->res, subject, action, "refused", r == 0 ? "ok" : observed, r != 0);
	else
		mhp_result_check(s->res, subject, action, "ok", observed);
	return r == 0;
}

void mhp_score_outcome(struct mhp_steps *s, enum mhp_expect e, bool removed, const char *observed)
{
	if (e == MHP_EXPECT_ANY)
		mhp_result_outcome(s->res, NULL, "outcome", observed);
	else
		mhp_result_check(s->res, NULL, "outcome", e == MHP_EXPECT_FAIL ? "refused" : "removed",
				 removed ? "removed" : e == MHP_EXPECT_FAIL ? "refused" : observed);
}

void mhp_score_removed(struct mhp_steps *s, unsigned di, const char *view)
{
	const struct mhp_dimm *d = &s->t->dimms[di];
	char left[256] = "";
	size_t off = 0;

	for (unsigned i = 0; i < s->nblocks[di]; i++)
		if (mhp_guest_report_block(&s->report, s->blocks[di][i]) && off < sizeof(left) - 12)
			off += (size_t)snprintf(left + off, sizeof(left) - off, "%s%u", off ? "," : "", s->blocks[di][i]);
	mhp_result_check(s->res, NULL, "blocks gone", "none left", off ? left : "none left");
	mhp_score_memmap(s, s->addr[di], d->size, false);
	mhp_score_dimm_node(s, di);
	mhp_result_check(s->res, NULL, "QEMU lists the DIMM", "(absent)", view);
}

void mhp_score_refused(struct mhp_steps *s, unsigned di, const char *view)
{
	char expect[96], subject[32];

	dimm_view(&s->t->dimms[di], expect, sizeof(expect));
	mhp_result_check(s->res, NULL, "QEMU still lists the DIMM", expect, view);
	for (unsigned i = 0; i < s->nblocks[di]; i++) {
		const struct mhp_block *b = mhp_guest_report_block(&s->report, s->blocks[di][i]);

		block_subject(subject, sizeof(subject), s->blocks[di][i]);
		mhp_result_check(s->res, subject, "still present", "present", b ? "present" : "(absent)");
	}
}
