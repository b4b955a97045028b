/* `mhp fuzz merge` (fuzz/merge.h): which shards there are, whether they
 * belong together, and the merged directory built aside and swapped in. */
#include "fuzz/merge.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/campaign-file.h"
#include "lib/array.h"
#include "lib/cleanup.h"
#include "lib/log.h"

struct inputs {
	struct mhp_campaign_head ref;   /* the first readable shard's */
	const char *ref_dir;
	struct mhp_merge_shard *done;   /* finished shards, by index */
	size_t ndone, cap;
	bool *seen;                     /* [shards]: a finished shard has this index */
};

/* A field the shards of one campaign must agree on. */
static int agree(const char *what, const char *a, const char *dir_a, const char *b, const char *dir_b)
{
	if (!strcmp(a, b))
		return 0;
	return mhp_log_error("%s/campaign.json: field '%s': %s, but %s in %s/campaign.json: these are no shards of "
			     "one campaign", dir_b, what, b, a, dir_a);
}

static int agree_u(const char *what, uint64_t a, const char *dir_a, uint64_t b, const char *dir_b)
{
	char sa[24], sb[24];

	snprintf(sa, sizeof(sa), "%" PRIu64, a), snprintf(sb, sizeof(sb), "%" PRIu64, b);
	return agree(what, sa, dir_a, sb, dir_b);
}

static int check_same(const struct inputs *in, const struct mhp_campaign_head *h, const char *dir)
{
	const struct mhp_campaign_head *r = &in->ref;

	if (agree("seed", r->seed, in->ref_dir, h->seed, dir) < 0 ||
	    agree("kernel_version", r->kernel_version, in->ref_dir, h->kernel_version, dir) < 0 ||
	    agree("shape", r->shape, in->ref_dir, h->shape, dir) < 0 ||
	    agree_u("first", r->first, in->ref_dir, h->first, dir) < 0 ||
	    agree_u("count", r->count, in->ref_dir, h->count, dir) < 0 ||
	    agree_u("shard.of", r->shards, in->ref_dir, h->shards, dir) < 0)
		return -EINVAL;
	return 0;
}

static int take_input(struct inputs *in, const char *dir)
{
	struct mhp_campaign_head h;
	char err[512];
	int r = mhp_campaign_read(dir, &h, err, sizeof(err));

	if (r == -ENOENT) {
		mhp_log_notice("%s: no campaign.json: a shard that never started, or no campaign directory", dir);
		return 0;
	}
	if (r < 0)
		return mhp_log_error("%s", err);
	if (h.merged)
		return mhp_log_error("%s/campaign.json: field 'merged_from': a merged campaign; give the shards' "
				     "directories", dir);
	if (!in->ref_dir) {
		in->ref = h, in->ref_dir = dir;
		in->seen = mhp_xcalloc(h.shards, sizeof(*in->seen));
	} else if (check_same(in, &h, dir) < 0) {
		return -EINVAL;
	}
	if (!h.finished) {
		mhp_log_notice("%s: shard %u/%u did not finish: left out", dir, h.shard, h.shards);
		return 0;
	}
	if (in->seen[h.shard])
		return mhp_log_error("%s/campaign.json: field 'shard': %u/%u is given twice", dir, h.shard, h.shards);
	in->seen[h.shard] = true;
	MHP_ARRAY_PUSH(in->done, in->ndone, in->cap) = (struct mhp_merge_shard){ dir, h.shard };
	return 0;
}

static int by_index(const void *a, const void *b)
{
	const struct mhp_merge_shard *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* The merged directory may be none of the inputs. */
static int check_into(char *const dirs[], size_t n, const char *into)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!realpath(into, a))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (realpath(dirs[i], b) && !strcmp(a, b))
			return mhp_log_error("--into %s is one of the shard directories", into);
	return 0;
}

/* The totals of the finished shards, and which are missing. */
static void tally(const struct inputs *in, struct mhp_merge_result *res, double *elapsed)
{
	*res = (struct mhp_merge_result){ .shards = in->ref.shards, .merged = (unsigned)in->ndone };
	*elapsed = 0;
	for (size_t i = 0; i < in->ndone; i++) {
		struct mhp_campaign_head h;
		char err[512];

		if (mhp_campaign_read(in->done[i].dir, &h, err, sizeof(err)) < 0)
			continue; /* read a moment ago; a finished shard is not rewritten */
		res->run += h.run, res->passed += h.passed, res->kernel_failures += h.kernel_failures;
		res->harness_failures += h.harness_failures, res->infra_stop |= h.infra_stop;
		*elapsed = h.elapsed_s > *elapsed ? h.elapsed_s : *elapsed;
	}
	for (unsigned k = 0; k < in->ref.shards; k++)
		if (!in->seen[k] && res->nmissing++ < sizeof(res->missing) / sizeof(res->missing[0]))
			res->missing[res->nmissing - 1] = k;
}

