/*
 * degrade: a seeded generator of degraded GS1 DataMatrix label images, the
 * test set of the decode-robustness bench (bench/image.sh).
 *
 * usage: degrade -o dir [-n per-category] [-s seed]
 *
 * Each image is a random DSCSA item ((01) GTIN with a valid check digit,
 * (17) expiry, (10) lot, (21) serial: GenSpecs 3.2, 3.4.7, 3.4.4, 3.5.x)
 * rendered by zint directly (an encoder independent of our decoder), then
 * degraded in one way a field image is: rotation, perspective, blur,
 * noise, low contrast, uneven light, a small symbol on a large cluttered
 * frame, inverted print, mirrored, partly damaged, JPEG-like block
 * quantisation (8x8 DCT, the JPEG luminance table, ITU-T T.81 K.1), or
 * wrapped round a vial (a cylinder seen from the side).  Every image also
 * gets mild sensor noise.
 *
 * Output: dir/<category>-<i>.png (8-bit grey, through libcommon/image),
 * dir/<category>-<i>.pgm (the same pixels, for the Python zxing-cpp
 * reader), and dir/manifest.tsv: "file <TAB> category <TAB> hex of the GS1
 * raw message" (leading FNC1 dropped, GS separators), one line per image.
 * The same seed gives the same files.  rand() is banned (STYLE.md 8): the
 * PRNG is splitmix64.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zint.h>

#include "diag.h"
#include "image.h"

#ifndef M_PI
#define M_PI	3.14159265358979323846
#endif

static uint64_t rng;

static uint64_t
next64(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [a, b). */
static double
uni(double a, double b)
{
	return a + (b - a) * (double)(next64() >> 11) / 9007199254740992.0;
}

static int
irange(int a, int b)		/* [a, b] */
{
	return a + (int)(next64() % (uint64_t)(b - a + 1));
}

