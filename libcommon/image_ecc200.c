/*
 * image_ecc200: our own Data Matrix ECC 200 decoder, from a sampled module
 * grid to the message bytes, with no libdmtx inside.  It reads every
 * ECC 200 size: the 24 squares and 6 rectangles of ISO/IEC 16022:2006
 * (table 7) and the 18 rectangular extensions (DMRE) of ISO/IEC
 * 21471:2020 (8x48 ... 26x64), which libdmtx 0.7.7 does not know.
 *
 *   1. The size table (dm_sizes): symbol rows x cols, data region interior
 *      rows x cols, data and error codewords, interleaved blocks.  Checked
 *      against zint 2.11 (backend/dmatrix.h) by a round trip of every size
 *      in tests/unit/test_image_ecc200.c.
 *   2. Module placement: ISO/IEC 16022 Annex F (the "utah" shape and the
 *      four corner cases) over the mapping matrix, i.e. the data region
 *      interiors put side by side; the same for DMRE (ISO/IEC 21471 5.8).
 *   3. Block de-interleaving (ISO/IEC 16022 5.7.3): codeword i of the data
 *      and of the error codewords belongs to block i mod blocks; 144x144
 *      has 8 blocks of 156 and 2 of 155 data codewords, and its error
 *      codewords sit two blocks on (position p: block (p + 8) mod 10).
 *   4. Reed-Solomon over GF(256), field polynomial x^8+x^5+x^3+x^2+1
 *      (0x12D), generator roots alpha^1 ... alpha^ecc (ISO/IEC 16022 5.7.1
 *      and Annex E), decoded with erasures: Berlekamp-Massey seeded with
 *      the erasure locator, Chien search, Forney.  e errors and f erasures
 *      are corrected when 2e + f <= ecc - reserve (below).
 *   5. Data decoding (ISO/IEC 16022 5.2): ASCII (digit pairs, upper
 *      shift), C40, Text, ANSI X12, EDIFACT, Base 256 (255-state
 *      randomising, 5.2.9 and Annex B), FNC1, the 05/06 macros, pads
 *      (253-state randomising, 5.2.3 and Annex B); ECI, structured append
 *      and reader programming are decoded and reported as features.
 *
 * Miscorrection (a wrong codeword that Reed-Solomon turns into another
 * valid codeword) is what makes a wrong payload; the defences, each
 * numbered for the tests:
 *
 *   M1. Not the whole correction capacity is used.  ISO/IEC 16022 table 7
 *       keeps error codewords for detection in the small symbols; here
 *       every block keeps at least 1 (ecc <= 12) or 2 unused when only
 *       errors are corrected, and 3 when erasures are used, as table 7's
 *       erasure column does (ecc - 3): 2e + f <= ecc - reserve.
 *   M2. After correction the syndromes are computed again and must all be
 *       zero, and every located error must lie inside the block.
 *   M3. The data must decode exactly: no invalid codeword, no segment
 *       running past the data, and pads with the exact 253-state values.
 *       A miscorrected block rarely yields a clean message.
 *   M4. Callers that try many grid fits accept our results only as valid
 *       GS1 (image_cascade.c, invariant 2).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "image_int.h"

/*
 * ISO/IEC 16022:2006 table 7 and ISO/IEC 21471:2020 table 7 (DMRE).
 * Region interior = region size without its finder and clock track.
 */