static void put_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static int write_json(const struct inputs *in, const struct mhp_merge_result *res, double elapsed, const char *tmp)
{
	json_object *j = json_object_new_object(), *from = json_object_new_array(), *missing = json_object_new_array();
	json_object_object_add(j, "kernel_version", json_object_new_string(in->ref.kernel_version));
	json_object_object_add(j, "seed", json_object_new_string(in->ref.seed));
	json_object_object_add(j, "shape", json_object_new_string(in->ref.shape));
	put_u64(j, "first", in->ref.first);
	put_u64(j, "count", in->ref.count);
	put_u64(j, "shards", res->shards);
	for (size_t i = 0; i < in->ndone; i++)
		json_object_array_add(from, json_object_new_string(in->done[i].dir));
	json_object_object_add(j, "merged_from", from);
	for (unsigned k = 0; k < in->ref.shards; k++)
		if (!in->seen[k])
			json_object_array_add(missing, json_object_new_int(k));
	json_object_object_add(j, "missing_shards", missing);
	json_object_object_add(j, "complete", json_object_new_boolean(res->nmissing == 0));
	put_u64(j, "scenarios_run", res->run);
	put_u64(j, "passed", res->passed);
	put_u64(j, "kernel_failures", res->kernel_failures);
	put_u64(j, "harness_failures", res->harness_failures);
	json_object_object_add(j, "stopped_on_infrastructure", json_object_new_boolean(res->infra_stop));
	/* The shards ran side by side: the slowest one is the campaign's time. */
	json_object_object_add(j, "elapsed_s", json_object_new_double(elapsed));
	json_object_object_add(j, "scenarios_per_minute",
			       json_object_new_double(elapsed > 0 ? (double)res->run * 60 / elapsed : 0));
	return mhp_campaign_save_json(tmp, j);
}

/* into is new, an empty directory, or an earlier merge: replaced whole. */
static int swap_in(const char *tmp, const char *into)
{
	struct mhp_campaign_head h;
	char err[512];
	int r;

	if (rename(tmp, into) == 0)
		return 0;
	if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR && errno != EISDIR)
		return mhp_log_errno(-errno, "cannot rename '%s' to '%s'", tmp, into);
	r = mhp_campaign_read(into, &h, err, sizeof(err));
	if (r < 0 || !h.merged)
		return mhp_log_error("--into %s holds something else than a merged campaign: choose another directory",
				     into);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, into, RENAME_EXCHANGE) < 0)
		return mhp_log_errno(-errno, "cannot replace '%s'", into);
	if ((r = mhp_remove_tree(tmp)) < 0)
		mhp_log_errno(r, "the earlier merge stays in '%s'", tmp);
	return 0;
}

static int build(const struct inputs *in, const struct mhp_merge_result *res, double elapsed, const char *into)
{
	_cleanup_free_ char *tmp = mhp_xasprintf("%s.merging.%ld", into, (long)getpid());
	int r;

	(void)mhp_remove_tree(tmp);
	if (mkdir(tmp, 0755) < 0)
		return mhp_log_errno(-errno, "cannot create '%s'", tmp);
	r = mhp_merge_corpora(in->done, in->ndone, tmp);
	if (r == 0)
		r = mhp_merge_crashes(in->done, in->ndone, tmp);
	if (r == 0)
		r = write_json(in, res, elapsed, tmp);
	if (r == 0)
		r = swap_in(tmp, into);
	if (r < 0)
		(void)mhp_remove_tree(tmp);
	return r == 0 || r == -EINVAL ? r : -EIO;
}

int mhp_fuzz_merge(char *const dirs[], size_t n, const char *into, struct mhp_merge_result *res)
{
	struct inputs in = { 0 };
	double elapsed;
	int r = check_into(dirs, n, into);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = take_input(&in, dirs[i]);
	if (r == 0 && !in.ref_dir)
		r = mhp_log_error("none of the %zu directories holds a campaign shard", n);
	if (r == 0) {
		qsort(in.done, in.ndone, sizeof(*in.done), by_index);
		tally(&in, res, &elapsed);
		r = build(&in, res, elapsed, into);
	}
	free(in.done), free(in.seen);
	return r;
}
