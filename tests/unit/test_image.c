/*
 * Unit tests of libcommon/image: PNG loading of every colour type and bit
 * depth, the pixel limits, garbage and truncated files, deterministic PNG
 * output, the known-geometry fast path on symbols rendered by zint (an
 * independent encoder), and the field cascade on the zxing-cpp sample
 * images with their expected payloads (tests/data/images/SOURCES.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <zint.h>

#include "diag.h"
#include "image.h"
#include "testutil.h"

#define IMAGES	"tests/data/images/zxing-cpp/"

/* Does the PNG have a chunk of this type? */
static bool
has_chunk(const unsigned char *png, size_t len, const char *type)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if (memcmp(png + i, type, 4) == 0)
			return true;
	return false;
}

/* Write `im` as PNG into a malloc'd buffer. */
static unsigned char *
png_bytes(const struct image *im, const struct image_png_opts *o,
    size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct diag d = DIAG_INIT;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	rc = image_png_write_opts(f, im, o, &d);
	fclose(f);
	CU_ASSERT_EQUAL(rc, 0);
	*len = n;
	return (unsigned char *)buf;
}

/* The zxing-cpp samples load with the sizes `file` reports. */
static void
test_png_read_samples(void)
{
	static const struct {
		const char	*name;	/* colour type / depth in the file */
		size_t		 w, h;
	} cases[] = {
		{ "0123456789.png", 168, 173 },		/* 2-bit palette */
		{ "C40.png", 45, 40 },			/* 1-bit grey */
		{ "distorted.png", 60, 60 },		/* 8-bit grey */
		{ "dm-2.png", 289, 174 },		/* 8-bit RGB */
		{ "gs1-figure-4.15.1-2-32x32.png", 66, 66 }, /* 1-bit palette */
		{ "issue794-3-2.png", 185, 210 },	/* 8-bit RGB */
		{ "mod-size-1.png", 12, 12 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256];
		struct image im;
		struct diag d = DIAG_INIT;
		size_t dark = 0;

		snprintf(path, sizeof(path), IMAGES "%s", cases[i].name);
		TEST_INT_EQ(i, image_png_read_file(&im, path, NULL, &d), 0);
		TEST_INT_EQ(i, (long long)im.w, (long long)cases[i].w);
		TEST_INT_EQ(i, (long long)im.h, (long long)cases[i].h);
		for (size_t k = 0; k < im.w * im.h; k++)
			dark += im.px[k] < 128;
		/* A Data Matrix is roughly half dark modules. */
		CU_ASSERT(dark > im.w * im.h / 20 && dark < im.w * im.h * 9 / 10);
		image_free(&im);
	}
}

/* Every depth and colour type we write or meet reads back exactly. */
static void
test_png_round_trip(void)
{
	struct image im, back;
	struct image_png_opts o = IMAGE_PNG_OPTS_INIT;
	struct diag d = DIAG_INIT;
	unsigned char *a, *b;
	size_t alen, blen;

	CU_ASSERT_EQUAL_FATAL(image_alloc(&im, 37, 11, 255, &d), 0);
	for (size_t k = 0; k < 37 * 11; k++)
		im.px[k] = (unsigned char)(k * 7);
	for (int bits = 8; bits >= 1; bits -= 7) {
		o.bits = bits;
		o.dpi = bits == 8 ? 300 : 0;
		a = png_bytes(&im, &o, &alen);
		b = png_bytes(&im, &o, &blen);
		/* Deterministic: the same pixels give the same bytes. */
		CU_ASSERT(alen == blen && memcmp(a, b, alen) == 0);
		CU_ASSERT_FALSE(has_chunk(a, alen, "tIME"));
		CU_ASSERT_FALSE(has_chunk(a, alen, "tEXt"));
		CU_ASSERT_EQUAL(has_chunk(a, alen, "pHYs"), bits == 8);
		CU_ASSERT_EQUAL_FATAL(image_png_read(&back, a, alen, NULL, &d),
		    0);
		CU_ASSERT(back.w == 37 && back.h == 11);
		for (size_t k = 0; k < 37 * 11; k++) {
			unsigned char want = bits == 8 ? im.px[k] :
			    im.px[k] >= 128 ? 255 : 0;

			if (back.px[k] != want) {
				CU_FAIL("pixel differs after round trip");
				break;
			}
		}
		image_free(&back);
		free(a);
		free(b);
	}
	image_free(&im);
}

