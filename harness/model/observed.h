/* What the guest observed: its memory blocks, per-node MemTotal, firmware
 * memmap and zones, as one report gives them.  Plain data: the guest layer
 * fills it from wire lines (guest/guest-report.c), the oracle and the
 * checks read it. */
#ifndef MHP_OBSERVED_H
#define MHP_OBSERVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mhp_block {
	unsigned id;
	uint64_t start;
	int node;             /* -1 when the guest found no node link */
	char state[16];       /* online, offline, going-offline, ... */
	char zone[32];        /* zone of an online block, "none" when mixed, "-" offline */
	char valid_zones[96]; /* comma-separated, as the kernel lists them */
	char removable[8];    /* sysfs removable, phys_device; "-" when not */
	char phys_device[8];  /* reported (a guest that does not read them) */
};

struct mhp_node_mem {
	unsigned id;
	uint64_t memtotal_kb;
};

struct mhp_memmap_entry {
	uint64_t start, end; /* inclusive end, as sysfs shows it */
	char type[32];       /* "System_RAM", "Reserved", ... (spaces made '_') */
};

struct mhp_zone_info {
	unsigned node;
	char name[16];
	uint64_t present, managed, spanned, start_pfn; /* pages, as /proc/zoneinfo */
};

/* The kernel's node state masks (node_states[]), bit n for node n, as
 * /sys/devices/system/node/{possible,online,has_memory,has_normal_memory,
 * has_cpu} list them. */
struct mhp_node_states {
	uint64_t possible, online, has_memory, has_normal_memory, has_cpu;
};

struct mhp_guest_report {
	struct mhp_block *blocks;
	size_t nblocks;
	struct mhp_node_mem *nodes;
	size_t nnodes;
	struct mhp_memmap_entry *memmap;
	size_t nmemmap;
	struct mhp_zone_info *zones;
	size_t nzones;
	struct mhp_node_states states;
	int has_states; /* 1 once "nodestates" was seen */
	/* /proc/iomem's top-level "System RAM" (type "System_RAM") and
	 * driver-added "System RAM (virtio_mem)" (type "virtio_mem") */
	struct mhp_memmap_entry *iomem;
	size_t niomem, iomem_cap;
	int64_t memtotal_kb; /* /proc/meminfo; -1 until "meminfo" is seen */
	size_t blocks_cap, nodes_cap, memmap_cap, zones_cap;
	int complete;   /* 1 once "end" was seen */
};
#define MHP_GUEST_REPORT_INIT { .memtotal_kb = -1 }

void mhp_guest_report_release(struct mhp_guest_report *r);

const struct mhp_block *mhp_guest_report_block(const struct mhp_guest_report *r, unsigned id);
/* The zone name of node, or NULL. */
const struct mhp_zone_info *mhp_guest_report_zone(const struct mhp_guest_report *r, unsigned node, const char *name);
/* The top-level /proc/iomem System RAM range that starts at start, or NULL. */
const struct mhp_memmap_entry *mhp_guest_report_iomem(const struct mhp_guest_report *r, uint64_t start);
/* The memmap entry that starts at start, or NULL. */
const struct mhp_memmap_entry *mhp_guest_report_memmap(const struct mhp_guest_report *r, uint64_t start);
/* Whether node has a directory in /sys/devices/system/node (a node line). */
bool mhp_guest_report_has_node(const struct mhp_guest_report *r, unsigned node);
/* Pages present in node's zones, from /proc/zoneinfo (0: none listed). */
uint64_t mhp_guest_report_present_pages(const struct mhp_guest_report *r, unsigned node);
/* MemTotal of node in kB, or -1 when the report has no such node. */
int64_t mhp_guest_report_memtotal_kb(const struct mhp_guest_report *r, unsigned node);

/* A kernel node list ("0-2,5", "" or "-" for none) into a mask of nodes
 * 0-63: 0, or -EINVAL for anything else (naming a node beyond 63 too). */
int mhp_nodelist_parse(const char *s, uint64_t *ret_mask);
/* The mask as the kernel prints a node list ("0-2,5"); "-" for none. */
void mhp_nodelist_format(uint64_t mask, char *buf, size_t size);

#endif
