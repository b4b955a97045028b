/* The resize step of a virtio-mem device: QEMU asked for the new size,
 * then what the guest shows scored against the oracle (model/oracle-
 * virtio-mem.c): the blocks added or removed, every block of the device,
 * its node, the system's MemTotal, and that driver-managed memory stays
 * out of the firmware memmap and of the top level of /proc/iomem
 * (add_memory_driver_managed() names it "System RAM (virtio_mem)"). */
#include "run/steps.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ids[0..n) (ascending) as "32,35-36". */
static void format_ids(char *buf, size_t size, const unsigned *ids, unsigned n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len < size; i++) {
		unsigned j = i;

		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		if (j > i)
			len += (size_t)snprintf(buf + len, size - len, "%s%u-%u", i ? "," : "", ids[i], ids[j]);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%u", i ? "," : "", ids[i]);
		i = j;
	}
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* "2 blocks, ids 32,35" of ids[0..n) (sorted here), or "none". */
static void describe_ids(char *buf, size_t size, unsigned *ids, unsigned n)
{
	char list[200];

	qsort(ids, n, sizeof(*ids), cmp_unsigned);
	format_ids(list, sizeof(list), ids, n);
	if (n)
		snprintf(buf, size, "%u block%s, ids %s", n, n > 1 ? "s" : "", list);
	else
		snprintf(buf, size, "none");
}

/* The ids of a[0..na) not in b[0..nb). */
static unsigned *ids_minus(const unsigned *a, unsigned na, const unsigned *b, unsigned nb, unsigned *ret_n)
{
	unsigned *out = mhp_xcalloc(na + 1, sizeof(unsigned));

	*ret_n = 0;
	for (unsigned i = 0; i < na; i++) {
		bool in_b = false;

		for (unsigned k = 0; k < nb && !in_b; k++)
			in_b = b[k] == a[i];
		if (!in_b)
			out[(*ret_n)++] = a[i];
	}
	return out;
}

/* The oracle's blocks of the device now. */
static unsigned *device_ids(const struct mhp_oracle *o, unsigned dev, unsigned *ret_n)
{
	unsigned *out = mhp_xcalloc(mhp_oracle_device_blocks(o, dev) + 1, sizeof(unsigned));

	*ret_n = 0;
	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].dimm == (int)dev)
			out[(*ret_n)++] = o->blocks[i].id;
	return out;
}

/* The blocks the device had (its steps' list) and the oracle no longer
 * has (gone), or has and the list lacks (!gone). */
static unsigned *changed_ids(struct mhp_steps *s, unsigned dev, bool gone, unsigned *ret_n)
{
	unsigned nnow, *now = device_ids(&s->oracle, dev, &nnow), *out;

	if (gone)
		out = ids_minus(s->blocks[dev], s->nblocks[dev], now, nnow, ret_n);
	else
		out = ids_minus(now, nnow, s->blocks[dev], s->nblocks[dev], ret_n);
	free(now);
	return out;
}

/* The blocks the device had (its steps' list) and the oracle no longer
 * has, recorded as an outcome: "2 blocks, ids 32,35". */
static void record_given_back(struct mhp_steps *s, unsigned dev)
{
	unsigned n, *gone = changed_ids(s, dev, true, &n);
	char text[256];

	describe_ids(text, sizeof(text), gone, n);
	mhp_result_outcome(s->res, NULL, "blocks removed", text);
	free(gone);
}

/* The uevents the guest saw: exactly the blocks the oracle adds or removes
 * (the await only counted them). */
static void score_changed(struct mhp_steps *s, struct mhp_resized *r, unsigned *ids, unsigned n, bool grow)
{
	char want[256], got[256];

	describe_ids(want, sizeof(want), ids, n);
	describe_ids(got, sizeof(got), r->ids, r->nids);
	mhp_result_check(s->res, NULL, grow ? "blocks added" : "blocks removed", want, got);
}

/* The device's blocks now, in the steps' list (what later steps score). */
static void note_blocks(struct mhp_steps *s, unsigned dev)
{
	free(s->blocks[dev]);
	s->blocks[dev] = device_ids(&s->oracle, dev, &s->nblocks[dev]);
}

