/*
 * Unit tests of libcommon/label: geometry rules, zint's symbol (square,
 * quiet zone, whole pixels), the formats drawn from the same modules, the
 * ZPL field data, file names, the in-line check, and a round trip of 1,000
 * random DSCSA items through every format that carries a bitmap (PNG 1 and
 * 8 bit, ZPL ^GFA), decoded back to the exact bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "image.h"
#include "label.h"
#include "label_int.h"
#include "testutil.h"

/* A seeded generator (xorshift64*): tests are repeatable, never rand(). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static const char dscsa[] =
    "[01]00312345678906[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT";
static const char dscsa_gs[] =
    "010031234567890617271231" "10A1B2C3\x1d" "217X2KQ9PLM3ZT";

static struct label *
make(enum label_format f, unsigned px, enum label_hri hri)
{
	struct label_opts o = LABEL_OPTS_INIT;
	struct label *l = NULL;
	struct diag d = DIAG_INIT;

	o.format = f;
	o.module_px = px;
	o.hri = hri;
	CU_ASSERT_EQUAL_FATAL(label_new(&l, &o, &d), 0);
	return l;
}

static int
encode(struct label *l, const char *br, const char *gs, struct diag *d)
{
	static const char hri[4][LABEL_HRI_LINE_MAX] = {
		"GTIN: 00312345678906", "SN: 7X2KQ9PLM3ZT", "LOT: A1B2C3",
		"EXP: 2027-12-31",
	};

	return label_encode_raw(l, br, gs, strlen(gs), hri, 4, d);
}

/* Write the label into memory; returns a malloc'd buffer. */
static char *
render(struct label *l, size_t *len)
{
	struct diag d = DIAG_INIT;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(label_write(l, f, &d), 0);
	fclose(f);
	return buf;
}

