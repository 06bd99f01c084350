/*
 * mem: growing arrays, the one realloc() doubling loop of the library.
 *
 * Thread-safety: none needed; the array is the caller's.
 */
#ifndef DSCSA_MEM_H
#define DSCSA_MEM_H

#include <stddef.h>

/*
 * The array p of *cap elements of size bytes, with room for need (>= 1)
 * elements: p itself when *cap >= need; otherwise p moved by realloc() to
 * a capacity doubled from *cap (from first when *cap is 0) until it holds
 * need, and *cap set to it.  Returns NULL when memory is out or the size
 * would not fit a size_t: then p is untouched and still the caller's, and
 * *cap is as it was.  The new elements are not initialised.
 */
void	*mem_grow(void *p, size_t *cap, size_t need, size_t size,
	    size_t first);

#endif /* DSCSA_MEM_H */
