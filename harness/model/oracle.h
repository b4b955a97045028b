/* The zone oracle: what the kernel must do with every memory block, from the
 * topology, the kernel version and its command line.  It keeps a model of
 * each node's zones (blocks and spans) that follows every plug, online,
 * offline and unplug, because the kernel's choice depends on what is already
 * there (mm/memory_hotplug.c zone_for_pfn_range(), identical in 6.1 and
 * 6.12; drivers/base/memory.c valid_zones_show()).
 *
 * The one public header of oracle.c (the model), oracle-zone.c (the zone
 * policy), oracle-boot.c (the boot layout), oracle-pages.c (page
 * accounting) and oracle-nodes.c (node states); model/oracle-internal.h is theirs alone. */
#ifndef MHP_ORACLE_H
#define MHP_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/observed.h"
#include "model/topology.h"

/* Kernel zones in the kernel's order; OFF for an offline block. */
enum mhp_zone {
	MHP_ZONE_OFF = 0,
	MHP_ZONE_DMA,
	MHP_ZONE_DMA32,
	MHP_ZONE_NORMAL,
	MHP_ZONE_MOVABLE,
	MHP_ZONE_MIXED, /* an online block spanning zones: valid_zones "none" */
};

const char *mhp_zone_name(enum mhp_zone z);
/* Parses a zone name as valid_zones prints it; OFF for "-" or unknown. */
enum mhp_zone mhp_zone_parse(const char *name);

struct mhp_oracle_block {
	unsigned id;
	unsigned node;        /* kernel node id */
	int dimm;             /* index of its DIMM, -1 for boot memory */
	enum mhp_zone zone;   /* OFF while offline */
	enum mhp_zone boot_zone; /* boot memory: its zone at boot (OFF for a DIMM's) */
	uint64_t unplugged;   /* virtio-mem: bytes of it the device holds unplugged (not managed) */
};

struct mhp_oracle {
	const struct mhp_topology *t;
	unsigned kver;            /* 601 for 6.1, 612 for 6.12 */
	uint64_t block_size;
	int auto_online;          /* what the guest's auto_online_blocks says: an MHP_ONLINE_* or -1 offline */
	bool no_zone_dma;         /* the kernel has no ZONE_DMA (tinyconfig): block 0 is all DMA32 */
	bool no_memmap_on_memory; /* the kernel lacks the parameter, or it is off: the knob does nothing */
	unsigned pageblock_order; /* 9 with HUGETLB (Debian), 10 without (tinyconfig); 0 = 9 */
	struct mhp_oracle_block *blocks;
	size_t nblocks;
	size_t blocks_cap;        /* room in blocks (lib/array.h) */
};

/* Online types as the kernel names them in sysfs. */
enum mhp_online_type {
	MHP_ONLINE = 0,     /* "online": the kernel picks the zone */
	MHP_ONLINE_KERNEL,
	MHP_ONLINE_MOVABLE,
};
/* -1 for "offline", else the type; -2 for an unknown word. */
int mhp_online_type_parse(const char *word);

/* Parses "6.1.0-56-amd64 (...)" into 601. 0 when it cannot. */
unsigned mhp_kernel_version_code(const char *release);

void mhp_oracle_init(struct mhp_oracle *o, const struct mhp_topology *t, unsigned kver, uint64_t block_size);
void mhp_oracle_release(struct mhp_oracle *o);

/* Boot memory as the oracle predicts it: block ids, nodes, zones (ZONE_MOVABLE
 * for nodes flagged hot-pluggable under movable_node, unless the node holds
 * early allocations: node 0 (kernel) and the node at the top of boot memory
 * (initrd, ACPI tables)); kernelcore=/movablecore= split as
 * find_zone_movable_pfns_for_nodes() does over QEMU's e820 RAM. */
void mhp_oracle_predict_boot(struct mhp_oracle *o);
/* Replaces the boot blocks with what the guest reported, so that later
 * predictions start from the real boot layout even where the boot prediction
 * was not scored or was wrong. */
void mhp_oracle_seed_boot(struct mhp_oracle *o, const struct mhp_guest_report *r);

/* A DIMM was plugged; its first block is first_id.  Its blocks are added,
 * offline, then onlined block by block if auto_online says so. */
void mhp_oracle_plug(struct mhp_oracle *o, unsigned dimm, unsigned first_id);
/* The zone that onlining block id with type gives, without changing the model. */
enum mhp_zone mhp_oracle_zone_for(const struct mhp_oracle *o, unsigned id, enum mhp_online_type type);
/* Onlines block id (the model changes); returns its zone. */
enum mhp_zone mhp_oracle_online(struct mhp_oracle *o, unsigned id, enum mhp_online_type type);
/* MHP_EXPECT_OK for a hot-added ZONE_MOVABLE block (or a boot one where
 * the kernel allocated nothing), FAIL for a boot block with holes, ANY
 * for kernel zones and the rest. */
