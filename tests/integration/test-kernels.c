/* Kernel integration tests: mhp builds a minimal 6.1 from Debian's
 * linux-source-6.1, the gate blocks each regression patch of
 * kernel-patches/regressions/ and passes a harmless series, and bisect
 * names the regression in a synthetic history.
 *
 * Every test builds in one cache (one work tree, one O= directory), as a
 * user's machine would: the first build is complete (5-10 minutes here),
 * the ones after recompile only what changed.  The kernels stay in that
 * cache for the next run and for test-campaigns (kernel-repo.h). */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"
#include "kernel-repo.h"
#include "lib/process.h"

extern char **environ;

#define TOPOLOGY "topologies/two-nodes-movable-node.json"
#define REGRESSION_SUBJECT "mm/memory_hotplug: online to the kernel zone unless told otherwise"

/* ---------------------------------------------------------------- build */

/* mhp kernel build gives a minimal 6.1 that boots the corpus's basics; the
 * same build again comes from the cache; the user's tree is left alone. */
static void test_kernel_build(void **state)
{
	(void)state;
	const char *repo = kernel_repo();
	char *cache = cache_dir();
	const char *build[] = { "kernel", "build", "--src", repo, "--rev", "mhp-base", "--cache", cache, NULL };
	struct run r1, r2, r3;

	run_mhp(&r1, "kbuild", build);
	expect_status(&r1, 0);
	char *image = printed_image(&r1);
	assert_int_equal(strncmp(image, cache, strlen(cache)), 0);
	const char *args[] = { "run", "--accel", "tcg", "--kernel", image, "topologies/dimm-node1-movable.json",
			       "topologies/data-survives-hot-remove.json", "topologies/srat-hotpluggable-boot.json", NULL };
	run_mhp(&r2, "kbuild-run", args);
	expect_status(&r2, 0);
	uint64_t t0 = mhp_now_ns();
	run_mhp(&r3, "kbuild-again", build);
	expect_status(&r3, 0);
	assert_true(mhp_now_ns() - t0 < 20ull * 1000000000ull);
	char *status = git_out(repo, "status", "--porcelain");
	assert_string_equal(status, "");
	free(status), free(image), free(cache);
	run_release(&r1), run_release(&r2), run_release(&r3);
}

/* An unpacked (not git) source works too, and an option the fragment asks
 * for that olddefconfig drops is named. */
static void test_kernel_config_checked(void **state)
{
	(void)state;
	char *src = debian_source(), *cache = cache_dir();
	char *frag = mhp_xasprintf("%s/bogus.config", workdir);
	const char *build[] = { "kernel", "build", "--src", src, "--cache", cache, "--config", frag, NULL };
	struct run r;

	assert_int_equal(mhp_write_file_atomic(frag, "CONFIG_MHP_NO_SUCH_OPTION=y\n", 28), 0);
	run_mhp(&r, "kbuild-bogus", build);
	expect_status(&r, 1);
	char *out = slurp(r.out);
	assert_non_null(strstr(out, "did not survive olddefconfig"));
	assert_non_null(strstr(out, "CONFIG_MHP_NO_SUCH_OPTION=y"));
	free(out), free(src), free(cache), free(frag);
	run_release(&r);
}

/* ---------------------------------------------------------------- history */

/* Eight commits on top of mhp-base, on branch "history": harmless ones (a
 * comment appended to a C file, a documentation line), a commit that
 * breaks the build and its revert, and, sixth, the movable_node
 * regression.  A bisect from mhp-base first tests the fourth: the one
 * that does not build, so the step must say skip. */
struct history {
	char *broken;     /* the commit that does not build */
	char *regression; /* the commit that breaks hotplug */
};

