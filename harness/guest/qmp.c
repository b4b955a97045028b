#include "guest/qmp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"

enum mhp_qmp_kind mhp_qmp_classify(json_object *msg)
{
	if (!json_object_is_type(msg, json_type_object))
		return MHP_QMP_INVALID;
	if (json_object_object_get_ex(msg, "QMP", NULL))
		return MHP_QMP_GREETING;
	if (json_object_object_get_ex(msg, "event", NULL))
		return MHP_QMP_EVENT;
	if (json_object_object_get_ex(msg, "return", NULL))
		return MHP_QMP_RETURN;
	if (json_object_object_get_ex(msg, "error", NULL))
		return MHP_QMP_ERROR;
	return MHP_QMP_INVALID;
}

/* ------------------------------------------------------------ parser */

int mhp_qmp_parser_init(struct mhp_qmp_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->tok = json_tokener_new_ex(MHP_QMP_MAX_DEPTH);
	return p->tok ? 0 : -ENOMEM;
}

void mhp_qmp_parser_release(struct mhp_qmp_parser *p)
{
	if (p->tok)
		json_tokener_free(p->tok);
	memset(p, 0, sizeof(*p));
}

static size_t skip_to_newline(struct mhp_qmp_parser *p, const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);

	if (!nl)
		return len;
	p->skipping = false;
	return (size_t)(nl - buf) + 1;
}

static size_t parser_fail(struct mhp_qmp_parser *p, size_t used, int err, int *ret_err)
{
	json_tokener_reset(p->tok);
	p->msg_bytes = 0;
	p->skipping = true;
	*ret_err = err;
	return used;
}

size_t mhp_qmp_parser_feed(struct mhp_qmp_parser *p, const char *buf, size_t len,
			   json_object **ret_msg, int *ret_err)
{
	size_t used = 0;

	*ret_msg = NULL;
	*ret_err = 0;
	if (p->skipping) {
		used = skip_to_newline(p, buf, len);
		if (p->skipping)
			return used;
		buf += used;
		len -= used;
	}
	/* Whitespace between messages is not part of any message. */
	while (p->msg_bytes == 0 && len && strchr(" \t\r\n", *buf)) {
		buf++;
		len--;
		used++;
	}
	if (len == 0)
		return used;
	/* Never hand json-c more than the message size limit allows. */
	size_t chunk = len;
	if (p->msg_bytes + chunk > MHP_QMP_MAX_MESSAGE)
		chunk = MHP_QMP_MAX_MESSAGE - p->msg_bytes + 1;
	json_object *obj = json_tokener_parse_ex(p->tok, buf, (int)chunk);
	enum json_tokener_error jerr = json_tokener_get_error(p->tok);
	size_t end = json_tokener_get_parse_end(p->tok);

	if (jerr == json_tokener_continue) {
		p->msg_bytes += chunk;
		if (p->msg_bytes > MHP_QMP_MAX_MESSAGE)
			return parser_fail(p, used + chunk, -EMSGSIZE, ret_err);
		return used + chunk;
	}
	if (jerr != json_tokener_success)
		return parser_fail(p, used + end, jerr == json_tokener_error_depth ? -ELOOP : -EBADMSG,
				   ret_err);
	p->msg_bytes = 0;
	json_tokener_reset(p->tok);
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		*ret_err = -EBADMSG; /* a complete value, so no resync is needed */
		return used + end;
	}
	*ret_msg = obj;
	return used + end;
}

/* ------------------------------------------------------------ client */

int mhp_qmp_init(struct mhp_qmp *q, int fd, struct mhp_transcript *log)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->log = log;
	q->next_id = 1;
	return mhp_qmp_parser_init(&q->parser);
}

void mhp_qmp_release(struct mhp_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	mhp_qmp_parser_release(&q->parser);
	for (size_t i = 0; i < q->nevents; i++)
		json_object_put(q->events[i]);
	free(q->events);
	q->events = NULL;
	q->nevents = q->events_alloc = 0;
	json_object_put(q->greeting);
	q->greeting = NULL;
}