/* Blocks of the device's region the guest has and the oracle does not. */
static void score_strays(struct mhp_steps *s, unsigned dev, unsigned first)
{
	unsigned span = (unsigned)(s->t->dimms[dev].size / s->g->hello.block_size);
	char subject[32];

	for (size_t i = 0; i < s->report.nblocks; i++) {
		unsigned id = s->report.blocks[i].id;

		if (id < first || id >= first + span || mhp_oracle_block(&s->oracle, id))
			continue;
		snprintf(subject, sizeof(subject), "block %u", id);
		mhp_result_check(s->res, subject, "present", "(absent)", "present");
	}
}

/* "0x..-0x..,0x..-0x.." of ranges appended in ascending order, contiguous
 * ones joined: the driver adds one resource per block or big block and
 * the kernel may merge neighbours (MHP_MERGE_RESOURCE), which is not what
 * is scored; the memory covered is. */
struct ranges {
	char text[512];
	uint64_t start, end; /* the open range, end exclusive; start == end: none */
};

static void ranges_close(struct ranges *g)
{
	size_t len = strlen(g->text);

	if (g->end > g->start)
		snprintf(g->text + len, sizeof(g->text) - len, "%s0x%" PRIx64 "-0x%" PRIx64, len ? "," : "", g->start,
			 g->end - 1);
	g->start = g->end = 0;
}

static void ranges_add(struct ranges *g, uint64_t start, uint64_t end)
{
	if (g->end != start || g->end == g->start)
		ranges_close(g), g->start = start;
	g->end = end;
}

static const char *ranges_text(struct ranges *g)
{
	ranges_close(g);
	return g->text[0] ? g->text : "(none)";
}

/* The device's "System RAM (virtio_mem)" ranges in /proc/iomem: each memory
 * block it added, plugged in whole or in part (SBM adds a whole block). */
static void score_iomem(struct mhp_steps *s, unsigned dev, uint64_t addr)
{
	uint64_t bs = s->g->hello.block_size, end = addr + s->t->dimms[dev].size;
	unsigned n, *ids = device_ids(&s->oracle, dev, &n);
	struct ranges want = { 0 }, got = { 0 };

	qsort(ids, n, sizeof(*ids), cmp_unsigned);
	for (unsigned i = 0; i < n; i++)
		ranges_add(&want, ids[i] * bs, (ids[i] + 1) * bs);
	free(ids);
	for (size_t i = 0; i < s->report.niomem; i++) {
		const struct mhp_memmap_entry *e = &s->report.iomem[i];

		if (!strcmp(e->type, "virtio_mem") && e->start < end && e->end >= addr)
			ranges_add(&got, e->start, e->end + 1);
	}
	mhp_result_check(s->res, NULL, "/proc/iomem System RAM (virtio_mem)", ranges_text(&want), ranges_text(&got));
}

/* QEMU's plugged size (size wanted; any: not scored), the device's memory
 * kept out of the firmware memmap and in /proc/iomem where it should be. */
static void score_device(struct mhp_steps *s, unsigned dev, uint64_t size, const struct mhp_resized *r, bool any)
{
	const struct mhp_dimm *d = &s->t->dimms[dev];
	char want[32], got[32];

	snprintf(want, sizeof(want), "%" PRIu64 "M", size >> 20);
	snprintf(got, sizeof(got), "%" PRIu64 "M", r->size >> 20);
	if (any)
		mhp_result_outcome(s->res, NULL, "QEMU plugged size", got);
	else
		mhp_result_check(s->res, NULL, "QEMU plugged size", want, got);
	/* Driver-managed memory: no firmware memmap entry, no top-level
	 * "System RAM" (the test is that nothing is at the region's start). */
	mhp_score_memmap(s, r->addr, d->size, false);
	score_iomem(s, dev, r->addr);
}

