#include "guest/libvirt-events.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt-qemu.h>
#include <pthread.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/log.h"
#include "lib/util.h"

static pthread_once_t loop_once = PTHREAD_ONCE_INIT;
static int loop_error;

static void *run_loop(void *arg)
{
	(void)arg;
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			mhp_log_error("libvirt's event loop: %s", virGetLastErrorMessage());
	return NULL;
}

/* libvirt's errors come back through virGetLastError: not printed. */
static void quiet(void *ctx, virErrorPtr err)
{
	(void)ctx, (void)err;
}

static void start_loop(void)
{
	pthread_t t;
	sigset_t all, old;
	int r;

	virSetErrorFunc(NULL, quiet);
	if (virEventRegisterDefaultImpl() < 0) {
		loop_error = -EIO;
		return;
	}
	/* SIGINT and SIGTERM stay the main thread's: its waits end on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&t, NULL, run_loop, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0 || (r = pthread_detach(t)) != 0)
		loop_error = -r;
}

int mhp_lv_loop_start(const char *log_dir)
{
	/* libvirt logs its warnings to stderr, where KTAP goes: into a file.
	 * Read once, at libvirt's initialisation (here, in this worker). */
	if (!getenv("LIBVIRT_LOG_OUTPUTS")) {
		char *abs = realpath(log_dir, NULL), *outputs = mhp_xasprintf("3:file:%s/libvirt-driver.log",
									     abs ? abs : log_dir);
		setenv("LIBVIRT_LOG_OUTPUTS", outputs, 0);
		free(abs), free(outputs);
	}
	pthread_once(&loop_once, start_loop);
	return loop_error;
}

#define NCALLBACKS 5

struct mhp_lv_events {
	pthread_mutex_t lock;
	unsigned refs;              /* the owner's and one per registered callback */
	bool closed;                /* released: callbacks drop what comes */
	bool following;             /* uuid is set */
	unsigned char uuid[VIR_UUID_BUFLEN];
	json_object **queue;        /* oldest first */
	size_t n, alloc;
	int wake[2];                /* a byte per event queued */
	struct mhp_transcript *log; /* borrowed until release */
	int callbacks[NCALLBACKS];  /* libvirt's ids, -1 when not registered */
	virConnectPtr conn;         /* borrowed while registered */
};

struct mhp_lv_events *mhp_lv_events_new(struct mhp_transcript *log)
{
	struct mhp_lv_events *e = mhp_xcalloc(1, sizeof(*e));

