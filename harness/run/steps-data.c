/* The steps about data and kernel memory: fill a DIMM with patterned pages,
 * verify them after the DIMM went (migration kept them), pin unmovable
 * slab on a DIMM's node, and the test knobs sysrq and corrupt. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "run/steps.h"

#define DATA_SEED 0x6d68702d64617461ull /* "mhp-data": fixed, so runs compare */

/* A guest command that must succeed for the run to go on. */
static int command(struct mhp_steps *s, const char *cmd, struct mhp_wire_msg *ret_ok, const char *awaited)
{
	return mhp_guest_command(s->g, cmd, ret_ok, awaited) < 0 ? mhp_steps_guest_failed(s->res, s->g) : 0;
}

int mhp_step_fill(struct mhp_steps *s, const struct mhp_step *st)
{
	const struct mhp_dimm *d = &s->t->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	unsigned long long pages = 0, on = 0;
	char cmd[160], e[64], o[96];
	int node = mhp_topology_dimm_node(s->t, st->dimm);

	snprintf(cmd, sizeof(cmd), "fill %d 0x%" PRIx64 " 0x%" PRIx64 " %" PRIu64 " %llu", node < 0 ? 0 : node,
		 s->addr[st->dimm], s->addr[st->dimm] + d->size, st->size >> 10, DATA_SEED);
	if (command(s, cmd, &ok, "the guest to fill memory") < 0)
		return -1;
	mhp_wire_get_u64(&ok, "pages", &pages);
	mhp_wire_get_u64(&ok, "on_range", &on);
	mhp_wire_msg_release(&ok);
	s->filled_pages = pages;
	/* A verify proves nothing unless the data really sat on the DIMM. */
	snprintf(e, sizeof(e), "at least %u%% of %llu pages", st->min_share, pages);
	snprintf(o, sizeof(o), "%llu of %llu pages (%llu%%)", on, pages, pages ? on * 100 / pages : 0);
	mhp_result_checkb(s->res, NULL, d->kind == MHP_DEVICE_DIMM ? "pages on the DIMM" : "pages on the device", e, o,
			  pages && on * 100 >= (unsigned long long)st->min_share * pages);
	return 0;
}

int mhp_step_verify(struct mhp_steps *s, const struct mhp_step *st)
{
	const struct mhp_dimm *d = &s->t->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	unsigned long long pages = 0, bad = ~0ull, on = ~0ull;
	char cmd[128], e[32], o[32];

	/* The range no page may be left in: the DIMM's, or the part of a
	 * virtio-mem device's region above the highest block it still has
	 * (a kernel-zone shrink may keep a block above one it gave back). */
	uint64_t from = s->addr[st->dimm], end = from + d->size, bs = s->g->hello.block_size;
	bool gone = s->nblocks[st->dimm] && !mhp_oracle_block(&s->oracle, s->blocks[st->dimm][0]);
	if (d->kind == MHP_DEVICE_VIRTIO_MEM) {
		for (unsigned i = 0; i < s->nblocks[st->dimm]; i++)
			if ((uint64_t)(s->blocks[st->dimm][i] + 1) * bs > from)
				from = (uint64_t)(s->blocks[st->dimm][i] + 1) * bs;
		gone = from < end;
	}
	snprintf(cmd, sizeof(cmd), "verify 0x%" PRIx64 " 0x%" PRIx64, from, end);
	if (command(s, cmd, &ok, "the guest to verify its data") < 0)
		return -1;
	mhp_wire_get_u64(&ok, "pages", &pages);
	mhp_wire_get_u64(&ok, "bad_words", &bad);
	mhp_wire_get_u64(&ok, "on_range", &on);
	mhp_wire_msg_release(&ok);
	snprintf(e, sizeof(e), "%" PRIu64, s->filled_pages);
	snprintf(o, sizeof(o), "%llu", pages);
	mhp_result_check(s->res, NULL, "pages verified", e, o);
	snprintf(o, sizeof(o), "%llu", bad);
	mhp_result_check(s->res, NULL, "corrupted 8-byte words", "0", o);
	/* Where the memory was, no page can still be. */
	if (gone) {
		snprintf(o, sizeof(o), "%llu", on);
		mhp_result_check(s->res, NULL, d->kind == MHP_DEVICE_DIMM ? "pages still in the removed DIMM's range"
				 : "pages still in the device's unplugged range", "0", o);
	}
	return 0;
}

/* Slab on the DIMM's node: its kernel-zone memory can no longer offline. */
int mhp_step_pin(struct mhp_steps *s, const struct mhp_step *st)
{
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	int node = mhp_topology_dimm_node(s->t, st->dimm);
	unsigned long long dirs = 0;
	char cmd[64], e[32], o[32];

	snprintf(cmd, sizeof(cmd), "pin %d %" PRIu64, node < 0 ? 0 : node, st->size >> 10);
	if (command(s, cmd, &ok, "the guest to pin kernel memory") < 0)
		return -1;
	mhp_wire_get_u64(&ok, "dirs", &dirs);
	mhp_wire_msg_release(&ok);
	snprintf(e, sizeof(e), "%" PRIu64, st->size >> 10);
	snprintf(o, sizeof(o), "%llu", dirs);
	mhp_result_check(s->res, NULL, "directories made", e, o);
	return 0;
}

/* The guest may die answering (c): its end is then the run's error, and
 * the console scan quotes the panic. */
int mhp_step_sysrq(struct mhp_steps *s, const struct mhp_step *st)
{
	char cmd[16];

	snprintf(cmd, sizeof(cmd), "sysrq %c", st->sysrq);
	return command(s, cmd, NULL, "the guest after sysrq");
}

int mhp_step_corrupt(struct mhp_steps *s, const struct mhp_step *st)
{
	(void)st;
	return command(s, "corrupt", NULL, "the guest to corrupt its data");
}
