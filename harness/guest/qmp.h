/* QMP client on json-c.  The parser is fed bytes and yields one message at a
 * time; the client matches replies to commands by id and queues the events
 * that arrive meanwhile, so an event is never lost while a reply is awaited. */
#ifndef MHP_QMP_H
#define MHP_QMP_H

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/sock.h"

#define MHP_QMP_MAX_MESSAGE (1u << 20)
#define MHP_QMP_MAX_DEPTH 32

/* Error state is 0 so an unset value is never mistaken for a message kind. */
enum mhp_qmp_kind {
	MHP_QMP_INVALID = 0,
	MHP_QMP_GREETING,
	MHP_QMP_EVENT,
	MHP_QMP_RETURN,
	MHP_QMP_ERROR,
};

/* Sorts a message by its key: "QMP", "event", "return" or "error". */
enum mhp_qmp_kind mhp_qmp_classify(json_object *msg);

struct mhp_qmp_parser {
	json_tokener *tok;
	size_t msg_bytes; /* bytes fed into the message being parsed */
	bool skipping;    /* after an error: drop input up to the next newline */
};

int mhp_qmp_parser_init(struct mhp_qmp_parser *p);
void mhp_qmp_parser_release(struct mhp_qmp_parser *p);
/* Consumes bytes and stops after one complete message; returns the bytes
 * used.  Then exactly one of: *ret_msg is a new reference to a JSON object,
 * *ret_err is negative (-EBADMSG syntax or not an object, -EMSGSIZE over
 * MHP_QMP_MAX_MESSAGE, -ELOOP over MHP_QMP_MAX_DEPTH), or neither when all
 * of buf was used and the message is not complete yet.  After an error the
 * parser drops input up to the next newline and resumes there. */
size_t mhp_qmp_parser_feed(struct mhp_qmp_parser *p, const char *buf, size_t len,
			   json_object **ret_msg, int *ret_err);

struct mhp_qmp {
	int fd; /* owned */
	struct mhp_qmp_parser parser;
	struct mhp_rbuf rb;
	json_object *received;      /* the message feed_json just completed */
	json_object **events; /* queued events, oldest first */
	size_t nevents, events_alloc;
	unsigned next_id;
	json_object *greeting;
	struct mhp_transcript *log; /* borrowed, may be NULL */
	char error[512];            /* "Class: desc" of the last error reply */
};

/* Takes ownership of fd (closed by release, even on error). */
int mhp_qmp_init(struct mhp_qmp *q, int fd, struct mhp_transcript *log);
void mhp_qmp_release(struct mhp_qmp *q);

/* Reads the greeting and negotiates capabilities. */
int mhp_qmp_handshake(struct mhp_qmp *q, mhp_deadline_t deadline);

/* Runs a command.  args (may be NULL) is taken over.  On success, and if
 * ret_return is not NULL, it gets a reference to the "return" value.  An
 * error reply gives -EREMOTEIO with q->error set; -EPROTO for a reply with an
 * unknown id or a greeting; -ECONNRESET when QEMU closed the socket. */
int mhp_qmp_execute_ref(struct mhp_qmp *q, mhp_deadline_t deadline, const char *command,
			json_object *args, json_object **ret_return);

/* Hands QEMU a copy of descriptor fd under name (QMP getfd over
 * SCM_RIGHTS), for a later "fd:NAME" URI; fd stays the caller's. */
int mhp_qmp_getfd(struct mhp_qmp *q, mhp_deadline_t deadline, const char *name, int fd);

/* Returns true for the event the caller waits for. */
typedef bool (*mhp_qmp_event_match_fn)(json_object *event, void *ctx);

/* Takes the oldest queued or arriving event that match() accepts (match may
 * be NULL for "any") and hands over the reference.  Other events stay queued
 * in order. */
int mhp_qmp_event_wait_ref(struct mhp_qmp *q, mhp_deadline_t deadline, mhp_qmp_event_match_fn match,
			   void *ctx, json_object **ret_event);

/* qmp-events.c: matchers of memory-device events.  The guest's _OST of
 * source (1 insert, 3 eject) for device id: */
struct mhp_qmp_ost_match {
	const char *id;
	int64_t source;
};
bool mhp_qmp_match_ost(json_object *ev, void *ctx);
/* An _OST of device id that reports a failed eject. */
bool mhp_qmp_match_ost_refusal(json_object *ev, const char *id);
/* DEVICE_DELETED of device ctx, or the refusal of its eject. */
bool mhp_qmp_match_unplug(json_object *ev, void *ctx);
/* MEMORY_DEVICE_SIZE_CHANGE of device ctx. */
bool mhp_qmp_match_size_change(json_object *ev, void *ctx);

/* SHUTDOWN or GUEST_PANICKED: how QEMU's guest ended. */
bool mhp_qmp_match_end(json_object *ev, void *ctx);
/* ", GUEST_PANICKED" or ", SHUTDOWN REASON" (a "guest-reset" is a panic
 * under panic=-1 -no-reboot) of such an event, for an error message. */
void mhp_qmp_end_text(json_object *ev, char *buf, size_t size);

/* The entry of device id in a query-memory-devices list (borrowed), or NULL. */
json_object *mhp_qmp_memory_device_in(json_object *list, const char *id);
/* "7.2.0" of the {"major", "minor", "micro"} at path at inside obj (the
 * greeting's "QMP/version/qemu", query-version's "return/qemu"). */
void mhp_qmp_version_text(json_object *obj, const char *at, char *buf, size_t size);

/* Helpers for matchers. */
const char *mhp_qmp_event_name(json_object *event);
/* The string at a '/'-separated path inside obj ("data/info/device"), or NULL. */
const char *mhp_json_path_string(json_object *obj, const char *path);
/* The integer at path, or def. */
int64_t mhp_json_path_int(json_object *obj, const char *path, int64_t def);

#endif
