/* The oracle's model: the blocks of every node with their zones, changed by
 * plug, online, offline and unplug as the kernel changes them, and what
 * offline and unplug must give.  The zone an online gives is the policy's
 * (oracle-zone.c), the boot blocks the boot layout's (oracle-boot.c), the
 * pages the accounting's (oracle-pages.c); model/oracle-internal.h holds
 * what they share. */
#include "model/oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-init/wire.h"
#include "lib/array.h"
#include "model/oracle-internal.h"

/* ------------------------------------------------------------ names */

/* The oracle's own words, for what is no kernel zone: an offline block
 * ("-", as the guest reports it) and an online block across zones
 * (valid_zones_show() prints "none"). */
#define ZONE_OFF_NAME "-"
#define ZONE_MIXED_NAME "none"

/* mhp_wire_zone_names[] has the kernel's zones in the kernel's order, as
 * enum mhp_zone has them from MHP_ZONE_DMA to MHP_ZONE_MOVABLE. */
#define NR_KERNEL_ZONES (MHP_ZONE_MOVABLE - MHP_ZONE_DMA + 1)

const char *mhp_zone_name(enum mhp_zone z)
{
	if (z == MHP_ZONE_OFF)
		return ZONE_OFF_NAME;
	if (z == MHP_ZONE_MIXED)
		return ZONE_MIXED_NAME;
	if (z >= MHP_ZONE_DMA && z <= MHP_ZONE_MOVABLE)
		return mhp_wire_zone_names[z - MHP_ZONE_DMA];
	return "?";
}

enum mhp_zone mhp_zone_parse(const char *name)
{
	int i = mhp_wire_lookup(mhp_wire_zone_names, name);

	if (i >= 0 && i < NR_KERNEL_ZONES)
		return (enum mhp_zone)(MHP_ZONE_DMA + i);
	return strcmp(name, ZONE_MIXED_NAME) ? MHP_ZONE_OFF : MHP_ZONE_MIXED;
}

_Static_assert(sizeof(mhp_wire_online_types) / sizeof(mhp_wire_online_types[0]) == MHP_ONLINE_MOVABLE + 2,
	       "mhp_wire_online_types[] is enum mhp_online_type's words, then NULL");

int mhp_online_type_parse(const char *word)
{
	int type = mhp_wire_lookup(mhp_wire_online_types, word);

	if (type >= 0)
		return type;
	return !strcmp(word, "offline") ? -1 : -2;
}

unsigned mhp_kernel_version_code(const char *release)
{
	unsigned major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2 || minor > 99)
		return 0;
	return major * 100 + minor;
}

/* ------------------------------------------------------------ the model */

void mhp_oracle_init(struct mhp_oracle *o, const struct mhp_topology *t, unsigned kver, uint64_t block_size)
{
	memset(o, 0, sizeof(*o));
	o->t = t;
	o->kver = kver;
	o->block_size = block_size;
	o->auto_online = -1;
}

void mhp_oracle_release(struct mhp_oracle *o)
{
	free(o->blocks);
	o->blocks = NULL;
	o->nblocks = 0;
	o->blocks_cap = 0;
}

struct mhp_oracle_block *mhp_oracle_find(const struct mhp_oracle *o, unsigned id)
{
	for (size_t i = 0; i < o->nblocks; i++)
		if (o->blocks[i].id == id)
			return &o->blocks[i];
	return NULL;
}

const struct mhp_oracle_block *mhp_oracle_block(const struct mhp_oracle *o, unsigned id)
{
	return mhp_oracle_find(o, id);
}

void mhp_oracle_add_block(struct mhp_oracle *o, struct mhp_oracle_block b)
{
	MHP_ARRAY_PUSH(o->blocks, o->nblocks, o->blocks_cap) = b;
}

void mhp_oracle_drop_blocks(struct mhp_oracle *o, bool (*drop)(const struct mhp_oracle_block *, int), int arg)
{
	size_t k = 0;

	for (size_t i = 0; i < o->nblocks; i++)
		if (!drop(&o->blocks[i], arg))
			o->blocks[k++] = o->blocks[i];
	o->nblocks = k;
}

enum mhp_zone mhp_oracle_observed_zone(const struct mhp_block *seen)
{
	return strcmp(seen->state, "online") ? MHP_ZONE_OFF : mhp_zone_parse(seen->zone);
}

/* ------------------------------------------------------------ state changes */

