#include "kernel/kernel-tree.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/process.h"

/* ------------------------------------------------------------ running */

int mhp_ktree_run(struct mhp_ktree *t, char *const argv[], mhp_deadline_t d, const char *what, char *err,
		  size_t errsize)
{
	return mhp_run_logged_tick(argv, t->log, d, what, t->tick, t->tick_ctx, err, errsize);
}

void mhp_ktree_new_log(struct mhp_ktree *t)
{
	if (truncate(t->log, 0) < 0 && errno != ENOENT)
		mhp_log_errno(-errno, "cannot truncate '%s'", t->log);
}

/* "WHAT 'PATH': strerror" into err; r (a -errno taken before any other
 * call could change errno). */
static int errno_err(int r, char *err, size_t errsize, const char *what, const char *path)
{
	snprintf(err, errsize, "%s '%s': %s", what, path, strerror(-r));
	return r;
}

/* git -C DIR ARGS..., its stdout (first line, trimmed) into out. */
static int git_line(const char *dir, const char *const args[], char *out, size_t outsize)
{
	struct mhp_strv argv = MHP_STRV_INIT;
	_cleanup_free_ char *text = NULL;
	int r;

	mhp_strv_push(&argv, "git");
	mhp_strv_push(&argv, "-C");
	mhp_strv_push(&argv, dir);
	for (size_t i = 0; args[i]; i++)
		mhp_strv_push(&argv, args[i]);
	r = mhp_run_capture(argv.v, mhp_deadline_in_ms(60000), 4096, &text);
	mhp_strv_release(&argv);
	if (r != 0)
		return r < 0 ? r : -EINVAL;
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, outsize, "%s", text);
	return 0;
}

/* ------------------------------------------------------------ creating */

static int create_work(struct mhp_ktree *t, mhp_deadline_t d, char *err, size_t errsize)
{
	_cleanup_free_ char *tmp = mhp_xasprintf("%s.tmp", t->work);
	char *rm[] = { "rm", "-rf", tmp, NULL };
	int r = mhp_ktree_run(t, rm, d, "removing a half-made tree", err, errsize);

	if (r < 0)
		return r;
	if (t->src_is_git) {
		char *clone[] = { "git", "clone", "-q", "--shared", "--no-checkout", t->src, tmp, NULL };
		r = mhp_ktree_run(t, clone, d, "git clone --shared", err, errsize);
	} else {
		/* An unpacked source becomes a one-commit repository, so that a
		 * later build can drop patches with a checkout like any other. */
		char *cp[] = { "cp", "-a", t->src, tmp, NULL };
		char *init[] = { "git", "-C", tmp, "init", "-q", NULL };
		char *add[] = { "git", "-C", tmp, "add", "-A", "-f", NULL };
		char *commit[] = { "git", "-C", tmp, "-c", "user.name=mhp", "-c", "user.email=mhp@localhost",
				   "-c", "gc.auto=0", "commit", "-q", "--no-verify", "-m", "mhp: import of the unpacked source", NULL };
		char *ref[] = { "git", "-C", tmp, "update-ref", "refs/mhp/import", "HEAD", NULL };
		fprintf(stderr, "mhp: importing '%s' into %s (once; about 30 s)\n", t->src, t->work);
		if ((r = mhp_ktree_run(t, cp, d, "copying the source", err, errsize)) == 0 &&
		    (r = mhp_ktree_run(t, init, d, "git init", err, errsize)) == 0 &&
		    (r = mhp_ktree_run(t, add, d, "git add", err, errsize)) == 0 &&
		    (r = mhp_ktree_run(t, commit, d, "git commit", err, errsize)) == 0)
			r = mhp_ktree_run(t, ref, d, "git update-ref", err, errsize);
	}
	/* gc in a --shared clone is harmless, but not worth the minutes. */
	char *nogc[] = { "git", "-C", tmp, "config", "gc.auto", "0", NULL };
	if (r == 0)
		r = mhp_ktree_run(t, nogc, d, "git config", err, errsize);
	if (r == 0 && rename(tmp, t->work) < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot rename '%s': %s", tmp, strerror(errno));
	}
	return r;
}