static const struct dm_size dm_sizes[] = {
	/* rows cols rrows rcols data ecc blocks dmre */
	{ 10, 10, 8, 8, 3, 5, 1, false },
	{ 12, 12, 10, 10, 5, 7, 1, false },
	{ 14, 14, 12, 12, 8, 10, 1, false },
	{ 16, 16, 14, 14, 12, 12, 1, false },
	{ 18, 18, 16, 16, 18, 14, 1, false },
	{ 20, 20, 18, 18, 22, 18, 1, false },
	{ 22, 22, 20, 20, 30, 20, 1, false },
	{ 24, 24, 22, 22, 36, 24, 1, false },
	{ 26, 26, 24, 24, 44, 28, 1, false },
	{ 32, 32, 14, 14, 62, 36, 1, false },
	{ 36, 36, 16, 16, 86, 42, 1, false },
	{ 40, 40, 18, 18, 114, 48, 1, false },
	{ 44, 44, 20, 20, 144, 56, 1, false },
	{ 48, 48, 22, 22, 174, 68, 1, false },
	{ 52, 52, 24, 24, 204, 84, 2, false },
	{ 64, 64, 14, 14, 280, 112, 2, false },
	{ 72, 72, 16, 16, 368, 144, 4, false },
	{ 80, 80, 18, 18, 456, 192, 4, false },
	{ 88, 88, 20, 20, 576, 224, 4, false },
	{ 96, 96, 22, 22, 696, 272, 4, false },
	{ 104, 104, 24, 24, 816, 336, 6, false },
	{ 120, 120, 18, 18, 1050, 408, 6, false },
	{ 132, 132, 20, 20, 1304, 496, 8, false },
	{ 144, 144, 22, 22, 1558, 620, 10, false },
	{ 8, 18, 6, 16, 5, 7, 1, false },
	{ 8, 32, 6, 14, 10, 11, 1, false },
	{ 12, 26, 10, 24, 16, 14, 1, false },
	{ 12, 36, 10, 16, 22, 18, 1, false },
	{ 16, 36, 14, 16, 32, 24, 1, false },
	{ 16, 48, 14, 22, 49, 28, 1, false },
	{ 8, 48, 6, 22, 18, 15, 1, true },
	{ 8, 64, 6, 14, 24, 18, 1, true },
	{ 8, 80, 6, 18, 32, 22, 1, true },
	{ 8, 96, 6, 22, 38, 28, 1, true },
	{ 8, 120, 6, 18, 49, 32, 1, true },
	{ 8, 144, 6, 22, 63, 36, 1, true },
	{ 12, 64, 10, 14, 43, 27, 1, true },
	{ 12, 88, 10, 20, 64, 36, 1, true },
	{ 16, 64, 14, 14, 62, 36, 1, true },
	{ 20, 36, 18, 16, 44, 28, 1, true },
	{ 20, 44, 18, 20, 56, 34, 1, true },
	{ 20, 64, 18, 14, 84, 42, 1, true },
	{ 22, 48, 20, 22, 72, 38, 1, true },
	{ 24, 48, 22, 22, 80, 41, 1, true },
	{ 24, 64, 22, 14, 108, 46, 1, true },
	{ 26, 40, 24, 18, 70, 38, 1, true },
	{ 26, 48, 24, 22, 90, 42, 1, true },
	{ 26, 64, 24, 14, 118, 50, 1, true },
};
#define NSIZES	(sizeof(dm_sizes) / sizeof(dm_sizes[0]))

size_t
dm_size_count(void)
{
	return NSIZES;
}

const struct dm_size *
dm_size_get(size_t i)
{
	return i < NSIZES ? &dm_sizes[i] : NULL;
}

const struct dm_size *
dm_size_find(int rows, int cols)
{
	for (size_t i = 0; i < NSIZES; i++)
		if (dm_sizes[i].rows == rows && dm_sizes[i].cols == cols)
			return &dm_sizes[i];
	return NULL;
}

int
dm_fixed_module(const struct dm_size *sz, int row, int col)
{
	int i = row % (sz->reg_rows + 2), j = col % (sz->reg_cols + 2);
	int h = sz->reg_rows + 2, w = sz->reg_cols + 2;

	if (j == 0 || i == h - 1)
		return 1;			/* the solid L */
	if (i == 0)
		return (j & 1) == 0;		/* top clock track */
	if (j == w - 1)
		return (i & 1) == 1;		/* right clock track */
	return -1;				/* data */
}

/* --- placement, ISO/IEC 16022 Annex F --- */

struct placer {
	int	 nrow, ncol;
	int	*map;		/* nrow * ncol: 8 * codeword + bit, or -1 */
};

