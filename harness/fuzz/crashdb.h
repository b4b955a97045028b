/* A campaign's crash database, one directory per signature (after
 * syzkaller's pkg/manager/crash.go):
 *
 *   crashes/<hash>/description   the signature, one line
 *   crashes/<hash>/kind          splat, oracle or harness
 *   crashes/<hash>/count         occurrences so far
 *   crashes/<hash>/first.json    the topology of the first occurrence
 *   crashes/<hash>/first-scenario  its scenario index
 *   crashes/<hash>/log<N>/       console.log, qmp.log, channel.log, result.json
 *                                and scenario (its index) of occurrence N
 *                                (the first MHP_CRASH_LOGS)
 *   crashes/<hash>/repro.json    the minimised reproducer, once there is one
 *
 * Several mhp processes may add to one campaign directory at once: each
 * addition holds an flock on crashes/.lock. */
#ifndef MHP_FUZZ_CRASHDB_H
#define MHP_FUZZ_CRASHDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz/signature.h"

#define MHP_CRASH_LOGS 20

/* The directory name of a signature: 16 hex digits of its FNV-1a hash. */
void mhp_crash_hash(const char *signature, char out[17]);

/* One occurrence: the signature, its kind, the run's directory (logs), the
 * topology text it ran, and its scenario index in the campaign. */
struct mhp_crash {
	const char *signature;
	enum mhp_sig_kind kind;
	const char *run_dir, *topology_text;
	uint64_t scenario;
};

/* Records an occurrence in crashes_dir.  *ret_new says whether the
 * signature is new, *ret_count its count now.  -errno (said) on failure. */
int mhp_crash_add(const char *crashes_dir, const struct mhp_crash *c, bool *ret_new, unsigned *ret_count);

/* The log files an occurrence keeps (NULL-terminated). */
extern const char *const mhp_crash_log_files[];

/* The first line of file name in one crash directory; "" when absent. */
char *mhp_crash_field(const char *crash_dir, const char *name);
/* The count recorded for hash (0 when none). */
unsigned mhp_crash_count(const char *crashes_dir, const char *hash);

#endif
