#include "acpi/iasl.h"

#include <errno.h>
#include <string.h>

#include "lib/process.h"
#include "lib/util.h"

#define IASL_TIMEOUT_MS 30000
#define IASL_MAX_OUTPUT (256u << 10)

static int run_iasl(char *const argv[], char **ret_log)
{
	char *out = NULL;
	int r = mhp_run_capture(argv, mhp_deadline_in_ms(IASL_TIMEOUT_MS), IASL_MAX_OUTPUT, &out);

	*ret_log = out ? out : mhp_xstrdup("");
	if (r < 0)
		return r;
	/* iasl exits 0, 1 or 255; death by a signal shows as 128 + signo. */
	return r == 0 ? 0 : (r > 128 && r <= 128 + 64) ? -ECHILD : -EINVAL;
}

int mhp_iasl_compile(const char *src, const char *prefix, char **ret_log)
{
	char *argv[] = { "iasl", "-p", (char *)prefix, (char *)src, NULL };

	return run_iasl(argv, ret_log);
}

int mhp_iasl_disassemble(const char *aml, const char *prefix, char **ret_log)
{
	char *argv[] = { "iasl", "-d", "-p", (char *)prefix, (char *)aml, NULL };

	return run_iasl(argv, ret_log);
}

char *mhp_iasl_summary(const char *log)
{
	const char *err = strstr(log, "Error ");
	const char *start = err;

	if (!err)
		return mhp_xstrdup("(no error line in iasl's output)");
	/* iasl prints "file  LINE: text" on the line before "Error NNNN - ...". */
	while (start > log && start[-1] != '\n')
		start--;
	if (start > log) {
		start--;
		while (start > log && start[-1] != '\n')
			start--;
	}
	size_t len = strcspn(err, "\n") + (size_t)(err - start);
	char *s = mhp_xcalloc(len + 1, 1);
	memcpy(s, start, len);
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	mhp_sanitize(s);
	return s;
}
