/* The minimiser's search (fuzz/minimize.h): steps first, then the machine. */
#include "fuzz/minimize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

void mhp_topology_copy(struct mhp_topology *dst, const struct mhp_topology *t)
{
	char *text = NULL, err[512];

	/* Both cannot fail on a valid topology; if they do, it is a bug. */
	if (mhp_topology_write(t, &text) < 0 || mhp_topology_parse(dst, t->path ? t->path : "copy", text, err, sizeof(err)) < 0)
		abort();
	free(text);
}

struct search {
	unsigned width, budget, runs;
	mhp_repro_fn repro;
	void *ctx;
	struct mhp_topology cur;
};

/* Runs the candidates in batches of width; the first that reproduces
 * replaces cur.  1 when one did, 0 when none (or the budget is spent),
 * < 0 from repro. */
static int try_batch(struct search *s, struct mhp_topology *c, size_t n)
{
	for (size_t at = 0; at < n; at += s->width) {
		size_t k = n - at < s->width ? n - at : s->width;
		bool ok[64] = { false };
		int r;

		if (s->runs + k > s->budget)
			return 0;
		s->runs += (unsigned)k;
		if ((r = s->repro(s->ctx, c + at, k, ok)) < 0)
			return r;
		for (size_t i = 0; i < k; i++)
			if (ok[i]) {
				mhp_topology_release(&s->cur);
				mhp_topology_copy(&s->cur, &c[at + i]);
				return 1;
			}
	}
	return 0;
}

static bool valid(const struct mhp_topology *t)
{
	char err[256];

	return mhp_topology_validate(t, NULL, err, sizeof(err)) == 0;
}

/* cur without steps [from, from + len). */
static void without_steps(const struct mhp_topology *cur, unsigned from, unsigned len, struct mhp_topology *c)
{
	mhp_topology_copy(c, cur);
	memmove(&c->steps[from], &c->steps[from + len], (c->nr_steps - from - len) * sizeof(c->steps[0]));
	c->nr_steps -= len;
	mhp_minimize_drop_unused_dimms(c);
}

static void release_all(struct mhp_topology *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mhp_topology_release(&c[i]);
}

/* Chunks of half the steps, then a quarter, ... then single steps; after a
 * success, the same chunk size again on the shorter sequence. */
static int minimise_steps(struct search *s)
{
	unsigned chunk = s->cur.nr_steps / 2 ? s->cur.nr_steps / 2 : 1;
	struct mhp_topology *c = mhp_xcalloc(MHP_MAX_STEPS, sizeof(*c));
	int r = 0;

	while (chunk >= 1 && s->cur.nr_steps > 1) {
		size_t n = 0;

		/* Every offset, not only multiples of chunk: a plug and its unplug
		 * go only together, wherever the pair sits. */
		for (unsigned from = 0; from + chunk <= s->cur.nr_steps && chunk < s->cur.nr_steps; from++) {
			without_steps(&s->cur, from, chunk, &c[n]);
			if (valid(&c[n]))
				n++;
			else
				mhp_topology_release(&c[n]);
		}
		r = try_batch(s, c, n);
		release_all(c, n);
		if (r < 0)
			break;
		if (r == 0)
			chunk /= 2;
		if (chunk > s->cur.nr_steps / 2)
			chunk = s->cur.nr_steps / 2 ? s->cur.nr_steps / 2 : 1;
		if (s->runs >= s->budget)
			break;
	}
	free(c);
	return r < 0 ? r : 0;
}

/* Each simplification once, in order, a batch of the next ones at a time:
 * after one is kept, the list goes on from the one after it. */
static int minimise_machine(struct search *s)
{
	struct mhp_topology c[64];
	unsigned k = 0;
	bool more = true;

	while (more && s->runs < s->budget) {
		unsigned idx[64];
		size_t n = 0;
		bool applies;

		while (n < s->width && n < 64 && (more = mhp_minimize_edit(&s->cur, k, &c[n], &applies))) {
			if (applies && valid(&c[n]))
				idx[n++] = k;
			else
				mhp_topology_release(&c[n]);
			k++;
		}
		int r = try_batch(s, c, n);
		for (size_t i = 0; r == 1 && i < n; i++)
			if (mhp_topology_equal(&s->cur, &c[i], NULL, 0))
				k = idx[i] + 1;
		release_all(c, n);
		if (r < 0)
			return r;
	}
	return 0;
}

int mhp_minimize(const struct mhp_topology *orig, unsigned width, unsigned budget, mhp_repro_fn repro, void *ctx,
		 struct mhp_topology *out, unsigned *ret_runs)
{
	struct search s = { .width = width ? (width < 64 ? width : 64) : 1, .budget = budget, .repro = repro,
			    .ctx = ctx };
	int r;

	mhp_topology_copy(&s.cur, orig);
	mhp_minimize_drop_unused_dimms(&s.cur);
	if ((r = minimise_steps(&s)) == 0)
		r = minimise_machine(&s);
	*out = s.cur;
	*ret_runs = s.runs;
	return r;
}
