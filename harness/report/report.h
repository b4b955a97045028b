/* A topology run's result in the ecosystem's formats. */
#ifndef MHP_REPORT_H
#define MHP_REPORT_H

#include <stddef.h>
#include <json-c/json.h>
#include <stdio.h>

#include "model/result.h"

/* KTAP (Documentation/dev-tools/ktap.rst): test number n for the topology,
 * with a nested subtest per check (# SKIP for those not scored) and a last
 * subtest "run completed" that fails when a phase could not finish.  The
 * caller prints "KTAP version 1" and the top-level plan. */
void mhp_report_ktap(FILE *f, const struct mhp_result *r, unsigned n, const char *dir);

/* dir/junit.xml: one <testsuite> for the topology, a <testcase> per check,
 * written atomically.  Returns 0 or -errno. */
int mhp_report_junit(const struct mhp_result *r, const char *dir);
/* One junit.xml (out, atomically) with the <testsuite> of each of files:
 * the suite's shards merged.  0, -EINVAL for a file that is no XML. */
int mhp_report_junit_merge(char *const files[], size_t n, const char *out);

/* Adds what identifies check c to o: step, kind, device, subject, aspect
 * (the fields the gate compares; NULL ones as null). */
void mhp_check_key_json(json_object *o, const struct mhp_check *c);

/* result.json (report-json.c): writes result.json into dir atomically. */
int mhp_result_write_json(const struct mhp_result *r, const char *dir);
/* Reads a result.json back into r (initialised here): every check with its
 * fields, the phases, the error and the run's facts.  -errno, or -EINVAL
 * with the reason in err for a file that is not one. */
int mhp_result_read_json(struct mhp_result *r, const char *path, char *err, size_t errsize);

#endif
