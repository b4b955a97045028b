/* The gate's verdict: every check of every topology compared between the
 * baseline kernel and the candidate (the baseline with the series). */
#ifndef MHP_GATE_H
#define MHP_GATE_H

#include <stdio.h>

#include "model/result.h"

enum mhp_gate_kind {
	MHP_GATE_REGRESSION, /* passes on baseline, fails on candidate: blocks */
	MHP_GATE_FLAKY,      /* was a regression, passed when re-run: reported */
	MHP_GATE_BOTH_FAIL,  /* fails on both (or baseline never got there): reported */
	MHP_GATE_FIXED,      /* fails on baseline, passes on candidate: reported */
	MHP_GATE_OUTCOME,    /* an unscored outcome differed: what follows it is
				not compared (the candidate's failures there are
				listed under it); reported */
	MHP_GATE_KINDS
};

struct mhp_gate_row {
	char *topology;
	char *check;     /* the check's name, or "run completed" */
	char *baseline;  /* observed values, "(not reached)" when absent */
	char *candidate;
	char *rerun;     /* observed on the candidate's re-run, or NULL */
	enum mhp_gate_kind kind;
	struct mhp_check *key; /* the check compared (fields), NULL for "run completed" */
};

struct mhp_gate {
	struct mhp_gate_row *rows;
	size_t nrows, rows_cap;
	size_t compared;  /* topologies whose baseline run completed */
	size_t parted;    /* of them, compared only up to a differing outcome */
	bool strict;      /* compare every check, even after an unscored
			     outcome that differed (a difference then blocks) */
};

void mhp_gate_release(struct mhp_gate *g);

/* Compares one topology's two runs; appends a row for each check that is
 * not passing on both.  Where the two took different outcomes of a step the
 * oracle does not score (mhp_result_outcome()), the checks of that step and
 * of every later one depend on which outcome it was: unless g->strict, they
 * are not compared, and one MHP_GATE_OUTCOME row names the step (with a row
 * of that kind for each of the candidate's own failures after it). */
void mhp_gate_compare(struct mhp_gate *g, const struct mhp_result *base, const struct mhp_result *cand);
/* A candidate build that failed: one blocking row. */
void mhp_gate_build_failed(struct mhp_gate *g, const char *why);
/* Whether topology has a regression row (and so wants a re-run). */
bool mhp_gate_wants_rerun(const struct mhp_gate *g, const char *topology);
/* Applies the re-run of a topology: a regression whose check passes now is
 * flaky; the others stay and record the re-run's value. */
void mhp_gate_rerun(struct mhp_gate *g, const struct mhp_result *rerun);

size_t mhp_gate_count(const struct mhp_gate *g, enum mhp_gate_kind kind);
/* The before/after table, regressions first. */
void mhp_gate_print(FILE *f, const struct mhp_gate *g);
/* gate.json (kind, topology, check, values per row; the verdict) into dir. */
int mhp_gate_write_json(const struct mhp_gate *g, const char *dir, const char *baseline, const char *candidate);

#endif
