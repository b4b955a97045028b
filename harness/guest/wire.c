#include "guest/wire.h"

#include <errno.h>
#include <stdlib.h>
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