static double
gauss(void)
{
	double u = uni(1e-12, 1.0), v = uni(0.0, 1.0);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* A float grey image, 0 black .. 255 white. */
struct fimg {
	float	*p;
	int	 w, h;
};

static struct fimg
fnew(int w, int h, float fill)
{
	struct fimg f = { malloc(sizeof(float) * (size_t)w * (size_t)h), w, h };

	if (f.p == NULL) {
		fprintf(stderr, "degrade: out of memory\n");
		exit(3);
	}
	for (int i = 0; i < w * h; i++)
		f.p[i] = fill;
	return f;
}

static float
fget(const struct fimg *f, double x, double y, float bg)
{
	int x0 = (int)floor(x), y0 = (int)floor(y);
	double fx = x - x0, fy = y - y0;
	float v[4];

	for (int k = 0; k < 4; k++) {
		int xx = x0 + (k & 1), yy = y0 + (k >> 1);

		v[k] = xx < 0 || yy < 0 || xx >= f->w || yy >= f->h ? bg :
		    f->p[yy * f->w + xx];
	}
	return (float)((v[0] * (1 - fx) + v[1] * fx) * (1 - fy) +
	    (v[2] * (1 - fx) + v[3] * fx) * fy);
}

/* --- the item and its symbol --- */

static const char alnum[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct item {
	char	bracketed[128];
	char	raw[128];		/* GS1 raw message */
};

/* GenSpecs 7.9.1: mod-10 check digit, weights 3,1,3,... from the right. */
static char
check_digit(const char *d, int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++)
		sum += (d[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
	return (char)('0' + (10 - sum % 10) % 10);
}

static void
random_item(struct item *it)
{
	char gtin[15], lot[21], ser[21];
	int nlot = irange(1, 10), nser = irange(8, 20);

	for (int i = 0; i < 13; i++)
		gtin[i] = (char)('0' + irange(0, 9));
	gtin[0] = '0';
	gtin[13] = check_digit(gtin, 13);
	gtin[14] = '\0';
	for (int i = 0; i < nlot; i++)
		lot[i] = alnum[irange(0, 35)];
	lot[nlot] = '\0';
	for (int i = 0; i < nser; i++)
		ser[i] = alnum[irange(0, 61)];
	ser[nser] = '\0';
	snprintf(it->bracketed, sizeof(it->bracketed),
	    "[01]%s[17]%02d%02d%02d[10]%s[21]%s", gtin, irange(26, 35),
	    irange(1, 12), irange(1, 28), lot, ser);
	/* Fixed-length (01) and (17) need no separator; (10) does. */
	snprintf(it->raw, sizeof(it->raw), "01%s17%.6s10%s\03521%s", gtin,
	    strstr(it->bracketed, "[17]") + 4, lot, ser);
}

/* Render with zint at `m` px/module, quiet zone `qz` modules each side. */
static struct fimg
render(const struct item *it, int m, int qz, int *side)
{
	struct zint_symbol *s = ZBarcode_Create();
	struct fimg f;
	int rc, bw, bh;

	s->symbology = BARCODE_DATAMATRIX;
	s->input_mode = GS1_MODE;
	s->option_3 = DM_SQUARE;
	s->scale = 0.5f;		/* 1 px per module */
	rc = ZBarcode_Encode_and_Buffer(s, (unsigned char *)it->bracketed,
	    (int)strlen(it->bracketed), 0);
	if (rc >= ZINT_ERROR) {
		fprintf(stderr, "degrade: zint: %s\n", s->errtxt);
		exit(3);
	}
	bw = s->bitmap_width;
	bh = s->bitmap_height;
	f = fnew((bw + 2 * qz) * m, (bh + 2 * qz) * m, 255.0f);
	for (int y = 0; y < bh; y++)
		for (int x = 0; x < bw; x++)
			if (s->bitmap[3 * (y * bw + x) + 1] < 128)
				for (int j = 0; j < m; j++)
					for (int i = 0; i < m; i++)
						f.p[((y + qz) * m + j) * f.w +
						    (x + qz) * m + i] = 0.0f;
	*side = bw * m;
	ZBarcode_Delete(s);
	return f;
}

/* --- geometry: out(x, y) = src(map(x, y)) --- */

struct xform {
	double	h[9];		/* homography, out -> src */
	double	cyl_r;		/* > 0: cylinder radius (out pixels) */
	double	cyl_cx;		/* the axis' x in out */
	double	cyl_sx;		/* src x of the axis */
};

static void
apply_h(const double *h, double x, double y, double *u, double *v)
{
	double w = h[6] * x + h[7] * y + h[8];

	*u = (h[0] * x + h[1] * y + h[2]) / w;
	*v = (h[3] * x + h[4] * y + h[5]) / w;
}

/* Solve the 8x8 system for the homography taking p[i] to q[i]. */
static void
homography(const double p[4][2], const double q[4][2], double *h)
{
	double a[8][9];

	for (int i = 0; i < 4; i++) {
		double x = p[i][0], y = p[i][1], u = q[i][0], v = q[i][1];
		double r0[9] = { x, y, 1, 0, 0, 0, -u * x, -u * y, u };
		double r1[9] = { 0, 0, 0, x, y, 1, -v * x, -v * y, v };

		memcpy(a[2 * i], r0, sizeof(r0));
		memcpy(a[2 * i + 1], r1, sizeof(r1));
	}
	for (int c = 0; c < 8; c++) {
		int piv = c;

		for (int r = c + 1; r < 8; r++)
			if (fabs(a[r][c]) > fabs(a[piv][c]))
				piv = r;
		for (int k = 0; k < 9; k++) {
			double t = a[c][k];

			a[c][k] = a[piv][k];
			a[piv][k] = t;
		}
		for (int r = 0; r < 8; r++) {
			double f;

			if (r == c)
				continue;
			f = a[r][c] / a[c][c];
			for (int k = c; k < 9; k++)
				a[r][k] -= f * a[c][k];
		}
	}
	for (int i = 0; i < 8; i++)
		h[i] = a[i][8] / a[i][i];
	h[8] = 1;
}

/*
 * Warp `src` into `dst` (already filled with its background): pixels that
 * map outside src keep dst's value.  4x supersampling softens edges as a
 * lens would.
 */
static void
warp(const struct fimg *src, struct fimg *dst, const struct xform *t)
{
	for (int y = 0; y < dst->h; y++)
		for (int x = 0; x < dst->w; x++) {
			double acc = 0;
			int inside = 0;

			for (int k = 0; k < 4; k++) {
				double ox = x + 0.25 + 0.5 * (k & 1);
				double oy = y + 0.25 + 0.5 * (k >> 1);
				double u, v;

				if (t->cyl_r > 0) {
					double dx = (ox - t->cyl_cx) / t->cyl_r;

					if (fabs(dx) >= 1)
						continue;
					ox = t->cyl_sx + t->cyl_r * asin(dx);
				}
				apply_h(t->h, ox, oy, &u, &v);
				if (u < 0 || v < 0 || u >= src->w ||
				    v >= src->h)
					continue;
				acc += fget(src, u - 0.5, v - 0.5, 255.0f);
				inside++;
			}
			if (inside > 0)
				dst->p[y * dst->w + x] = (float)((acc +
				    (4 - inside) * dst->p[y * dst->w + x]) / 4);
		}
}

/* out = rotate(src) by `deg` about the centres, on a canvas of w x h. */
static void
rot_xform(struct xform *t, const struct fimg *src, int w, int h, double deg,
    double ox, double oy)
{
	double a = deg * M_PI / 180, c = cos(a), s = sin(a);
	double cx = ox, cy = oy, sx = src->w / 2.0, sy = src->h / 2.0;

	memset(t, 0, sizeof(*t));
	/* u = c*(x-cx) + s*(y-cy) + sx ; v = -s*(x-cx) + c*(y-cy) + sy */
	t->h[0] = c;
	t->h[1] = s;
	t->h[2] = -c * cx - s * cy + sx;
	t->h[3] = -s;
	t->h[4] = c;
	t->h[5] = s * cx - c * cy + sy;
	t->h[8] = 1;
	(void)w;
	(void)h;
}

/* --- photometric --- */

static void
box_blur(struct fimg *f, int r)
{
	float *tmp = malloc(sizeof(float) * (size_t)f->w * (size_t)f->h);

	if (tmp == NULL || r <= 0) {
		free(tmp);
		return;
	}
	for (int y = 0; y < f->h; y++)
		for (int x = 0; x < f->w; x++) {
			double s = 0;
			int n = 0;

			for (int k = -r; k <= r; k++) {
				int xx = x + k < 0 ? 0 : x + k >= f->w ? f->w - 1 :
				    x + k;

				s += f->p[y * f->w + xx];
				n++;
			}
			tmp[y * f->w + x] = (float)(s / n);
		}
	for (int y = 0; y < f->h; y++)
		for (int x = 0; x < f->w; x++) {
			double s = 0;
			int n = 0;

			for (int k = -r; k <= r; k++) {
				int yy = y + k < 0 ? 0 : y + k >= f->h ? f->h - 1 :
				    y + k;

				s += tmp[yy * f->w + x];
				n++;
			}
			f->p[y * f->w + x] = (float)(s / n);
		}
	free(tmp);
}

/* Gaussian blur of sigma ~ three box passes (Wells 1986). */
static void
gauss_blur(struct fimg *f, double sigma)
{
	int r = (int)floor(sqrt(sigma * sigma * 12.0 / 3.0 + 1.0) / 2.0 +
	    0.5);

	for (int i = 0; i < 3; i++)
		box_blur(f, r < 1 ? 1 : r);
}

static void
add_noise(struct fimg *f, double sigma)
{
	for (int i = 0; i < f->w * f->h; i++)
		f->p[i] += (float)(sigma * gauss());
}

static void
levels(struct fimg *f, double black, double white)
{
	for (int i = 0; i < f->w * f->h; i++)
		f->p[i] = (float)(black + (white - black) * f->p[i] / 255.0);
}

/* JPEG-like: 8x8 DCT-II, quantise with the T.81 K.1 table at `q`. */
static void
jpeg_blocks(struct fimg *f, int quality)
{
	static const int k1[64] = {
		16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
		14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
		18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
		92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112,
		100, 103, 99,
	};
	double scale = quality < 50 ? 5000.0 / quality : 200.0 - 2 * quality;
	double cosv[8][8];

	for (int x = 0; x < 8; x++)
		for (int u = 0; u < 8; u++)
			cosv[x][u] = cos((2 * x + 1) * u * M_PI / 16);
	for (int by = 0; by + 8 <= f->h; by += 8)
		for (int bx = 0; bx + 8 <= f->w; bx += 8) {
			double blk[8][8], co[8][8];

			for (int y = 0; y < 8; y++)
				for (int x = 0; x < 8; x++)
					blk[y][x] = f->p[(by + y) * f->w + bx +
					    x] - 128;
			for (int v = 0; v < 8; v++)
				for (int u = 0; u < 8; u++) {
					double s = 0, qv;

					for (int y = 0; y < 8; y++)
						for (int x = 0; x < 8; x++)
							s += blk[y][x] *
							    cosv[x][u] * cosv[y][v];
					s *= (u ? 1 : M_SQRT1_2) *
					    (v ? 1 : M_SQRT1_2) / 4;
					qv = floor((k1[v * 8 + u] * scale + 50) /
					    100);
					if (qv < 1)
						qv = 1;
					co[v][u] = round(s / qv) * qv;
				}
			for (int y = 0; y < 8; y++)
				for (int x = 0; x < 8; x++) {
					double s = 0;

					for (int v = 0; v < 8; v++)
						for (int u = 0; u < 8; u++)
							s += (u ? 1 : M_SQRT1_2) *
							    (v ? 1 : M_SQRT1_2) *
							    co[v][u] * cosv[x][u] *
							    cosv[y][v];
					f->p[(by + y) * f->w + bx + x] =
					    (float)(s / 4 + 128);
				}
		}
}

/* A busy background: grey boxes, lines and rows of "text". */
static void
clutter(struct fimg *f)
{
	for (int i = 0; i < f->w * f->h; i++)
		f->p[i] = 170.0f;
	for (int k = 0; k < 60; k++) {
		int x = irange(0, f->w - 1), y = irange(0, f->h - 1);
		int w = irange(10, f->w / 3), h = irange(10, f->h / 3);
		float v = (float)uni(20, 250);

		for (int j = y; j < y + h && j < f->h; j++)
			for (int i = x; i < x + w && i < f->w; i++)
				f->p[j * f->w + i] = v;
	}
	for (int k = 0; k < 40; k++) {
		double x = uni(0, f->w), y = uni(0, f->h), a = uni(0, M_PI);
		int len = irange(30, 400);
		float v = (float)uni(0, 100);

		for (int s = 0; s < len; s++) {
			int xx = (int)(x + s * cos(a)), yy = (int)(y + s * sin(a));

			if (xx >= 0 && yy >= 0 && xx < f->w && yy < f->h)
				f->p[yy * f->w + xx] = v;
		}
	}
	for (int k = 0; k < 12; k++) {		/* text lines */
		int x = irange(0, f->w - 200), y = irange(0, f->h - 20);

		for (int c = 0; c < 30; c++) {
			int cw = irange(4, 9), ch = irange(7, 12);

			for (int j = 0; j < ch; j++)
				for (int i = 0; i < cw; i++)
					if (((i * 7 + j * 3 + c) % 5) < 2 &&
					    x + i < f->w && y + j < f->h)
						f->p[(y + j) * f->w + x + i] = 30;
			x += cw + 3;
			if (x >= f->w - 10)
				break;
		}
	}
}

/* Paint a filled circle of value v. */
static void
blot(struct fimg *f, double cx, double cy, double r, float v)
{
	for (int y = (int)(cy - r); y <= (int)(cy + r); y++)
		for (int x = (int)(cx - r); x <= (int)(cx + r); x++)
			if (x >= 0 && y >= 0 && x < f->w && y < f->h &&
			    (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
				f->p[y * f->w + x] = v;
}

static const char *const categories[] = {
	"rotation", "perspective", "blur", "noise", "low-contrast",
	"uneven-light", "small-clutter", "inverted", "mirrored", "damaged",
	"jpeg", "curved",
};
#define NCAT	(sizeof(categories) / sizeof(categories[0]))

/* Make one degraded image of category c. */
static struct fimg
make(unsigned c, const struct item *it)
{
	int m = irange(3, 6), side, qz = irange(1, 3);
	struct fimg s, out;
	struct xform t;
	double ang = uni(-8, 8);

	if (c == 6)
		m = irange(2, 3);
	s = render(it, m, qz, &side);
	if (c == 1) {			/* perspective */
		double p[4][2], q[4][2];
		int pad = s.w / 3, w = s.w + 2 * pad;
		double k = uni(0.12, 0.25) * s.w;

		out = fnew(w, w, 255.0f);
		for (int i = 0; i < 4; i++) {
			q[i][0] = (i == 1 || i == 2) ? s.w : 0;
			q[i][1] = i >= 2 ? s.h : 0;
			p[i][0] = q[i][0] + pad + uni(-k, k);
			p[i][1] = q[i][1] + pad + uni(-k, k);
		}
		memset(&t, 0, sizeof(t));
		homography(p, q, t.h);
		warp(&s, &out, &t);
	} else if (c == 11) {		/* curved: wrapped on a vial */
		double r = s.w * uni(0.55, 0.9), half = s.w / 2.0;
		double chord = 2 * r * sin(half / r);
		int w = (int)chord + 2 * m * 4, h = s.h + 2 * m * 4;

		out = fnew(w, h, 200.0f);
		rot_xform(&t, &s, w, h, uni(-4, 4), s.w / 2.0, h / 2.0);
		t.cyl_r = r;
		t.cyl_cx = w / 2.0;
		t.cyl_sx = s.w / 2.0;
		warp(&s, &out, &t);
		for (int y = 0; y < h; y++)	/* the curve darkens the sides */
			for (int x = 0; x < w; x++) {
				double dx = (x - w / 2.0) / r;
				double sh = fabs(dx) < 1 ? sqrt(1 - dx * dx) : 0;

				out.p[y * w + x] *= (float)(0.45 + 0.55 * sh);
			}
	} else if (c == 6) {		/* small symbol, cluttered frame */
		out = fnew(960, 720, 0);
		clutter(&out);
		ang = uni(0, 360);
		rot_xform(&t, &s, out.w, out.h, ang,
		    uni(s.w, out.w - s.w), uni(s.h, out.h - s.h));
		warp(&s, &out, &t);
	} else {
		int d = (int)(s.w * 1.45) + 4;

		if (c == 0)
			ang = uni(0, 360);
		if (c == 8)
			ang = uni(-30, 30);
		out = fnew(d, d, 255.0f);
		rot_xform(&t, &s, d, d, ang, d / 2.0, d / 2.0);
		warp(&s, &out, &t);
	}
	free(s.p);

	switch (c) {
	case 2:				/* blur */
		gauss_blur(&out, m * uni(0.35, 0.6));
		break;
	case 3:				/* noise */
		gauss_blur(&out, 0.7);
		add_noise(&out, uni(30, 55));
		break;
	case 4: {			/* low contrast */
		double b = uni(80, 150);

		levels(&out, b, b + uni(22, 40));
		break;
	}
	case 5: {			/* uneven light: gradient and a spot */
		double a = uni(0.12, 0.35), dir = uni(0, 2 * M_PI);
		double sx = uni(0, out.w), sy = uni(0, out.h);

		for (int y = 0; y < out.h; y++)
			for (int x = 0; x < out.w; x++) {
				double g = ((x - out.w / 2.0) * cos(dir) +
				    (y - out.h / 2.0) * sin(dir)) / out.w + 0.5;
				double dd = hypot(x - sx, y - sy) / out.w;
				double l = a + (1 - a) * (g < 0 ? 0 : g > 1 ?
				    1 : g) + 0.6 * exp(-dd * dd * 20);

				out.p[y * out.w + x] = (float)
				    (out.p[y * out.w + x] * l);
			}
		break;
	}
	case 7:				/* inverted print */
		for (int i = 0; i < out.w * out.h; i++)
			out.p[i] = 255.0f - out.p[i];
		break;
	case 8:				/* mirrored */
		for (int y = 0; y < out.h; y++)
			for (int x = 0; x < out.w / 2; x++) {
				float *p = out.p + y * out.w, tmp = p[x];

				p[x] = p[out.w - 1 - x];
				p[out.w - 1 - x] = tmp;
			}
		break;
	case 9: {			/* damaged: blots over ~10% */
		int n = irange(2, 4);
		double cx = out.w / 2.0, cy = out.h / 2.0;

		for (int k = 0; k < n; k++)
			blot(&out, cx + uni(-0.4, 0.4) * side,
			    cy + uni(-0.4, 0.4) * side,
			    side * uni(0.06, 0.11), k & 1 ? 0.0f : 255.0f);
		break;
	}
	case 10:			/* JPEG artefacts */
		gauss_blur(&out, 0.6);
		jpeg_blocks(&out, irange(6, 14));
		break;
	default:
		break;
	}
	add_noise(&out, 4.0);		/* every camera has some */
	return out;
}

static int
write_outputs(const char *dir, const char *name, const struct fimg *f)
{
	struct image im;
	struct diag d = DIAG_INIT;
	char path[4096];
	FILE *fp;
	int rc;

	if (image_alloc(&im, (size_t)f->w, (size_t)f->h, 255, &d) != 0)
		return -1;
	for (int i = 0; i < f->w * f->h; i++) {
		double v = f->p[i];

		im.px[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 :
		    v + 0.5);
	}
	snprintf(path, sizeof(path), "%s/%s.png", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	rc = image_png_write(fp, &im, 8, &d);
	if (fclose(fp) != 0)
		rc = -1;
	snprintf(path, sizeof(path), "%s/%s.pgm", dir, name);
	if (rc == 0 && (fp = fopen(path, "wb")) != NULL) {
		fprintf(fp, "P5\n%d %d\n255\n", f->w, f->h);
		if (fwrite(im.px, 1, im.w * im.h, fp) != im.w * im.h)
			rc = -1;
		if (fclose(fp) != 0)
			rc = -1;
	} else
		rc = -1;
	image_free(&im);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *dir = NULL;
	unsigned long n = 20, seed = 1;
	char mpath[4096];
	FILE *man;
	int ch;

	while ((ch = getopt(argc, argv, "n:o:s:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'o':
			dir = optarg;
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	if (dir == NULL || n == 0)
		goto usage;
	rng = seed;
	snprintf(mpath, sizeof(mpath), "%s/manifest.tsv", dir);
	if ((man = fopen(mpath, "w")) == NULL) {
		fprintf(stderr, "degrade: %s: %s\n", mpath, strerror(errno));
		return 3;
	}
	for (unsigned c = 0; c < NCAT; c++)
		for (unsigned long i = 0; i < n; i++) {
			struct item it;
			struct fimg f;
			char name[64];

			random_item(&it);
			f = make(c, &it);
			snprintf(name, sizeof(name), "%s-%03lu", categories[c],
			    i);
			if (write_outputs(dir, name, &f) != 0) {
				fprintf(stderr, "degrade: cannot write %s\n",
				    name);
				return 3;
			}
			free(f.p);
			fprintf(man, "%s.png\t%s\t", name, categories[c]);
			for (const char *p = it.raw; *p != '\0'; p++)
				fprintf(man, "%02x", (unsigned char)*p);
			fputc('\n', man);
		}
	if (fclose(man) != 0)
		return 3;
	return 0;
usage:
	fprintf(stderr, "usage: degrade -o dir [-n per-category] [-s seed]\n");
	return 2;
}
