/* Integration tests: run the real mhp binary, which boots the default kernel
 * under TCG, and check what it concluded about the kernel's behaviour, what
 * it kept, and what it left behind.  MHP names the binary. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../ktap-check.h"
#include "../unit/testutil.h"
#include "lib/cleanup.h"
#include "guest/kernel-image.h"
#include "guest/modules.h"
#include "lib/util.h"
#include "model/oracle.h"
#include "model/topology.h"

#include "itest.h"
#include "lib/process.h"

/* Observed values of the steps' checks (not the boot layout's) whose name
 * ends with suffix, joined by ','. */
static char *observed_for(json_object *res, const char *suffix, const char *status)
{
	json_object *checks = json_object_object_get(res, "checks");
	char *out = mhp_xcalloc(4096, 1);

	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		const char *name = jstr(c, "name");
		size_t nl = strlen(name), sl = strlen(suffix);

		if (nl < sl || strcmp(name + nl - sl, suffix) || (status && strcmp(jstr(c, "status"), status)))
			continue;
		if (!strncmp(name, "boot: ", 6) && strncmp(suffix, "boot: ", 6))
			continue;
		if (*out)
			strcat(out, ",");
		strncat(out, jstr(c, "observed"), 4095 - strlen(out) - 1);
	}
	return out;
}


/* The runs' private directories, in the tests' own TMPDIR. */
static unsigned count_run_dirs(void)
{
	DIR *d = opendir(getenv("TMPDIR"));
	struct dirent *de;
	unsigned n = 0;

	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "mhp-run-", 8);
	closedir(d);
	return n;
}

static void expect_logs_kept(struct run *r)
{
	static const char *const logs[] = { "console.log", "qmp.log", "channel.log", "qemu.log", "result.json", "junit.xml" };

	for (size_t i = 0; i < ARRAY_SIZE(logs); i++) {
		char *p = mhp_xasprintf("%s/latest/%s", r->results, logs[i]);
		struct stat st;

		if (stat(p, &st) < 0)
			fail_msg("%s was not kept", p);
		free(p);
	}
}

/* ---------------------------------------------------------------- passes */


/* A topology run and what some of its checks must have observed. */
struct observe_row {
	const char *name;
	const char *topology;
	int status;
	struct {
		const char *suffix;   /* checks whose name ends so (step checks) */
		const char *observed; /* their observed values, joined by ',' */
	} want[3];
};

static const struct observe_row observe_rows[] = {
	{ "(a) 1 GiB on node 1 onlined movable, removed", "topologies/dimm-node1-movable.json", 0,
	  { { " zone", "Movable,Movable,Movable,Movable,Movable,Movable,Movable,Movable" }, { "unplug dimm1: blocks gone", "none left" }, { "plug dimm1: block 32 node", "1" } } },
	{ "auto-online online_movable: Movable before the insertion _OST", "topologies/auto-online-movable.json", 0,
	  { { " zone", "Movable,Movable,Movable,Movable,Movable,Movable,Movable,Movable" }, { "guest _OST status", "0x0" } } },
	/* The kernel retries an offline until a signal: the guest's own
	 * deadline stops it, says so (ETIMEDOUT), the block stays online. */
	{ "an offline past its deadline is a timeout", "tests/topologies/offline-deadline.json", 0,
	  { { "step 4 offline dimm1: block 32 offline", "error what=offline id=32 errno=110" },
	    { "step 5 check: block 32 state", "online" } } },
};

static void test_observe(void **state)
{
	const struct observe_row *row = *state;
	const char *args[] = { "run", "--accel", "tcg", row->topology, NULL };
	char tag[32];
	struct run r;

	snprintf(tag, sizeof(tag), "observe-%p", (const void *)row);
	run_mhp(&r, tag, args);
	expect_status(&r, row->status);
	json_object *res = latest_result(&r);
	for (size_t i = 0; i < 3 && row->want[i].suffix; i++) {
		char *got = observed_for(res, row->want[i].suffix, NULL);
		if (strcmp(got, row->want[i].observed))
			fail_msg("'%s': observed '%s', want '%s'", row->want[i].suffix, got, row->want[i].observed);
		free(got);
	}
	json_object_put(res);
	run_release(&r);
}

/* (b) movable_node + plain online: Movable on both nodes; reverse unplug. */
/* The kernel's own KTAP parser (tools/testing/kunit/kunit.py parse, from
 * Debian's linux-source-6.1) reads mhp's KTAP and counts what mhp counted:
 * every check a subtest, and "run completed" one more per topology. */
static void expect_kunit_agrees(struct run *r)
{
	char *kunit = mhp_xasprintf("%s/kunit/tools/testing/kunit/kunit.py", workdir), *out = NULL;
	struct stat st;

	if (stat(kunit, &st) < 0) {
		char *dir = mhp_xasprintf("%s/kunit", workdir);
		char *mk[] = { "mkdir", "-p", dir, NULL };
		char *tar[] = { "tar", "-xJf", "/usr/src/linux-source-6.1.tar.xz", "-C", dir, "--strip-components=1",
				"linux-source-6.1/tools/testing/kunit", NULL };
		assert_int_equal(spawn_wait(mk), 0);
		if (spawn_wait(tar) != 0)
			fail_msg("cannot unpack kunit.py from /usr/src/linux-source-6.1.tar.xz");
		free(dir);
	}
	char *argv[] = { "python3", kunit, "parse", r->out, NULL };
	int status = mhp_run_capture(argv, mhp_deadline_in_ms(60000), 1 << 20, &out);
	json_object *res = latest_result(r);
	json_object *checks = json_object_object_get(res, "checks");
	long pass = 0, fail = 0, skip = 0, kp = 0, kf = 0, ks = 0;
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		const char *v = jstr(json_object_array_get_idx(checks, i), "status");
		pass += !strcmp(v, "pass"), fail += !strcmp(v, "fail"), skip += !strcmp(v, "skip");
	}
	*(jstr(res, "error") ? &fail : &pass) += 1; /* "run completed" */
	/* "Ran 264 tests: passed: 261, skipped: 3": kunit.py names only the
	 * counts that are not 0. */
	char *ran = out ? strstr(out, "Testing complete. Ran ") : NULL;
	if (!ran || !strchr(ran, '\n'))
		fail_msg("kunit.py parse said (status %d):\n%s", status, out ? out : "");
	*strchr(ran, '\n') = '\0';
	const char *words[] = { "passed: ", "failed: ", "skipped: " };
	long *counts[] = { &kp, &kf, &ks };
	for (size_t k = 0; k < 3; k++) {
		const char *at = strstr(ran, words[k]);
		if (at)
			*counts[k] = strtol(at + strlen(words[k]), NULL, 10);
	}
	if (kp != pass || (kf < 0 ? 0 : kf) != fail || ks != skip)
		fail_msg("kunit.py counts %ld passed, %ld failed, %ld skipped; mhp %ld, %ld, %ld", kp, kf, ks, pass, fail, skip);
	assert_int_equal(status, fail ? 1 : 0);
	json_object_put(res);
	free(kunit), free(out);
}

