/* mhp bisect's reading of what git bisect run printed. */
#ifndef MHP_BISECT_H
#define MHP_BISECT_H

#include <stdbool.h>

/* Finds "<40 hex digits> is the first bad commit" on a line of its own
 * into commit[41]; false when git named none (say, only skipped commits
 * were left). */
bool mhp_bisect_first_bad(const char *git_output, char commit[41]);

#endif
