/* The scenario model: a small machine (NUMA nodes with boot memory, DIMM
 * slots), the DIMMs it may plug, extra kernel command-line words, and the
 * steps to run with their expectations.  Parsed from JSON with json-c; the
 * topology language of a later issue grows out of this model. */
#ifndef MHP_SCENARIO_H
#define MHP_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define MHP_MAX_NODES 8
#define MHP_MAX_DIMMS 32
#define MHP_MAX_STEPS 128
#define MHP_ID_MAX 32

struct mhp_node {
	uint64_t memory; /* boot memory, bytes */
	unsigned cpus;
};

struct mhp_dimm {
	char id[MHP_ID_MAX];
	uint64_t size;
	unsigned node;
	uint64_t addr; /* 0: QEMU picks */
};

/* Error value 0, so a zeroed step is never mistaken for a real one. */
enum mhp_step_kind {
	MHP_STEP_INVALID = 0,
	MHP_STEP_PLUG,
	MHP_STEP_ONLINE,
	MHP_STEP_OFFLINE,
	MHP_STEP_UNPLUG,
};

struct mhp_step {
	enum mhp_step_kind kind;
	unsigned dimm;          /* index into dimms */
	char online_type[16];   /* online, online_kernel, online_movable (ONLINE) */
	char expect_zone[16];   /* ONLINE: zone every block must land in ("" = none) */
	char expect_valid[96];  /* PLUG: expected valid_zones of each new offline block */
	bool expect_online;     /* PLUG: blocks auto-onlined by the kernel */
	int line;               /* source line, for messages */
};

struct mhp_scenario {
	char *name;
	char *path;
	char machine[8]; /* pc or q35 */
	unsigned nr_nodes;
	struct mhp_node nodes[MHP_MAX_NODES];
	unsigned slots;
	uint64_t maxmem;
	unsigned nr_dimms;
	struct mhp_dimm dimms[MHP_MAX_DIMMS];
	struct mhp_strv cmdline;
	unsigned nr_steps;
	struct mhp_step steps[MHP_MAX_STEPS];
};

/* Parses the scenario file at path.  On failure returns -EINVAL (or -errno
 * when the file cannot be read) and writes "FILE:LINE: field 'F': problem"
 * into err. */
int mhp_scenario_load(struct mhp_scenario *s, const char *path, char *err, size_t errsize);
/* Same, from text already in memory (path is used in messages only). */
int mhp_scenario_parse(struct mhp_scenario *s, const char *path, const char *text, char *err, size_t errsize);
void mhp_scenario_release(struct mhp_scenario *s);

uint64_t mhp_scenario_boot_memory(const struct mhp_scenario *s);
const char *mhp_step_kind_name(enum mhp_step_kind k);

#endif
