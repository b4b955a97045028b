/* campaign.json read back (fuzz/campaign-file.h): by `mhp fuzz merge`,
 * and by a shard started again in the directory of a run that died. */
#include "fuzz/campaign-file.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "model/json-locate.h"

struct reader {
	const char *path;
	json_object *root;
	struct mhp_json_locator loc;
	char *err;
	size_t errsize;
	int r;
};

static json_object *field(struct reader *rd, json_object *in, const char *key, json_type type, bool optional)
{
	json_object *v = NULL;

	if (rd->r < 0)
		return NULL;
	if (!json_object_object_get_ex(in, key, &v)) {
		if (!optional) {
			snprintf(rd->err, rd->errsize, "%s: field '%s': missing", rd->path, key);
			rd->r = -EINVAL;
		}
		return NULL;
	}
	if (json_object_is_type(v, type) || (type == json_type_double && json_object_is_type(v, json_type_int)))
		return v;
	snprintf(rd->err, rd->errsize, "%s:%d: field '%s': not a %s", rd->path, mhp_json_locator_line(&rd->loc, in, key),
		 key, json_type_to_name(type));
	rd->r = -EINVAL;
	return NULL;
}

static uint64_t count_field(struct reader *rd, json_object *in, const char *key, bool optional)
{
	json_object *v = field(rd, in, key, json_type_int, optional);
	int64_t n = v ? json_object_get_int64(v) : 0;

	if (n < 0 && rd->r == 0) {
		snprintf(rd->err, rd->errsize, "%s:%d: field '%s': negative", rd->path,
			 mhp_json_locator_line(&rd->loc, in, key), key);
		rd->r = -EINVAL;
	}
	return n < 0 ? 0 : (uint64_t)n;
}

static void string_field(struct reader *rd, const char *key, char *out, size_t size, bool optional)
{
	json_object *v = field(rd, rd->root, key, json_type_string, optional);

	snprintf(out, size, "%s", v ? json_object_get_string(v) : "");
}

static bool bool_field(struct reader *rd, const char *key)
{
	json_object *v = field(rd, rd->root, key, json_type_boolean, true);

	return v && json_object_get_boolean(v);
}

/* "shard": {"index": K, "of": N}, absent in a campaign that was not split. */
static void shard_field(struct reader *rd, struct mhp_campaign_head *h)
{
	json_object *s = field(rd, rd->root, "shard", json_type_object, true);

	h->shard = 0, h->shards = 1;
	if (!s)
		return;
	uint64_t k = count_field(rd, s, "index", false), n = count_field(rd, s, "of", false);
	if (rd->r == 0 && (n == 0 || n > 1u << 20 || k >= n)) {
		snprintf(rd->err, rd->errsize, "%s:%d: field 'shard': %" PRIu64 " of %" PRIu64 " is no shard", rd->path,
			 mhp_json_locator_line(&rd->loc, rd->root, "shard"), k, n);
		rd->r = -EINVAL;
	}
	h->shard = (unsigned)k, h->shards = (unsigned)n;
}

static void read_fields(struct reader *rd, struct mhp_campaign_head *h)
{
	json_object *el;

	string_field(rd, "seed", h->seed, sizeof(h->seed), false);
	string_field(rd, "shape", h->shape, sizeof(h->shape), true);
	string_field(rd, "kernel_version", h->kernel_version, sizeof(h->kernel_version), false);
	h->first = count_field(rd, rd->root, "first", false);
	h->count = count_field(rd, rd->root, "count", false);
	shard_field(rd, h);
	h->finished = bool_field(rd, "finished");
	h->infra_stop = bool_field(rd, "stopped_on_infrastructure");
	h->merged = field(rd, rd->root, "merged_from", json_type_array, true) != NULL;
	h->run = count_field(rd, rd->root, "scenarios_run", false);
	h->passed = count_field(rd, rd->root, "passed", false);
	h->kernel_failures = count_field(rd, rd->root, "kernel_failures", false);
	h->harness_failures = count_field(rd, rd->root, "harness_failures", false);
	el = field(rd, rd->root, "elapsed_s", json_type_double, true);
	h->elapsed_s = el ? json_object_get_double(el) : 0;
}

int mhp_campaign_read(const char *dir, struct mhp_campaign_head *h, char *err, size_t errsize)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/campaign.json", dir), *text = NULL;
	struct reader rd = { .path = path, .loc = MHP_JSON_LOCATOR_INIT, .err = err, .errsize = errsize };
	int r = mhp_read_file(path, 64u << 20, &text, NULL);

	*h = (struct mhp_campaign_head){ 0 };
	if (r == -ENOENT)
		return r;
	if (r < 0) {
		snprintf(err, errsize, "%s: cannot read: %s", path, strerror(-r));
		return -EINVAL;
	}
	if (!(rd.root = json_tokener_parse(text)) || !json_object_is_type(rd.root, json_type_object)) {
		snprintf(err, errsize, "%s: not a JSON object", path);
		json_object_put(rd.root);
		return -EINVAL;
	}
	mhp_json_locator_build(&rd.loc, text, rd.root);
	read_fields(&rd, h);
	mhp_json_locator_release(&rd.loc);
	json_object_put(rd.root);
	return rd.r;
}

static bool dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	while (d && empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return d && empty;
}

static bool same_campaign(const struct mhp_campaign_head *h, const struct mhp_campaign_opts *o)
{
	char seed[32];

	snprintf(seed, sizeof(seed), "0x%016" PRIx64, o->seed);
	return !strcmp(h->seed, seed) && h->first == o->first && h->count == o->count && h->shard == o->shard &&
	       h->shards == o->shards && !h->merged;
}

/* An unfinished run of this very shard: what it made goes, all of it. */
static int start_over(const char *dir)
{
	static const char *const made[] = { "corpus", "crashes", "runs", "campaign.json" };

	mhp_log_notice("%s holds an unfinished run of this campaign shard: starting it over", dir);
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		_cleanup_free_ char *path = mhp_xasprintf("%s/%s", dir, made[i]);
		int r = mhp_remove_tree(path);

		if (r < 0)
			return mhp_log_errno(r, "cannot remove '%s'", path);
	}
	return 0;
}

int mhp_campaign_claim_dir(const struct mhp_campaign_opts *o)
{
	struct mhp_campaign_head h;
	char err[512];
	struct stat st;

	if (stat(o->dir, &st) < 0)
		return errno == ENOENT ? 0 : mhp_log_errno(-errno, "cannot use '%s'", o->dir);
	if (!S_ISDIR(st.st_mode))
		return mhp_log_error("campaign directory '%s' is not a directory", o->dir), -EEXIST;
	int r = mhp_campaign_read(o->dir, &h, err, sizeof(err));
	if (r == -ENOENT) {
		if (dir_is_empty(o->dir))
			return 0;
		return mhp_log_error("campaign directory '%s' holds files but no campaign.json: choose a new "
				     "directory", o->dir), -EEXIST;
	}
	if (r < 0)
		return mhp_log_error("%s", err), -EEXIST;
	if (h.finished || !same_campaign(&h, o))
		return mhp_log_error("campaign directory '%s' holds %s campaign (seed %s, shard %u/%u): choose a "
				     "new directory, or remove it", o->dir, h.finished ? "a finished" : "another",
				     h.seed, h.shard, h.shards), -EEXIST;
	return start_over(o->dir);
}
