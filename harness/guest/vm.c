#include "guest/vm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "guest/initrd.h"
#include "guest/qemu.h"
#include "acpi/tables.h"

#define STOP_GRACE_MS 3000
#define QUIT_WAIT_MS 2000
#define DEATH_WAIT_MS 2000 /* a closed socket arrives just before the exit */

mhp_deadline_t mhp_vm_deadline(const struct mhp_vm *vm)
{
	return mhp_deadline_in_ms(vm->o->timeout_ms);
}

static bool is_end_event(json_object *ev, void *ctx)
{
	const char *name = mhp_qmp_event_name(ev);

	(void)ctx;
	return name && (!strcmp(name, "SHUTDOWN") || !strcmp(name, "GUEST_PANICKED"));
}

/* Why QEMU stopped, from its last events (GUEST_PANICKED with pvpanic, or
 * SHUTDOWN's reason: "guest-reset" is a panic under panic=-1 -no-reboot). */
static void end_reason(struct mhp_vm *vm, char *buf, size_t size)
{
	json_object *ev = NULL;

	buf[0] = '\0';
	if (vm->qmp.fd < 0 || mhp_qmp_event_wait_ref(&vm->qmp, mhp_deadline_in_ms(200), is_end_event, NULL, &ev) < 0)
		return;
	const char *reason = mhp_json_path_string(ev, "data/reason");

	if (!strcmp(mhp_qmp_event_name(ev), "GUEST_PANICKED"))
		snprintf(buf, size, ", GUEST_PANICKED");
	else if (reason && !strcmp(reason, "guest-reset"))
		snprintf(buf, size, ", SHUTDOWN guest-reset: the guest reset itself, a panic under panic=-1?");
	else
		snprintf(buf, size, ", SHUTDOWN %s", reason ? reason : "?");
	json_object_put(ev);
}

int mhp_vm_fail(struct mhp_vm *vm, int r, const char *awaited)
{
	char how[96], why[96];

	if (r == -EINTR) {
		vm->res->interrupted = true;
		mhp_result_error(vm->res, "interrupted while waiting for %s", awaited);
	} else if (mhp_child_wait(&vm->qemu, mhp_deadline_in_ms(DEATH_WAIT_MS)) == 0) {
		end_reason(vm, why, sizeof(why));
		mhp_result_error(vm->res, "QEMU exited (%s%s) while waiting for %s",
				 mhp_child_describe(&vm->qemu, how, sizeof(how)), why, awaited);
	}
	else if (r == -ETIMEDOUT)
		mhp_result_error(vm->res, "timed out waiting for %s", awaited);
	else if (r == -ECONNRESET)
		mhp_result_error(vm->res, "QEMU closed the connection, though still running, while waiting for %s", awaited);
	else if (r == -EREMOTEIO && vm->ch.error[0])
		mhp_result_error(vm->res, "guest answered '%s' to %s", vm->ch.error, awaited);
	else if (r == -EREMOTEIO)
		mhp_result_error(vm->res, "QMP error '%s' for %s", vm->qmp.error, awaited);
	else
		mhp_result_error(vm->res, "%s while waiting for %s", strerror(-r), awaited);
	return -1;
}

/* ------------------------------------------------------------ start and stop */

static int prepare(struct mhp_vm *vm, const char *results_dir)
{
	struct mhp_tables tables = MHP_TABLES_INIT;
	int r;

	strcpy(vm->rundir, "/tmp/mhp-run-XXXXXX");
	if (!mkdtemp(vm->rundir)) {
		vm->rundir[0] = '\0';
		return mhp_vm_fail(vm, -errno, "a private run directory in /tmp");
	}
	vm->qmp_path = mhp_xasprintf("%s/qmp.sock", vm->rundir);
	vm->chan_path = mhp_xasprintf("%s/channel.sock", vm->rundir);
	vm->initrd_path = mhp_xasprintf("%s/initrd.cpio", vm->rundir);
	/* A capture boot only fetches QEMU's own tables: it installs none. */
	if (!vm->capture && mhp_tables_build(vm, results_dir, &tables) < 0) {
		mhp_tables_release(&tables);
		return -1;
	}
	r = mhp_initrd_write(vm->initrd_path, vm->o->guest_init, tables.initrd, tables.n);
	mhp_tables_release(&tables);
	if (r < 0) {
		mhp_result_error(vm->res, "cannot build the initrd from '%s': %s", vm->o->guest_init, strerror(-r));
		return -1;
	}
	return 0;
}

