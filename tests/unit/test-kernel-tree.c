/* mhp's work tree of a kernel source, on a toy tree (a Makefile and one C
 * file): imported or cloned, revisions resolved in the user's tree,
 * patches applied there and dropped at the next checkout, the user's tree
 * never touched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "kernel/kernel-tree.h"
#include "lib/process.h"

static char root[] = "/tmp/mhp-ktree-test-XXXXXX";

static char *path_in(const char *dir, const char *name)
{
	return mhp_xasprintf("%s/%s", dir, name);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *p = path_in(dir, name);

	assert_int_equal(mhp_write_file_atomic(p, text, strlen(text)), 0);
	free(p);
}

static char *get(const char *dir, const char *name)
{
	char *p = path_in(dir, name), *text = NULL;

	assert_int_equal(mhp_read_file(p, 1 << 20, &text, NULL), 0);
	free(p);
	return text;
}

static void git(const char *dir, const char *a, const char *b, const char *c)
{
	char *argv[] = { "git", "-C", (char *)dir, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "gc.auto=0",
			 (char *)a, (char *)b, (char *)c, NULL };

	assert_int_equal(mhp_run_capture(argv, mhp_deadline_in_ms(30000), 4096, NULL), 0);
}

/* A toy tree in root/NAME: Makefile and mm/a.c saying "one". */
static char *toy_tree(const char *name)
{
	char *dir = path_in(root, name), *mm = path_in(dir, "mm");

	assert_int_equal(mhp_mkdir_p(mm, 0755), 0);
	put(dir, "Makefile", "VERSION = 6\n");
	put(dir, "mm/a.c", "int a = 1; /* one */\n");
	free(mm);
	return dir;
}

/* A patch turning "one" into "two". */
static char *two_patch(void)
{
	char *p = path_in(root, "two.patch");
	const char *text = "--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1 +1 @@\n-int a = 1; /* one */\n+int a = 2; /* two */\n";

	assert_int_equal(mhp_write_file_atomic(p, text, strlen(text)), 0);
	return p;
}

static void test_unpacked_source(void **state)
{
	(void)state;
	char *src = toy_tree("plain"), *cache = path_in(root, "cache1"), *patch = two_patch(), err[2048] = "";
	char commit[41], again[41];
	struct mhp_strv patches = MHP_STRV_INIT, none = MHP_STRV_INIT;
	struct mhp_ktree t;

	assert_int_equal(mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(60000), err, sizeof(err)), 0);
	assert_false(t.src_is_git);
	assert_int_equal(mhp_ktree_resolve(&t, NULL, commit, err, sizeof(err)), 0);
	assert_int_equal(strlen(commit), 40);
	/* An unpacked tree has no revisions to speak of. */
	assert_true(mhp_ktree_resolve(&t, "HEAD~1", again, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "is not a git tree"));

	mhp_strv_push(&patches, patch);
	assert_int_equal(mhp_ktree_checkout(&t, commit, &patches, mhp_deadline_in_ms(30000), err, sizeof(err)), 0);
	char *work = get(t.work, "mm/a.c"), *user = get(src, "mm/a.c");
	assert_string_equal(work, "int a = 2; /* two */\n");
	assert_string_equal(user, "int a = 1; /* one */\n");
	free(work), free(user);

	/* The next checkout drops the patch. */
	assert_int_equal(mhp_ktree_checkout(&t, commit, &none, mhp_deadline_in_ms(30000), err, sizeof(err)), 0);
	work = get(t.work, "mm/a.c");
	assert_string_equal(work, "int a = 1; /* one */\n");
	free(work);
	mhp_ktree_close(&t);

	/* Opened again, it is the same import. */
	assert_int_equal(mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(60000), err, sizeof(err)), 0);
	assert_int_equal(mhp_ktree_resolve(&t, NULL, again, err, sizeof(err)), 0);
	assert_string_equal(again, commit);
	mhp_ktree_close(&t);
	mhp_strv_release(&patches);
	free(src), free(cache), free(patch);
}

