#include "report/health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"

/* Lines that begin a splat, as the kernel prints them (after "[ time] "). */
static const char *const triggers[] = {
	"Oops", "BUG:", "WARNING:", "KASAN:", "BUG: KASAN", "watchdog: BUG: soft lockup", "INFO: task ",
	"rcu: INFO: rcu_", "BUG: Bad page state", "Kernel panic - not syncing", "kernel BUG at",
	"general protection fault", "Call Trace:",
};
static const char *const enders[] = { "---[ end trace", "---[ end Kernel panic" };
/* How long a sysrq dump's burst may print for, by the console's clock. */
#define SYSRQ_DUMP_S 2.0

/* The message of a console line: after "[    1.234567] " when present. */
static const char *message(const char *line)
{
	if (line[0] == '[') {
		const char *close = strchr(line, ']');
		if (close && close[1] == ' ')
			return close + 2;
	}
	return line;
}

static bool starts_with_any(const char *msg, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(msg, list[i], strlen(list[i])))
			return true;
	return false;
}

/* The serial console ends lines with "\r\n": drop the '\r's. */
static char *dup_clean(const char *p, size_t len)
{
	char *s = strndup(p, len), *w = s;

	if (!s)
		abort();
	for (const char *r = s; *r; r++)
		if (*r != '\r')
			*w++ = *r;
	*w = '\0';
	mhp_sanitize(s);
	return s;
}

static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl ? nl + 1 : p + strlen(p);
}

size_t mhp_health_scan(const char *console, struct mhp_splat *out, size_t max)
{
	size_t n = 0;
	const char *p = console;
	double now = 0, dump_until = -1;

	while (*p && n < max) {
		const char *msg = message(p);

		/* A topology's sysrq t/w/l asks for every task's or CPU's stack,
		 * printed in one burst: those "Call Trace:" lines are what was
		 * asked, not a splat; one later on is. */
		if (p[0] == '[')
			now = strtod(p + 1, NULL);
		if (!strncmp(msg, "sysrq: Show", 11))
			dump_until = now + SYSRQ_DUMP_S;
		if (!starts_with_any(msg, triggers, sizeof(triggers) / sizeof(triggers[0])) ||
		    (now <= dump_until && !strncmp(msg, "Call Trace:", 11))) {
			p = next_line(p);
			continue;
		}
		/* Take lines up to the end marker, the next splat (not its own
		 * "Call Trace:", nor the "Oops:" line a page fault or a BUG()
		 * prints after its header) or the limit. */
		const char *end = next_line(p);
		bool done = starts_with_any(msg, enders, 2);
		for (unsigned lines = 1; *end && !done && lines < MHP_SPLAT_MAX_LINES; lines++) {
			const char *m = message(end);

			if (strncmp(m, "Call Trace:", 11) && strncmp(m, "Oops", 4) &&
			    starts_with_any(m, triggers, sizeof(triggers) / sizeof(triggers[0])))
				break;
			done = starts_with_any(m, enders, 2);
			end = next_line(end);
		}
		out[n].text = dup_clean(p, (size_t)(end - p));
		out[n].first = dup_clean(msg, strcspn(msg, "\n"));
		n++;
		p = end;
	}
	return n;
}

void mhp_splat_release(struct mhp_splat *s)
{
	free(s->text);
	free(s->first);
	s->text = s->first = NULL;
}

void mhp_health_check(struct mhp_result *res, const char *results_dir)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/console.log", results_dir), *console = NULL;
	struct mhp_splat splats[8];
	size_t n;

	/* The console's health belongs to no step. */
	mhp_result_step(res, 0, "kernel health", NULL);
	if (mhp_read_file(path, 64u << 20, &console, NULL) < 0) {
		mhp_result_skip(res, NULL, "console", "no console.log to read");
		return;
	}
	n = mhp_health_scan(console, splats, 8);
	if (n == 0)
		mhp_result_check(res, NULL, "console", "no splat", "no splat");
	for (size_t i = 0; i < n; i++) {
		mhp_result_check(res, NULL, splats[i].first, "no splat", splats[i].text);
		mhp_splat_release(&splats[i]);
	}
}
