/* Shared bits of mhp's cmocka tests. */
#ifndef MHP_TESTUTIL_H
#define MHP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#define TEST_MAX 256

/* A test list grown at run time: one CMUnitTest per table row, named after
 * the row, plus plain cases. */
struct test_list {
	struct CMUnitTest t[TEST_MAX];
	size_t n;
};

static inline void test_add(struct test_list *l, const char *name, CMUnitTestFunction fn, const void *row)
{
	if (l->n == TEST_MAX)
		abort();
	l->t[l->n++] = (struct CMUnitTest){ name, fn, NULL, NULL, (void *)row };
}

/* Adds fn once per element of a table whose rows start with `const char *name`. */
#define TEST_ROWS(l, fn, rows)                                             \
	for (size_t i_ = 0; i_ < sizeof(rows) / sizeof((rows)[0]); i_++)   \
	test_add((l), (rows)[i_].name, (fn), &(rows)[i_])
#define TEST_ONE(l, fn) test_add((l), #fn, (fn), NULL)
#define TEST_RUN(group, l) _cmocka_run_group_tests((group), (l)->t, (l)->n, NULL, NULL)

#endif
