/* Campaigns and gates on a cluster, for real: a one-node Slurm (slurmctld
 * and slurmd from a private directory, auth/none) runs ci/slurm/submit-fuzz's
 * job array of 4 shards on the minimal kernel with a regression patch, and
 * the merge job after it.  One shard is cancelled as it is submitted: the
 * merge names it by index; its rerun completes the merge, which then equals
 * the same campaign run unsharded on one machine (corpus, signatures,
 * counts).  A gate of that kernel against the clean one, as 2 shards, merges
 * into the unsharded gate's verdict and rows.
 * Every daemon is stopped by PID at the end, whether the test passed or not
 * (and dies with the test: PDEATHSIG). */
#include <glob.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "itest.h"
#include "kernel-repo.h"
#include "lib/process.h"

#define SEED "0x5eed"
#define COUNT 12
#define SHARDS 4
#define JOBS_DEADLINE_S 900

static char *slurm_dir;
static pid_t daemons[2];

static char *capture(char *const argv[])
{
	char *out = NULL;
	int st = mhp_run_capture(argv, mhp_deadline_in_ms(120000), 1 << 20, &out);

	if (st != 0)
		fail_msg("'%s %s' exited %d:\n%s", argv[0], argv[1] ? argv[1] : "", st, out ? out : "");
	return out;
}

/* slurm.conf for one node, this machine, as `slurmd -C` describes it. */
static void write_conf(const char *conf)
{
	char *node_argv[] = { "slurmd", "-C", NULL }, *node = capture(node_argv);
	char *name_end = node + strcspn(node, " ");

	name_end[strcspn(name_end, "\n")] = '\0';
	const char *d = slurm_dir;
	char *text = mhp_xasprintf(
		"ClusterName=mhp\nSlurmctldHost=localhost\nSlurmUser=root\nSlurmdUser=root\n"
		"AuthType=auth/none\nCredType=cred/none\n"
		"StateSaveLocation=%s/state\nSlurmdSpoolDir=%s/spool\n"
		"SlurmctldPidFile=%s/slurmctld.pid\nSlurmdPidFile=%s/slurmd.pid\n"
		"SlurmctldLogFile=%s/slurmctld.log\nSlurmdLogFile=%s/slurmd.log\n"
		"SlurmctldPort=16817\nSlurmdPort=16818\n"
		"ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nJobAcctGatherType=jobacct_gather/none\n"
		"AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/filetxt\n"
		"JobCompLoc=%s/jobcomp.log\nMpiDefault=none\nMailProg=/bin/true\n"
		"SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nReturnToService=2\n"
		"NodeName=localhost%s\nPartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP\n",
		d, d, d, d, d, d, d, name_end);
	assert_int_equal(mhp_write_file_atomic(conf, text, strlen(text)), 0);
	free(node), free(text);
}

