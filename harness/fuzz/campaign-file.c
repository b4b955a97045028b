/* campaign.json and the crash table (fuzz/campaign-file.h). */
#include "fuzz/campaign-file.h"

#include <dirent.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/crashdb.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

static bool has_file(const char *dir, const char *name)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/%s", dir, name);

	return access(path, F_OK) == 0;
}

static json_object *crash_json(const char *crashes, const char *hash)
{
	_cleanup_free_ char *dir = mhp_xasprintf("%s/%s", crashes, hash);
	_cleanup_free_ char *desc = mhp_crash_field(dir, "description"), *kind = mhp_crash_field(dir, "kind");
	_cleanup_free_ char *count = mhp_crash_field(dir, "count"), *rel = mhp_crash_field(dir, "reliability");
	json_object *o = json_object_new_object();

	json_object_object_add(o, "hash", json_object_new_string(hash));
	json_object_object_add(o, "description", json_object_new_string(desc));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "count", json_object_new_int64(strtoll(count, NULL, 10)));
	if (has_file(dir, "repro.json")) {
		_cleanup_free_ char *repro = mhp_xasprintf("crashes/%s/repro.json", hash);
		json_object_object_add(o, "repro", json_object_new_string(repro));
		json_object_object_add(o, "reliability", json_object_new_string(rel));
	}
	return o;
}

/* Crash directory names in crashes, sorted. */
size_t mhp_campaign_list_crashes(const char *crashes, struct mhp_strv *out)
{
	DIR *d = opendir(crashes);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strlen(de->d_name) == 16 && strspn(de->d_name, "0123456789abcdef") == 16)
			mhp_strv_push(out, de->d_name);
	if (d)
		closedir(d);
	mhp_strv_sort(out);
	return out->n;
}

json_object *mhp_campaign_crashes_json(const char *crashes)
{
	struct mhp_strv names = MHP_STRV_INIT;
	json_object *arr = json_object_new_array();

	mhp_campaign_list_crashes(crashes, &names);
	for (size_t i = 0; i < names.n; i++)
		json_object_array_add(arr, crash_json(crashes, names.v[i]));
	mhp_strv_release(&names);
	return arr;
}

static void put_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

/* "none", or a hash of the --shape machine as mhp writes it: shards of
 * one campaign must agree on it. */
static const char *shape_id(const struct mhp_topology *t, char out[20])
{
	char *text = NULL;

	if (!t || mhp_topology_write(t, &text) < 0) {
		free(text);
		return t ? "unwritable" : "none";
	}
	snprintf(out, 20, "%016" PRIx64, mhp_hash(MHP_HASH_INIT, text, strlen(text)));
	free(text);
	return out;
}

int mhp_campaign_write_json(const struct mhp_campaign_opts *o, const struct mhp_suite *su,
			    const struct mhp_campaign_stats *st)
{
	char seed[32], shape[20];
	double min = (double)(mhp_now_ns() - st->start_ns) / 60e9;
	json_object *j = json_object_new_object();

	snprintf(seed, sizeof(seed), "0x%016" PRIx64, o->seed);
	json_object_object_add(j, "kernel", json_object_new_string(su->opts.kernel));
	json_object_object_add(j, "kernel_version", json_object_new_string(su->kernel_version));
	json_object_object_add(j, "accel", json_object_new_string(su->opts.accel));
	json_object_object_add(j, "seed", json_object_new_string(seed));
	put_u64(j, "first", o->first);
	put_u64(j, "count", o->count);
	json_object *shard = json_object_new_object();
	put_u64(shard, "index", o->shard);
	put_u64(shard, "of", o->shards);
	json_object_object_add(j, "shard", shard);
	json_object_object_add(j, "shape", json_object_new_string(shape_id(o->shape, shape)));
	put_u64(j, "minimize_budget", o->minimize_budget);
	json_object_object_add(j, "finished", json_object_new_boolean(st->finished));
	put_u64(j, "scenarios_run", st->run);
	put_u64(j, "passed", st->passed);
	put_u64(j, "kernel_failures", st->kernel_failures);
	put_u64(j, "harness_failures", st->harness_failures);
	json_object_object_add(j, "stopped_on_infrastructure", json_object_new_boolean(st->infra_stop));
	json_object_object_add(j, "elapsed_s", json_object_new_double(min * 60));
	json_object_object_add(j, "scenarios_per_minute", json_object_new_double(min > 0 ? (double)st->run / min : 0));
	json_object *course = json_object_new_array();
	for (size_t i = 0; i < st->ncourse; i++) {
		json_object *pt = json_object_new_array();
		json_object_array_add(pt, json_object_new_double(st->course[i].elapsed_s));
		json_object_array_add(pt, json_object_new_int64((int64_t)st->course[i].run));
		json_object_array_add(pt, json_object_new_int((int)st->course[i].signatures));
		json_object_array_add(course, pt);
	}
	json_object_object_add(j, "course", course); /* [elapsed s, scenarios, distinct signatures] per batch */
	return mhp_campaign_save_json(o->dir, j);
}

int mhp_campaign_save_json(const char *dir, json_object *j)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/campaign.json", dir);
	_cleanup_free_ char *crashes = mhp_xasprintf("%s/crashes", dir);
	int r;

	json_object_object_add(j, "signatures", mhp_campaign_crashes_json(crashes));
	const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	r = mhp_write_file_logged(path, text, strlen(text));
	json_object_put(j);
	return r;
}

void mhp_campaign_print_crashes(FILE *f, const char *crashes)
{
	struct mhp_strv names = MHP_STRV_INIT;

	mhp_campaign_list_crashes(crashes, &names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *dir = mhp_xasprintf("%s/%s", crashes, names.v[i]);
		_cleanup_free_ char *desc = mhp_crash_field(dir, "description"), *kind = mhp_crash_field(dir, "kind");
		_cleanup_free_ char *count = mhp_crash_field(dir, "count"), *rel = mhp_crash_field(dir, "reliability");

		fprintf(f, "%s x%-4s %-7s %s\n", names.v[i], count, kind, desc);
		if (has_file(dir, "repro.json"))
			fprintf(f, "    repro: %s/repro.json (reproduced %s)\n", dir, rel);
	}
	mhp_strv_release(&names);
}
