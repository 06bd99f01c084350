/*
 * mem: growing arrays (see mem.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "mem.h"

void *
mem_grow(void *p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n;
	void *q;

	if (need <= *cap)
		return p;
	n = *cap > 0 ? *cap : first > 0 ? first : 1;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	if (size == 0 || n > SIZE_MAX / size)
		return NULL;
	if ((q = realloc(p, n * size)) == NULL)
		return NULL;
	*cap = n;
	return q;
}
