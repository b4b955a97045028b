/* The QEMU backend: QEMU started from an argv with its QMP socket and the
 * guest channel (ttyS1) as unix sockets the harness listens on, inside a
 * private mkdtemp directory.  DIMMs are in qemu-devices.c. */
#include "guest/qemu-guest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/qemu.h"
#include "lib/cleanup.h"

#define STOP_GRACE_MS 3000
/* Interrupted, mhp has 1 s to be gone, and QEMU holds nothing to save: a
 * QEMU whose main loop is busy (in a device_add) and so slow to act on
 * SIGTERM is killed. */
#define INTERRUPTED_STOP_MS 200
#define QUIT_WAIT_MS 2000
#define DEATH_WAIT_MS 2000 /* a closed socket arrives just before the exit */

/* Why QEMU stopped, from its last events (GUEST_PANICKED with pvpanic, or
 * SHUTDOWN's reason: "guest-reset" is a panic under panic=-1 -no-reboot). */
static void end_reason(struct mhp_qemu_guest *q, char *buf, size_t size)
{
	json_object *ev = NULL;

	buf[0] = '\0';
	if (q->qmp.fd < 0 || mhp_qmp_event_wait_ref(&q->qmp, mhp_deadline_in_ms(200), mhp_qmp_match_end, NULL, &ev) < 0)
		return;
	mhp_qmp_end_text(ev, buf, size);
	json_object_put(ev);
}

int mhp_qemu_fail(struct mhp_guest *g, int r, const char *awaited)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	char how[96], why[96];

	if (r == -EINTR) {
		g->interrupted = true;
		mhp_guest_say(g, "interrupted while waiting for %s", awaited);
	} else if (q->qemu.status >= 0 ||
		   (q->qemu.pid > 0 && mhp_child_wait(&q->qemu, mhp_deadline_in_ms(DEATH_WAIT_MS)) == 0)) {
		/* (A QEMU that never started has not exited: pid 0, status -1.) */
		end_reason(q, why, sizeof(why));
		mhp_guest_say(g, "QEMU exited (%s%s) while waiting for %s", mhp_child_describe(&q->qemu, how, sizeof(how)), why,
		    awaited);
	} else if (r == -ETIMEDOUT)
		mhp_guest_say(g, "timed out waiting for %s", awaited);
	else if (r == -EOWNERDEAD)
		mhp_guest_say(g, "the kernel oopsed (console.log) while it owed %s: no answer will come", awaited);
	else if (r == -ECONNRESET)
		mhp_guest_say(g, "QEMU closed the connection, though still running, while waiting for %s", awaited);
	else if (r == -EREMOTEIO && g->refusal[0])
		mhp_guest_say(g, "guest answered '%s' to %s", g->refusal, awaited);
	else if (r == -EREMOTEIO)
		mhp_guest_say(g, "QMP error '%s' for %s", q->qmp.error, awaited);
	else
		mhp_guest_say(g, "%s while waiting for %s", strerror(-r), awaited);
	return r < 0 ? r : -EIO;
}

/* ------------------------------------------------------------ start and stop */

static int prepare(struct mhp_guest *g)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	int r = mhp_guest_make_rundir(g, &q->rundir, &q->chan_path, &q->initrd_path);

	if (r == 0)
		q->qmp_path = mhp_rundir_socket_path(&q->rundir, "qmp.sock");
	return r;
}

static void qemu_version(struct mhp_guest *g)
{
	mhp_qmp_version_text(mhp_qemu_of(g)->qmp.greeting, "QMP/version/qemu", g->hypervisor_version,
			     sizeof(g->hypervisor_version));
}

/* QEMU connects its chardevs in command-line order while starting. */
static int connect_sockets(struct mhp_guest *g, int chan_listen, int qmp_listen)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	mhp_deadline_t d = mhp_guest_deadline(g);
	int r, fd;

	if ((fd = mhp_unix_accept(chan_listen, d)) < 0)
		return mhp_qemu_fail(g, fd, "QEMU to connect the guest channel (see qemu.log)");
	mhp_guest_link_attach(g, fd);
	if ((fd = mhp_unix_accept(qmp_listen, d)) < 0)
		return mhp_qemu_fail(g, fd, "QEMU to connect QMP (see qemu.log)");
	if ((r = mhp_qmp_init(&q->qmp, fd, &q->qmp_log)) < 0 || (r = mhp_qmp_handshake(&q->qmp, d)) < 0)
		return mhp_qemu_fail(g, r, "the QMP greeting");
	qemu_version(g);
	return 0;
}

static int spawn(struct mhp_guest *g)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	const struct mhp_machine *m = g->m;
	_cleanup_close_ int qmp_listen = -1, chan_listen = -1;
	_cleanup_free_ char *console = mhp_xasprintf("%s/console.log", m->log_dir);
	_cleanup_free_ char *qemu_log = mhp_xasprintf("%s/qemu.log", m->log_dir);
	struct mhp_qemu_config cfg = {
		.binary = m->qemu, .accel = m->accel, .kernel = m->kernel, .initrd = q->initrd_path,
		.console_log = console, .qmp_socket = q->qmp_path, .chan_socket = q->chan_path,
		.extra_append = m->append, .incoming = m->restore != NULL, .runtime_knobs = m->runtime_knobs,
	};
	struct mhp_strv argv = MHP_STRV_INIT;
	int r;

	if ((qmp_listen = mhp_unix_listen(q->qmp_path)) < 0)
		return mhp_qemu_fail(g, qmp_listen, "a QMP socket");
	if ((chan_listen = mhp_unix_listen(q->chan_path)) < 0)
		return mhp_qemu_fail(g, chan_listen, "a channel socket");
	mhp_qemu_build_argv(&cfg, m->t, &argv);
	r = mhp_child_start(&q->qemu, argv.v, qemu_log);
	mhp_strv_release(&argv);
	if (r < 0) {
		mhp_guest_say(g, "cannot start QEMU '%s': %s", cfg.binary ? cfg.binary : "qemu-system-x86_64", strerror(-r));
		return r;
	}
	return connect_sockets(g, chan_listen, qmp_listen);
}

