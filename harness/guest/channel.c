#include "guest/channel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void mhp_channel_init(struct mhp_channel *ch, int fd, struct mhp_transcript *log)
{
	memset(ch, 0, sizeof(*ch));
	ch->fd = fd;
	ch->log = log;
}

void mhp_channel_release(struct mhp_channel *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
}

struct recv_ctx {
	struct mhp_channel *ch;
	struct mhp_wire_msg *ret;
};

/* Lines out of the bytes; the first non-empty one is the message. */
static size_t feed_lines(void *p, const char *buf, size_t len, int *ret_done)
{
	struct recv_ctx *c = p;
	const char *line;
	int err;
	size_t used = mhp_line_splitter_feed(&c->ch->split, buf, len, &line, &err);

	if (err) {
		mhp_transcript_line(c->ch->log, "<", "(line over the length limit dropped)");
		*ret_done = -EPROTO;
	} else if (line) {
		mhp_transcript_line(c->ch->log, "<", line);
		if (*line)
			*ret_done = mhp_wire_msg_parse(c->ret, line) < 0 ? -EPROTO : 1;
	}
	return used;
}

int mhp_channel_recv(struct mhp_channel *ch, mhp_deadline_t deadline, struct mhp_wire_msg *ret)
{
	struct recv_ctx c = { ch, ret };

	return mhp_rbuf_recv(&ch->rb, ch->fd, deadline, feed_lines, &c);
}

int mhp_channel_send(struct mhp_channel *ch, mhp_deadline_t deadline, const char *line)
{
	char buf[MHP_WIRE_MAX_LINE];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (n < 0 || (size_t)n >= sizeof(buf) || strchr(line, '\n'))
		return -EINVAL;
	mhp_transcript_line(ch->log, ">", line);
	return mhp_write_all_deadline(ch->fd, buf, (size_t)n, deadline);
}

/* Remembers an error or fatal line for the caller's message. */
static int remote_error(struct mhp_channel *ch, const struct mhp_wire_msg *m)
{
	size_t off = (size_t)snprintf(ch->error, sizeof(ch->error), "%s", m->verb);

	for (size_t i = 0; i < m->nfields && off < sizeof(ch->error); i++)
		off += (size_t)snprintf(ch->error + off, sizeof(ch->error) - off, " %s=%s",
					m->key[i], m->val[i]);
	return -EREMOTEIO;
}

int mhp_channel_command(struct mhp_channel *ch, mhp_deadline_t deadline, const char *line,
			struct mhp_wire_msg *ret_ok)
{
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	int r = mhp_channel_send(ch, deadline, line);

	while (r == 0) {
		r = mhp_channel_recv(ch, deadline, &m);
		if (r < 0)
			break;
		if (!strcmp(m.verb, "ok")) {
			if (ret_ok) {
				mhp_wire_msg_release(ret_ok);
				*ret_ok = m;
				return 0;
			}
			break;
		}
		if (!strcmp(m.verb, "error") || !strcmp(m.verb, "fatal"))
			r = remote_error(ch, &m);
		else
			r = -EPROTO;
	}
	mhp_wire_msg_release(&m);
	return r;
}

int mhp_channel_report(struct mhp_channel *ch, mhp_deadline_t deadline, struct mhp_guest_report *r)
{
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	int ret;

	mhp_guest_report_release(r);
	ret = mhp_channel_send(ch, deadline, "report");
	while (ret == 0) {
		ret = mhp_channel_recv(ch, deadline, &m);
		if (ret < 0)
			break;
		if (!strcmp(m.verb, "fatal") || !strcmp(m.verb, "error"))
			ret = remote_error(ch, &m);
		else if ((ret = mhp_guest_report_add(r, &m)) == 1) {
			ret = 0;
			break;
		} else if (ret < 0)
			ret = -EPROTO;
	}
	mhp_wire_msg_release(&m);
	return ret;
}