/* Limits, garbage, truncation: DIAG_INPUT, nothing allocated, no crash. */
static void
test_png_refusals(void)
{
	static const struct {
		const char	*what;
		size_t		 cut;		/* 0: keep whole */
		size_t		 max_pixels;
		const char	*want;		/* in the message */
	} cases[] = {
		{ "limit", 0, 100, "image too large: 168x173" },
		{ "empty", 1, IMAGE_MAX_PIXELS, "not a PNG file" },
		{ "signature only", 9, IMAGE_MAX_PIXELS, "bad PNG" },
		{ "header only", 33, IMAGE_MAX_PIXELS, "bad PNG" },
		{ "half", 400, IMAGE_MAX_PIXELS, "bad PNG" },
	};
	size_t len;
	unsigned char *png = test_slurp(IMAGES "0123456789.png", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(png);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image_limits lim = IMAGE_LIMITS_INIT;
		struct image im;
		struct diag d = DIAG_INIT;
		size_t n = cases[i].cut != 0 ? cases[i].cut - 1 : len;

		lim.max_pixels = cases[i].max_pixels;
		TEST_INT_EQ(i, image_png_read(&im, png, n, &lim, &d), -1);
		TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		CU_ASSERT_PTR_NULL(im.px);
		if (strstr(d.msg, cases[i].want) == NULL)
			TEST_STR_EQ(i, d.msg, cases[i].want);
	}
	free(png);
}

