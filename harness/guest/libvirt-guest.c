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

#include "guest/libvirt-xml.h"
#include "lib/cleanup.h"
#include "lib/log.h"

#define DEATH_WAIT_MS 2000

static void say(struct mhp_guest *g, const char *fmt, ...) MHP_FORMAT(2, 3);
static void say(struct mhp_guest *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->error, sizeof(g->error), fmt, ap);
	va_end(ap);
}

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
	say(g, "libvirt's %s failed: %s", call, l->api_error);
	return -EREMOTEIO;
}

static bool is_stop(json_object *ev, void *ctx)
{
	const char *name = mhp_qmp_event_name(ev), *what = mhp_json_path_string(ev, "data/event");

	(void)ctx;
	return name && what && !strcmp(name, "libvirt LIFECYCLE") && !strcmp(what, "stopped");
}

static bool is_end_event(json_object *ev, void *ctx)
{
	const char *name = mhp_qmp_event_name(ev);

	(void)ctx;
	return name && (!strcmp(name, "SHUTDOWN") || !strcmp(name, "GUEST_PANICKED"));
}

/* Whether libvirt said the domain stopped (waiting up to ms for it); its
 * detail kept in l->stopped. */
static bool stopped_within(struct mhp_guest *g, unsigned ms)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	json_object *stop = NULL;

	if (!l->stopped[0] && mhp_lv_events_wait(&l->ev, mhp_deadline_in_ms(ms), is_stop, NULL, &stop) == 0) {
		const char *detail = mhp_json_path_string(stop, "data/detail");
		snprintf(l->stopped, sizeof(l->stopped), "%s", detail ? detail : "?");
		json_object_put(stop);
	}
	return l->stopped[0] != '\0';
}

/* How the stopped domain ended: libvirt's detail, QEMU's last word
 * (GUEST_PANICKED with pvpanic; a "guest-reset" SHUTDOWN is a panic under
 * panic=-1 and on_reboot destroy). */
static void end_reason(struct mhp_guest *g, char *buf, size_t size)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	json_object *end = NULL;
	const char *name = NULL, *reason = NULL;

	if (mhp_lv_events_wait(&l->ev, mhp_deadline_in_ms(0), is_end_event, NULL, &end) == 0) {
		name = mhp_qmp_event_name(end);
		reason = mhp_json_path_string(end, "data/reason");
	}
	if (name && !strcmp(name, "GUEST_PANICKED"))
		snprintf(buf, size, "%s, GUEST_PANICKED", l->stopped);
	else if (reason && !strcmp(reason, "guest-reset"))
		snprintf(buf, size, "%s, SHUTDOWN guest-reset: the guest reset itself, a panic under panic=-1?",
			 l->stopped);
	else
		snprintf(buf, size, "%s, SHUTDOWN %s", l->stopped, reason ? reason : "?");
	json_object_put(end);
}

static bool domain_gone(struct mhp_guest *g, int r)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);

	/* A closed channel comes just before libvirt sees QEMU's end. */
	if (stopped_within(g, r == -ECONNRESET ? DEATH_WAIT_MS : 0))
		return true;
	return l->dom && virDomainIsActive(l->dom) == 0;
}

int mhp_lv_fail(struct mhp_guest *g, int r, const char *awaited)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	char how[160];

	if (r == -EINTR) {
		g->interrupted = true;
		say(g, "interrupted while waiting for %s", awaited);
	} else if (domain_gone(g, r)) {
		end_reason(g, how, sizeof(how));
		say(g, "the libvirt domain %s stopped (%s) while waiting for %s", l->name, how, awaited);
	} else if (r == -ETIMEDOUT)
		say(g, "timed out waiting for %s", awaited);
	else if (r == -EOWNERDEAD)
		say(g, "the kernel oopsed (console.log) while it owed %s: no answer will come", awaited);
	else if (r == -ECONNRESET)
		say(g, "QEMU closed the guest channel, though the domain runs, while waiting for %s", awaited);
	else if (r == -EREMOTEIO && g->refusal[0])
		say(g, "guest answered '%s' to %s", g->refusal, awaited);
	else if (r == -EREMOTEIO)
		say(g, "libvirt error '%s' for %s", l->api_error, awaited);
	else
		say(g, "%s while waiting for %s", strerror(-r), awaited);
	return r < 0 ? r : -EIO;
}

/* ------------------------------------------------------------ start */

static int prepare(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *log = mhp_xasprintf("%s/libvirt.log", g->m->log_dir);
	int r;

	snprintf(l->name, sizeof(l->name), "mhp-%.100s-%d", g->m->t->name, (int)getpid());
	if ((r = mhp_guest_link_open_log(g)) < 0 || (r = mhp_transcript_open(&l->ev_log, log, g->m->epoch_ns)) < 0) {
		say(g, "cannot write logs in '%s': %s", g->m->log_dir, strerror(-r));
		return r;
	}
	if ((r = mhp_rundir_make(&l->rundir, "mhp-run")) < 0)
		return mhp_lv_fail(g, r, "a private run directory in the temporary directory");
	l->chan_path = mhp_rundir_socket_path(&l->rundir, "channel.sock");
	l->initrd_path = mhp_xasprintf("%s/initrd.cpio", l->rundir.path);
	r = mhp_initrd_write(l->initrd_path, g->m->guest_init, g->m->tables, g->m->ntables, g->m->modules);
	if (r < 0)
		say(g, "cannot build the initrd from '%s': %s", g->m->guest_init, strerror(-r));
	return r;
}

/* A domain "mhp-...-PID" whose mhp is gone: in an embed root (one
 * process each) every domain is a killed mhp's. */
