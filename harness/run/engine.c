#include "run/engine.h"

#include <string.h>

#include "report/health.h"
#include "run/steps.h"
#include "guest/vm.h"

/* boot -> baseline -> steps -> poweroff.  Any failure ends the run with the
 * phase it happened in; teardown always runs. */
static void run(struct mhp_vm *vm, struct mhp_steps *steps, const char *results_dir)
{
	mhp_result_phase(vm->res, "setup");
	if (mhp_vm_start(vm, results_dir) < 0)
		return;
	mhp_result_phase(vm->res, "baseline report");
	if (mhp_steps_baseline(steps, vm) < 0)
		return;
	for (unsigned i = 0; i < vm->t->nr_steps; i++)
		if (mhp_steps_run(steps, i) < 0)
			return;
	mhp_result_step(vm->res, 0);
	mhp_result_phase(vm->res, "poweroff");
	mhp_vm_power_off(vm);
}

int mhp_engine_run(const struct mhp_run_opts *o, const struct mhp_topology *t, const char *results_dir,
		   struct mhp_result *res)
{
	struct mhp_vm vm = { .o = o, .t = t, .res = res };
	struct mhp_steps steps = { 0 };

	run(&vm, &steps, results_dir);
	mhp_vm_teardown(&vm);
	mhp_result_step(res, 0); /* the console's health belongs to no step */
	/* After teardown the console is complete, whatever ended the run. */
	mhp_health_check(res, results_dir);
	mhp_steps_release(&steps);
	mhp_result_finish(res);
	return res->error ? -1 : 0;
}