static void qemu_version(struct mhp_vm *vm)
{
	json_object *g = vm->qmp.greeting;

	vm->res->qemu_version = mhp_xasprintf("%" PRId64 ".%" PRId64 ".%" PRId64,
					      mhp_json_path_int(g, "QMP/version/qemu/major", -1),
					      mhp_json_path_int(g, "QMP/version/qemu/minor", -1),
					      mhp_json_path_int(g, "QMP/version/qemu/micro", -1));
}

static int spawn(struct mhp_vm *vm, const char *results_dir)
{
	_cleanup_close_ int qmp_listen = -1, chan_listen = -1;
	_cleanup_free_ char *console = mhp_xasprintf("%s/console.log", results_dir);
	_cleanup_free_ char *qemu_log = mhp_xasprintf("%s/qemu.log", results_dir);
	struct mhp_qemu_config cfg = {
		.binary = vm->o->qemu, .accel = vm->o->accel, .kernel = vm->o->kernel,
		.initrd = vm->initrd_path, .console_log = console, .qmp_socket = vm->qmp_path,
		.chan_socket = vm->chan_path, .extra_append = vm->o->append,
	};
	struct mhp_strv argv = MHP_STRV_INIT;
	mhp_deadline_t d = mhp_vm_deadline(vm);
	int r, fd;

	if ((qmp_listen = mhp_unix_listen(vm->qmp_path)) < 0)
		return mhp_vm_fail(vm, qmp_listen, "a QMP socket");
	if ((chan_listen = mhp_unix_listen(vm->chan_path)) < 0)
		return mhp_vm_fail(vm, chan_listen, "a channel socket");
	mhp_qemu_build_argv(&cfg, vm->t, &argv);
	r = mhp_child_start(&vm->qemu, argv.v, qemu_log);
	mhp_strv_release(&argv);
	if (r < 0) {
		mhp_result_error(vm->res, "cannot start QEMU '%s': %s", cfg.binary ? cfg.binary : "qemu-system-x86_64",
				 strerror(-r));
		return -1;
	}
	/* QEMU connects its chardevs in command-line order while starting. */
	if ((fd = mhp_unix_accept(chan_listen, d)) < 0)
		return mhp_vm_fail(vm, fd, "QEMU to connect the guest channel (see qemu.log)");
	mhp_channel_init(&vm->ch, fd, &vm->chan_log);
	if ((fd = mhp_unix_accept(qmp_listen, d)) < 0)
		return mhp_vm_fail(vm, fd, "QEMU to connect QMP (see qemu.log)");
	if ((r = mhp_qmp_init(&vm->qmp, fd, &vm->qmp_log)) < 0 || (r = mhp_qmp_handshake(&vm->qmp, d)) < 0)
		return mhp_vm_fail(vm, r, "the QMP greeting");
	qemu_version(vm);
	return 0;
}

static int hello(struct mhp_vm *vm)
{
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	mhp_deadline_t d = mhp_deadline_in_ms(vm->o->boot_timeout_ms);
	unsigned long long bs = 0, proto = 0;
	const char *auto_online;
	int r = mhp_channel_recv(&vm->ch, d, &m);

	if (r < 0)
		return mhp_vm_fail(vm, r, "the guest's hello (see console.log)");
	auto_online = mhp_wire_get(&m, "auto_online");
	if (strcmp(m.verb, "hello") || mhp_wire_get_u64(&m, "proto", &proto) < 0 || proto != MHP_WIRE_PROTO ||
	    mhp_wire_get_u64(&m, "block_size", &bs) < 0 || bs == 0 || !mhp_wire_get(&m, "release") || !auto_online) {
		mhp_result_error(vm->res, "guest sent '%s' instead of a protocol %d hello", m.verb, MHP_WIRE_PROTO);
		mhp_wire_msg_release(&m);
		return -1;
	}
	vm->block_size = bs;
	snprintf(vm->auto_online, sizeof(vm->auto_online), "%s", auto_online);
	const char *memmap = mhp_wire_get(&m, "memmap_on_memory");
	vm->memmap_on_memory = memmap && strcmp(memmap, "-") && strcmp(memmap, "N") && strcmp(memmap, "0");
	unsigned long long order = 0;
	vm->pageblock_order = mhp_wire_get_u64(&m, "pageblock_order", &order) == 0 && order < 32 ? (unsigned)order : 0;
	vm->res->guest_release = mhp_xstrdup(mhp_wire_get(&m, "release"));
	mhp_wire_msg_release(&m);
	return 0;
}

