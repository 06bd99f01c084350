/*
 * image_grid: our own Data Matrix locator and grid sampler, for the sizes
 * libdmtx cannot find (DMRE, ISO/IEC 21471) and the symbols whose grid it
 * misfits.  The decoding itself is image_ecc200.c.
 *
 * A symbol's border is fixed (ISO/IEC 16022 5.3.1, 5.3.2): a solid finder
 * "L" (left column, bottom row) and two clock tracks of alternating modules
 * (top row, right column), repeated round every data region.  So:
 *
 *   1. Binarise (Otsu) and take the largest 8-connected dark (and, for
 *      inverted print, light) components: the finder L is one connected
 *      piece spanning the whole symbol, whatever else touches it.
 *   2. Its extreme points along the two diagonals give a quadrilateral;
 *      the L's far corner is not always on the component, so each corner
 *      is also replaced in turn by the parallelogram completion of the
 *      other three.
 *   3. For every quadrilateral, each of the 8 ways to lay a symbol on it
 *      (4 rotations, mirrored or not) and every ECC 200 size whose module
 *      pitch fits, the module centres are mapped through the projective
 *      map of the unit square onto the quadrilateral (Heckbert 1989) and
 *      the fixed pattern (finder, clocks, inner region borders) is scored:
 *      the clock modules are counted implicitly, against every size of the
 *      table at once.
 *   4. The best fits (up to 1 in 3 fixed modules wrong) have their
 *      corners refined by a local search on the same score (perspective,
 *      a blurred edge).  One still loose is tried again as a label
 *      wrapped round a vial: a cylinder along either symbol axis, label
 *      coordinate s seen at (sin((s - 1/2) a) + sin(a/2)) / (2 sin(a/2))
 *      for spans a of 1, 1.5 and 2 radians.  A fit must end with at
 *      most 1 in 8 fixed modules wrong.  Then every module is
 *      sampled (bilinear, 5 taps) against the threshold midway between the
 *      fixed dark and light modules, and its distance from that threshold
 *      is its confidence: unsure modules become erasure candidates.
 *
 * Many fits are tried, so a result is flagged resampled and the cascade
 * accepts it only as valid GS1 (image_cascade.c invariant 2, image_ecc200
 * M4); a fit must also show at most 1 in 8 fixed modules wrong.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "image.h"
#include "image_int.h"

#define GRID_MAX_PIXELS	(16UL * 1000 * 1000)
#define GRID_COMPONENTS	3	/* largest components tried per polarity */
#define GRID_KEEP	4	/* best fits refined and decoded */

struct pt {
	double	x, y;
};

/* Projective map of the unit square onto a quadrilateral. */
struct proj {
	double	a, b, c, d, e, f, g, h;
};

/* q[0..3]: the images of (0,0), (1,0), (1,1), (0,1). */
static bool
proj_make(struct proj *m, const struct pt q[4])
{
	double dx1 = q[1].x - q[2].x, dx2 = q[3].x - q[2].x;
	double dx3 = q[0].x - q[1].x + q[2].x - q[3].x;
	double dy1 = q[1].y - q[2].y, dy2 = q[3].y - q[2].y;
	double dy3 = q[0].y - q[1].y + q[2].y - q[3].y;
	double det = dx1 * dy2 - dx2 * dy1;

	if (fabs(det) < 1e-9)
		return false;
	m->g = (dx3 * dy2 - dx2 * dy3) / det;
	m->h = (dx1 * dy3 - dx3 * dy1) / det;
	m->a = q[1].x - q[0].x + m->g * q[1].x;
	m->b = q[3].x - q[0].x + m->h * q[3].x;
	m->c = q[0].x;
	m->d = q[1].y - q[0].y + m->g * q[1].y;
	m->e = q[3].y - q[0].y + m->h * q[3].y;
	m->f = q[0].y;
	return true;
}

static struct pt
proj_map(const struct proj *m, double u, double v)
{
	double w = m->g * u + m->h * v + 1;
	struct pt p;

	if (fabs(w) < 1e-9)
		w = 1e-9;
	p.x = (m->a * u + m->b * v + m->c) / w;
	p.y = (m->d * u + m->e * v + m->f) / w;
	return p;
}

