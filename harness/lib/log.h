/* Logging for the deciding caller.  Modules return -errno and never print;
 * the caller that decides logs once: return mhp_log_errno(r, "...");  */
#ifndef MHP_LOG_H
#define MHP_LOG_H

#include "lib/util.h"

#include <stdarg.h>

/* Prints "mhp: MSG: strerror(-r)" to stderr and returns r (negative).
 * r == 0 is taken as -EIO so the result is always an error. */
int mhp_log_errno(int r, const char *fmt, ...) MHP_FORMAT(2, 3);
/* Prints "mhp: MSG" to stderr and returns -EINVAL. */
int mhp_log_error(const char *fmt, ...) MHP_FORMAT(1, 2);
/* A line on stderr that is no error but always worth saying. */
void mhp_log_notice(const char *fmt, ...) MHP_FORMAT(1, 2);
/* Informational line on stderr, shown only with mhp_log_verbose. */
void mhp_log_info(const char *fmt, ...) MHP_FORMAT(1, 2);
extern int mhp_log_verbose;

/* mhp_write_file_atomic(), and when it fails "mhp: cannot write 'PATH':
 * strerror" by the error it returned (not errno, which other calls may
 * have changed since).  For a caller that decides; returns 0 or the error. */
int mhp_write_file_logged(const char *path, const void *data, size_t len);
/* fmt and ap into err (errsize bytes); returns r when it is a -errno,
 * else -EIO: the "say why into the caller's buffer" of failf() helpers. */
int mhp_verrf(char *err, size_t errsize, int r, const char *fmt, va_list ap);

#endif
