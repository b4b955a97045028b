/* The fuzz campaign's pieces without a guest: signatures of failed runs,
 * the crash database (under concurrent writers), and the minimiser's search
 * against a known failure predicate. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "fuzz/crashdb.h"
#include "fuzz/generate.h"
#include "fuzz/minimize.h"
#include "fuzz/signature.h"
#include "lib/util.h"

/* ---- signatures ---- */

struct sig_row {
	const char *name;
	const char *step_kind, *subject, *aspect, *expected, *observed; /* a failed check, or NULL */
	const char *phase, *error;                                      /* the run's error, or NULL */
	enum mhp_sig_kind kind;
	const char *signature;
};

static const struct sig_row sig_rows[] = {
	{ "zone mismatch: block number out", "online", "block 40", "zone", "Movable", "Normal", NULL, NULL,
	  MHP_SIG_ORACLE, "block N zone expected Movable observed Normal" },
	{ "MemTotal mismatch: kB values out", "unplug", "node 1", "MemTotal kB", "524288", "655360", NULL, NULL,
	  MHP_SIG_ORACLE, "node N MemTotal kB expected N observed N" },
	{ "node ids in values stay", "boot", "block 4", "node and zone", "2 DMA32", "1 DMA32", NULL, NULL,
	  MHP_SIG_ORACLE, "block N node and zone expected 2 DMA32 observed 1 DMA32" },
	{ "block ids in values go", "plug", NULL, "new blocks", "2 blocks, ids 32-33", "0 blocks", NULL, NULL,
	  MHP_SIG_ORACLE, "plug: new blocks expected N blocks, ids N-N observed N blocks" },
	{ "a dead worker is mhp's", NULL, NULL, NULL, NULL, NULL, "worker", "the worker died (signal 9)", MHP_SIG_INFRA,
	  NULL },
	{ "zone names with digits stay", "plug", "block 33", "valid_zones", "DMA32", "Normal", NULL, NULL,
	  MHP_SIG_ORACLE, "block N valid_zones expected DMA32 observed Normal" },
	{ "valid_zones reordered: one signature either way", "offline", "block 33", "valid_zones", "Normal,Movable",
	  "Movable,Normal", NULL, NULL, MHP_SIG_ORACLE, "block N valid_zones lists the same zones in another order" },
	{ "valid_zones with other zones: values", "plug", "block 33", "valid_zones", "Normal,Movable", "Movable,DMA32",
	  NULL, NULL, MHP_SIG_ORACLE, "block N valid_zones expected Normal,Movable observed Movable,DMA32" },
	{ "a step's own fact keeps the step", "unplug", NULL, "firmware memmap entry", "(absent)", "present", NULL, NULL,
	  MHP_SIG_ORACLE, "unplug: firmware memmap entry expected (absent) observed present" },
	{ "a check wins over the error after it", "offline", "block 9", "outcome", "ok", "timeout", "step 3",
	  "guest did not answer in 60 s", MHP_SIG_ORACLE, "offline: block N outcome expected ok observed timeout" },
	{ "guest silent: harness", NULL, NULL, NULL, NULL, NULL, "boot", "no hello from the guest within 180 s",
	  MHP_SIG_HARNESS, "boot: no hello from the guest within N s" },
	{ "iasl failed: infrastructure", NULL, NULL, NULL, NULL, NULL, "setup", "iasl: not found", MHP_SIG_INFRA,
	  "setup: iasl: not found" },
	{ "disk full: infrastructure", NULL, NULL, NULL, NULL, NULL, "step 2",
	  "cannot write '/r/x': No space left on device", MHP_SIG_INFRA, NULL },
	{ "passed: none", NULL, NULL, NULL, NULL, NULL, NULL, NULL, MHP_SIG_NONE, "" },
};