int mhp_vm_start(struct mhp_vm *vm, const char *results_dir)
{
	_cleanup_free_ char *qmp_log = mhp_xasprintf("%s/qmp.log", results_dir);
	_cleanup_free_ char *chan_log = mhp_xasprintf("%s/channel.log", results_dir);
	int r;

	vm->qemu = (struct mhp_child)MHP_CHILD_INIT;
	vm->ch.fd = vm->qmp.fd = -1;
	if (prepare(vm, results_dir) < 0)
		return -1;
	if ((r = mhp_transcript_open(&vm->qmp_log, qmp_log, vm->res->start_ns)) < 0 ||
	    (r = mhp_transcript_open(&vm->chan_log, chan_log, vm->res->start_ns)) < 0) {
		mhp_result_error(vm->res, "cannot write logs in '%s': %s", results_dir, strerror(-r));
		return -1;
	}
	mhp_result_phase(vm->res, "boot");
	if (spawn(vm, results_dir) < 0 || hello(vm) < 0)
		return -1;
	return vm->capture ? 0 : mhp_tables_check_taken(vm, results_dir);
}

void mhp_vm_teardown(struct mhp_vm *vm)
{
	/* Stop QEMU: QMP quit, then SIGTERM, then SIGKILL, each bounded. */
	if (vm->qemu.pid > 0 && vm->qmp.fd >= 0 && !mhp_child_poll(&vm->qemu) &&
	    mhp_qmp_execute_ref(&vm->qmp, mhp_deadline_in_ms(QUIT_WAIT_MS), "quit", NULL, NULL) == 0)
		mhp_child_wait(&vm->qemu, mhp_deadline_in_ms(QUIT_WAIT_MS));
	mhp_child_stop(&vm->qemu, STOP_GRACE_MS);
	mhp_qmp_release(&vm->qmp);
	mhp_channel_release(&vm->ch);
	mhp_transcript_close(&vm->qmp_log);
	mhp_transcript_close(&vm->chan_log);
	mhp_guest_report_release(&vm->report);
	if (vm->rundir[0]) {
		unlink(vm->qmp_path);
		unlink(vm->chan_path);
		unlink(vm->initrd_path);
		rmdir(vm->rundir);
		vm->rundir[0] = '\0';
	}
	free(vm->qmp_path);
	free(vm->chan_path);
	free(vm->initrd_path);
	vm->qmp_path = vm->chan_path = vm->initrd_path = NULL;
}

/* ------------------------------------------------------------ guest */

int mhp_vm_report(struct mhp_vm *vm)
{
	int r = mhp_channel_report(&vm->ch, mhp_vm_deadline(vm), &vm->report);

	return r < 0 ? mhp_vm_fail(vm, r, "the guest's report") : 0;
}

int mhp_vm_command(struct mhp_vm *vm, const char *cmd, struct mhp_wire_msg *ret_ok)
{
	vm->ch.error[0] = '\0';
	return mhp_channel_command(&vm->ch, mhp_vm_deadline(vm), cmd, ret_ok);
}

static int unhex(const char *hex, unsigned char *out, size_t max, size_t *len)
{
	size_t n = strlen(hex);

	if (n % 2 || *len + n / 2 > max)
		return -EPROTO;
	for (size_t i = 0; i < n; i += 2) {
		unsigned v;
		if (sscanf(hex + i, "%2x", &v) != 1)
			return -EPROTO;
		out[(*len)++] = (unsigned char)v;
	}
	return 0;
}

