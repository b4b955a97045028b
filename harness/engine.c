#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "cleanup.h"
#include "initrd.h"
#include "qemu.h"
#include "qmp.h"

#define STOP_GRACE_MS 3000
#define DEATH_WAIT_MS 2000 /* a closed socket arrives just before the exit */

/* Everything one running guest holds; torn down by vm_teardown(). */
struct vm {
	const struct mhp_run_opts *o;
	const struct mhp_scenario *s;
	struct mhp_result *res;
	char rundir[64];
	char *qmp_path, *chan_path, *initrd_path;
	struct mhp_child qemu;
	struct mhp_qmp qmp;
	struct mhp_channel ch;
	struct mhp_transcript qmp_log, chan_log;
	uint64_t block_size;
	struct mhp_guest_report report; /* the latest one */
	unsigned *blocks[MHP_MAX_DIMMS]; /* ids of each plugged DIMM's blocks */
	unsigned nblocks[MHP_MAX_DIMMS];
	int64_t kb_before_plug[MHP_MAX_DIMMS]; /* node MemTotal before the plug */
};

static mhp_deadline_t step_deadline(const struct vm *vm)
{
	return mhp_deadline_in_ms(vm->o->timeout_ms);
}

/* Turns an I/O failure into the run's error, naming what was awaited and,
 * when QEMU is gone, how it ended. */
static int vm_fail(struct vm *vm, int r, const char *awaited)
{
	char how[96];

	if (r == -EINTR) {
		vm->res->interrupted = true;
		mhp_result_error(vm->res, "interrupted while waiting for %s", awaited);
	} else if (mhp_child_wait(&vm->qemu, mhp_deadline_in_ms(DEATH_WAIT_MS)) == 0)
		mhp_result_error(vm->res, "QEMU exited (%s) while waiting for %s", mhp_child_describe(&vm->qemu, how, sizeof(how)), awaited);
	else if (r == -ETIMEDOUT)
		mhp_result_error(vm->res, "timed out waiting for %s", awaited);
	else if (r == -EREMOTEIO && vm->ch.error[0])
		mhp_result_error(vm->res, "guest answered '%s' to %s", vm->ch.error, awaited);
	else if (r == -EREMOTEIO)
		mhp_result_error(vm->res, "QMP error '%s' for %s", vm->qmp.error, awaited);
	else
		mhp_result_error(vm->res, "%s while waiting for %s", strerror(-r), awaited);
	return -1;
}

/* ------------------------------------------------------------ start and stop */

static int vm_prepare(struct vm *vm)
{
	strcpy(vm->rundir, "/tmp/mhp-run-XXXXXX");
	if (!mkdtemp(vm->rundir)) {
		vm->rundir[0] = '\0';
		return -errno;
	}
	vm->qmp_path = mhp_xasprintf("%s/qmp.sock", vm->rundir);
	vm->chan_path = mhp_xasprintf("%s/channel.sock", vm->rundir);
	vm->initrd_path = mhp_xasprintf("%s/initrd.cpio", vm->rundir);
	return mhp_initrd_write(vm->initrd_path, vm->o->guest_init);
}

static void qemu_version(struct vm *vm)
{
	json_object *g = vm->qmp.greeting;

	vm->res->qemu_version = mhp_xasprintf("%" PRId64 ".%" PRId64 ".%" PRId64,
					      mhp_json_path_int(g, "QMP/version/qemu/major", -1),
					      mhp_json_path_int(g, "QMP/version/qemu/minor", -1),
					      mhp_json_path_int(g, "QMP/version/qemu/micro", -1));
}

static int vm_spawn(struct vm *vm, const char *results_dir)
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
	mhp_deadline_t d = mhp_deadline_in_ms(vm->o->timeout_ms);
	int r, fd;

	if ((qmp_listen = mhp_unix_listen(vm->qmp_path)) < 0)
		return vm_fail(vm, qmp_listen, "a QMP socket");
	if ((chan_listen = mhp_unix_listen(vm->chan_path)) < 0)
		return vm_fail(vm, chan_listen, "a channel socket");
	mhp_qemu_build_argv(&cfg, vm->s, &argv);
	r = mhp_child_start(&vm->qemu, argv.v, qemu_log);
	mhp_strv_release(&argv);
	if (r < 0) {
		mhp_result_error(vm->res, "cannot start QEMU '%s': %s", cfg.binary ? cfg.binary : "qemu-system-x86_64", strerror(-r));
		return -1;
	}
	/* QEMU connects its chardevs in command-line order while starting. */
	if ((fd = mhp_unix_accept(chan_listen, d)) < 0)
		return vm_fail(vm, fd, "QEMU to connect the guest channel (see qemu.log)");
	mhp_channel_init(&vm->ch, fd, &vm->chan_log);
	if ((fd = mhp_unix_accept(qmp_listen, d)) < 0)
		return vm_fail(vm, fd, "QEMU to connect QMP (see qemu.log)");
	if ((r = mhp_qmp_init(&vm->qmp, fd, &vm->qmp_log)) < 0 || (r = mhp_qmp_handshake(&vm->qmp, d)) < 0)
		return vm_fail(vm, r, "the QMP greeting");
	qemu_version(vm);
	return 0;
}

