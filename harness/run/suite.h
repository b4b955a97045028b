/* Running a list of topologies on one kernel, each into its own run
 * directory: what mhp run, mhp gate and mhp bisect share. */
#ifndef MHP_SUITE_H
#define MHP_SUITE_H

#include <stdbool.h>
#include <stdio.h>

#include "guest/modules.h"
#include "run/engine.h"
#include "model/result.h"
#include "model/topology.h"

struct mhp_suite {
	struct mhp_run_opts opts;
	const char *results;      /* where run directories go */
	char kernel_version[160]; /* from the bzImage header */
	char accel_reason[160];   /* why opts.accel */
	char deadlines[192];      /* how opts' deadlines were derived */
	struct mhp_guest_modules modules; /* --module, resolved for the kernel */
	struct mhp_guest_modules virtio_mem; /* what a virtio-mem topology adds (none when built in) */
};

/* Loads every topology first, so that bad input fails before any QEMU
 * starts; prints the error (FILE:LINE: field) and returns -EINVAL. */
int mhp_suite_load(int n, char *const paths[], struct mhp_topology *all);

/* Keeps in all[] only the topologies of shard k of n (those at positions
 * i with i % n == k, in order; the others released), their positions in
 * the whole list into index[]; returns how many are kept. */
unsigned mhp_suite_take_shard(struct mhp_topology *all, unsigned total, unsigned k, unsigned n, unsigned *index);

/* The default suite: every topologies/ *.json of the mhp source, sorted,
 * into a new vector. */
int mhp_suite_default(struct mhp_strv *paths);

/* results/<YYYYmmdd-HHMMSS>-<name>[-N], created 0755; NULL (said) on error. */
char *mhp_suite_mkdir(const char *results, const char *name);

/* A new run directory for t under su->results, results/latest pointed at
 * it; NULL (said) on error. */
char *mhp_suite_mkdir_latest(const struct mhp_suite *su, const struct mhp_topology *t);

/* Runs topology s into dir (which exists), writes its result.json and
 * junit.xml there, and fills *res (the caller releases it). */
void mhp_suite_run_in(const struct mhp_suite *su, const struct mhp_topology *s, const char *dir,
		      struct mhp_result *res);

/* What run, gate and bisect take from the command line to run a suite. */
#define MHP_SUITE_MAX_MODULES 16
struct mhp_suite_args {
	const char *accel;        /* auto, kvm or tcg */
	const char *results;
	const char *qemu;         /* NULL: qemu-system-x86_64 */
	const char *guest_init;   /* NULL: $MHP_GUEST_INIT, else the one built with mhp */
	const char *append;       /* more kernel command line, or NULL */
	unsigned timeout_s, boot_timeout_s; /* 0: calibrated (run/deadlines.h) */
	unsigned jobs;            /* guests at once; 0: one per CPU */
	bool no_snapshot;         /* boot every run cold */
	unsigned shard, shards;   /* --shard K/N: only the K-th of N slices (0 of 1: all) */
	bool sharded;             /* --shard was given */
	uint64_t snapshot_cap;    /* bytes of boot snapshots kept in the cache */
	const char *modules[MHP_SUITE_MAX_MODULES]; /* --module NAME: the guest init loads it */
	unsigned nmodules;
	const char *modules_dir;  /* --modules-dir: holds <release>/, NULL: /lib/modules */
	const char *backend;      /* --backend as given: qemu, libvirt or libvirt:URI */
	bool libvirt;             /* --backend libvirt[:URI] */
	const char *libvirt_uri;  /* its URI, NULL: an embedded driver */
};
#define MHP_DEFAULT_STEP_TIMEOUT_S 60
#define MHP_DEFAULT_BOOT_TIMEOUT_S 180
#define MHP_SUITE_ARGS_INIT { .accel = "auto", .results = "results", \
			      .snapshot_cap = 4ull << 30, .shards = 1 }

/* Their getopt_long entries; the values are MHP_OPT_*. */
enum {
	MHP_OPT_ACCEL = 0x100, MHP_OPT_RESULTS, MHP_OPT_TIMEOUT, MHP_OPT_BOOT_TIMEOUT, MHP_OPT_QEMU,
	MHP_OPT_GUEST_INIT, MHP_OPT_APPEND, MHP_OPT_NO_SNAPSHOT, MHP_OPT_SNAPSHOT_CAP, MHP_OPT_SHARD,
	MHP_OPT_MODULE, MHP_OPT_MODULES_DIR, MHP_OPT_BACKEND,
};
#define MHP_SUITE_OPTIONS                                                                                   \
	{ "accel", required_argument, NULL, MHP_OPT_ACCEL }, { "results", required_argument, NULL, MHP_OPT_RESULTS }, \
	{ "timeout", required_argument, NULL, MHP_OPT_TIMEOUT },                                             \
	{ "boot-timeout", required_argument, NULL, MHP_OPT_BOOT_TIMEOUT }, { "verbose", no_argument, NULL, 'v' }, \
	{ "parallel", required_argument, NULL, 'j' }, { "no-snapshot", no_argument, NULL, MHP_OPT_NO_SNAPSHOT },  \
	{ "snapshot-cap", required_argument, NULL, MHP_OPT_SNAPSHOT_CAP },                                    \
	{ "module", required_argument, NULL, MHP_OPT_MODULE }, { "modules-dir", required_argument, NULL, MHP_OPT_MODULES_DIR }, \
	{ "backend", required_argument, NULL, MHP_OPT_BACKEND }
/* run, gate and fuzz: --shard K/N. */
#define MHP_SUITE_SHARD_OPTION { "shard", required_argument, NULL, MHP_OPT_SHARD }
/* mhp run's more. */
#define MHP_SUITE_RUN_OPTIONS                                                                               \
	{ "qemu", required_argument, NULL, MHP_OPT_QEMU }, { "guest-init", required_argument, NULL, MHP_OPT_GUEST_INIT }, \
	{ "append", required_argument, NULL, MHP_OPT_APPEND }

/* Takes getopt_long's option o with its argument: 1 when it was one of the
 * above, 0 when not, -EINVAL (said why) for a bad value. */
int mhp_suite_option(int o, const char *arg, struct mhp_suite_args *a);

/* Fills su to run on kernel: checks that it is a bzImage (its version into
 * su->kernel_version), finds the guest init, resolves the accelerator.
 * Says what is wrong and returns -EINVAL on bad input. */
int mhp_suite_prepare(struct mhp_suite *su, const struct mhp_suite_args *a, const char *kernel);
/* What prepare allocated (the resolved modules). */
void mhp_suite_release(struct mhp_suite *su);

#endif
