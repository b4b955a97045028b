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

/* "ids 36-39" of n blocks from first, or "none". */
static void id_range(char *buf, size_t size, unsigned first, unsigned n)
{
	if (n)
		snprintf(buf, size, "%u blocks, ids %u-%u", n, first, first + n - 1);
	else
		snprintf(buf, size, "none");
}

/* The uevents the guest saw: exactly the blocks the oracle adds or removes
 * (the await only counted them). */
static void score_changed(struct mhp_steps *s, const struct mhp_resized *r, unsigned lo, unsigned n, bool grow)
{
	unsigned min = r->nids ? r->ids[0] : 0, max = min;
	char want[64], got[64];

	for (unsigned i = 0; i < r->nids; i++) {
		min = r->ids[i] < min ? r->ids[i] : min;
		max = r->ids[i] > max ? r->ids[i] : max;
	}
	id_range(want, sizeof(want), lo, n);
	id_range(got, sizeof(got), min, r->nids);
	if (r->nids && max - min + 1 != r->nids)
		snprintf(got, sizeof(got), "%u blocks, ids %u-%u with gaps", r->nids, min, max);
	mhp_result_check(s->res, NULL, grow ? "blocks added" : "blocks removed", want, got);
}

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

/* The blocks the device had (its steps' list) and the oracle no longer
 * has, recorded as an outcome: "2 blocks, ids 32,35". */
static void record_given_back(struct mhp_steps *s, unsigned dev)
{
	unsigned *gone = mhp_xcalloc(s->nblocks[dev] + 1, sizeof(unsigned)), n = 0;
	char list[256], text[300] = "none";

	for (unsigned i = 0; i < s->nblocks[dev]; i++)
		if (!mhp_oracle_block(&s->oracle, s->blocks[dev][i]))
			gone[n++] = s->blocks[dev][i];
	format_ids(list, sizeof(list), gone, n);
	if (n)
		snprintf(text, sizeof(text), "%u block%s, ids %s", n, n > 1 ? "s" : "", list);
	mhp_result_outcome(s->res, NULL, "blocks removed", text);
	free(gone);
}

/* The device's blocks now, in the steps' list (what later steps score). */
static void note_blocks(struct mhp_steps *s, unsigned dev)
{
	unsigned n = mhp_oracle_device_blocks(&s->oracle, dev);

	free(s->blocks[dev]);
	s->blocks[dev] = mhp_xcalloc(n + 1, sizeof(unsigned));
	s->nblocks[dev] = 0;
	for (size_t i = 0; i < s->oracle.nblocks; i++)
		if (s->oracle.blocks[i].dimm == (int)dev)
			s->blocks[dev][s->nblocks[dev]++] = s->oracle.blocks[i].id;
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

static void score_device(struct mhp_steps *s, const struct mhp_step *st, const struct mhp_resized *r, bool any)
{
	const struct mhp_dimm *d = &s->t->dimms[st->dimm];
	char want[32], got[32];

	snprintf(want, sizeof(want), "%" PRIu64 "M", st->size >> 20);
	snprintf(got, sizeof(got), "%" PRIu64 "M", r->size >> 20);
	if (any)
		mhp_result_outcome(s->res, NULL, "QEMU plugged size", got);
	else
		mhp_result_check(s->res, NULL, "QEMU plugged size", want, got);
	/* Driver-managed memory: no firmware memmap entry, no top-level
	 * "System RAM" (the test is that nothing is at the region's start). */
	mhp_score_memmap(s, r->addr, d->size, false);
}

int mhp_steps_virtio_mem_regions(struct mhp_steps *s)
{
	char view[128];

	for (unsigned i = 0; i < s->t->nr_dimms; i++)
		if (s->t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM &&
		    mhp_guest_device(s->g, s->t->dimms[i].id, view, sizeof(view), &s->addr[i]) < 0)
			return mhp_steps_guest_failed(s->res, s->g);
	return 0;
}

int mhp_step_resize(struct mhp_steps *s, const struct mhp_step *st)
{
	uint64_t bs = s->g->hello.block_size;
	unsigned had = mhp_oracle_device_blocks(&s->oracle, st->dimm), want = (unsigned)((st->size + bs - 1) / bs);
	struct mhp_resized r = { 0 };
	uint64_t addr = s->addr[st->dimm];
	enum mhp_expect e = MHP_EXPECT_OK;

	/* The region's start is QEMU's; a shrink follows a grow that learnt it. */
	if (want < had)
		e = mhp_oracle_shrink_expect(&s->oracle, st->dimm, (unsigned)(addr / bs), st->size);
	int nblocks = e == MHP_EXPECT_ANY ? 0 : (int)want - (int)had;
	if (mhp_guest_resize(s->g, st->dimm, st->size, nblocks, &r) < 0) {
		free(r.ids);
		return mhp_steps_guest_failed(s->res, s->g);
	}
	unsigned first = (unsigned)(r.addr / bs);
	s->addr[st->dimm] = r.addr;
	if (nblocks)
		score_changed(s, &r, first + (want > had ? had : want), nblocks > 0 ? want - had : had - want, nblocks > 0);
	free(r.ids);
	if (mhp_guest_report(s->g, &s->report) < 0)
		return mhp_steps_guest_failed(s->res, s->g);
	if (e == MHP_EXPECT_ANY) {
		mhp_oracle_resync_device(&s->oracle, st->dimm, first, r.size, &s->report);
		/* What the kernel gave back of kernel-zone memory: its choice,
		 * not always the top blocks. */
		record_given_back(s, st->dimm);
	} else
		mhp_oracle_resize(&s->oracle, st->dimm, first, st->size);
	note_blocks(s, st->dimm);
	score_device(s, st, &r, e == MHP_EXPECT_ANY);
	mhp_score_dimm_blocks(s, st->dimm, NULL);
	score_strays(s, st->dimm, first);
	mhp_score_dimm_node(s, st->dimm);
	return 0;
}