/* A daemon in the foreground (-D), its output in log, killed with us. */
static pid_t start_daemon(char *const argv[], const char *log)
{
	pid_t parent = getpid(), pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || fd < 0 || dup2(fd, 1) < 0 ||
		    dup2(fd, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void stop_daemon(pid_t *pid)
{
	int st;

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (int i = 0; i < 100 && waitpid(*pid, &st, WNOHANG) == 0; i++)
		mhp_sleep_ms(50);
	if (waitpid(*pid, &st, WNOHANG) == 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, &st, 0);
	}
	*pid = 0;
}

static bool node_idle(void)
{
	char *argv[] = { "sinfo", "-h", "-N", "-o", "%T", NULL }, *out = NULL;
	bool idle = mhp_run_capture(argv, mhp_deadline_in_ms(10000), 4096, &out) == 0 && !strcmp(out, "idle\n");

	free(out);
	return idle;
}

static void slurm_start(void)
{
	if (daemons[0] > 0)
		return;
	char *conf = mhp_xasprintf("%s/slurm.conf", slurm_dir);
	char *ctld_log = mhp_xasprintf("%s/slurmctld.out", slurm_dir), *d_log = mhp_xasprintf("%s/slurmd.out", slurm_dir);
	char *ctld[] = { "slurmctld", "-D", "-f", conf, NULL }, *d[] = { "slurmd", "-D", "-N", "localhost", "-f", conf, NULL };

	for (const char *sub = "state\0spool\0"; *sub; sub += strlen(sub) + 1) {
		char *path = mhp_xasprintf("%s/%s", slurm_dir, sub);
		assert_int_equal(mhp_mkdir_p(path, 0755), 0);
		free(path);
	}
	write_conf(conf);
	setenv("SLURM_CONF", conf, 1);
	daemons[0] = start_daemon(ctld, ctld_log);
	daemons[1] = start_daemon(d, d_log);
	int i = 0;
	while (!node_idle() && i++ < 120)
		mhp_sleep_ms(250);
	if (i > 120)
		fail_msg("the Slurm node is not idle after 30 s; see %s and %s", ctld_log, d_log);
	free(conf), free(ctld_log), free(d_log);
}

/* Jobs in the queue, or -1 when squeue cannot tell. */
static int queued(void)
{
	char *argv[] = { "squeue", "-h", "-o", "%i %T", NULL }, *out = NULL;
	int n = -1;

	if (mhp_run_capture(argv, mhp_deadline_in_ms(10000), 1 << 16, &out) == 0) {
		n = 0;
		for (char *p = out; (p = strchr(p, '\n')); p++)
			n++;
	}
	free(out);
	return n;
}

static void wait_jobs(void)
{
	int n;

	for (int s = 0; (n = queued()) != 0; s++) {
		if (n < 0)
			fail_msg("squeue failed; see %s", slurm_dir);
		if (s >= JOBS_DEADLINE_S)
			fail_msg("Slurm jobs still queued after %d s", JOBS_DEADLINE_S);
		mhp_sleep_ms(1000);
	}
}

/* Cancels whatever is left, waits a bounded time for the queue to drain,
 * and stops both daemons by PID. */
static void slurm_stop(void)
{
	char *argv[] = { "scancel", "--user=root", NULL };

	if (daemons[0] > 0 && spawn_wait(argv) == 0)
		for (int i = 0; i < 60 && queued() > 0; i++)
			mhp_sleep_ms(500);
	stop_daemon(&daemons[1]);
	stop_daemon(&daemons[0]);
}

/* A ci/slurm/submit-* script with args; the job ids it printed. */
static void submit(const char *script, const char *const *args, unsigned *array_job, unsigned *merge_job)
{
	char *argv[32], *out;
	size_t n = 0;

	argv[n++] = (char *)script;
	for (size_t i = 0; args[i]; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	out = capture(argv);
	char *line = strstr(out, "array job ");
	if (!line || sscanf(line, "array job %u (shards %*[^)]), merge job %u", array_job, merge_job) != 2)
		fail_msg("submit-fuzz printed no job ids:\n%s", out);
	free(out);
}


/* One signature as both campaigns list it: hash, description, kind, count. */
static char *signature_line(json_object *s)
{
	return mhp_xasprintf("%s %s %s %ld", jstr(s, "hash"), jstr(s, "kind"), jstr(s, "description"),
			     (long)jint(s, "count"));
}

/* The merged campaign is the unsharded one: every corpus file byte for
 * byte, the same signatures with the same counts, the same totals. */
static void expect_same_campaign(const char *merged, const char *one)
{
	json_object *a = campaign_json(merged), *b = campaign_json(one);
	json_object *sa = json_object_object_get(a, "signatures"), *sb = json_object_object_get(b, "signatures");

	for (int i = 0; i < COUNT; i++) {
		char *pa = mhp_xasprintf("%s/corpus/%06d.json", merged, i), *pb = mhp_xasprintf("%s/corpus/%06d.json", one, i);
		char *ta = slurp(pa), *tb = slurp(pb);
		assert_true(ta[0] != '\0');
		assert_string_equal(ta, tb);
		free(pa), free(pb), free(ta), free(tb);
	}
	static const char *const totals[] = { "scenarios_run", "passed", "kernel_failures", "harness_failures" };
	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		if (jint(a, totals[i]) != jint(b, totals[i]))
			fail_msg("%s: %ld merged, %ld unsharded", totals[i], (long)jint(a, totals[i]), (long)jint(b, totals[i]));
	assert_int_equal(json_object_array_length(sa), json_object_array_length(sb));
	for (size_t i = 0; i < json_object_array_length(sa); i++) {
		char *la = signature_line(json_object_array_get_idx(sa, i));
		char *lb = signature_line(json_object_array_get_idx(sb, i));
		assert_string_equal(la, lb);
		free(la), free(lb);
	}
	json_object_put(a), json_object_put(b);
}

static void test_campaign_as_job_array(void **state)
{
	char *patch = realpath("kernel-patches/regressions/movable-node-ignored.patch", NULL);
	char *image = built_kernel(patch), *one = mhp_xasprintf("%s/one", workdir);
	char *sharded = mhp_xasprintf("%s/sharded", workdir), *merged = mhp_xasprintf("%s/merged", sharded);
	const char *unsharded[] = { "fuzz", "--kernel", image, "--seed", SEED, "--count", "12", "-j", "2", "--accel",
				    "tcg", "--campaign", one, "--minimize-budget", "0", NULL };
	const char *args[] = { "--kernel", image, "--campaign", sharded, "--shards", "4", "--count", "12", "--seed",
			       SEED, "--mhp", mhp_bin, "--cpus", "1", "--", "--accel", "tcg", "--minimize-budget", "0",
			       NULL };
	const char *rerun[] = { "--rerun", "3", "--campaign", sharded, NULL };
	unsigned array_job, merge_job;
	struct run r;

	(void)state;
	slurm_start();
	run_mhp(&r, "unsharded", unsharded);
	expect_status(&r, 1); /* the patch is found */
	run_release(&r);

	submit("ci/slurm/submit-fuzz", args, &array_job, &merge_job);
	char *task = mhp_xasprintf("%u_3", array_job);
	char *cancel[] = { "scancel", task, NULL };
	assert_int_equal(spawn_wait(cancel), 0);
	wait_jobs();
	json_object *c = campaign_json(merged);
	json_object *missing = json_object_object_get(c, "missing_shards");
	assert_int_equal(json_object_array_length(missing), 1);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(missing, 0)), 3);
	assert_false(json_object_get_boolean(json_object_object_get(c, "complete")));
	json_object_put(c);
	char *merge_out = mhp_xasprintf("%s/slurm-merge-%u.out", sharded, merge_job), *said = slurp(merge_out);
	if (!strstr(said, "missing or unfinished: 3/4"))
		fail_msg("the merge job did not name shard 3/4:\n%s", said);

	submit("ci/slurm/submit-fuzz", rerun, &array_job, &merge_job);
	wait_jobs();
	c = campaign_json(merged);
	assert_true(json_object_get_boolean(json_object_object_get(c, "complete")));
	assert_true(jint(c, "kernel_failures") >= 1);
	json_object_put(c);
	expect_same_campaign(merged, one);
	free(patch), free(image), free(one), free(sharded), free(merged), free(task), free(merge_out), free(said);
}