int mhp_vm_acpi_table(struct mhp_vm *vm, const char *sig, unsigned char **ret_data, size_t *ret_len)
{
	_cleanup_free_ char *cmd = mhp_xasprintf("acpi-table %s", sig);
	_cleanup_free_ unsigned char *data = mhp_xcalloc(1u << 20, 1);
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	unsigned long long want = 0;
	size_t len = 0;
	int r = mhp_channel_send(&vm->ch, mhp_vm_deadline(vm), cmd);

	while (r == 0) {
		r = mhp_channel_recv(&vm->ch, mhp_vm_deadline(vm), &m);
		if (r < 0)
			break;
		if (!strcmp(m.verb, "acpi-data") && mhp_wire_get(&m, "hex"))
			r = unhex(mhp_wire_get(&m, "hex"), data, 1u << 20, &len);
		else if (!strcmp(m.verb, "ok") && mhp_wire_get_u64(&m, "bytes", &want) == 0)
			break;
		else
			r = -EPROTO;
	}
	mhp_wire_msg_release(&m);
	if (r == 0 && want != len)
		r = -EPROTO;
	if (r < 0)
		return mhp_vm_fail(vm, r, cmd);
	*ret_data = TAKE_PTR(data);
	*ret_len = len;
	return 0;
}

/* ------------------------------------------------------------ QMP */

int mhp_vm_qemu_dimm(struct mhp_vm *vm, const char *id, char *buf, size_t size, uint64_t *ret_addr)
{
	json_object *list = NULL;
	int r = mhp_qmp_execute_ref(&vm->qmp, mhp_vm_deadline(vm), "query-memory-devices", NULL, &list);

	if (r < 0)
		return mhp_vm_fail(vm, r, "query-memory-devices");
	snprintf(buf, size, "(absent)");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *dev = json_object_array_get_idx(list, i);
		const char *dev_id = mhp_json_path_string(dev, "data/id");

		if (!dev_id || strcmp(dev_id, id))
			continue;
		snprintf(buf, size, "node=%" PRId64 " size=%" PRId64, mhp_json_path_int(dev, "data/node", -1),
			 mhp_json_path_int(dev, "data/size", -1));
		if (ret_addr)
			*ret_addr = (uint64_t)mhp_json_path_int(dev, "data/addr", 0);
	}
	json_object_put(list);
	return 0;
}

int mhp_vm_plug(struct mhp_vm *vm, const struct mhp_dimm *d)
{
	char backend[64];
	json_object *obj = json_object_new_object(), *dev = json_object_new_object();
	int r;

	mhp_qemu_backend_id(d, backend, sizeof(backend));
	json_object_object_add(obj, "qom-type", json_object_new_string("memory-backend-ram"));
	json_object_object_add(obj, "id", json_object_new_string(backend));
	json_object_object_add(obj, "size", json_object_new_uint64(d->size));
	r = mhp_qmp_execute_ref(&vm->qmp, mhp_vm_deadline(vm), "object-add", obj, NULL);
	if (r < 0) {
		json_object_put(dev);
		return mhp_vm_fail(vm, r, "object-add");
	}
	json_object_object_add(dev, "driver", json_object_new_string("pc-dimm"));
	json_object_object_add(dev, "id", json_object_new_string(d->id));
	json_object_object_add(dev, "memdev", json_object_new_string(backend));
	json_object_object_add(dev, "node", json_object_new_int((int)d->node));
	/* With a regenerated DSDT, slot i's _PXM is DIMM i's: pin it there. */
	if (vm->t->dsdt)
		json_object_object_add(dev, "slot", json_object_new_int((int)(d - vm->t->dimms)));
	if (d->addr)
		json_object_object_add(dev, "addr", json_object_new_uint64(d->addr));
	r = mhp_qmp_execute_ref(&vm->qmp, mhp_vm_deadline(vm), "device_add", dev, NULL);
	return r < 0 ? mhp_vm_fail(vm, r, "device_add") : 0;
}

struct ost_match {
	const char *id;
	int64_t source;
};

static bool ost_event(json_object *ev, void *ctx)
{
	const struct ost_match *m = ctx;
	const char *dev = mhp_json_path_string(ev, "data/info/device");

	return !strcmp(mhp_qmp_event_name(ev), "ACPI_DEVICE_OST") && dev && !strcmp(dev, m->id) &&
	       mhp_json_path_int(ev, "data/info/source", -1) == m->source;
}

int mhp_vm_wait_ost(struct mhp_vm *vm, const char *id, int source, int64_t *ret_status)
{
	struct ost_match m = { id, source };
	json_object *ev = NULL;
	int r = mhp_qmp_event_wait_ref(&vm->qmp, mhp_vm_deadline(vm), ost_event, &m, &ev);

	if (r < 0)
		return mhp_vm_fail(vm, r, "the guest's ACPI _OST");
	*ret_status = mhp_json_path_int(ev, "data/info/status", -1);
	json_object_put(ev);
	return 0;
}

