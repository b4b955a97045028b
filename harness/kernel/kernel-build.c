#include "kernel/kernel-build.h"

#include <errno.h>
#include <fts.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/cleanup.h"
#include "kernel/build-errors.h"
#include "kernel/build-progress.h"
#include "kernel/kernel-tree.h"
#include "lib/process.h"
#include "lib/util.h"

#ifndef MHP_SOURCE_DIR
#define MHP_SOURCE_DIR "."
#endif

#define MAX_TEXT (64u << 20)

/* ------------------------------------------------------------ config check */

static bool line_in(const char *text, const char *line, size_t len)
{
	for (const char *p = text; *p;) {
		size_t l = strcspn(p, "\n");

		if (l == len && !memcmp(p, line, len))
			return true;
		p += l + (p[l] == '\n');
	}
	return false;
}

char *mhp_kconfig_missing(const char *fragment, const char *config)
{
	/* Each line may come out one newline longer than it went in. */
	size_t cap = 2 * strlen(fragment) + 2, n = 0;
	char *out = mhp_xcalloc(cap, 1);

	for (const char *p = fragment; *p;) {
		size_t len = strcspn(p, "\n");
		bool option = !strncmp(p, "CONFIG_", 7) || (!strncmp(p, "# CONFIG_", 9) && len > 14 &&
							    !memcmp(p + len - 11, " is not set", 11));

		/* "=n" is written "# CONFIG_X is not set" in a .config. */
		if (option && len > 2 && !memcmp(p + len - 2, "=n", 2)) {
			char want[256];
			int wl = snprintf(want, sizeof(want), "# %.*s is not set", (int)(len - 2), p);
			if (wl > 0 && (size_t)wl < sizeof(want) && !line_in(config, want, (size_t)wl))
				n += (size_t)snprintf(out + n, cap - n, "%.*s\n", (int)len, p);
		} else if (option && !line_in(config, p, len))
			n += (size_t)snprintf(out + n, cap - n, "%.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
	return out;
}

/* ------------------------------------------------------------ the key */

static int hash_file(uint64_t *h, const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = mhp_read_file(path, MAX_TEXT, &text, &len);

	if (r < 0)
		return r;
	*h = mhp_hash(*h, text, len);
	return 0;
}

/* The series' patches, in order, then the extra ones, as absolute paths
 * (patch runs in the work tree). */
static int patch_list(const struct mhp_kbuild *b, struct mhp_strv *list, char *err, size_t errsize)
{
	struct mhp_strv named = MHP_STRV_INIT;
	int r = 0;

	if (b->series_dir) {
		_cleanup_free_ char *series = mhp_xasprintf("%s/series", b->series_dir), *text = NULL;

		if ((r = mhp_read_file(series, 1 << 20, &text, NULL)) < 0) {
			snprintf(err, errsize, "cannot read '%s': %s", series, strerror(-r));
			return r;
		}
		for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			line += strspn(line, " \t");
			line[strcspn(line, " \t#")] = '\0'; /* quilt allows "name -p1" and comments */
			if (*line)
				mhp_strv_pushf(&named, "%s/%s", b->series_dir, line);
		}
	}
	for (size_t i = 0; i < b->npatches; i++)
		mhp_strv_push(&named, b->patches[i]);
	for (size_t i = 0; r == 0 && i < named.n; i++) {
		char abs[PATH_MAX];

		if (!realpath(named.v[i], abs)) {
			r = -errno;
			snprintf(err, errsize, "patch '%s': %s", named.v[i], strerror(errno));
		} else
			mhp_strv_push(list, abs);
	}
	mhp_strv_release(&named);
	return r;
}

/* The cache key: the commit, then every patch and config fragment. */
static int build_key(const struct mhp_kbuild *b, const char *commit, const struct mhp_strv *patches,
		     uint64_t *ret, char *err, size_t errsize)
{
	uint64_t h = mhp_hash(MHP_HASH_INIT, commit, strlen(commit));
	int r = 0;

	for (size_t i = 0; r == 0 && i < patches->n; i++)
		r = hash_file(&h, patches->v[i]);
	if (r == 0)
		r = hash_file(&h, b->base_config);
	if (r == 0 && b->config)
		r = hash_file(&h, b->config);
	if (r < 0)
		snprintf(err, errsize, "cannot read a patch or config fragment: %s", strerror(-r));
	*ret = h;
	return r;
}

/* ------------------------------------------------------------ building */

/* What the .config is made from: the fragments, every Kconfig file, the
 * tiny*.config fragments and scripts/kconfig itself.  When none changed
 * since the last configure, the .config would come out the same, and
 * rerunning tinyconfig + merge + olddefconfig (18 s here) is skipped. */
static bool config_input(const FTSENT *e)
{
	return !strncmp(e->fts_name, "Kconfig", 7) ||
	       (!strncmp(e->fts_name, "tiny", 4) && strstr(e->fts_path, "/configs/")) ||
	       strstr(e->fts_path, "/scripts/kconfig/");
}

static int config_inputs_hash(const struct mhp_kbuild *b, const struct mhp_ktree *t, uint64_t *ret)
{
	char *roots[] = { t->work, NULL };
	uint64_t h = MHP_HASH_INIT;
	FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	FTSENT *e;
	int r = 0;

	if (!fts)
		return -errno;
	while (r == 0 && (e = fts_read(fts))) {
		if (e->fts_info == FTS_D && !strcmp(e->fts_name, ".git"))
			fts_set(fts, e, FTS_SKIP);
		else if (e->fts_info == FTS_F && config_input(e)) {
			h = mhp_hash(h, e->fts_path, strlen(e->fts_path) + 1);
			r = hash_file(&h, e->fts_path);
		}
	}
	fts_close(fts);
	if (r == 0)
		r = hash_file(&h, b->base_config);
	if (r == 0 && b->config)
		r = hash_file(&h, b->config);
	*ret = h;
	return r;
}

static int configure_fresh(const struct mhp_kbuild *b, struct mhp_ktree *t, mhp_deadline_t d, char *err,
			   size_t errsize)
{
	_cleanup_free_ char *o = mhp_xasprintf("O=%s", t->obj), *merge = mhp_xasprintf("%s/scripts/kconfig/merge_config.sh", t->work);
	_cleanup_free_ char *dotconfig = mhp_xasprintf("%s/.config", t->obj), *config = NULL, *frag = NULL, *user = NULL;
	char *tiny[] = { "make", "-C", t->work, o, "tinyconfig", NULL };
	char *merge_argv[] = { merge, "-m", "-O", t->obj, dotconfig, (char *)b->base_config,
			       (char *)(b->config ? b->config : b->base_config), NULL };
	char *old[] = { "make", "-C", t->work, o, "olddefconfig", NULL };
	int r;

	if ((r = mhp_ktree_run(t, tiny, d, "make tinyconfig", err, errsize)) < 0 ||
	    (r = mhp_ktree_run(t, merge_argv, d, "merge_config.sh", err, errsize)) < 0 ||
	    (r = mhp_ktree_run(t, old, d, "make olddefconfig", err, errsize)) < 0)
		return r;
	if ((r = mhp_read_file(dotconfig, MAX_TEXT, &config, NULL)) < 0 ||
	    (r = mhp_read_file(b->base_config, MAX_TEXT, &frag, NULL)) < 0 ||
	    (b->config && (r = mhp_read_file(b->config, MAX_TEXT, &user, NULL)) < 0)) {
		snprintf(err, errsize, "cannot read a config: %s", strerror(-r));
		return r;
	}
	_cleanup_free_ char *all = mhp_xasprintf("%s\n%s", frag, user ? user : "");
	_cleanup_free_ char *missing = mhp_kconfig_missing(all, config);
	if (*missing) {
		snprintf(err, errsize, "these options did not survive olddefconfig (a dependency is missing):\n%s", missing);
		return -EINVAL;
	}
	return 0;
}

static int configure(const struct mhp_kbuild *b, struct mhp_ktree *t, mhp_deadline_t d, char *err, size_t errsize)
{
	_cleanup_free_ char *keyfile = mhp_xasprintf("%s/.mhp-config-inputs", t->obj), *old = NULL;
	_cleanup_free_ char *dotconfig = mhp_xasprintf("%s/.config", t->obj);
	char key[32];
	uint64_t h = 0;
	int r;

	if ((r = config_inputs_hash(b, t, &h)) < 0) {
		snprintf(err, errsize, "cannot read the kernel's Kconfig files or a fragment: %s", strerror(-r));
		return r;
	}
	snprintf(key, sizeof(key), "%016" PRIx64 "\n", h);
	if (access(dotconfig, R_OK) == 0 && mhp_read_file(keyfile, 64, &old, NULL) == 0 && !strcmp(old, key))
		return 0;
	/* A configure that fails half way must not look done next time. */
	if (unlink(keyfile) < 0 && errno != ENOENT) {
		snprintf(err, errsize, "cannot remove '%s': %s", keyfile, strerror(errno));
		return -errno;
	}
	if ((r = configure_fresh(b, t, d, err, errsize)) < 0)
		return r;
	return mhp_write_file_atomic(keyfile, key, strlen(key));
}

static int copy_file(const char *from, const char *to, char *err, size_t errsize)
{
	int r = mhp_copy_file(from, to, MAX_TEXT);

	if (r < 0)
		snprintf(err, errsize, "cannot copy '%s' to '%s': %s", from, to, strerror(-r));
	return r;
}

/* Keeps bzImage, .config and the log under kernels/<key>: written into a
 * temporary directory, then renamed, so a reader never sees half of it. */
static int store(struct mhp_ktree *t, const char *kdir, char *err, size_t errsize)
{
	_cleanup_free_ char *tmp = mhp_xasprintf("%s.tmp.%ld", kdir, (long)getpid());
	const char *from[] = { "arch/x86/boot/bzImage", ".config" }, *to[] = { "bzImage", "config" };
	int r;

	if ((r = mhp_mkdir_p(tmp, 0755)) < 0) {
		snprintf(err, errsize, "cannot create '%s': %s", tmp, strerror(-r));
		return r;
	}
	for (size_t i = 0; r == 0 && i < 2; i++) {
		_cleanup_free_ char *src = mhp_xasprintf("%s/%s", t->obj, from[i]), *dst = mhp_xasprintf("%s/%s", tmp, to[i]);
		r = copy_file(src, dst, err, errsize);
	}
	_cleanup_free_ char *log = mhp_xasprintf("%s/build.log", tmp);
	if (r == 0)
		r = copy_file(t->log, log, err, errsize);
	if (r == 0 && rename(tmp, kdir) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
		r = -errno;
		snprintf(err, errsize, "cannot rename '%s': %s", tmp, strerror(errno));
	}
	/* Left only when another build stored the same key first. */
	(void)mhp_remove_tree(tmp);
	return r;
}

/* The same source gives the same bzImage, byte for byte (the kernel's
 * Documentation/kbuild/reproducible-builds.rst): the build's date is the
 * commit's, its number, user and host fixed.  A series that changes no code
 * (comments) then boots the baseline's very kernel, and the gate restores
 * the baseline's boot snapshots for it instead of booting each shape cold. */
static int reproducible(const struct mhp_kbuild *b, struct mhp_ktree *t, char *err, size_t errsize)
{
	_cleanup_free_ char *date = mhp_ktree_commit_date(t, b->commit);

	if (!date) {
		snprintf(err, errsize, "cannot read the date of commit %s in '%s'", b->commit, t->work);
		return -EINVAL;
	}
	if (setenv("KBUILD_BUILD_TIMESTAMP", date, 1) < 0 || setenv("KBUILD_BUILD_VERSION", "1", 1) < 0 ||
	    setenv("KBUILD_BUILD_USER", "mhp", 1) < 0 || setenv("KBUILD_BUILD_HOST", "mhp", 1) < 0) {
		int e = errno;

		snprintf(err, errsize, "setenv: %s", strerror(e));
		return -e;
	}
	return 0;
}

static int make_image(const struct mhp_kbuild *b, struct mhp_ktree *t, struct mhp_build_progress *p, mhp_deadline_t d,
		      char *err, size_t errsize)
{
	_cleanup_free_ char *o = mhp_xasprintf("O=%s", t->obj), *j = mhp_xasprintf("-j%u", b->jobs ? b->jobs : 2);
	_cleanup_free_ char *trees = mhp_xasprintf("%s/..", t->dir);
	char *cc = access("/usr/bin/ccache", X_OK) == 0 ? "CC=ccache gcc" : "CC=gcc";
	char *make[] = { "make", "-C", t->work, o, j, cc, "bzImage", NULL };
	int r;

	/* Paths under the trees directory are hashed relative to the build
	 * directory, so a new tree (another source, a fresh cache) reuses
	 * what ccache has from the others. */
	setenv("CCACHE_BASEDIR", trees, 0);
	if ((r = reproducible(b, t, err, errsize)) < 0)
		return r;
	mhp_build_progress_phase(p, "compile");
	r = mhp_run_logged_tick(make, t->log, d, "make bzImage", mhp_build_progress_tick, p, err, errsize);
	if (r == -EIO)
		mhp_build_errors_quote(t->log, err, errsize);
	return r;
}

static int build_commit(const struct mhp_kbuild *b, struct mhp_ktree *t, const struct mhp_strv *patches,
			char **ret_path, char *err, size_t errsize)
{
	mhp_deadline_t d = mhp_deadline_in_ms((uint64_t)b->timeout_s * 1000);
	uint64_t key;
	int r = build_key(b, b->commit, patches, &key, err, errsize);

	if (r < 0)
		return r;
	_cleanup_free_ char *kdir = mhp_xasprintf("%s/kernels/%016" PRIx64, b->cache_dir, key);
	_cleanup_free_ char *image = mhp_xasprintf("%s/bzImage", kdir);
	if (access(image, R_OK) == 0) {
		*ret_path = TAKE_PTR(image);
		return 0;
	}
	mhp_ktree_new_log(t);
	struct mhp_build_progress p;
	mhp_build_progress_start(&p, t->log, t->dir);
	mhp_build_progress_tick(&p);
	/* The progress line goes on through the checkout and the configure. */
	t->tick = mhp_build_progress_tick, t->tick_ctx = &p;
	r = b->as_checked_out ? 0 : mhp_ktree_checkout(t, b->commit, patches, d, err, errsize);
	if (r == 0) {
		mhp_build_progress_phase(&p, "configure");
		mhp_build_progress_tick(&p);
		if ((r = configure(b, t, d, err, errsize)) == 0 && (r = make_image(b, t, &p, d, err, errsize)) == 0)
			r = store(t, kdir, err, errsize);
	}
	t->tick = NULL, t->tick_ctx = NULL;
	mhp_build_progress_end(&p, r == 0);
	if (r < 0)
		return r;
	*ret_path = TAKE_PTR(image);
	return 0;
}

int mhp_kbuild_option(int o, const char *arg, struct mhp_kbuild *b)
{
	switch (o) {
	case MHP_OPT_SRC: b->src = arg; return 1;
	case MHP_OPT_CONFIG: b->config = arg; return 1;
	case MHP_OPT_JOBS:
		if (mhp_parse_count(arg, 1024, &b->jobs) < 0)
			return mhp_log_error("--jobs: '%s' is not a number of make jobs (1-1024)", arg);
		return 1;
	case MHP_OPT_CACHE: b->cache_dir = arg; return 1;
	default: return 0;
	}
}

void mhp_kbuild_init(struct mhp_kbuild *b)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*b = (struct mhp_kbuild){ .base_config = MHP_SOURCE_DIR "/kernel-patches/configs/mhp.config",
				  .jobs = cpus > 0 ? (unsigned)cpus : 2, .timeout_s = 3600 };
}

int mhp_kernel_build(struct mhp_kbuild *b, char **ret_path, char *err, size_t errsize)
{
	struct mhp_strv patches = MHP_STRV_INIT;
	_cleanup_free_ char *default_cache = NULL;
	struct mhp_ktree t;
	int r;

	*err = '\0';
	if (!b->cache_dir)
		b->cache_dir = default_cache = mhp_cache_path("");
	if ((r = patch_list(b, &patches, err, errsize)) < 0)
		goto out;
	if ((r = mhp_ktree_open(&t, b->src, b->cache_dir, mhp_deadline_in_ms((uint64_t)b->timeout_s * 1000), err,
				errsize)) < 0)
		goto out;
	r = b->as_checked_out ? mhp_ktree_head(&t, b->commit, err, errsize)
			      : mhp_ktree_resolve(&t, b->rev, b->commit, err, errsize);
	if (r == 0)
		r = build_commit(b, &t, &patches, ret_path, err, errsize);
	mhp_ktree_close(&t);
out:
	mhp_strv_release(&patches);
	if (b->cache_dir == default_cache)
		b->cache_dir = NULL;
	return r;
}
