/* The corpora and crash databases of a campaign's shards, merged
 * (fuzz/merge.h): what an unsharded campaign of the same seed would have
 * filed, since every scenario's topology and index are the same. */
#include "fuzz/merge.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/campaign-file.h"
#include "fuzz/crashdb.h"
#include "lib/array.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "model/topology.h"

#define FILE_MAX (16u << 20) /* a crash log is capped at 4 MiB */

static int copy(const char *from_dir, const char *to_dir, const char *name)
{
	_cleanup_free_ char *from = mhp_xasprintf("%s/%s", from_dir, name), *to = mhp_xasprintf("%s/%s", to_dir, name);
	int r = mhp_copy_file(from, to, FILE_MAX);

	if (r == -ENOENT)
		return 0;
	return r < 0 ? mhp_log_errno(r, "cannot copy '%s' to '%s'", from, to) : 0;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return mhp_log_errno(-errno, "cannot create '%s'", path);
	return 0;
}

int mhp_merge_corpora(const struct mhp_merge_shard *shards, size_t n, const char *to)
{
	_cleanup_free_ char *corpus = mhp_xasprintf("%s/corpus", to);
	int r = make_dir(corpus);

	for (size_t i = 0; r == 0 && i < n; i++) {
		_cleanup_free_ char *from = mhp_xasprintf("%s/corpus", shards[i].dir);
		DIR *d = opendir(from);
		struct dirent *de;

		if (!d)
			return mhp_log_errno(-errno, "cannot read '%s'", from);
		while (r == 0 && (de = readdir(d)))
			if (de->d_name[0] != '.' && strstr(de->d_name, ".json"))
				r = copy(from, corpus, de->d_name);
		closedir(d);
	}
	return r;
}

struct log_ref {
	uint64_t scenario;
	char *dir;
};

static int by_scenario(const void *a, const void *b)
{
	const struct log_ref *x = a, *y = b;

	return x->scenario < y->scenario ? -1 : x->scenario > y->scenario;
}

static uint64_t scenario_of(const char *dir, const char *file)
{
	_cleanup_free_ char *text = mhp_crash_field(dir, file);
	uint64_t v;

	return mhp_parse_u64(text, &v) == 0 ? v : UINT64_MAX;
}

/* One signature across the shards: where each part comes from. */
struct merged_crash {
	unsigned count;
	const char *first;   /* the shard crash directory of the lowest first-scenario */
	uint64_t first_scenario;
	char *repro;         /* the crash directory of the smallest repro.json */
	uint64_t repro_size[4];
	const char *reliability; /* where reliability comes from when no repro was kept */
	struct log_ref *logs;
	size_t nlogs, logs_cap;
};

/* Steps, DIMMs, nodes, bytes: the smaller reproducer is the better one. */
static int repro_size(const char *crash_dir, uint64_t size[4])
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/repro.json", crash_dir);
	struct mhp_topology t;
	char err[512];
	struct stat st;

	if (stat(path, &st) < 0 || mhp_topology_load(&t, path, err, sizeof(err)) < 0)
		return -ENOENT;
	size[0] = t.nr_steps, size[1] = t.nr_dimms, size[2] = t.nr_nodes, size[3] = (uint64_t)st.st_size;
	mhp_topology_release(&t);
	return 0;
}

static bool smaller(const uint64_t a[4], const uint64_t b[4])
{
	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return false;
}

static void take_shard(struct merged_crash *m, char *src)
{
	uint64_t first = scenario_of(src, "first-scenario"), size[4];
	_cleanup_free_ char *rel = mhp_crash_field(src, "reliability"), *count = mhp_crash_field(src, "count");

	m->count += (unsigned)strtoul(count, NULL, 10);
	if (!m->first || first < m->first_scenario)
		m->first = src, m->first_scenario = first;
	if (repro_size(src, size) == 0 && (!m->repro || smaller(size, m->repro_size))) {
		m->repro = src;
		memcpy(m->repro_size, size, sizeof(size));
	}
	if (!m->reliability && rel[0])
		m->reliability = src;
	for (unsigned l = 0; l < MHP_CRASH_LOGS; l++) {
		char *log = mhp_xasprintf("%s/log%u", src, l);

		if (access(log, F_OK) < 0) {
			free(log);
			break;
		}
		MHP_ARRAY_PUSH(m->logs, m->nlogs, m->logs_cap) = (struct log_ref){ scenario_of(log, "scenario"), log };
	}
}

static int write_logs(struct merged_crash *m, const char *dst)
{
	int r = 0;

	qsort(m->logs, m->nlogs, sizeof(*m->logs), by_scenario);
	for (size_t l = 0; r == 0 && l < m->nlogs && l < MHP_CRASH_LOGS; l++) {
		_cleanup_free_ char *to = mhp_xasprintf("%s/log%zu", dst, l);

		r = make_dir(to);
		for (size_t f = 0; r == 0 && mhp_crash_log_files[f]; f++)
			r = copy(m->logs[l].dir, to, mhp_crash_log_files[f]);
		if (r == 0)
			r = copy(m->logs[l].dir, to, "scenario");
	}
	return r;
}

static int write_crash(struct merged_crash *m, const char *dst)
{
	static const char *const firsts[] = { "description", "kind", "first.json", "first-scenario" };
	_cleanup_free_ char *count = mhp_xasprintf("%u\n", m->count), *count_path = mhp_xasprintf("%s/count", dst);
	int r = make_dir(dst);

	for (size_t i = 0; r == 0 && i < sizeof(firsts) / sizeof(firsts[0]); i++)
		r = copy(m->first, dst, firsts[i]);
	if (r == 0 && m->repro)
		r = copy(m->repro, dst, "repro.json");
	if (r == 0 && (m->repro || m->reliability))
		r = copy(m->repro ? m->repro : m->reliability, dst, "reliability");
	if (r == 0)
		r = write_logs(m, dst);
	if (r == 0 && (r = mhp_write_file_atomic(count_path, count, strlen(count))) < 0)
		mhp_log_errno(r, "cannot write '%s'", count_path);
	return r;
}

static int merge_one(const struct mhp_merge_shard *shards, size_t n, const char *hash, const char *to)
{
	struct merged_crash m = { 0 };
	struct mhp_strv srcs = MHP_STRV_INIT;
	_cleanup_free_ char *dst = mhp_xasprintf("%s/%s", to, hash);
	int r;

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *src = mhp_xasprintf("%s/crashes/%s", shards[i].dir, hash);

		if (access(src, F_OK) == 0)
			mhp_strv_push(&srcs, src);
	}
	for (size_t i = 0; i < srcs.n; i++)
		take_shard(&m, srcs.v[i]);
	r = write_crash(&m, dst);
	for (size_t l = 0; l < m.nlogs; l++)
		free(m.logs[l].dir);
	free(m.logs);
	mhp_strv_release(&srcs);
	return r;
}

int mhp_merge_crashes(const struct mhp_merge_shard *shards, size_t n, const char *to)
{
	_cleanup_free_ char *crashes = mhp_xasprintf("%s/crashes", to);
	struct mhp_strv all = MHP_STRV_INIT;
	int r = make_dir(crashes);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *from = mhp_xasprintf("%s/crashes", shards[i].dir);
		mhp_campaign_list_crashes(from, &all);
	}
	mhp_strv_sort(&all);
	for (size_t i = 0; r == 0 && i < all.n; i++)
		if (i == 0 || strcmp(all.v[i], all.v[i - 1]))
			r = merge_one(shards, n, all.v[i], crashes);
	mhp_strv_release(&all);
	return r;
}
