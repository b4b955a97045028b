/* Signatures of failed runs (fuzz/signature.h): the splat first, since a
 * kernel that oopsed fails checks after it for that reason; then the first
 * failed check; then the error that stopped the run. */
#include "fuzz/signature.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/splat-title.h"
#include "model/topology.h"

const char *mhp_sig_kind_name(enum mhp_sig_kind k)
{
	static const char *const names[] = { "none", "splat", "oracle", "harness", "infrastructure" };

	return k <= MHP_SIG_INFRA ? names[k] : "?";
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Whether s[0..n) is a number: digits, or 0x and hex digits. */
static bool is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		for (i = 2; i < n && isxdigit((unsigned char)s[i]); i++)
			;
	else
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			;
	return n && i == n;
}

/* Numbers below keep_below stay (node ids in a value); hex always goes. */
static void normalise(char *s, unsigned long keep_below)
{
	char *out = s;

	for (const char *p = s; *p;) {
		size_t n = 0;

		if (!word_char(*p)) {
			*out++ = *p++;
			continue;
		}
		while (word_char(p[n]))
			n++;
		if (is_number(p, n) && (p[1] == 'x' || p[1] == 'X' || strtoul(p, NULL, 10) >= keep_below)) {
			*out++ = 'N';
		} else {
			memmove(out, p, n);
			out += n;
		}
		p += n;
	}
	*out = '\0';
}

void mhp_sig_normalise(char *s)
{
	normalise(s, 0);
}

static const struct mhp_check *first_failed(const struct mhp_result *res, bool splats)
{
	for (size_t i = 0; i < res->nchecks; i++) {
		const struct mhp_check *c = &res->checks[i];
		bool splat = c->kind && !strcmp(c->kind, "kernel health");

		if (c->status == MHP_STATUS_FAIL && splat == splats)
			return c;
	}
	return NULL;
}

/* Whether a and b list the same zones ("Normal,Movable", "Movable,Normal"). */
static bool same_zones_reordered(const char *a, const char *b)
{
	char x[64];

	if (strlen(a) != strlen(b) || strlen(b) > 48 || !strcmp(a, b) || !strchr(a, ','))
		return false;
	snprintf(x, sizeof(x), ",%.48s,", b);
	for (const char *p = a; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		char word[24];

		snprintf(word, sizeof(word), ",%.*s,", (int)strcspn(p, ","), p);
		if (!strstr(x, word))
			return false;
	}
	return true;
}

/* What is wrong, not where it was seen: a block's zone or a zone's span is
 * wrong after a plug as after an online, so the step's kind stays only where
 * it is the subject (an outcome, a step's own facts: "unplug: firmware
 * memmap entry ..."); the subject loses its number ("block N"). */
static void oracle_signature(const struct mhp_check *c, char *buf, size_t size)
{
	char subject[48], expected[48], observed[48], values[128];
	bool step_fact = !c->subject || (c->aspect && !strcmp(c->aspect, "outcome"));

	/* "%.40s": values are cut, never the compiler's worry about it. */
	snprintf(subject, sizeof(subject), "%.40s%s", c->subject ? c->subject : "", c->subject ? " " : "");
	snprintf(expected, sizeof(expected), "%s", c->expected ? c->expected : "");
	snprintf(observed, sizeof(observed), "%s", c->observed ? c->observed : "");
	mhp_sig_normalise(subject);
	/* Sizes, counts, block ids and addresses go; the node ids of a check
	 * about nodes ("node", "node and zone") stay: they are the finding. */
	unsigned long keep = c->aspect && !strncmp(c->aspect, "node", 4) ? MHP_MAX_NODES : 0;
	normalise(expected, keep);
	normalise(observed, keep);
	if (same_zones_reordered(expected, observed))
		snprintf(values, sizeof(values), "lists the same zones in another order");
	else
		snprintf(values, sizeof(values), "expected %s observed %s", expected, observed);
	/* A long one is cut at size: still the same cut for every occurrence. */
	if (snprintf(buf, size, "%s%s%s%s %s", step_fact && c->kind ? c->kind : "", step_fact && c->kind ? ": " : "",
		     subject, c->aspect ? c->aspect : "", values) >= (int)size)
		buf[size - 1] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Errors of the setup phase (tables, iasl, files) are mhp's, as is a worker
 * that left no result behind. */
static bool infrastructure(const struct mhp_result *res)
{
	const char *phase = res->phase ? res->phase : "";

	return !strcmp(phase, "setup") || !strcmp(phase, "dsdt capture") || !strcmp(phase, "worker") ||
	       (res->error && strstr(res->error, "No space left on device"));
}

enum mhp_sig_kind mhp_signature(const struct mhp_result *res, char *buf, size_t size)
{
	const struct mhp_check *c;

	if (size > MHP_SIG_MAX)
		size = MHP_SIG_MAX;
	buf[0] = '\0';
	if ((c = first_failed(res, true))) {
		mhp_splat_title(c->observed ? c->observed : c->aspect, buf, size);
		return MHP_SIG_SPLAT;
	}
	if (res->error && infrastructure(res)) {
		snprintf(buf, size, "%s: %s", res->phase ? res->phase : "run", res->error);
		return MHP_SIG_INFRA;
	}
	if ((c = first_failed(res, false))) {
		oracle_signature(c, buf, size);
		return MHP_SIG_ORACLE;
	}
	if (res->error || res->interrupted) {
		snprintf(buf, size, "%s: %s", res->phase ? res->phase : "run",
			 res->error ? res->error : "interrupted");
		buf[strcspn(buf, "\n")] = '\0';
		mhp_sig_normalise(buf);
		return MHP_SIG_HARNESS;
	}
	return MHP_SIG_NONE;
}
