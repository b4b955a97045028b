#include "guest-init/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "guest-init/halt.h"

void console(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mhp-init: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void fatal(const struct channel *ch, const char *what, int err)
{
	console("fatal: %s: %s", what, strerror(err));
	if (ch->fd >= 0)
		say(ch, "fatal what=%s errno=%d", what, err);
	power_off();
}

void channel_open(struct channel *ch)
{
	struct termios tio;

	ch->fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (ch->fd < 0)
		fatal(ch, "open-ttyS1", errno);
	if (tcgetattr(ch->fd, &tio) < 0)
		fatal(ch, "tcgetattr-ttyS1", errno);
	cfmakeraw(&tio);
	tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (cfsetspeed(&tio, B115200) < 0)
		fatal(ch, "cfsetspeed-ttyS1", errno);
	if (tcsetattr(ch->fd, TCSANOW, &tio) < 0)
		fatal(ch, "tcsetattr-ttyS1", errno);
	/* Blocking from here on: a report must not be cut short. */
	int fl = fcntl(ch->fd, F_GETFL);
	if (fl < 0 || fcntl(ch->fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		fatal(ch, "fcntl-ttyS1", errno);
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			console("channel write failed: %s", strerror(errno));
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

void say(const struct channel *ch, const char *fmt, ...)
{
	char line[MHP_WIRE_MAX_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	write_all(ch->fd, line, (size_t)n);
}

/* One read: raw mode with VMIN=1 returns what is there once poll said
 * readable. */
void channel_serve(struct channel *ch, void (*run)(void *ctx, char *line), void *ctx)
{
	char buf[512], line[MHP_WIRE_MAX_LINE];
	ssize_t n = read(ch->fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0)
		fatal(ch, "channel-read", errno);
	for (size_t off = 0; off < (size_t)n;) {
		const char *got;
		int err;

		off += mhp_line_splitter_feed(&ch->lines, buf + off, (size_t)n - off, &got, &err);
		if (err) {
			say(ch, "error what=line-too-long errno=%d", -err);
		} else if (got) {
			/* A copy: the command tokenises it in place. */
			strcpy(line, got);
			run(ctx, line);
		}
	}
}