/* A passing run's report: every block drawn, none marked. */
static void expect_clean_report(struct run *r)
{
	char *page = mhp_xasprintf("file://%s/report.html", r->results), *profile = mhp_xasprintf("%s/chromium", workdir);
	char *dom = chromium("--dump-dom", page, profile);

	assert_non_null(strstr(dom, "<rect class=\"cell\""));
	assert_null(strstr(dom, "cell mismatch"));
	assert_non_null(strstr(dom, "hotplug window"));
	free(dom), free(page), free(profile);
}

static void test_two_nodes_movable_node(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "topologies/two-nodes-movable-node.json", NULL };
	struct run r;

	run_mhp(&r, "b", args);
	expect_status(&r, 0);
	json_object *res = latest_result(&r);
	char *zones = observed_for(res, " zone", NULL);
	assert_string_equal(zones, "Movable,Movable,Movable,Movable,Movable,Movable,Movable,Movable");
	char *outcome = observed_for(res, ": outcome", NULL);
	assert_string_equal(outcome, "removed,removed");
	json_object *phases = json_object_object_get(res, "phases");
	char order[256] = "";
	for (size_t i = 0; i < json_object_array_length(phases); i++) {
		const char *name = jstr(json_object_array_get_idx(phases, i), "name");
		if (strstr(name, "unplug"))
			strcat(order, strrchr(name, ' ') + 1);
	}
	assert_string_equal(order, "dimm1dimm0");
	free(zones);
	free(outcome);
	json_object_put(res);
	expect_kunit_agrees(&r);
	expect_clean_report(&r);
	run_release(&r);
}



/* ---------------------------------------------------------------- failures */

/* A wrong expectation must fail the run, and say what the kernel did. */
/* The failing run's report.html, rendered by Chromium: the cell of block 32
 * after the online is marked and says what the oracle expected and what
 * the guest showed; the page logs nothing to the console.  A screenshot is
 * kept in the results. */
static void expect_report_in_browser(struct run *r)
{
	char *page = mhp_xasprintf("file://%s/report.html", r->results), *profile = mhp_xasprintf("%s/chromium", workdir);
	char *shot = mhp_xasprintf("--screenshot=%s/report.png", r->results), *png = mhp_xasprintf("%s/report.png", r->results);
	char *dom = chromium("--dump-dom", page, profile);
	assert_null(strstr(dom, "<script"));
	struct stat st;

	char *cell = strstr(dom, "<rect class=\"cell mismatch\"");
	if (!cell)
		fail_msg("no marked cell in the rendered report");
	char *end = strstr(cell, "</rect>");
	assert_non_null(end);
	*end = '\0';
	assert_non_null(strstr(cell, "data-block=\"32\""));
	if (!strstr(cell, "block 32 after step 2 online dimm1: Movable") ||
	    !strstr(cell, "zone: expected Normal, observed Movable"))
		fail_msg("the marked cell does not carry expected and observed zones: %s", cell);
	free(chromium(shot, page, profile));
	assert_int_equal(stat(png, &st), 0);
	assert_true(st.st_size > 10000);
	free(dom), free(page), free(profile), free(shot), free(png);
}

static void test_wrong_expectation_fails(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "tests/topologies/wrong-zone-expectation.json", NULL };
	struct run r;

	run_mhp(&r, "wrong", args);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	assert_string_equal(jstr(res, "verdict"), "fail");
	char *failed = observed_for(res, " zone", "fail");
	assert_string_equal(failed, "Movable,Movable,Movable,Movable,Movable,Movable,Movable,Movable");
	char *out = slurp(r.out);
	assert_non_null(strstr(out, "not ok 1 wrong-zone-expectation"));
	assert_non_null(strstr(out, "# wrong-zone-expectation: 8 checks failed:\n"));
	assert_non_null(strstr(out, "#   step 2 online dimm1: block 32 zone  Normal    Movable\n"));
	free(out);
	free(failed);
	json_object_put(res);
	expect_report_in_browser(&r);
	expect_kunit_agrees(&r);
	run_release(&r);
}

/* Waits until the run's QEMU is up, then returns its pid. */
static pid_t wait_for_qemu(struct run *r)
{
	char *needle = mhp_xasprintf("%s/", r->results);
	pid_t qemu = 0;

	for (int i = 0; i < 3000 && !qemu; i++) {
		qemu = find_process("qemu-system", needle);
		if (!qemu)
			usleep(10000);
	}
	free(needle);
	if (!qemu)
		fail_msg("QEMU of run '%s' never started", r->results);
	return qemu;
}

/* Waits until the run's QMP transcript shows device_add. */
static void wait_for_plug(struct run *r)
{
	for (int i = 0; i < 60000; i++) {
		char *p = mhp_xasprintf("%s/latest/qmp.log", r->results);
		char *log = slurp(p);
		bool plugged = strstr(log, "\"device_add\"") != NULL;

		free(p);
		free(log);
		if (plugged)
			return;
		usleep(2000);
	}
	fail_msg("the run never reached device_add");
}

/* Kill QEMU in mid-scenario: failed verdict naming the phase, logs kept,
 * nothing left running, no run directory left. */
static void test_qemu_killed(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "tests/topologies/plug-cycles.json", NULL };
	unsigned dirs_before = count_run_dirs();
	struct run r;

	run_start(&r, "killed", args);
	pid_t qemu = wait_for_qemu(&r);
	wait_for_plug(&r);
	char *needle = mhp_xasprintf("%s/", r.results);
	assert_int_equal(kill(qemu, SIGKILL), 0);
	run_wait(&r);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	assert_string_equal(jstr(res, "verdict"), "fail");
	assert_non_null(jstr(res, "failed_phase"));
	assert_int_equal(strncmp(jstr(res, "failed_phase"), "step ", 5), 0);
	assert_non_null(strstr(jstr(res, "error"), "QEMU exited (killed by signal 9"));
	expect_logs_kept(&r);
	assert_false(process_mentions(needle));
	assert_int_equal(count_run_dirs(), dirs_before);
	free(needle);
	json_object_put(res);
	run_release(&r);
}

/* The parent of process pid, from /proc/PID/stat. */
static pid_t parent_of(pid_t pid)
{
	char *path = mhp_xasprintf("/proc/%d/stat", (int)pid), *stat = slurp(path);
	const char *close = strrchr(stat, ')');
	int ppid = 0;

	assert_non_null(close);
	assert_int_equal(sscanf(close + 2, "%*c %d", &ppid), 1);
	free(path), free(stat);
	return ppid;
}

/* A worker killed outright (SIGKILL: no clean-up of its own): its QEMU
 * dies with it, mhp reports the run as failed without losing the others'
 * results, and the next mhp removes the run directory it left. */
