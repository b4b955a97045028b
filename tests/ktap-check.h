/* A strict KTAP version 1 checker for the tests (Documentation/dev-tools/
 * ktap.rst): version line, plan, results numbered 1..N at each level,
 * subtests indented by 4 spaces with their own version line and plan, and
 * "# " diagnostics.  Returns NULL when text is valid, else a static message
 * naming the line. */
#ifndef MHP_KTAP_CHECK_H
#define MHP_KTAP_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ktap_level {
	int plan;     /* -1 until seen */
	int results;
	int versioned;
};

static inline const char *ktap_fail(int line, const char *why)
{
	static char msg[160];

	snprintf(msg, sizeof(msg), "line %d: %s", line, why);
	return msg;
}

/* A result line "ok N name" / "not ok N name[ # SKIP reason]"; N must be next. */
static inline int ktap_result(const char *s, struct ktap_level *lv)
{
	char *end;

	if (!strncmp(s, "not ok ", 7))
		s += 7;
	else if (!strncmp(s, "ok ", 3))
		s += 3;
	else
		return 0;
	long n = strtol(s, &end, 10);
	if (end == s || n != lv->results + 1 || (*end != ' ' && *end))
		return -1;
	const char *hash = strchr(end, '#');
	if (hash && strncmp(hash, "# SKIP", 6) && strncmp(hash, "# TODO", 6))
		return -1;
	lv->results++;
	return 1;
}

static inline const char *ktap_check(const char *text)
{
	struct ktap_level lv[5] = { { -1, 0, 0 } };
	int depth = 0, line = 0;

	for (const char *p = text; *p; line++) {
		size_t len = strcspn(p, "\n");
		char buf[1024];
		int indent = 0;

		if (len >= sizeof(buf))
			return ktap_fail(line + 1, "line too long");
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (p[len] == '\n');
		while (buf[indent] == ' ')
			indent++;
		if (indent % 4 || indent / 4 > 4)
			return ktap_fail(line + 1, "indentation is not a multiple of 4");
		const char *s = buf + indent;
		int level = indent / 4;
		if (!*s)
			continue;
		if (!strcmp(s, "KTAP version 1")) {
			if (level != (line == 0 ? 0 : depth + 1) || (line == 0 && level))
				return ktap_fail(line + 1, "version line at the wrong depth");
			depth = level;
			lv[depth] = (struct ktap_level){ -1, 0, 1 };
			continue;
		}
		if (line == 0)
			return ktap_fail(1, "does not start with 'KTAP version 1'");
		if (!strncmp(s, "# ", 2) || !strcmp(s, "#"))
			continue;
		if (level > depth)
			return ktap_fail(line + 1, "indented line outside a subtest");
		if (level < depth) { /* the parent's result ends the subtest */
			if (lv[depth].plan != lv[depth].results)
				return ktap_fail(line + 1, "subtest ran a different number of tests than its plan");
			depth = level;
		}
		if (!strncmp(s, "1..", 3)) {
			if (lv[depth].plan >= 0 || lv[depth].results)
				return ktap_fail(line + 1, "plan twice or after results");
			lv[depth].plan = atoi(s + 3);
			continue;
		}
		int r = ktap_result(s, &lv[depth]);
		if (r < 0)
			return ktap_fail(line + 1, "result out of order or with a bad directive");
		if (r == 0)
			return ktap_fail(line + 1, "neither version, plan, result nor diagnostic");
		if (lv[depth].plan >= 0 && lv[depth].results > lv[depth].plan)
			return ktap_fail(line + 1, "more results than the plan");
	}
	if (depth != 0)
		return ktap_fail(line, "ends inside a subtest");
	if (lv[0].plan < 0 || lv[0].plan != lv[0].results)
		return ktap_fail(line, "top-level plan and results differ");
	return NULL;
}

#endif
