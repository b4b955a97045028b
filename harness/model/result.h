/* The outcome of one topology run: every check with expected and observed
 * values, the phases with their durations, and the verdict. */
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
	char *name;
	char *expected;
	char *observed;
	enum mhp_status status;
	unsigned step;   /* 1-based step the check belongs to; 0: boot, or none */
	bool outcome;    /* a SKIP that records an outcome the oracle does not
			    score (an "expect": "any" unplug, a kernel-zone offline):
			    what the checks after it see depends on it */
};

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
	struct mhp_check *checks;
	size_t nchecks;
	struct mhp_phase *phases;
	size_t nphases;
	char *phase;          /* phase in progress; on failure, the failing one */
	unsigned step;        /* step in progress (1-based), 0 outside the steps */
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

/* Records a check: pass when expected equals observed. Returns the status. */
enum mhp_status mhp_result_check(struct mhp_result *r, const char *name, const char *expected,
				 const char *observed);
/* Records a check whose verdict the caller computed (thresholds). */
enum mhp_status mhp_result_checkb(struct mhp_result *r, const char *name, const char *expected,
				  const char *observed, bool pass);
/* Records a check that is not scored, with the reason as observed value. */
void mhp_result_skip(struct mhp_result *r, const char *name, const char *reason);
/* Records an outcome the oracle allows either way (kernel-zone unplug or
 * offline): not scored, but the gate compares what follows it only when both
 * kernels took the same outcome. */
void mhp_result_outcome(struct mhp_result *r, const char *name, const char *outcome);
/* Checks recorded from now on belong to step (1-based; 0: to no step). */
void mhp_result_step(struct mhp_result *r, unsigned step);
/* Records the error that stopped the run (first one wins); the phase stays. */
void mhp_result_error(struct mhp_result *r, const char *fmt, ...) MHP_FORMAT(2, 3);

/* PASS when every check passed and nothing went wrong; SKIP when there is
 * nothing scored and no error; FAIL otherwise. */
enum mhp_status mhp_result_verdict(const struct mhp_result *r);
size_t mhp_result_count(const struct mhp_result *r, enum mhp_status st);

/* Writes result.json into dir atomically. */
int mhp_result_write_json(const struct mhp_result *r, const char *dir);

#endif
