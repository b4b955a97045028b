#include "kernel-build.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "process.h"
#include "util.h"

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
	size_t cap = strlen(fragment) + 1, n = 0;
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

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int hash_file(uint64_t *h, const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = mhp_read_file(path, MAX_TEXT, &text, &len);

	if (r < 0)
		return r;
	*h = fnv(*h, path, strlen(path) + 1);
	*h = fnv(*h, text, len);
	return 0;
}

/* What identifies the source: a git tree's HEAD (and whether it is dirty
 * is the user's business), else the path and its top Makefile. */
static int source_id(const char *src, uint64_t *h)
{
	_cleanup_free_ char *git = mhp_xasprintf("%s/.git", src), *out = NULL;
	struct stat st;

	if (stat(git, &st) == 0) {
		char *argv[] = { "git", "-C", (char *)src, "rev-parse", "HEAD", NULL };
		if (mhp_run_capture(argv, mhp_deadline_in_ms(30000), 256, &out) != 0)
			return -EINVAL;
		*h = fnv(*h, out, strlen(out));
		return 0;
	}
	_cleanup_free_ char *makefile = mhp_xasprintf("%s/Makefile", src);
	*h = fnv(*h, src, strlen(src));
	return hash_file(h, makefile);
}

/* The series' patches, in order, then the extra ones; a new NULL-ended list. */
static int patch_list(const struct mhp_kbuild *b, struct mhp_strv *list, char *err, size_t errsize)
{
	if (b->series_dir) {
		_cleanup_free_ char *series = mhp_xasprintf("%s/series", b->series_dir), *text = NULL;
		int r = mhp_read_file(series, 1 << 20, &text, NULL);

		if (r < 0) {
			snprintf(err, errsize, "cannot read '%s': %s", series, strerror(-r));
			return r;
		}
		for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			line += strspn(line, " \t");
			if (*line && *line != '#')
				mhp_strv_pushf(list, "%s/%s", b->series_dir, line);
		}
	}
	for (size_t i = 0; i < b->npatches; i++)
		mhp_strv_push(list, b->patches[i]);
	return 0;
}

/* ------------------------------------------------------------ running make */

/* Runs argv with its output appended to log; on failure, err gets the
 * log's last lines. */
static int run_logged(char *const argv[], const char *log, mhp_deadline_t deadline, const char *what, char *err,
		      size_t errsize)
{
	struct mhp_child c = MHP_CHILD_INIT;
	_cleanup_free_ char *text = NULL;
	int r = mhp_child_start(&c, argv, log);

	if (r == 0 && (r = mhp_child_wait(&c, deadline)) < 0)
		mhp_child_stop(&c, 1000);
	if (r == 0 && c.status == 0)
		return 0;
	if (r == 0)
		r = -EIO;
	if (mhp_read_file(log, MAX_TEXT, &text, NULL) < 0)
		text = mhp_xstrdup("");
	/* The last 15 lines say what went wrong. */
	const char *tail = text + strlen(text);
	for (int lines = 0; tail > text && lines < 16; tail--)
		lines += tail[-1] == '\n';
	mhp_sanitize(text);
	snprintf(err, errsize, "%s failed (%s; all of it in %s):\n%s", what, r == -ETIMEDOUT ? "timed out" : "see below", log,
		 tail);
	return r;
}

