/* The topology model: a small machine (NUMA nodes with CPUs, boot memory,
 * proximity domains, SRAT hot-pluggable flags; DIMM slots), the DIMMs it may
 * plug, the kernel's hotplug knobs, and the steps to run.  Expectations come
 * from the oracle; a step may state its own, which then wins.  Parsed from
 * JSON (comments allowed) with json-c (topology-parse.c, the JSON shape in
 * topology-schema.c), validated on the struct alone (topology-validate.c, so
 * a generator can build one without JSON), written back (topology-write.c);
 * the memory geometry it implies is topology-geometry.c.
 *
 * Source lines: a parsed struct records the line of each element and of
 * every field validation may complain about, so its messages name FILE:LINE;
 * in a struct built in code they are 0, and messages name the element
 * instead ("dimms[2].addr"). */
#ifndef MHP_TOPOLOGY_H
#define MHP_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/util.h"

#define MHP_MAX_NODES 8
#define MHP_MAX_DIMMS 32
#define MHP_MAX_STEPS 128
#define MHP_ID_MAX 32

/* Boot memory of all nodes stays below this, so it sits in one range below
 * the PCI hole on pc and q35 alike (no 4 GiB split to model). */
#define MHP_MAX_BOOT_MEMORY (2560ull << 20)
#define MHP_BLOCK_SIZE ((uint64_t)128 << 20) /* x86_64 below 64 GiB of boot memory */

struct mhp_node {
	uint64_t memory;   /* boot memory, bytes; 0 for a memoryless node */
	unsigned cpus;
	unsigned pxm;      /* proximity domain in SRAT (default: node index) */
	bool hotpluggable; /* SRAT flags its boot range hot-pluggable */
	int line;          /* source line of the entry (its first key) */
	struct {
		int memory, cpus, pxm, hotpluggable;
	} lines;
};

/* Kernel command-line knobs the oracle understands. */
struct mhp_kernel_knobs {
	bool movable_node;
	char default_state[16];   /* memhp_default_state=, "" = kernel default */
	char online_policy[16];   /* memory_hotplug.online_policy=, "" = contig-zones */
	unsigned auto_movable_ratio; /* memory_hotplug.auto_movable_ratio=, 0 = unset */
	bool memmap_on_memory;    /* memory_hotplug.memmap_on_memory=1 */
	uint64_t kernelcore;      /* kernelcore=, 0 = unset */
	uint64_t movablecore;     /* movablecore=, 0 = unset */
	struct {
		int default_state, online_policy, auto_movable_ratio;
	} lines;
};

/* A memory device: an ACPI DIMM (pc-dimm, plugged and unplugged by steps)
 * or a virtio-mem device (on QEMU's command line from the start, resized by
 * steps: QEMU 7.2 cannot hot-add one). */
enum mhp_device_kind {
	MHP_DEVICE_DIMM = 0,
	MHP_DEVICE_VIRTIO_MEM,
};
#define MHP_VIRTIO_MEM_BLOCK_SIZE (2ull << 20) /* QEMU's default: the THP size */
#define MHP_VIRTIO_MEM_SUB_BLOCK (4ull << 20)  /* the guest driver's smallest sub-block */

struct mhp_dimm {
	char id[MHP_ID_MAX];
	enum mhp_device_kind kind;
	uint64_t size;  /* a DIMM's size; a virtio-mem device's max_size (its region) */
	unsigned node;
	uint64_t addr; /* 0: QEMU picks */
	int pxm;       /* _PXM its slot reports through a regenerated DSDT; -1: QEMU's (= node) */
	uint64_t requested_size; /* virtio-mem: what the guest is asked to plug at boot */
	uint64_t block_size;     /* virtio-mem: the device block size */
	int line;      /* source line of the entry (its first key) */
	struct {
		int id, kind, size, node, addr, pxm, requested_size, block_size;
	} lines;
};

