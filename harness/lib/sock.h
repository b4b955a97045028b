/* Unix sockets and descriptor I/O under a deadline. */
#ifndef MHP_SOCK_H
#define MHP_SOCK_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/util.h"

/* Creates a listening, non-blocking, close-on-exec unix socket at path.
 * -ENAMETOOLONG when path does not fit sockaddr_un (108 bytes). */
int mhp_unix_listen(const char *path);
/* Accepts one connection before the deadline; the new fd is non-blocking and
 * close-on-exec.  Returns the fd, -ETIMEDOUT, or -errno. */
int mhp_unix_accept(int listen_fd, mhp_deadline_t deadline);
/* Reads what is available (at most len) once fd becomes readable.
 * Returns bytes read, 0 at end of file, -ETIMEDOUT, or -errno. */
ssize_t mhp_read_deadline(int fd, void *buf, size_t len, mhp_deadline_t deadline);
/* Writes all of buf before the deadline: 0, -ETIMEDOUT, or -errno (-EPIPE
 * when the peer is gone). */
int mhp_write_all_deadline(int fd, const void *buf, size_t len, mhp_deadline_t deadline);

/* The same, with descriptor pass_fd sent along (SCM_RIGHTS) on the unix
 * socket fd: how QMP's getfd receives a file. */
int mhp_send_with_fd(int fd, const void *buf, size_t len, int pass_fd, mhp_deadline_t deadline);

/* A receive buffer and the loop around it, shared by the QMP client and the
 * guest channel: bytes read under a deadline are handed to feed, which
 * consumes what it can (returning how much) and sets *ret_done to 1 when a
 * message is complete or to -errno to stop; what it did not consume stays
 * for the next call. */
struct mhp_rbuf {
	char buf[8192];
	size_t len, off; /* unconsumed bytes buf[off..len) */
};
typedef size_t (*mhp_rbuf_feed_fn)(void *ctx, const char *buf, size_t len, int *ret_done);
/* 0 once feed said done, its -errno, -ETIMEDOUT, or -ECONNRESET at end of
 * file. */
int mhp_rbuf_recv(struct mhp_rbuf *b, int fd, mhp_deadline_t deadline, mhp_rbuf_feed_fn feed, void *ctx);

/* A timestamped transcript file (qmp.log, channel.log). */
struct mhp_transcript {
	FILE *f;
	uint64_t t0_ns;
};
#define MHP_TRANSCRIPT_INIT { NULL, 0 }
int mhp_transcript_open(struct mhp_transcript *t, const char *path, uint64_t t0_ns);
/* Writes "[  12.345] DIR text" (text sanitized, one line) and flushes. */
void mhp_transcript_line(struct mhp_transcript *t, const char *dir, const char *text);
void mhp_transcript_close(struct mhp_transcript *t);

#endif