static int apply_patches(const char *tree, const struct mhp_strv *patches, const char *log, mhp_deadline_t d, char *err,
			 size_t errsize)
{
	for (size_t i = 0; i < patches->n; i++) {
		char *argv[] = { "patch", "-p1", "--batch", "--forward", "-d", (char *)tree, "-i", patches->v[i], NULL };
		char what[512];

		snprintf(what, sizeof(what), "applying '%s'", patches->v[i]);
		int r = run_logged(argv, log, d, what, err, errsize);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A tree to build: the user's own when nothing is patched (O= keeps it
 * clean), else a copy: a shared clone of a git tree, or cp -a. */
static int prepare_tree(const struct mhp_kbuild *b, const char *dir, const struct mhp_strv *patches, const char *log,
			mhp_deadline_t d, char **ret_tree, char *err, size_t errsize)
{
	_cleanup_free_ char *git = mhp_xasprintf("%s/.git", b->src), *tree = mhp_xasprintf("%s/src", dir);
	struct stat st;
	int r;

	if (!patches->n) {
		*ret_tree = mhp_xstrdup(b->src);
		return 0;
	}
	if (stat(tree, &st) < 0) {
		if (stat(git, &st) == 0) {
			char *argv[] = { "git", "clone", "-q", "--shared", (char *)b->src, tree, NULL };
			r = run_logged(argv, log, d, "git clone --shared", err, errsize);
		} else {
			char *argv[] = { "cp", "-a", (char *)b->src, tree, NULL };
			r = run_logged(argv, log, d, "copying the source", err, errsize);
		}
		if (r < 0 || (r = apply_patches(tree, patches, log, d, err, errsize)) < 0)
			return r;
	}
	*ret_tree = TAKE_PTR(tree);
	return 0;
}

static int configure(const struct mhp_kbuild *b, const char *tree, const char *out, const char *log, mhp_deadline_t d,
		     char *err, size_t errsize)
{
	_cleanup_free_ char *o = mhp_xasprintf("O=%s", out), *merge = mhp_xasprintf("%s/scripts/kconfig/merge_config.sh", tree);
	_cleanup_free_ char *dotconfig = mhp_xasprintf("%s/.config", out), *config = NULL, *frag = NULL, *user = NULL;
	char *tiny[] = { "make", "-C", (char *)tree, o, "tinyconfig", NULL };
	char *merge_argv[] = { merge, "-m", "-O", (char *)out, dotconfig, (char *)b->base_config,
			       (char *)(b->config ? b->config : b->base_config), NULL };
	char *old[] = { "make", "-C", (char *)tree, o, "olddefconfig", NULL };
	int r;

	if ((r = run_logged(tiny, log, d, "make tinyconfig", err, errsize)) < 0 ||
	    (r = run_logged(merge_argv, log, d, "merge_config.sh", err, errsize)) < 0 ||
	    (r = run_logged(old, log, d, "make olddefconfig", err, errsize)) < 0)
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

/* The cache key: source revision, then every patch and config fragment. */
static int build_key(const struct mhp_kbuild *b, const struct mhp_strv *patches, uint64_t *ret, char *err, size_t errsize)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int r = source_id(b->src, &h);

	if (r < 0) {
		snprintf(err, errsize, "'%s' is neither a git tree nor a kernel source with a Makefile", b->src);
		return r;
	}
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

static int make_dirs(const char *cache, const char *dir, const char *out, char *err, size_t errsize)
{
	const char *dirs[] = { cache, dir, out };

	for (size_t i = 0; i < 3; i++)
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST) {
			snprintf(err, errsize, "cannot create '%s': %s", dirs[i], strerror(errno));
			return -errno;
		}
	return 0;
}

static int build_in(const struct mhp_kbuild *b, const struct mhp_strv *patches, uint64_t key, char **ret_path,
		    char *err, size_t errsize)
{
	_cleanup_free_ char *dir = mhp_xasprintf("%s/%016" PRIx64, b->cache_dir, key);
	_cleanup_free_ char *out = mhp_xasprintf("%s/build", dir), *log = mhp_xasprintf("%s/build.log", dir);
	_cleanup_free_ char *image = mhp_xasprintf("%s/arch/x86/boot/bzImage", out), *tree = NULL;
	_cleanup_free_ char *o = mhp_xasprintf("O=%s", out), *j = mhp_xasprintf("-j%u", b->jobs ? b->jobs : 2);
	mhp_deadline_t d = mhp_deadline_in_ms((uint64_t)b->timeout_s * 1000);
	int r;

	if (access(image, R_OK) == 0) { /* cached */
		*ret_path = TAKE_PTR(image);
		return 0;
	}
	if ((r = make_dirs(b->cache_dir, dir, out, err, errsize)) < 0 ||
	    (r = prepare_tree(b, dir, patches, log, d, &tree, err, errsize)) < 0 ||
	    (r = configure(b, tree, out, log, d, err, errsize)) < 0)
		return r;
	char *cc = access("/usr/bin/ccache", X_OK) == 0 ? "CC=ccache gcc" : "CC=gcc";
	char *make[] = { "make", "-C", tree, o, j, cc, "bzImage", NULL };
	if ((r = run_logged(make, log, d, "make bzImage", err, errsize)) < 0)
		return r;
	*ret_path = TAKE_PTR(image);
	return 0;
}

int mhp_kernel_build(const struct mhp_kbuild *b, char **ret_path, char *err, size_t errsize)
{
	struct mhp_strv patches = MHP_STRV_INIT;
	uint64_t key;
	int r = patch_list(b, &patches, err, errsize);

	if (r == 0)
		r = build_key(b, &patches, &key, err, errsize);
	if (r == 0)
		r = build_in(b, &patches, key, ret_path, err, errsize);
	mhp_strv_release(&patches);
	return r;
}