static void test_patch_that_does_not_apply(void **state)
{
	(void)state;
	char *src = toy_tree("plain2"), *cache = path_in(root, "cache2"), *patch = two_patch(), err[2048] = "";
	char commit[41];
	struct mhp_strv patches = MHP_STRV_INIT;
	struct mhp_ktree t;

	put(src, "mm/a.c", "something else\n");
	assert_int_equal(mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(60000), err, sizeof(err)), 0);
	assert_int_equal(mhp_ktree_resolve(&t, NULL, commit, err, sizeof(err)), 0);
	mhp_strv_push(&patches, patch);
	assert_true(mhp_ktree_checkout(&t, commit, &patches, mhp_deadline_in_ms(30000), err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "applying '"));
	assert_non_null(strstr(err, "two.patch"));
	mhp_ktree_close(&t);
	mhp_strv_release(&patches);
	free(src), free(cache), free(patch);
}

static void count_tick(void *ctx)
{
	(*(unsigned *)ctx)++;
}

/* A command of the tree ticks its caller (the build's progress line)
 * while it runs: about twice a second. */
static void test_ticks_while_running(void **state)
{
	(void)state;
	char *src = toy_tree("ticks"), *cache = path_in(root, "cache-ticks"), err[2048] = "";
	char *sleep_argv[] = { "sleep", "1.3", NULL };
	struct mhp_ktree t;
	unsigned ticks = 0;

	assert_int_equal(mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(60000), err, sizeof(err)), 0);
	mhp_ktree_new_log(&t);
	t.tick = count_tick, t.tick_ctx = &ticks;
	assert_int_equal(mhp_ktree_run(&t, sleep_argv, mhp_deadline_in_ms(30000), "sleep", err, sizeof(err)), 0);
	assert_in_range(ticks, 2, 4);
	mhp_ktree_close(&t);
	free(src), free(cache);
}

static void test_git_source(void **state)
{
	(void)state;
	char *src = toy_tree("git"), *cache = path_in(root, "cache3"), err[2048] = "";
	char first[41], head[41];
	struct mhp_strv none = MHP_STRV_INIT;
	struct mhp_ktree t;

	git(src, "init", "-q", NULL);
	git(src, "add", "-A", NULL);
	git(src, "commit", "-qm", "one");
	put(src, "mm/a.c", "int a = 3; /* three */\n");
	git(src, "commit", "-qam", "three");
	assert_int_equal(mhp_ktree_open(&t, src, cache, mhp_deadline_in_ms(60000), err, sizeof(err)), 0);
	assert_true(t.src_is_git);
	assert_int_equal(mhp_ktree_resolve(&t, "HEAD~1", first, err, sizeof(err)), 0);
	assert_true(mhp_ktree_resolve(&t, "no-such-branch", head, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "'no-such-branch' is not a commit"));
	assert_int_equal(mhp_ktree_checkout(&t, first, &none, mhp_deadline_in_ms(30000), err, sizeof(err)), 0);
	char *work = get(t.work, "mm/a.c"), *user = get(src, "mm/a.c"), *subject = mhp_ktree_subject(&t, first);
	assert_string_equal(work, "int a = 1; /* one */\n");
	assert_string_equal(user, "int a = 3; /* three */\n");
	assert_string_equal(subject, "one");
	assert_int_equal(mhp_ktree_head(&t, head, err, sizeof(err)), 0);
	assert_string_equal(head, first);
	free(work), free(user), free(subject);
	mhp_ktree_close(&t);
	free(src), free(cache);
}

static void test_not_a_kernel_tree(void **state)
{
	(void)state;
	char *dir = path_in(root, "empty"), *cache = path_in(root, "cache4"), err[2048] = "";
	struct mhp_ktree t;

	assert_int_equal(mhp_mkdir_p(dir, 0755), 0);
	assert_true(mhp_ktree_open(&t, dir, cache, mhp_deadline_in_ms(60000), err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "is not a kernel tree: it has no Makefile"));
	assert_true(mhp_ktree_open(&t, "/no/such/tree", cache, mhp_deadline_in_ms(60000), err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/no/such/tree"));
	free(dir), free(cache);
}

int main(void)
{
	static struct test_list l;
	int r;

	if (!mkdtemp(root))
		return 2;
	TEST_ONE(&l, test_unpacked_source);
	TEST_ONE(&l, test_patch_that_does_not_apply);
	TEST_ONE(&l, test_git_source);
	TEST_ONE(&l, test_ticks_while_running);
	TEST_ONE(&l, test_not_a_kernel_tree);
	r = TEST_RUN("kernel-tree", &l);
	char *argv[] = { "rm", "-rf", root, NULL };
	mhp_run_capture(argv, mhp_deadline_in_ms(30000), 0, NULL);
	return r;
}
