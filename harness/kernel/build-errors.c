#include "kernel/build-errors.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"

#define MAX_ERRORS 8
#define MAX_LOG (64u << 20)

static bool is_error_line(const char *line, size_t len)
{
	static const char *const marks[] = { ": error: ", ": fatal error: ", "undefined reference to", "ERROR: modpost:" };
	_cleanup_free_ char *s = strndup(line, len);

	if (!s)
		return false;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(s, marks[i]))
			return true;
	return false;
}

/* gcc's source excerpt under a diagnostic: " 1300 | text" and
 * "      | ^~~~": what the error points at is often only there. */
static bool is_excerpt_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == ' ')
		i++;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i < len && line[i] == ' ')
		i++;
	return i > 1 && i < len && line[i - 1] == ' ' && line[i] == '|';
}

static bool already_quoted(const struct mhp_strv *v, const char *line, size_t len)
{
	for (size_t i = 0; i < v->n; i++)
		if (strlen(v->v[i]) == len && memcmp(v->v[i], line, len) == 0)
			return true;
	return false;
}

char *mhp_build_errors(const char *log_text)
{
	struct mhp_strv v = MHP_STRV_INIT;
	size_t size = 1;
	char *out = NULL;

	unsigned errors = 0;
	bool quoting = false;

	for (const char *p = log_text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (is_error_line(p, len))
			quoting = errors < MAX_ERRORS && !already_quoted(&v, p, len) && ++errors;
		else
			quoting = quoting && is_excerpt_line(p, len);
		if (quoting)
			mhp_strv_pushf(&v, "%.*s", (int)len, p);
		p += len + (nl != NULL);
	}
	for (size_t i = 0; i < v.n; i++)
		size += strlen(v.v[i]) + 1;
	if (v.n)
		out = mhp_xcalloc(1, size);
	for (size_t i = 0; i < v.n; i++)
		strcat(strcat(out, v.v[i]), i + 1 < v.n ? "\n" : "");
	mhp_strv_release(&v);
	return out;
}

void mhp_build_errors_quote(const char *log_path, char *err, size_t errsize)
{
	_cleanup_free_ char *text = NULL, *errors = NULL, *old = NULL;
	char *nl = strchr(err, '\n');

	if (!nl || mhp_read_file(log_path, MAX_LOG, &text, NULL) < 0 || !(errors = mhp_build_errors(text)))
		return;
	mhp_sanitize(errors);
	old = mhp_xstrdup(err);
	nl = old + (nl - err);
	*nl = '\0';
	snprintf(err, errsize, "%s\n%s\nlast lines of the log:\n%s", old, errors, nl + 1);
}
