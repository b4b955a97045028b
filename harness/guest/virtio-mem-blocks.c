/* The guest side of a virtio-mem resize, the same for every backend: which
 * uevents to forget before it, which memory blocks to wait for after it. */
#include "guest/backend.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

int mhp_virtio_mem_before_resize(struct mhp_guest *g, int nblocks)
{
	/* Add and online uevents of earlier steps (a 0 count only clears
	 * them): a block handed over at baseline (await-online-in) can have
	 * its uevents arrive after the hand-over, and this grow's await-add
	 * would count them as its own. */
	if (nblocks > 0) {
		int r = mhp_guest_await_blocks(g, "await-add", 0, NULL, NULL, "the guest's uevents");

		return r < 0 ? r : mhp_guest_await_blocks(g, "await-online", 0, NULL, NULL, "the guest's uevents");
	}
	/* Remove uevents of earlier shrinks the guest did in part (nothing
	 * awaited them): they would end this shrink's wait early. */
	return mhp_guest_await_blocks(g, "await-remove", 0, NULL, NULL, "the guest's uevents");
}

int mhp_virtio_mem_after_resize(struct mhp_guest *g, int nblocks, struct mhp_resized *ret)
{
	int r;

	/* The add uevents come before the kernel's auto-online of the blocks
	 * (add_memory_resource() onlines them after it made them all): a
	 * report right after the adds may find one still offline. */
	if (nblocks > 0 && (r = mhp_guest_await_blocks(g, "await-add", (unsigned)nblocks, &ret->ids, &ret->nids,
						       "the guest to see the new memory blocks")) < 0)
		return r;
	if (nblocks > 0)
		return mhp_guest_await_blocks(g, "await-online", (unsigned)nblocks, NULL, NULL,
					      "the kernel to online the new memory blocks");
	if (nblocks < 0)
		return mhp_guest_await_blocks(g, "await-remove", (unsigned)-nblocks, &ret->ids, &ret->nids,
					      "the guest to see the blocks removed");
	return 0;
}

int mhp_virtio_mem_await_boot_blocks(struct mhp_guest *g, unsigned first_id, unsigned end_id, unsigned nblocks,
				     struct mhp_resized *ret)
{
	char verb[48];

	snprintf(verb, sizeof(verb), "await-online-in %u %u", first_id, end_id);
	return mhp_guest_await_blocks(g, verb, nblocks, &ret->ids, &ret->nids,
				      "the guest to online the blocks plugged at boot");
}

int mhp_virtio_mem_deadline_passed(struct mhp_guest *g, const char *id, const struct mhp_resized *r, bool changed)
{
	snprintf(g->error, sizeof(g->error),
		 "virtio-mem device '%s' has %" PRIu64 " MiB plugged of the %" PRIu64 " MiB requested when the deadline passed%s",
		 id, r->size >> 20, r->requested >> 20,
		 changed ? " (the guest stopped short of it)" : " (no change at all: has the guest kernel the virtio_mem driver?)");
	return -ETIMEDOUT;
}