static void append_line(const char *repo, const char *file, const char *line)
{
	char *path = mhp_xasprintf("%s/%s", repo, file);
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fprintf(f, "%s\n", line);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static const struct history *kernel_history(void)
{
	static const char *const files[] = { "mm/memory_hotplug.c", "Documentation/admin-guide/mm/memory-hotplug.rst",
					      "drivers/base/memory.c", "B", "F", "R", "README", "mm/memory_hotplug.c" };
	static struct history h;
	const char *repo = kernel_repo();
	char patch[4096];

	if (h.regression)
		return &h;
	git(repo, (const char *[]){ "checkout", "-q", "-b", "history", "mhp-base", NULL });
	assert_non_null(realpath("kernel-patches/regressions/movable-node-ignored.patch", patch));
	for (size_t i = 0; i < 8; i++) {
		char msg[160], line[64];

		snprintf(msg, sizeof(msg), "harmless change %zu to %s", i + 1, files[i]);
		if (!strcmp(files[i], "B")) {
			append_line(repo, "drivers/base/memory.c", "mhp_bisect_test_this_does_not_compile");
			git(repo, (const char *[]){ "commit", "-q", "-a", "-m", "drivers/base/memory: break the build", NULL });
			h.broken = git_out(repo, "rev-parse", "HEAD");
		} else if (!strcmp(files[i], "F")) {
			git(repo, (const char *[]){ "revert", "--no-edit", "HEAD", NULL });
		} else if (!strcmp(files[i], "R")) {
			char *argv[] = { "patch", "-s", "-p1", "-d", (char *)repo, "-i", patch, NULL };
			run_ok(argv);
			git(repo, (const char *[]){ "commit", "-q", "-a", "-m", REGRESSION_SUBJECT, NULL });
			h.regression = git_out(repo, "rev-parse", "HEAD");
		} else {
			bool c_file = strstr(files[i], ".c") != NULL;
			snprintf(line, sizeof(line), c_file ? "/* mhp bisect test: change %zu */" : "mhp bisect test: change %zu",
				 i + 1);
			append_line(repo, files[i], line);
			git(repo, (const char *[]){ "commit", "-q", "-a", "-m", msg, NULL });
		}
	}
	return &h;
}

/* ---------------------------------------------------------------- gate */

struct gate_row {
	const char *name;
	const char *candidate;  /* a patch or a series directory */
	int status;             /* 1 blocked, 0 passed */
	const char *check;      /* a blocking check, NULL when none */
	const char *baseline;   /* its value on each side */
	const char *cand_value; /* NULL: anything but the baseline's */
	const char *topology;   /* NULL: TOPOLOGY */
	const char *backend;    /* NULL: QEMU's own */
};

static const struct gate_row gate_rows[] = {
	{ "gate blocks: plain online ignores movable_node", "kernel-patches/regressions/movable-node-ignored.patch", 1,
	  "step 3 online dimm0: block 32 zone", "Movable", "Normal", NULL, NULL },
	{ "gate blocks through the libvirt backend: plain online ignores movable_node",
	  "kernel-patches/regressions/movable-node-ignored.patch", 1, "step 3 online dimm0: block 32 zone", "Movable", "Normal",
	  NULL, "libvirt" },
	{ "gate blocks: valid_zones in a fixed order", "kernel-patches/regressions/valid-zones-fixed-order.patch", 1,
	  "step 1 plug dimm0: block 32 valid_zones", "Movable,Normal", "Normal,Movable", NULL, NULL },
	{ "gate blocks: firmware memmap entry left on hot-remove",
	  "kernel-patches/regressions/firmware-memmap-left-behind.patch", 1,
	  "step 5 unplug dimm1: firmware memmap entry", "(absent)", NULL, NULL, NULL },
	{ "gate blocks: a zone's end shrunk over offline blocks", "kernel-patches/regressions/zone-end-shrink-offline.patch",
	  1, "step 3 offline dimm1: node 1 Movable spanned pages", "32768", "65536",
	  "kernel-patches/regressions/zone-end-shrink-offline.topology.json", NULL },
	{ "gate blocks: a CPU-less node offlined while a DIMM is on it",
	  "kernel-patches/regressions/cpuless-node-offlined-early.patch", 1, "step 4 unplug second: outcome", "removed",
	  "(not reached)", "kernel-patches/regressions/cpuless-node-offlined-early.topology.json", NULL },
	{ "gate blocks: N_NORMAL_MEMORY kept after the last Normal memory went offline",
	  "kernel-patches/regressions/normal-memory-state-kept.patch", 1, "step 4 offline bare: node 2 node states",
	  "possible,online", "possible,online,has_normal_memory", "topologies/cpuless-node-hot-add.json", NULL },
	{ "gate blocks: interleaved nodes' memmap initialized node by node",
	  "kernel-patches/regressions/interleaved-memmap-holes.patch", 1, "step 3 offline dimm1: node 1 Movable spanned pages",
	  "131072", "32768", "kernel-patches/regressions/interleaved-memmap-holes.topology.json", NULL },
	{ "gate blocks: virtio-mem memory given a firmware memmap entry",
	  "kernel-patches/regressions/virtio-mem-firmware-memmap.patch", 1, "step 1 resize vm0: firmware memmap entry",
	  "(absent)", NULL, "topologies/virtio-mem-movable.json", NULL },
};

static json_object *gate_json(const char *results)
{
	char *pattern = mhp_xasprintf("%s/*-gate/gate.json", results);
	glob_t g;

	if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1)
		fail_msg("want one %s", pattern);
	json_object *o = json_object_from_file(g.gl_pathv[0]);
	assert_non_null(o);
	globfree(&g);
	free(pattern);
	return o;
}