static void test_signature(void **state)
{
	const struct sig_row *row = *state;
	struct mhp_result res;
	char sig[MHP_SIG_MAX];

	mhp_result_init(&res, "t");
	mhp_result_phase(&res, "%s", row->phase ? row->phase : "poweroff");
	mhp_result_step(&res, 3, row->step_kind ? row->step_kind : "plug", "dimm0");
	mhp_result_check(&res, "block 1", "zone", "Normal", "Normal");
	if (row->step_kind)
		mhp_result_check(&res, row->subject, row->aspect, row->expected, row->observed);
	if (row->error)
		mhp_result_error(&res, "%s", row->error);
	assert_int_equal(mhp_signature(&res, sig, sizeof(sig)), row->kind);
	if (row->signature)
		assert_string_equal(sig, row->signature);
	mhp_result_release(&res);
}

/* A splat comes first, whatever checks failed after it. */
static void test_signature_splat_first(void **state)
{
	struct mhp_result res;
	char sig[MHP_SIG_MAX];

	(void)state;
	mhp_result_init(&res, "t");
	mhp_result_step(&res, 2, "online", "dimm0");
	mhp_result_check(&res, "block 40", "zone", "Movable", "Normal");
	mhp_result_step(&res, 0, "kernel health", NULL);
	mhp_result_check(&res, NULL, "WARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1190 online_pages+0x1/0x2",
			 "no splat",
			 "WARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1190 online_pages+0x1/0x2\nCall Trace:\n"
			 " memory_block_action+0x1/0x2\n---[ end trace 0000000000000000 ]---");
	assert_int_equal(mhp_signature(&res, sig, sizeof(sig)), MHP_SIG_SPLAT);
	assert_string_equal(sig, "WARNING in online_pages");
	mhp_result_release(&res);
}

/* ---- the crash database ---- */

