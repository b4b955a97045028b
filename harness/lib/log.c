#include "lib/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mhp_log_verbose;

static void vlog(const char *fmt, va_list ap, const char *suffix)
{
	char *msg = NULL;
	int saved = errno;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (msg)
		mhp_sanitize(msg);
	fprintf(stderr, "mhp: %s%s%s\n", msg ? msg : fmt, suffix ? ": " : "", suffix ? suffix : "");
	free(msg);
	errno = saved;
}

int mhp_log_errno(int r, const char *fmt, ...)
{
	va_list ap;

	if (r >= 0)
		r = -EIO;
	va_start(ap, fmt);
	vlog(fmt, ap, strerror(-r));
	va_end(ap);
	return r;
}

int mhp_log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
	return -EINVAL;
}

void mhp_log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
}

void mhp_log_info(const char *fmt, ...)
{
	va_list ap;

	if (!mhp_log_verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
}

int mhp_write_file_logged(const char *path, const void *data, size_t len)
{
	int r = mhp_write_file_atomic(path, data, len);

	return r < 0 ? mhp_log_errno(r, "cannot write '%s'", path) : 0;
}

int mhp_verrf(char *err, size_t errsize, int r, const char *fmt, va_list ap)
{
	vsnprintf(err, errsize, fmt, ap);
	return r < 0 ? r : -EIO;
}