static int take_lock(struct mhp_ktree *t, char *err, size_t errsize)
{
	const char *held = getenv(MHP_KTREE_LOCKED_ENV);
	_cleanup_free_ char *path = mhp_xasprintf("%s/lock", t->dir);

	if (held && !strcmp(held, t->dir))
		return 0; /* our parent (mhp bisect) holds it */
	t->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (t->lock_fd < 0)
		return errno_err(-errno, err, errsize, "cannot open", path);
	if (flock(t->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	fprintf(stderr, "mhp: waiting for another mhp that builds in %s\n", t->dir);
	if (flock(t->lock_fd, LOCK_EX) < 0) /* EINTR: SIGINT while waiting */
		return errno_err(-errno, err, errsize, "cannot lock", path);
	return 0;
}

static int fill_paths(struct mhp_ktree *t, const char *src, const char *cache_root, char *err, size_t errsize)
{
	char abs[PATH_MAX];
	struct stat st;

	if (!realpath(src, abs))
		return errno_err(-errno, err, errsize, "kernel tree", src);
	_cleanup_free_ char *makefile = mhp_xasprintf("%s/Makefile", abs), *git = mhp_xasprintf("%s/.git", abs);
	if (stat(makefile, &st) < 0) {
		snprintf(err, errsize, "'%s' is not a kernel tree: it has no Makefile", abs);
		return -EINVAL;
	}
	t->src_is_git = stat(git, &st) == 0;
	/* An unpacked source is known by its path and when its Makefile
	 * changed: unpacking another version there makes a new tree. */
	uint64_t id = mhp_hash(MHP_HASH_INIT, abs, strlen(abs));
	if (!t->src_is_git)
		id = mhp_hash(id, &(int64_t){ (int64_t)st.st_mtime }, sizeof(int64_t));
	t->src = mhp_xstrdup(abs);
	t->dir = mhp_xasprintf("%s/trees/%016" PRIx64, cache_root, id);
	t->work = mhp_xasprintf("%s/src", t->dir);
	t->obj = mhp_xasprintf("%s/obj", t->dir);
	t->log = mhp_xasprintf("%s/build.log", t->dir);
	return 0;
}

int mhp_ktree_open(struct mhp_ktree *t, const char *src, const char *cache_root, mhp_deadline_t d, char *err,
		   size_t errsize)
{
	_cleanup_free_ char *source = NULL;
	struct stat st;
	int r;

	*t = (struct mhp_ktree){ .lock_fd = -1 };
	*err = '\0';
	if ((r = fill_paths(t, src, cache_root, err, errsize)) < 0)
		goto fail;
	if ((r = mhp_mkdir_p(t->obj, 0755)) < 0) {
		snprintf(err, errsize, "cannot create '%s': %s", t->obj, strerror(-r));
		goto fail;
	}
	source = mhp_xasprintf("%s/source", t->dir);
	if ((r = mhp_write_file_atomic(source, t->src, strlen(t->src))) < 0 ||
	    (r = take_lock(t, err, errsize)) < 0)
		goto fail;
	if (stat(t->work, &st) < 0) {
		mhp_ktree_new_log(t);
		if ((r = create_work(t, d, err, errsize)) < 0)
			goto fail;
	}
	return 0;
fail:
	if (!*err)
		snprintf(err, errsize, "cannot set up the build tree of '%s': %s", src, strerror(-r));
	mhp_ktree_close(t);
	return r;
}

void mhp_ktree_close(struct mhp_ktree *t)
{
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t->src);
	free(t->dir);
	free(t->work);
	free(t->obj);
	free(t->log);
	*t = (struct mhp_ktree){ .lock_fd = -1 };
}

/* ------------------------------------------------------------ revisions */

int mhp_ktree_resolve(struct mhp_ktree *t, const char *ref, char commit[41], char *err, size_t errsize)
{
	if (!t->src_is_git && ref) {
		snprintf(err, errsize, "'%s' is not a git tree, so it has no revision '%s'", t->src, ref);
		return -EINVAL;
	}
	_cleanup_free_ char *spec = mhp_xasprintf("%s^{commit}", t->src_is_git ? (ref ? ref : "HEAD") : "refs/mhp/import");
	const char *args[] = { "rev-parse", "--verify", "--quiet", spec, NULL };
	int r = git_line(t->src_is_git ? t->src : t->work, args, commit, 41);

	if (r < 0 || strlen(commit) != 40) {
		snprintf(err, errsize, "'%s' is not a commit in '%s'", ref ? ref : "HEAD", t->src);
		return -EINVAL;
	}
	return 0;
}

int mhp_ktree_head(struct mhp_ktree *t, char commit[41], char *err, size_t errsize)
{
	const char *args[] = { "rev-parse", "--verify", "HEAD", NULL };

	if (git_line(t->work, args, commit, 41) < 0 || strlen(commit) != 40) {
		snprintf(err, errsize, "no commit checked out in '%s'", t->work);
		return -EINVAL;
	}
	return 0;
}

/* One field of commit (a git log --format), into line; < 0 when git fails. */
static int commit_field(struct mhp_ktree *t, const char *commit, const char *format, char *line, size_t size)
{
	const char *args[] = { "log", "-1", format, commit, NULL };

	return git_line(t->work, args, line, size);
}

char *mhp_ktree_subject(struct mhp_ktree *t, const char *commit)
{
	char line[512];

	if (commit_field(t, commit, "--format=%s", line, sizeof(line)) < 0)
		return mhp_xstrdup("");
	mhp_sanitize(line);
	return mhp_xstrdup(line);
}

char *mhp_ktree_commit_date(struct mhp_ktree *t, const char *commit)
{
	char line[128];

	if (commit_field(t, commit, "--format=%cD", line, sizeof(line)) < 0 || !line[0])
		return NULL;
	return mhp_xstrdup(line);
}

int mhp_ktree_checkout(struct mhp_ktree *t, const char *commit, const struct mhp_strv *patches, mhp_deadline_t d,
		       char *err, size_t errsize)
{
	/* Only files that differ are rewritten, so make rebuilds only those. */
	char *co[] = { "git", "-C", t->work, "-c", "advice.detachedHead=false", "checkout", "-q", "--force",
		       "--detach", (char *)commit, NULL };
	char *clean[] = { "git", "-C", t->work, "clean", "-q", "-f", "-d", "-x", NULL };
	int r;

	if ((r = mhp_ktree_run(t, co, d, "git checkout", err, errsize)) < 0 ||
	    (r = mhp_ktree_run(t, clean, d, "git clean", err, errsize)) < 0)
		return r;
	for (size_t i = 0; i < patches->n; i++) {
		char *argv[] = { "patch", "-p1", "--batch", "--forward", "-d", t->work, "-i", patches->v[i], NULL };
		char what[PATH_MAX + 32];

		snprintf(what, sizeof(what), "applying '%s'", patches->v[i]);
		if ((r = mhp_ktree_run(t, argv, d, what, err, errsize)) < 0)
			return r;
	}
	return 0;
}