/* Bilinear sample at pixel-centre coordinates; outside: -1. */
static double
sample(const struct image *im, double x, double y)
{
	double fx, fy;
	long x0, y0;
	const unsigned char *p;

	x -= 0.5;
	y -= 0.5;
	if (x < 0 || y < 0 || x > (double)im->w - 1 || y > (double)im->h - 1)
		return -1;
	x0 = (long)x;
	y0 = (long)y;
	if ((size_t)x0 + 1 >= im->w)
		x0 = (long)im->w - 2 < 0 ? 0 : (long)im->w - 2;
	if ((size_t)y0 + 1 >= im->h)
		y0 = (long)im->h - 2 < 0 ? 0 : (long)im->h - 2;
	fx = x - (double)x0;
	fy = y - (double)y0;
	p = im->px + (size_t)y0 * im->stride + (size_t)x0;
	if (im->w < 2 || im->h < 2)
		return p[0];
	return (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) +
	    (p[im->stride] * (1 - fx) + p[im->stride + 1] * fx) * fy;
}

/* A symbol laid on a quadrilateral. */
struct fit {
	const struct dm_size *sz;
	struct pt	 q[4];		/* symbol TL, TR, BR, BL */
	bool		 mirrored;
	bool		 inverted;	/* light modules on dark */
	int		 axis;		/* vial curvature: 0 none, 1 u, 2 v */
	int		 taps;		/* samples per module: 1 or 5 */
	double		 span;		/* its angular span, radians */
	double		 score;		/* contrast-weighted agreement */
	int		 bad, nfixed;
};

/*
 * A label wrapped round a vial and seen from the side: label coordinate
 * s in [0, 1] across the circumference is seen at image fraction
 * (sin((s - 1/2) a) + sin(a/2)) / (2 sin(a/2)) for an angular span a.
 */
static double
curve(double s, double a)
{
	double lo = sin(-0.5 * a);

	return (sin((s - 0.5) * a) - lo) / (sin(0.5 * a) - lo);
}

/* Mean grey of module (row, col): 5 taps round the centre. */
static double
module_grey(const struct image *im, const struct proj *m,
    const struct fit *f, int row, int col)
{
	int rows = f->sz->rows, cols = f->sz->cols;

	static const double off[5][2] = {
		{ 0, 0 }, { -0.2, -0.2 }, { 0.2, -0.2 }, { -0.2, 0.2 },
		{ 0.2, 0.2 },
	};
	double acc = 0;
	int n = 0;

	for (int k = 0; k < f->taps; k++) {
		double u = (col + 0.5 + off[k][0]) / cols;
		double w = (row + 0.5 + off[k][1]) / rows;
		struct pt p;
		double v;

		if (f->axis == 1)
			u = curve(u, f->span);
		else if (f->axis == 2)
			w = curve(w, f->span);
		p = proj_map(m, u, w);
		v = sample(im, p.x, p.y);

		if (v >= 0) {
			acc += v;
			n++;
		}
	}
	return n > 0 ? acc / n : -1;
}

/*
 * Score the fixed pattern of fit `f`: the mean of the dark-fixed and of
 * the light-fixed modules, how many sit on the wrong side of the midway
 * threshold, and a score (contrast minus a penalty per wrong module).
 * `outer_only` looks at the symbol's outer border alone (a quick filter).
 */
