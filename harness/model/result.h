/* The outcome of one topology run: every check with expected and observed
 * values, the phases with their durations, and the verdict.
 *
 * A check is structured: the step it belongs to (index and kind, the device
 * it acted on), its subject (block 32, node 1, node 1 Normal) and its aspect
 * (zone, valid_zones, MemTotal kB, outcome).  Its display name is built from
 * those, whole: "step 3 online dimm0: block 32 zone"; the gate and bisect's
 * --check compare the fields. */
#ifndef MHP_RESULT_H
#define MHP_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/util.h"

enum mhp_status {
	MHP_STATUS_PASS = 0,
	MHP_STATUS_FAIL,
	MHP_STATUS_SKIP,
};

struct mhp_check {
	char *name;      /* the display name, built from the fields below */
	unsigned step;   /* 1-based step the check belongs to; 0: boot, or none */
	char *kind;      /* "plug", "online", ... for a step; "boot", "poweroff",
			    "kernel health" outside the steps; NULL: none */
	char *device;    /* the DIMM the step acted on, or NULL */
	char *subject;   /* "block 32", "node 1", "node 1 Normal", or NULL */
	char *aspect;    /* what of the subject: "zone", "state", "outcome" */
	char *expected;
	char *observed;
	enum mhp_status status;
	bool outcome;    /* a SKIP that records an outcome the oracle does not
			    score (an "expect": "any" unplug, a kernel-zone offline):
			    what the checks after it see depends on it */
};

/* Deep copy of src into dst, its name rendered from the fields. */
void mhp_check_copy(struct mhp_check *dst, const struct mhp_check *src);
void mhp_check_release(struct mhp_check *c);
/* Whether a and b are the same check (of two runs): same fields. */
bool mhp_check_same(const struct mhp_check *a, const struct mhp_check *b);
/* Whether c matches spec: "field=value[,field=value...]" with fields step,
 * kind, device, subject, aspect (all must match), else a substring of the
 * display name. */
bool mhp_check_matches(const struct mhp_check *c, const char *spec);

struct mhp_phase {
	char *name;
	uint64_t duration_ns;
};

struct mhp_result {
	char *topology;
	char *kernel;         /* path */
	char *kernel_version; /* from the bzImage header */
	char *guest_release;  /* uname -r in the guest, once it said hello */
	char *qemu_version;
	char *accel;
	char *deadlines;      /* the boot and step deadlines, and how derived */
	char *boot;           /* how the guest came up: cold, or restored from a
				 boot snapshot (which, made by whom), and the
				 knobs set at run time */
	struct mhp_check *checks;
	size_t nchecks, checks_cap;
	struct mhp_phase *phases;
	size_t nphases, phases_cap;
	char *phase;          /* phase in progress; on failure, the failing one */
	unsigned step;        /* step in progress (1-based), 0 outside the steps */
	char *step_kind;      /* what the checks recorded now belong to */
	char *step_device;
	uint64_t phase_start_ns;
	char *error;          /* why the run could not go on, or NULL */
	bool interrupted;     /* stopped by SIGINT/SIGTERM */
	uint64_t start_ns, duration_ns;
};

void mhp_result_init(struct mhp_result *r, const char *topology);
void mhp_result_release(struct mhp_result *r);

/* Ends the running phase (recording its duration) and starts a new one. */
void mhp_result_phase(struct mhp_result *r, const char *fmt, ...) MHP_FORMAT(2, 3);
/* Ends the running phase; the run is over. */
void mhp_result_finish(struct mhp_result *r);

/* Checks recorded from now on belong to step (1-based; 0: to none) of kind
 * (NULL: no prefix), acting on device (or NULL). */
void mhp_result_step(struct mhp_result *r, unsigned step, const char *kind, const char *device);

/* Records a check of subject (may be NULL) and aspect in the current step:
 * pass when expected equals observed.  Returns the status. */
enum mhp_status mhp_result_check(struct mhp_result *r, const char *subject, const char *aspect,
				 const char *expected, const char *observed);
/* The same with a verdict the caller computed (thresholds). */
enum mhp_status mhp_result_checkb(struct mhp_result *r, const char *subject, const char *aspect,
				  const char *expected, const char *observed, bool pass);
/* Records a check that is not scored, with the reason as observed value. */
void mhp_result_skip(struct mhp_result *r, const char *subject, const char *aspect, const char *reason);
/* Records an outcome the oracle allows either way (kernel-zone unplug or
 * offline): not scored, but the gate compares what follows it only when both
 * kernels took the same outcome. */
void mhp_result_outcome(struct mhp_result *r, const char *subject, const char *aspect, const char *outcome);
/* Appends a check as it is (fields copied), e.g. one read back from disk. */
void mhp_result_add(struct mhp_result *r, const struct mhp_check *c);
/* Records the error that stopped the run (first one wins); the phase stays. */
void mhp_result_error(struct mhp_result *r, const char *fmt, ...) MHP_FORMAT(2, 3);

/* PASS when every check passed and nothing went wrong; SKIP when there is
 * nothing scored and no error; FAIL otherwise. */
enum mhp_status mhp_result_verdict(const struct mhp_result *r);
size_t mhp_result_count(const struct mhp_result *r, enum mhp_status st);

#endif