static size_t regressions(json_object *gate, const char *check, json_object **ret_row)
{
	json_object *rows = json_object_object_get(gate, "rows");
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		if (strcmp(jstr(row, "kind"), "regression"))
			continue;
		n++;
		if (check && !strcmp(jstr(row, "check"), check))
			*ret_row = row;
	}
	return n;
}

/* The blocking gate's report in Chromium: baseline and candidate of the
 * topology side by side, the verdict, and the candidate's cells marked. */
static void expect_gate_report(const char *results)
{
	char *pattern = mhp_xasprintf("%s/*-gate/report.html", results), *profile = mhp_xasprintf("%s/chromium", workdir);
	glob_t g;

	if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1)
		fail_msg("want one %s", pattern);
	char *page = mhp_xasprintf("file://%s", g.gl_pathv[0]), *dom = chromium("--dump-dom", page, profile);
	assert_non_null(strstr(dom, "<div class=\"pair\""));
	assert_non_null(strstr(dom, "BLOCK: baseline"));
	char *cell = strstr(dom, "cell mismatch");
	if (!cell || !strstr(cell, "zone: expected Movable, observed Normal"))
		fail_msg("the gate's report marks no cell of the candidate with expected Movable, observed Normal");
	globfree(&g);
	free(pattern), free(profile), free(page), free(dom);
}

static void test_gate(void **state)
{
	const struct gate_row *row = *state;
	char *cache = cache_dir(), *results = mhp_xasprintf("%s/gate-%p", workdir, (const void *)row);
	const char *args[] = { "gate", "--src", kernel_repo(), "--baseline", "mhp-base", "--candidate", row->candidate,
			       "--cache", cache, "--results", results, "--accel", "tcg",
			       row->topology ? row->topology : TOPOLOGY, NULL, NULL, NULL };
	struct run r;
	json_object *found = NULL;

	if (row->backend) {
		args[15] = args[13];
		args[13] = "--backend", args[14] = row->backend;
	}
	run_mhp(&r, "gate", args);
	expect_status(&r, row->status);
	json_object *gate = gate_json(results);
	assert_string_equal(jstr(gate, "verdict"), row->status ? "block" : "pass");
	assert_int_equal(json_object_get_int(json_object_object_get(gate, "topologies_compared")), 1);
	size_t n = regressions(gate, row->check, &found);
	if (!row->check) {
		assert_int_equal(n, 0);
	} else {
		if (!found)
			fail_msg("no blocking row for '%s' in the gate of %s", row->check, row->candidate);
		assert_string_equal(jstr(found, "baseline"), row->baseline);
		if (row->cand_value)
			assert_string_equal(jstr(found, "candidate"), row->cand_value);
		else
			assert_string_not_equal(jstr(found, "candidate"), row->baseline);
		/* The table names it too. */
		char *out = slurp(r.out);
		assert_non_null(strstr(out, "BLOCK:"));
		assert_non_null(strstr(out, row->check));
		free(out);
	}
	json_object_put(gate);
	if (row == &gate_rows[0])
		expect_gate_report(results);
	free(cache), free(results);
	run_release(&r);
}