static void
fit_score(const struct image *im, struct fit *f, bool outer_only)
{
	const struct dm_size *sz = f->sz;
	int rows = sz->rows, cols = sz->cols, nd = 0, nl = 0, bad = 0;
	double sd = 0, sl = 0, thr;
	struct proj m;
	double *vals;
	signed char *want;
	int n = 0, cap = outer_only ? 2 * (rows + cols) :
	    rows * cols;

	f->score = -1e9;
	f->bad = 0;
	f->nfixed = 0;
	if (!proj_make(&m, f->q))
		return;
	vals = malloc((size_t)cap * (sizeof(*vals) + 1));
	if (vals == NULL)
		return;
	want = (signed char *)(vals + cap);
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++) {
			int fx;
			double v;

			if (outer_only && r != 0 && r != rows - 1 && c != 0 &&
			    c != cols - 1)
				continue;
			if ((fx = dm_fixed_module(sz, r, c)) < 0)
				continue;
			if ((v = module_grey(im, &m, f, r, c)) < 0) {
				free(vals);
				return;		/* off the image */
			}
			if (f->inverted)
				v = 255 - v;
			if (n >= cap)
				continue;
			vals[n] = v;
			want[n++] = (signed char)fx;
			if (fx) {
				sd += v;
				nd++;
			} else {
				sl += v;
				nl++;
			}
		}
	if (nd == 0 || nl == 0) {
		free(vals);
		return;
	}
	sd /= nd;
	sl /= nl;
	thr = (sd + sl) / 2;
	for (int i = 0; i < n; i++)
		bad += (vals[i] < thr) != (want[i] == 1);
	free(vals);
	f->bad = bad;
	f->nfixed = n;
	f->score = sl - sd <= 0 ? -1e9 : (sl - sd) * (1.0 - 4.0 * bad / n);
}

/* Keep the GRID_KEEP best fits, best first. */
static void
keep_best(struct fit *best, int *nbest, const struct fit *f)
{
	int i;

	if (*nbest < GRID_KEEP)
		i = (*nbest)++;
	else if (best[GRID_KEEP - 1].score >= f->score)
		return;
	else
		i = GRID_KEEP - 1;
	best[i] = *f;
	for (; i > 0 && best[i].score > best[i - 1].score; i--) {
		struct fit t = best[i];

		best[i] = best[i - 1];
		best[i - 1] = t;
	}
}

static double
dist(struct pt a, struct pt b)
{
	return hypot(a.x - b.x, a.y - b.y);
}

/* Try every orientation and size on quadrilateral q (image TL, TR, BR, BL). */
static void
try_quad(const struct image *im, const struct pt q[4], bool inverted,
    struct fit *best, int *nbest)
{
	for (int o = 0; o < 8; o++) {
		struct fit f;
		double wpx, hpx;

		memset(&f, 0, sizeof(f));
		for (int i = 0; i < 4; i++)
			f.q[i] = q[o < 4 ? (i + o) % 4 : (o - i + 4) % 4];
		f.mirrored = o >= 4;
		f.inverted = inverted;
		wpx = (dist(f.q[0], f.q[1]) + dist(f.q[3], f.q[2])) / 2;
		hpx = (dist(f.q[0], f.q[3]) + dist(f.q[1], f.q[2])) / 2;
		for (size_t k = 0; k < dm_size_count(); k++) {
			double px, py;

			f.sz = dm_size_get(k);
			px = wpx / f.sz->cols;
			py = hpx / f.sz->rows;
			if (px < 1.0 || py < 1.0 || px > 2 * py || py > 2 * px)
				continue;
			f.taps = 1;	/* a quick look at the outer border */
			fit_score(im, &f, true);
			if (f.nfixed == 0 || f.bad * 3 > f.nfixed)
				continue;
			f.taps = 5;
			fit_score(im, &f, false);
			/* Loose fits too: refine() may still straighten them. */
			if (f.nfixed > 0 && f.bad * 3 <= f.nfixed)
				keep_best(best, nbest, &f);
		}
	}
}

/* Local search on the corners, steps of 1/2 then 1/4 then 1/8 module. */
static void
refine(const struct image *im, struct fit *f)
{
	double pitch = (dist(f->q[0], f->q[1]) / f->sz->cols +
	    dist(f->q[0], f->q[3]) / f->sz->rows) / 2;

	for (double step = pitch / 2; step > pitch / 9; step /= 2)
		for (int round = 0; round < 3; round++) {
			bool moved = false;

			for (int c = 0; c < 4; c++)
				for (int dir = 0; dir < 4; dir++) {
					struct fit t = *f;

					t.q[c].x += dir == 0 ? step : dir == 1 ?
					    -step : 0;
					t.q[c].y += dir == 2 ? step : dir == 3 ?
					    -step : 0;
					fit_score(im, &t, false);
					if (t.score > f->score) {
						*f = t;
						moved = true;
					}
				}
			if (!moved)
				break;
		}
}