static void
place_module(struct placer *p, int row, int col, int cw, int bit)
{
	if (row < 0) {
		row += p->nrow;
		col += 4 - ((p->nrow + 4) % 8);
	}
	if (col < 0) {
		col += p->ncol;
		row += 4 - ((p->ncol + 4) % 8);
	}
	/* Wraps past the bottom too in some DMRE sizes (ISO/IEC 21471). */
	if (row >= p->nrow)
		row -= p->nrow;
	/* bit 0 is the most significant bit (F.2: "bit 1"). */
	p->map[row * p->ncol + col] = 8 * cw + bit;
}

static void
place_utah(struct placer *p, int row, int col, int cw)
{
	place_module(p, row - 2, col - 2, cw, 0);
	place_module(p, row - 2, col - 1, cw, 1);
	place_module(p, row - 1, col - 2, cw, 2);
	place_module(p, row - 1, col - 1, cw, 3);
	place_module(p, row - 1, col, cw, 4);
	place_module(p, row, col - 2, cw, 5);
	place_module(p, row, col - 1, cw, 6);
	place_module(p, row, col, cw, 7);
}

static void
place_corner(struct placer *p, int which, int cw)
{
	static const signed char c[4][8][2] = {
		/* (row, col); negative = from the end (-1 is the last) */
		{ { -1, 0 }, { -1, 1 }, { -1, 2 }, { 0, -2 }, { 0, -1 },
		  { 1, -1 }, { 2, -1 }, { 3, -1 } },
		{ { -3, 0 }, { -2, 0 }, { -1, 0 }, { 0, -4 }, { 0, -3 },
		  { 0, -2 }, { 0, -1 }, { 1, -1 } },
		{ { -3, 0 }, { -2, 0 }, { -1, 0 }, { 0, -2 }, { 0, -1 },
		  { 1, -1 }, { 2, -1 }, { 3, -1 } },
		{ { -1, 0 }, { -1, -1 }, { 0, -3 }, { 0, -2 }, { 0, -1 },
		  { 1, -3 }, { 1, -2 }, { 1, -1 } },
	};

	for (int b = 0; b < 8; b++) {
		int r = c[which][b][0], k = c[which][b][1];

		place_module(p, r < 0 ? p->nrow + r : r, k < 0 ? p->ncol + k : k,
		    cw, b);
	}
}

/* Fill p->map (already sized nrow * ncol). */
static void
place_all(struct placer *p)
{
	int nrow = p->nrow, ncol = p->ncol, cw = 0, row = 4, col = 0;

	for (int i = 0; i < nrow * ncol; i++)
		p->map[i] = -1;
	do {
		if (row == nrow && col == 0)
			place_corner(p, 0, cw++);
		if (row == nrow - 2 && col == 0 && ncol % 4 != 0)
			place_corner(p, 1, cw++);
		if (row == nrow - 2 && col == 0 && ncol % 8 == 4)
			place_corner(p, 2, cw++);
		if (row == nrow + 4 && col == 2 && ncol % 8 == 0)
			place_corner(p, 3, cw++);
		do {
			if (row < nrow && col >= 0 &&
			    p->map[row * ncol + col] < 0)
				place_utah(p, row, col, cw++);
			row -= 2;
			col += 2;
		} while (row >= 0 && col < ncol);
		row += 1;
		col += 3;
		do {
			if (row >= 0 && col < ncol &&
			    p->map[row * ncol + col] < 0)
				place_utah(p, row, col, cw++);
			row += 2;
			col -= 2;
		} while (row < nrow && col >= 0);
		row += 3;
		col += 1;
	} while (row < nrow || col < ncol);
	/* F.3: an unfilled bottom-right 2x2 is the fixed pattern. */
}

