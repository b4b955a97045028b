#include "guest/libvirt-events.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt-qemu.h>
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

static void start_loop(void)
{
	pthread_t t;
	sigset_t all, old;
	int r;

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

int mhp_lv_loop_start(void)
{
	pthread_once(&loop_once, start_loop);
	return loop_error;
}

int mhp_lv_events_init(struct mhp_lv_events *e, const char *domain, struct mhp_transcript *log)
{
	*e = (struct mhp_lv_events){ .domain = domain, .log = log, .wake = { -1, -1 },
				     .callbacks = { -1, -1, -1, -1 } };
	if (pipe2(e->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	pthread_mutex_init(&e->lock, NULL);
	return 0;
}

/* Called on the loop's thread. */
static void push(struct mhp_lv_events *e, const char *name, json_object *data)
{
	json_object *ev = json_object_new_object();

	json_object_object_add(ev, "event", json_object_new_string(name));
	json_object_object_add(ev, "data", data ? data : json_object_new_object());
	mhp_transcript_line(e->log, "<", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
	pthread_mutex_lock(&e->lock);
	e->queue = mhp_array_reserve(e->queue, &e->alloc, e->n + 1, sizeof(*e->queue));
	e->queue[e->n++] = ev;
	pthread_mutex_unlock(&e->lock);
	/* A full pipe already says there is something to read. */
	if (write(e->wake[1], "e", 1) < 0 && errno != EAGAIN)
		mhp_log_errno(-errno, "cannot wake the libvirt backend's waiter");
}

static bool ours(struct mhp_lv_events *e, virDomainPtr dom)
{
	const char *name = dom ? virDomainGetName(dom) : NULL;

	return name && !strcmp(name, e->domain);
}

static void on_monitor(virConnectPtr conn, virDomainPtr dom, const char *event, long long seconds,
		       unsigned int micros, const char *details, void *opaque)
{
	(void)conn, (void)seconds, (void)micros;
	if (ours(opaque, dom))
		push(opaque, event, details ? json_tokener_parse(details) : NULL);
}

static void alias_event(struct mhp_lv_events *e, virDomainPtr dom, const char *name, const char *alias)
{
	json_object *data = json_object_new_object();

	if (!ours(e, dom)) {
		json_object_put(data);
		return;
	}
	json_object_object_add(data, "device", json_object_new_string(alias ? alias : ""));
	push(e, name, data);
}

static void on_removed(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)conn;
	alias_event(opaque, dom, "libvirt DEVICE_REMOVED", alias);
}

static void on_removal_failed(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)conn;
	alias_event(opaque, dom, "libvirt DEVICE_REMOVAL_FAILED", alias);
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
	if (!ours(opaque, dom)) {
		json_object_put(data);
		return 0;
	}
	json_object_object_add(data, "event", json_object_new_string(lifecycle_name(event)));
	if (event == VIR_DOMAIN_EVENT_STOPPED)
		json_object_object_add(data, "detail", json_object_new_string(stopped_detail(detail)));
	else
		json_object_object_add(data, "detail", json_object_new_int(detail));
	push(opaque, "libvirt LIFECYCLE", data);
	return 0;
}

int mhp_lv_events_register(struct mhp_lv_events *e, virConnectPtr conn)
{
	e->conn = conn;
	e->callbacks[0] = virConnectDomainQemuMonitorEventRegister(conn, NULL, NULL, on_monitor, e, NULL, 0);
	e->callbacks[1] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
							   VIR_DOMAIN_EVENT_CALLBACK(on_removed), e, NULL);
	e->callbacks[2] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
							   VIR_DOMAIN_EVENT_CALLBACK(on_removal_failed), e, NULL);
	e->callbacks[3] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							   VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), e, NULL);
	for (int i = 0; i < 4; i++)
		if (e->callbacks[i] < 0)
			return mhp_log_error("cannot subscribe to libvirt's events: %s", virGetLastErrorMessage()), -EIO;
	return 0;
}

void mhp_lv_events_release(struct mhp_lv_events *e)
{
	if (e->conn && e->callbacks[0] >= 0)
		virConnectDomainQemuMonitorEventDeregister(e->conn, e->callbacks[0]);
	for (int i = 1; i < 4; i++)
		if (e->conn && e->callbacks[i] >= 0)
			virConnectDomainEventDeregisterAny(e->conn, e->callbacks[i]);
	e->conn = NULL;
	if (e->wake[0] < 0)
		return;
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->n; i++)
		json_object_put(e->queue[i]);
	free(e->queue);
	e->queue = NULL;
	e->n = e->alloc = 0;
	pthread_mutex_unlock(&e->lock);
	close(e->wake[0]);
	close(e->wake[1]);
	e->wake[0] = e->wake[1] = -1;
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