static bool leftover(struct mhp_lv_guest *l, const char *name)
{
	const char *dash = strrchr(name, '-');
	long pid = dash ? strtol(dash + 1, NULL, 10) : 0;

	if (strncmp(name, "mhp-", 4))
		return false;
	return !l->uri || (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH);
}

/* Embed mode has no autodestroy: what a killed mhp left runs on. */
static void sweep(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(l->conn, &doms, 0);

	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);

		if (name && leftover(l, name)) {
			bool ok = (virDomainIsActive(doms[i]) != 1 || virDomainDestroy(doms[i]) == 0) &&
				  (virDomainIsPersistent(doms[i]) != 1 || virDomainUndefine(doms[i]) == 0);
			if (ok)
				mhp_log_notice("destroyed libvirt domain %s, left running by an mhp that was killed", name);
			else
				mhp_log_error("cannot destroy libvirt domain %s that a killed mhp left: %s", name,
					      virGetLastErrorMessage());
		}
		virDomainFree(doms[i]);
	}
	free(doms);
}

static int connect_libvirt(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *embed = NULL;
	unsigned long version = 0;
	int r;

	if (!l->uri && (r = mhp_lv_root_take(&l->root, g->error, sizeof(g->error))) < 0)
		return r;
	if (!l->uri)
		embed = mhp_lv_root_uri(&l->root);
	if ((r = mhp_lv_loop_start()) < 0)
		return say(g, "cannot start libvirt's event loop: %s", strerror(-r)), r;
	mhp_lv_log(g, "virConnectOpen %s", l->uri ? l->uri : embed);
	if (!(l->conn = virConnectOpen(l->uri ? l->uri : embed)))
		return mhp_lv_api_fail(g, "virConnectOpen");
	if (virConnectGetVersion(l->conn, &version) == 0)
		snprintf(g->hypervisor_version, sizeof(g->hypervisor_version), "%lu.%lu.%lu", version / 1000000,
			 version / 1000 % 1000, version % 1000);
	sweep(g);
	if ((r = mhp_lv_events_init(&l->ev, l->name, &l->ev_log)) < 0)
		return say(g, "cannot make a pipe: %s", strerror(-r)), r;
	return mhp_lv_events_register(&l->ev, l->conn) < 0 ? mhp_lv_api_fail(g, "event registration") : 0;
}

static char *domain_xml(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	const struct mhp_machine *m = g->m;
	_cleanup_free_ char *kernel = realpath(m->kernel, NULL), *logs = realpath(m->log_dir, NULL);
	_cleanup_free_ char *console = logs ? mhp_xasprintf("%s/console.log", logs) : NULL;
	_cleanup_free_ char *wrapper = NULL;
	char *xml = NULL;

	/* TCG with one thread, as the QEMU backend runs it; --qemu as it is. */
	if (!m->qemu && !strcmp(m->accel, "tcg") && !(wrapper = mhp_lv_tcg_emulator(g->error, sizeof(g->error))))
		return NULL;
	struct mhp_libvirt_config cfg = {
		.accel = m->accel, .kernel = kernel, .initrd = l->initrd_path, .console_log = console,
		.chan_socket = l->chan_path, .chan_connect = true, .extra_append = m->append,
		.emulator = m->qemu ? m->qemu : wrapper, .name = l->name,
	};
	if (!kernel || !console)
		say(g, "cannot resolve '%s' or '%s': %s", m->kernel, m->log_dir, strerror(errno));
	else if (mhp_libvirt_domain_xml(&cfg, m->t, &xml) < 0)
		say(g, "cannot build the domain XML: out of memory");
	return xml;
}

static int create(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *xml = domain_xml(g);
	_cleanup_close_ int listen_fd = -1;
	int fd;

	if (!xml)
		return -EINVAL;
	if ((listen_fd = mhp_unix_listen(l->chan_path)) < 0)
		return mhp_lv_fail(g, listen_fd, "a channel socket");
	mhp_lv_log(g, "virDomainCreateXML %s", l->name);
	mhp_transcript_line(&l->ev_log, ">", xml);
	if (!(l->dom = virDomainCreateXML(l->conn, xml, 0)))
		return mhp_lv_api_fail(g, "virDomainCreateXML");
	if ((fd = mhp_unix_accept(listen_fd, mhp_guest_deadline(g))) < 0)
		return mhp_lv_fail(g, fd, "QEMU to connect the guest channel (see the embed root's log/qemu/)");
	mhp_guest_link_attach(g, fd);
	return 0;
}

static int start(struct mhp_guest *g, const struct mhp_machine *m)
{
	int r;

	g->m = m;
	if ((r = prepare(g)) < 0 || (r = connect_libvirt(g)) < 0 || (r = create(g)) < 0)
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
	if (mhp_lv_events_wait(&l->ev, mhp_deadline_in_ms(1000), is_end_event, NULL, &end) == 0) {
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

	if (!l->root.path || !g->m)
		return;
	from = mhp_xasprintf("%s/log/qemu/%s.log", l->root.path, l->name);
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
	mhp_lv_events_release(&l->ev);
	take_qemu_log(g);
	if (l->dom)
		virDomainFree(l->dom);
	if (l->conn)
		virConnectClose(l->conn);
	mhp_guest_link_close(g);
	mhp_transcript_close(&l->ev_log);
	mhp_rundir_release(&l->rundir);
	mhp_lv_root_release(&l->root);
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
	l->root = (struct mhp_lv_root)MHP_LV_ROOT_INIT;
	l->rundir = (struct mhp_rundir)MHP_RUNDIR_INIT;
	l->ev.wake[0] = l->ev.wake[1] = -1;
	*g = (struct mhp_guest){ .ops = &libvirt_ops, .impl = l, .ch.fd = -1 };
}
