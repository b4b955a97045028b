#include "lib/array.h"

#include <stdint.h>
#include <stdlib.h>

void *mhp_array_reserve(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 4;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / elem)
		abort();
	p = realloc(p, n * elem);
	if (!p)
		abort();
	*cap = n;
	return p;
}