void mhp_oracle_plug(struct mhp_oracle *o, unsigned dimm, unsigned first_id)
{
	unsigned n = (unsigned)(o->t->dimms[dimm].size / o->block_size);
	int node = mhp_topology_dimm_node(o->t, dimm);

	for (unsigned i = 0; i < n; i++)
		mhp_oracle_add_block(o, (struct mhp_oracle_block){ first_id + i, node < 0 ? 0 : (unsigned)node,
								   (int)dimm, MHP_ZONE_OFF, MHP_ZONE_OFF, 0 });
	/* add_memory_resource() onlines the new blocks in address order. */
	for (unsigned i = 0; o->auto_online >= 0 && i < n; i++)
		mhp_oracle_online(o, first_id + i, (enum mhp_online_type)o->auto_online);
}

enum mhp_zone mhp_oracle_online(struct mhp_oracle *o, unsigned id, enum mhp_online_type type)
{
	struct mhp_oracle_block *b = mhp_oracle_find(o, id);
	enum mhp_zone z = mhp_oracle_zone_for(o, id, type);

	if (b)
		b->zone = z;
	return z;
}

void mhp_oracle_offline(struct mhp_oracle *o, unsigned id)
{
	struct mhp_oracle_block *b = mhp_oracle_find(o, id);

	if (b)
		b->zone = MHP_ZONE_OFF;
}

static bool of_dimm(const struct mhp_oracle_block *b, int dimm)
{
	return b->dimm == dimm;
}

void mhp_oracle_unplug(struct mhp_oracle *o, unsigned dimm)
{
	mhp_oracle_drop_blocks(o, of_dimm, (int)dimm);
}

void mhp_oracle_resync_dimm(struct mhp_oracle *o, unsigned dimm, const struct mhp_guest_report *r)
{
	for (size_t i = 0; i < o->nblocks; i++) {
		struct mhp_oracle_block *b = &o->blocks[i];
		const struct mhp_block *seen = mhp_guest_report_block(r, b->id);

		if (b->dimm == (int)dimm && seen)
			b->zone = mhp_oracle_observed_zone(seen);
	}
}

/* ------------------------------------------------------------ outcomes */

/* Only ZONE_MOVABLE holds movable pages alone, so its blocks must offline
 * (mm/memory_hotplug.c offline_pages() migrates them); a kernel zone's may
 * hold unmovable pages and fail with EBUSY. */
enum mhp_expect mhp_oracle_offline_expect(const struct mhp_oracle *o, unsigned id)
{
	const struct mhp_oracle_block *b = mhp_oracle_find(o, id);

	if (!b || b->zone == MHP_ZONE_OFF)
		return MHP_EXPECT_OK;
	/* offline_pages() refuses a block with holes ("memory holes"): boot
	 * blocks where the e820 has no RAM (page 0, the BIOS area, the
	 * firmware's top 128K). */
	if (b->dimm < 0 && mhp_oracle_present_bytes(o, b) < o->block_size)
		return MHP_EXPECT_FAIL;
	/* Boot ZONE_MOVABLE is sure only where the kernel allocated nothing at
	 * boot (a hot-pluggable node under movable_node); kernelcore='s and
	 * movablecore='s may hold boot allocations, which never move. */
	if (b->zone == MHP_ZONE_MOVABLE && (b->dimm >= 0 || mhp_oracle_boot_movable_node(o, b->node)))
		return MHP_EXPECT_OK;
	return MHP_EXPECT_ANY;
}

/* The ACPI eject offlines every block of the DIMM before it removes it
 * (drivers/acpi/scan.c acpi_scan_hot_remove()): sure only when each one would. */
enum mhp_expect mhp_oracle_unplug_expect(const struct mhp_oracle *o, unsigned dimm)
{
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct mhp_oracle_block *b = &o->blocks[i];

		if (b->dimm == (int)dimm && b->zone != MHP_ZONE_OFF && b->zone != MHP_ZONE_MOVABLE)
			return MHP_EXPECT_ANY;
	}
	return MHP_EXPECT_OK;
}

/* The boot values themselves.  Later values are predicted from them (a
 * hot-added range appears and goes, a zone grows by what comes online in
 * it), but what they are at boot is the firmware's and the kernel's own
 * bookkeeping, not hotplug's. */
const struct mhp_unpredicted mhp_oracle_unpredicted[] = {
	{ "firmware memmap", "boot entries",
	  "QEMU's e820 as the firmware hands it over; scored: the hot-added ranges that come and go in it" },
	{ "/proc/iomem", "boot System RAM",
	  "the e820's RAM less what the kernel trims early (page 0, the BIOS area); scored: the hot-added ranges" },
	{ "node and zone", "boot MemTotal and managed pages",
	  "what the kernel reserved while booting (memmap, page tables, per-CPU areas, the initrd) is not "
	  "modelled; scored: every later value, as the boot's plus what hotplug adds" },
	{ NULL, NULL, NULL },
};
