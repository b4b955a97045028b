/* The deadlines of a run, calibrated to this host.  The first cold boot of
 * a kernel here records how long it took to its hello, cached per kernel
 * file, QEMU build, accelerator and host kernel; later runs derive their
 * boot and step deadlines from it (BOOT_FACTOR and STEP_FACTOR times that
 * boot, never below the defaults), so a slow or loaded machine, or -j N on
 * N cores, does not turn into timeouts.  A deadline the user gave wins. */
#ifndef MHP_DEADLINES_H
#define MHP_DEADLINES_H

#include <stdbool.h>
#include <stdint.h>

#define MHP_DEADLINE_BOOT_FACTOR 20
#define MHP_DEADLINE_STEP_FACTOR 10

struct mhp_deadline_key {
	const char *kernel, *qemu, *accel; /* qemu NULL: qemu-system-x86_64 */
};

struct mhp_deadlines {
	unsigned boot_ms, step_ms;
	char why[192];                  /* how they were derived, for result.json */
};

/* The deadlines: given (ms, 0 when the user gave none) win; else derived
 * from the cached boot time of k, never below the defaults; else the
 * defaults.  Pure but for reading the cache. */
void mhp_deadlines_get(const struct mhp_deadline_key *k, unsigned given_boot_ms, unsigned given_step_ms,
		       unsigned default_boot_ms, unsigned default_step_ms, struct mhp_deadlines *ret);

/* Records a cold boot of k that took boot_ns, unless one is recorded
 * already (the first boot here is the calibration). */
void mhp_deadlines_record(const struct mhp_deadline_key *k, uint64_t boot_ns);

/* The rule, for the tests: max(floor, factor * boot_ms), in ms. */
unsigned mhp_deadline_derive(unsigned boot_ms, unsigned factor, unsigned floor_ms);

#endif
