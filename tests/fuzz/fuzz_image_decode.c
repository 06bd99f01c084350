/*
 * libFuzzer harness: the Data Matrix decoders (the field cascade, in
 * process, and the known-geometry fast path) on arbitrary pixels.
 *
 * Input: byte 0 and 1 give the width and height (8..135), byte 2 the
 * module pitch and byte 3 the symbol size for the fast path; the rest are
 * the pixels, row by row (missing ones are white).  libdmtx's own asserts
 * are live: a crash here is a crash the isolation must catch, and a
 * sanitizer report in our code is a bug.
 * Properties: the result is one of the statuses; OK from the cascade is
 * GS1; the data is NUL-terminated within the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "image.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void
check(const struct image_dm_result *r)
{
	if (r->status > IMAGE_DM_UNREADABLE || r->len >= IMAGE_DM_DATA_MAX ||
	    r->data[r->len] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const int sizes[] = { 10, 12, 14, 16, 18, 20, 22, 24, 26 };
	struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
	struct image_dm_geometry g;
	struct image_dm_result r;
	struct diag d = DIAG_INIT;
	struct image im;
	size_t w, h;

	if (len < 4)
		return 0;
	w = 8 + data[0] % 128;
	h = 8 + data[1] % 128;
	if (image_alloc(&im, w, h, 255, &d) != 0)
		abort();
	memcpy(im.px, data + 4, len - 4 < w * h ? len - 4 : w * h);

	g.module_px = 1 + data[2] % 8;
	g.rows = g.cols = sizes[data[3] % (sizeof(sizes) / sizeof(sizes[0]))];
	g.x0 = g.module_px;
	g.y0 = g.module_px;
	if (image_dm_decode_known(&im, &g, &r, &d) == 0)
		check(&r);

	o.isolate = false;	/* crashes must show here, not be caught */
	o.timeout_ms = 60;
	if (image_dm_decode(&im, &o, &r, &d) == 0) {
		check(&r);
		if (r.status == IMAGE_DM_OK && !r.gs1)
			abort();
	}
	image_free(&im);
	return 0;
}
