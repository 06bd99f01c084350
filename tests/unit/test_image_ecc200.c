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
#include <stdint.h>
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

/* --- hand-built symbols: an RS encoder of the test's own --- */

struct gf {
	unsigned char	exp[512], log[256];
};

static void
gf_setup(struct gf *g)
{
	unsigned x = 1;

	for (int i = 0; i < 255; i++) {
		g->exp[i] = g->exp[i + 255] = (unsigned char)x;
		g->log[x] = (unsigned char)i;
		x = x << 1 ^ (x & 0x80 ? 0x12D : 0);
	}
}

static unsigned char
mul(const struct gf *g, unsigned char a, unsigned char b)
{
	return a && b ? g->exp[g->log[a] + g->log[b]] : 0;
}

/*
 * Build the grid of a single-block symbol `sz` from `n` data codewords
 * (the rest padded as ISO/IEC 16022 5.2.3 says), with the RS error
 * codewords of generator prod (x - alpha^i), i = 1..ecc (Annex E).
 * Returns the full codeword array in cw (data then ecc).
 */
static void
build(const struct dm_size *sz, const unsigned char *data, size_t n,
    unsigned char *grid, unsigned char *cw)
{
	struct gf g;
	unsigned char gen[80] = { 1 }, rem[80] = { 0 };
	int ecc = sz->ecc, map[144 * 144];

	CU_ASSERT_FATAL(sz->blocks == 1 && n <= sz->data);
	gf_setup(&g);
	memcpy(cw, data, n);
	for (size_t i = n; i < sz->data; i++) {
		unsigned v = 129 + (149 * (unsigned)(i + 1)) % 253 + 1;

		cw[i] = (unsigned char)(i == n ? 129 : v <= 254 ? v : v - 254);
	}
	/* gen(x) = prod (x + alpha^i), gen[0] the leading coefficient */
	for (int i = 1; i <= ecc; i++)
		for (int j = i; j >= 0; j--)
			gen[j] = (unsigned char)((j > 0 ? gen[j - 1] : 0) ^
			    mul(&g, gen[j], g.exp[i]));
	/* The coefficients above are lowest first: remainder by division. */
	for (int i = 0; i < sz->data; i++) {
		unsigned char f = cw[i] ^ rem[0];

		memmove(rem, rem + 1, (size_t)ecc - 1);
		rem[ecc - 1] = 0;
		for (int j = 0; j < ecc; j++)
			rem[j] ^= mul(&g, f, gen[ecc - 1 - j]);
	}
	memcpy(cw + sz->data, rem, (size_t)ecc);
	CU_ASSERT_FATAL(dm_placement(sz, map) == 0);
	for (int r = 0; r < sz->rows; r++)
		for (int c = 0; c < sz->cols; c++) {
			int i = r * sz->cols + c, f = dm_fixed_module(sz, r, c);

			if (f >= 0)
				grid[i] = f ? 255 : 0;
			else if (map[i] < 0)	/* the unused corner: F.3 */
				grid[i] = (r + c) % 2 == 0 ? 255 : 0;
			else
				grid[i] = (cw[map[i] / 8] >> (7 - map[i] % 8)) & 1 ?
				    255 : 0;
		}
}

