#include "run/pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/process.h"
#include "report/report.h"

/* A worker told to stop gets this long to write its result and stop its
 * QEMU (quit, then SIGTERM with a grace of its own) before SIGKILL. */
#define WORKER_STOP_MS 15000

enum slot_state { SLOT_PENDING = 0, SLOT_RUNNING, SLOT_DONE, SLOT_REPORTED };

struct slot {
	enum slot_state state;
	struct mhp_child worker;
	char *dir;
	struct mhp_result res;
};

struct pool {
	const struct mhp_pool_job *jobs;
	size_t n, started, reported;
	unsigned width, running;
	struct slot *slots;
	bool stopping;              /* done() asked to stop, or a signal came */
	mhp_deadline_t kill_deadline;
	int error;
};

static __attribute__((noreturn)) void worker_main(const struct mhp_pool_job *job, const char *dir)
{
	struct mhp_result res;

	mhp_suite_run_in(job->su, job->t, dir, &res);
	mhp_result_release(&res);
	fflush(NULL);
	_exit(0);
}

static int start(struct pool *p)
{
	size_t i = p->started;
	struct slot *s = &p->slots[i];
	int r;

	if (!(s->dir = mhp_suite_mkdir_latest(p->jobs[i].su, p->jobs[i].t)))
		return -EIO;
	s->worker = (struct mhp_child)MHP_CHILD_INIT;
	if ((r = mhp_child_fork(&s->worker)) == 0)
		worker_main(&p->jobs[i], s->dir);
	if (r < 0) {
		mhp_log_errno(r, "cannot start a worker for '%s'", p->jobs[i].t->name);
		if (rmdir(s->dir) < 0)
			mhp_log_errno(-errno, "cannot remove the unused run directory '%s'", s->dir);
		return -EIO;
	}
	s->state = SLOT_RUNNING;
	p->started++;
	p->running++;
	return 0;
}

/* The worker's result.json, or a result that says why there is none. */
static void collect(struct pool *p, struct slot *s, const struct mhp_topology *t)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/result.json", s->dir);
	char err[512], how[96];

	if (mhp_result_read_json(&s->res, path, err, sizeof(err)) < 0) {
		mhp_result_release(&s->res);
		mhp_result_init(&s->res, t->name);
		mhp_result_phase(&s->res, "worker");
		mhp_result_error(&s->res, "the mhp worker of this run ended (%s) without its result: %s",
				 mhp_child_describe(&s->worker, how, sizeof(how)), err);
		s->res.interrupted = p->stopping;
		mhp_result_finish(&s->res);
		/* The run directory says it too, for whoever reads it later. */
		if (mhp_result_write_json(&s->res, s->dir) < 0 || mhp_report_junit(&s->res, s->dir) < 0)
			mhp_log_errno(-EIO, "cannot write the results of a dead worker in '%s'", s->dir);
	}
	s->state = SLOT_DONE;
	p->running--;
}

static void signal_workers(struct pool *p, int sig)
{
	for (size_t i = 0; i < p->started; i++)
		if (p->slots[i].state == SLOT_RUNNING)
			kill(-p->slots[i].worker.pid, sig);
}

static void stop_all(struct pool *p, int sig)
{
	if (p->stopping)
		return;
	p->stopping = true;
	p->kill_deadline = mhp_deadline_in_ms(WORKER_STOP_MS);
	signal_workers(p, sig);
}

/* Waits for any worker to end (in slices, so a signal is seen soon). */
static void wait_any(struct pool *p)
{
	struct pollfd pfd[p->running ? p->running : 1];
	size_t idx[p->running ? p->running : 1];
	pid_t workers[p->running ? p->running : 1];
	unsigned k = 0;

	for (size_t i = 0; i < p->started; i++)
		if (p->slots[i].state == SLOT_RUNNING) {
			pfd[k] = (struct pollfd){ .fd = p->slots[i].worker.pidfd, .events = POLLIN };
			workers[k] = p->slots[i].worker.pid;
			idx[k++] = i;
		}
	mhp_reap_exited_orphans(workers, k);
	if (poll(pfd, k, 200) <= 0)
		return;
	for (unsigned j = 0; j < k; j++) {
		struct slot *s = &p->slots[idx[j]];
		if (pfd[j].revents && mhp_child_wait(&s->worker, 0) == 0)
			collect(p, s, p->jobs[idx[j]].t);
	}
}

static void hand_over(struct pool *p, mhp_pool_done_fn done, void *ctx)
{
	while (p->reported < p->started && p->slots[p->reported].state == SLOT_DONE) {
		struct slot *s = &p->slots[p->reported];

		if (done(ctx, p->reported, &s->res, s->dir) && !p->stopping)
			stop_all(p, SIGTERM);
		mhp_result_release(&s->res);
		s->state = SLOT_REPORTED;
		p->reported++;
	}
}

