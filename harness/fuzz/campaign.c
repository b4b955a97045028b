/* A fuzz campaign (fuzz/campaign.h): generate a batch, write it to the
 * corpus, run it, file the failures; then minimise what is new. */
#include "fuzz/campaign.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/campaign-file.h"
#include "fuzz/crashdb.h"
#include "fuzz/generate.h"
#include "fuzz/minimize.h"
#include "fuzz/runner.h"
#include "lib/array.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/process.h"

struct new_sig {
	char hash[17];
	uint64_t index;
};

struct campaign {
	const struct mhp_campaign_opts *o;
	struct mhp_campaign_stats *st;
	struct mhp_suite *su;
	char *crashes, *corpus;
	char **texts;          /* the batch's topology files */
	uint64_t batch_first;  /* scenario index of the batch's first */
	unsigned stride;       /* between the batch's scenarios: the shard count */
	struct new_sig *news;
	size_t nnews, news_cap;
	uint64_t progress_ns;  /* when progress was last printed */
	bool tty;
};

static double per_minute(const struct mhp_campaign_stats *st)
{
	double min = (double)(mhp_now_ns() - st->start_ns) / 60e9;

	return min > 0 ? (double)st->run / min : 0;
}

/* One line that updates on a terminal; a line a minute in a log. */
static void progress(struct campaign *c, bool last)
{
	uint64_t now = mhp_now_ns();
	char total[32] = "";

	if (!c->tty && !last && now - c->progress_ns < 60000000000ull)
		return;
	c->progress_ns = now;
	if (c->o->count) /* this shard's part of the campaign */
		snprintf(total, sizeof(total), "/%" PRIu64, mhp_campaign_shard_left(c->o, 0, UINT64_MAX));
	fprintf(stderr, "%sfuzz: %" PRIu64 "%s scenarios, %.1f/min, %" PRIu64 " kernel failures, %u distinct%s",
		c->tty ? "\r" : "", c->st->run, total, per_minute(c->st), c->st->kernel_failures, c->st->signatures,
		c->tty && !last ? "   " : "\n");
}

static int on_run(void *ctx, size_t i, const struct mhp_result *res, const char *dir, enum mhp_sig_kind kind,
		  const char *sig)
{
	struct campaign *c = ctx;
	uint64_t index = c->batch_first + i * c->stride;
	bool is_new = false;
	unsigned count = 0;

	if (res->interrupted)
		return 0;
	/* The corpus holds the scenarios that ran, as they ran. */
	_cleanup_free_ char *path = mhp_xasprintf("%s/%06" PRIu64 ".json", c->corpus, index);
	int w = mhp_write_file_atomic(path, c->texts[i], strlen(c->texts[i]));
	if (w < 0) {
		mhp_log_errno(w, "cannot write '%s': campaign stopped", path);
		c->st->infra_stop = true;
		return 1;
	}
	c->st->run++;
	if (kind == MHP_SIG_INFRA) {
		mhp_log_error("scenario %" PRIu64 ": mhp itself failed, not the kernel (%s): campaign stopped; its run "
			      "directory %s is kept", index, sig, dir);
		c->st->infra_stop = true;
		return 1;
	}
	if (kind == MHP_SIG_NONE) {
		c->st->passed++;
	} else {
		if (kind == MHP_SIG_HARNESS)
			c->st->harness_failures++;
		else
			c->st->kernel_failures++;
		struct mhp_crash crash = { sig, kind, dir, c->texts[i], index };
		int r = mhp_crash_add(c->crashes, &crash, &is_new, &count);
		if (r < 0) {
			c->st->infra_stop = r != -EINTR; /* a SIGINT in flock is no failure of mhp's */
			return 1;
		}
	}
	if (is_new) {
		struct new_sig *n = &MHP_ARRAY_PUSH(c->news, c->nnews, c->news_cap);

		mhp_crash_hash(sig, n->hash);
		n->index = index;
		c->st->signatures++;
		fprintf(stdout, "%snew %s %s: %s (scenario %" PRIu64 ")\n", c->tty ? "\n" : "", mhp_sig_kind_name(kind),
			n->hash, sig, index);
		fflush(stdout);
	}
	progress(c, false);
	return 0;
}