static void
test_png_file_errors(void)
{
	struct image im;
	struct diag d = DIAG_INIT;
	struct image_limits lim = IMAGE_LIMITS_INIT;

	CU_ASSERT_EQUAL(image_png_read_file(&im, "no/such.png", NULL, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	CU_ASSERT_STRING_EQUAL(d.where, "no/such.png");
	diag_clear(&d);
	CU_ASSERT_EQUAL(image_png_read_file(&im, "tests", NULL, &d), -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "is a directory");
	diag_clear(&d);
	lim.max_file = 100;
	CU_ASSERT_EQUAL(image_png_read_file(&im, IMAGES "dm-2.png", &lim, &d),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "file too large"));
}

/*
 * Render bracketed GS1 data with zint at `mp` px/module, quiet zone on,
 * at symbol size `size` (zint option_2; 0: the smallest square).
 */
static int
render_mode(const char *data, int mp, int size, int mode, struct image *im,
    struct image_dm_geometry *g)
{
	struct zint_symbol *s = ZBarcode_Create();
	struct diag d = DIAG_INIT;
	int rc;

	s->symbology = BARCODE_DATAMATRIX;
	s->input_mode = mode;
	s->option_2 = size;		/* 0: automatic, squares only */
	s->option_3 = DM_SQUARE;
	s->output_options |= BARCODE_QUIET_ZONES;
	s->scale = (float)mp / 2.0f;
	rc = ZBarcode_Encode_and_Buffer(s, (unsigned char *)data,
	    (int)strlen(data), 0);
	if (rc != 0)
		fprintf(stderr, "zint: %s: %s\n", data, s->errtxt);
	if (rc != 0 || image_alloc(im, (size_t)s->bitmap_width,
	    (size_t)s->bitmap_height, 255, &d) != 0) {
		ZBarcode_Delete(s);
		return -1;
	}
	for (size_t k = 0; k < im->w * im->h; k++)
		im->px[k] = s->bitmap[3 * k + 1] < 128 ? 0 : 255;
	g->x0 = g->y0 = (size_t)mp;	/* 1X quiet zone */
	g->module_px = (size_t)mp;
	g->rows = s->rows;
	g->cols = s->width;
	ZBarcode_Delete(s);
	return 0;
}

static int
render(const char *data, int mp, int size, struct image *im,
    struct image_dm_geometry *g)
{
	return render_mode(data, mp, size, GS1_MODE, im, g);
}

/* GS is "\035" (octal: a hex escape would swallow the digits after it). */
static const struct {
	const char	*br;		/* bracketed, as zint takes it */
	const char	*raw;		/* the GS1 raw message we must get back */
	int		 mp;
	int		 size;		/* zint option_2: 0 auto square */
	int		 rows, cols;
} known_cases[] = {
	{ "[01]00312345678906[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT",
	    "0100312345678906172712311" "0A1B2C3\03521" "7X2KQ9PLM3ZT", 5, 0,
	    22, 22 },
	{ "[01]00312345678906[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT",
	    "0100312345678906172712311" "0A1B2C3\03521" "7X2KQ9PLM3ZT", 4, 0,
	    22, 22 },
	{ "[01]00312345678906[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT",
	    "0100312345678906172712311" "0A1B2C3\03521" "7X2KQ9PLM3ZT", 1, 0,
	    22, 22 },
	{ "[01]00312345678906[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT",
	    "0100312345678906172712311" "0A1B2C3\03521" "7X2KQ9PLM3ZT", 3, 29,
	    16, 36 },
	{ "[01]00312345678906[21]1", "0100312345678906211", 2, 0, 16, 16 },
	{ "[01]09506000134352[17]201231[10]ABC123[21]abcdefghijklmnopqrst",
	    "0109506000134352172012311" "0ABC123\03521abcdefghijklmnopqrst", 6,
	    0, 24, 24 },
	{ "[01]00312345678906[17]290100[10]L%-./:;<=>?_\"&'()*+,[21]S",
	    "0100312345678906172901001" "0L%-./:;<=>?_\"&'()*+,\03521S", 5,
	    0, 24, 24 },
	{ "[01]00312345678906[10]LOTLOTLOTLOTLOTLOTLO[21]"
	    "SERIALSERIALSERIAL12[240]AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "[91]BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
	    "010031234567890610LOTLOTLOTLOTLOTLOTLO\03521"
	    "SERIALSERIALSERIAL12\035240AAAAAAAAAAAAAAAAAAAAAAAAAAAAA\03591"
	    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 3, 0,
	    40, 40 },
};

/* The fast path reads what zint rendered, byte for byte and size for size. */
static void
test_decode_known(void)
{
	for (size_t i = 0; i < sizeof(known_cases) / sizeof(known_cases[0]);
	    i++) {
		struct image im;
		struct image_dm_geometry g;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;
		const char *want = known_cases[i].raw;

		CU_ASSERT_EQUAL_FATAL(render(known_cases[i].br,
		    known_cases[i].mp, known_cases[i].size, &im, &g), 0);
		TEST_INT_EQ(i, g.rows, known_cases[i].rows);
		TEST_INT_EQ(i, g.cols, known_cases[i].cols);
		TEST_INT_EQ(i, image_dm_decode_known(&im, &g, &r, &d), 0);
		TEST_INT_EQ(i, r.status, IMAGE_DM_OK);
		CU_ASSERT(r.gs1);
		TEST_STR_EQ(i, (const char *)r.data, want);
		TEST_INT_EQ(i, (long long)r.len, (long long)strlen(want));
		TEST_INT_EQ(i, r.rows, known_cases[i].rows);

		/* Off by one module: the fixed patterns no longer match. */
		g.x0 += g.module_px;
		g.cols -= 2;
		if (image_dm_decode_known(&im, &g, &r, &d) == 0)
			TEST_INT_EQ(i, r.status, IMAGE_DM_UNDECODABLE);
		else
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		image_free(&im);
	}
}

static void
test_decode_known_refusals(void)
{
	struct image im;
	struct image_dm_geometry g;
	struct image_dm_result r;
	struct diag d = DIAG_INIT;

	CU_ASSERT_EQUAL_FATAL(render("[01]00312345678906[21]ABC", 4, 0,
	    &im, &g), 0);
	g.rows = 23;			/* not an ECC 200 size */
	CU_ASSERT_EQUAL(image_dm_decode_known(&im, &g, &r, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "not a Data Matrix"));
	diag_clear(&d);
	g.rows = g.cols;
	g.module_px = 40;		/* does not fit */
	CU_ASSERT_EQUAL(image_dm_decode_known(&im, &g, &r, &d), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "does not fit"));
	/* A blank image of the right size: no contrast, undecodable. */
	g.module_px = 4;
	memset(im.px, 255, im.w * im.h);
	CU_ASSERT_EQUAL(image_dm_decode_known(&im, &g, &r, &d), 0);
	CU_ASSERT_EQUAL(r.status, IMAGE_DM_UNDECODABLE);
	image_free(&im);
}

/*
 * The zxing-cpp samples through the cascade, require_gs1 off (so plain
 * symbols stop the cascade too).  `want` is what our cascade does today
 * (recorded, not wished): the GS1 32x32 must read OK; plain symbols read
 * as NOT_GS1 with their exact payload; distorted.png, which libdmtx alone
 * misreads, must never yield its wrong payload.  Expected payloads are
 * zxing-cpp's .txt files.
 */