static void test_worker_killed(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "--no-snapshot", "tests/topologies/plug-cycles.json", NULL };
	struct run r, next;
	struct stat st;

	run_start(&r, "worker-killed", args);
	pid_t qemu = wait_for_qemu(&r), worker = parent_of(qemu);
	/* The worker's private directory: where QEMU's initrd is. */
	char *cmdline_path = mhp_xasprintf("/proc/%d/cmdline", (int)qemu), *cmdline = NULL;
	size_t len = 0;
	assert_int_equal(mhp_read_file(cmdline_path, 1 << 16, &cmdline, &len), 0);
	char *rundir = NULL;
	for (char *p = cmdline; p < cmdline + len; p += strlen(p) + 1)
		if (strstr(p, "/mhp-run-") && strstr(p, "/initrd.cpio"))
			rundir = strndup(p, (size_t)(strstr(p, "/initrd.cpio") - p));
	assert_non_null(rundir);
	wait_for_plug(&r);
	assert_true(worker != r.pid);
	assert_int_equal(kill(worker, SIGKILL), 0);
	run_wait(&r);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	if (!strstr(jstr(res, "error"), "the mhp worker of this run ended (killed by signal 9 (Killed)) without its result"))
		fail_msg("error: '%s'", jstr(res, "error"));
	json_object_put(res);
	char *needle = mhp_xasprintf("%s/", r.results);
	for (int i = 0; i < 200 && process_mentions(needle); i++)
		usleep(10000); /* QEMU's PDEATHSIG SIGKILL */
	assert_false(process_mentions(needle));
	assert_int_equal(stat(rundir, &st), 0); /* left behind: nobody could remove it */
	const char *boot[] = { "boot", "--accel", "tcg", "topologies/dimm-node1-movable.json", NULL };
	run_mhp(&next, "worker-killed-boot", boot);
	expect_status(&next, 0);
	char *out = slurp(next.out);
	assert_non_null(strstr(out, " run director"));
	char *gone = mhp_xasprintf(" of mhp processes that are gone from %s", getenv("TMPDIR"));
	assert_non_null(strstr(out, gone));
	free(gone);
	assert_int_equal(stat(rundir, &st), -1);
	free(out), free(needle), free(rundir), free(cmdline), free(cmdline_path);
	run_release(&next);
	run_release(&r);
}

struct signal_row {
	const char *name;
	int sig, status;
};

static const struct signal_row signal_rows[] = {
	{ "SIGTERM to mhp: 143", SIGTERM, 143 },
	{ "SIGINT to mhp: 130", SIGINT, 130 },
};

/* A signal to mhp: guests stopped, partial results marked interrupted,
 * 128 + signo, no child left. */
static void test_signal_to_mhp(void **state)
{
	const struct signal_row *row = *state;
	const char *args[] = { "run", "--accel", "tcg", "tests/topologies/plug-cycles.json", NULL };
	char tag[32];
	struct run r;

	snprintf(tag, sizeof(tag), "signal-%d", row->sig);
	run_start(&r, tag, args);
	wait_for_qemu(&r);
	wait_for_plug(&r);
	assert_int_equal(kill(r.pid, row->sig), 0);
	run_wait(&r);
	expect_status(&r, row->status);
	json_object *res = latest_result(&r);
	assert_true(json_object_get_boolean(json_object_object_get(res, "interrupted")));
	assert_string_equal(jstr(res, "verdict"), "fail");
	char *needle = mhp_xasprintf("%s/", r.results);
	assert_false(process_mentions(needle));
	free(needle);
	json_object_put(res);
	run_release(&r);
}

/* ---------------------------------------------------------------- corpus */

/* The newest /boot/vmlinuz-<series>.* (series "6.1" matches 6.1.x only). */
static char *debian_kernel(const char *series)
{
	char *prefix = mhp_xasprintf("vmlinuz-%s.", series), *path = NULL;

	if (mhp_kernel_newest("/boot", prefix, &path) < 0)
		path = NULL;
	free(prefix);
	return path;
}

struct corpus_row {
	const char *name, *series;
};

static const struct corpus_row corpus_rows[] = {
	{ "every corpus topology passes on Debian 6.1, on both backends", "6.1" },
	{ "every corpus topology passes on Debian 6.12, on both backends", "6.12" },
};

/* The corpus's file names, in readdir order (not sorted: KTAP must follow
 * the order given, whatever order the runs finish in). */
static size_t corpus_paths(char *paths[], size_t max)
{
	DIR *d = opendir("topologies");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) && n < max) {
		size_t len = strlen(de->d_name);
		if (len > 5 && !strcmp(de->d_name + len - 5, ".json"))
			paths[n++] = mhp_xasprintf("topologies/%s", de->d_name);
	}
	closedir(d);
	return n;
}

/* One mhp run of the whole corpus, -j 2; every topology must pass, the
 * KTAP must be valid and numbered in the order given. */
static void corpus_run(struct run *r, const char *tag, const char *kernel, char *paths[], size_t n, bool cold)
{
	const char *args[64] = { "run", "--accel", "tcg", "--kernel", kernel, "-j", "2" };
	size_t k = 7;
	char summary[64];

	if (cold)
		args[k++] = "--no-snapshot";
	for (size_t i = 0; i < n; i++)
		args[k++] = paths[i];
	args[k] = NULL;
	run_mhp(r, tag, args);
	expect_status(r, 0);
	char *out = slurp(r->out);
	snprintf(summary, sizeof(summary), "# mhp: %zu passed, 0 failed, 0 skipped", n);
	assert_non_null(strstr(out, summary));
	/* Nothing else goes unpredicted: the boot facts mhp_oracle_unpredicted
	 * lists, once per run. */
	size_t kinds = 0;
	while (mhp_oracle_unpredicted[kinds].subject)
		kinds++;
	snprintf(summary, sizeof(summary), "# mhp: %zu reported facts not predicted", n * kinds);
	assert_non_null(strstr(out, summary));
	const char *why = ktap_check(out);
	if (why)
		fail_msg("mhp's stdout is not valid KTAP: %s", why);
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/') + 1;
		char *line = mhp_xasprintf("\nok %zu %.*s\n", i + 1, (int)(strlen(base) - 5), base);
		if (!strstr(out, line))
			fail_msg("no '%s' in KTAP order", line + 1);
		free(line);
	}
	free(out);
}

/* Whether the topology.json next to result path asks a virtio-mem device
 * for memory at boot (such a run always boots cold). */