static json_object *gate_json(const char *path)
{
	json_object *o = json_object_from_file(path);

	if (!o)
		fail_msg("no readable %s", path);
	return o;
}

/* What a gate decided, row by row (re-run values aside).  The patched
 * kernel puts the DIMMs in Normal, and whether it then manages to unplug
 * one is up to it, run by run (either DIMM may be the one refused, and the
 * steps after a refusal are not reached): the unplug steps' rows differ in
 * number too, so they are left out; all others must match. */
static char *gate_rows(json_object *gate)
{
	json_object *rows = json_object_object_get(gate, "rows");
	char *all = mhp_xasprintf("%s %d\n", jstr(gate, "verdict"),
				  json_object_get_int(json_object_object_get(gate, "topologies_compared")));

	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		if (strstr(jstr(row, "check"), " unplug "))
			continue;
		char *more = mhp_xasprintf("%s%s | %s | %s | %s | %s\n", all, jstr(row, "kind"), jstr(row, "topology"),
					   jstr(row, "check"), jstr(row, "baseline"), jstr(row, "candidate"));
		free(all);
		all = more;
	}
	return all;
}

/* A gate of three topologies as a 2-shard array: the merge job's verdict
 * and rows are the unsharded gate's. */
static void test_gate_as_job_array(void **state)
{
	char *patch = realpath("kernel-patches/regressions/movable-node-ignored.patch", NULL);
	char *bad = built_kernel(patch), *good = built_kernel(NULL);
	char *t1 = realpath("topologies/two-nodes-movable-node.json", NULL);
	char *t2 = realpath("topologies/auto-online-movable.json", NULL), *t3 = realpath("topologies/dimm-node1-movable.json", NULL);
	char *one = mhp_xasprintf("%s/gate-one", workdir), *sharded = mhp_xasprintf("%s/gate-sharded", workdir);
	const char *unsharded[] = { "gate", "--baseline", good, "--candidate", bad, "--results", one, "--accel", "tcg",
				    "-j", "2", t1, t2, t3, NULL };
	const char *args[] = { "--baseline", good, "--candidate", bad, "--results", sharded, "--shards", "2", "--mhp",
			       mhp_bin, "--cpus", "1", "--", "--accel", "tcg", t1, t2, t3, NULL };
	unsigned array_job, merge_job;
	struct run r;
	glob_t g;

	(void)state;
	slurm_start();
	run_mhp(&r, "gate-unsharded", unsharded);
	expect_status(&r, 1);
	run_release(&r);
	submit("ci/slurm/submit-gate", args, &array_job, &merge_job);
	wait_jobs();
	char *pattern = mhp_xasprintf("%s/*-gate/gate.json", one), *merged = mhp_xasprintf("%s/merged/gate.json", sharded);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	json_object *a = gate_json(merged), *b = gate_json(g.gl_pathv[0]);
	char *ra = gate_rows(a), *rb = gate_rows(b);
	assert_string_equal(ra, rb);
	assert_non_null(strstr(ra, "block 3\n"));
	json_object_put(a), json_object_put(b), globfree(&g);
	free(patch), free(bad), free(good), free(t1), free(t2), free(t3), free(one), free(sharded), free(pattern);
	free(merged), free(ra), free(rb);
}

int main(void)
{
	static struct test_list l;
	int r;

	itest_setup();
	slurm_dir = mhp_xasprintf("%s/slurm", workdir);
	assert_int_equal(mhp_mkdir_p(slurm_dir, 0711), 0);
	TEST_ONE(&l, test_campaign_as_job_array);
	TEST_ONE(&l, test_gate_as_job_array);
	r = TEST_RUN("slurm", &l);
	slurm_stop(); /* after a failure: the test's own stop was skipped */
	return kernel_tests_end(itest_end(r));
}
