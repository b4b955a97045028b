/* One topology run, in phases: setup (ACPI tables; QEMU's DSDT captured
 * first when the topology edits it), boot, baseline report, the steps,
 * poweroff.  Any failure ends the run with the phase it happened in;
 * teardown and the console's health scan always run. */
#include "run/engine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acpi/acpi.h"
#include "acpi/tables.h"
#include "lib/cleanup.h"
#include "report/health.h"
#include "run/boot.h"
#include "run/deadlines.h"
#include "run/capture.h"
#include "run/steps.h"

struct engine {
	const struct mhp_run_opts *o;
	const struct mhp_topology *t;
	const char *dir;             /* results/<run> */
	struct mhp_result *res;
	struct mhp_machine m;
	struct mhp_guest g;
	struct mhp_tables tables;
	struct mhp_initrd_table initrd[2];
	struct mhp_steps steps;
	struct mhp_boot boot;
	struct mhp_guest_modules modules; /* --module's, and virtio-mem's for a topology with one */
};

/* What the guest init loads: the --module list, then what a virtio-mem
 * device needs (each module once). */
static void pick_modules(struct engine *e, const struct mhp_run_opts *o)
{
	const struct mhp_guest_modules *lists[] = { o->modules,
						    mhp_topology_has_virtio_mem(e->t) ? o->virtio_mem : NULL };

	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && i < lists[l]->names.n; i++) {
			bool dup = false;
			for (size_t j = 0; j < e->modules.names.n && !dup; j++)
				dup = !strcmp(e->modules.names.v[j], lists[l]->names.v[i]);
			if (dup)
				continue;
			mhp_strv_push(&e->modules.names, lists[l]->names.v[i]);
			mhp_strv_push(&e->modules.paths, lists[l]->paths.v[i]);
		}
	e->m.modules = &e->modules;
}

static int setup(struct engine *e)
{
	_cleanup_free_ char *acpi = mhp_xasprintf("%s/acpi", e->dir), *qemu_dsdt = mhp_xasprintf("%s/qemu-dsdt.aml", acpi);
	char err[1024];

	if (e->t->dsdt) {
		mhp_result_phase(e->res, "dsdt capture");
		if (mhp_mkdir_p(acpi, 0755) < 0 || mhp_capture_dsdt(&e->m, &e->o->backend, acpi, err, sizeof(err)) < 0) {
			mhp_result_error(e->res, "%s", err);
			return -1;
		}
		mhp_result_phase(e->res, "setup");
	}
	if (mhp_tables_build(e->t, e->dir, qemu_dsdt, &e->tables, err, sizeof(err)) < 0) {
		mhp_result_error(e->res, "%s", err);
		return -1;
	}
	for (size_t i = 0; i < e->tables.n; i++)
		e->initrd[i] = (struct mhp_initrd_table){ e->tables.names[i], e->tables.paths[i] };
	e->m.tables = e->initrd;
	e->m.ntables = e->tables.n;
	return 0;
}

/* A table the kernel ignored would leave QEMU's in place: the run would
 * test the wrong machine, so it stops. */
static int check_taken(struct engine *e, const char *console, const char *sig)
{
	char line[128], aspect[64];
	bool taken;

	mhp_acpi_upgrade_line(sig, line, sizeof(line));
	taken = strstr(console, line) != NULL;
	snprintf(aspect, sizeof(aspect), "kernel took our %s", sig);
	mhp_result_check(e->res, NULL, aspect, "yes", taken ? "yes" : "no");
	if (taken)
		return 0;
	mhp_result_error(e->res, "the kernel ignored the generated %s (no '%s' in console.log): "
		"its OEM ID, OEM table ID and a revision above QEMU's must match", sig, line);
	return -1;
}

static int tables_taken(struct engine *e)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/console.log", e->dir), *console = NULL;

	if (!e->t->srat && !e->t->dsdt)
		return 0;
	if (mhp_read_file(path, 64u << 20, &console, NULL) < 0)
		console = mhp_xstrdup("");
	if (e->t->srat && check_taken(e, console, "SRAT") < 0)
		return -1;
	return e->t->dsdt ? check_taken(e, console, "DSDT") : 0;
}