/* Error value 0, so a zeroed step is never mistaken for a real one. */
enum mhp_step_kind {
	MHP_STEP_INVALID = 0,
	MHP_STEP_PLUG,
	MHP_STEP_ONLINE,
	MHP_STEP_OFFLINE,
	MHP_STEP_UNPLUG,
	MHP_STEP_CHECK, /* compare every block and node with the oracle */
	MHP_STEP_FILL,    /* patterned data bound to the DIMM's node */
	MHP_STEP_VERIFY,  /* every byte of it, after the DIMM went */
	MHP_STEP_CORRUPT, /* debug: flip one byte of it */
	MHP_STEP_SYSRQ,   /* debug: write a key to /proc/sysrq-trigger ("c": panic) */
	MHP_STEP_PIN,     /* unmovable kernel memory on the DIMM's node */
	MHP_STEP_OFFLINE_BOOT, /* offline every boot block of a node */
	MHP_STEP_RESIZE,  /* a virtio-mem device's requested size */
};
#define MHP_STEP_LAST MHP_STEP_RESIZE

/* What a step must end in; ANY where the kernel's behaviour is not
 * deterministic (offlining ZONE_NORMAL): then the step is not scored. */
enum mhp_expect {
	MHP_EXPECT_DEFAULT = 0, /* as the oracle says */
	MHP_EXPECT_OK,          /* online/offline succeed, unplug removes */
	MHP_EXPECT_FAIL,        /* online/offline fail, unplug is refused */
	MHP_EXPECT_ANY,
};

struct mhp_step {
	enum mhp_step_kind kind;
	unsigned dimm;          /* index into dimms */
	unsigned node;          /* OFFLINE_BOOT: index into nodes */
	char online_type[16];   /* online, online_kernel, online_movable (ONLINE) */
	char expect_zone[16];   /* ONLINE: zone every block must land in ("" = none) */
	char expect_valid[96];  /* PLUG: expected valid_zones of each new offline block */
	bool expect_online;     /* PLUG: blocks auto-onlined by the kernel */
	bool has_expect_online;
	enum mhp_expect expect; /* ONLINE, OFFLINE, UNPLUG */
	uint64_t blocks;        /* ONLINE, OFFLINE: bit i = the DIMM's i-th block; 0 = all */
	uint64_t size;          /* FILL: bytes of data; PIN: bytes of slab; RESIZE: the new size */
	unsigned min_share;     /* FILL: percent of its pages that must sit on the DIMM */
	char sysrq;             /* SYSRQ: the key */
	unsigned timeout_ms;    /* OFFLINE: the guest's deadline per block; 0 = --timeout */
	int line;               /* source line of the action key, for messages */
	struct {
		int type, expect, expect_zone, blocks, size, min_share, timeout_ms;
	} lines;
};

struct mhp_topology {
	char *name;
	char *description; /* NULL when the file has none */
	char *path;
	char machine[8]; /* pc or q35 */
	bool one_socket; /* all CPUs in one socket ("sockets": "one"), else one each */
	unsigned nr_nodes;
	struct mhp_node nodes[MHP_MAX_NODES];
	unsigned slots;
	uint64_t maxmem;
	uint64_t interleave; /* chunk size of interleaved node ranges, 0 = none */
	unsigned nr_dimms;
	struct mhp_dimm dimms[MHP_MAX_DIMMS];
	struct mhp_kernel_knobs kernel;
	bool srat;           /* generate and install our own SRAT */
	unsigned srat_oem_revision; /* 2; 1 (= QEMU's) makes the kernel ignore it */
	bool dsdt;           /* regenerate QEMU's DSDT (a DIMM has a pxm): DIMM i sits in slot i */
	struct mhp_strv cmdline; /* knobs as words (mhp_kernel_knob_words), then the file's extra words */
	unsigned nr_steps;
	struct mhp_step steps[MHP_MAX_STEPS];
	struct {
		int name, machine, nodes, slots, maxmem, interleave, cmdline, srat, oem_revision;
	} lines;
};

/* Parses the topology file at path.  On failure returns -EINVAL (or -errno
 * when the file cannot be read) and writes "FILE:LINE: field 'F': problem"
 * into err. */
int mhp_topology_load(struct mhp_topology *s, const char *path, char *err, size_t errsize);
/* Same, from text already in memory (path is used in messages only). */
int mhp_topology_parse(struct mhp_topology *s, const char *path, const char *text, char *err, size_t errsize);
void mhp_topology_release(struct mhp_topology *s);