int
dm_placement(const struct dm_size *sz, int *map)
{
	int nrow = sz->reg_rows * (sz->rows / (sz->reg_rows + 2));
	int ncol = sz->reg_cols * (sz->cols / (sz->reg_cols + 2));
	struct placer p;

	p.nrow = nrow;
	p.ncol = ncol;
	if ((p.map = malloc((size_t)nrow * (size_t)ncol * sizeof(*p.map))) ==
	    NULL)
		return -1;
	place_all(&p);
	for (int i = 0; i < sz->rows * sz->cols; i++)
		map[i] = -1;
	for (int mr = 0; mr < nrow; mr++)
		for (int mc = 0; mc < ncol; mc++) {
			int row = mr / sz->reg_rows * (sz->reg_rows + 2) + 1 +
			    mr % sz->reg_rows;
			int col = mc / sz->reg_cols * (sz->reg_cols + 2) + 1 +
			    mc % sz->reg_cols;
			int v = p.map[mr * ncol + mc];

			map[row * sz->cols + col] =
			    v >= 0 && v / 8 < sz->data + sz->ecc ? v : -1;
		}
	free(p.map);
	return 0;
}

/* --- GF(256), 0x12D --- */

struct gf {
	unsigned char	exp[512];
	unsigned char	log[256];
};

static void
gf_init(struct gf *g)
{
	unsigned x = 1;

	for (int i = 0; i < 255; i++) {
		g->exp[i] = (unsigned char)x;
		g->log[x] = (unsigned char)i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x12D;
	}
	for (int i = 255; i < 512; i++)
		g->exp[i] = g->exp[i - 255];
	g->log[0] = 0;
}

static unsigned char
gf_mul(const struct gf *g, unsigned char a, unsigned char b)
{
	return a == 0 || b == 0 ? 0 : g->exp[g->log[a] + g->log[b]];
}

static unsigned char
gf_div(const struct gf *g, unsigned char a, unsigned char b)
{
	return a == 0 ? 0 : g->exp[g->log[a] + 255 - g->log[b]];
}

/* alpha^e for any e >= 0. */
static unsigned char
gf_pow(const struct gf *g, unsigned e)
{
	return g->exp[e % 255];
}

#define RS_MAX_N	255
#define RS_MAX_ECC	68	/* the largest per-block ecc (48x48, 96x96) */
#define GMD_TRIES	8	/* Reed-Solomon tries per block */

/* S_j = c(alpha^j), j = 1..ecc; c(x) = sum c[i] x^(n-1-i).  Any nonzero? */
static bool
rs_syndromes(const struct gf *g, const unsigned char *c, int n, int ecc,
    unsigned char *s)
{
	bool any = false;

	for (int j = 1; j <= ecc; j++) {
		unsigned char v = 0, a = gf_pow(g, (unsigned)j);

		for (int i = 0; i < n; i++)	/* Horner */
			v = gf_mul(g, v, a) ^ c[i];
		s[j - 1] = v;
		any |= v != 0;
	}
	return any;
}

/*
 * Correct block `c` (n codewords, the last `ecc` of them error codewords)
 * in place, treating the `nera` positions in `era` as erasures.  Returns
 * the number of errors (not erasures) corrected, or -1 if the block is
 * not correctable within 2e + f <= ecc - reserve (M1, M2).
 */
