/* The wire's line splitter, for both ends of the channel: guest-init reads
 * commands with it and the harness (harness/guest/wire.h) reads answers.
 * Static inline because the harness compiles no file of guest-init. */
#ifndef MHP_LINES_H
#define MHP_LINES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "guest-init/wire.h"

/* Splits a byte stream into lines of at most MHP_WIRE_MAX_LINE bytes.
 * '\r' is dropped.  An overlong line is discarded up to its newline and
 * reported once as -E2BIG; then splitting resumes at the next line. */
struct mhp_line_splitter {
	char buf[MHP_WIRE_MAX_LINE];
	size_t len;
	bool overflow;
};
#define MHP_LINE_SPLITTER_INIT { { 0 }, 0, false }

/* Consumes up to len bytes.  Stops after the first complete line and returns
 * the bytes used; *ret_line is then the NUL-terminated line (valid until the
 * next call) or NULL when more bytes are needed.  *ret_err is -E2BIG when an
 * overlong line just ended, else 0. */
static inline size_t mhp_line_splitter_feed(struct mhp_line_splitter *s, const char *buf, size_t len,
					    const char **ret_line, int *ret_err)
{
	*ret_line = NULL;
	*ret_err = 0;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		if (c != '\n') {
			if (s->len < sizeof(s->buf) - 1)
				s->buf[s->len++] = c;
			else
				s->overflow = true;
			continue;
		}
		s->buf[s->len] = '\0';
		if (s->overflow)
			*ret_err = -E2BIG;
		else
			*ret_line = s->buf;
		s->len = 0;
		s->overflow = false;
		return i + 1;
	}
	return len;
}

#endif