static const struct {
	const char		*name;
	enum image_dm_status	 want;
} sample_cases[] = {
	{ "gs1-figure-4.15.1-2-32x32", IMAGE_DM_OK },
	/* DMRE 20x44: libdmtx has no DMRE; our own decoder reads it. */
	{ "gs1-figure-4.15.1-2-44x20", IMAGE_DM_OK },
	{ "0123456789", IMAGE_DM_NOT_GS1 },
	{ "C40", IMAGE_DM_NOT_GS1 },
	{ "EDIFACT", IMAGE_DM_NOT_GS1 },
	{ "HelloWorld_Text_L_Kaywa", IMAGE_DM_NOT_GS1 },
	{ "HelloWorld_Text_L_Kaywa_4_error_byte", IMAGE_DM_NOT_GS1 },
	{ "X12", IMAGE_DM_NOT_GS1 },
	{ "abcd-18x8", IMAGE_DM_NOT_GS1 },
	{ "abcd-36x12-mirrored", IMAGE_DM_NOT_GS1 },
	{ "dm-2", IMAGE_DM_NOT_GS1 },
	{ "mod-size-1", IMAGE_DM_NOT_GS1 },
	{ "readerinit", IMAGE_DM_NOT_GS1 },
	/*
	 * Not read: distorted (libdmtx misfits it, the fit check refuses
	 * that; our grid finds no fit with a clean fixed pattern); the four
	 * vial photos (libdmtx finds no region, our grid no fit: the clock
	 * tracks are blurred away).  NO_SYMBOL or UNDECODABLE.
	 */
	{ "distorted", IMAGE_DM_UNDECODABLE },
	{ "issue794", IMAGE_DM_NO_SYMBOL },
	{ "issue794-12-1", IMAGE_DM_NO_SYMBOL },
	{ "issue794-13-4", IMAGE_DM_NO_SYMBOL },
	{ "issue794-3-2", IMAGE_DM_NO_SYMBOL },
};

static void
test_cascade_samples(void)
{
	for (size_t i = 0; i < sizeof(sample_cases) / sizeof(sample_cases[0]);
	    i++) {
		struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;
		char path[256];
		unsigned char *want;
		size_t wantlen = 0;

		o.require_gs1 = false;
		/* Images that never read need not use up the whole default. */
		if (sample_cases[i].want < IMAGE_DM_NOT_GS1)
			o.timeout_ms = 300;
		snprintf(path, sizeof(path), IMAGES "%s.png",
		    sample_cases[i].name);
		TEST_INT_EQ(i, image_dm_decode_file(path, NULL, &o, &r, &d), 0);
		/* Not read: whether found or not depends on the time left. */
		if (r.status != sample_cases[i].want &&
		    (sample_cases[i].want >= IMAGE_DM_NOT_GS1 ||
		    r.status >= IMAGE_DM_NOT_GS1))
			TEST_STR_EQ(i, image_dm_status_name(r.status),
			    image_dm_status_name(sample_cases[i].want));
		snprintf(path, sizeof(path), IMAGES "%s.txt",
		    sample_cases[i].name);
		want = test_slurp(path, &wantlen);
		CU_ASSERT_PTR_NOT_NULL_FATAL(want);
		want[wantlen] = '\0';
		if (r.status == IMAGE_DM_OK || r.status == IMAGE_DM_NOT_GS1)
			TEST_STR_EQ(i, (const char *)r.data, (const char *)want);
		/* Invariant: a wrong payload is never reported. */
		if (r.len > 0 && (r.len != wantlen ||
		    memcmp(r.data, want, wantlen) != 0))
			TEST_STR_EQ(i, (const char *)r.data, (const char *)want);
		free(want);
	}
}

