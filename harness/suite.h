/* Running a list of topologies on one kernel, each into its own run
 * directory: what mhp run, mhp gate and mhp bisect share. */
#ifndef MHP_SUITE_H
#define MHP_SUITE_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "result.h"
#include "topology.h"

struct mhp_suite {
	struct mhp_run_opts opts;
	const char *results;      /* where run directories go */
	const char *kernel_version;
	FILE *ktap;               /* KTAP per topology goes there, or NULL */
};

/* Loads every topology first, so that bad input fails before any QEMU
 * starts; prints the error (FILE:LINE: field) and returns -EINVAL. */
int mhp_suite_load(int n, char *const paths[], struct mhp_topology *all);

/* The default suite: every topologies/ *.json of the mhp source, sorted,
 * into a new vector. */
int mhp_suite_default(struct mhp_strv *paths);

/* results/<YYYYmmdd-HHMMSS>-<name>[-N], created 0755; NULL (said) on error. */
char *mhp_suite_mkdir(const char *results, const char *name);

/* Runs topology s (number n in the KTAP plan) into a new directory under
 * su->results, writes its result.json and junit.xml, and fills *res (the
 * caller releases it).  -errno only when no run directory could be made. */
int mhp_suite_run_one(const struct mhp_suite *su, const struct mhp_topology *s, unsigned n, struct mhp_result *res);


/* What gate and bisect take from the command line to run a suite. */
struct mhp_suite_args {
	const char *accel;        /* auto, kvm or tcg */
	const char *results;
	unsigned timeout_s, boot_timeout_s;
};
#define MHP_SUITE_ARGS_INIT { "auto", "results", 60, 180 }

/* Fills su to run on kernel: checks that it is a bzImage (its version into
 * version[vsize]), finds the guest init, resolves the accelerator.  Says
 * what is wrong and returns -EINVAL on bad input. */
int mhp_suite_prepare(struct mhp_suite *su, const struct mhp_suite_args *a, const char *kernel, char *version,
		      size_t vsize);

#endif