static bool plugs_at_boot(const char *result_path)
{
	char *path = mhp_xasprintf("%.*s/topology.json", (int)(strrchr(result_path, '/') - result_path), result_path);
	char err[256];
	struct mhp_topology t;

	if (mhp_topology_load(&t, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	bool plugs = mhp_topology_plugs_at_boot(&t);
	mhp_topology_release(&t);
	free(path);
	return plugs;
}

/* The result.json of each topology's run in a results directory, by
 * topology name; "plugs_at_boot" added to each. */
static json_object *results_by_topology(const char *results)
{
	json_object *all = json_object_new_object();
	char *pattern = mhp_xasprintf("%s/*/result.json", results);
	glob_t g;

	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		json_object *res = json_object_from_file(g.gl_pathv[i]);
		assert_non_null(res);
		json_object_object_add(res, "plugs_at_boot", json_object_new_boolean(plugs_at_boot(g.gl_pathv[i])));
		json_object_object_add(all, jstr(res, "topology"), res);
	}
	globfree(&g);
	free(pattern);
	return all;
}

/* The checks of one topology's two runs the same, by name and status, up
 * to an outcome the kernel may take either way (a shrink of kernel-zone
 * memory gives back what it can) that differs: what follows it differs
 * too (the gate's rule). */
static void compare_checks(const char *name, json_object *ca, json_object *cb, const char *b_dir)
{
	size_t na = json_object_array_length(ca), nb = json_object_array_length(cb);

	for (size_t i = 0; i < na && i < nb; i++) {
		json_object *x = json_object_array_get_idx(ca, i), *y = json_object_array_get_idx(cb, i);
		if (strcmp(jstr(x, "name"), jstr(y, "name")) || strcmp(jstr(x, "status"), jstr(y, "status")))
			fail_msg("%s check %zu: '%s' %s cold, '%s' %s in %s", name, i, jstr(x, "name"), jstr(x, "status"),
				 jstr(y, "name"), jstr(y, "status"), b_dir);
		if (json_object_get_boolean(json_object_object_get(x, "outcome")) &&
		    strcmp(jstr(x, "observed"), jstr(y, "observed")))
			return;
	}
	if (na != nb)
		fail_msg("%s: %zu checks cold, %zu in %s", name, na, nb, b_dir);
}

/* Every check of every topology the same, by name and status, in a and b;
 * every run of b came up as boot_prefix says, but those with memory
 * plugged at boot, which boot cold. */
static void compare_runs(const char *a_dir, const char *b_dir, const char *boot_prefix)
{
	json_object *a = results_by_topology(a_dir), *b = results_by_topology(b_dir);

	assert_int_equal(json_object_object_length(a), json_object_object_length(b));
	json_object_object_foreach(a, name, ra) {
		json_object *rb = json_object_object_get(b, name);
		if (!rb)
			fail_msg("%s: no run in %s", name, b_dir);
		const char *want = json_object_get_boolean(json_object_object_get(rb, "plugs_at_boot"))
					   ? "cold (a virtio-mem device plugs memory while the guest boots)"
					   : boot_prefix;
		if (strncmp(jstr(rb, "boot"), want, strlen(want)))
			fail_msg("%s in %s: boot '%s', want '%s...'", name, b_dir, jstr(rb, "boot"), want);
		assert_string_equal(jstr(ra, "verdict"), jstr(rb, "verdict"));
		compare_checks(name, json_object_object_get(ra, "checks"), json_object_object_get(rb, "checks"), b_dir);
	}
	json_object_put(a);
	json_object_put(b);
}

/* Whether topology path has a node with no boot memory: a cell libvirt
 * 9.0 cannot start. */
static bool memoryless_node(const char *path)
{
	struct mhp_topology t;
	char err[256];
	bool found = false;

	if (mhp_topology_load(&t, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	for (unsigned i = 0; i < t.nr_nodes; i++)
		found |= t.nodes[i].memory == 0;
	mhp_topology_release(&t);
	return found;
}

/* The corpus through the libvirt backend (cold: it makes no snapshots):
 * every topology but those with a memoryless node passes with the very
 * checks, by name and status, of the QEMU backend's cold run; those are
 * not run and say why. */
static void corpus_libvirt(const char *series, const char *kernel, char *paths[], size_t n, const char *cold)
{
	const char *args[64] = { "run", "--backend", "libvirt", "--accel", "tcg", "--kernel", kernel, "-j", "2" };
	size_t k = 9, skipped = 0;
	char tag[32], summary[96];
	struct run r;

	for (size_t i = 0; i < n; i++)
		args[k++] = paths[i], skipped += memoryless_node(paths[i]);
	args[k] = NULL;
	snprintf(tag, sizeof(tag), "corpus-%s-libvirt", series);
	run_mhp(&r, tag, args);
	expect_status(&r, 0);
	char *out = slurp(r.out);
	snprintf(summary, sizeof(summary), "# mhp: %zu passed, 0 failed, %zu skipped", n - skipped, skipped);
	assert_non_null(strstr(out, summary));
	const char *why = ktap_check(out);
	if (why)
		fail_msg("mhp's stdout is not valid KTAP: %s", why);
	json_object *a = results_by_topology(cold), *b = results_by_topology(r.results);
	json_object_object_foreach(a, name, ra) {
		json_object *rb = json_object_object_get(b, name);
		if (!rb)
			fail_msg("%s: no libvirt run", name);
		json_object *first = json_object_array_get_idx(json_object_object_get(rb, "checks"), 0);
		if (!strcmp(jstr(rb, "verdict"), "skip")) {
			if (!strstr(jstr(first, "observed"), "has no boot memory"))
				fail_msg("%s: not run on libvirt: '%s'", name, jstr(first, "observed"));
			continue;
		}
		assert_string_equal(jstr(rb, "boot"), "cold (the libvirt backend makes no boot snapshots)");
		assert_string_equal(jstr(ra, "verdict"), jstr(rb, "verdict"));
		compare_checks(name, json_object_object_get(ra, "checks"), json_object_object_get(rb, "checks"), r.results);
	}
	json_object_put(a), json_object_put(b);
	free(out);
	run_release(&r);
}

/* Observation equals the oracle's prediction for every block of every
 * topology in topologies/, on both kernels ci/install-deps installs; and
 * runs restored from boot snapshots (knobs set at run time) reach the very
 * same checks and verdicts as cold boots with the knobs on the command
 * line: cold, then making the snapshots (a fresh cache), then restored;
 * and so do runs through the libvirt backend. */
static void test_corpus(void **state)
{
	const struct corpus_row *row = *state;
	char *kernel = debian_kernel(row->series), *paths[48], tag[32];
	char *cache = mhp_xasprintf("%s/corpus-cache-%s", workdir, row->series);
	struct run cold, making, restored;
	size_t n;

	if (!kernel)
		fail_msg("no /boot/vmlinuz-%s.* (ci/install-deps installs it)", row->series);
	n = corpus_paths(paths, 48);
	assert_true(n >= 12);
	setenv("XDG_CACHE_HOME", cache, 1);
	snprintf(tag, sizeof(tag), "corpus-%s-cold", row->series);
	corpus_run(&cold, tag, kernel, paths, n, true);
	snprintf(tag, sizeof(tag), "corpus-%s-making", row->series);
	corpus_run(&making, tag, kernel, paths, n, false);
	snprintf(tag, sizeof(tag), "corpus-%s-restored", row->series);
	corpus_run(&restored, tag, kernel, paths, n, false);
	corpus_libvirt(row->series, kernel, paths, n, cold.results);
	itest_default_cache();
	compare_runs(cold.results, making.results, "");
	compare_runs(cold.results, restored.results, "restored from boot snapshot");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(kernel), free(cache);
	run_release(&cold), run_release(&making), run_release(&restored);
}

/* A generated SRAT the kernel ignores must fail the run, naming the table. */
static void test_srat_not_taken(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "tests/topologies/srat-not-taken.json", NULL };
	struct run r;

	run_mhp(&r, "srat-not-taken", args);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	assert_string_equal(jstr(res, "failed_phase"), "boot");
	assert_non_null(strstr(jstr(res, "error"), "the kernel ignored the generated SRAT"));
	char *taken = observed_for(res, "boot: kernel took our SRAT", NULL);
	assert_string_equal(taken, "no");
	free(taken);
	json_object_put(res);
	run_release(&r);
}

struct iasl_row {
	const char *name;
	const char *iasl;  /* what stands as iasl on PATH, or NULL for none */
	const char *error; /* the run's error contains it */
};

static const struct iasl_row iasl_rows[] = {
	{ "iasl missing", NULL, "iasl is not installed (Debian package acpica-tools)" },
	{ "iasl failing", "tests/fixtures/iasl-fails", "Error    6126 -  Could not compile input file (mhp fixture)" },
};

/* Without a working iasl, a topology that needs an SRAT fails in setup with
 * iasl's own words, before QEMU starts, and leaves nothing behind. */
static void test_iasl(void **state)
{
	const struct iasl_row *row = *state;
	const char *args[] = { "run", "--accel", "tcg", "topologies/srat-hotpluggable-boot.json", NULL };
	char *bin = mhp_xasprintf("%s/bin-%p", workdir, (const void *)row), *link = mhp_xasprintf("%s/qemu-system-x86_64", bin);
	char *old_path = mhp_xstrdup(getenv("PATH")), *cwd = getcwd(NULL, 0), tag[32];
	unsigned dirs_before = count_run_dirs();
	struct run r;

	assert_int_equal(mkdir(bin, 0755), 0);
	assert_int_equal(symlink("/usr/bin/qemu-system-x86_64", link), 0);
	if (row->iasl) {
		char *fake = mhp_xasprintf("%s/%s", cwd, row->iasl), *iasl = mhp_xasprintf("%s/iasl", bin);
		assert_int_equal(symlink(fake, iasl), 0);
		free(fake), free(iasl);
	}
	setenv("PATH", bin, 1);
	snprintf(tag, sizeof(tag), "iasl-%p", (const void *)row);
	run_mhp(&r, tag, args);
	setenv("PATH", old_path, 1);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	assert_string_equal(jstr(res, "failed_phase"), "setup");
	if (!strstr(jstr(res, "error"), row->error))
		fail_msg("error '%s' lacks '%s'", jstr(res, "error"), row->error);
	assert_int_equal(count_run_dirs(), dirs_before);
	json_object_put(res);
	free(bin), free(link), free(old_path), free(cwd);
	run_release(&r);
}

/* ---------------------------------------------------------------- faults */

struct fault_row {
	const char *name;
	const char *topology;
	const char *check;    /* a failed check whose name starts with this */
	const char *observed; /* ... and whose observed value contains this */
	const char *error;    /* the run's error contains this, or NULL */
};

static const struct fault_row fault_rows[] = {
	{ "a flipped byte after migration is caught", "tests/topologies/data-corruption-caught.json",
	  "step 6 verify dimm1: corrupted 8-byte words", "1", NULL },
	{ "a kernel panic fails the run and is quoted", "tests/topologies/kernel-panic.json",
	  "kernel health: Kernel panic - not syncing: sysrq triggered crash", "sysrq_handle_crash",
	  "SHUTDOWN guest-reset" },
	{ "a kernel WARN fails the run and is quoted", "tests/topologies/one-socket-warns.json",
	  "kernel health: WARNING: CPU: 1 PID: 0 at arch/x86/kernel/smpboot.c", "topology_sane", NULL },
};

static void test_fault(void **state)
{
	const struct fault_row *row = *state;
	const char *args[] = { "run", "--accel", "tcg", row->topology, NULL };
	struct run r;
	char tag[32];
	bool found = false;

	snprintf(tag, sizeof(tag), "fault-%p", (const void *)row);
	run_mhp(&r, tag, args);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	json_object *checks = json_object_object_get(res, "checks");
	for (size_t i = 0; i < json_object_array_length(checks) && !found; i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		found = !strncmp(jstr(c, "name"), row->check, strlen(row->check)) && !strcmp(jstr(c, "status"), "fail") &&
			strstr(jstr(c, "observed"), row->observed);
	}
	if (!found)
		fail_msg("no failed check '%s' observing '%s'", row->check, row->observed);
	if (row->error)
		assert_non_null(strstr(jstr(res, "error"), row->error));
	expect_logs_kept(&r);
	char *needle = mhp_xasprintf("%s/", r.results);
	assert_false(process_mentions(needle));
	free(needle);
	/* Failing runs give valid KTAP and well-formed JUnit too. */
	char *out = slurp(r.out), *junit = mhp_xasprintf("%s/latest/junit.xml", r.results);
	const char *why = ktap_check(out);
	if (why)
		fail_msg("mhp's stdout is not valid KTAP: %s", why);
	char *argv[] = { "xmllint", "--noout", junit, NULL };
	assert_int_equal(spawn_wait(argv), 0);
	free(out);
	free(junit);
	json_object_put(res);
	run_release(&r);
}

/* A guest init that stops answering: the wait for its report times out,
 * the verdict names the phase, QEMU is stopped, nothing is left. */
static void test_guest_stops_answering(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "--timeout", "5", "--append", "mhp.test_hang=1",
			       "topologies/dimm-node1-movable.json", NULL };
	unsigned dirs_before = count_run_dirs();
	uint64_t t0 = mhp_now_ns();
	struct run r;

	run_mhp(&r, "hang", args);
	expect_status(&r, 1);
	assert_true(mhp_now_ns() - t0 < 60ull * 1000000000ull);
	json_object *res = latest_result(&r);
	/* The first thing asked of the guest after its hello: the knob the
	 * topology sets at run time (memhp_default_state). */
	assert_string_equal(jstr(res, "failed_phase"), "knobs");
	assert_string_equal(jstr(res, "error"), "timed out waiting for knob memhp_default_state offline");
	expect_logs_kept(&r);
	char *needle = mhp_xasprintf("%s/", r.results);
	assert_false(process_mentions(needle));
	assert_int_equal(count_run_dirs(), dirs_before);
	free(needle);
	json_object_put(res);
	run_release(&r);
}

/* QEMU closes QMP but keeps running (build/fake-qemu plays it): a failed
 * verdict naming the phase, the process stopped, logs kept. */
/* QEMU took the DIMM but does not list it: its address is unknown, and the
 * run stops at the plug saying so (not checking blocks from id 0 on). */
static void test_dimm_unlisted(void **state)
{
	(void)state;
	char *dir = mhp_xstrdup(mhp_bin);
	*strrchr(dir, '/') = '\0';
	char *fake = mhp_xasprintf("%s/fake-qemu", dir);
	const char *args[] = { "run", "--accel", "tcg", "--timeout", "5", "--qemu", fake, "--no-snapshot",
			       "topologies/dimm-node1-movable.json", NULL };
	struct run r;

	setenv("FAKE_QEMU_FAULT", "dimm-unlisted", 1);
	run_mhp(&r, "dimm-unlisted", args);
	unsetenv("FAKE_QEMU_FAULT");
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	assert_string_equal(jstr(res, "failed_phase"), "step 1 plug dimm1");
	assert_string_equal(jstr(res, "error"), "QEMU does not list DIMM 'dimm1' (or its address) after device_add: "
						"query-memory-devices says (absent)");
	assert_false(process_mentions("fake-qemu"));
	json_object_put(res);
	free(fake), free(dir);
	run_release(&r);
}

static void test_qmp_closed(void **state)
{
	(void)state;
	char *dir = mhp_xstrdup(mhp_bin);
	*strrchr(dir, '/') = '\0';
	char *fake = mhp_xasprintf("%s/fake-qemu", dir);
	free(dir);
	/* The fake plays a guest that only says hello and reports: no
	 * migration, no knobs, so no snapshot. */
	const char *args[] = { "run", "--accel", "tcg", "--timeout", "5", "--qemu", fake, "--no-snapshot",
			       "topologies/dimm-node1-movable.json", NULL };
	struct run r;

	run_mhp(&r, "qmp-closed", args);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	assert_string_equal(jstr(res, "failed_phase"), "step 1 plug dimm1");
	assert_string_equal(jstr(res, "error"), "QEMU closed the connection, though still running, while waiting for object-add");
	expect_logs_kept(&r);
	assert_false(process_mentions("fake-qemu"));
	json_object_put(res);
	free(fake);
	run_release(&r);
}

/* Results on a full disk: a failed verdict, a clear message, no hang and
 * nothing left running.  Needs root to mount the small tmpfs (CI is root). */
static void test_disk_full(void **state)
{
	(void)state;
	char *dir = mhp_xasprintf("%s/smallfs", workdir), *results = mhp_xasprintf("%s/results", dir);
	const char *args[] = { "run", "--accel", "tcg", "--results", results, "topologies/dimm-node1-movable.json", NULL };
	const char *argv[8];
	struct run r;

	assert_int_equal(mkdir(dir, 0755), 0);
	char *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir, NULL };
	if (spawn_wait(mount_argv) != 0)
		fail_msg("cannot mount a tmpfs on %s (root is needed)", dir);
	/* run_start adds its own --results first; ours, later, wins. */
	memcpy(argv, args, sizeof(args));
	run_mhp(&r, "diskfull", argv);
	char *out = slurp(r.out);
	if (r.status != 1 || !strstr(out, "No space left on device"))
		fail_msg("exit %d, output:\n%s", r.status, out);
	char *needle = mhp_xasprintf("%s/", results);
	assert_false(process_mentions(needle));
	char *umount_argv[] = { "umount", dir, NULL };
	assert_int_equal(spawn_wait(umount_argv), 0);
	free(needle), free(out), free(dir), free(results);
	run_release(&r);
}