/* Errors through the public API: missing file, garbage, empty image. */
static void
test_cascade_errors(void)
{
	struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
	struct image_dm_result r;
	struct diag d = DIAG_INIT;
	struct image empty = { NULL, 0, 0, 0 };

	CU_ASSERT_EQUAL(image_dm_decode_file("no/such.png", NULL, &o, &r, &d),
	    -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	CU_ASSERT_STRING_EQUAL(d.where, "no/such.png");
	diag_clear(&d);
	CU_ASSERT_EQUAL(image_dm_decode_file(IMAGES "C40.txt", NULL, &o, &r,
	    &d), -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "not a PNG file");
	diag_clear(&d);
	CU_ASSERT_EQUAL(image_dm_decode(&empty, &o, &r, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
}

/*
 * require_gs1 on (dscsa-verify): a plain symbol is reported NOT_GS1 with
 * its data and the reason; the misfit of distorted.png stays unreported.
 */
static void
test_cascade_require_gs1(void)
{
	struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
	struct image_dm_result r;
	struct diag d = DIAG_INIT;

	CU_ASSERT_EQUAL(image_dm_decode_file(IMAGES "C40.png", NULL, &o, &r,
	    &d), 0);
	CU_ASSERT_EQUAL(r.status, IMAGE_DM_NOT_GS1);
	CU_ASSERT_STRING_EQUAL((const char *)r.data, "Testing C40");
	CU_ASSERT_STRING_EQUAL(r.why, "no FNC1 in first position");
	CU_ASSERT_FALSE(r.gs1);
	o.timeout_ms = 300;
	CU_ASSERT_EQUAL(image_dm_decode_file(IMAGES "distorted.png", NULL, &o,
	    &r, &d), 0);
	CU_ASSERT(r.status < IMAGE_DM_NOT_GS1);	/* found or not: no data */
	o.timeout_ms = IMAGE_DECODE_TIMEOUT_MS;
	CU_ASSERT_EQUAL(r.len, 0);
	CU_ASSERT_EQUAL(image_dm_decode_file(IMAGES
	    "gs1-figure-4.15.1-2-32x32.png", NULL, &o, &r, &d), 0);
	CU_ASSERT_EQUAL(r.status, IMAGE_DM_OK);
	CU_ASSERT(r.gs1);
	CU_ASSERT_EQUAL(r.rows, 32);
	CU_ASSERT_STRING_EQUAL(r.pass_name, "plain");
}

/* Each pass name gives its own bit; names not in the cascade give 0. */
static void
test_cascade_pass_mask(void)
{
	unsigned seen = 0;

	CU_ASSERT(image_dm_pass_count() > 0 && image_dm_pass_count() <= 32);
	for (unsigned i = 0; i < image_dm_pass_count(); i++) {
		TEST_INT_EQ(i, image_dm_pass_mask(image_dm_pass_name(i)),
		    1LL << i);
		seen |= image_dm_pass_mask(image_dm_pass_name(i));
	}
	TEST_INT_EQ(0, seen, (1LL << image_dm_pass_count()) - 1);
	CU_ASSERT_EQUAL(image_dm_pass_mask("no-such-pass"), 0);
	CU_ASSERT_EQUAL(image_dm_pass_mask(""), 0);
	CU_ASSERT_EQUAL(image_dm_pass_mask("Plain"), 0);
	CU_ASSERT_PTR_NULL(image_dm_pass_name(image_dm_pass_count()));
}

/*
 * The ROI pass finds a 3 px/module symbol in a 960x720 frame of boxes and
 * text-like stripes, and the plain pass's resampling reads a label bent
 * round a vial (a cylinder seen from the side), which libdmtx's own module
 * reading does not.  Each with only that pass enabled.
 */
static void
test_cascade_roi_and_curved(void)
{
	struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
	struct image lab, frame, bent;
	struct image_dm_geometry g;
	struct image_dm_result r;
	struct diag d = DIAG_INIT;
	double rad;

	CU_ASSERT_EQUAL_FATAL(render(known_cases[0].br, 3, 0, &lab, &g), 0);
	CU_ASSERT_EQUAL_FATAL(image_alloc(&frame, 960, 720, 150, &d), 0);
	for (size_t y = 0; y < 720; y++)
		for (size_t x = 0; x < 960; x++) {
			if ((x / 40 + y / 30) % 3 == 0)
				frame.px[y * 960 + x] = 60;
			if (y % 50 < 8 && x % 7 < 3)	/* "text" */
				frame.px[y * 960 + x] = 20;
		}
	for (size_t y = 0; y < lab.h; y++)
		memcpy(frame.px + (y + 400) * 960 + 600, lab.px + y * lab.w,
		    lab.w);
	o.passes = image_dm_pass_mask("roi");
	CU_ASSERT_NOT_EQUAL_FATAL(o.passes, 0);
	CU_ASSERT_EQUAL(image_dm_decode(&frame, &o, &r, &d), 0);
	CU_ASSERT_EQUAL(r.status, IMAGE_DM_OK);
	CU_ASSERT_STRING_EQUAL((const char *)r.data, known_cases[0].raw);
	image_free(&frame);
	image_free(&lab);

	/*
	 * Bend a 5 px/module label round a cylinder of radius R = 0.6 of its
	 * width: arc position s is seen at R sin(s / R), the chord scaled to
	 * the image width.
	 */
	CU_ASSERT_EQUAL_FATAL(render(known_cases[0].br, 5, 0, &lab, &g), 0);
	rad = 0.6 * (double)lab.w;
	CU_ASSERT_EQUAL_FATAL(image_alloc(&bent, lab.w, lab.h, 255, &d), 0);
	for (size_t y = 0; y < lab.h; y++)
		for (size_t x = 0; x < lab.w; x++) {
			double half = (double)lab.w / 2;
			double u = ((double)x + 0.5 - half) * rad *
			    sin(half / rad) / half;
			double sx;

			if (u <= -rad || u >= rad)
				continue;
			sx = half + rad * asin(u / rad);
			if (sx >= 0 && sx < (double)lab.w)
				bent.px[y * lab.w + x] =
				    lab.px[y * lab.w + (size_t)sx];
		}
	o.passes = image_dm_pass_mask("plain");
	CU_ASSERT_NOT_EQUAL_FATAL(o.passes, 0);
	CU_ASSERT_EQUAL(image_dm_decode(&bent, &o, &r, &d), 0);
	CU_ASSERT_EQUAL(r.status, IMAGE_DM_OK);
	CU_ASSERT_STRING_EQUAL((const char *)r.data, known_cases[0].raw);
	image_free(&bent);
	image_free(&lab);
}

/*
 * Invariant 2 of the cascade: FNC1-first data that is not valid GS1 (a
 * GTIN with a wrong check digit, rendered with zint's checks off) is
 * reported NOT_GS1 with the parser's reason, never OK.
 */
static void
test_cascade_invalid_gs1(void)
{
	static const struct {
		const char	*br;
		const char	*why;		/* in the reason */
	} cases[] = {
		{ "[01]00312345678907[21]ABC", "check digit" },
		{ "[01]00312345678906[17]271331[21]ABC", "(17)" },
		{ "[01]00312345678906[21]AB~C", "(21)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
		struct image im;
		struct image_dm_geometry g;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;

		CU_ASSERT_EQUAL_FATAL(render_mode(cases[i].br, 4, 0,
		    GS1_MODE | GS1NOCHECK_MODE, &im, &g), 0);
		o.timeout_ms = 400;
		TEST_INT_EQ(i, image_dm_decode(&im, &o, &r, &d), 0);
		TEST_INT_EQ(i, r.status, IMAGE_DM_NOT_GS1);
		CU_ASSERT(r.gs1);
		if (strstr(r.why, cases[i].why) == NULL)
			TEST_STR_EQ(i, r.why, cases[i].why);
		image_free(&im);
	}
}

/* A rendered label through the isolated cascade, and mirrored. */
static void
test_cascade_rendered(void)
{
	for (int mirror = 0; mirror < 2; mirror++) {
		struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
		struct image im;
		struct image_dm_geometry g;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;

		CU_ASSERT_EQUAL_FATAL(render(known_cases[0].br, 4, 0, &im,
		    &g), 0);
		if (mirror)
			for (size_t y = 0; y < im.h; y++)
				for (size_t x = 0; x < im.w / 2; x++) {
					unsigned char *p = im.px + y * im.w;
					unsigned char t = p[x];

					p[x] = p[im.w - 1 - x];
					p[im.w - 1 - x] = t;
				}
		CU_ASSERT_EQUAL(image_dm_decode(&im, &o, &r, &d), 0);
		CU_ASSERT_EQUAL(r.status, IMAGE_DM_OK);
		CU_ASSERT_EQUAL(r.mirrored, mirror == 1);
		CU_ASSERT_EQUAL(r.rows, 22);
		image_free(&im);
	}
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "png read samples", test_png_read_samples },
		{ "png round trip", test_png_round_trip },
		{ "png refusals", test_png_refusals },
		{ "png file errors", test_png_file_errors },
		{ "decode known geometry", test_decode_known },
		{ "decode known refusals", test_decode_known_refusals },
		{ "cascade samples", test_cascade_samples },
		{ "cascade errors", test_cascade_errors },
		{ "cascade require GS1", test_cascade_require_gs1 },
		{ "cascade rendered", test_cascade_rendered },
		{ "cascade invalid GS1", test_cascade_invalid_gs1 },
		{ "cascade pass mask", test_cascade_pass_mask },
		{ "cascade ROI and curved", test_cascade_roi_and_curved },
		{ NULL, NULL },
	};

	return test_run("image", tests);
}
