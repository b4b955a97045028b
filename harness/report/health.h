/* Kernel health: splats in the guest's console.  Any Oops, BUG, WARNING,
 * KASAN report, soft lockup, hung task, RCU stall, bad page state or panic
 * fails the run, quoting the splat. */
#ifndef MHP_HEALTH_H
#define MHP_HEALTH_H

#include <stddef.h>

#include "model/result.h"

#define MHP_SPLAT_MAX_LINES 40

struct mhp_splat {
	char *text;  /* the splat's lines, at most MHP_SPLAT_MAX_LINES */
	char *first; /* its first line, without the timestamp */
};

/* Finds the splats in console text (NUL-terminated); returns how many were
 * put in out (at most max).  Each starts at its trigger line and runs to the
 * "---[ end trace" / "end Kernel panic" line, the line limit or the end. */
size_t mhp_health_scan(const char *console, struct mhp_splat *out, size_t max);
void mhp_splat_release(struct mhp_splat *s);

/* Scans results_dir/console.log and records one check per splat (or one
 * passing check when there is none). */
void mhp_health_check(struct mhp_result *res, const char *results_dir);

#endif