/*
 * Sample all modules of fit f and decode.  0: decoded into *out.  A
 * blurred symbol spreads each module into its neighbours, so a light
 * module among dark ones samples dark: when the plain grid does not
 * decode, the grid is sharpened in the module domain, g + k (g - mean of
 * the 4 neighbours), for k = 0.6 and 1.2, and decoded again.
 */
static int
decode_fit(const struct image *im, const struct fit *f,
    struct dm_ecc200_out *out)
{
	static const double ks[] = { 0, 0.6, 1.2 };
	const struct dm_size *sz = f->sz;
	int rows = sz->rows, cols = sz->cols, rc = -1, n = rows * cols;
	struct dm_ecc200_opts opt = { 160 };
	unsigned char *grid;
	double *g, *h;
	struct proj m;

	if (!proj_make(&m, f->q))
		return -1;
	if ((g = malloc((size_t)n * (2 * sizeof(*g) + 1))) == NULL)
		return -2;
	h = g + n;
	grid = (unsigned char *)(h + n);
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++) {
			double v = module_grey(im, &m, f, r, c);

			if (v < 0)
				v = 255;
			g[r * cols + c] = f->inverted ? 255 - v : v;
		}
	for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]) && rc != 0;
	    ki++) {
		double sd = 0, sl = 0, thr, half;
		int nd = 0, nl = 0;

		for (int r = 0; r < rows; r++)
			for (int c = 0; c < cols; c++) {
				double acc = 0, v;
				int cnt = 0, fx = dm_fixed_module(sz, r, c);

				if (r > 0)
					acc += g[(r - 1) * cols + c], cnt++;
				if (r + 1 < rows)
					acc += g[(r + 1) * cols + c], cnt++;
				if (c > 0)
					acc += g[r * cols + c - 1], cnt++;
				if (c + 1 < cols)
					acc += g[r * cols + c + 1], cnt++;
				v = g[r * cols + c];
				v += ks[ki] * (v - acc / cnt);
				h[r * cols + c] = v;
				if (fx == 1) {
					sd += v;
					nd++;
				} else if (fx == 0) {
					sl += v;
					nl++;
				}
			}
		sd /= nd > 0 ? nd : 1;
		sl /= nl > 0 ? nl : 1;
		thr = (sd + sl) / 2;
		half = (sl - sd) / 2 > 1 ? (sl - sd) / 2 : 1;
		for (int i = 0; i < n; i++) {
			double dk = 128 + (thr - h[i]) * 127 / half;

			grid[i] = (unsigned char)(dk < 0 ? 0 : dk > 255 ? 255 :
			    dk + 0.5);
		}
		rc = dm_ecc200_decode(sz, grid, &opt, out);
		if (rc == -2)
			break;
	}
	free(g);
	return rc;
}

/* --- components --- */

struct comp {
	size_t	n;
	long	label;
	/* extremes of x + y and x - y: min and max, as points */
	struct pt pmin_s, pmax_s, pmin_d, pmax_d;
	size_t	bx0, by0, bx1, by1;	/* bounding box, half-open */
};

/*
 * Label 8-connected components of pixels on the `dark` side of `thr`,
 * keeping the GRID_COMPONENTS largest with their diagonal extremes.
 */
