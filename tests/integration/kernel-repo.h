/* The kernel tests' shared setup: Debian's linux-source-6.1 unpacked once
 * into the user's cache, a git repository of it tagged mhp-base (the
 * user's tree), and the tests' kernel cache, where every build of the
 * test binary goes (one work tree, one O= directory: the first build is
 * complete, the ones after recompile what changed). */
#ifndef MHP_KERNEL_REPO_H
#define MHP_KERNEL_REPO_H

#include <sys/stat.h>

#include "itest.h"
#include "lib/process.h"

/* The kernel cache of every kernel test binary and run: kernels are kept
 * by commit, patches and config, and kernel_repo()'s commits are the same
 * every time, so a kernel built once (here, by the gate or a campaign
 * test) is found again instead of built again. */
static inline char *cache_dir(void)
{
	const char *home = getenv("HOME");

	return mhp_xasprintf("%s/.cache/mhp-itest", home ? home : "/tmp");
}

static inline void run_ok(char *const argv[])
{
	int st = spawn_wait(argv);

	if (st != 0)
		fail_msg("'%s %s %s' exited %d", argv[0], argv[1], argv[2] ? argv[2] : "", st);
}

/* Debian's linux-source-6.1, unpacked once into the user's cache. */
static inline char *debian_source(void)
{
	const char *home = getenv("HOME");
	char *dir = mhp_xasprintf("%s/.cache/mhp/src", home ? home : "/tmp");
	char *tree = mhp_xasprintf("%s/linux-source-6.1", dir);
	struct stat st;

	if (stat(tree, &st) < 0) {
		char *mkdir_argv[] = { "mkdir", "-p", dir, NULL };
		char *tar_argv[] = { "tar", "-xJf", "/usr/src/linux-source-6.1.tar.xz", "-C", dir, NULL };
		if (spawn_wait(mkdir_argv) != 0 || spawn_wait(tar_argv) != 0)
			fail_msg("cannot unpack /usr/src/linux-source-6.1.tar.xz (ci/install-deps installs it)");
	}
	free(dir);
	return tree;
}

static inline void git(const char *repo, const char *const *args)
{
	/* No gc --auto: 78000 new objects would start one that outlives us. */
	const char *argv[16] = { "git", "-C", repo, "-c", "user.name=mhp test", "-c", "user.email=test@localhost",
				 "-c", "gc.auto=0" };
	size_t n = 9;

	for (size_t i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	run_ok((char *const *)argv);
}

static inline char *git_out(const char *repo, const char *a, const char *b)
{
	char *argv[] = { "git", "-C", (char *)repo, (char *)a, (char *)b, NULL }, *out = NULL;

	assert_int_equal(mhp_run_capture(argv, mhp_deadline_in_ms(60000), 4096, &out), 0);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* The user's tree: a git repository of Debian's 6.1 source whose first
 * commit is tagged mhp-base. */
static inline const char *kernel_repo(void)
{
	static char *repo;

	if (repo)
		return repo;
	char *src = debian_source();
	repo = mhp_xasprintf("%s/linux-6.1", workdir);
	/* Fixed dates: the same tree gives the same commit ids every run. */
	setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z", 1);
	setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z", 1);
	char *cp[] = { "cp", "-a", src, repo, NULL };
	run_ok(cp);
	git(repo, (const char *[]){ "init", "-q", NULL });
	git(repo, (const char *[]){ "add", "-A", "-f", NULL });
	git(repo, (const char *[]){ "commit", "-q", "-m", "Debian linux-source-6.1", NULL });
	git(repo, (const char *[]){ "tag", "mhp-base", NULL });
	free(src);
	return repo;
}

/* The bzImage path mhp printed alone on its last stdout line. */
static inline char *printed_image(struct run *r)
{
	char *out = slurp(r->out), *end = strstr(out, "/bzImage\n"), *image = end;

	assert_non_null(end);
	while (image > out && image[-1] != '\n')
		image--;
	end[strlen("/bzImage")] = '\0';
	char *path = mhp_xstrdup(image);
	free(out);
	return path;
}


/* The minimal 6.1 kernel of mhp-base with patch (NULL: none), built into
 * the tests' cache: its bzImage path. */
static inline char *built_kernel(const char *patch)
{
	char *cache = cache_dir();
	const char *build[] = { "kernel", "build", "--src", kernel_repo(), "--rev", "mhp-base", "--cache", cache,
				patch ? "--patch" : NULL, patch, NULL };
	struct run r;

	run_mhp(&r, "kbuild", build);
	expect_status(&r, 0);
	char *image = printed_image(&r);
	run_release(&r);
	free(cache);
	return image;
}

/* main()'s end: the work trees go (a kernel source and its objects, 2 GB
 * each, under a source path that is new every run); the kernels stay. */
static inline int kernel_tests_end(int r)
{
	char *cache = cache_dir(), *trees = mhp_xasprintf("%s/trees", cache);
	char *argv[] = { "rm", "-rf", trees, NULL };

	if (spawn_wait(argv) != 0)
		fprintf(stderr, "cannot remove %s\n", trees);
	free(cache), free(trees);
	return r;
}

#endif