static void log_json(struct mhp_qmp *q, const char *dir, json_object *obj)
{
	mhp_transcript_line(q->log, dir, json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
}

/* Messages out of the bytes.  Malformed input is logged and skipped: QEMU
 * does not send it, and one bad line must not end the session. */
static size_t feed_json(void *p, const char *buf, size_t len, int *ret_done)
{
	struct mhp_qmp *q = p;
	json_object *msg = NULL;
	int err;
	size_t used = mhp_qmp_parser_feed(&q->parser, buf, len, &msg, &err);

	if (err) {
		char note[64];
		snprintf(note, sizeof(note), "(malformed message dropped: %s)", strerror(-err));
		mhp_transcript_line(q->log, "<", note);
	} else if (msg) {
		log_json(q, "<", msg);
		q->received = msg;
		*ret_done = 1;
	}
	return used;
}

/* Next message from QEMU. */
static int qmp_recv_ref(struct mhp_qmp *q, mhp_deadline_t deadline, json_object **ret)
{
	int r = mhp_rbuf_recv(&q->rb, q->fd, deadline, feed_json, q);

	if (r == 0)
		*ret = q->received;
	q->received = NULL;
	return r;
}

static void queue_event(struct mhp_qmp *q, json_object *ev)
{
	if (q->nevents == q->events_alloc) {
		size_t alloc = q->events_alloc ? 2 * q->events_alloc : 16;
		json_object **v = realloc(q->events, alloc * sizeof(*v));

		if (!v)
			abort();
		q->events = v;
		q->events_alloc = alloc;
	}
	q->events[q->nevents++] = ev;
}

static int send_json(struct mhp_qmp *q, json_object *obj, int pass_fd, mhp_deadline_t deadline)
{
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	_cleanup_free_ char *line = mhp_xasprintf("%s\n", s);

	log_json(q, ">", obj);
	if (pass_fd >= 0)
		return mhp_send_with_fd(q->fd, line, strlen(line), pass_fd, deadline);
	return mhp_write_all_deadline(q->fd, line, strlen(line), deadline);
}

static void remember_error(struct mhp_qmp *q, json_object *reply)
{
	const char *cls = mhp_json_path_string(reply, "error/class");
	const char *desc = mhp_json_path_string(reply, "error/desc");

	snprintf(q->error, sizeof(q->error), "%s: %s", cls ? cls : "?", desc ? desc : "?");
	mhp_sanitize(q->error);
}

/* Whether reply id got is of a command sent before id ("mhp-N"): its
 * caller stopped waiting (a deadline), and the reply came after all. */
static bool is_late(const char *got, const char *id)
{
	unsigned long a, b;
	char *end;

	if (!got || strncmp(got, "mhp-", 4))
		return false;
	a = strtoul(got + 4, &end, 10);
	if (*end || end == got + 4)
		return false;
	b = strtoul(id + 4, NULL, 10);
	return a < b;
}

/* Waits for the reply to id, queueing events that come first. */
static int await_reply(struct mhp_qmp *q, mhp_deadline_t deadline, const char *id, json_object **ret_return)
{
	for (;;) {
		json_object *msg = NULL;
		int r = qmp_recv_ref(q, deadline, &msg);

		if (r < 0)
			return r;
		enum mhp_qmp_kind kind = mhp_qmp_classify(msg);
		if (kind == MHP_QMP_EVENT) {
			queue_event(q, msg);
			continue;
		}
		const char *got = mhp_json_path_string(msg, "id");
		if (is_late(got, id)) { /* to a command whose wait ran out: dropped */
			json_object_put(msg);
			continue;
		}
		if ((kind != MHP_QMP_RETURN && kind != MHP_QMP_ERROR) || !got || strcmp(got, id)) {
			json_object_put(msg);
			return -EPROTO;
		}
		if (kind == MHP_QMP_ERROR) {
			remember_error(q, msg);
			r = -EREMOTEIO;
		} else if (ret_return) {
			json_object *val = NULL;
			json_object_object_get_ex(msg, "return", &val);
			*ret_return = json_object_get(val);
		}
		json_object_put(msg);
		return r;
	}
}

static int execute(struct mhp_qmp *q, mhp_deadline_t deadline, const char *command, json_object *args,
		   int pass_fd, json_object **ret_return)
{
	json_object *cmd = json_object_new_object();
	char id[32];
	int r;

	snprintf(id, sizeof(id), "mhp-%u", q->next_id++);
	json_object_object_add(cmd, "execute", json_object_new_string(command));
	if (args)
		json_object_object_add(cmd, "arguments", args);
	json_object_object_add(cmd, "id", json_object_new_string(id));
	r = send_json(q, cmd, pass_fd, deadline);
	json_object_put(cmd);
	if (r < 0)
		return r == -EPIPE ? -ECONNRESET : r;
	return await_reply(q, deadline, id, ret_return);
}

int mhp_qmp_execute_ref(struct mhp_qmp *q, mhp_deadline_t deadline, const char *command,
			json_object *args, json_object **ret_return)
{
	return execute(q, deadline, command, args, -1, ret_return);
}

int mhp_qmp_getfd(struct mhp_qmp *q, mhp_deadline_t deadline, const char *name, int fd)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "fdname", json_object_new_string(name));
	return execute(q, deadline, "getfd", args, fd, NULL);
}

