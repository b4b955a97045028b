/* A suite or gate shard's shard.json (report/shard-manifest.h). */
#include "report/shard-manifest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

json_object *mhp_shard_manifest_new(const char *command, unsigned k, unsigned n, char *const names[], size_t total)
{
	json_object *m = json_object_new_object(), *shard = json_object_new_object(), *list = json_object_new_array();

	json_object_object_add(m, "command", json_object_new_string(command));
	json_object_object_add(shard, "index", json_object_new_int((int)k));
	json_object_object_add(shard, "of", json_object_new_int((int)n));
	json_object_object_add(m, "shard", shard);
	for (size_t i = 0; i < total; i++)
		json_object_array_add(list, json_object_new_string(names[i]));
	json_object_object_add(m, "topologies", list);
	json_object_object_add(m, "labels", json_object_new_object());
	json_object_object_add(m, "runs", json_object_new_object());
	return m;
}

void mhp_shard_manifest_label(json_object *m, const char *key, const char *value)
{
	json_object_object_add(json_object_object_get(m, "labels"), key, json_object_new_string(value));
}

void mhp_shard_manifest_run(json_object *m, size_t index, const char *side, const char *dir)
{
	json_object *runs = json_object_object_get(m, "runs"), *run;
	char key[24], abs[PATH_MAX];

	snprintf(key, sizeof(key), "%zu", index);
	if (!json_object_object_get_ex(runs, key, &run)) {
		run = json_object_new_object();
		json_object_object_add(runs, key, run);
	}
	json_object_object_add(run, side, json_object_new_string(realpath(dir, abs) ? abs : dir));
}

int mhp_shard_manifest_save(json_object *m, const char *dir, bool finished)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/shard.json", dir);

	json_object_object_add(m, "finished", json_object_new_boolean(finished));
	const char *text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	return mhp_write_file_logged(path, text, strlen(text));
}

static bool has(json_object *m, const char *key, json_type type)
{
	json_object *v;

	return json_object_object_get_ex(m, key, &v) && json_object_is_type(v, type);
}

int mhp_shard_manifest_read(const char *dir, json_object **ret, char *err, size_t errsize)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/shard.json", dir), *text = NULL;
	static const struct { const char *key; json_type type; } fields[] = {
		{ "command", json_type_string }, { "shard", json_type_object }, { "topologies", json_type_array },
		{ "labels", json_type_object }, { "runs", json_type_object }, { "finished", json_type_boolean },
	};
	int r = mhp_read_file(path, 16u << 20, &text, NULL);
	json_object *m;

	*ret = NULL;
	if (r == -ENOENT)
		return r;
	if (r < 0 || !(m = json_tokener_parse(text))) {
		snprintf(err, errsize, "%s: %s", path, r < 0 ? strerror(-r) : "not JSON");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!has(m, fields[i].key, fields[i].type)) {
			snprintf(err, errsize, "%s: field '%s': missing or not a %s", path, fields[i].key,
				 json_type_to_name(fields[i].type));
			json_object_put(m);
			return -EINVAL;
		}
	*ret = m;
	return 0;
}
