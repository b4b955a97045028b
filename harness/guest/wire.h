/* Host side of the guest channel's wire format (guest-init/wire.h): a line
 * splitter that is fed bytes, and a parser for one line. */
#ifndef MHP_HARNESS_WIRE_H
#define MHP_HARNESS_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "guest-init/wire.h"

/* One parsed line.  Owns a copy of the line; verb/key/val point into it. */
struct mhp_wire_msg {
	char *line;
	const char *verb;
	size_t nfields;
	const char *key[MHP_WIRE_MAX_FIELDS];
	const char *val[MHP_WIRE_MAX_FIELDS];
};
#define MHP_WIRE_MSG_INIT { 0 }

/* Parses text (no newline) into m.  Returns 0, or -EINVAL for an empty line,
 * a field without '=', an empty key, or more than MHP_WIRE_MAX_FIELDS. */
int mhp_wire_msg_parse(struct mhp_wire_msg *m, const char *text);
void mhp_wire_msg_release(struct mhp_wire_msg *m);
/* The value of key, or NULL. */
const char *mhp_wire_get(const struct mhp_wire_msg *m, const char *key);
/* Parses key's value as an unsigned number (decimal or 0x hex). */
int mhp_wire_get_u64(const struct mhp_wire_msg *m, const char *key, unsigned long long *ret);

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
size_t mhp_line_splitter_feed(struct mhp_line_splitter *s, const char *buf, size_t len,
			      const char **ret_line, int *ret_err);

#endif
