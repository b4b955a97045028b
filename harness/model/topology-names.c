/* The words of the topology format, for the parser, the validator and the
 * writer alike: action keys, expect words, knob values, command-line words. */
#include <string.h>

#include "guest-init/wire.h"
#include "lib/cleanup.h"
#include "model/topology-internal.h"

static const char *const step_keys[] = {
	[MHP_STEP_PLUG] = "plug",       [MHP_STEP_ONLINE] = "online", [MHP_STEP_OFFLINE] = "offline",
	[MHP_STEP_UNPLUG] = "unplug",   [MHP_STEP_CHECK] = "check",   [MHP_STEP_FILL] = "fill",
	[MHP_STEP_VERIFY] = "verify",   [MHP_STEP_CORRUPT] = "corrupt", [MHP_STEP_SYSRQ] = "sysrq",
	[MHP_STEP_PIN] = "pin",         [MHP_STEP_OFFLINE_BOOT] = "offline_boot", [MHP_STEP_RESIZE] = "resize",
};

const char *mhp_device_kind_name(enum mhp_device_kind k)
{
	return k == MHP_DEVICE_VIRTIO_MEM ? "virtio-mem" : "dimm";
}

bool mhp_topology_has_virtio_mem(const struct mhp_topology *t)
{
	for (unsigned i = 0; i < t->nr_dimms && i < MHP_MAX_DIMMS; i++)
		if (t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM)
			return true;
	return false;
}

const char *mhp_step_kind_name(enum mhp_step_kind k)
{
	return k > MHP_STEP_INVALID && k < ARRAY_SIZE(step_keys) ? step_keys[k] : "invalid";
}

enum mhp_step_kind mhp_step_kind_parse(const char *key)
{
	for (size_t k = MHP_STEP_INVALID + 1; k < ARRAY_SIZE(step_keys); k++)
		if (!strcmp(step_keys[k], key))
			return (enum mhp_step_kind)k;
	return MHP_STEP_INVALID;
}

bool mhp_step_kind_has_dimm(enum mhp_step_kind k)
{
	return k != MHP_STEP_INVALID && k != MHP_STEP_CHECK && k != MHP_STEP_CORRUPT && k != MHP_STEP_SYSRQ &&
	       k != MHP_STEP_OFFLINE_BOOT && k < ARRAY_SIZE(step_keys);
}

static const struct {
	const char *word;
	enum mhp_expect e;
	enum mhp_step_kind kind;
} expect_words[] = {
	{ "ok", MHP_EXPECT_OK, MHP_STEP_ONLINE },      { "fail", MHP_EXPECT_FAIL, MHP_STEP_ONLINE },
	{ "ok", MHP_EXPECT_OK, MHP_STEP_OFFLINE },     { "fail", MHP_EXPECT_FAIL, MHP_STEP_OFFLINE },
	{ "removed", MHP_EXPECT_OK, MHP_STEP_UNPLUG }, { "refused", MHP_EXPECT_FAIL, MHP_STEP_UNPLUG },
	{ "any", MHP_EXPECT_ANY, MHP_STEP_ONLINE },    { "any", MHP_EXPECT_ANY, MHP_STEP_OFFLINE },
	{ "any", MHP_EXPECT_ANY, MHP_STEP_UNPLUG },
};

int mhp_expect_parse(enum mhp_step_kind kind, const char *word, enum mhp_expect *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(expect_words); i++)
		if (expect_words[i].kind == kind && !strcmp(expect_words[i].word, word)) {
			*ret = expect_words[i].e;
			return 0;
		}
	return -1;
}

const char *mhp_expect_word(enum mhp_step_kind kind, enum mhp_expect e)
{
	for (size_t i = 0; i < ARRAY_SIZE(expect_words); i++)
		if (expect_words[i].kind == kind && expect_words[i].e == e)
			return expect_words[i].word;
	return NULL;
}

/* memhp_default_state= takes the online types, and "offline". */
bool mhp_default_state_valid(const char *state)
{
	return !strcmp(state, "offline") || mhp_online_type_valid(state);
}

bool mhp_online_policy_valid(const char *policy)
{
	static const char *const policies[] = { "contig-zones", "auto-movable", NULL };

	return mhp_wire_lookup(policies, policy) >= 0;
}

bool mhp_online_type_valid(const char *type)
{
	return mhp_wire_lookup(mhp_wire_online_types, type) >= 0;
}

bool mhp_zone_name_valid(const char *zone)
{
	return mhp_wire_lookup(mhp_wire_zone_names, zone) >= 0;
}

bool mhp_cmdline_word_valid(const char *w)
{
	return *w && !strpbrk(w, " \t\n\"'");
}

unsigned mhp_topo_pickable_blocks(const struct mhp_topology *t, unsigned dimm)
{
	uint64_t n = t->dimms[dimm].size / MHP_BLOCK_SIZE;

	return n < 64 ? (unsigned)n : 64;
}

size_t mhp_kernel_knob_words(const struct mhp_kernel_knobs *k, struct mhp_strv *out)
{
	size_t before = out->n;

	if (k->movable_node)
		mhp_strv_push(out, "movable_node");
	if (k->default_state[0])
		mhp_strv_pushf(out, "memhp_default_state=%s", k->default_state);
	if (k->online_policy[0])
		mhp_strv_pushf(out, "memory_hotplug.online_policy=%s", k->online_policy);
	if (k->auto_movable_ratio)
		mhp_strv_pushf(out, "memory_hotplug.auto_movable_ratio=%u", k->auto_movable_ratio);
	if (k->memmap_on_memory)
		mhp_strv_push(out, "memory_hotplug.memmap_on_memory=1");
	if (k->kernelcore)
		mhp_strv_pushf(out, "kernelcore=%lluM", (unsigned long long)(k->kernelcore >> 20));
	if (k->movablecore)
		mhp_strv_pushf(out, "movablecore=%lluM", (unsigned long long)(k->movablecore >> 20));
	return out->n - before;
}
