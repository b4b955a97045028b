/* One check: its fields, its display name, and how two are compared. */
#include "model/result.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"

static char *dup_or_null(const char *s)
{
	return s ? mhp_xstrdup(s) : NULL;
}

/* "step 3 online dimm0: block 32 zone", "boot: memory blocks", "boot vm0:
 * QEMU plugged size", "zone". */
static char *render(const struct mhp_check *c)
{
	const char *sp = c->subject ? " " : "";
	const char *subject = c->subject ? c->subject : "";

	if (c->step && c->kind)
		return mhp_xasprintf("step %u %s%s%s: %s%s%s", c->step, c->kind, c->device ? " " : "",
				     c->device ? c->device : "", subject, sp, c->aspect);
	if (c->kind) /* "boot vm0: ..." of a device's boot memory */
		return mhp_xasprintf("%s%s%s: %s%s%s", c->kind, c->device ? " " : "", c->device ? c->device : "", subject,
				     sp, c->aspect);
	return mhp_xasprintf("%s%s%s", subject, sp, c->aspect);
}

void mhp_check_copy(struct mhp_check *dst, const struct mhp_check *src)
{
	*dst = (struct mhp_check){
		.step = src->step, .kind = dup_or_null(src->kind), .device = dup_or_null(src->device),
		.subject = dup_or_null(src->subject), .aspect = mhp_xstrdup(src->aspect ? src->aspect : ""),
		.expected = mhp_xstrdup(src->expected ? src->expected : ""),
		.observed = mhp_xstrdup(src->observed ? src->observed : ""), .status = src->status,
		.outcome = src->outcome,
	};
	dst->name = render(dst);
}

void mhp_check_release(struct mhp_check *c)
{
	free(c->name);
	free(c->kind);
	free(c->device);
	free(c->subject);
	free(c->aspect);
	free(c->expected);
	free(c->observed);
	*c = (struct mhp_check){ 0 };
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool mhp_check_same(const struct mhp_check *a, const struct mhp_check *b)
{
	return a->step == b->step && same_str(a->kind, b->kind) && same_str(a->device, b->device) &&
	       same_str(a->subject, b->subject) && same_str(a->aspect, b->aspect);
}

/* One "field=value" of a --check spec against c; -1 for an unknown field. */
static int field_matches(const struct mhp_check *c, const char *field, size_t flen, const char *value)
{
	static const char *const fields[] = { "step", "kind", "device", "subject", "aspect" };
	const char *have[] = { NULL, c->kind, c->device, c->subject, c->aspect };
	char step[16];

	snprintf(step, sizeof(step), "%u", c->step);
	have[0] = step;
	for (size_t i = 0; i < 5; i++)
		if (strlen(fields[i]) == flen && !strncmp(fields[i], field, flen))
			return have[i] && !strcmp(have[i], value);
	return -1;
}

bool mhp_check_matches(const struct mhp_check *c, const char *spec)
{
	_cleanup_free_ char *copy = mhp_xstrdup(spec);
	char *save = NULL;

	if (!strchr(spec, '='))
		return strstr(c->name, spec) != NULL;
	for (char *term = strtok_r(copy, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(term, '=');
		int m = eq ? field_matches(c, term, (size_t)(eq - term), eq + 1) : -1;

		if (m < 0) /* not a field spec after all: a name with '=' in it */
			return strstr(c->name, spec) != NULL;
		if (!m)
			return false;
	}
	return true;
}