int mhp_steps_virtio_mem_regions(struct mhp_steps *s)
{
	char view[128], region[48];

	for (unsigned i = 0; i < s->t->nr_dimms; i++) {
		const struct mhp_dimm *d = &s->t->dimms[i];

		if (d->kind != MHP_DEVICE_VIRTIO_MEM)
			continue;
		if (mhp_guest_device(s->g, d->id, view, sizeof(view), &s->addr[i]) < 0)
			return mhp_steps_guest_failed(s->res, s->g);
		/* QEMU's choice, recorded for the report's address bar. */
		snprintf(region, sizeof(region), "0x%" PRIx64 "-0x%" PRIx64, s->addr[i], s->addr[i] + d->size - 1);
		mhp_result_step(s->res, 0, "boot", d->id);
		mhp_result_outcome(s->res, NULL, "region", region);
		mhp_result_step(s->res, 0, "boot", NULL);
	}
	return 0;
}

/* Waits until the guest saw the remove uevents of the blocks the device
 * had and the oracle no longer has. */
static int await_removed(struct mhp_steps *s, unsigned dev)
{
	unsigned n, *gone = changed_ids(s, dev, true, &n);
	char cmd[64];

	free(gone);
	if (!n)
		return 0;
	snprintf(cmd, sizeof(cmd), "await-remove %u %u", n, s->g->m->timeout_ms);
	return mhp_guest_command(s->g, cmd, NULL, "the guest to remove the blocks the shrink emptied");
}

int mhp_step_resize(struct mhp_steps *s, const struct mhp_step *st)
{
	unsigned first = (unsigned)(s->addr[st->dimm] / s->g->hello.block_size), nadd = 0, nrem = 0;
	struct mhp_resized r = { 0 };
	/* Movable memory must go back; kernel-zone memory: what the guest does. */
	enum mhp_expect e = mhp_oracle_shrink_expect(&s->oracle, st->dimm, first, st->size);

	if (e == MHP_EXPECT_OK)
		mhp_oracle_resize(&s->oracle, st->dimm, first, st->size);
	unsigned *add = changed_ids(s, st->dimm, false, &nadd);
	unsigned *rem = changed_ids(s, st->dimm, true, &nrem);
	int nblocks = e == MHP_EXPECT_ANY ? 0 : nadd ? (int)nadd : -(int)nrem;
	int rc = mhp_guest_resize(s->g, st->dimm, st->size, nblocks, &r);
	if (rc == 0 && nblocks)
		score_changed(s, &r, nadd ? add : rem, nadd ? nadd : nrem, nadd > 0);
	free(add), free(rem), free(r.ids);
	/* A kernel-zone shrink the guest did in whole: QEMU's size is the
	 * request as soon as the last sub-block is unplugged, while the driver
	 * still offlines and removes the emptied blocks.  It took what the
	 * oracle says; wait for those removals before looking. */
	if (rc == 0 && e == MHP_EXPECT_ANY && r.size == st->size) {
		mhp_oracle_resize(&s->oracle, st->dimm, first, st->size);
		rc = await_removed(s, st->dimm);
	}
	if (rc < 0 || mhp_guest_report(s->g, &s->report) < 0)
		return mhp_steps_guest_failed(s->res, s->g);
	if (e == MHP_EXPECT_ANY) {
		mhp_oracle_resync_device(&s->oracle, st->dimm, first, r.size, &s->report);
		/* What the kernel gave back of kernel-zone memory: its choice. */
		record_given_back(s, st->dimm);
	}
	note_blocks(s, st->dimm);
	score_device(s, st->dimm, st->size, &r, e == MHP_EXPECT_ANY);
	mhp_score_dimm_blocks(s, st->dimm, NULL);
	score_strays(s, st->dimm, first);
	mhp_score_dimm_node(s, st->dimm);
	return 0;
}

/* ------------------------------------------------- plugged while booting */

static unsigned device_first(const struct mhp_steps *s, unsigned dev)
{
	return (unsigned)(s->addr[dev] / s->g->hello.block_size);
}

static bool plugs_at_boot(const struct mhp_dimm *d)
{
	return d->kind == MHP_DEVICE_VIRTIO_MEM && d->requested_size;
}

int mhp_steps_await_boot_plugged(struct mhp_steps *s, struct mhp_resized *got)
{
	uint64_t bs = s->g->hello.block_size;

	for (unsigned i = 0; i < s->t->nr_dimms; i++) {
		const struct mhp_dimm *d = &s->t->dimms[i];
		unsigned first = device_first(s, i);

		/* From an empty device the driver plugs blocks from the bottom up. */
		if (plugs_at_boot(d) &&
		    mhp_guest_boot_plugged(s->g, i, first, first + (unsigned)(d->size / bs),
					   (unsigned)((d->requested_size + bs - 1) / bs), &got[i]) < 0)
			return mhp_steps_guest_failed(s->res, s->g);
	}
	return 0;
}