static void loop(struct pool *p, mhp_pool_done_fn done, void *ctx)
{
	while (p->reported < p->n) {
		while (!p->stopping && !mhp_interrupted && p->running < p->width && p->started < p->n)
			if ((p->error = start(p)) < 0)
				stop_all(p, SIGTERM);
		if (mhp_interrupted)
			stop_all(p, mhp_interrupted);
		if (!p->running && (p->stopping || p->started == p->n))
			break;
		if (p->stopping && mhp_deadline_expired(p->kill_deadline))
			signal_workers(p, SIGKILL);
		wait_any(p);
		hand_over(p, done, ctx);
	}
	hand_over(p, done, ctx);
}

int mhp_pool_run(const struct mhp_pool_job *jobs, size_t njobs, unsigned width, mhp_pool_done_fn done, void *ctx)
{
	struct pool p = { .jobs = jobs, .n = njobs, .width = width ? width : 1 };

	p.slots = mhp_xcalloc(njobs ? njobs : 1, sizeof(*p.slots));
	loop(&p, done, ctx);
	for (size_t i = 0; i < njobs; i++) {
		mhp_child_stop(&p.slots[i].worker, 0);
		if (p.slots[i].state == SLOT_DONE)
			mhp_result_release(&p.slots[i].res);
		free(p.slots[i].dir);
	}
	free(p.slots);
	if (p.error < 0)
		return p.error;
	return mhp_interrupted ? -EINTR : 0;
}

/* ------------------------------------------------------------ memory */

uint64_t mhp_pool_guest_bytes(const struct mhp_topology *t)
{
	uint64_t b = mhp_topology_boot_memory(t) + MHP_POOL_QEMU_OVERHEAD;

	for (unsigned i = 0; i < t->nr_dimms; i++)
		b += t->dimms[i].size;
	return b;
}

static int by_size_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

unsigned mhp_pool_fit(const uint64_t *need, size_t n, unsigned width, uint64_t avail)
{
	_cleanup_free_ uint64_t *sorted = mhp_xcalloc(n ? n : 1, sizeof(*sorted));
	uint64_t sum = 0;
	unsigned w = 0;

	memcpy(sorted, need, n * sizeof(*need));
	qsort(sorted, n, sizeof(*sorted), by_size_desc);
	/* The width largest guests may run together: they must fit. */
	while (w < width && w < n && sorted[w] <= avail - sum)
		sum += sorted[w++];
	return w == n ? width : w;
}

int mhp_mem_available(uint64_t *ret_bytes)
{
	_cleanup_free_ char *text = NULL;
	unsigned long long kb;
	int r;

	if ((r = mhp_read_file("/proc/meminfo", 1u << 16, &text, NULL)) < 0)
		return r;
	const char *p = strstr(text, "MemAvailable:");
	if (!p || sscanf(p, "MemAvailable: %llu kB", &kb) != 1)
		return -ENODATA;
	*ret_bytes = (uint64_t)kb << 10;
	return 0;
}

int mhp_pool_width(const struct mhp_topology *all, size_t n, unsigned copies, unsigned asked, unsigned *ret_width)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = asked ? asked : cpus > 0 ? (unsigned)cpus : 1, fit;
	_cleanup_free_ uint64_t *need = mhp_xcalloc(n * copies + 1, sizeof(*need));
	const char *fake = getenv("MHP_MEM_AVAILABLE"); /* a test hook: bytes */
	uint64_t avail;
	size_t top = 0;

	if (fake && *fake && mhp_parse_size(fake, &avail) == 0)
		;
	else if (mhp_mem_available(&avail) < 0) {
		*ret_width = want;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		for (unsigned c = 0; c < copies; c++)
			need[i * copies + c] = mhp_pool_guest_bytes(&all[i]);
		top = need[i * copies] > need[top * copies] ? i : top;
	}
	fit = mhp_pool_fit(need, n * copies, want, avail);
	if (fit < want && (asked || fit == 0)) {
		char most[64];
		snprintf(most, sizeof(most), fit ? "at most -j %u fits" : "not even one fits", fit);
		mhp_log_error("-j %u does not fit in memory: '%s' takes up to %llu MiB (boot memory, every DIMM, %llu MiB "
			      "for QEMU) and MemAvailable is %llu MiB: %s", want, all[top].name,
			      (unsigned long long)(need[top * copies] >> 20), (unsigned long long)(MHP_POOL_QEMU_OVERHEAD >> 20),
			      (unsigned long long)(avail >> 20), most);
		return -ENOMEM;
	}
	if (fit < want)
		mhp_log_info("running %u guests at once, not %u: MemAvailable is %llu MiB", fit, want,
			     (unsigned long long)(avail >> 20));
	*ret_width = fit < want ? fit : want;
	return 0;
}