/* Scenarios first, first + stride, ... (n of them) generated and run. */
static int run_batch(struct campaign *c, uint64_t first, size_t n)
{
	uint64_t stride = c->stride;

	struct mhp_topology *t = mhp_xcalloc(n, sizeof(*t));
	char err[512];
	int r = 0;

	c->texts = mhp_xcalloc(n, sizeof(*c->texts));
	c->batch_first = first;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (mhp_fuzz_generate_on(&t[i], c->o->seed, first + i * stride, c->o->shape, err, sizeof(err)) < 0)
			r = mhp_log_errno(-EIO, "generator bug: %s", err);
		else if ((r = mhp_topology_write(&t[i], &c->texts[i])) < 0)
			mhp_log_errno(r, "cannot write scenario %" PRIu64, first + i * stride);
	}
	if (r == 0)
		r = mhp_fuzz_run_batch(c->su, t, n, c->o->width, on_run, c);
	for (size_t i = 0; i < n; i++) {
		mhp_topology_release(&t[i]);
		free(c->texts[i]);
	}
	free(t), free(c->texts);
	c->texts = NULL;
	return r < 0 && r != -EINTR ? -EIO : r;
}

static bool more(const struct campaign *c, uint64_t next)
{
	if (c->st->infra_stop || mhp_interrupted)
		return false;
	if (c->o->count)
		return next < c->o->first + c->o->count;
	return mhp_now_ns() - c->st->start_ns < (uint64_t)c->o->time_s * 1000000000ull;
}

uint64_t mhp_campaign_shard_left(const struct mhp_campaign_opts *o, uint64_t p, uint64_t want)
{
	uint64_t mine;

	if (!o->count)
		return want;
	/* Scenarios shard, shard + shards, ... below count. */
	mine = o->count > o->shard ? (o->count - o->shard + o->shards - 1) / o->shards : 0;
	if (p >= mine)
		return 0;
	return mine - p < want ? mine - p : want;
}

static int run_all(struct campaign *c)
{
	uint64_t p = 0;
	int r = 0;

	while (r == 0 && more(c, mhp_campaign_scenario(c->o, p))) {
		size_t n = (size_t)mhp_campaign_shard_left(c->o, p, c->o->width * 3);

		if (!n)
			break;
		r = run_batch(c, mhp_campaign_scenario(c->o, p), n);
		p += n;
		MHP_ARRAY_PUSH(c->st->course, c->st->ncourse, c->st->course_cap) = (struct mhp_campaign_point){
			(double)(mhp_now_ns() - c->st->start_ns) / 1e9, c->st->run, c->st->signatures };
		if (mhp_campaign_write_json(c->o, c->su, c->st) < 0)
			r = -EIO;
	}
	return r;
}

static void minimise_new(struct campaign *c)
{
	for (size_t i = 0; i < c->nnews && !mhp_interrupted; i++) {
		_cleanup_free_ char *dir = mhp_xasprintf("%s/%s", c->crashes, c->news[i].hash);

		mhp_fuzz_minimize_crash(c->su, dir, c->o->width, c->o->minimize_budget);
	}
}

static int make_dirs(struct campaign *c)
{
	_cleanup_free_ char *runs = mhp_xasprintf("%s/runs", c->o->dir);

	c->crashes = mhp_xasprintf("%s/crashes", c->o->dir);
	c->corpus = mhp_xasprintf("%s/corpus", c->o->dir);
	if (mhp_mkdir_p(c->crashes, 0755) < 0 || mhp_mkdir_p(c->corpus, 0755) < 0 || mhp_mkdir_p(runs, 0755) < 0)
		return mhp_log_errno(-EIO, "cannot create the campaign directory '%s': %s", c->o->dir, strerror(errno));
	c->su->results = mhp_xstrdup(runs); /* released with the process */
	return 0;
}

int mhp_campaign_run(struct mhp_suite *su, const struct mhp_campaign_opts *o, struct mhp_campaign_stats *st)
{
	struct campaign c = { .o = o, .st = st, .su = su, .tty = isatty(STDERR_FILENO), .stride = o->shards };
	int r;

	*st = (struct mhp_campaign_stats){ .start_ns = mhp_now_ns() };
	if ((r = mhp_campaign_claim_dir(o)) == 0 && (r = make_dirs(&c)) == 0) {
		r = run_all(&c);
		progress(&c, true);
		if (r == 0 && !st->infra_stop && o->minimize_budget)
			minimise_new(&c);
		st->finished = r == 0 && !st->infra_stop && !mhp_interrupted;
		if (mhp_campaign_write_json(o, su, st) < 0 && r == 0)
			r = -EIO;
	}
	free(c.crashes), free(c.corpus), free(c.news);
	if (r == 0 && st->infra_stop)
		r = -EIO;
	return mhp_interrupted ? -EINTR : r;
}
