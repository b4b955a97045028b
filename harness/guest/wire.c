#include "guest/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

void mhp_wire_msg_release(struct mhp_wire_msg *m)
{
	free(m->line);
	memset(m, 0, sizeof(*m));
}

int mhp_wire_msg_parse(struct mhp_wire_msg *m, const char *text)
{
	char *save = NULL, *tok;

	mhp_wire_msg_release(m);
	m->line = mhp_xstrdup(text);
	m->verb = strtok_r(m->line, " ", &save);
	if (!m->verb)
		goto invalid;
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || m->nfields == MHP_WIRE_MAX_FIELDS)
			goto invalid;
		*eq = '\0';
		m->key[m->nfields] = tok;
		m->val[m->nfields++] = eq + 1;
	}
	return 0;
invalid:
	mhp_wire_msg_release(m);
	return -EINVAL;
}

const char *mhp_wire_get(const struct mhp_wire_msg *m, const char *key)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (!strcmp(m->key[i], key))
			return m->val[i];
	return NULL;
}

int mhp_wire_get_u64(const struct mhp_wire_msg *m, const char *key, unsigned long long *ret)
{
	const char *v = mhp_wire_get(m, key);
	char *end;

	if (!v || !*v || *v == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*ret = x;
	return 0;
}

int mhp_guest_hello_parse(const struct mhp_wire_msg *m, struct mhp_guest_hello *h)
{
	unsigned long long bs = 0, proto = 0, order = 0;
	const char *auto_online = mhp_wire_get(m, "auto_online"), *release = mhp_wire_get(m, "release");
	const char *memmap = mhp_wire_get(m, "memmap_on_memory");

	if (mhp_wire_get_u64(m, "proto", &proto) < 0 || proto != MHP_WIRE_PROTO ||
	    mhp_wire_get_u64(m, "block_size", &bs) < 0 || bs == 0 || !release || !auto_online)
		return -EPROTO;
	h->block_size = bs;
	snprintf(h->release, sizeof(h->release), "%s", release);
	snprintf(h->auto_online, sizeof(h->auto_online), "%s", auto_online);
	h->memmap_on_memory = memmap && strcmp(memmap, "-") && strcmp(memmap, "N") && strcmp(memmap, "0");
	h->pageblock_order = mhp_wire_get_u64(m, "pageblock_order", &order) == 0 && order < 32 ? (unsigned)order : 0;
	const char *modules = mhp_wire_get(m, "modules");
	snprintf(h->modules, sizeof(h->modules), "%s", modules && strcmp(modules, "-") ? modules : "");
	return 0;
}