static int
rs_correct(const struct gf *g, unsigned char *c, int n, int ecc,
    const int *era, int nera, int reserve)
{
	unsigned char s[RS_MAX_ECC], lam[RS_MAX_ECC + 1], b[RS_MAX_ECC + 1];
	unsigned char t[RS_MAX_ECC + 1], om[RS_MAX_ECC];
	int L, nroots = 0, pos[RS_MAX_ECC];

	if (!rs_syndromes(g, c, n, ecc, s) && nera == 0)
		return 0;
	if (nera > ecc - reserve)
		return -1;
	/* Erasure locator Gamma(x) = prod (1 + X_k x), X_k = alpha^(n-1-i). */
	memset(lam, 0, sizeof(lam));
	lam[0] = 1;
	for (int k = 0; k < nera; k++) {
		unsigned char x = gf_pow(g, (unsigned)(n - 1 - era[k]));

		for (int i = k + 1; i > 0; i--)
			lam[i] ^= gf_mul(g, lam[i - 1], x);
	}
	memcpy(b, lam, sizeof(b));
	L = nera;
	/* Berlekamp-Massey from step nera + 1 (Blahut, errors and erasures). */
	for (int r = nera + 1; r <= ecc; r++) {
		unsigned char delta = 0;

		for (int j = 0; j <= L && j < r; j++)
			delta ^= gf_mul(g, lam[j], s[r - 1 - j]);
		/* b <- x b, shifting in 0 */
		memmove(b + 1, b, RS_MAX_ECC);
		b[0] = 0;
		if (delta == 0)
			continue;
		for (int i = 0; i <= RS_MAX_ECC; i++)
			t[i] = lam[i] ^ gf_mul(g, delta, b[i]);
		if (2 * L <= r + nera - 1) {
			for (int i = 0; i <= RS_MAX_ECC; i++)
				b[i] = gf_div(g, lam[i], delta);
			L = r + nera - L;
		}
		memcpy(lam, t, sizeof(lam));
	}
	/* M1: errors count twice, erasures once, and some is kept back. */
	if (2 * (L - nera) + nera > ecc - reserve || L > ecc)
		return -1;
	for (int i = L + 1; i <= RS_MAX_ECC; i++)
		if (lam[i] != 0)
			return -1;
	/* Chien search over the block's positions only. */
	for (int i = 0; i < n && nroots <= L; i++) {
		unsigned char xinv = gf_pow(g, (unsigned)(255 - (n - 1 - i) %
		    255)), v = 0;

		for (int j = L; j >= 0; j--)
			v = gf_mul(g, v, xinv) ^ lam[j];
		if (v == 0) {
			if (nroots == RS_MAX_ECC)
				return -1;
			pos[nroots++] = i;
		}
	}
	if (nroots != L)
		return -1;	/* roots outside the block: uncorrectable */
	/* Omega(x) = S(x) Lambda(x) mod x^ecc. */
	for (int i = 0; i < ecc; i++) {
		unsigned char v = 0;

		for (int j = 0; j <= i && j <= L; j++)
			v ^= gf_mul(g, lam[j], s[i - j]);
		om[i] = v;
	}
	/* Forney, first root alpha^1: e = Omega(X^-1) / Lambda'(X^-1). */
	for (int k = 0; k < nroots; k++) {
		unsigned char xinv = gf_pow(g, (unsigned)(255 - (n - 1 - pos[k]) %
		    255)), num = 0, den = 0, xp = 1;

		for (int i = ecc - 1; i >= 0; i--)
			num = gf_mul(g, num, xinv) ^ om[i];
		for (int j = 1; j <= L; j += 2) {
			/* Lambda'(x) = sum over odd j of lam[j] x^(j-1) */
			den ^= gf_mul(g, lam[j], xp);
			xp = gf_mul(g, xp, gf_mul(g, xinv, xinv));
		}
		if (den == 0)
			return -1;
		c[pos[k]] ^= gf_div(g, num, den);
	}
	/* M2: the corrected block must be a codeword. */
	if (rs_syndromes(g, c, n, ecc, s))
		return -1;
	return L - nera;
}

/* --- data decoding, ISO/IEC 16022 5.2 --- */

struct out {
	unsigned char	*buf;
	size_t		 len, cap;
	bool		 full;
};

static void
emit(struct out *o, unsigned v)
{
	if (o->len < o->cap)
		o->buf[o->len++] = (unsigned char)v;
	else
		o->full = true;
}

static void
emits(struct out *o, const char *s)
{
	while (*s != '\0')
		emit(o, (unsigned char)*s++);
}

/* 253-state and 255-state un-randomising (Annex B); pos is 1-based. */
static unsigned
pad_value(size_t pos)
{
	unsigned v = 129 + (unsigned)((149 * pos) % 253) + 1;

	return v <= 254 ? v : v - 254;
}

