/* Boot snapshots in the cache.  A machine shape (the backend's shape key:
 * hypervisor build, command line, kernel, initrd) is booted cold once; its
 * state after the guest's hello is saved, and every later run of that shape
 * restores it instead of booting.  <cache>/snapshots/<key>/ holds "state"
 * (the backend's save), "console.log" (the boot the restored runs skip,
 * which they start their own console.log with) and "made-by" (the run that
 * made it).  A directory appears whole (made beside, then renamed); the
 * run making a key holds <key>.lock (flock), and a run that finds it held
 * waits for that snapshot instead of booting the same machine too.  The
 * least recently used snapshots go when the cache is over its cap. */
#ifndef MHP_SNAPSHOT_H
#define MHP_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/backend.h"

struct mhp_snapshot {
	char key[32];
	char *root;      /* <cache>/snapshots */
	char *dir;       /* root/key */
	char *state;     /* dir/state: what the backend restores */
	int lock_fd;     /* >= 0 while this run makes the snapshot */
	bool restore;    /* there is one: restore it */
};
#define MHP_SNAPSHOT_INIT { .lock_fd = -1 }

/* Looks key up under root (NULL: the cache's snapshots/): s->restore when
 * there is a snapshot; otherwise takes the key's lock, waiting until
 * deadline while another run holds it (it is making this very snapshot),
 * so that this run makes it (s->lock_fd >= 0).  -ETIMEDOUT / -EINTR when
 * the wait ended first; -errno when the cache cannot be used. */
int mhp_snapshot_acquire(struct mhp_snapshot *s, const char *root, const char *key, mhp_deadline_t deadline);

/* Starts a restored run: copies the snapshot's console.log to run_dir (the
 * hypervisor appends to it) and marks the snapshot used (for eviction). */
int mhp_snapshot_begin_run(const struct mhp_snapshot *s, const char *run_dir);

/* Saves the running guest g as the key's snapshot (this run holds the
 * lock): its state, run_dir's console.log so far, and made_by; then
 * evicts down to cap bytes.  The guest runs on.  -errno with err set. */
int mhp_snapshot_store(struct mhp_snapshot *s, struct mhp_guest *g, const char *run_dir, const char *made_by,
		       uint64_t cap, char *err, size_t errsize);

/* Who made the snapshot (its made-by), in a new string ("?" if unknown). */
char *mhp_snapshot_made_by(const struct mhp_snapshot *s);

/* Removes the key's snapshot (one that did not restore). */
void mhp_snapshot_drop(struct mhp_snapshot *s);

/* Removes the least recently used snapshots under root until what is left
 * takes at most cap bytes; returns how many went.  Lock files and
 * directories being made (<key>.tmp-PID) stay, but for those whose maker
 * is dead. */
int mhp_snapshot_evict(const char *root, uint64_t cap);

/* Releases the lock and frees; safe to repeat. */
void mhp_snapshot_release(struct mhp_snapshot *s);

#endif