/* Whether block id lies in a virtio-mem device's region. */
static bool in_device(const struct mhp_steps *s, unsigned id)
{
	uint64_t bs = s->g->hello.block_size;

	for (unsigned i = 0; i < s->t->nr_dimms; i++)
		if (s->t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM && id >= device_first(s, i) &&
		    id < device_first(s, i) + s->t->dimms[i].size / bs)
			return true;
	return false;
}

void mhp_steps_hide_device_blocks(struct mhp_steps *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->report.nblocks; i++)
		if (!in_device(s, s->report.blocks[i].id))
			s->report.blocks[k++] = s->report.blocks[i];
	s->report.nblocks = k;
}

/* The end pfn of the highest boot block of node in zone z. */
static uint64_t boot_blocks_end(const struct mhp_oracle *o, unsigned node, enum mhp_zone z)
{
	uint64_t end = 0, per_block = o->block_size / 4096;

	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].dimm < 0 && o->blocks[i].node == node && o->blocks[i].zone == z &&
		    (o->blocks[i].id + 1) * per_block > end)
			end = (o->blocks[i].id + 1) * per_block;
	return end;
}

/* The boot values (MemTotal, present pages, zones) as they were before the
 * devices plugged memory: later values are predicted as these plus what is
 * hot-added, the devices' boot memory included. */
static void boot_values_without_devices(struct mhp_steps *s)
{
	for (unsigned n = 0; n <= MHP_MAX_NODES; n++) {
		if (s->base_kb[n] > 0)
			s->base_kb[n] -= (int64_t)(mhp_oracle_hot_managed_bytes(&s->oracle, n) / 1024);
		s->base_present[n] -= mhp_oracle_hot_present_pages(&s->oracle, n);
	}
	for (size_t k = 0; k < s->nboot_zones; k++) {
		struct mhp_zone_info *z = &s->boot_zones[k];
		struct mhp_zone_hot hot;
		uint64_t end;

		mhp_oracle_zone_hot(&s->oracle, z->node, mhp_zone_parse(z->name), &hot);
		if (!hot.present)
			continue;
		z->present -= hot.present;
		z->managed -= hot.managed;
		end = boot_blocks_end(&s->oracle, z->node, mhp_zone_parse(z->name));
		if (!z->present || !end)
			z->spanned = z->start_pfn = 0;
		else if (end < z->start_pfn + z->spanned)
			z->spanned = end - z->start_pfn;
	}
}

int mhp_steps_score_boot_plugged(struct mhp_steps *s, struct mhp_resized *got)
{
	char want[256], have[256];
	bool any = false;

	for (unsigned i = 0; i < s->t->nr_dimms; i++)
		if (plugs_at_boot(&s->t->dimms[i])) {
			mhp_oracle_resize(&s->oracle, i, device_first(s, i), s->t->dimms[i].requested_size);
			any = true;
		}
	if (!any)
		return 0;
	boot_values_without_devices(s);
	if (mhp_guest_report(s->g, &s->report) < 0)
		return mhp_steps_guest_failed(s->res, s->g);
	for (unsigned i = 0; i < s->t->nr_dimms; i++) {
		if (!plugs_at_boot(&s->t->dimms[i]))
			continue;
		mhp_result_step(s->res, 0, "boot", s->t->dimms[i].id);
		note_blocks(s, i);
		describe_ids(want, sizeof(want), s->blocks[i], s->nblocks[i]);
		describe_ids(have, sizeof(have), got[i].ids, got[i].nids);
		mhp_result_check(s->res, NULL, "blocks online", want, have);
		score_device(s, i, s->t->dimms[i].requested_size, &got[i], false);
		mhp_score_dimm_blocks(s, i, NULL);
		score_strays(s, i, device_first(s, i));
		mhp_score_dimm_node(s, i);
	}
	mhp_result_step(s->res, 0, "boot", NULL);
	return 0;
}
