/* Building the kernels mhp boots: tinyconfig + kernel-patches/configs/
 * mhp.config + the user's fragment, in mhp's own work tree of the source
 * (kernel-tree.h; never the user's checkout) with a kept O= directory, and
 * the bzImage cached by a key of commit, patches and config. */
#ifndef MHP_KERNEL_BUILD_H
#define MHP_KERNEL_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct mhp_kbuild {
	const char *src;          /* a kernel tree: a git checkout or an unpacked source */
	const char *rev;          /* a revision of a git src, NULL for HEAD */
	const char *series_dir;   /* a directory with a "series" file naming patches, or NULL */
	const char *const *patches; /* more patch files, applied after the series */
	size_t npatches;
	const char *base_config;  /* kernel-patches/configs/mhp.config */
	const char *config;       /* the user's fragment, or NULL */
	const char *cache_dir;    /* mhp's cache (kernels/, trees/), NULL: ~/.cache/mhp */
	unsigned jobs;
	unsigned timeout_s;       /* for the whole build */
	bool as_checked_out;      /* build the work tree as it is (a bisect step) */
	char commit[41];          /* out: the commit that was built */
};

/* The build options kernel build, gate and bisect share, for getopt_long;
 * the values are MHP_OPT_*. */
enum { MHP_OPT_SRC = 0x200, MHP_OPT_CONFIG, MHP_OPT_JOBS, MHP_OPT_CACHE };
#define MHP_KBUILD_OPTIONS                                                                                  \
	{ "src", required_argument, NULL, MHP_OPT_SRC }, { "config", required_argument, NULL, MHP_OPT_CONFIG }, \
	{ "jobs", required_argument, NULL, MHP_OPT_JOBS }, { "cache", required_argument, NULL, MHP_OPT_CACHE }
/* Takes option o with its argument: 1 when it was one of those, else 0;
 * -EINVAL (said why) for a bad value. */
int mhp_kbuild_option(int o, const char *arg, struct mhp_kbuild *b);

/* Defaults: mhp.config of this mhp, a job per CPU, an hour. */
void mhp_kbuild_init(struct mhp_kbuild *b);

/* Builds (or finds in the cache) the bzImage; *ret_path is a new string.
 * On failure returns -errno and writes into err what failed: the patch that
 * did not apply, the options that did not survive olddefconfig, or the
 * compiler's last lines (the whole log is in the build tree). */
int mhp_kernel_build(struct mhp_kbuild *b, char **ret_path, char *err, size_t errsize);

/* The options a fragment sets ("CONFIG_X=y", "# CONFIG_X is not set"),
 * that config (the text of a .config) lacks, one per line, into a new
 * string; "" when none is missing. */
char *mhp_kconfig_missing(const char *fragment, const char *config);

#endif