static int start(struct mhp_guest *g, const struct mhp_machine *m)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	_cleanup_free_ char *qmp_log = mhp_xasprintf("%s/qmp.log", m->log_dir);
	int r;

	g->m = m;
	if ((r = prepare(g)) < 0)
		return r;
	if ((r = mhp_transcript_open(&q->qmp_log, qmp_log, m->epoch_ns)) < 0 ||
	    (r = mhp_guest_link_open_log(g)) < 0) {
		mhp_guest_say(g, "cannot write logs in '%s': %s", m->log_dir, strerror(-r));
		return r;
	}
	if ((r = spawn(g)) < 0)
		return r;
	return m->restore ? mhp_qemu_restore(g) : mhp_guest_link_hello(g);
}

static void remove_rundir(struct mhp_qemu_guest *q)
{
	mhp_rundir_release(&q->rundir);
	free(q->qmp_path);
	free(q->chan_path);
	free(q->initrd_path);
	q->qmp_path = q->chan_path = q->initrd_path = NULL;
}

static void teardown(struct mhp_guest *g)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);

	if (!q)
		return;
	/* Stop QEMU: QMP quit, then SIGTERM, then SIGKILL, each bounded. */
	if (q->qemu.pid > 0 && q->qmp.fd >= 0 && !mhp_child_poll(&q->qemu) &&
	    mhp_qmp_execute_ref(&q->qmp, mhp_deadline_in_ms(QUIT_WAIT_MS), "quit", NULL, NULL) == 0)
		mhp_child_wait(&q->qemu, mhp_deadline_in_ms(QUIT_WAIT_MS));
	mhp_child_stop(&q->qemu, mhp_interrupted ? INTERRUPTED_STOP_MS : STOP_GRACE_MS);
	mhp_qmp_release(&q->qmp);
	mhp_guest_link_close(g);
	mhp_transcript_close(&q->qmp_log);
	remove_rundir(q);
	free(q);
	g->impl = NULL;
}

/* ------------------------------------------------------------ power off */

static bool is_shutdown(json_object *ev, void *ctx)
{
	(void)ctx;
	return !strcmp(mhp_qmp_event_name(ev), "SHUTDOWN");
}

/* QEMU sends SHUTDOWN before it exits; its reason tells a guest power-off
 * ("guest-shutdown") from a reset after a panic ("guest-reset"). */
static int power_off(struct mhp_guest *g, char *exit, size_t exit_size, char *reason, size_t reason_size)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	json_object *ev = NULL;
	int r;

	if ((r = mhp_guest_link_command(g, "poweroff", NULL)) < 0 && r != -ECONNRESET)
		return mhp_qemu_fail(g, r, "the guest to accept poweroff");
	if ((r = mhp_child_wait(&q->qemu, mhp_guest_deadline(g))) < 0)
		return mhp_qemu_fail(g, r, "QEMU to exit after poweroff");
	mhp_child_describe(&q->qemu, exit, exit_size);
	snprintf(reason, reason_size, "(no SHUTDOWN event)");
	if (mhp_qmp_event_wait_ref(&q->qmp, mhp_deadline_in_ms(1000), is_shutdown, NULL, &ev) == 0) {
		const char *why = mhp_json_path_string(ev, "data/reason");
		snprintf(reason, reason_size, "%s", why ? why : "(none)");
	}
	json_object_put(ev);
	return 0;
}

static const struct mhp_guest_ops qemu_ops = {
	.name = "qemu",
	.start = start,
	.plug = mhp_qemu_plug,
	.resize = mhp_qemu_resize,
	.boot_plugged = mhp_qemu_boot_plugged,
	.unplug = mhp_qemu_unplug,
	.device = mhp_qemu_device,
	.command = mhp_guest_link_command_op,
	.report = mhp_guest_link_report,
	.acpi_table = mhp_guest_link_acpi_table,
	.explain = mhp_qemu_fail,
	.clean_exit = "exit status 0",
	.power_off = power_off,
	.save = mhp_qemu_save,
	.shape = mhp_qemu_shape,
	.teardown = teardown,
};

void mhp_qemu_guest_init(struct mhp_guest *g)
{
	struct mhp_qemu_guest *q = mhp_xcalloc(1, sizeof(*q));

	q->qemu = (struct mhp_child)MHP_CHILD_INIT;
	q->rundir = (struct mhp_rundir)MHP_RUNDIR_INIT;
	q->qmp.fd = -1;
	*g = (struct mhp_guest){ .ops = &qemu_ops, .impl = q, .ch.fd = -1 };
}
