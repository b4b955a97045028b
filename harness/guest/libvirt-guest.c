/* The libvirt backend: the same machine as the QEMU backend's, described
 * as domain XML (libvirt-xml.c) and started as a transient domain through
 * libvirt's C API, on an embedded QEMU driver (no daemon) unless the user
 * names a URI.  The guest channel is the same unix socket the harness
 * listens on (QEMU connects), so the guest side is unchanged; QEMU's
 * monitor is libvirt's, whose events come through libvirt-events.c. */
#include "guest/libvirt-guest.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>

#include "guest/libvirt-xml.h"
#include "lib/cleanup.h"
#include "lib/log.h"

#define DEATH_WAIT_MS 2000

void mhp_lv_log(struct mhp_guest *g, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	mhp_transcript_line(&mhp_lv_of(g)->ev_log, ">", line ? line : "(out of memory)");
}

int mhp_lv_api_fail(struct mhp_guest *g, const char *call)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	const char *msg = virGetLastErrorMessage();

	snprintf(l->api_error, sizeof(l->api_error), "%s", msg ? msg : "(no message)");
	mhp_lv_log(g, "%s failed: %s", call, l->api_error);
	g->refusal[0] = '\0'; /* the error is libvirt's, not the guest's */
	int r = mhp_lv_fail(g, -EREMOTEIO, call);
	l->api_error[0] = '\0'; /* said: not for a later failure */
	return r;
}

static bool is_stop(json_object *ev, void *ctx)
{
	const char *name = mhp_qmp_event_name(ev), *what = mhp_json_path_string(ev, "data/event");

	(void)ctx;
	return name && what && !strcmp(name, "libvirt LIFECYCLE") && !strcmp(what, "stopped");
}

/* Whether libvirt said the domain stopped (waiting up to ms for it); its
 * detail kept in l->stopped. */
static bool stopped_within(struct mhp_guest *g, unsigned ms)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	json_object *stop = NULL;

	if (!l->stopped[0] && l->ev && mhp_lv_events_wait(l->ev, mhp_deadline_in_ms(ms), is_stop, NULL, &stop) == 0) {
		const char *detail = mhp_json_path_string(stop, "data/detail");
		snprintf(l->stopped, sizeof(l->stopped), "%s", detail ? detail : "?");
		json_object_put(stop);
	}
	return l->stopped[0] != '\0';
}

/* How the stopped domain ended: libvirt's detail, QEMU's last word. */
static void end_reason(struct mhp_guest *g, char *buf, size_t size)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	json_object *end = NULL;
	char why[96] = "";

	if (l->ev && mhp_lv_events_wait(l->ev, mhp_deadline_in_ms(0), mhp_qmp_match_end, NULL, &end) == 0)
		mhp_qmp_end_text(end, why, sizeof(why));
	snprintf(buf, size, "%s%s", l->stopped[0] ? l->stopped : "stopped", why);
	json_object_put(end);
}

static bool domain_gone(struct mhp_guest *g, int r)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	int active;

	/* libvirt sees QEMU's end just after the channel closes or a call
	 * fails: give it the time the QEMU backend gives QEMU's exit. */
	if (!l->dom)
		return false; /* not started: nothing to wait for */
	if (stopped_within(g, r == -EINTR ? 0 : DEATH_WAIT_MS))
		return true;
	/* A transient domain that stopped is no domain at all. */
	active = virDomainIsActive(l->dom);
	return active == 0 || (active < 0 && virGetLastErrorCode() == VIR_ERR_NO_DOMAIN);
}

int mhp_lv_fail(struct mhp_guest *g, int r, const char *awaited)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	char how[160];

	if (r == -EINTR) {
		g->interrupted = true;
		mhp_guest_say(g, "interrupted while waiting for %s", awaited);
	} else if (domain_gone(g, r)) {
		end_reason(g, how, sizeof(how));
		mhp_guest_say(g, "the libvirt domain %s stopped (%s) while waiting for %s", l->name, how, awaited);
	} else if (r == -ETIMEDOUT)
		mhp_guest_say(g, "timed out waiting for %s", awaited);
	else if (r == -EOWNERDEAD)
		mhp_guest_say(g, "the kernel oopsed (console.log) while it owed %s: no answer will come", awaited);
	else if (r == -ECONNRESET)
		mhp_guest_say(g, "QEMU closed the guest channel, though the domain runs, while waiting for %s", awaited);
	else if (r == -EREMOTEIO && g->refusal[0])
		mhp_guest_say(g, "guest answered '%s' to %s", g->refusal, awaited);
	else if (r == -EREMOTEIO && l->api_error[0])
		mhp_guest_say(g, "libvirt's %s failed: %s", awaited, l->api_error);
	else
		mhp_guest_say(g, "%s while waiting for %s", strerror(-r), awaited);
	return r < 0 ? r : -EIO;
}