/* The modules the initrd carries, as init names the ones it loaded. */
static void modules_loaded(struct engine *e)
{
	const struct mhp_strv *names = e->m.modules ? &e->m.modules->names : NULL;

	if (!names || !names->n)
		return;
	_cleanup_free_ char *want = mhp_xstrdup("");
	for (size_t i = 0; i < names->n; i++) {
		char *more = mhp_xasprintf("%s%s%s", want, i ? "," : "", names->v[i]);
		free(want);
		want = more;
	}
	mhp_result_check(e->res, NULL, "modules guest init loaded", want,
			 e->g.hello.modules[0] ? e->g.hello.modules : "(none)");
}

static int boot(struct engine *e)
{
	int r;

	mhp_result_phase(e->res, "boot");
	mhp_result_step(e->res, 0, "boot", NULL);
	r = mhp_boot_start(&e->boot, &e->g, &e->m);
	e->res->boot = e->boot.how ? mhp_xstrdup(e->boot.how) : NULL;
	if (e->g.hypervisor_version[0])
		e->res->qemu_version = mhp_xstrdup(e->g.hypervisor_version);
	if (r < 0)
		return mhp_steps_guest_failed(e->res, &e->g);
	if (e->boot.cold_boot_ns)
		mhp_deadlines_record(&(struct mhp_deadline_key){ e->m.kernel, e->m.qemu, e->m.accel }, e->boot.cold_boot_ns);
	e->res->guest_release = mhp_xstrdup(e->g.hello.release);
	modules_loaded(e);
	if (tables_taken(e) < 0)
		return -1;
	return mhp_boot_settle(&e->boot, &e->g, e->res);
}

static void power_off(struct engine *e)
{
	char exit[96], reason[64];

	mhp_result_phase(e->res, "poweroff");
	mhp_result_step(e->res, 0, "poweroff", NULL);
	if (mhp_guest_power_off(&e->g, exit, sizeof(exit), reason, sizeof(reason)) < 0) {
		mhp_steps_guest_failed(e->res, &e->g);
		return;
	}
	mhp_result_check(e->res, NULL, "QEMU exit", e->g.ops->clean_exit, exit);
	mhp_result_check(e->res, NULL, "SHUTDOWN reason", "guest-shutdown", reason);
}

/* A topology the backend cannot run as it says is not scored, never run
 * some other way. */
static bool unsupported(struct engine *e)
{
	char why[512];

	if (!e->g.ops->unsupported || e->g.ops->unsupported(e->t, why, sizeof(why)) != 1)
		return false;
	mhp_result_skip(e->res, NULL, "not run on this backend", why);
	return true;
}

static void run(struct engine *e)
{
	if (unsupported(e))
		return;
	mhp_result_phase(e->res, "setup");
	if (setup(e) < 0 || boot(e) < 0)
		return;
	mhp_result_phase(e->res, "baseline report");
	if (mhp_steps_baseline(&e->steps, &e->g, e->t, e->res) < 0)
		return;
	for (unsigned i = 0; i < e->t->nr_steps; i++)
		if (mhp_steps_run(&e->steps, i) < 0)
			return;
	power_off(e);
}

int mhp_engine_run(const struct mhp_run_opts *o, const struct mhp_topology *t, const char *results_dir,
		   struct mhp_result *res)
{
	struct engine e = {
		.o = o, .t = t, .dir = results_dir, .res = res,
		.m = { .t = t, .kernel = o->kernel, .guest_init = o->guest_init, .accel = o->accel, .qemu = o->qemu,
		       .append = o->append, .boot_timeout_ms = o->boot_timeout_ms, .timeout_ms = o->timeout_ms,
		       .pin_slots = t->dsdt, .log_dir = results_dir, .epoch_ns = res->start_ns },
		.tables = MHP_TABLES_INIT,
		.boot = { .snapshots = o->snapshots, .cap = o->snapshot_cap, .guest_init = mhp_qemu_guest_init,
			  .snap = MHP_SNAPSHOT_INIT },
		.modules = MHP_GUEST_MODULES_INIT,
	};

	mhp_guest_init_backend(&e.g, &o->backend);
	pick_modules(&e, o);
	run(&e);
	mhp_guest_teardown(&e.g);
	mhp_guest_modules_release(&e.modules);
	mhp_boot_release(&e.boot);
	mhp_tables_release(&e.tables);
	/* After teardown the console is complete, whatever ended the run. */
	mhp_health_check(res, results_dir);
	mhp_steps_release(&e.steps);
	mhp_result_finish(res);
	return res->error ? -1 : 0;
}