/* Codeword streams for every encodation, decoded exactly or refused. */
static void
test_encodations(void)
{
	static const struct {
		const char	*what;
		unsigned char	 cw[16];
		size_t		 n;
		int		 rc;		/* 0 or -1 */
		const char	*want;		/* \350 = FNC1 (0xE8) */
		size_t		 wantlen;
		bool		 gs1;
		unsigned	 features;
	} cases[] = {
		{ "ascii, digit pair, upper shift", { 66, 142, 235, 66 }, 4, 0,
		    "A12\301", 4, false, 0 },
		{ "c40 AIM, unlatch", { 230, 91, 11, 254, 67 }, 5, 0, "AIMB", 4,
		    false, 0 },
		{ "text aim", { 239, 91, 11, 254 }, 4, 0, "aim", 3, false, 0 },
		{ "x12 A*>", { 238, 87, 171, 254 }, 4, 0, "A*>", 3, false, 0 },
		{ "c40 shift across pairs", { 230, 89, 178, 2, 63, 254 }, 6, 0,
		    "AA!AA", 5, false, 0 },
		/* A short last pair is filled with Shift 1 (5.2.5.2). */
		{ "c40 AB, shift 1 fill, unlatch", { 230, 89, 217, 254 }, 4, 0,
		    "AB", 2, false, 0 },
		{ "edifact ABC, unlatch, D", { 240, 0x04, 0x20, 0xDF, 69 }, 5,
		    0, "ABCD", 4, false, 0 },
		/* Base 256 at position 2, 3 bytes 00 ff 80 (255-state). */
		{ "base 256", { 231, (3 + 298 % 255 + 1) % 256,
		    (0 + 447 % 255 + 1) % 256, (255 + 596 % 255 + 1) % 256,
		    (128 + 745 % 255 + 1) % 256 }, 5, 0, "\0\377\200", 3,
		    false, 0 },
		{ "fnc1 first: gs1", { 232, 131, 232, 66 }, 4, 0,
		    "\35001\350A", 5, true, 0 },
		{ "fnc1 later: not gs1", { 66, 232, 66 }, 3, 0, "A\350A", 3,
		    false, 0 },
		{ "eci 26", { 241, 27, 66 }, 3, 0, "A", 1, false,
		    IMAGE_DM_ECI },
		{ "structured append", { 233, 0x12, 1, 1, 66 }, 5, 0, "A", 1,
		    false, IMAGE_DM_STRUCTURED_APPEND },
		{ "reader programming", { 234, 66 }, 2, 0, "A", 1, false,
		    IMAGE_DM_READER_PROG },
		{ "macro 05", { 236, 66 }, 2, 0, "[)>\03605\035A\036\004", 10,
		    false, IMAGE_DM_MACRO },
		{ "codeword 0", { 66, 0 }, 2, -1, "", 0, false, 0 },
		{ "codeword 242", { 66, 242 }, 2, -1, "", 0, false, 0 },
		{ "base 256 past the end", { 231, (200 + 298 % 255 + 1) % 256 },
		    2, -1, "", 0, false, 0 },
		{ "c40 value 40 of 40", { 230, 250, 1 }, 3, -1, "", 0, false,
		    0 },
	};
	const struct dm_size *sz = dm_size_find(16, 16);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char grid[16 * 16], cw[64];
		struct dm_ecc200_opts o = { 0 };
		struct dm_ecc200_out r;
		int rc;

		build(sz, cases[i].cw, cases[i].n, grid, cw);
		rc = dm_ecc200_decode(sz, grid, &o, &r);
		TEST_INT_EQ(i, rc, cases[i].rc);
		if (rc != 0)
			continue;
		TEST_INT_EQ(i, (long long)r.len, (long long)cases[i].wantlen);
		if (r.len != cases[i].wantlen ||
		    memcmp(r.bytes, cases[i].want, r.len) != 0)
			TEST_STR_EQ(i, (const char *)r.bytes, cases[i].want);
		TEST_INT_EQ(i, r.gs1, cases[i].gs1);
		TEST_INT_EQ(i, r.features, cases[i].features);
		if (cases[i].features == IMAGE_DM_ECI)
			TEST_INT_EQ(i, r.eci, 26);
		if (cases[i].features == IMAGE_DM_STRUCTURED_APPEND) {
			TEST_INT_EQ(i, r.sa_pos, 2);
			TEST_INT_EQ(i, r.sa_total, 15);
		}
	}
}

/* A wrong pad after the first is refused (M3). */
static void
test_bad_pad(void)
{
	const struct dm_size *sz = dm_size_find(16, 16);
	unsigned char grid[16 * 16], cw[64], in[1] = { 66 };
	struct dm_ecc200_opts o = { 0 };
	struct dm_ecc200_out r;
	struct gf g;

	build(sz, in, 1, grid, cw);
	CU_ASSERT_EQUAL(dm_ecc200_decode(sz, grid, &o, &r), 0);
	/* Re-encode with pad 3 replaced: RS is fine, the pad is not. */
	cw[3] ^= 1;
	gf_setup(&g);
	build(sz, cw, 12, grid, cw);
	CU_ASSERT_EQUAL(dm_ecc200_decode(sz, grid, &o, &r), -1);
}

/*
 * Corrupt codeword k of the grid: every module of it flipped, either
 * confidently (0 <-> 255) or unsurely (just across the threshold).
 */
static void
corrupt(const struct dm_size *sz, const int *map, unsigned char *grid, int k,
    bool unsure)
{
	for (int i = 0; i < sz->rows * sz->cols; i++) {
		if (map[i] < 0 || map[i] / 8 != k || map[i] % 8 != k % 8)
			continue;
		/* one module per codeword suffices to make it wrong */
		grid[i] = grid[i] >= 128 ? (unsure ? 120 : 0) :
		    (unsure ? 136 : 255);
	}
}