/* ------------------------------------------------------------ start */

static int prepare(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *log = mhp_xasprintf("%s/libvirt.log", g->m->log_dir);
	int r;

	mhp_lv_domain_name(g->m->t->name, l->name, sizeof(l->name));
	if ((r = mhp_guest_link_open_log(g)) < 0 || (r = mhp_transcript_open(&l->ev_log, log, g->m->epoch_ns)) < 0) {
		mhp_guest_say(g, "cannot write logs in '%s': %s", g->m->log_dir, strerror(-r));
		return r;
	}
	return mhp_guest_make_rundir(g, &l->rundir, &l->chan_path, &l->initrd_path);
}

/* The wrapper in the process's embed root, or, with a URI, in mhp's cache
 * (its directory is per QEMU binary: processes share it safely). */
static char *tcg_emulator(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *shared = l->root ? NULL : mhp_cache_path("libvirt");

	if (shared && mhp_mkdir_p(shared, 0700) < 0) {
		mhp_guest_say(g, "cannot make '%s': %s", shared, strerror(errno));
		return NULL;
	}
	return mhp_lv_tcg_emulator(l->root ? l->root : shared, g->m->qemu, g->error, sizeof(g->error));
}

static char *domain_xml(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	const struct mhp_machine *m = g->m;
	_cleanup_free_ char *kernel = realpath(m->kernel, NULL), *logs = realpath(m->log_dir, NULL);
	_cleanup_free_ char *console = logs ? mhp_xasprintf("%s/console.log", logs) : NULL;
	_cleanup_free_ char *wrapper = NULL;
	char *xml = NULL;

	/* TCG with one thread, as the QEMU backend runs it (--qemu too). */
	if (!strcmp(m->accel, "tcg") && !(wrapper = tcg_emulator(g)))
		return NULL;
	struct mhp_libvirt_config cfg = {
		.accel = m->accel, .kernel = kernel, .initrd = l->initrd_path, .console_log = console,
		.chan_socket = l->chan_path, .chan_connect = true, .extra_append = m->append,
		.emulator = wrapper ? wrapper : m->qemu, .name = l->name,
	};
	if (!kernel || !console)
		mhp_guest_say(g, "cannot resolve '%s' or '%s': %s", m->kernel, m->log_dir, strerror(errno));
	else if (mhp_libvirt_domain_xml(&cfg, m->t, &xml) < 0)
		mhp_guest_say(g, "cannot build the domain XML: out of memory");
	return xml;
}

int mhp_lv_monitor(struct mhp_guest *g, const char *command, json_object **ret_reply)
{
	_cleanup_free_ char *reply = NULL;
	json_object *cmd = json_object_new_object();
	int r;

	json_object_object_add(cmd, "execute", json_object_new_string(command));
	r = virDomainQemuMonitorCommand(mhp_lv_of(g)->dom, json_object_to_json_string(cmd), &reply, 0);
	json_object_put(cmd);
	if (r < 0)
		return mhp_lv_api_fail(g, command);
	if (!(*ret_reply = json_tokener_parse(reply))) {
		mhp_guest_say(g, "QEMU's reply to %s does not parse", command);
		return -EPROTO;
	}
	return 0;
}

/* The version of the QEMU that runs (the driver's own is its default
 * emulator's, not --qemu's); left empty when QEMU does not say. */
static void qemu_version(struct mhp_guest *g)
{
	json_object *reply = NULL;

	if (mhp_lv_monitor(g, "query-version", &reply) == 0)
		mhp_qmp_version_text(reply, "return/qemu", g->hypervisor_version, sizeof(g->hypervisor_version));
	json_object_put(reply);
}

static int create(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *xml = domain_xml(g);
	_cleanup_close_ int listen_fd = -1;
	unsigned char uuid[VIR_UUID_BUFLEN];
	sigset_t old;
	int fd;

	if (!xml)
		return -EINVAL;
	if ((listen_fd = mhp_unix_listen(l->chan_path)) < 0)
		return mhp_lv_fail(g, listen_fd, "a channel socket");
	mhp_lv_log(g, "virDomainCreateXML %s", l->name);
	mhp_transcript_line(&l->ev_log, ">", xml);
	mhp_lv_signals_block(&old); /* the domain's event thread starts here */
	l->dom = virDomainCreateXML(l->conn, xml, 0);
	mhp_lv_signals_restore(&old);
	if (!l->dom || virDomainGetUUID(l->dom, uuid) < 0)
		return mhp_lv_api_fail(g, "virDomainCreateXML");
	mhp_lv_events_follow(l->ev, uuid);
	qemu_version(g);
	if ((fd = mhp_unix_accept(listen_fd, mhp_guest_deadline(g))) < 0)
		return mhp_lv_fail(g, fd, "QEMU to connect the guest channel (see the embed root's log/qemu/)");
	mhp_guest_link_attach(g, fd);
	return 0;
}