/* Runs of one side of the gate under results: how many restored from a
 * boot snapshot, and the kernel they booted (the last one seen). */
static size_t side_restored(const char *results, const char *side, char **ret_kernel)
{
	char *pattern = mhp_xasprintf("%s/*-gate/%s/*/result.json", results, side);
	size_t n = 0;
	glob_t g;

	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		json_object *res = json_object_from_file(g.gl_pathv[i]);
		assert_non_null(res);
		n += !strncmp(jstr(res, "boot"), "restored", 8);
		free(*ret_kernel);
		*ret_kernel = mhp_xstrdup(jstr(res, "kernel"));
		json_object_put(res);
	}
	globfree(&g);
	free(pattern);
	return n;
}

/* Kernels are built reproducibly: the comment-only candidate is the
 * baseline's bzImage byte for byte, so once the baseline's snapshots exist
 * the candidate restores every one the baseline does. */
static void expect_candidate_restored(const char *results)
{
	char *base = NULL, *cand = NULL, *a = NULL, *b = NULL;
	size_t restored = side_restored(results, "baseline", &base), alen, blen;

	assert_true(restored > 0);
	assert_int_equal(side_restored(results, "candidate", &cand), restored);
	assert_string_not_equal(base, cand); /* two builds, two cache entries */
	assert_int_equal(mhp_read_file(base, 64 << 20, &a, &alen), 0);
	assert_int_equal(mhp_read_file(cand, 64 << 20, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a), free(b), free(base), free(cand);
}

/* A harmless series over the whole default suite, three gates in a row:
 * no block, whichever way the kernel takes the steps the oracle allows
 * either way (those are listed as "outcome-differed", never blocking). */
static void test_gate_clean_suite(void **state)
{
	(void)state;
	char *cache = cache_dir();
	size_t topologies = 0;
	glob_t g;

	assert_int_equal(glob("topologies/*.json", 0, NULL, &g), 0);
	topologies = g.gl_pathc;
	globfree(&g);
	for (int i = 0; i < 3; i++) {
		char *results = mhp_xasprintf("%s/gate-clean-%d", workdir, i);
		const char *args[] = { "gate", "--src", kernel_repo(), "--baseline", "mhp-base", "--candidate",
				       "kernel-patches/examples/comment-only", "--cache", cache, "--results", results,
				       "--accel", "tcg", NULL };
		struct run r;

		run_mhp(&r, "gate-clean", args);
		expect_status(&r, 0);
		json_object *gate = gate_json(results);
		assert_string_equal(jstr(gate, "verdict"), "pass");
		assert_int_equal(json_object_get_int(json_object_object_get(gate, "topologies_compared")), topologies);
		assert_int_equal(regressions(gate, NULL, NULL), 0);
		json_object_put(gate);
		if (i > 0)
			expect_candidate_restored(results);
		free(results);
		run_release(&r);
	}
	free(cache);
}

/* A candidate revision that does not compile blocks, quoting the compiler. */
static void test_gate_build_failure(void **state)
{
	(void)state;
	char *cache = cache_dir(), *results = mhp_xasprintf("%s/gate-broken", workdir);
	const char *args[] = { "gate", "--src", kernel_repo(), "--baseline", "mhp-base", "--candidate",
			       kernel_history()->broken, "--cache", cache, "--results", results, "--accel", "tcg", TOPOLOGY,
			       NULL };
	struct run r;
	json_object *row = NULL;

	run_mhp(&r, "gate-broken", args);
	expect_status(&r, 1);
	json_object *gate = gate_json(results);
	assert_int_equal(regressions(gate, "kernel builds", &row), 1);
	assert_non_null(row);
	assert_non_null(strstr(jstr(row, "candidate"), "mhp_bisect_test_this_does_not_compile"));
	assert_non_null(strstr(jstr(row, "candidate"), "drivers/base/memory.c"));
	json_object_put(gate);
	free(cache), free(results);
	run_release(&r);
}

/* A revision that is not there is bad input: exit 2, named, and no
 * results directory left behind. */
static void test_bad_revision(void **state)
{
	(void)state;
	char *results = mhp_xasprintf("%s/bad-rev", workdir);
	const char *gate[] = { "gate", "--src", kernel_repo(), "--baseline", "no-such-rev", "--candidate", "mhp-base",
			       "--results", results, TOPOLOGY, NULL };
	const char *bisect[] = { "bisect", "--src", kernel_repo(), "--good", "no-such-rev", "--bad", "mhp-base",
				 "--results", results, "--topology", TOPOLOGY, NULL };
	const char *const *cmds[] = { gate, bisect };
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		struct run r;
		run_mhp(&r, "bad-rev", cmds[i]);
		expect_status(&r, 2);
		char *out = slurp(r.out);
		assert_non_null(strstr(out, "'no-such-rev' is not a commit"));
		assert_int_equal(stat(results, &st), -1);
		free(out);
		run_release(&r);
	}
	free(results);
}