static void vm_teardown(struct vm *vm)
{
	mhp_child_stop(&vm->qemu, STOP_GRACE_MS);
	mhp_qmp_release(&vm->qmp);
	mhp_channel_release(&vm->ch);
	mhp_transcript_close(&vm->qmp_log);
	mhp_transcript_close(&vm->chan_log);
	mhp_guest_report_release(&vm->report);
	for (unsigned i = 0; i < MHP_MAX_DIMMS; i++)
		free(vm->blocks[i]);
	if (vm->rundir[0]) {
		unlink(vm->qmp_path);
		unlink(vm->chan_path);
		unlink(vm->initrd_path);
		rmdir(vm->rundir);
	}
	free(vm->qmp_path);
	free(vm->chan_path);
	free(vm->initrd_path);
}

/* ------------------------------------------------------------ guest */

static int guest_hello(struct vm *vm)
{
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	mhp_deadline_t d = mhp_deadline_in_ms(vm->o->boot_timeout_ms);
	unsigned long long bs = 0, proto = 0;
	int r = mhp_channel_recv(&vm->ch, d, &m);

	if (r < 0)
		return vm_fail(vm, r, "the guest's hello (see console.log)");
	if (strcmp(m.verb, "hello") || mhp_wire_get_u64(&m, "proto", &proto) < 0 || proto != MHP_WIRE_PROTO ||
	    mhp_wire_get_u64(&m, "block_size", &bs) < 0 || bs == 0 || !mhp_wire_get(&m, "release")) {
		mhp_result_error(vm->res, "guest sent '%s' instead of a protocol %d hello", m.verb, MHP_WIRE_PROTO);
		mhp_wire_msg_release(&m);
		return -1;
	}
	vm->block_size = bs;
	vm->res->guest_release = mhp_xstrdup(mhp_wire_get(&m, "release"));
	mhp_wire_msg_release(&m);
	return 0;
}

static int guest_report(struct vm *vm)
{
	int r = mhp_channel_report(&vm->ch, step_deadline(vm), &vm->report);

	return r < 0 ? vm_fail(vm, r, "the guest's report") : 0;
}

static int guest_command(struct vm *vm, const char *cmd, struct mhp_wire_msg *ret_ok)
{
	vm->ch.error[0] = '\0';
	return mhp_channel_command(&vm->ch, step_deadline(vm), cmd, ret_ok);
}

/* Parses "ids=32,33" of an await answer into a new array. */
static unsigned parse_ids(const char *list, unsigned **ret)
{
	unsigned n = 0, *ids = mhp_xcalloc(strlen(list) / 2 + 1, sizeof(*ids));

	for (const char *p = list; *p && *p != '-';) {
		char *end;
		ids[n++] = (unsigned)strtoul(p, &end, 10);
		p = *end == ',' ? end + 1 : end + strlen(end);
	}
	*ret = ids;
	return n;
}

/* ------------------------------------------------------------ checks */

static void check_u64(struct vm *vm, const char *name, uint64_t expected, int64_t observed)
{
	char e[32], o[32];

	snprintf(e, sizeof(e), "%" PRIu64, expected);
	snprintf(o, sizeof(o), "%" PRId64, observed);
	mhp_result_check(vm->res, name, e, observed < 0 ? "(absent)" : o);
}

static void check_node_memtotal(struct vm *vm, const char *what, unsigned node, uint64_t expected_kb)
{
	char name[128];

	snprintf(name, sizeof(name), "%s: node %u MemTotal kB", what, node);
	check_u64(vm, name, expected_kb, mhp_guest_report_memtotal_kb(&vm->report, node));
}