int mhp_qmp_handshake(struct mhp_qmp *q, mhp_deadline_t deadline)
{
	json_object *msg = NULL;
	int r = qmp_recv_ref(q, deadline, &msg);

	if (r < 0)
		return r;
	if (mhp_qmp_classify(msg) != MHP_QMP_GREETING) {
		json_object_put(msg);
		return -EPROTO;
	}
	q->greeting = msg;
	return mhp_qmp_execute_ref(q, deadline, "qmp_capabilities", NULL, NULL);
}

static json_object *take_queued(struct mhp_qmp *q, mhp_qmp_event_match_fn match, void *ctx)
{
	for (size_t i = 0; i < q->nevents; i++) {
		json_object *ev = q->events[i];

		if (match && !match(ev, ctx))
			continue;
		memmove(q->events + i, q->events + i + 1, (q->nevents - i - 1) * sizeof(*q->events));
		q->nevents--;
		return ev;
	}
	return NULL;
}

int mhp_qmp_event_wait_ref(struct mhp_qmp *q, mhp_deadline_t deadline, mhp_qmp_event_match_fn match,
			   void *ctx, json_object **ret_event)
{
	json_object *ev = take_queued(q, match, ctx);

	while (!ev) {
		json_object *msg = NULL;
		int r = qmp_recv_ref(q, deadline, &msg);

		if (r < 0)
			return r;
		if (mhp_qmp_classify(msg) != MHP_QMP_EVENT) {
			json_object_put(msg);
			return -EPROTO;
		}
		if (!match || match(msg, ctx))
			ev = msg;
		else
			queue_event(q, msg);
	}
	*ret_event = ev;
	return 0;
}

const char *mhp_qmp_event_name(json_object *event)
{
	return mhp_json_path_string(event, "event");
}

static json_object *json_path(json_object *obj, const char *path)
{
	char key[128];

	while (obj && *path) {
		size_t n = strcspn(path, "/");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(obj, key, &obj))
			return NULL;
		path += n + (path[n] == '/');
	}
	return obj;
}

const char *mhp_json_path_string(json_object *obj, const char *path)
{
	json_object *v = json_path(obj, path);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t mhp_json_path_int(json_object *obj, const char *path, int64_t def)
{
	json_object *v = json_path(obj, path);

	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : def;
}