/*
 * Reed-Solomon at its limits in a 24x24 symbol (36 data, 24 error
 * codewords, one block): errors 2e <= 24 - 2, erasures f <= 24 - 3, mixed
 * 2e + f <= 21 (M1); one more and the symbol is refused, never misread.
 */
static void
test_rs_limits(void)
{
	static const struct {
		int	errors, unsure;
		int	rc;
	} cases[] = {
		{ 0, 0, 0 }, { 1, 0, 0 }, { 11, 0, 0 }, { 12, 0, -1 },
		{ 0, 1, 0 }, { 0, 21, 0 }, { 0, 22, -1 }, { 5, 11, 0 },
		{ 5, 12, -1 }, { 10, 1, 0 }, { 10, 2, -1 },
	};
	const struct dm_size *sz = dm_size_find(24, 24);
	unsigned char data[36], clean[24 * 24], cw[64];
	int map[24 * 24];

	for (int i = 0; i < 20; i++)
		data[i] = (unsigned char)(66 + i);
	build(sz, data, 20, clean, cw);
	CU_ASSERT_FATAL(dm_placement(sz, map) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char grid[24 * 24];
		struct dm_ecc200_opts o = { 160 };
		struct dm_ecc200_out r;
		int rc;

		memcpy(grid, clean, sizeof(grid));
		/* errors from the first codeword up, unsure from the last */
		for (int e = 0; e < cases[i].errors; e++)
			corrupt(sz, map, grid, e * 2, false);
		for (int f = 0; f < cases[i].unsure; f++)
			corrupt(sz, map, grid, 59 - f, true);
		rc = dm_ecc200_decode(sz, grid, &o, &r);
		TEST_INT_EQ(i, rc, cases[i].rc);
		if (rc == 0) {
			TEST_INT_EQ(i, (long long)r.len, 20);
			TEST_INT_EQ(i, memcmp(r.bytes, "ABCDEFGHIJKLMNOPQRST",
			    20), 0);
			TEST_INT_EQ(i, r.errors + r.erasures > 0,
			    cases[i].errors + cases[i].unsure > 0);
		}
	}
}

/*
 * Random damage past the limit, 300 times, in a small symbol (12x12, 7
 * error codewords, the easiest to miscorrect): refused or right, never a
 * different message.
 */
static void
test_rs_never_wrong(void)
{
	const struct dm_size *sz = dm_size_find(12, 12);
	unsigned char data[5] = { 66, 67, 68, 69, 70 }, clean[144], cw[64];
	uint64_t x = 42;
	int map[144], wrong = 0, right = 0;

	build(sz, data, 5, clean, cw);
	CU_ASSERT_FATAL(dm_placement(sz, map) == 0);
	for (int t = 0; t < 300; t++) {
		unsigned char grid[144];
		struct dm_ecc200_opts o = { 160 };
		struct dm_ecc200_out r;
		int nflip = 2 + t % 10;

		memcpy(grid, clean, sizeof(grid));
		for (int k = 0; k < nflip; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			grid[(x >> 33) % 144] ^= (x >> 20) & 1 ? 0xFF : 0x88;
		}
		if (dm_ecc200_decode(sz, grid, &o, &r) == 0) {
			if (r.len == 5 && memcmp(r.bytes, "ABCDE", 5) == 0)
				right++;
			else
				wrong++;
		}
	}
	TEST_INT_EQ(0, wrong, 0);
	CU_ASSERT(right > 0);
}

/*
 * The zxing-cpp samples through our grid pass alone: what reads is
 * recorded (not wished), with the exact payload; the rest must not yield
 * any data.
 */
static void
test_grid_samples(void)
{
	static const struct {
		const char	*name;
		bool		 reads;
	} cases[] = {
		{ "0123456789", true },
		{ "EDIFACT", true },
		{ "HelloWorld_Text_L_Kaywa", true },
		{ "HelloWorld_Text_L_Kaywa_4_error_byte", true },
		{ "X12", true },
		{ "abcd-18x8", true },
		{ "abcd-36x12-mirrored", true },
		{ "gs1-figure-4.15.1-2-32x32", true },
		{ "gs1-figure-4.15.1-2-44x20", true },
		{ "mod-size-1", true },
		{ "readerinit", true },
		{ "C40", true },
		{ "distorted", false },
		{ "dm-2", false },
		{ "issue794", false },
		{ "issue794-12-1", false },
		{ "issue794-13-4", false },
		{ "issue794-3-2", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256];
		struct image im;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;
		FILE *f;
		char want[512];
		size_t wn;
		int st;

		snprintf(path, sizeof(path), IMAGES "%s.png", cases[i].name);
		CU_ASSERT_EQUAL_FATAL(image_png_read_file(&im, path, NULL, &d),
		    0);
		memset(&r, 0, sizeof(r));
		st = dm_grid_pass(&im, dm_now_ms() + 3000, accept_any, NULL,
		    &r, &d);
		image_free(&im);
		TEST_INT_EQ(i, st == IMAGE_DM_OK, cases[i].reads);
		if (st != IMAGE_DM_OK) {
			TEST_INT_EQ(i, (long long)r.len, 0);
			continue;
		}
		snprintf(path, sizeof(path), IMAGES "%s.txt", cases[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "rb"));
		wn = fread(want, 1, sizeof(want) - 1, f);
		fclose(f);
		want[wn] = '\0';
		TEST_INT_EQ(i, (long long)r.len, (long long)wn);
		TEST_STR_EQ(i, (const char *)r.data, want);
	}
}