/* DEVICE_DELETED for the DIMM, or an _OST that reports a failed eject
 * (0x84 is "in progress"; 0 success, then DEVICE_DELETED follows). */
static bool unplug_event(json_object *ev, void *ctx)
{
	const char *id = ctx, *name = mhp_qmp_event_name(ev), *dev;

	if (!name)
		return false;
	if (!strcmp(name, "DEVICE_DELETED"))
		return (dev = mhp_json_path_string(ev, "data/device")) && !strcmp(dev, id);
	if (strcmp(name, "ACPI_DEVICE_OST"))
		return false;
	int64_t status = mhp_json_path_int(ev, "data/info/status", 0);
	return (dev = mhp_json_path_string(ev, "data/info/device")) && !strcmp(dev, id) && status != 0 &&
	       status != 0x84;
}

int mhp_vm_unplug(struct mhp_vm *vm, const struct mhp_dimm *d, char *outcome, size_t size)
{
	json_object *args = json_object_new_object(), *ev = NULL;
	int r;

	json_object_object_add(args, "id", json_object_new_string(d->id));
	if ((r = mhp_qmp_execute_ref(&vm->qmp, mhp_vm_deadline(vm), "device_del", args, NULL)) < 0)
		return mhp_vm_fail(vm, r, "device_del");
	if ((r = mhp_qmp_event_wait_ref(&vm->qmp, mhp_vm_deadline(vm), unplug_event, (void *)d->id, &ev)) < 0)
		return mhp_vm_fail(vm, r, "DEVICE_DELETED or a failed ACPI_DEVICE_OST");
	if (!strcmp(mhp_qmp_event_name(ev), "DEVICE_DELETED"))
		snprintf(outcome, size, "removed");
	else
		snprintf(outcome, size, "refused (ACPI _OST status 0x%" PRIx64 ")",
			 (uint64_t)mhp_json_path_int(ev, "data/info/status", 0));
	json_object_put(ev);
	return 0;
}

int mhp_vm_object_del(struct mhp_vm *vm, const struct mhp_dimm *d)
{
	char backend[64];
	json_object *args = json_object_new_object();
	int r;

	mhp_qemu_backend_id(d, backend, sizeof(backend));
	json_object_object_add(args, "id", json_object_new_string(backend));
	r = mhp_qmp_execute_ref(&vm->qmp, mhp_vm_deadline(vm), "object-del", args, NULL);
	return r < 0 ? mhp_vm_fail(vm, r, "object-del") : 0;
}

/* ------------------------------------------------------------ power off */

static bool is_shutdown(json_object *ev, void *ctx)
{
	(void)ctx;
	return !strcmp(mhp_qmp_event_name(ev), "SHUTDOWN");
}

/* QEMU sends SHUTDOWN before it exits; its reason tells a guest power-off
 * ("guest-shutdown") from a reset after a panic ("guest-reset"). */
static void check_shutdown_reason(struct mhp_vm *vm)
{
	json_object *ev = NULL;
	const char *reason = "(no SHUTDOWN event)";

	if (mhp_qmp_event_wait_ref(&vm->qmp, mhp_deadline_in_ms(1000), is_shutdown, NULL, &ev) == 0)
		reason = mhp_json_path_string(ev, "data/reason");
	mhp_result_check(vm->res, "poweroff: SHUTDOWN reason", "guest-shutdown", reason ? reason : "(none)");
	json_object_put(ev);
}

int mhp_vm_power_off(struct mhp_vm *vm)
{
	char how[96];
	int r;

	if ((r = mhp_vm_command(vm, "poweroff", NULL)) < 0 && r != -ECONNRESET)
		return mhp_vm_fail(vm, r, "the guest to accept poweroff");
	if ((r = mhp_child_wait(&vm->qemu, mhp_vm_deadline(vm))) < 0)
		return mhp_vm_fail(vm, r, "QEMU to exit after poweroff");
	mhp_result_check(vm->res, "poweroff: QEMU exit", "exit status 0", mhp_child_describe(&vm->qemu, how, sizeof(how)));
	check_shutdown_reason(vm);
	return 0;
}