enum mhp_expect mhp_oracle_offline_expect(const struct mhp_oracle *o, unsigned id);
void mhp_oracle_offline(struct mhp_oracle *o, unsigned id);
/* Removal succeeds for sure when every block is offline or ZONE_MOVABLE. */
enum mhp_expect mhp_oracle_unplug_expect(const struct mhp_oracle *o, unsigned dimm);
/* The DIMM is gone: its blocks leave the model. */
void mhp_oracle_unplug(struct mhp_oracle *o, unsigned dimm);

/* oracle-virtio-mem.c: a virtio-mem device whose region starts at block
 * first_id.  How many blocks it has now; whether a shrink to size must
 * give every block above it back (OK) or may keep some (ANY: kernel
 * zones); the device at size: blocks added from the bottom (and onlined
 * as auto_online says), removed from the top; after a shrink the guest
 * did in part, its blocks as the guest shows them, the part of them the
 * device no longer has plugged (QEMU's size says how much: the driver
 * fake-offlines unplugged sub-blocks, which leaves them out of the managed
 * pages) counted from the top block down. */
unsigned mhp_oracle_device_blocks(const struct mhp_oracle *o, unsigned dev);
enum mhp_expect mhp_oracle_shrink_expect(const struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t size);
void mhp_oracle_resize(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t size);
void mhp_oracle_resync_device(struct mhp_oracle *o, unsigned dev, unsigned first_id, uint64_t plugged,
			      const struct mhp_guest_report *r);

/* After a refused unplug the DIMM's blocks are where the kernel's partial
 * offline and re-online left them (not deterministic): take them from r. */
void mhp_oracle_resync_dimm(struct mhp_oracle *o, unsigned dimm, const struct mhp_guest_report *r);

/* valid_zones of block id as the kernel prints it, spaces made commas. */
void mhp_oracle_valid_zones(const struct mhp_oracle *o, unsigned id, char *buf, size_t size);
const struct mhp_oracle_block *mhp_oracle_block(const struct mhp_oracle *o, unsigned id);
/* Pages present and spanned in zone z of node, for a zone made of hot-added
 * blocks only (or empty).  -1 when boot memory is in it: its holes and
 * edges are the firmware's, and the check is not made. */
int mhp_oracle_zone_pages(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, int64_t *ret_present,
			  int64_t *ret_spanned);
/* What hot-added memory online in zone z of node adds to the zone: pages
 * present (whole blocks) and managed (less a memmap_on_memory memmap), and
 * the pfn range [lo_pfn, end_pfn) it spans (present 0: none). */
struct mhp_zone_hot {
	uint64_t present, managed, lo_pfn, end_pfn;
};
void mhp_oracle_zone_hot(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, struct mhp_zone_hot *ret);
/* Pages of node's boot memory (in zone z; OFF: in any) offlined since
 * boot: whole blocks, since a block with holes never goes offline. */
uint64_t mhp_oracle_boot_offline_pages(const struct mhp_oracle *o, unsigned node, enum mhp_zone z);
/* The span [lo, end) of zone z of node once boot memory in it went offline:
 * the hull of its online blocks (shrink_zone_span() walks to the next
 * online section), where the boot zone's first and last blocks count from
 * boot_lo and to rounded_end (the boot end, or its section's end once the
 * end moved).  false where the model cannot say (a kernelcore split). */
bool mhp_oracle_boot_span(const struct mhp_oracle *o, unsigned node, enum mhp_zone z, uint64_t boot_lo,
			  uint64_t boot_end, uint64_t rounded_end, uint64_t *ret_lo, uint64_t *ret_end);
/* Bytes by which hot-added, onlined memory grows node's MemTotal (the memmap
 * on the memory itself, where it applies, is not managed). */
uint64_t mhp_oracle_hot_managed_bytes(const struct mhp_oracle *o, unsigned node);

/* What the guest reports that the oracle does not predict, each with why
 * (oracle.c); a run records them as not scored, so that nothing reported
 * goes unscored silently.  NULL-terminated. */
struct mhp_unpredicted {
	const char *subject, *aspect, *reason;
};
extern const struct mhp_unpredicted mhp_oracle_unpredicted[];

/* x86_64's memory block size below 64 GiB of boot memory (drivers/base/
 * memory.c memory_block_size_bytes(), arch/x86/mm/init_64.c
 * probe_memory_block_size()). */
#define MHP_ORACLE_BLOCK_SIZE 0x8000000ull

/* oracle-nodes.c: the node state masks the kernel must show now (the
 * rules, with the kernel functions they come from, are there). */
void mhp_oracle_node_states(const struct mhp_oracle *o, struct mhp_node_states *ret);
/* Pages hot-added, onlined memory adds to node's present pages. */
uint64_t mhp_oracle_hot_present_pages(const struct mhp_oracle *o, unsigned node);

#endif