/* The DIMM as QEMU lists it in query-memory-devices: "node=N size=S", or
 * "(absent)". ret_addr gets its address. */
static int qemu_dimm_state(struct vm *vm, const char *id, char *buf, size_t size, uint64_t *ret_addr)
{
	json_object *list = NULL;
	int r = mhp_qmp_execute_ref(&vm->qmp, step_deadline(vm), "query-memory-devices", NULL, &list);

	if (r < 0)
		return vm_fail(vm, r, "query-memory-devices");
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

/* ------------------------------------------------------------ plug */

static int qmp_plug(struct vm *vm, const struct mhp_dimm *d)
{
	char backend[64];
	json_object *obj = json_object_new_object(), *dev = json_object_new_object();
	int r;

	mhp_qemu_backend_id(d, backend, sizeof(backend));
	json_object_object_add(obj, "qom-type", json_object_new_string("memory-backend-ram"));
	json_object_object_add(obj, "id", json_object_new_string(backend));
	json_object_object_add(obj, "size", json_object_new_uint64(d->size));
	r = mhp_qmp_execute_ref(&vm->qmp, step_deadline(vm), "object-add", obj, NULL);
	if (r < 0) {
		json_object_put(dev);
		return vm_fail(vm, r, "object-add");
	}
	json_object_object_add(dev, "driver", json_object_new_string("pc-dimm"));
	json_object_object_add(dev, "id", json_object_new_string(d->id));
	json_object_object_add(dev, "memdev", json_object_new_string(backend));
	json_object_object_add(dev, "node", json_object_new_int((int)d->node));
	if (d->addr)
		json_object_object_add(dev, "addr", json_object_new_uint64(d->addr));
	r = mhp_qmp_execute_ref(&vm->qmp, step_deadline(vm), "device_add", dev, NULL);
	return r < 0 ? vm_fail(vm, r, "device_add") : 0;
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

/* The guest's _OST for the insertion (source 1) comes once its whole ACPI
 * hotplug handler ran, auto-onlining included: the barrier before looking. */
static int plug_wait_ost(struct vm *vm, const struct mhp_dimm *d, const char *what)
{
	struct ost_match m = { d->id, 1 };
	json_object *ev = NULL;
	char name[128], status[32];
	int r = mhp_qmp_event_wait_ref(&vm->qmp, step_deadline(vm), ost_event, &m, &ev);

	if (r < 0)
		return vm_fail(vm, r, "the guest's ACPI _OST for the insertion");
	snprintf(status, sizeof(status), "0x%" PRIx64, (uint64_t)mhp_json_path_int(ev, "data/info/status", -1));
	json_object_put(ev);
	snprintf(name, sizeof(name), "%s: guest _OST status", what);
	mhp_result_check(vm->res, name, "0x0", status);
	return 0;
}

static void check_plugged_blocks(struct vm *vm, const struct mhp_step *st, const char *what)
{
	const struct mhp_dimm *d = &vm->s->dimms[st->dimm];
	char name[128], node[16];

	snprintf(node, sizeof(node), "%u", d->node);
	for (unsigned i = 0; i < vm->nblocks[st->dimm]; i++) {
		unsigned id = vm->blocks[st->dimm][i];
		const struct mhp_block *b = mhp_guest_report_block(&vm->report, id);
		char obs[16];

		snprintf(obs, sizeof(obs), "%d", b ? b->node : -1);
		snprintf(name, sizeof(name), "%s: block %u node", what, id);
		mhp_result_check(vm->res, name, node, b ? obs : "(absent)");
		snprintf(name, sizeof(name), "%s: block %u state", what, id);
		mhp_result_check(vm->res, name, st->expect_online ? "online" : "offline", b ? b->state : "(absent)");
		if (st->expect_zone[0]) {
			snprintf(name, sizeof(name), "%s: block %u zone", what, id);
			mhp_result_check(vm->res, name, st->expect_zone, b ? b->zone : "(absent)");
		}
		if (st->expect_valid[0]) {
			snprintf(name, sizeof(name), "%s: block %u valid_zones", what, id);
			mhp_result_check(vm->res, name, st->expect_valid, b ? b->valid_zones : "(absent)");
		}
	}
}

/* The blocks that appeared must be exactly the DIMM's physical range. */
static void check_block_range(struct vm *vm, unsigned di, uint64_t addr, const char *what)
{
	const struct mhp_dimm *d = &vm->s->dimms[di];
	char name[128], e[64], o[64];
	unsigned first = (unsigned)(addr / vm->block_size), n = vm->nblocks[di];
	unsigned lo = n ? vm->blocks[di][0] : 0, hi = lo;

	for (unsigned i = 0; i < n; i++) {
		lo = vm->blocks[di][i] < lo ? vm->blocks[di][i] : lo;
		hi = vm->blocks[di][i] > hi ? vm->blocks[di][i] : hi;
	}
	snprintf(name, sizeof(name), "%s: new blocks", what);
	snprintf(e, sizeof(e), "%" PRIu64 " blocks, ids %u-%u", d->size / vm->block_size, first,
		 first + (unsigned)(d->size / vm->block_size) - 1);
	snprintf(o, sizeof(o), "%u blocks, ids %u-%u", n, lo, hi);
	mhp_result_check(vm->res, name, e, n ? o : "0 blocks");
}

static int step_plug(struct vm *vm, const struct mhp_step *st, const char *what)
{
	const struct mhp_dimm *d = &vm->s->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	unsigned want = (unsigned)(d->size / vm->block_size);
	char cmd[64], qemu_state[96], expect[96], name[128];
	uint64_t addr = 0;
	int r;

	vm->kb_before_plug[st->dimm] = mhp_guest_report_memtotal_kb(&vm->report, d->node);
	if (qmp_plug(vm, d) < 0 || plug_wait_ost(vm, d, what) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "await-add %u %u", want, vm->o->timeout_ms);
	if ((r = guest_command(vm, cmd, &ok)) < 0)
		return vm_fail(vm, r, "the guest to see the new memory blocks");
	free(vm->blocks[st->dimm]);
	vm->nblocks[st->dimm] = parse_ids(mhp_wire_get(&ok, "ids") ? mhp_wire_get(&ok, "ids") : "-", &vm->blocks[st->dimm]);
	mhp_wire_msg_release(&ok);
	if (qemu_dimm_state(vm, d->id, qemu_state, sizeof(qemu_state), &addr) < 0 || guest_report(vm) < 0)
		return -1;
	snprintf(expect, sizeof(expect), "node=%u size=%" PRIu64, d->node, d->size);
	snprintf(name, sizeof(name), "%s: QEMU lists the DIMM", what);
	mhp_result_check(vm->res, name, expect, qemu_state);
	check_block_range(vm, st->dimm, addr, what);
	check_plugged_blocks(vm, st, what);
	return 0;
}

/* ------------------------------------------------------------ online/offline */

static int step_online(struct vm *vm, const struct mhp_step *st, const char *what, bool online)
{
	const struct mhp_dimm *d = &vm->s->dimms[st->dimm];
	char cmd[64], name[128];

	for (unsigned i = 0; i < vm->nblocks[st->dimm]; i++) {
		unsigned id = vm->blocks[st->dimm][i];
		int r;

		if (online)
			snprintf(cmd, sizeof(cmd), "online %u %s", id, st->online_type);
		else
			snprintf(cmd, sizeof(cmd), "offline %u %u", id, vm->o->timeout_ms);
		r = guest_command(vm, cmd, NULL);
		snprintf(name, sizeof(name), "%s: block %u %s", what, id, online ? st->online_type : "offline");
		if (r == -EREMOTEIO && !strncmp(vm->ch.error, "error", 5))
			mhp_result_check(vm->res, name, "ok", vm->ch.error);
		else if (r < 0)
			return vm_fail(vm, r, cmd);
		else
			mhp_result_check(vm->res, name, "ok", "ok");
	}
	if (guest_report(vm) < 0)
		return -1;
	for (unsigned i = 0; i < vm->nblocks[st->dimm]; i++) {
		const struct mhp_block *b = mhp_guest_report_block(&vm->report, vm->blocks[st->dimm][i]);

		snprintf(name, sizeof(name), "%s: block %u state", what, vm->blocks[st->dimm][i]);
		mhp_result_check(vm->res, name, online ? "online" : "offline", b ? b->state : "(absent)");
		if (!st->expect_zone[0])
			continue;
		snprintf(name, sizeof(name), "%s: block %u zone", what, vm->blocks[st->dimm][i]);
		mhp_result_check(vm->res, name, st->expect_zone, b ? b->zone : "(absent)");
	}
	/* Onlined memory is all managed (no memmap_on_memory here): MemTotal grows by the DIMM. */
	check_node_memtotal(vm, what, d->node,
			    (uint64_t)vm->kb_before_plug[st->dimm] + (online ? d->size >> 10 : 0));
	return 0;
}

/* ------------------------------------------------------------ unplug */

struct unplug_match {
	const char *id;
};

/* DEVICE_DELETED for the DIMM, or an _OST that reports a failed eject
 * (0x84 is "in progress"; 0 success, then DEVICE_DELETED follows). */
static bool unplug_event(json_object *ev, void *ctx)
{
	const struct unplug_match *m = ctx;
	const char *name = mhp_qmp_event_name(ev), *dev;

	if (!name)
		return false;
	if (!strcmp(name, "DEVICE_DELETED"))
		return (dev = mhp_json_path_string(ev, "data/device")) && !strcmp(dev, m->id);
	if (strcmp(name, "ACPI_DEVICE_OST"))
		return false;
	int64_t status = mhp_json_path_int(ev, "data/info/status", 0);
	return (dev = mhp_json_path_string(ev, "data/info/device")) && !strcmp(dev, m->id) && status != 0 &&
	       status != 0x84;
}

static int unplug_wait(struct vm *vm, const struct mhp_dimm *d, char *outcome, size_t size)
{
	struct unplug_match m = { d->id };
	json_object *args = json_object_new_object(), *ev = NULL;
	int r;

	json_object_object_add(args, "id", json_object_new_string(d->id));
	if ((r = mhp_qmp_execute_ref(&vm->qmp, step_deadline(vm), "device_del", args, NULL)) < 0)
		return vm_fail(vm, r, "device_del");
	if ((r = mhp_qmp_event_wait_ref(&vm->qmp, step_deadline(vm), unplug_event, &m, &ev)) < 0)
		return vm_fail(vm, r, "DEVICE_DELETED or a failed ACPI_DEVICE_OST");
	if (!strcmp(mhp_qmp_event_name(ev), "DEVICE_DELETED"))
		snprintf(outcome, size, "removed");
	else
		snprintf(outcome, size, "refused (ACPI _OST status 0x%" PRIx64 ")",
			 (uint64_t)mhp_json_path_int(ev, "data/info/status", 0));
	json_object_put(ev);
	return 0;
}

static void check_blocks_gone(struct vm *vm, unsigned di, const char *what)
{
	char name[128], left[256] = "";
	size_t off = 0;

	for (unsigned i = 0; i < vm->nblocks[di]; i++)
		if (mhp_guest_report_block(&vm->report, vm->blocks[di][i]) && off < sizeof(left) - 12)
			off += (size_t)snprintf(left + off, sizeof(left) - off, "%s%u", off ? "," : "", vm->blocks[di][i]);
	snprintf(name, sizeof(name), "%s: blocks gone", what);
	mhp_result_check(vm->res, name, "none left", off ? left : "none left");
}

static int step_unplug(struct vm *vm, const struct mhp_step *st, const char *what)
{
	const struct mhp_dimm *d = &vm->s->dimms[st->dimm];
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	char outcome[96], name[128], cmd[64], backend[64], qemu_state[96];
	json_object *args;
	int r;

	if (unplug_wait(vm, d, outcome, sizeof(outcome)) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s: outcome", what);
	if (mhp_result_check(vm->res, name, "removed", outcome) != MHP_STATUS_PASS)
		return 0;
	mhp_qemu_backend_id(d, backend, sizeof(backend));
	args = json_object_new_object();
	json_object_object_add(args, "id", json_object_new_string(backend));
	if ((r = mhp_qmp_execute_ref(&vm->qmp, step_deadline(vm), "object-del", args, NULL)) < 0)
		return vm_fail(vm, r, "object-del");
	snprintf(cmd, sizeof(cmd), "await-remove %u %u", vm->nblocks[st->dimm], vm->o->timeout_ms);
	if ((r = guest_command(vm, cmd, &ok)) < 0)
		return vm_fail(vm, r, "the guest to see the blocks removed");
	mhp_wire_msg_release(&ok);
	if (guest_report(vm) < 0 || qemu_dimm_state(vm, d->id, qemu_state, sizeof(qemu_state), NULL) < 0)
		return -1;
	check_blocks_gone(vm, st->dimm, what);
	check_node_memtotal(vm, what, d->node, (uint64_t)vm->kb_before_plug[st->dimm]);
	snprintf(name, sizeof(name), "%s: QEMU lists the DIMM", what);
	mhp_result_check(vm->res, name, "(absent)", qemu_state);
	return 0;
}

/* ------------------------------------------------------------ the run */

static int run_step(struct vm *vm, unsigned i)
{
	const struct mhp_step *st = &vm->s->steps[i];
	char what[96];

	snprintf(what, sizeof(what), "step %u %s %s", i + 1, mhp_step_kind_name(st->kind), vm->s->dimms[st->dimm].id);
	mhp_result_phase(vm->res, "%s", what);
	switch (st->kind) {
	case MHP_STEP_PLUG: return step_plug(vm, st, what);
	case MHP_STEP_ONLINE: return step_online(vm, st, what, true);
	case MHP_STEP_OFFLINE: return step_online(vm, st, what, false);
	case MHP_STEP_UNPLUG: return step_unplug(vm, st, what);
	case MHP_STEP_INVALID: break;
	}
	mhp_result_error(vm->res, "invalid step %u", i + 1);
	return -1;
}

static bool is_shutdown(json_object *ev, void *ctx)
{
	(void)ctx;
	return !strcmp(mhp_qmp_event_name(ev), "SHUTDOWN");
}

/* QEMU sends SHUTDOWN before it exits; its reason tells a guest power-off
 * ("guest-shutdown") from a reset after a panic ("guest-reset"). */
static void check_shutdown_reason(struct vm *vm)
{
	json_object *ev = NULL;
	const char *reason = "(no SHUTDOWN event)";

	if (mhp_qmp_event_wait_ref(&vm->qmp, mhp_deadline_in_ms(1000), is_shutdown, NULL, &ev) == 0)
		reason = mhp_json_path_string(ev, "data/reason");
	mhp_result_check(vm->res, "poweroff: SHUTDOWN reason", "guest-shutdown", reason ? reason : "(none)");
	json_object_put(ev);
}

static int power_off(struct vm *vm)
{
	char how[96];
	int r;

	mhp_result_phase(vm->res, "poweroff");
	if ((r = guest_command(vm, "poweroff", NULL)) < 0 && r != -ECONNRESET)
		return vm_fail(vm, r, "the guest to accept poweroff");
	if ((r = mhp_child_wait(&vm->qemu, step_deadline(vm))) < 0)
		return vm_fail(vm, r, "QEMU to exit after poweroff");
	mhp_result_check(vm->res, "poweroff: QEMU exit", "exit status 0", mhp_child_describe(&vm->qemu, how, sizeof(how)));
	check_shutdown_reason(vm);
	return 0;
}

static int vm_run(struct vm *vm, const char *results_dir)
{
	_cleanup_free_ char *qmp_log = mhp_xasprintf("%s/qmp.log", results_dir);
	_cleanup_free_ char *chan_log = mhp_xasprintf("%s/channel.log", results_dir);
	int r;

	mhp_result_phase(vm->res, "setup");
	if ((r = vm_prepare(vm)) < 0) {
		mhp_result_error(vm->res, "cannot build the initrd from '%s': %s", vm->o->guest_init, strerror(-r));
		return r;
	}
	if ((r = mhp_transcript_open(&vm->qmp_log, qmp_log, vm->res->start_ns)) < 0 ||
	    (r = mhp_transcript_open(&vm->chan_log, chan_log, vm->res->start_ns)) < 0) {
		mhp_result_error(vm->res, "cannot write logs in '%s': %s", results_dir, strerror(-r));
		return r;
	}
	mhp_result_phase(vm->res, "boot");
	if (vm_spawn(vm, results_dir) < 0 || guest_hello(vm) < 0)
		return 0;
	mhp_result_phase(vm->res, "baseline report");
	if (guest_report(vm) < 0)
		return 0;
	for (unsigned i = 0; i < vm->s->nr_steps; i++)
		if (run_step(vm, i) < 0)
			return 0;
	power_off(vm);
	return 0;
}

int mhp_engine_run(const struct mhp_run_opts *o, const struct mhp_scenario *s, const char *results_dir,
		   struct mhp_result *res)
{
	struct vm vm = { .o = o, .s = s, .res = res, .qemu = MHP_CHILD_INIT };
	int r;

	vm.ch.fd = -1;
	vm.qmp.fd = -1;
	r = vm_run(&vm, results_dir);
	vm_teardown(&vm);
	mhp_result_finish(res);
	return r;
}