static int start(struct mhp_guest *g, const struct mhp_machine *m)
{
	int r;

	g->m = m;
	if ((r = prepare(g)) < 0 || (r = mhp_lv_connect(g)) < 0 || (r = create(g)) < 0)
		return r;
	return mhp_guest_link_hello(g);
}

/* ------------------------------------------------------------ stop */

static int power_off(struct mhp_guest *g, char *exit, size_t exit_size, char *reason, size_t reason_size)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	json_object *end = NULL;
	int r;

	if ((r = mhp_guest_link_command(g, "poweroff", NULL)) < 0 && r != -ECONNRESET)
		return mhp_lv_fail(g, r, "the guest to accept poweroff");
	if (!stopped_within(g, g->m->timeout_ms))
		return mhp_lv_fail(g, -ETIMEDOUT, "libvirt to say the domain stopped after poweroff");
	snprintf(exit, exit_size, "stopped: %s", l->stopped);
	snprintf(reason, reason_size, "(no SHUTDOWN event)");
	if (mhp_lv_events_wait(l->ev, mhp_deadline_in_ms(1000), mhp_qmp_match_end, NULL, &end) == 0) {
		const char *why = mhp_json_path_string(end, "data/reason");
		snprintf(reason, reason_size, "%s", why ? why : mhp_qmp_event_name(end));
	}
	json_object_put(end);
	return 0;
}

/* QEMU's own log (its command line, its stderr) into the run directory
 * as qemu.log, as the QEMU backend leaves it; the embed root keeps none. */
static void take_qemu_log(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *from = NULL, *to = NULL, *text = NULL;
	size_t len = 0;
	int r;

	if (!l->root || !g->m)
		return;
	from = mhp_xasprintf("%s/log/qemu/%s.log", l->root, l->name);
	to = mhp_xasprintf("%s/qemu.log", g->m->log_dir);
	if ((r = mhp_read_file(from, 64u << 20, &text, &len)) == -ENOENT)
		return;
	if (r < 0 || (r = mhp_write_file_atomic(to, text, len)) < 0)
		mhp_log_errno(r, "cannot copy QEMU's log '%s' to '%s'", from, to);
	if (unlink(from) < 0)
		mhp_log_errno(-errno, "cannot remove '%s'", from);
}

static void teardown(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);

	if (!l)
		return;
	/* Transient: destroyed, the domain is gone (nothing to undefine). */
	if (l->dom && virDomainIsActive(l->dom) == 1) {
		mhp_lv_log(g, "virDomainDestroy %s", l->name);
		if (virDomainDestroy(l->dom) < 0)
			mhp_log_error("cannot destroy libvirt domain %s: %s", l->name, virGetLastErrorMessage());
	}
	mhp_lv_events_release(l->ev);
	take_qemu_log(g);
	if (l->dom)
		virDomainFree(l->dom);
	if (l->conn)
		virConnectClose(l->conn);
	mhp_guest_link_close(g);
	mhp_transcript_close(&l->ev_log);
	mhp_rundir_release(&l->rundir);
	free(l->chan_path);
	free(l->initrd_path);
	free(l->uri);
	free(l);
	g->impl = NULL;
}

/* What libvirt 9.0 cannot start as the topology says. */
static int unsupported(const struct mhp_topology *t, char *why, size_t size)
{
	for (unsigned i = 0; i < t->nr_nodes; i++)
		if (!t->nodes[i].memory) {
			snprintf(why, size, "node %u has no boot memory: libvirt 9.0 gives its NUMA cell a 0-size "
				 "memory backend, which QEMU refuses", i);
			return 1;
		}
	return 0;
}

static const struct mhp_guest_ops libvirt_ops = {
	.name = "libvirt",
	.start = start,
	.plug = mhp_lv_plug,
	.resize = mhp_lv_resize,
	.boot_plugged = mhp_lv_boot_plugged,
	.unplug = mhp_lv_unplug,
	.device = mhp_lv_device,
	.command = mhp_guest_link_command_op,
	.report = mhp_guest_link_report,
	.acpi_table = mhp_guest_link_acpi_table,
	.power_off = power_off,
	.teardown = teardown,
	.explain = mhp_lv_fail,
	.clean_exit = "stopped: shutdown",
	.unsupported = unsupported,
};

void mhp_libvirt_guest_init(struct mhp_guest *g, const char *uri)
{
	struct mhp_lv_guest *l = mhp_xcalloc(1, sizeof(*l));

	l->uri = uri ? mhp_xstrdup(uri) : NULL;
	l->rundir = (struct mhp_rundir)MHP_RUNDIR_INIT;
	*g = (struct mhp_guest){ .ops = &libvirt_ops, .impl = l, .ch.fd = -1 };
}
