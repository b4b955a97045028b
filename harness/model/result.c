#include "model/result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"

void mhp_result_init(struct mhp_result *r, const char *topology)
{
	memset(r, 0, sizeof(*r));
	r->topology = mhp_xstrdup(topology);
	r->start_ns = mhp_now_ns();
}

void mhp_result_release(struct mhp_result *r)
{
	for (size_t i = 0; i < r->nchecks; i++)
		mhp_check_release(&r->checks[i]);
	for (size_t i = 0; i < r->nphases; i++)
		free(r->phases[i].name);
	free(r->checks);
	free(r->phases);
	free(r->topology);
	free(r->kernel);
	free(r->kernel_version);
	free(r->guest_release);
	free(r->qemu_version);
	free(r->accel);
	free(r->boot);
	free(r->deadlines);
	free(r->phase);
	free(r->step_kind);
	free(r->step_device);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static void end_phase(struct mhp_result *r)
{
	if (!r->phase)
		return;
	MHP_ARRAY_PUSH(r->phases, r->nphases, r->phases_cap) =
		(struct mhp_phase){ mhp_xstrdup(r->phase), mhp_now_ns() - r->phase_start_ns };
}

void mhp_result_phase(struct mhp_result *r, const char *fmt, ...)
{
	va_list ap;
	char *name;

	end_phase(r);
	va_start(ap, fmt);
	if (vasprintf(&name, fmt, ap) < 0)
		abort();
	va_end(ap);
	free(r->phase);
	r->phase = name;
	r->phase_start_ns = mhp_now_ns();
}

void mhp_result_finish(struct mhp_result *r)
{
	/* A failed run keeps naming its failing phase. */
	end_phase(r);
	if (!r->error) {
		free(r->phase);
		r->phase = NULL;
	}
	r->duration_ns = mhp_now_ns() - r->start_ns;
}

void mhp_result_add(struct mhp_result *r, const struct mhp_check *c)
{
	mhp_check_copy(&MHP_ARRAY_PUSH(r->checks, r->nchecks, r->checks_cap), c);
}

static struct mhp_check *add_check(struct mhp_result *r, const char *subject, const char *aspect,
				   const char *expected, const char *observed, enum mhp_status st)
{
	struct mhp_check c = { .step = r->step, .kind = r->step_kind, .device = r->step_device,
			       .subject = (char *)subject, .aspect = (char *)aspect, .expected = (char *)expected,
			       .observed = (char *)observed, .status = st };

	mhp_result_add(r, &c);
	return &r->checks[r->nchecks - 1];
}

enum mhp_status mhp_result_check(struct mhp_result *r, const char *subject, const char *aspect,
				 const char *expected, const char *observed)
{
	return mhp_result_checkb(r, subject, aspect, expected, observed, !strcmp(expected, observed));
}

enum mhp_status mhp_result_checkb(struct mhp_result *r, const char *subject, const char *aspect,
				  const char *expected, const char *observed, bool pass)
{
	enum mhp_status st = pass ? MHP_STATUS_PASS : MHP_STATUS_FAIL;

	add_check(r, subject, aspect, expected, observed, st);
	return st;
}

void mhp_result_skip(struct mhp_result *r, const char *subject, const char *aspect, const char *reason)
{
	add_check(r, subject, aspect, "-", reason, MHP_STATUS_SKIP);
}

void mhp_result_outcome(struct mhp_result *r, const char *subject, const char *aspect, const char *outcome)
{
	add_check(r, subject, aspect, "-", outcome, MHP_STATUS_SKIP)->outcome = true;
}

void mhp_result_step(struct mhp_result *r, unsigned step, const char *kind, const char *device)
{
	free(r->step_kind);
	free(r->step_device);
	r->step = step;
	r->step_kind = kind ? mhp_xstrdup(kind) : NULL;
	r->step_device = device ? mhp_xstrdup(device) : NULL;
}

void mhp_result_error(struct mhp_result *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (r->error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	mhp_sanitize(msg);
	r->error = msg;
}

size_t mhp_result_count(const struct mhp_result *r, enum mhp_status st)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nchecks; i++)
		n += r->checks[i].status == st;
	return n;
}

enum mhp_status mhp_result_verdict(const struct mhp_result *r)
{
	if (r->error || r->interrupted || mhp_result_count(r, MHP_STATUS_FAIL))
		return MHP_STATUS_FAIL;
	if (mhp_result_count(r, MHP_STATUS_PASS) == 0)
		return MHP_STATUS_SKIP;
	return MHP_STATUS_PASS;
}