static unsigned
unrand255(unsigned cw, size_t pos)
{
	int v = (int)cw - (int)((149 * pos) % 255 + 1);

	return (unsigned)(v >= 0 ? v : v + 256);
}

enum dm_mode { M_ASCII, M_C40, M_TEXT, M_X12, M_EDIFACT, M_B256 };

/*
 * One C40/Text/X12 value.  *shift is the pending shift set (0 none, 1-3),
 * *upper the pending upper shift.  Returns 0, or -1 for an invalid value.
 */
static int
ctx_value(struct out *o, enum dm_mode m, unsigned v, int *shift,
    bool *upper, bool first, struct dm_ecc200_out *r)
{
	static const char sh2[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_";
	unsigned ch;

	if (m == M_X12) {
		if (v == 0)
			ch = '\r';
		else if (v == 1)
			ch = '*';
		else if (v == 2)
			ch = '>';
		else if (v == 3)
			ch = ' ';
		else if (v < 14)
			ch = '0' + v - 4;
		else
			ch = 'A' + v - 14;
		emit(o, ch);
		return 0;
	}
	switch (*shift) {
	case 0:
		if (v < 3) {
			*shift = (int)v + 1;
			return 0;
		}
		if (v == 3)
			ch = ' ';
		else if (v < 14)
			ch = '0' + v - 4;
		else
			ch = (m == M_C40 ? 'A' : 'a') + v - 14;
		break;
	case 1:
		ch = v;		/* 0-31: the control characters */
		break;
	case 2:
		*shift = 0;
		if (v < 27) {
			ch = (unsigned char)sh2[v];
			break;
		}
		if (v == 27) {		/* FNC1 */
			if (first)
				r->gs1 = true;
			emit(o, DM_FNC1);
			return 0;
		}
		if (v == 30) {
			*upper = true;
			return 0;
		}
		return -1;
	default:
		if (m == M_C40)
			ch = 96 + v;
		else if (v == 0)
			ch = '`';
		else if (v < 27)
			ch = 'A' + v - 1;
		else
			ch = 123 + v - 27;
		break;
	}
	*shift = 0;
	if (*upper)
		ch += 128;
	*upper = false;
	emit(o, ch);
	return 0;
}

/*
 * Decode the corrected data codewords `cw` (n of them).  FNC1 becomes
 * DM_FNC1 in the output.  Returns 0, or -1 (M3: the message is not a
 * clean ECC 200 data stream).
 */
static int
decode_data(const unsigned char *cw, size_t n, struct dm_ecc200_out *r)
{
	struct out o = { r->bytes, 0, sizeof(r->bytes) - 1, false };
	enum dm_mode m = M_ASCII;
	bool upper = false, macro = false;
	size_t i = 0;
	int shift = 0;

	while (i < n) {
		bool first = o.len == 0 && !r->gs1 && r->features == 0;

		if (m == M_ASCII) {
			unsigned c = cw[i++];

			if (c == 0 || c > 241)
				return -1;
			if (c <= 128) {
				emit(&o, c - 1 + (upper ? 128 : 0));
				upper = false;
				continue;
			}
			if (upper && c != 235)
				return -1;	/* upper shift of a non-char */
			if (c == 129) {		/* pad: the rest must be pads */
				for (; i < n; i++)
					if (cw[i] != pad_value(i + 1))
						return -1;
				break;
			}
			if (c <= 229) {
				emit(&o, '0' + (c - 130) / 10);
				emit(&o, '0' + (c - 130) % 10);
			} else if (c == 230) {
				m = M_C40;
			} else if (c == 231) {
				m = M_B256;
			} else if (c == 232) {
				if (first)
					r->gs1 = true;
				emit(&o, DM_FNC1);
			} else if (c == 233) {
				/* Structured append: 3 codewords, 5.6. */
				if (i + 3 > n)
					return -1;
				r->features |= IMAGE_DM_STRUCTURED_APPEND;
				r->sa_pos = (cw[i] >> 4) + 1;
				r->sa_total = 17 - (cw[i] & 15);
				i += 3;
			} else if (c == 234) {
				r->features |= IMAGE_DM_READER_PROG;
			} else if (c == 235) {
				if (upper)
					return -1;
				upper = true;
			} else if (c == 236 || c == 237) {
				if (o.len != 0 || macro)
					return -1;
				emits(&o, c == 236 ? "[)>\03605\035" :
				    "[)>\03606\035");
				r->features |= IMAGE_DM_MACRO;
				macro = true;
			} else if (c == 238) {
				m = M_X12;
			} else if (c == 239) {
				m = M_TEXT;
			} else if (c == 240) {
				m = M_EDIFACT;
			} else {		/* 241: ECI, 5.4.2 */
				unsigned e;

				if (i >= n)
					return -1;
				e = cw[i++];
				if (e >= 128 && e <= 191) {
					if (i >= n)
						return -1;
					e = (e - 128) * 254 + cw[i++] - 1 + 127;
				} else if (e >= 192) {
					if (i + 1 >= n)
						return -1;
					e = (e - 192) * 64516 +
					    (cw[i] - 1) * 254u + cw[i + 1] - 1 +
					    16383;
					i += 2;
				} else {
					e -= 1;
				}
				r->features |= IMAGE_DM_ECI;
				r->eci = e;
			}
			continue;
		}
		if (m == M_C40 || m == M_TEXT || m == M_X12) {
			unsigned v, u[3];

			if (i + 1 >= n || cw[i] == 254) {
				/*
				 * Unlatch, or one left: ASCII (5.2.5.2).  A
				 * last pair short of values is filled with
				 * Shift 1 (value 0): a pending shift ends here.
				 */
				shift = 0;
				i += i < n && cw[i] == 254;
				m = M_ASCII;
				continue;
			}
			v = cw[i] * 256u + cw[i + 1] - 1;
			i += 2;
			if (v >= 64000)
				return -1;
			/* A shift and its character may straddle two pairs. */
			u[0] = v / 1600;
			u[1] = v / 40 % 40;
			u[2] = v % 40;
			for (int k = 0; k < 3; k++)
				if (ctx_value(&o, m, u[k], &shift, &upper,
				    o.len == 0 && !r->gs1 && r->features == 0,
				    r) != 0)
					return -1;
			continue;
		}
		if (m == M_EDIFACT) {
			/* 4 values of 6 bits in 3 codewords, 5.2.8. */
			size_t bit = 0;
			bool unl = false;

			if (n - i < 3) {	/* 1 or 2 left: ASCII */
				m = M_ASCII;
				continue;
			}
			for (int k = 0; k < 4 && !unl; k++) {
				unsigned v = 0;

				for (int b = 0; b < 6; b++, bit++)
					v = v << 1 | ((cw[i + bit / 8] >>
					    (7 - bit % 8)) & 1);
				if (v == 0x1F)
					unl = true;
				else
					emit(&o, v & 0x20 ? v : v | 0x40);
			}
			i += unl ? (bit + 7) / 8 : 3;
			if (unl)
				m = M_ASCII;
			continue;
		}
		/* Base 256, 5.2.9: a randomised length, then the bytes. */
		{
			size_t len, d1 = unrand255(cw[i], i + 1);

			i++;
			if (d1 == 0) {
				len = n - i;
			} else if (d1 <= 249) {
				len = d1;
			} else {
				if (i >= n)
					return -1;
				len = 250 * (d1 - 249) + unrand255(cw[i], i + 1);
				i++;
			}
			if (len > n - i)
				return -1;
			for (size_t k = 0; k < len; k++, i++)
				emit(&o, unrand255(cw[i], i + 1));
			m = M_ASCII;
		}
	}
	if (upper || o.full)
		return -1;
	if (macro)
		emits(&o, "\036\004");
	if (o.full)
		return -1;
	r->len = o.len;
	r->bytes[o.len] = '\0';
	return 0;
}

/* --- the whole decode --- */

int
dm_ecc200_decode(const struct dm_size *sz, const unsigned char *grid,
    const struct dm_ecc200_opts *opt, struct dm_ecc200_out *r)
{
	int total = sz->data + sz->ecc, nb = sz->blocks;
	int eccb = sz->ecc / nb;
	int *map;
	struct gf g;
	unsigned char *cw, *conf;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	map = malloc((size_t)sz->rows * (size_t)sz->cols * sizeof(*map));
	cw = calloc((size_t)total, 2);
	if (map == NULL || cw == NULL || dm_placement(sz, map) != 0) {
		free(map);
		free(cw);
		return -2;
	}
	conf = cw + total;
	memset(conf, 255, (size_t)total);
	/* Codewords from the grid; a codeword is as sure as its worst bit. */
	for (int i = 0; i < sz->rows * sz->cols; i++) {
		int v = map[i], k;
		unsigned char px = grid[i], c;

		if (v < 0)
			continue;
		k = v / 8;
		if (px >= 128)
			cw[k] |= (unsigned char)(0x80 >> (v % 8));
		c = (unsigned char)(px >= 128 ? (px - 128) * 2 + 1 :
		    (127 - px) * 2 + 1);
		if (c < conf[k])
			conf[k] = c;
	}
	free(map);
	gf_init(&g);
	for (int b = 0; b < nb; b++) {
		unsigned char blk[RS_MAX_N], bconf[RS_MAX_N];
		int idx[RS_MAX_N], era[RS_MAX_ECC], nd = 0, n, best = -1;
		int order[RS_MAX_N];

		for (int i = b; i < sz->data; i += nb)
			idx[nd++] = i;
		n = nd;
		/*
		 * 144x144 interleaves its error codewords two blocks on:
		 * position p belongs to block (p + 8) mod 10 (the symbols of
		 * ISO/IEC 16022's own encoding, and zint's and libdmtx's).
		 */
		for (int i = sz->rows == 144 ? (b + 2) % nb : b; i < sz->ecc;
		    i += nb)
			idx[n++] = sz->data + i;
		if (n - nd != eccb)
			goto out;	/* table inconsistent: cannot happen */
		for (int i = 0; i < n; i++) {
			blk[i] = cw[idx[i]];
			bconf[i] = conf[idx[i]];
			order[i] = i;
		}
		/* Least sure first (insertion sort, n <= 255). */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 &&
			    bconf[order[j]] < bconf[order[j - 1]]; j--) {
				int t = order[j];

				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		/*
		 * Errors only first; then (GMD) the u least sure codewords as
		 * erasures, u as many as are unsure (at most ecc - 3), then
		 * one fewer at a time: at most GMD_TRIES tries in all.
		 */
		{
			int u = 0, tries = 0;

			while (u < n && opt->unsure_conf > 0 &&
			    bconf[order[u]] < opt->unsure_conf)
				u++;
			if (u > eccb - 3)
				u = eccb - 3;
			for (int f = 0; f >= 0 && tries < GMD_TRIES; tries++) {
				unsigned char work[RS_MAX_N];
				int reserve = f == 0 ? (eccb <= 12 ? 1 : 2) : 3;
				int e;

				for (int k = 0; k < f; k++)
					era[k] = order[k];
				memcpy(work, blk, (size_t)n);
				if ((e = rs_correct(&g, work, n, eccb, era, f,
				    reserve)) >= 0) {
					memcpy(blk, work, (size_t)n);
					r->errors += e;
					r->erasures += f;
					if (2 * e + f > r->ecc_used_max)
						r->ecc_used_max = 2 * e + f;
					best = e;
					break;
				}
				f = f == 0 ? (u > 0 ? u : -1) : f - 1;
				if (f == 0)
					break;
			}
		}
		if (best < 0)
			goto out;
		for (int i = 0; i < nd; i++)
			cw[idx[i]] = blk[i];
	}
	r->ecc_block = eccb;
	rc = decode_data(cw, (size_t)sz->data, r) == 0 ? 0 : -1;
out:
	free(cw);
	return rc;
}
