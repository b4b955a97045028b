/* The harness's channel, the second serial port (ttyS1) in raw mode: reads
 * commands a line at a time and writes wire lines (guest-init/wire.h).  And
 * the other way out, the kernel console, for what only a human reads. */
#ifndef MHP_GUEST_CHANNEL_H
#define MHP_GUEST_CHANNEL_H

#include "guest-init/lines.h"

struct channel {
	int fd;                          /* -1 until channel_open() */
	struct mhp_line_splitter lines;
};
#define CHANNEL_INIT { -1, MHP_LINE_SPLITTER_INIT }

/* Opens /dev/ttyS1 raw at 115200 baud, then blocking; fatal on failure. */
void channel_open(struct channel *ch);

/* Sends one wire line; the caller gives no trailing newline.  A line over
 * MHP_WIRE_MAX_LINE is cut short. */
void say(const struct channel *ch, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads what the channel holds and calls run(ctx, line) for each complete
 * line; an overlong line is dropped whole and answered with an error. */
void channel_serve(struct channel *ch, void (*run)(void *ctx, char *line), void *ctx);

/* A line on the kernel console (PID 1's stderr), prefixed "mhp-init: ". */
void console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports what failed on the console and, once it is open, the channel, then
 * powers off: PID 1 must never exit. */
__attribute__((noreturn)) void fatal(const struct channel *ch, const char *what, int err);

#endif
