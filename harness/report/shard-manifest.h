/* DIR/shard.json: what one shard of a suite (`mhp run --shard K/N`) or of
 * a gate (`mhp gate --shard K/N`) ran, so that `mhp results merge` can put
 * the shards back together in topology order:
 *
 *   { "command": "run" | "gate", "shard": { "index": K, "of": N },
 *     "topologies": [ every topology name of the whole suite, in order ],
 *     "labels": { "kernel_version" | "baseline" | "candidate": ... },
 *     "runs": { "<index>": { "dir" | "baseline" | "candidate" | "rerun": DIR } },
 *     "finished": true when the shard ran to its end }
 *
 * Rewritten atomically after every run, so a shard that dies leaves what it
 * did, marked unfinished. */
#ifndef MHP_SHARD_MANIFEST_H
#define MHP_SHARD_MANIFEST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* A new manifest for shard k of n over the suite's names[0..total). */
json_object *mhp_shard_manifest_new(const char *command, unsigned k, unsigned n, char *const names[], size_t total);
void mhp_shard_manifest_label(json_object *m, const char *key, const char *value);
/* Records run directory dir (made absolute) of topology index as side. */
void mhp_shard_manifest_run(json_object *m, size_t index, const char *side, const char *dir);
/* Writes m as dir/shard.json with "finished".  0, or -errno (said). */
int mhp_shard_manifest_save(json_object *m, const char *dir, bool finished);

/* Reads dir/shard.json: 0; -ENOENT when there is none; -EINVAL with
 * "FILE: field 'F': why" in err when it is not one mhp wrote. */
int mhp_shard_manifest_read(const char *dir, json_object **ret, char *err, size_t errsize);

#endif