/* The semantic checks (addresses, sizes, slots, knob values, step order...)
 * on the struct alone; a parsed struct has passed them already.  0, or
 * -EINVAL with "PATH:LINE: field 'F': problem" in err, where a field has no
 * line (0: built in code) "PATH: field 'dimms[2].addr': problem" (PATH:
 * path, or "(no file)" when NULL). */
int mhp_topology_validate(const struct mhp_topology *t, const char *path, char *err, size_t errsize);

/* The topology as a file (JSON, sizes as "512M"), into a new string *ret_text:
 * parsing it gives the same struct, source lines and path aside.  -EINVAL
 * for a step of no kind or on a DIMM that does not exist. */
int mhp_topology_write(const struct mhp_topology *t, char **ret_text);
/* Whether a and b hold the same topology, field by field, source lines and
 * path aside; if not, the first field that differs ("dimms[1].addr") goes
 * into what (may be NULL). */
bool mhp_topology_equal(const struct mhp_topology *a, const struct mhp_topology *b, char *what, size_t whatsize);

/* The kernel command-line words the knobs make, in the order they lead
 * cmdline; returns how many it pushed onto out. */
size_t mhp_kernel_knob_words(const struct mhp_kernel_knobs *k, struct mhp_strv *out);
/* Whether the nodes or the interleave need a generated SRAT (a pxm other
 * than the node index, a hot-pluggable flag, interleaved ranges). */
bool mhp_topology_needs_srat(const struct mhp_topology *t);
/* Whether a node has proximity domain pxm. */
bool mhp_topology_has_pxm(const struct mhp_topology *t, unsigned pxm);
/* Whether a DIMM has a pxm of its own, which only a regenerated DSDT gives. */
bool mhp_topology_needs_dsdt(const struct mhp_topology *t);

uint64_t mhp_topology_boot_memory(const struct mhp_topology *s);
struct mhp_range {
	uint64_t start, size;
};

/* Boot memory ranges of node i, in address order, into out (at most max);
 * returns how many.  Boot RAM is dealt from address 0 in node order: whole
 * nodes, or with "interleave" chunks of that size round-robin among the
 * nodes that still have memory to place. */
size_t mhp_topology_node_ranges(const struct mhp_topology *s, unsigned node, struct mhp_range *out, size_t max);
/* The node whose range ends boot RAM (where the initrd and ACPI tables go). */
unsigned mhp_topology_top_node(const struct mhp_topology *s);
/* QEMU's device-memory (hotplug) window: it starts at 4 GiB here, and is
 * maxmem - boot memory plus 1 GiB of alignment slack per slot (pc, q35). */
uint64_t mhp_topology_hotplug_base(const struct mhp_topology *s);
uint64_t mhp_topology_hotplug_size(const struct mhp_topology *s);
/* The kernel node of topology node i: nodes appear in SRAT with CPUs first
 * (in node order), then the CPU-less ones; the kernel numbers them in order
 * of appearance. */
unsigned mhp_topology_kernel_node(const struct mhp_topology *t, unsigned i);
/* Whether some node of the topology is kernel node n. */
bool mhp_topology_has_kernel_node(const struct mhp_topology *t, unsigned n);
/* The kernel node a DIMM lands on: the node whose proximity domain equals
 * its _PXM: the DIMM's pxm (regenerated DSDT), else its QEMU node index,
 * which is what QEMU's DSDT reports.  -1 if none. */
int mhp_topology_dimm_node(const struct mhp_topology *t, unsigned dimm);
/* The ACPI slot of DIMM device i: DIMMs are numbered in file order and
 * virtio-mem devices, which take no slot, are skipped. */
unsigned mhp_topology_dimm_slot(const struct mhp_topology *t, unsigned dimm);
/* Whether a virtio-mem device is asked for memory at boot. */
bool mhp_topology_plugs_at_boot(const struct mhp_topology *t);

/* A step's action key in the file ("plug"); "invalid" for none. */
const char *mhp_step_kind_name(enum mhp_step_kind k);
/* Whether a step of kind k acts on a DIMM (its dimm field means something). */
bool mhp_step_kind_has_dimm(enum mhp_step_kind k);
/* "dimm" or "virtio-mem", as the file says it. */
const char *mhp_device_kind_name(enum mhp_device_kind k);
/* Whether the topology has a virtio-mem device. */
bool mhp_topology_has_virtio_mem(const struct mhp_topology *t);

#endif