static int
components(const struct image *im, unsigned thr, bool dark, struct comp *out,
    int *nout)
{
	size_t w = im->w, h = im->h;
	int32_t *lab = malloc(w * h * sizeof(*lab));
	size_t *stack = malloc(w * h * sizeof(*stack));
	long next = 0;

	*nout = 0;
	if (lab == NULL || stack == NULL) {
		free(lab);
		free(stack);
		return -1;
	}
	for (size_t i = 0; i < w * h; i++)
		lab[i] = ((im->px[(i / w) * im->stride + i % w] < thr) == dark) ?
		    0 : -1;
	for (size_t start = 0; start < w * h; start++) {
		struct comp c;
		size_t sp = 0;

		if (lab[start] != 0)
			continue;
		memset(&c, 0, sizeof(c));
		c.label = ++next;
		c.pmin_s.x = c.pmin_d.x = 1e18;
		lab[start] = (int32_t)c.label;
		stack[sp++] = start;
		{
			double mins = 1e18, maxs = -1e18, mind = 1e18,
			    maxd = -1e18;

			while (sp > 0) {
				size_t p = stack[--sp];
				long x = (long)(p % w), y = (long)(p / w);

				c.n++;
				if (c.n == 1) {
					c.bx0 = c.bx1 = (size_t)x;
					c.by0 = c.by1 = (size_t)y;
				}
				if ((size_t)x < c.bx0)
					c.bx0 = (size_t)x;
				if ((size_t)x + 1 > c.bx1)
					c.bx1 = (size_t)x + 1;
				if ((size_t)y < c.by0)
					c.by0 = (size_t)y;
				if ((size_t)y + 1 > c.by1)
					c.by1 = (size_t)y + 1;
				if (x + y < mins) {
					mins = (double)(x + y);
					c.pmin_s = (struct pt){ x, y };
				}
				if (x + y > maxs) {
					maxs = (double)(x + y);
					c.pmax_s = (struct pt){ x + 1, y + 1 };
				}
				if (x - y < mind) {
					mind = (double)(x - y);
					c.pmin_d = (struct pt){ x, y + 1 };
				}
				if (x - y > maxd) {
					maxd = (double)(x - y);
					c.pmax_d = (struct pt){ x + 1, y };
				}
				for (long dy = -1; dy <= 1; dy++)
					for (long dx = -1; dx <= 1; dx++) {
						long nx = x + dx, ny = y + dy;
						size_t q;

						if (nx < 0 || ny < 0 ||
						    nx >= (long)w ||
						    ny >= (long)h)
							continue;
						q = (size_t)ny * w + (size_t)nx;
						if (lab[q] == 0) {
							lab[q] = (int32_t)
							    c.label;
							stack[sp++] = q;
						}
					}
			}
		}
		if (c.n < 24)
			continue;
		/* Insert by size. */
		{
			int i;

			if (*nout < GRID_COMPONENTS)
				i = (*nout)++;
			else if (out[GRID_COMPONENTS - 1].n >= c.n)
				continue;
			else
				i = GRID_COMPONENTS - 1;
			out[i] = c;
			for (; i > 0 && out[i].n > out[i - 1].n; i--) {
				struct comp t = out[i];

				out[i] = out[i - 1];
				out[i - 1] = t;
			}
		}
	}
	free(lab);
	free(stack);
	return 0;
}

/*
 * A fit still loose after refine(): try it as a label round a vial, a
 * cylinder along either symbol axis, and keep the best that shows at most
 * 1 in 8 fixed modules wrong once refined.  Returns whether one did.
 */
static bool
try_curved(const struct image *im, struct fit *f)
{
	struct fit best = *f;

	best.score = -1e9;
	for (int axis = 1; axis <= 2; axis++)
		for (int a = 0; a < 3; a++) {
			struct fit t = *f;

			t.axis = axis;
			t.span = 1.0 + 0.5 * a;
			fit_score(im, &t, false);
			if (t.nfixed > 0 && t.score > best.score)
				best = t;
		}
	if (best.nfixed == 0 || best.bad * 3 > best.nfixed)
		return false;
	refine(im, &best);
	if (best.nfixed == 0 || best.bad * 8 > best.nfixed)
		return false;
	*f = best;
	return true;
}

/*
 * Refine and decode the fits in best[0..nbest), best first.  Returns
 * IMAGE_DM_OK when `accept` took one (in *r), else UNDECODABLE (a fit was
 * tried) or NO_SYMBOL; -1 out of memory.
 */
static int
decode_best(const struct image *im, struct fit *best, int nbest,
    double deadline_ms, dm_accept_fn accept, void *arg,
    struct image_dm_result *r)
{
	int st = IMAGE_DM_NO_SYMBOL;

