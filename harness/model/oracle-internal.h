/* Internal to the oracle's four files, not for its callers (they include
 * model/oracle.h, the one public header):
 *   oracle.c        the model: blocks, plug/online/offline/unplug, lookups,
 *                   the expected outcomes of offline and unplug
 *   oracle-zone.c   the zone policy: which zone an online type gives a block
 *   oracle-boot.c   the boot layout: e820, nodes, SRAT, kernelcore=/movablecore=
 *   oracle-pages.c  page accounting: present, spanned and managed pages
 *   oracle-nodes.c  node states: possible, online, has_memory, ...
 * What one of them needs of another is declared here. */
#ifndef MHP_ORACLE_INTERNAL_H
#define MHP_ORACLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/observed.h"
#include "model/oracle.h"
#include "model/topology.h"

#define PAGE_SIZE_BYTES 4096
#define PFN(x) ((x) / PAGE_SIZE_BYTES)

/* oracle.c: block id's entry in the model, or NULL. */
struct mhp_oracle_block *mhp_oracle_find(const struct mhp_oracle *o, unsigned id);
void mhp_oracle_add_block(struct mhp_oracle *o, struct mhp_oracle_block b);
/* Removes the blocks for which drop(block, arg) is true. */
void mhp_oracle_drop_blocks(struct mhp_oracle *o, bool (*drop)(const struct mhp_oracle_block *, int), int arg);
/* The zone of a block the guest reported: its zone when online, else OFF. */
enum mhp_zone mhp_oracle_observed_zone(const struct mhp_block *seen);

/* A block spanning DMA and DMA32 (block 0) counts for both spans. */
static inline bool mhp_oracle_in_zone(const struct mhp_oracle_block *b, enum mhp_zone z)
{
	return b->zone == z || (b->zone == MHP_ZONE_MIXED && (z == MHP_ZONE_DMA || z == MHP_ZONE_DMA32));
}

/* oracle-boot.c: usable RAM (memblock.memory) of range r in pages, as QEMU's
 * e820 gives it: at most two [start, end) pfn ranges into out; their number. */
size_t mhp_oracle_usable_pfn_ranges(const struct mhp_topology *t, struct mhp_range r, uint64_t out[][2]);

/* oracle-boot.c: whether kernel_node's boot memory is all ZONE_MOVABLE
 * because SRAT flags it hot-pluggable under movable_node (then the kernel
 * made no boot allocation in it). */
bool mhp_oracle_boot_movable_node(const struct mhp_oracle *o, unsigned kernel_node);

/* oracle-virtio-mem.c: what virtio-mem device dev adds and removes at once
 * (a memory block in Sub Block Mode, a big block in Big Block Mode), also
 * its dynamic memory group's unit. */
uint64_t mhp_oracle_device_unit(const struct mhp_oracle *o, unsigned dev);

/* oracle-pages.c: present bytes of a block (boot blocks lose the e820's holes). */
uint64_t mhp_oracle_present_bytes(const struct mhp_oracle *o, const struct mhp_oracle_block *b);

#endif