/* ---------------------------------------------------------------- input */

struct input_row {
	const char *name;
	const char *args[8];
	const char *message; /* stderr must contain it */
};

static const struct input_row input_rows[] = {
	{ "bad scenario names file line and field",
	  { "run", "--accel", "tcg", "tests/topologies/bad-dimm-node.json", NULL },
	  "tests/topologies/bad-dimm-node.json:8: field 'node': node 3 does not exist (the topology has 2)" },
	{ "a kernel that is not a kernel",
	  { "run", "--accel", "tcg", "--kernel", "topologies/dimm-node1-movable.json", "topologies/dimm-node1-movable.json", NULL },
	  "is not a bootable x86 kernel image" },
	{ "unknown accelerator", { "run", "--accel", "hvf", "topologies/dimm-node1-movable.json", NULL },
	  "--accel: 'hvf' is not auto, kvm or tcg" },
	{ "missing scenario file", { "run", "--accel", "tcg", "no-such.json", NULL }, "no-such.json: cannot read" },
	{ "--jobs (the kernel build\'s) that is no number",
	  { "kernel", "build", "--src", "/nonexistent", "--jobs", "4x", NULL },
	  "--jobs: '4x' is not a number of make jobs (1-1024)" },
	{ "-j that is no number", { "run", "--accel", "tcg", "-j", "0", "topologies/dimm-node1-movable.json", NULL },
	  "-j: '0' is not a number of guests at once (1-64)" },
	{ "--shard beyond its count", { "run", "--accel", "tcg", "--shard", "2/2", "topologies/dimm-node1-movable.json", NULL },
	  "--shard: '2/2' is not K/N with 0 <= K < N" },
	{ "fuzz merge of no campaign shard", { "fuzz", "merge", "topologies", "--into", "/nonexistent/merged", NULL },
	  "none of the 1 directories holds a campaign shard" },
	{ "results merge of no suite shard", { "results", "merge", "topologies", "--into", "/nonexistent/merged", NULL },
	  "none of the 1 directories holds a shard.json" },
	/* 481 GiB of guest: refused before the OOM killer would decide. */
	{ "a guest larger than the host's memory",
	  { "run", "--accel", "tcg", "-j", "1", "tests/topologies/larger-than-the-host.json", NULL },
	  "-j 1 does not fit in memory: 'larger-than-the-host' takes up to 492928 MiB (boot memory, every DIMM, 384 MiB "
	  "for QEMU) and MemAvailable is " },
};