	if (pipe2(e->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		int err = errno;
		free(e);
		errno = err;
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	e->refs = 1;
	e->log = log;
	for (int i = 0; i < NCALLBACKS; i++)
		e->callbacks[i] = -1;
	return e;
}

static void unref(void *opaque)
{
	struct mhp_lv_events *e = opaque;

	pthread_mutex_lock(&e->lock);
	unsigned left = --e->refs;
	pthread_mutex_unlock(&e->lock);
	if (left)
		return;
	close(e->wake[0]);
	close(e->wake[1]);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void mhp_lv_events_follow(struct mhp_lv_events *e, const unsigned char uuid[VIR_UUID_BUFLEN])
{
	pthread_mutex_lock(&e->lock);
	memcpy(e->uuid, uuid, VIR_UUID_BUFLEN);
	e->following = true;
	pthread_mutex_unlock(&e->lock);
}

/* Called on the loop's thread: queues an event of the followed domain
 * (data taken over). */
static void push(struct mhp_lv_events *e, virDomainPtr dom, const char *name, json_object *data)
{
	unsigned char uuid[VIR_UUID_BUFLEN];
	json_object *ev = json_object_new_object();
	bool known = dom && virDomainGetUUID(dom, uuid) == 0;

	json_object_object_add(ev, "event", json_object_new_string(name));
	json_object_object_add(ev, "data", data ? data : json_object_new_object());
	pthread_mutex_lock(&e->lock);
	if (e->closed || !e->following || !known || memcmp(uuid, e->uuid, VIR_UUID_BUFLEN)) {
		pthread_mutex_unlock(&e->lock);
		json_object_put(ev);
		return;
	}
	mhp_transcript_line(e->log, "<", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
	MHP_ARRAY_PUSH(e->queue, e->n, e->alloc) = ev;
	/* A full pipe already says there is something to read. */
	if (write(e->wake[1], "e", 1) < 0 && errno != EAGAIN)
		mhp_log_errno(-errno, "cannot wake the libvirt backend's waiter");
	pthread_mutex_unlock(&e->lock);
}

static void on_monitor(virConnectPtr conn, virDomainPtr dom, const char *event, long long seconds,
		       unsigned int micros, const char *details, void *opaque)
{
	(void)conn, (void)seconds, (void)micros;
	/* Before libvirt took the new size into its XML: libvirt's own
	 * event (on_size_change) is the one to wait for. */
	bool early = !strcmp(event, "MEMORY_DEVICE_SIZE_CHANGE");

	push(opaque, dom, early ? "qemu MEMORY_DEVICE_SIZE_CHANGE" : event, details ? json_tokener_parse(details) : NULL);
}

static json_object *alias_data(const char *key, const char *alias)
{
	json_object *data = json_object_new_object();

	json_object_object_add(data, key, json_object_new_string(alias ? alias : ""));
	return data;
}

static void on_removed(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)conn;
	push(opaque, dom, "libvirt DEVICE_REMOVED", alias_data("device", alias));
}

static void on_removal_failed(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)conn;
	push(opaque, dom, "libvirt DEVICE_REMOVAL_FAILED", alias_data("device", alias));
}

static void on_size_change(virConnectPtr conn, virDomainPtr dom, const char *alias, unsigned long long size,
			   void *opaque)
{
	json_object *data = alias_data("id", alias);

	(void)conn;
	json_object_object_add(data, "size", json_object_new_uint64(size << 10));
	push(opaque, dom, "MEMORY_DEVICE_SIZE_CHANGE", data);
}

static const char *lifecycle_name(int event)
{
	static const char *const names[] = { "defined", "undefined", "started", "suspended", "resumed",
					     "stopped", "shutdown", "pmsuspended", "crashed" };

	return event >= 0 && (size_t)event < sizeof(names) / sizeof(names[0]) ? names[event] : "?";
}

static const char *stopped_detail(int detail)
{
	static const char *const names[] = { "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
					     "from-snapshot" };

	return detail >= 0 && (size_t)detail < sizeof(names) / sizeof(names[0]) ? names[detail] : "?";
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	json_object *data = json_object_new_object();

	(void)conn;
	json_object_object_add(data, "event", json_object_new_string(lifecycle_name(event)));
	if (event == VIR_DOMAIN_EVENT_STOPPED)
		json_object_object_add(data, "detail", json_object_new_string(stopped_detail(detail)));
	else
		json_object_object_add(data, "detail", json_object_new_int(detail));
	push(opaque, dom, "libvirt LIFECYCLE", data);
	return 0;
}

/* One more reference for a callback libvirt now holds. */
static int held(struct mhp_lv_events *e, int id)
{
	if (id >= 0) {
		pthread_mutex_lock(&e->lock);
		e->refs++;
		pthread_mutex_unlock(&e->lock);
	}
	return id;
}

int mhp_lv_events_register(struct mhp_lv_events *e, virConnectPtr conn)
{
	static const int ids[] = { VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
				   VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE };
	const virConnectDomainEventGenericCallback cbs[] = {
		VIR_DOMAIN_EVENT_CALLBACK(on_removed), VIR_DOMAIN_EVENT_CALLBACK(on_removal_failed),
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), VIR_DOMAIN_EVENT_CALLBACK(on_size_change),
	};

	e->conn = conn;
	/* Counted once registered: libvirt calls unref only when it lets a
	 * registered callback go (deregistered, or its connection closed). */
	/* On the first failure, at once: libvirt's next call would clear its
	 * error; those registered are deregistered by release. */
	if ((e->callbacks[0] = held(e, virConnectDomainQemuMonitorEventRegister(conn, NULL, NULL, on_monitor, e, unref,
										 0))) < 0)
		return -EIO;
	for (int i = 0; i < 4; i++)
		if ((e->callbacks[i + 1] = held(e, virConnectDomainEventRegisterAny(conn, NULL, ids[i], cbs[i], e,
										    unref))) < 0)
			return -EIO;
	return 0;
}

void mhp_lv_events_release(struct mhp_lv_events *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->closed = true;
	for (size_t i = 0; i < e->n; i++)
		json_object_put(e->queue[i]);
	free(e->queue);
	e->queue = NULL;
	e->n = e->alloc = 0;
	pthread_mutex_unlock(&e->lock);
	if (e->conn && e->callbacks[0] >= 0)
		virConnectDomainQemuMonitorEventDeregister(e->conn, e->callbacks[0]);
	for (int i = 1; i < NCALLBACKS; i++)
		if (e->conn && e->callbacks[i] >= 0)
			virConnectDomainEventDeregisterAny(e->conn, e->callbacks[i]);
	unref(e);
}

static json_object *take(struct mhp_lv_events *e, mhp_qmp_event_match_fn match, void *ctx)
{
	json_object *ev = NULL;

	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->n && !ev; i++) {
		if (match && !match(e->queue[i], ctx))
			continue;
		ev = e->queue[i];
		memmove(&e->queue[i], &e->queue[i + 1], (e->n - i - 1) * sizeof(*e->queue));
		e->n--;
	}
	pthread_mutex_unlock(&e->lock);
	return ev;
}

int mhp_lv_events_wait(struct mhp_lv_events *e, mhp_deadline_t deadline, mhp_qmp_event_match_fn match, void *ctx,
		       json_object **ret_event)
{
	char drain[64];

	for (;;) {
		/* Drain first, then look: an event queued after the look wakes the poll. */
		while (read(e->wake[0], drain, sizeof(drain)) > 0)
			;
		if ((*ret_event = take(e, match, ctx)))
			return 0;
		struct pollfd p = { .fd = e->wake[0], .events = POLLIN };
		int r = mhp_poll_interruptible(&p, 1, deadline);

		if (r < 0)
			return r;
		if (r == 0)
			return -ETIMEDOUT;
	}
}
