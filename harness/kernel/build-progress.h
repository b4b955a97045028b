/* The kernel build's progress line: the phase (tree, configure, compile,
 * link), objects compiled so far out of the number the last build of this
 * tree compiled (an estimate; none on a tree's first build), and the time
 * spent.  Read from the build log as make writes it.  On a terminal one
 * line on stderr that updates; otherwise a plain line at most every 30 s. */
#ifndef MHP_BUILD_PROGRESS_H
#define MHP_BUILD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mhp_build_progress {
	const char *phase;
	const char *log, *tree_dir;
	off_t offset;          /* of the log, read so far */
	unsigned objects, estimate;
	bool linking, tty;
	uint64_t start_ns, said_ns;
};

void mhp_build_progress_start(struct mhp_build_progress *p, const char *log, const char *tree_dir);
/* A new phase; the log is read from its end on. */
void mhp_build_progress_phase(struct mhp_build_progress *p, const char *phase);
/* mhp_tick_fn: reads what the log gained, says where the build is. */
void mhp_build_progress_tick(void *p);
/* The build ended: a last line; after a complete build, its object count
 * is kept as the next build's estimate. */
void mhp_build_progress_end(struct mhp_build_progress *p, bool complete);

#endif