static void test_bad_input(void **state)
{
	const struct input_row *row = *state;
	struct run r;
	char tag[64];
	struct stat st;

	snprintf(tag, sizeof(tag), "input-%p", (const void *)row);
	run_mhp(&r, tag, row->args);
	expect_status(&r, 2);
	char *out = slurp(r.out);
	if (!strstr(out, row->message))
		fail_msg("output lacks '%s':\n%s", row->message, out);
	/* Rejected before any QEMU started: no run directory was made. */
	char *latest = mhp_xasprintf("%s/latest", r.results);
	assert_int_equal(lstat(latest, &st), -1);
	free(latest);
	free(out);
	run_release(&r);
}

/* Every file of tests/bad-topologies is rejected by `mhp run` before any
 * QEMU starts: exit 2, "FILE:LINE: field 'NAME': ..." as EXPECT says. */
static void test_bad_topology_corpus(void **state)
{
	(void)state;
	char *expect = slurp("tests/bad-topologies/EXPECT"), *save = NULL;
	unsigned files = 0, bad = 0;

	for (char *line = strtok_r(expect, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		char *path = mhp_xasprintf("tests/bad-topologies/%s", line), tag[80];
		const char *args[] = { "run", "--accel", "tcg", path, NULL };
		struct run r;
		struct stat st;

		snprintf(tag, sizeof(tag), "bad-%u", files++);
		run_mhp(&r, tag, args);
		char *out = slurp(r.out), *at = strstr(out, path);
		char *latest = mhp_xasprintf("%s/latest", r.results);
		/* FILE:LINE: with a line number, then the expected words. */
		bool ok = r.status == 2 && at && at[strlen(path)] == ':' && at[strlen(path) + 1] >= '1' &&
			  at[strlen(path) + 1] <= '9' && strstr(out, tab + 1) && lstat(latest, &st) < 0;
		if (!ok) {
			fprintf(stderr, "%s: exit %d, output: %s(want: %s)\n", path, r.status, out, tab + 1);
			bad++;
		}
		free(latest), free(out), free(path);
		run_release(&r);
	}
	free(expect);
	assert_true(files >= 30);
	assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- accel */

/* --accel auto settles by itself (TCG where nested KVM hangs), the boot that
 * follows works, and the second time the cached verdict is used. */
/* A DIMM "pxm" needs QEMU's DSDT: the first run boots once more to fetch
 * it, the next run of the same machine takes it from the cache. */
static void test_dsdt_captured_once(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "topologies/pxm-from-regenerated-dsdt.json", NULL };
	char *cache = mhp_xasprintf("%s/dsdt-cache", workdir);
	const char *tags[] = { "dsdt-1", "dsdt-2" };
	struct stat st;

	setenv("XDG_CACHE_HOME", cache, 1);
	for (int i = 0; i < 2; i++) {
		struct run r;
		run_mhp(&r, tags[i], args);
		expect_status(&r, 0);
		char *capture = mhp_xasprintf("%s/latest/acpi/capture/console.log", r.results);
		char *aml = mhp_xasprintf("%s/latest/acpi/qemu-dsdt.aml", r.results);
		if ((stat(capture, &st) == 0) != (i == 0))
			fail_msg("run %d: %s %s", i + 1, capture, i == 0 ? "missing: no capture boot" : "exists: the cache was not used");
		assert_int_equal(stat(aml, &st), 0);
		free(capture), free(aml);
		run_release(&r);
	}
	itest_default_cache();
	glob_t g;
	char *pattern = mhp_xasprintf("%s/mhp/dsdt/*.aml", cache);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	globfree(&g);
	free(pattern), free(cache);
}

/* A snapshot QEMU will not load (cut short here) costs a cold boot, never
 * the run: the run passes, says why, and the bad snapshot is gone. */
static void test_snapshot_fallback(void **state)
{
	(void)state;
	const char *args[] = { "run", "--accel", "tcg", "topologies/dimm-node1-movable.json", NULL };
	char *cache = mhp_xasprintf("%s/fallback-cache", workdir);
	char *pattern = mhp_xasprintf("%s/mhp/snapshots/*/state", cache);
	struct run made, cut;
	glob_t g;

	setenv("XDG_CACHE_HOME", cache, 1);
	run_mhp(&made, "snap-made", args);
	expect_status(&made, 0);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	assert_int_equal(truncate(g.gl_pathv[0], 4096), 0);
	run_mhp(&cut, "snap-cut", args);
	itest_default_cache();
	expect_status(&cut, 0);
	json_object *res = latest_result(&cut);
	if (strncmp(jstr(res, "boot"), "cold: boot snapshot ", 20) || !strstr(jstr(res, "boot"), "did not restore"))
		fail_msg("boot: '%s'", jstr(res, "boot"));
	assert_string_equal(jstr(res, "verdict"), "pass");
	assert_int_equal(access(g.gl_pathv[0], F_OK), -1);
	json_object_put(res);
	globfree(&g);
	free(pattern), free(cache);
	run_release(&made), run_release(&cut);
}

struct module_row {
	const char *name;
	const char *kernel;   /* /boot/vmlinuz-<kernel>* */
	const char *other;    /* --modules-dir holding this release's modules as the guest's */
	const char *module;
	int status;
	const char *observed; /* the modules check, or the run's error, or the output */
};

static const struct module_row module_rows[] = {
	{ "6.1 loads virtio_mem after the modules it needs", "6.1.", NULL, "virtio_mem", 0,
	  "virtio_ring,virtio,virtio_mem" },
	{ "6.12 loads the compressed virtio_mem, virtio_pci is built in", "6.12.", NULL, "virtio_mem", 0, "virtio_mem" },
	{ "a module of another release is refused by the kernel", "6.1.", "6.12.", "virtio_mem", 1,
	  "guest init failed before its hello: module:virtio_mem.ko.xz: Operation not supported" },
	{ "an unknown module is an input error", "6.1.", NULL, "no_such_module", 2,
	  "mhp: --module: no module 'no_such_module' for release 6.1." },
};

/* The release directory of the newest /boot/vmlinuz-<prefix>*. */
static char *release_of(const char *prefix, char **ret_kernel)
{
	char *kernel = NULL, *dir = NULL, err[256], *vmlinuz = mhp_xasprintf("vmlinuz-%s", prefix);

	assert_int_equal(mhp_kernel_newest("/boot", vmlinuz, &kernel), 0);
	if (mhp_modules_dir(kernel, "", &dir, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	free(vmlinuz);
	*ret_kernel = kernel;
	return dir;
}

/* --module on Debian's kernels: the guest init loads the module and what it
 * needs, in order, and the kernel lists each in /sys/module; a module the
 * guest kernel refuses stops the boot naming it. */
static void test_guest_modules(void **state)
{
	const struct module_row *row = *state;
	char *kernel = NULL, *other_kernel = NULL, *release = release_of(row->kernel, &kernel);
	char *fake = mhp_xasprintf("%s/fake-modules", workdir), *link = mhp_xasprintf("%s%s", fake, release);
	const char *args[] = { "boot", "--accel", "tcg", "--kernel", kernel, "--module", row->module,
			       "--modules-dir", row->other ? fake : "/lib/modules", "topologies/two-nodes-movable-node.json", NULL };
	struct run r;

	if (row->other) {
		char *other = release_of(row->other, &other_kernel), *target = mhp_xasprintf("/lib/modules%s", other);
		assert_int_equal(mhp_mkdir_p(fake, 0755), 0);
		unlink(link);
		assert_int_equal(symlink(target, link), 0);
		free(other), free(target);
	}
	run_mhp(&r, "modules", args);
	expect_status(&r, row->status);
	if (row->status == 2) {
		char *out = slurp(r.out);
		assert_non_null(strstr(out, row->observed));
		free(out);
	} else {
		json_object *res = latest_result(&r);
		char *got = observed_for(res, "boot: modules guest init loaded", NULL);
		if (row->status)
			assert_non_null(strstr(jstr(res, "error"), row->observed));
		else
			assert_string_equal(got, row->observed);
		free(got);
		json_object_put(res);
	}
	run_release(&r);
	free(kernel), free(other_kernel), free(release), free(fake), free(link);
}

/* A guest kernel without the virtio_mem driver (Debian's 6.1 with no
 * modules to pack): the resize ends at the deadline, saying how much QEMU
 * saw plugged and what is likely missing. */
static void test_virtio_mem_without_driver(void **state)
{
	char *kernel = NULL, *release = release_of("6.1.", &kernel);
	const char *args[] = { "run", "--accel", "tcg", "--kernel", kernel, "--modules-dir", "/nonexistent", "--timeout",
			       "5", "topologies/virtio-mem-movable.json", NULL };
	struct run r;

	(void)state;
	run_mhp(&r, "virtio-mem-no-driver", args);
	expect_status(&r, 1);
	json_object *res = latest_result(&r);
	assert_string_equal(jstr(res, "failed_phase"), "step 1 resize vm0");
	assert_non_null(strstr(jstr(res, "error"), "virtio-mem device 'vm0' has 0 MiB plugged of the 512 MiB requested "
				"when the deadline passed (no change at all: has the guest kernel the virtio_mem driver?)"));
	json_object_put(res);
	run_release(&r);
	free(kernel), free(release);
}

/* Kernel-zone virtio-mem memory shrunk to 0: the kernel gives back what
 * it can (all of it, or all but blocks holding sub-blocks it could not
 * migrate, not always the lowest), which is recorded; the blocks kept and the managed pages they
 * still have (QEMU's size says) are scored, so the run passes either way.
 * Not in the corpus: its checks differ run by run. */
static void test_virtio_mem_partial_shrink(void **state)
{
	char *kernel = NULL, *release = release_of("6.1.", &kernel);
	const char *args[] = { "run", "--accel", "tcg", "--kernel", kernel, "tests/topologies/virtio-mem-normal-zone.json",
			       NULL };
	struct run r;

	(void)state;
	run_mhp(&r, "virtio-mem-partial", args);
	expect_status(&r, 0);
	json_object *res = latest_result(&r);
	char *gone = observed_for(res, "step 2 resize vm0: blocks removed", "skip");
	char *zone = observed_for(res, "step 1 resize vm0: block 32 zone", "pass");
	assert_string_equal(zone, "Normal");
	/* Whatever the kernel managed, of the device's three blocks (32-34). */
	const char *ids = strstr(gone, "ids ");
	if (strcmp(gone, "none") && (!ids || strspn(ids + 4, "234,-") != strlen(ids + 4) || ids[4] != '3'))
		fail_msg("step 2 gave back '%s'", gone);
	free(gone), free(zone);
	json_object_put(res);
	run_release(&r);
	free(kernel), free(release);
}

/* Kernel slab pinned on a virtio-mem device's Normal memory: a shrink to
 * 0 cannot give the sub-blocks holding it back, so QEMU's plugged size
 * stays above 0 and the block holding them stays; the run passes (the
 * kept block and its managed pages are scored from QEMU's size). */
static void test_virtio_mem_pinned_shrink(void **state)
{
	char *kernel = NULL, *release = release_of("6.1.", &kernel);
	const char *args[] = { "run", "--accel", "tcg", "--kernel", kernel, "topologies/virtio-mem-shrink-pinned.json",
			       NULL };
	struct run r;

	(void)state;
	run_mhp(&r, "virtio-mem-pinned", args);
	expect_status(&r, 0);
	json_object *res = latest_result(&r);
	char *kept = observed_for(res, "step 3 resize vm0: QEMU plugged size", "skip");
	char *gone = observed_for(res, "step 3 resize vm0: blocks removed", "skip");
	if (!strcmp(kept, "0M") || !strcmp(kept, "") || !strcmp(gone, "2 blocks, ids 32-33"))
		fail_msg("the pinned shrink gave everything back: plugged '%s', removed '%s'", kept, gone);
	free(kept), free(gone);
	json_object_put(res);
	run_release(&r);
	free(kernel), free(release);
}

static void test_accel_auto(void **state)
{
	(void)state;
	const char *args[] = { "boot", "--accel", "auto", "topologies/dimm-node1-movable.json", NULL };
	char *cache = mhp_xasprintf("%s/accel-cache", workdir);
	struct run r1, r2;

	setenv("XDG_CACHE_HOME", cache, 1);
	/* Without /dev/kvm the probe would be skipped: make it run real QEMU,
	 * whose own KVM start then fails, as a hanging one would time out. */
	if (access("/dev/kvm", F_OK) < 0)
		setenv("MHP_KVM_DEVICE", "/dev/null", 1);
	run_mhp(&r1, "auto1", args);
	expect_status(&r1, 0);
	char *out = slurp(r1.out);
	assert_non_null(strstr(out, "KVM probe boot"));
	free(out);
	run_mhp(&r2, "auto2", args);
	expect_status(&r2, 0);
	out = slurp(r2.out);
	assert_non_null(strstr(out, "cached probe verdict"));
	free(out);
	itest_default_cache();
	unsetenv("MHP_KVM_DEVICE");
	free(cache);
	run_release(&r1);
	run_release(&r2);
}

int main(void)
{
	static struct test_list l;

	itest_setup();
	TEST_ROWS(&l, test_observe, observe_rows);
	TEST_ONE(&l, test_two_nodes_movable_node);
	TEST_ONE(&l, test_guest_stops_answering);
	TEST_ONE(&l, test_disk_full);
	TEST_ONE(&l, test_qmp_closed);
	TEST_ONE(&l, test_dimm_unlisted);
	TEST_ONE(&l, test_wrong_expectation_fails);
	TEST_ONE(&l, test_qemu_killed);
	TEST_ROWS(&l, test_signal_to_mhp, signal_rows);
	TEST_ONE(&l, test_worker_killed);
	TEST_ROWS(&l, test_bad_input, input_rows);
	TEST_ONE(&l, test_bad_topology_corpus);
	TEST_ROWS(&l, test_fault, fault_rows);
	TEST_ONE(&l, test_srat_not_taken);
	TEST_ONE(&l, test_dsdt_captured_once);
	TEST_ROWS(&l, test_iasl, iasl_rows);
	TEST_ROWS(&l, test_corpus, corpus_rows);
	TEST_ONE(&l, test_snapshot_fallback);
	TEST_ONE(&l, test_accel_auto);
	TEST_ROWS(&l, test_guest_modules, module_rows);
	TEST_ONE(&l, test_virtio_mem_without_driver);
	TEST_ONE(&l, test_virtio_mem_partial_shrink);
	TEST_ONE(&l, test_virtio_mem_pinned_shrink);
	return itest_run("integration", &l);
}