static void
test_module_px(void)
{
	static const struct {
		double		 mm;
		unsigned	 dpi;
		int		 rc;
		unsigned	 px;
	} cases[] = {
		{ 0.380, 300, 0, 4 },	/* 4.49 -> 4: 0.339 mm */
		{ 0.380, 203, 0, 3 },
		{ 0.380, 600, 0, 9 },
		{ 0.254, 203, 0, 2 },
		{ 0.495, 300, 0, 6 },
		{ 0.010, 300, 0, 1 },	/* never 0 pixels */
		{ 0.000, 300, -1, 0 },
		{ -1.00, 300, -1, 0 },
		{ 5.000, 1200, -1, 0 },	/* 236 dots per module */
		{ 0.380, 10, -1, 0 },
		{ 0.380, 9600, -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag d = DIAG_INIT;
		unsigned px = 0;
		int rc = label_module_px(cases[i].mm, cases[i].dpi, &px, &d);

		TEST_INT_EQ(i, rc, cases[i].rc);
		if (rc == 0)
			TEST_INT_EQ(i, px, cases[i].px);
		else
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
	}
}

static void
test_x_range(void)
{
	static const struct {
		unsigned	px, dpi;
		bool		in;
	} cases[] = {
		{ 3, 300, true },	/* 0.254 mm: the minimum itself */
		{ 4, 300, true },	/* 0.339 */
		{ 5, 300, true },	/* 0.423 */
		{ 6, 300, false },	/* 0.508 */
		{ 2, 300, false },	/* 0.169 */
		{ 2, 203, false },	/* 0.2502 */
		{ 4, 203, false },	/* 0.500 */
		{ 9, 600, true },	/* 0.381 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double mm = label_x_mm(cases[i].px, cases[i].dpi);
		TEST_INT_EQ(i, label_x_in_range(mm), cases[i].in);
	}
}

/* The fixed patterns and the quiet zone (ISO/IEC 16022 5.3). */
static void
check_symbol(size_t row, const struct image *im,
    const struct image_dm_geometry *g)
{
	size_t p = g->module_px;
	int bad = 0;

	TEST_INT_EQ(row, im->w, (size_t)(g->cols + 2) * p);
	TEST_INT_EQ(row, im->h, (size_t)(g->rows + 2) * p);
	TEST_INT_EQ(row, g->x0, p);
	TEST_INT_EQ(row, g->y0, p);
	TEST_INT_EQ(row, g->rows, g->cols);	/* squares only */
	for (size_t y = 0; y < im->h; y++)
		for (size_t x = 0; x < im->w; x++) {
			size_t mx = x / p, my = y / p;
			int dark = im->px[y * im->stride + x] < 128, want;

			if (mx == 0 || my == 0 || mx == (size_t)g->cols + 1 ||
			    my == (size_t)g->rows + 1)
				want = 0;		/* quiet zone */
			else if (mx == 1 || my == (size_t)g->rows)
				want = 1;		/* solid L */
			else if (my == 1)
				want = mx % 2 == 1;	/* top clock */
			else if (mx == (size_t)g->cols)
				want = my % 2 == 0;	/* right clock */
			else
				continue;
			if (dark != want)
				bad++;
		}
	TEST_INT_EQ(row, bad, 0);
	/* Every module is one colour: whole pixels per module. */
	bad = 0;
	for (size_t y = 0; y < im->h; y++)
		for (size_t x = 0; x < im->w; x++)
			if (im->px[y * im->stride + x] != im->px[(y / p * p) *
			    im->stride + x / p * p])
				bad++;
	TEST_INT_EQ(row, bad, 0);
}

static void
test_symbol_geometry(void)
{
	static const struct {
		const char	*br;
		int		 size;
	} cases[] = {
		{ dscsa, 22 },
		{ "[01]00312345678906[21]1", 16 },
		/* automatic sizing alone picks an 8-row rectangle here */
		{ "[01]00312345678906", 16 },
		{ "[01]00312345678906[17]271231[10]ABCDEFGHIJKLMNOPQRST"
		  "[21]ABCDEFGHIJKLMNOPQRST", 32 },
	};
	static const unsigned pxs[] = { 1, 2, 3, 4, 5, 8 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t k = 0; k < sizeof(pxs) / sizeof(pxs[0]); k++) {
			struct label *l = make(LABEL_PNG, pxs[k],
			    LABEL_HRI_NONE);
			struct image_dm_geometry g;
			const struct image *im;
			struct diag d = DIAG_INIT;

			TEST_INT_EQ(i, encode(l, cases[i].br, "x", &d), 0);
			im = label_symbol_bitmap(l, &g);
			CU_ASSERT_PTR_NOT_NULL_FATAL(im);
			TEST_INT_EQ(i, g.rows, cases[i].size);
			check_symbol(i * 10 + k, im, &g);
			label_free(l);
		}
}

static void
test_zint_refuses(void)
{
	static const struct {
		const char	*br;
		const char	*msg;	/* substring of the message */
	} cases[] = {
		/* zint 2.11 only warns of a check digit: warnings are errors */
		{ "[01]00312345678907[21]X", "checksum" },
		{ "[01]00312345678906[17]271331[21]X", "" },
		{ "[23]1234", "AI" },
		{ "0100312345678906", "" },
		{ "[01]0031234567890[21]X", "length" },
		{ "[21]", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct label *l = make(LABEL_PNG, 4, LABEL_HRI_NONE);
		struct diag d = DIAG_INIT;

		TEST_INT_EQ(i, encode(l, cases[i].br, "x", &d), -1);
		TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		if (strstr(d.msg, cases[i].msg) == NULL ||
		    strstr(d.msg, "zint refuses") == NULL)
			TEST_STR_EQ(i, d.msg, cases[i].msg);
		label_free(l);
	}
}

static void
test_too_long(void)
{
	/* 40 x (91) of 90 characters: beyond 144x144 (ISO/IEC 16022 table 7) */
	char *br = malloc(40 * 95 + 1);
	struct label *l = make(LABEL_PNG, 1, LABEL_HRI_NONE);
	struct diag d = DIAG_INIT;
	size_t o = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(br);
	for (int i = 0; i < 40; i++) {
		memcpy(br + o, "[91]", 4);
		o += 4;
		for (int k = 0; k < 90; k++)
			br[o++] = (char)('A' + (i + k) % 26);
	}
	br[o] = '\0';
	CU_ASSERT_EQUAL(encode(l, br, "x", &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	free(br);
	label_free(l);
}

/* Parse our SVG path back into modules; compare with the bitmap. */
static void
test_svg_matches_bitmap(void)
{
	struct label *l = make(LABEL_SVG, 3, LABEL_HRI_BELOW);
	struct image_dm_geometry g;
	const struct image *im;
	struct diag d = DIAG_INIT;
	unsigned char *dark;
	size_t len, x, y, w, p = 3, nrect = 0;
	char *svg, *s;
	int n, bad = 0;

	CU_ASSERT_EQUAL_FATAL(encode(l, dscsa, dscsa_gs, &d), 0);
	svg = render(l, &len);
	im = label_symbol_bitmap(l, &g);
	dark = calloc((size_t)g.rows * (size_t)g.cols, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dark);
	s = strstr(svg, " d=\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s += 4;
	while (sscanf(s, "M%zu %zuh%zuv%*uh-%*uz%n", &x, &y, &w, &n) == 3) {
		for (size_t k = 0; k < w / p; k++)
			dark[(y / p - 1) * (size_t)g.cols + x / p - 1 + k] = 1;
		s += n;
		nrect++;
	}
	CU_ASSERT_EQUAL(*s, '"');
	CU_ASSERT(nrect > 0);
	for (int r = 0; r < g.rows; r++)
		for (int c = 0; c < g.cols; c++) {
			int b = im->px[((size_t)(r + 1) * p) * im->stride +
			    (size_t)(c + 1) * p] < 128;

			if (b != dark[(size_t)r * (size_t)g.cols + (size_t)c])
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, ">SN: 7X2KQ9PLM3ZT</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "viewBox=\"0 0 "));
	/* 0.254 mm (3 dots at 300 dpi) per module, 24 modules wide */
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "<desc>GS1 DataMatrix 22x22: "));
	free(dark);
	free(svg);
	label_free(l);
}

static void
test_eps(void)
{
	struct label *l = make(LABEL_EPS, 4, LABEL_HRI_RIGHT);
	struct diag d = DIAG_INIT;
	size_t len;
	char *eps;

	CU_ASSERT_EQUAL_FATAL(encode(l, "[01]00312345678906[21](A)\\",
	    "0100312345678906" "21(A)\\", &d), -1);	/* '\' is not CSET 82 */
	diag_clear(&d);
	CU_ASSERT_EQUAL_FATAL(label_encode_raw(l,
	    "[01]00312345678906[21](A)", "010031234567890621(A)", 21,
	    (const char [][LABEL_HRI_LINE_MAX]){ "SN: (A)" }, 1, &d), 0);
	eps = render(l, &len);
	CU_ASSERT_EQUAL(strncmp(eps, "%!PS-Adobe-3.0 EPSF-3.0\n", 24), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(eps, "%%BoundingBox: 0 0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(eps, "(SN: \\(A\\)) show\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(eps, "\n%%EOF\n"));
	free(eps);
	label_free(l);
}

static void
test_zpl_native(void)
{
	static const struct {
		const char	*br, *gs, *want;
	} cases[] = {
		{ dscsa, dscsa_gs,
		  "^FD_1010031234567890617271231"
		  "10A1B2C3_1217X2KQ9PLM3ZT^FS" },
		/* '_' is the escape character: doubled */
		{ "[01]00312345678906[21]A_B", "010031234567890621A_B",
		  "^FD_1010031234567890621A__B^FS" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct label *l = make(LABEL_ZPL, 5, LABEL_HRI_BELOW);
		struct diag d = DIAG_INIT;
		char *zpl, want[128];
		size_t len;
		struct label_info li;

		TEST_INT_EQ(i, encode(l, cases[i].br, cases[i].gs, &d), 0);
		label_info(l, &li);
		zpl = render(l, &len);
		TEST_INT_EQ(i, strstr(zpl, cases[i].want) != NULL, 1);
		snprintf(want, sizeof(want), "^FO5,5^BXN,5,200,%d,%d,,_\n",
		    li.cols, li.rows);
		TEST_INT_EQ(i, strstr(zpl, want) != NULL, 1);
		TEST_INT_EQ(i, strncmp(zpl, "^XA\n", 4), 0);
		TEST_INT_EQ(i, strcmp(zpl + len - 4, "^XZ\n"), 0);
		TEST_INT_EQ(i, strstr(zpl, "^A0N,") != NULL, 1);
		free(zpl);
		label_free(l);
	}
}

/* From a parsed message: compact order, the check bytes, the HRI lines. */
static void
test_from_msg(void)
{
	static const struct {
		const char	*in;
		bool		 ndc;
		const char	*bracketed;	/* NULL: label_encode fails */
		const char	*hri;		/* lines joined by '|' */
	} cases[] = {
		{ "[01]00312345678906[10]A1B2C3[17]271231[21]7X2KQ9PLM3ZT",
		  false,
		  "[01]00312345678906[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT",
		  "GTIN: 00312345678906|SN: 7X2KQ9PLM3ZT|LOT: A1B2C3|"
		  "EXP: 2027-12-31" },
		{ "(21)S1(01)00312345678906(17)270200", true,
		  "[01]00312345678906[17]270200[21]S1",
		  "NDC: 1234567890|SN: S1|EXP: 2027-02" },
		{ "[01]04012345678901[21]X", true, NULL, "" },
		{ "[00]003123450000000011", false, "[00]003123450000000011",
		  "SSCC: 003123450000000011" },
	};
	struct gs1_parse_opts po = GS1_PARSE_OPTS_INIT;
	static struct gs1_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct label_opts o = LABEL_OPTS_INIT;
		struct label *l;
		struct label_info li;
		struct diag d = DIAG_INIT;
		char joined[256] = "";

		o.ndc = cases[i].ndc;
		o.hri = LABEL_HRI_BELOW;
		o.today = (struct gs1_date){ 2026, 12, 1 };
		CU_ASSERT_EQUAL_FATAL(label_new(&l, &o, &d), 0);
		TEST_INT_EQ(i, gs1_parse(&m, gs1_table_embedded(), cases[i].in,
		    strlen(cases[i].in), &po, &d), 0);
		if (cases[i].bracketed == NULL) {
			TEST_INT_EQ(i, label_encode(l, &m, &d), -1);
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
			label_free(l);
			continue;
		}
		TEST_INT_EQ(i, label_encode(l, &m, &d), 0);
		label_info(l, &li);
		TEST_STR_EQ(i, li.bracketed, cases[i].bracketed);
		for (size_t k = 0, o2 = 0; k < li.nhri; k++)
			o2 += (size_t)snprintf(joined + o2, sizeof(joined) - o2,
			    "%s%s", k > 0 ? "|" : "", li.hri[k]);
		TEST_STR_EQ(i, joined, cases[i].hri);
		TEST_INT_EQ(i, label_check(l, &d), 0);
		label_free(l);
	}
}

/* Turn our ^GFA field back into an image. */
static int
gfa_image(const char *zpl, struct image *out)
{
	size_t total, total2, bpr;
	struct diag d = DIAG_INIT;
	const char *s = strstr(zpl, "^GFA,");
	int n;

	if (s == NULL || sscanf(s, "^GFA,%zu,%zu,%zu,%n", &total, &total2,
	    &bpr, &n) != 3 || total != total2 || bpr == 0)
		return -1;
	s += n;
	if (image_alloc(out, bpr * 8, total / bpr, 255, &d) != 0)
		return -1;
	for (size_t i = 0; i < total; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		for (int k = 0; k < 8; k++)
			if (v & (0x80u >> k))
				out->px[i / bpr * out->stride + i % bpr * 8 +
				    (size_t)k] = 0;
	}
	return strncmp(s + 2 * total, "^FS", 3) == 0 ? 0 : -1;
}

static void
test_zpl_graphic(void)
{
	struct label_opts o = LABEL_OPTS_INIT;
	struct image_dm_geometry g;
	const struct image *im;
	struct image back = { 0 };
	struct label *l;
	struct diag d = DIAG_INIT;
	size_t len;
	char *zpl;
	int bad = 0;

	o.format = LABEL_ZPL;
	o.zpl_mode = LABEL_ZPL_GRAPHIC;
	o.module_px = 3;
	CU_ASSERT_EQUAL_FATAL(label_new(&l, &o, &d), 0);
	CU_ASSERT_EQUAL_FATAL(encode(l, dscsa, dscsa_gs, &d), 0);
	zpl = render(l, &len);
	im = label_symbol_bitmap(l, &g);
	CU_ASSERT_EQUAL_FATAL(gfa_image(zpl, &back), 0);
	CU_ASSERT(back.w >= im->w && back.w < im->w + 8);
	CU_ASSERT_EQUAL(back.h, im->h);
	for (size_t y = 0; y < im->h; y++)
		for (size_t x = 0; x < back.w; x++) {
			int want = x < im->w ? im->px[y * im->stride + x] : 255;

			if (back.px[y * back.stride + x] != want)
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NULL(strstr(zpl, "^BX"));
	image_free(&back);
	free(zpl);
	label_free(l);
}

static void
test_names(void)
{
	static const struct {
		const char	*serial;
		const char	*want;
	} cases[] = {
		{ "7X2KQ9PLM3ZT", "7X2KQ9PLM3ZT.png" },
		{ "ab", "ab.png" },
		{ "AB", "AB~2.png" },	/* case-insensitive file systems */
		{ "ab", "ab~3.png" },
		{ "a/b", "a%2Fb.png" },
		{ "..", "%2E%2E.png" },
		{ ".profile", "%2Eprofile.png" },
		{ "x\"*:<>?|", "x%22%2A%3A%3C%3E%3F%7C.png" },
		{ "100%", "100%25.png" },
		{ "CON", "%43ON.png" },
		{ "nul", "%6Eul.png" },
		{ "COM1", "%43OM1.png" },
		{ "COMX", "COMX.png" },
		{ "CONS", "CONS.png" },
		{ "A_B-C", "A_B-C.png" },
	};
	struct label_names *n;
	struct diag d = DIAG_INIT;
	char buf[LABEL_NAME_MAX];

	CU_ASSERT_EQUAL_FATAL(label_names_new(&n, &d), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TEST_INT_EQ(i, label_names_next_raw(n, cases[i].serial,
		    strlen(cases[i].serial), LABEL_PNG, buf, &d), 0);
		TEST_STR_EQ(i, buf, cases[i].want);
	}
	CU_ASSERT_EQUAL(label_names_next_raw(n, "", 0, LABEL_PNG, buf, &d), -1);
	label_names_free(n);
}

static void
test_names_many(void)
{
	struct label_names *n;
	struct diag d = DIAG_INIT;
	char buf[LABEL_NAME_MAX], s[16];
	int dup = 0;

	/* 5000 names, the same 2500 serials twice: the set grows, no repeats */
	CU_ASSERT_EQUAL_FATAL(label_names_new(&n, &d), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(s, sizeof(s), "S%d", i % 2500);
		CU_ASSERT_EQUAL(label_names_next_raw(n, s, strlen(s), LABEL_SVG,
		    buf, &d), 0);
		if (strchr(buf, '~') != NULL)
			dup++;
	}
	CU_ASSERT_EQUAL(dup, 2500);
	label_names_free(n);
}

static void
test_check(void)
{
	struct label *l = make(LABEL_PNG, 4, LABEL_HRI_NONE);
	struct image_dm_geometry g;
	struct image *im;
	struct diag d = DIAG_INIT;

	CU_ASSERT_EQUAL_FATAL(encode(l, dscsa, dscsa_gs, &d), 0);
	CU_ASSERT_EQUAL(label_check(l, &d), 0);

	/* The bytes we expected are not the bytes rendered. */
	CU_ASSERT_EQUAL_FATAL(encode(l, dscsa,
	    "010031234567890617271231" "10A1B2C3\x1d" "217X2KQ9PLM3ZU", &d), 0);
	CU_ASSERT_EQUAL(label_check(l, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "differs at byte 46"));

	/* A broken finder pattern must not pass. */
	diag_clear(&d);
	CU_ASSERT_EQUAL_FATAL(encode(l, dscsa, dscsa_gs, &d), 0);
	im = (struct image *)label_symbol_bitmap(l, &g);
	for (size_t y = g.y0; y < g.y0 + (size_t)g.rows * g.module_px; y++)
		memset(im->px + y * im->stride + g.x0, 255, g.module_px);
	CU_ASSERT_EQUAL(label_check(l, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_VERIFY);
	label_free(l);
}

static void
test_font(void)
{
	static const struct {
		unsigned char	c;
		int		row;
		unsigned	bits;
	} cases[] = {
		{ 'A', 0, 0x0e }, { 'A', 3, 0x1f }, { '0', 2, 0x13 },
		{ ' ', 3, 0x00 }, { '_', 6, 0x1f }, { 0x01, 0, 0x1f },
		{ 0x80, 1, 0x11 }, { 'A', 7, 0x00 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TEST_INT_EQ(i, label_font_row(cases[i].c, cases[i].row),
		    cases[i].bits);
}

/* PNG: deterministic bytes, and the pixels read back as drawn. */
static void
test_png(void)
{
	static const int bits[] = { 8, 1 };

	for (size_t i = 0; i < 2; i++) {
		struct label_opts o = LABEL_OPTS_INIT;
		struct label *l;
		struct image back = { 0 };
		struct label_info li;
		struct diag d = DIAG_INIT;
		char *a, *b;
		size_t alen, blen;
		size_t ink = 0;

		o.png_bits = bits[i];
		o.hri = LABEL_HRI_BELOW;
		o.module_px = 5;
		CU_ASSERT_EQUAL_FATAL(label_new(&l, &o, &d), 0);
		CU_ASSERT_EQUAL_FATAL(encode(l, dscsa, dscsa_gs, &d), 0);
		label_info(l, &li);
		a = render(l, &alen);
		b = render(l, &blen);
		TEST_INT_EQ(i, alen, blen);
		TEST_INT_EQ(i, memcmp(a, b, alen), 0);
		TEST_INT_EQ(i, image_png_read(&back, a, alen, NULL, &d), 0);
		TEST_INT_EQ(i, back.w, li.w);
		TEST_INT_EQ(i, back.h, li.h);
		TEST_INT_EQ(i, li.w > li.sym_w || li.h > li.sym_h, 1);
		/* ink in the text area, below the symbol */
		for (size_t y = li.sym_h; y < back.h; y++)
			for (size_t x = 0; x < back.w; x++)
				ink += back.px[y * back.stride + x] == 0;
		TEST_INT_EQ(i, ink > 100, 1);
		image_free(&back);
		free(a);
		free(b);
		label_free(l);
	}
}

/* CSET 82 (GenSpecs figure 7.11-1). */
static const char cset82[] =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    "abcdefghijklmnopqrstuvwxyz";

static void
random_value(char *out, size_t maxlen)
{
	size_t n = 1 + rng() % maxlen;

	for (size_t i = 0; i < n; i++)
		out[i] = cset82[rng() % (sizeof(cset82) - 1)];
	out[n] = '\0';
}

static void
random_item(char *br, size_t brcap, char *gs, size_t gscap)
{
	char gtin[15], lot[21], sn[21];
	unsigned sum = 0;
	int yy = 26 + (int)(rng() % 10), mm = 1 + (int)(rng() % 12),
	    dd = (int)(rng() % 29);

	for (int i = 0; i < 13; i++)
		gtin[i] = (char)('0' + rng() % 10);
	/* GenSpecs 7.9.1: weights 3, 1, ... from the left for 13 digits */
	for (int i = 0; i < 13; i++)
		sum += (unsigned)(gtin[i] - '0') * (i % 2 == 0 ? 3 : 1);
	gtin[13] = (char)('0' + (10 - sum % 10) % 10);
	gtin[14] = '\0';
	random_value(lot, 20);
	random_value(sn, 20);
	snprintf(br, brcap, "[01]%s[17]%02d%02d%02d[10]%s[21]%s", gtin, yy, mm,
	    dd, lot, sn);
	snprintf(gs, gscap, "01%s17%02d%02d%02d10%s\x1d" "21%s", gtin, yy, mm,
	    dd, lot, sn);
}

/*
 * 1,000 random DSCSA items, each through PNG (8-bit, 1-bit) and ZPL ^GFA:
 * the written file, read back and decoded with the known geometry, gives
 * back exactly the encoded bytes and size.
 */
static void
test_round_trip(void)
{
	struct label_opts o = LABEL_OPTS_INIT;
	struct label *png8, *png1, *zpl;
	struct diag d = DIAG_INIT;
	int fail = 0;

	o.module_px = 4;
	CU_ASSERT_EQUAL_FATAL(label_new(&png8, &o, &d), 0);
	o.png_bits = 1;
	o.module_px = 2;
	CU_ASSERT_EQUAL_FATAL(label_new(&png1, &o, &d), 0);
	o.format = LABEL_ZPL;
	o.zpl_mode = LABEL_ZPL_GRAPHIC;
	o.module_px = 3;
	CU_ASSERT_EQUAL_FATAL(label_new(&zpl, &o, &d), 0);
	for (int i = 0; i < 1000; i++) {
		struct label *ls[3] = { png8, png1, zpl };
		char br[200], gs[200];

		random_item(br, sizeof(br), gs, sizeof(gs));
		for (int k = 0; k < 3; k++) {
			struct image_dm_geometry g;
			struct image_dm_result r;
			struct image back = { 0 };
			struct label_info li;
			size_t len;
			char *out;

			diag_clear(&d);
			if (label_encode_raw(ls[k], br, gs, strlen(gs), NULL, 0,
			    &d) != 0) {
				fprintf(stderr, "item %d: %s: %s\n", i, br,
				    d.msg);
				fail++;
				continue;
			}
			label_info(ls[k], &li);
			label_symbol_bitmap(ls[k], &g);
			out = render(ls[k], &len);
			if (k < 2 ? image_png_read(&back, out, len, NULL, &d) :
			    gfa_image(out, &back)) {
				fail++;
				free(out);
				continue;
			}
			if (image_dm_decode_known(&back, &g, &r, &d) != 0 ||
			    r.status != IMAGE_DM_OK || !r.gs1 ||
			    r.rows != li.rows || r.cols != li.cols ||
			    r.len != strlen(gs) || memcmp(r.data, gs, r.len)) {
				fprintf(stderr, "item %d format %d: %s\n", i, k,
				    br);
				fail++;
			}
			/* and the in-memory check agrees */
			if (label_check(ls[k], &d) != 0)
				fail++;
			image_free(&back);
			free(out);
		}
	}
	CU_ASSERT_EQUAL(fail, 0);
	label_free(png8);
	label_free(png1);
	label_free(zpl);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "module px from mm and dpi", test_module_px },
		{ "GS1 healthcare X range", test_x_range },
		{ "square symbol, quiet zone, whole px", test_symbol_geometry },
		{ "zint refusals are errors", test_zint_refuses },
		{ "too long for 144x144", test_too_long },
		{ "SVG modules equal the bitmap", test_svg_matches_bitmap },
		{ "EPS", test_eps },
		{ "ZPL native ^BX field data", test_zpl_native },
		{ "ZPL ^GFA is the bitmap", test_zpl_graphic },
		{ "from a parsed message", test_from_msg },
		{ "file names", test_names },
		{ "file names, many", test_names_many },
		{ "in-line check", test_check },
		{ "HRI font", test_font },
		{ "PNG deterministic, HRI drawn", test_png },
		{ "round trip of 1000 random items", test_round_trip },
		{ NULL, NULL },
	};

	return test_run("label", tests);
}