/* ---------------------------------------------------------------- bisect */

static void test_bisect(void **state)
{
	(void)state;
	const char *repo = kernel_repo();
	const struct history *h = kernel_history();
	char *cache = cache_dir(), *results = mhp_xasprintf("%s/bisect", workdir);
	char *head_before = git_out(repo, "rev-parse", "HEAD");
	const char *args[] = { "bisect", "--src", repo, "--good", "mhp-base", "--bad", "history", "--topology", TOPOLOGY,
			       "--check", "zone", "--cache", cache, "--results", results, "--accel", "tcg", NULL };
	struct run r;

	run_mhp(&r, "bisect", args);
	expect_status(&r, 0);
	char *out = slurp(r.out), *want = mhp_xasprintf("first bad commit: %s %s\n", h->regression, REGRESSION_SUBJECT);
	if (!strstr(out, want))
		fail_msg("want '%s' in:\n%s", want, out);
	/* git's own log of it is kept, and each step's results. */
	char *pattern = mhp_xasprintf("%s/*-bisect/bisect.log", results);
	glob_t g;
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	char *log = slurp(g.gl_pathv[0]);
	assert_non_null(strstr(log, "# first bad commit:"));
	globfree(&g);
	/* The commit that does not build was skipped, not called good or bad. */
	char *skip = mhp_xasprintf(" %.12s skip: the kernel does not build", h->broken);
	if (!strstr(out, skip))
		fail_msg("want '%s' in:\n%s", skip, out);
	free(skip);
	char *steps = mhp_xasprintf("%s/*-bisect/steps/*/*/result.json", results);
	assert_int_equal(glob(steps, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 2);
	globfree(&g);
	/* The user's checkout did not move. */
	char *head_after = git_out(repo, "rev-parse", "HEAD"), *status = git_out(repo, "status", "--porcelain");
	assert_string_equal(head_before, head_after);
	assert_string_equal(status, "");
	free(out), free(want), free(pattern), free(log), free(steps), free(head_before), free(head_after), free(status);
	free(cache), free(results);
	run_release(&r);
}

int main(void)
{
	static struct test_list l;

	itest_setup();
	TEST_ONE(&l, test_kernel_build);
	TEST_ONE(&l, test_kernel_config_checked);
	TEST_ROWS(&l, test_gate, gate_rows);
	TEST_ONE(&l, test_gate_clean_suite);
	TEST_ONE(&l, test_gate_build_failure);
	TEST_ONE(&l, test_bad_revision);
	TEST_ONE(&l, test_bisect);
	return kernel_tests_end(itest_run("kernels", &l));
}
