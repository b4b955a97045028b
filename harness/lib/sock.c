#include "lib/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"

int mhp_unix_listen(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)
		return -errno;
	return TAKE_FD(fd);
}

static int wait_fd(int fd, short events, mhp_deadline_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int r = mhp_poll_interruptible(&pfd, 1, deadline);

	return r < 0 ? r : r == 0 ? -ETIMEDOUT : 0;
}

int mhp_unix_accept(int listen_fd, mhp_deadline_t deadline)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0)
			return fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int r = wait_fd(listen_fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}

ssize_t mhp_read_deadline(int fd, void *buf, size_t len, mhp_deadline_t deadline)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);

		if (n >= 0)
			return n;
		if (errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}

int mhp_write_all_deadline(int fd, const void *buf, size_t len, mhp_deadline_t deadline)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n >= 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

int mhp_send_with_fd(int fd, const void *buf, size_t len, int pass_fd, mhp_deadline_t deadline)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	/* The descriptor rides with the first byte that goes out; the rest is
	 * plain data. */
	for (;;) {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n > 0)
			break;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return n == 0 ? -EIO : -errno;
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return mhp_write_all_deadline(fd, (const char *)buf + n, len - (size_t)n, deadline);
}

int mhp_transcript_open(struct mhp_transcript *t, const char *path, uint64_t t0_ns)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	t->f = fdopen(fd, "w");
	if (!t->f) {
		int e = errno;
		close(fd);
		return -e;
	}
	t->t0_ns = t0_ns;
	return 0;
}

void mhp_transcript_line(struct mhp_transcript *t, const char *dir, const char *text)
{
	if (!t || !t->f)
		return;
	uint64_t dt = mhp_now_ns() - t->t0_ns;
	_cleanup_free_ char *copy = mhp_xstrdup(text);
	size_t n = strlen(copy);

	while (n && (copy[n - 1] == '\n' || copy[n - 1] == '\r'))
		copy[--n] = '\0';
	for (char *p = copy; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	mhp_sanitize(copy);
	fprintf(t->f, "[%4llu.%03llu] %s %s\n", (unsigned long long)(dt / 1000000000ull),
		(unsigned long long)(dt / 1000000ull % 1000), dir, copy);
	fflush(t->f);
}

void mhp_transcript_close(struct mhp_transcript *t)
{
	if (t->f)
		fclose(t->f);
	t->f = NULL;
}

int mhp_rbuf_recv(struct mhp_rbuf *b, int fd, mhp_deadline_t deadline, mhp_rbuf_feed_fn feed, void *ctx)
{
	for (;;) {
		while (b->off < b->len) {
			int done = 0;

			b->off += feed(ctx, b->buf + b->off, b->len - b->off, &done);
			if (done)
				return done < 0 ? done : 0;
		}
		ssize_t n = mhp_read_deadline(fd, b->buf, sizeof(b->buf), deadline);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ECONNRESET;
		b->off = 0;
		b->len = (size_t)n;
	}
}
