/* The pool's memory check: how many of the largest guests fit together,
 * what one guest takes, and the width -j gets with MemAvailable faked
 * through MHP_MEM_AVAILABLE. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "model/topology.h"
#include "run/pool.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

struct fit_row {
	const char *name;
	uint64_t need[4];
	size_t n;
	unsigned width;
	uint64_t avail;
	unsigned want;
};

static const struct fit_row fit_rows[] = {
	{ "fit: everything fits, the width", { 3 * GiB, 1 * GiB, 2 * GiB }, 3, 3, 8 * GiB, 3 },
	{ "fit: the width largest fit, the width", { 1 * GiB, 4 * GiB, 2 * GiB, 3 * GiB }, 4, 2, 7 * GiB, 2 },
	{ "fit: the two largest do not fit together, 1", { 1 * GiB, 5 * GiB, 4 * GiB }, 3, 2, 8 * GiB, 1 },
	{ "fit: not even the largest, 0", { 1 * GiB, 9 * GiB }, 2, 2, 8 * GiB, 0 },
	{ "fit: fewer jobs than the width, all fit: the width", { 1 * GiB, 2 * GiB }, 2, 8, 16 * GiB, 8 },
	{ "fit: fewer jobs than the width, one fits", { 5 * GiB, 5 * GiB }, 2, 8, 9 * GiB, 1 },
	{ "fit: avail exactly the sum fits", { 3 * GiB, 5 * GiB }, 2, 2, 8 * GiB, 2 },
	{ "fit: avail a byte short of the sum", { 3 * GiB, 5 * GiB }, 2, 2, 8 * GiB - 1, 1 },
	{ "fit: no jobs, the width", { 0 }, 0, 4, 0, 4 },
};

static void test_fit(void **state)
{
	const struct fit_row *row = *state;
	uint64_t need[4];

	memcpy(need, row->need, sizeof(need));
	assert_int_equal(mhp_pool_fit(need, row->n, row->width, row->avail), row->want);
	/* Pure: the caller's array is not sorted in place. */
	assert_memory_equal(need, row->need, sizeof(need));
}

/* A topology built in code: nodes with boot memory, DIMMs of sizes. */
static void build(struct mhp_topology *t, unsigned nr_nodes, const uint64_t *memory, unsigned nr_dimms,
		  const uint64_t *dimms)
{
	memset(t, 0, sizeof(*t));
	t->name = "t";
	t->nr_nodes = nr_nodes;
	for (unsigned i = 0; i < nr_nodes; i++)
		t->nodes[i].memory = memory[i];
	t->nr_dimms = nr_dimms;
	for (unsigned i = 0; i < nr_dimms; i++) {
		snprintf(t->dimms[i].id, sizeof(t->dimms[i].id), "d%u", i);
		t->dimms[i].size = dimms[i];
	}
}

struct bytes_row {
	const char *name;
	unsigned nr_nodes;
	uint64_t memory[3];
	unsigned nr_dimms;
	uint64_t dimms[3];
	uint64_t want;
};

static const struct bytes_row bytes_rows[] = {
	{ "guest bytes: one node, no DIMMs", 1, { 512 * MiB }, 0, { 0 }, 512 * MiB + MHP_POOL_QEMU_OVERHEAD },
	{ "guest bytes: a memoryless node and two DIMMs", 3, { 512 * MiB, 0, 256 * MiB }, 2, { 128 * MiB, 1 * GiB },
	  768 * MiB + 1152 * MiB + MHP_POOL_QEMU_OVERHEAD },
};

static void test_guest_bytes(void **state)
{
	const struct bytes_row *row = *state;
	struct mhp_topology *t = mhp_xcalloc(1, sizeof(*t));

	build(t, row->nr_nodes, row->memory, row->nr_dimms, row->dimms);
	assert_int_equal(mhp_topology_boot_memory(t), row->memory[0] + row->memory[1] + row->memory[2]);
	assert_int_equal(mhp_pool_guest_bytes(t), row->want);
	/* Entries past nr_nodes and nr_dimms do not count. */
	t->nodes[row->nr_nodes].memory = 64 * GiB;
	t->dimms[row->nr_dimms].size = 64 * GiB;
	assert_int_equal(mhp_pool_guest_bytes(t), row->want);
	free(t);
}

#define N_CPUS 0      /* as many topologies as CPUs */
#define WIDTH_CPUS ~0u /* the number of CPUs */

struct width_row {
	const char *name;
	unsigned asked;
	unsigned n;
	uint64_t avail_eighths; /* MemAvailable in eighths of one guest */
	int ret;
	unsigned width;
	unsigned copies;        /* runs of each topology at once; 0: 1 */
};

/* Each guest: 512 MiB of boot memory, a 128 MiB DIMM, QEMU's 384 MiB: 1 GiB. */
static const struct width_row width_rows[] = {
	{ "width: asked, fits", 2, 3, 16, 0, 2, 0 },
	{ "width: asked, does not fit", 3, 3, 20, -ENOMEM, 0, 0 },
	{ "width: asked 1, not even one guest fits", 1, 2, 7, -ENOMEM, 0, 0 },
	{ "width: asked, above the jobs, all fit", 8, 2, 16, 0, 8, 0 },
	{ "width: default shrinks to what fits", 0, N_CPUS, 12, 0, 1, 0 },
	{ "width: default, nothing fits", 0, N_CPUS, 7, -ENOMEM, 0, 0 },
	{ "width: default, all fit: the CPUs", 0, N_CPUS, 8 * 1024, 0, WIDTH_CPUS, 0 },
	/* A gate runs one topology on both kernels side by side. */
	{ "width: one topology, once at a time, fits", 2, 1, 12, 0, 2, 1 },
	{ "width: one topology on both gate sides does not fit", 2, 1, 12, -ENOMEM, 0, 2 },
	{ "width: one topology on both gate sides fits", 2, 1, 16, 0, 2, 2 },
};

static void test_width(void **state)
{
	const struct width_row *row = *state;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned ncpus = cpus > 0 ? (unsigned)cpus : 1, n = row->n == N_CPUS ? ncpus : row->n, width = 0;
	const uint64_t memory[] = { 512 * MiB }, dimms[] = { 128 * MiB };
	struct mhp_topology *all = mhp_xcalloc(n, sizeof(*all));
	char avail[32];

	for (unsigned i = 0; i < n; i++)
		build(&all[i], 1, memory, 1, dimms);
	assert_int_equal(mhp_pool_guest_bytes(&all[0]), 1 * GiB);
	snprintf(avail, sizeof(avail), "%llu", (unsigned long long)(row->avail_eighths * GiB / 8));
	assert_int_equal(setenv("MHP_MEM_AVAILABLE", avail, 1), 0);
	int r = mhp_pool_width(all, n, row->copies ? row->copies : 1, row->asked, &width);
	assert_int_equal(unsetenv("MHP_MEM_AVAILABLE"), 0);
	assert_int_equal(r, row->ret);
	if (row->ret == 0)
		assert_int_equal(width, row->width == WIDTH_CPUS ? ncpus : row->width);
	free(all);
}

int main(void)
{
	static struct test_list l;

	setvbuf(stdout, NULL, _IOLBF, 0);
	TEST_ROWS(&l, test_fit, fit_rows);
	TEST_ROWS(&l, test_guest_bytes, bytes_rows);
	TEST_ROWS(&l, test_width, width_rows);
	return TEST_RUN("pool", &l);
}
