/* The harness end of the guest channel (the guest's ttyS1, a unix socket
 * here): send a command line, receive wire messages under a deadline. */
#ifndef MHP_CHANNEL_H
#define MHP_CHANNEL_H

#include "guest/guest-report.h"
#include "lib/sock.h"
#include "guest/wire.h"

struct mhp_channel {
	int fd;                         /* owned */
	struct mhp_line_splitter split;
	struct mhp_rbuf rb;
	struct mhp_transcript *log;     /* borrowed, may be NULL */
	char error[256];                /* last guest error/fatal line */
};

/* Takes ownership of fd (closed by mhp_channel_release, even on error). */
void mhp_channel_init(struct mhp_channel *ch, int fd, struct mhp_transcript *log);
void mhp_channel_release(struct mhp_channel *ch);

/* Next message before the deadline.  -ETIMEDOUT, -ECONNRESET when the guest
 * side closed (QEMU exited), -EPROTO for a malformed or overlong line. */
int mhp_channel_recv(struct mhp_channel *ch, mhp_deadline_t deadline, struct mhp_wire_msg *ret);
/* Sends one command line (no newline in line). */
int mhp_channel_send(struct mhp_channel *ch, mhp_deadline_t deadline, const char *line);

/* Sends a command and waits for its "ok" (copied to ret_ok if not NULL).
 * An "error" reply gives -EREMOTEIO with the line in ch->error; a "fatal"
 * line gives -EREMOTEIO too. */
int mhp_channel_command(struct mhp_channel *ch, mhp_deadline_t deadline, const char *line,
			struct mhp_wire_msg *ret_ok);
/* Sends "report" and collects the answer into r (released first). */
int mhp_channel_report(struct mhp_channel *ch, mhp_deadline_t deadline, struct mhp_guest_report *r);

#endif