static char *tmpdir(void)
{
	char *d = mhp_xstrdup("/tmp/mhp-test-fuzz-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static char *read_field(const char *crashes, const char *sig, const char *name)
{
	char hash[17], *text = NULL;

	mhp_crash_hash(sig, hash);
	char *path = mhp_xasprintf("%s/%s/%s", crashes, hash, name);
	assert_int_equal(mhp_read_file(path, 1 << 20, &text, NULL), 0);
	free(path);
	return text;
}

/* 25 occurrences of one signature from 5 processes at once: counted 25
 * times, 20 logs kept, the first topology kept. */
static void test_crashdb_concurrent(void **state)
{
	char *tmp = tmpdir(), *crashes = mhp_xasprintf("%s/crashes", tmp), *run = mhp_xasprintf("%s/run", tmp);
	const char *sig = "online: block N zone expected Movable observed Normal";
	char hash[17];

	(void)state;
	assert_int_equal(mhp_mkdir_p(run, 0755), 0);
	char *console = mhp_xasprintf("%s/console.log", run);
	assert_int_equal(mhp_write_file_atomic(console, "boot\n", 5), 0);
	for (int p = 0; p < 5; p++)
		if (fork() == 0) {
			for (int i = 0; i < 5; i++) {
				bool is_new;
				unsigned count;
				char *text = mhp_xasprintf("{\"from\": %d}\n", p * 5 + i);
				struct mhp_crash c = { sig, MHP_SIG_ORACLE, run, text, (uint64_t)(p * 5 + i) };
				if (mhp_crash_add(crashes, &c, &is_new, &count) < 0)
					_exit(1);
				free(text);
			}
			_exit(0);
		}
	for (int p = 0; p < 5; p++) {
		int st;
		assert_true(wait(&st) > 0);
		assert_int_equal(st, 0);
	}
	mhp_crash_hash(sig, hash);
	assert_int_equal(mhp_crash_count(crashes, hash), 25);
	char *desc = read_field(crashes, sig, "description"), *kind = read_field(crashes, sig, "kind");
	assert_string_equal(desc, "online: block N zone expected Movable observed Normal\n");
	assert_string_equal(kind, "oracle\n");
	char *log19 = read_field(crashes, sig, "log19/console.log");
	assert_string_equal(log19, "boot\n");
	char *log20 = mhp_xasprintf("%s/%s/log20", crashes, hash);
	assert_int_not_equal(access(log20, F_OK), 0);
	assert_int_equal(mhp_remove_tree(tmp), 0);
	free(desc), free(kind), free(log19), free(log20), free(console), free(crashes), free(run), free(tmp);
}

/* ---- the minimiser's search ---- */

/* The failure: an online_kernel step on a DIMM of node 1 (any step before
 * it that plugging needs is needed too). */
static bool fails(const struct mhp_topology *t)
{
	for (unsigned i = 0; i < t->nr_steps; i++)
		if (t->steps[i].kind == MHP_STEP_ONLINE && !strcmp(t->steps[i].online_type, "online_kernel") &&
		    t->dimms[t->steps[i].dimm].node == 1)
			return true;
	return false;
}

static int fake_runs(void *ctx, const struct mhp_topology *c, size_t n, bool *reproduces)
{
	unsigned *calls = ctx;

	(*calls)++;
	for (size_t i = 0; i < n; i++)
		reproduces[i] = fails(&c[i]);
	return 0;
}

/* Generated scenarios that fail this way shrink to plug + online of one
 * one-block DIMM on a plain machine, within the budget. */
static void test_minimize_search(void **state)
{
	unsigned found = 0;

	(void)state;
	for (uint64_t i = 0; i < 400 && found < 10; i++) {
		struct mhp_topology t, m;
		char err[512];
		unsigned calls = 0, runs = 0;

		assert_int_equal(mhp_fuzz_generate(&t, 11, i, err, sizeof(err)), 0);
		if (!fails(&t) || t.nr_steps < 4) {
			mhp_topology_release(&t);
			continue;
		}
		found++;
		assert_int_equal(mhp_minimize(&t, 2, 200, fake_runs, &calls, &m, &runs), 0);
		assert_true(fails(&m));
		assert_int_equal(mhp_topology_validate(&m, NULL, err, sizeof(err)), 0);
		assert_int_equal(m.nr_steps, 2);
		assert_int_equal(m.steps[0].kind, MHP_STEP_PLUG);
		assert_int_equal(m.nr_dimms, 1);
		assert_int_equal(m.dimms[0].size, MHP_BLOCK_SIZE);
		assert_int_equal(m.dimms[0].addr, 0);
		assert_false(m.kernel.movable_node || m.kernel.memmap_on_memory || m.interleave);
		assert_string_equal(m.machine, "pc");
		/* Proximity domains as QEMU has them, even where they were offset. */
		assert_false(m.dsdt);
		for (unsigned n = 0; n < m.nr_nodes; n++)
			assert_int_equal(m.nodes[n].pxm, n);
		assert_true(m.nr_nodes == 2);
		assert_true(runs <= 200);
		mhp_topology_release(&t), mhp_topology_release(&m);
	}
	assert_true(found >= 5);
}

/* A budget is a budget. */
static void test_minimize_budget(void **state)
{
	struct mhp_topology t, m;
	char err[512];
	unsigned calls = 0, runs = 0;
	uint64_t i = 0;

	(void)state;
	do {
		assert_int_equal(mhp_fuzz_generate(&t, 11, i++, err, sizeof(err)), 0);
		if (fails(&t) && t.nr_steps >= 6)
			break;
		mhp_topology_release(&t);
	} while (1);
	assert_int_equal(mhp_minimize(&t, 2, 3, fake_runs, &calls, &m, &runs), 0);
	assert_true(runs <= 3);
	assert_true(fails(&m));
	mhp_topology_release(&t), mhp_topology_release(&m);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_signature, sig_rows);
	TEST_ONE(&l, test_signature_splat_first);
	TEST_ONE(&l, test_crashdb_concurrent);
	TEST_ONE(&l, test_minimize_search);
	TEST_ONE(&l, test_minimize_budget);
	return TEST_RUN("fuzz", &l);
}
