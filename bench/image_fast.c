/*
 * image_fast: the known-geometry fast path (image_dm_decode_known, what
 * dscsa-label --check runs) against a libdmtx search of the same clean
 * labels (the cascade's plain pass, in process), measured in the same run.
 * 1000 zint renders of random DSCSA items at 4 and 5 px/module; prints
 * decodes per second of each, the ratio, and mismatches (must be 0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zint.h>

#include "diag.h"
#include "image.h"

#define N	1000

static uint64_t rng = 42;

static unsigned
next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(void)
{
	static const char an[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static struct image ims[N];
	static struct image_dm_geometry gs[N];
	static char want[N][64];
	unsigned plain = image_dm_pass_mask("plain");

	if (plain == 0)
		return 3;

	for (int mp = 4; mp <= 5; mp++) {
		double t0, fast, slow;
		int bad = 0, badslow = 0;

		for (int i = 0; i < N; i++) {
			struct zint_symbol *s = ZBarcode_Create();
			struct diag d = DIAG_INIT;
			char br[96], ser[13];

			for (int k = 0; k < 12; k++)
				ser[k] = an[next(36)];
			ser[12] = '\0';
			snprintf(br, sizeof(br),
			    "[01]00312345678906[17]271231[10]A1B2C3[21]%s", ser);
			snprintf(want[i], sizeof(want[i]),
			    "010031234567890617271231" "10A1B2C3\035" "21%s", ser);
			s->symbology = BARCODE_DATAMATRIX;
			s->input_mode = GS1_MODE;
			s->option_3 = DM_SQUARE;
			s->output_options |= BARCODE_QUIET_ZONES;
			s->scale = (float)mp / 2.0f;
			if (ZBarcode_Encode_and_Buffer(s, (unsigned char *)br,
			    (int)strlen(br), 0) != 0 ||
			    image_alloc(&ims[i], (size_t)s->bitmap_width,
			    (size_t)s->bitmap_height, 255, &d) != 0)
				return 3;
			for (size_t k = 0; k < ims[i].w * ims[i].h; k++)
				ims[i].px[k] = s->bitmap[3 * k + 1];
			gs[i].x0 = gs[i].y0 = (size_t)mp;
			gs[i].module_px = (size_t)mp;
			gs[i].rows = s->rows;
			gs[i].cols = s->width;
			ZBarcode_Delete(s);
		}
		t0 = now();
		for (int i = 0; i < N; i++) {
			struct image_dm_result r;
			struct diag d = DIAG_INIT;

			if (image_dm_decode_known(&ims[i], &gs[i], &r, &d) != 0 ||
			    r.status != IMAGE_DM_OK ||
			    strcmp((char *)r.data, want[i]) != 0)
				bad++;
		}
		fast = now() - t0;
		t0 = now();
		for (int i = 0; i < N; i++) {
			struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
			struct image_dm_result r;
			struct diag d = DIAG_INIT;

			o.isolate = false;
			o.passes = plain;	/* the libdmtx search alone */
			o.require_gs1 = false;
			if (image_dm_decode(&ims[i], &o, &r, &d) != 0 ||
			    r.len != strlen(want[i]) ||
			    memcmp(r.data, want[i], r.len) != 0)
				badslow++;
		}
		slow = now() - t0;
		printf("fast path %d px/module: %.0f decodes/s (%.1f us each), "
		    "libdmtx search %.0f/s; ratio %.1fx; mismatches %d/%d\n",
		    mp, N / fast, fast / N * 1e6, N / slow, slow / fast, bad,
		    badslow);
		for (int i = 0; i < N; i++)
			image_free(&ims[i]);
	}
	return 0;
}
