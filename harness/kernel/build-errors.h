/* What a failed kernel build's log says went wrong: the compiler's and
 * the linker's error lines.  With make -jN the other jobs go on after the
 * first error, so the log's last lines are often other objects compiling,
 * "Waiting for unfinished jobs" and make's own "Error 2" lines. */
#ifndef MHP_BUILD_ERRORS_H
#define MHP_BUILD_ERRORS_H

#include <stddef.h>

/* Up to 8 distinct error lines of log text, each with the source
 * excerpt gcc prints under it ("file:line:col: error: ...",
 * "fatal error:", "undefined reference to", modpost's "ERROR:"), in the
 * order they came, one a line, into a new string; NULL when there is none. */
char *mhp_build_errors(const char *log_text);

/* A failed make's message (what, status, log path on its first line, the
 * log's last lines after it) with the log's error lines put in between,
 * where a reader looks first; unchanged when the log names no error. */
void mhp_build_errors_quote(const char *log_path, char *err, size_t errsize);

#endif