/* Box blur of radius r, in place, rows then columns, edges clamped. */
static void
box_blur(struct image *im, int r)
{
	unsigned char *tmp = malloc(im->w > im->h ? im->w : im->h);

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass == 0 ? im->h : im->w, len = pass == 0 ? im->w :
		    im->h, step = pass == 0 ? 1 : im->stride;

		for (size_t k = 0; k < n; k++) {
			unsigned char *p = im->px + (pass == 0 ? k * im->stride :
			    k);

			for (size_t i = 0; i < len; i++) {
				unsigned sum = 0, cnt = 0;

				for (long j = (long)i - r; j <= (long)i + r;
				    j++) {
					size_t jj = j < 0 ? 0 : (size_t)j >= len ?
					    len - 1 : (size_t)j;

					sum += p[jj * step];
					cnt++;
				}
				tmp[i] = (unsigned char)(sum / cnt);
			}
			for (size_t i = 0; i < len; i++)
				p[i * step] = tmp[i];
		}
	}
	free(tmp);
}

/*
 * A GS1 label at 4 px/module blurred by three box passes of radius 2
 * (about a Gaussian of sigma 2.8 px, 0.7 module): the "grid-sharp" pass
 * alone reads it, through the public cascade, with the exact payload and
 * size, and a DMRE label through the "grid" pass alone.
 */
static void
test_cascade_grid_passes(void)
{
	static const char br[] =
	    "[01]00312345678906[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT";
	static const char raw[] =
	    "0100312345678906172712311" "0A1B2C3\03521" "7X2KQ9PLM3ZT";
	struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
	struct image_dm_result r;
	struct diag d = DIAG_INIT;
	struct image im;
	int rows, cols;

	CU_ASSERT_EQUAL_FATAL(render((const unsigned char *)br, strlen(br),
	    GS1_MODE, 0, 4, &im, &rows, &cols), 0);
	for (int k = 0; k < 3; k++)
		box_blur(&im, 2);
	o.passes = image_dm_pass_mask("grid-sharp");
	CU_ASSERT_NOT_EQUAL_FATAL(o.passes, 0);
	CU_ASSERT_EQUAL(image_dm_decode(&im, &o, &r, &d), 0);
	CU_ASSERT_EQUAL(r.status, IMAGE_DM_OK);
	CU_ASSERT_STRING_EQUAL((const char *)r.data, raw);
	CU_ASSERT_EQUAL(r.rows, rows);
	CU_ASSERT_STRING_EQUAL(r.pass_name, "grid-sharp");
	image_free(&im);

	/* 20x44 DMRE (zint size 41). */
	CU_ASSERT_EQUAL_FATAL(render((const unsigned char *)br, strlen(br),
	    GS1_MODE, 41, 3, &im, &rows, &cols), 0);
	CU_ASSERT(rows == 20 && cols == 44);
	o.passes = image_dm_pass_mask("grid");
	CU_ASSERT_NOT_EQUAL_FATAL(o.passes, 0);
	CU_ASSERT_EQUAL(image_dm_decode(&im, &o, &r, &d), 0);
	CU_ASSERT_EQUAL(r.status, IMAGE_DM_OK);
	CU_ASSERT_STRING_EQUAL((const char *)r.data, raw);
	CU_ASSERT_EQUAL(r.cols, 44);
	image_free(&im);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "round trip all 48 sizes", test_round_trip_all_sizes },
		{ "encodations", test_encodations },
		{ "bad pad", test_bad_pad },
		{ "reed-solomon limits", test_rs_limits },
		{ "reed-solomon never wrong", test_rs_never_wrong },
		{ "grid on the samples", test_grid_samples },
		{ "cascade grid passes", test_cascade_grid_passes },
		{ NULL, NULL },
	};

	return test_run("image_ecc200", tests);
}