	for (int k = 0; k < nbest; k++) {
		struct dm_ecc200_out out;
		struct image_dm_result cand;
		int rc;

		if (dm_now_ms() >= deadline_ms)
			break;
		refine(im, &best[k]);
		if (best[k].bad * 8 > best[k].nfixed && !try_curved(im,
		    &best[k]))
			continue;
		st = IMAGE_DM_UNDECODABLE;
		rc = decode_fit(im, &best[k], &out);
		if (rc == -2)
			return -1;
		if (rc != 0)
			continue;
		dm_result_clear(&cand);
		dm_result_set_data(&cand, out.bytes, out.len);
		cand.gs1 = out.gs1 && cand.gs1;
		cand.rows = best[k].sz->rows;
		cand.cols = best[k].sz->cols;
		cand.mirrored = best[k].mirrored;
		cand.resampled = true;
		cand.features = out.features;
		/* Refused resampled data stays "undecodable". */
		if (accept(arg, &cand)) {
			*r = cand;
			return IMAGE_DM_OK;
		}
	}
	return st;
}

int
dm_grid_quad(const struct image *im, const double corners[4][2],
    double deadline_ms, dm_accept_fn accept, void *arg,
    struct image_dm_result *r, struct diag *d)
{
	struct fit best[GRID_KEEP];
	int nbest = 0, st;
	struct pt q[4];

	for (int i = 0; i < 4; i++) {
		q[i].x = corners[i][0];
		q[i].y = corners[i][1];
	}
	for (int pol = 0; pol < 2; pol++)
		try_quad(im, q, pol == 1, best, &nbest);
	st = decode_best(im, best, nbest, deadline_ms, accept, arg, r);
	return st < 0 ? diag_system(d, "out of memory") : st;
}

int
dm_grid_pass(const struct image *im, double deadline_ms,
    dm_accept_fn accept, void *arg, struct image_dm_result *r,
    struct diag *d)
{
	int best_status = IMAGE_DM_NO_SYMBOL;
	unsigned thr;

	if (im->w < 8 || im->h < 8 || im->w * im->h > GRID_MAX_PIXELS)
		return best_status;
	thr = (unsigned)dm_otsu(im) + 1;	/* components() test px < thr */
	for (int pol = 0; pol < 2; pol++) {
		struct comp comps[GRID_COMPONENTS];
		int ncomp;

		if (dm_now_ms() >= deadline_ms)
			break;
		if (components(im, thr, pol == 0, comps, &ncomp) != 0)
			return diag_system(d, "out of memory");
		for (int ci = 0; ci < ncomp; ci++) {
			struct fit best[GRID_KEEP];
			int nbest = 0, st;
			struct pt q[4];
			const struct comp *c = &comps[ci];

			if (dm_now_ms() >= deadline_ms)
				break;
			/* The background (it spans the frame) is no finder. */
			if (c->bx0 == 0 && c->by0 == 0 && c->bx1 >= im->w &&
			    c->by1 >= im->h)
				continue;
			q[0] = c->pmin_s;
			q[1] = c->pmax_d;
			q[2] = c->pmax_s;
			q[3] = c->pmin_d;
			try_quad(im, q, pol == 1, best, &nbest);
			for (int k = 0; k < 4; k++) {
				struct pt p[4];

				memcpy(p, q, sizeof(p));
				/* Corner k from the other three. */
				p[k].x = q[(k + 1) % 4].x + q[(k + 3) % 4].x -
				    q[(k + 2) % 4].x;
				p[k].y = q[(k + 1) % 4].y + q[(k + 3) % 4].y -
				    q[(k + 2) % 4].y;
				try_quad(im, p, pol == 1, best, &nbest);
			}
			st = decode_best(im, best, nbest, deadline_ms, accept,
			    arg, r);
			if (st < 0)
				return diag_system(d, "out of memory");
			if (st == IMAGE_DM_OK)
				return st;
			if (st > best_status)
				best_status = st;
		}
	}
	return best_status;
}
