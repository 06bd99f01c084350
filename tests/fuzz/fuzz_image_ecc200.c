/*
 * libFuzzer harness: our own ECC 200 decoder (libcommon/image_ecc200.c)
 * on arbitrary module grids.
 *
 * Input: byte 0 picks the size (of the 48), byte 1 the erasure threshold;
 * the rest are the module darkness values, row by row (missing ones are
 * light).  Properties: no sanitizer report; a decoded message fits its
 * buffer, is NUL-terminated, and decoding the same grid again gives the
 * same bytes (no hidden state).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "image_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct dm_ecc200_out a, b;
	const struct dm_size *sz;
	struct dm_ecc200_opts o;
	unsigned char *grid;
	size_t n;
	int ra, rb;

	if (len < 2)
		return 0;
	sz = dm_size_get(data[0] % dm_size_count());
	o.unsure_conf = data[1];
	n = (size_t)sz->rows * sz->cols;
	if ((grid = malloc(n)) == NULL)
		abort();
	memset(grid, 0, n);
	memcpy(grid, data + 2, len - 2 < n ? len - 2 : n);
	ra = dm_ecc200_decode(sz, grid, &o, &a);
	rb = dm_ecc200_decode(sz, grid, &o, &b);
	if (ra != rb || (ra == 0 && (a.len >= sizeof(a.bytes) ||
	    a.bytes[a.len] != '\0' || a.len != b.len ||
	    memcmp(a.bytes, b.bytes, a.len) != 0)))
		abort();
	free(grid);
	return 0;
}
