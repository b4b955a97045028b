/* The kernel trees mhp builds in.  Patches never touch the user's checkout:
 * each source gets a git work tree of mhp's own in the cache (a --shared
 * clone of a git tree, or a one-time import of an unpacked source) and an
 * O= build directory that is kept between builds, so switching revision or
 * patches recompiles only what changed.  That is what makes a bisect step
 * cost seconds.  One mhp at a time uses a tree (flock). */
#ifndef MHP_KERNEL_TREE_H
#define MHP_KERNEL_TREE_H

#include <stdbool.h>

#include "lib/process.h"
#include <stddef.h>

#include "lib/util.h"

/* Set in the environment of a child (git bisect run's step) to the tree
 * directory whose lock its parent already holds. */
#define MHP_KTREE_LOCKED_ENV "MHP_KTREE_LOCKED"

struct mhp_ktree {
	char *src;       /* the user's tree, absolute */
	char *dir;       /* CACHE/trees/<id of src> */
	char *work;      /* dir/src: the git work tree mhp owns */
	char *obj;       /* dir/obj: the O= build directory */
	char *log;       /* dir/build.log: what the last build printed */
	bool src_is_git;
	int lock_fd;     /* -1 when not locked by us */
	mhp_tick_fn tick; /* called about twice a second while a command of the tree runs (NULL: none) */
	void *tick_ctx;
};

/* Opens src's managed tree under cache_root/trees, creating it on first use
 * (for an unpacked source that copies and imports it: about 30 s), and takes
 * its lock.  On failure err says why; nothing is left half made. */
int mhp_ktree_open(struct mhp_ktree *t, const char *src, const char *cache_root, mhp_deadline_t d, char *err,
		   size_t errsize);
void mhp_ktree_close(struct mhp_ktree *t);

/* ref (NULL for HEAD of a git tree, or the snapshot of an unpacked one) as a
 * full commit id of the user's tree, into commit[41]. */
int mhp_ktree_resolve(struct mhp_ktree *t, const char *ref, char commit[41], char *err, size_t errsize);
/* The commit checked out in the work tree now (a bisect step's). */
int mhp_ktree_head(struct mhp_ktree *t, char commit[41], char *err, size_t errsize);
/* The commit's subject line, a new string ("" when unknown). */
char *mhp_ktree_subject(struct mhp_ktree *t, const char *commit);
/* The commit's committer date (RFC 2822, as date(1) parses it), a new
 * string, or NULL when git cannot say. */
char *mhp_ktree_commit_date(struct mhp_ktree *t, const char *commit);

/* Checks out commit in the work tree, dropping whatever an earlier build
 * applied there, then applies each patch (patch -p1) in order. */
int mhp_ktree_checkout(struct mhp_ktree *t, const char *commit, const struct mhp_strv *patches, mhp_deadline_t d,
		       char *err, size_t errsize);

/* Runs argv with stdout and stderr appended to the tree's build log; on
 * failure err names what failed and quotes the log's last lines. */
int mhp_ktree_run(struct mhp_ktree *t, char *const argv[], mhp_deadline_t d, const char *what, char *err,
		  size_t errsize);
/* Starts a new build log. */
void mhp_ktree_new_log(struct mhp_ktree *t);

#endif
