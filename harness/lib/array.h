/* Growable arrays: capacity doubles, so n appends cost O(n) in all.  The
 * array is a plain pointer with a count and a capacity beside it:
 *
 *	struct mhp_check *checks; size_t nchecks, checks_cap;
 *	MHP_ARRAY_PUSH(checks, nchecks, checks_cap) = c;
 *
 * Out of memory aborts, as mhp_xmalloc does. */
#ifndef MHP_ARRAY_H
#define MHP_ARRAY_H

#include <stddef.h>

/* Makes room for need elements of size elem in *p (capacity *cap); a new
 * block's added part is not zeroed.  Returns *p. */
void *mhp_array_reserve(void *p, size_t *cap, size_t need, size_t elem);

/* The next element of a (count n, capacity cap), counted: an lvalue. */
#define MHP_ARRAY_PUSH(a, n, cap) \
	(*((a) = mhp_array_reserve((a), &(cap), (n) + 1, sizeof(*(a))), &(a)[(n)++]))

#endif
