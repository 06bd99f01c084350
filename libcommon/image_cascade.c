/*
 * image_cascade: the decode cascade for Data Matrix images from the field
 * (scanner captures, phone photos, camera frames).
 *
 * libdmtx alone reads clean, well-lit, un-mirrored symbols with a quiet
 * zone.  Each pass below removes one reason it fails: a small symbol in a
 * large frame (roi: dense-edge windows cropped out), large modules
 * (shrink), low contrast (stretch), uneven light (adaptive threshold),
 * noise (smoothing, denoise, 2x box downscale), blur (sharpen, Otsu),
 * mirrored images and strong perspective (mirror: libdmtx often finds the
 * region only in the mirror image; the resampler reads it transposed),
 * symbols without quiet zone or at 1-2 px/module (pad and upscale).
 * Inverted print needs no pass: libdmtx finds both polarities.  Regions
 * libdmtx finds but cannot decode are resampled under other sizes, the
 * transpose and vial-curvature models (image_dm.c), then read by our own
 * sampler and ECC 200 decoder (image_grid.c, image_ecc200.c).  The "grid"
 * pass runs that decoder alone, with its own finder search: it reads the
 * DMRE sizes libdmtx does not know, and it comes right after "plain"
 * because it costs a few tens of milliseconds on a small image where the
 * libdmtx passes that follow may use their whole share; "grid-sharp"
 * runs it on an unsharp-masked copy, which reads blurred and JPEG-blocky
 * symbols whose clock tracks the plain grid finds smeared.  Invariants:
 *
 *  1. One deadline: every pass gets a share of what is left of
 *     o->timeout_ms, and no pass starts after the deadline.
 *  2. Every decoded region has passed the fit check (image_dm.c,
 *     fit_plausible: finder, clock tracks, quiet zone), so a misfit grid
 *     is never reported.  A result is accepted only if it is valid GS1
 *     (FNC1 first, and "]d2" + data parses with gs1_parse()), or, with
 *     require_gs1 off, as soon as it decodes.  A resampled read (many
 *     models tried) counts only if it is valid GS1, and is never reported
 *     as "not GS1" data.
 *  3. The report is the furthest any pass got: no symbol < undecodable <
 *     not GS1 < ok.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dmtx.h>

#include "diag.h"
#include "gs1.h"
#include "image.h"
#include "image_int.h"

enum prep {
	PREP_NONE,
	PREP_STRETCH,
	PREP_OTSU,
	PREP_ADAPTIVE,
	PREP_SMOOTH,
	PREP_HALF,
	PREP_MIRROR,
	PREP_UPSCALE,
	PREP_MIRROR_OTSU,
	PREP_SHARPEN,
	PREP_DENOISE,
	PREP_ROI,
	PREP_GRID,
	PREP_GRID_SHARP,
};

struct pass_def {
	const char	*name;
	enum prep	 prep;
	struct dm_pass	 dm;
	unsigned	 weight;	/* share of the time left */
	size_t		 min_side;	/* run only if min(w, h) >= this */
	size_t		 max_side;	/* run only if max(w, h) <= this (0: any) */
};

/*
 * The order is by how often a pass is the one that reads (bench/image.sh)
 * and by cost; the weights give the plain pass, which reads most images
 * and needs the longest on large frames, the largest share.
 */
static const struct pass_def passes[] = {
	{ "roi", PREP_ROI, { 1, 0, 0, 0, true }, 2, 400, 0 },
	{ "plain", PREP_NONE, { 1, 0, 0, 0, true }, 4, 0, 0 },
	{ "grid", PREP_GRID, { 1, 0, 0, 0, false }, 4, 0, 0 },
	{ "grid-sharp", PREP_GRID_SHARP, { 1, 0, 0, 0, false }, 3, 0, 0 },
	{ "mirror", PREP_MIRROR, { 1, 0, 0, 0, true }, 1, 0, 0 },
	{ "shrink2", PREP_NONE, { 2, DmtxSymbolSquareAuto, 0, 0, true }, 1,
	    400, 0 },
	{ "stretch", PREP_STRETCH, { 1, 0, 0, 0, true }, 1, 0, 0 },
	{ "otsu", PREP_OTSU, { 1, 0, 0, 0, true }, 2, 0, 0 },
	{ "adaptive", PREP_ADAPTIVE, { 1, 0, 0, 0, true }, 2, 0, 0 },
	{ "smooth", PREP_SMOOTH, { 1, 0, 0, 0, true }, 1, 0, 0 },
	{ "half", PREP_HALF, { 1, 0, 0, 0, true }, 1, 300, 0 },
	{ "upscale", PREP_UPSCALE, { 1, 0, 0, 0, true }, 1, 0, 400 },
	{ "mirror-otsu", PREP_MIRROR_OTSU, { 1, 0, 0, 0, true }, 1, 0, 0 },
	{ "sharpen", PREP_SHARPEN, { 1, 0, 0, 0, true }, 1, 0, 0 },
	{ "denoise", PREP_DENOISE, { 1, 0, 0, 0, true }, 1, 0, 0 },
};
#define NPASSES	(sizeof(passes) / sizeof(passes[0]))

unsigned
image_dm_pass_count(void)
{
	return (unsigned)NPASSES;
}

const char *
image_dm_pass_name(unsigned i)
{
	return i < NPASSES ? passes[i].name : NULL;
}

unsigned
image_dm_pass_mask(const char *name)
{
	for (unsigned i = 0; i < NPASSES; i++)
		if (strcmp(passes[i].name, name) == 0)
			return 1U << i;
	return 0;
}

/* --- preprocessing: each makes a packed copy (stride == w) --- */

int
dm_otsu(const struct image *im)
{
	size_t hist[256] = { 0 }, n = im->w * im->h;
	double sum = 0, sumb = 0, best = -1;
	size_t wb = 0;
	int thr = 128;

	for (size_t y = 0; y < im->h; y++)
		for (size_t x = 0; x < im->w; x++)
			hist[im->px[y * im->stride + x]]++;
	for (int i = 0; i < 256; i++)
		sum += (double)i * (double)hist[i];
	for (int t = 0; t < 256; t++) {
		double mb, mf, between;
		size_t wf;

		wb += hist[t];
		if (wb == 0)
			continue;
		if ((wf = n - wb) == 0)
			break;
		sumb += (double)t * (double)hist[t];
		mb = sumb / (double)wb;
		mf = (sum - sumb) / (double)wf;
		between = (double)wb * (double)wf * (mb - mf) * (mb - mf);
		if (between > best) {
			best = between;
			thr = t;
		}
	}
	return thr;
}

static void
otsu_in_place(struct image *im)
{
	size_t n = im->w * im->h;
	int thr = dm_otsu(im);

	for (size_t i = 0; i < n; i++)
		im->px[i] = im->px[i] <= thr ? 0 : 255;
}

static void
stretch_in_place(struct image *im)
{
	size_t hist[256] = { 0 }, n = im->w * im->h, acc = 0;
	int lo = 0, hi = 255;

	for (size_t i = 0; i < n; i++)
		hist[im->px[i]]++;
	for (lo = 0; lo < 255 && (acc += hist[lo]) < n / 100; lo++)
		;
	acc = 0;
	for (hi = 255; hi > 0 && (acc += hist[hi]) < n / 100; hi--)
		;
	if (hi - lo < 8)
		return;
	for (size_t i = 0; i < n; i++) {
		int v = ((int)im->px[i] - lo) * 255 / (hi - lo);

		im->px[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

/*
 * Box mean of radius r (window 2r+1, clamped at the edges), separable:
 * rows into `tmp`, then columns into `out`.  All three are w x h packed.
 */
static void
box_mean(const unsigned char *in, unsigned char *tmp, unsigned char *out,
    size_t w, size_t h, size_t r)
{
	for (size_t y = 0; y < h; y++) {
		const unsigned char *s = in + y * w;
		size_t sum = 0, cnt = 0, lo = 0, hi = 0;

		for (size_t x = 0; x < w; x++) {
			size_t a = x >= r ? x - r : 0;
			size_t b = x + r < w ? x + r : w - 1;

			while (hi <= b) {
				sum += s[hi++];
				cnt++;
			}
			while (lo < a) {
				sum -= s[lo++];
				cnt--;
			}
			tmp[y * w + x] = (unsigned char)(sum / cnt);
		}
	}
	for (size_t x = 0; x < w; x++) {
		size_t sum = 0, cnt = 0, lo = 0, hi = 0;

		for (size_t y = 0; y < h; y++) {
			size_t a = y >= r ? y - r : 0;
			size_t b = y + r < h ? y + r : h - 1;

			while (hi <= b) {
				sum += tmp[hi++ * w + x];
				cnt++;
			}
			while (lo < a) {
				sum -= tmp[lo++ * w + x];
				cnt--;
			}
			out[y * w + x] = (unsigned char)(sum / cnt);
		}
	}
}

static int
prep_image(const struct image *src, enum prep prep, struct image *out,
    struct diag *d)
{
	size_t w = src->w, h = src->h;

	if (prep == PREP_HALF) {
		if (image_alloc(out, w / 2, h / 2, 255, d) != 0)
			return -1;
		for (size_t y = 0; y < h / 2; y++)
			for (size_t x = 0; x < w / 2; x++) {
				const unsigned char *p = src->px +
				    2 * y * src->stride + 2 * x;

				out->px[y * out->w + x] = (unsigned char)
				    ((p[0] + p[1] + p[src->stride] +
				    p[src->stride + 1] + 2) / 4);
			}
		return 0;
	}
	if (prep == PREP_UPSCALE) {
		/* Quiet zone of 1/6 of the side, then upscale to >= 400 px. */
		size_t side = w > h ? w : h, pad = side / 6 + 2;
		size_t k = (400 + side + 2 * pad - 1) / (side + 2 * pad);

		if (k < 2)
			k = 2;
		if (image_alloc(out, (w + 2 * pad) * k, (h + 2 * pad) * k,
		    255, d) != 0)
			return -1;
		for (size_t y = 0; y < h; y++)
			for (size_t x = 0; x < w; x++) {
				unsigned char v = src->px[y * src->stride + x];

				for (size_t j = 0; j < k; j++)
					memset(out->px + ((y + pad) * k + j) *
					    out->w + (x + pad) * k, v, k);
			}
		return 0;
	}
	if (image_alloc(out, w, h, 255, d) != 0)
		return -1;
	for (size_t y = 0; y < h; y++) {
		const unsigned char *s = src->px + y * src->stride;
		unsigned char *t = out->px + y * w;

		if (prep == PREP_MIRROR || prep == PREP_MIRROR_OTSU)
			for (size_t x = 0; x < w; x++)
				t[x] = s[w - 1 - x];
		else
			memcpy(t, s, w);
	}
	switch (prep) {
	case PREP_STRETCH:
		stretch_in_place(out);
		break;
	case PREP_OTSU:
	case PREP_MIRROR_OTSU:
		otsu_in_place(out);
		break;
	case PREP_SMOOTH:
	case PREP_GRID_SHARP:
	case PREP_SHARPEN:
	case PREP_DENOISE:
	case PREP_ADAPTIVE: {
		size_t n = w * h, r;
		unsigned char *tmp = malloc(n), *mean = malloc(n);

		if (tmp == NULL || mean == NULL) {
			free(tmp);
			free(mean);
			image_free(out);
			return diag_system(d, "out of memory");
		}
		if (prep == PREP_SMOOTH) {
			box_mean(out->px, tmp, mean, w, h, 1);
			memcpy(out->px, mean, n);
		} else if (prep == PREP_SHARPEN || prep == PREP_GRID_SHARP) {
			/*
			 * Unsharp mask: 2.5 x (image - its 5x5 mean), then
			 * Otsu for libdmtx; our grid keeps the grey levels
			 * (its erasures need them).
			 */
			box_mean(out->px, tmp, mean, w, h, 2);
			for (size_t i = 0; i < n; i++) {
				int v = out->px[i] + 5 * ((int)out->px[i] -
				    (int)mean[i]) / 2;

				out->px[i] = (unsigned char)(v < 0 ? 0 :
				    v > 255 ? 255 : v);
			}
			if (prep == PREP_SHARPEN)
				otsu_in_place(out);
		} else if (prep == PREP_DENOISE) {
			/* Two 5x5 means (about a Gaussian), then Otsu. */
			box_mean(out->px, tmp, mean, w, h, 2);
			box_mean(mean, tmp, out->px, w, h, 2);
			otsu_in_place(out);
		} else {
			/* Local mean over ~1/8 of the image, minus a margin. */
			r = (w < h ? w : h) / 16 + 3;
			box_mean(out->px, tmp, mean, w, h, r);
			for (size_t i = 0; i < n; i++)
				out->px[i] = out->px[i] + 6 < mean[i] ? 0 : 255;
		}
		free(tmp);
		free(mean);
		break;
	}
	default:
		break;
	}
	return 0;
}

/*
 * Regions of interest for large frames (a small symbol somewhere in a
 * camera picture): libdmtx scans the whole frame, slowly, and gives up on
 * symbols of 2-3 px/module among clutter.  A Data Matrix is a patch dense
 * in both horizontal and vertical edges; boxes, lines and most text are
 * not.  Cells of 8x8 pixels are scored by min(horizontal, vertical) edge
 * count, the hot cells are grouped into 8-connected blobs, and the best
 * few blobs (not too thin) are cropped with a margin, upscaled 2x when
 * small, and handed to libdmtx as they are and Otsu-binarised.
 */
#define ROI_CELL	8
#define ROI_MAX		4

struct roi {
	size_t	x0, y0, x1, y1;		/* pixels, half-open */
	size_t	score;
};

static size_t
roi_find(const struct image *im, struct roi *out, size_t max)
{
	static const size_t sizes[] = { 10, 16, 6 };	/* cells */
	size_t cw = im->w / ROI_CELL, ch = im->h / ROI_CELL, n = 0;
	size_t *sum;

	if (cw < 6 || ch < 6)
		return 0;
	/* Integral image of the cell scores, (cw + 1) x (ch + 1). */
	if ((sum = calloc((cw + 1) * (ch + 1), sizeof(*sum))) == NULL)
		return 0;
	for (size_t cy = 0; cy < ch; cy++)
		for (size_t cx = 0; cx < cw; cx++) {
			unsigned hc = 0, vc = 0, sc;

			for (size_t y = cy * ROI_CELL; y < (cy + 1) * ROI_CELL;
			    y++) {
				const unsigned char *p = im->px + y * im->stride;

				for (size_t x = cx * ROI_CELL;
				    x < (cx + 1) * ROI_CELL; x++) {
					if (x + 1 < im->w &&
					    abs(p[x + 1] - p[x]) > 24)
						hc++;
					if (y + 1 < im->h &&
					    abs(p[x + im->stride] - p[x]) > 24)
						vc++;
				}
			}
			sc = hc < vc ? hc : vc;
			sum[(cy + 1) * (cw + 1) + cx + 1] = sc +
			    sum[cy * (cw + 1) + cx + 1] +
			    sum[(cy + 1) * (cw + 1) + cx] -
			    sum[cy * (cw + 1) + cx];
		}
	/* The densest window of each size, if dense enough, not overlapping. */
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && n < max;
	    k++) {
		size_t sz = sizes[k], bx = 0, by = 0, best = 0;

		if (sz > cw || sz > ch)
			break;
		for (size_t y = 0; y + sz <= ch; y++)
			for (size_t x = 0; x + sz <= cw; x++) {
				size_t v = sum[(y + sz) * (cw + 1) + x + sz] -
				    sum[y * (cw + 1) + x + sz] -
				    sum[(y + sz) * (cw + 1) + x] +
				    sum[y * (cw + 1) + x];

				if (v > best) {
					best = v;
					bx = x;
					by = y;
				}
			}
		if (best < sz * sz * ROI_CELL * ROI_CELL / 10)
			continue;
		{
			size_t m = sz / 2 + 1;
			struct roi r;
			bool dup = false;

			r.x0 = (bx > m ? bx - m : 0) * ROI_CELL;
			r.y0 = (by > m ? by - m : 0) * ROI_CELL;
			r.x1 = (bx + sz + m < cw ? bx + sz + m : cw) * ROI_CELL;
			r.y1 = (by + sz + m < ch ? by + sz + m : ch) * ROI_CELL;
			r.score = best;
			/* A larger window around a found one adds nothing. */
			for (size_t i = 0; i < n; i++)
				if (out[i].x0 >= r.x0 && out[i].x1 <= r.x1 &&
				    out[i].y0 >= r.y0 && out[i].y1 <= r.y1 &&
				    (r.x1 - r.x0) < 2 * (out[i].x1 - out[i].x0))
					dup = true;
			if (!dup)
				out[n++] = r;
		}
	}
	free(sum);
	return n;
}

/* Crop `r` out of `im`, upscaled 2x (bilinear) if it is small. */
static int
roi_crop(const struct image *im, const struct roi *r, struct image *out,
    struct diag *d)
{
	size_t w = r->x1 - r->x0, h = r->y1 - r->y0;
	size_t k = w < 240 && h < 240 ? 2 : 1;

	if (image_alloc(out, w * k, h * k, 255, d) != 0)
		return -1;
	for (size_t y = 0; y < h * k; y++)
		for (size_t x = 0; x < w * k; x++) {
			double sx = (x + 0.5) / k - 0.5, sy = (y + 0.5) / k - 0.5;
			size_t ix = sx < 0 ? 0 : (size_t)sx;
			size_t iy = sy < 0 ? 0 : (size_t)sy;
			size_t jx = ix + 1 < w ? ix + 1 : ix;
			size_t jy = iy + 1 < h ? iy + 1 : iy;
			double fx = sx < 0 ? 0 : sx - ix, fy = sy < 0 ? 0 : sy - iy;
			const unsigned char *p = im->px + (r->y0 + iy) *
			    im->stride + r->x0;
			const unsigned char *q = im->px + (r->y0 + jy) *
			    im->stride + r->x0;
			double v = (p[ix] * (1 - fx) + p[jx] * fx) * (1 - fy) +
			    (q[ix] * (1 - fx) + q[jx] * fx) * fy;

			out->px[y * out->w + x] = (unsigned char)(v + 0.5);
		}
	return 0;
}

/* --- acceptance --- */

struct cascade {
	const struct image_decode_opts *o;
	unsigned	pass;		/* the pass running now */
	struct image_dm_result first;	/* first decoded, not accepted */
	bool		have_first;
	bool		accepted_gs1;	/* the accepted result is valid GS1 */
	char		why[128];	/* else why not */
};

/*
 * Invariant 2: is `r` valid GS1 scan data?  Fills why[] if not.  The data
 * goes through the gs1 parser as "]d2" scan data (the same code path as a
 * scanner string): AIs from the Syntax Dictionary, lengths, CSET 82,
 * check digits, dates (GenSpecs 3, 7.8, 7.9, 7.11).
 */
static bool
gs1_valid(const struct image_dm_result *r, char *why, size_t cap)
{
	char scan[3 + IMAGE_DM_DATA_MAX];
	struct gs1_parse_opts po = GS1_PARSE_OPTS_INIT;
	struct gs1_msg *m;
	struct diag d = DIAG_INIT;
	bool ok;

	if (!r->gs1) {
		snprintf(why, cap, "no FNC1 in first position");
		return false;
	}
	if (r->len == 0 || r->len > GS1_MAX_DATA) {
		snprintf(why, cap, "empty or too long for GS1");
		return false;
	}
	if ((m = malloc(sizeof(*m))) == NULL) {
		snprintf(why, cap, "out of memory");
		return false;
	}
	memcpy(scan, "]d2", 3);
	memcpy(scan + 3, r->data, r->len);
	ok = gs1_parse(m, gs1_table_embedded(), scan, 3 + r->len, &po,
	    &d) == 0;
	if (!ok) {
		size_t n = strlen(d.msg) < cap ? strlen(d.msg) : cap - 1;

		memcpy(why, d.msg, n);
		why[n] = '\0';
	}
	free(m);
	return ok;
}

static bool
accept_cb(void *arg, const struct image_dm_result *r)
{
	struct cascade *c = arg;
	char why[sizeof(c->first.why)] = "";

	if (gs1_valid(r, why, sizeof(why))) {
		c->accepted_gs1 = true;
		return true;
	}
	if (r->resampled)
		return false;	/* invariant 2: only as valid GS1 */
	c->accepted_gs1 = false;
	snprintf(c->why, sizeof(c->why), "%s", why);
	if (!c->have_first) {
		c->first = *r;
		c->first.status = IMAGE_DM_NOT_GS1;
		c->first.pass = (int)c->pass;
		snprintf(c->first.why, sizeof(c->first.why), "%s", why);
		c->have_first = true;
	}
	return !c->o->require_gs1;
}

/* The ROI pass: each candidate as is and Otsu-binarised, time split. */
static int
roi_pass(const struct image *im, const struct dm_pass *dp, double deadline,
    struct cascade *c, struct image_dm_result *r, struct diag *d)
{
	struct roi cand[ROI_MAX];
	size_t n = roi_find(im, cand, ROI_MAX);
	int best = IMAGE_DM_NO_SYMBOL;


	for (size_t i = 0; i < 2 * n; i++) {
		struct image crop;
		double now = dm_now_ms();
		int st;

		if (now >= deadline)
			break;
		if (roi_crop(im, &cand[i / 2], &crop, d) != 0)
			return -1;
		if (i & 1)
			otsu_in_place(&crop);
		st = dm_libdmtx_pass(&crop, dp, now + (deadline - now) /
		    (double)(2 * n - i), accept_cb, c, r, d);
		image_free(&crop);
		if (st < 0 || st == IMAGE_DM_OK)
			return st;
		if (st > best)
			best = st;
	}
	return best;
}

int
dm_cascade(const struct image *im, const struct image_decode_opts *o,
    struct image_dm_result *r, struct diag *d)
{
	static const struct image_decode_opts defo = IMAGE_DECODE_OPTS_INIT;
	double t0 = dm_now_ms(), deadline;
	struct cascade *c;
	int best = IMAGE_DM_NO_SYMBOL;
	unsigned todo[NPASSES], ntodo = 0;
	size_t lo, hi;

	dm_result_clear(r);
	if (o == NULL)
		o = &defo;
	if (im == NULL || im->px == NULL || im->w == 0 || im->h == 0)
		return diag_input(d, "empty image");
	deadline = t0 + (o->timeout_ms > 0 ? o->timeout_ms : 1);
	lo = im->w < im->h ? im->w : im->h;
	hi = im->w < im->h ? im->h : im->w;
	for (unsigned i = 0; i < NPASSES; i++) {
		if (o->passes != 0 && (o->passes & (1U << i)) == 0)
			continue;
		if (lo < passes[i].min_side ||
		    (passes[i].max_side != 0 && hi > passes[i].max_side))
			continue;
		todo[ntodo++] = i;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return diag_system(d, "out of memory");
	c->o = o;
	for (unsigned k = 0; k < ntodo; k++) {
		const struct pass_def *p = &passes[todo[k]];
		double now = dm_now_ms(), share;
		unsigned wsum;
		struct image work, *use = &work;
		int st;

		if (now >= deadline)
			break;		/* invariant 1 */
		wsum = 0;
		for (unsigned j = k; j < ntodo; j++)
			wsum += passes[todo[j]].weight;
		share = (deadline - now) * p->weight / wsum;
		c->pass = todo[k];
		if (p->prep == PREP_ROI) {
			st = roi_pass(im, &p->dm, now + share, c, r, d);
			use = NULL;
		} else if (p->prep == PREP_GRID) {
			st = dm_grid_pass(im, now + share, accept_cb, c, r, d);
			use = NULL;
		} else if (p->prep == PREP_NONE && im->stride == im->w) {
			use = (struct image *)im;
		} else if (prep_image(im, p->prep, &work, d) != 0) {
			free(c);
			return -1;
		}
		if (use != NULL && p->prep == PREP_GRID_SHARP)
			st = dm_grid_pass(use, now + share, accept_cb, c, r, d);
		else if (use != NULL)
			st = dm_libdmtx_pass(use, &p->dm, now + share,
			    accept_cb, c, r, d);
		if (use == &work)
			image_free(&work);
		if (st < 0) {
			free(c);
			return -1;
		}
		if (st == IMAGE_DM_OK) {
			r->status = c->accepted_gs1 ? IMAGE_DM_OK :
			    IMAGE_DM_NOT_GS1;
			if (!c->accepted_gs1)
				snprintf(r->why, sizeof(r->why), "%s", c->why);
			r->pass = (int)todo[k];
			snprintf(r->pass_name, sizeof(r->pass_name), "%s",
			    p->name);
			r->mirrored = (p->prep == PREP_MIRROR ||
			    p->prep == PREP_MIRROR_OTSU) != r->mirrored;
			r->ms = dm_now_ms() - t0;
			free(c);
			return 0;
		}
		if (st > best)
			best = st;
	}
	if (c->have_first) {
		*r = c->first;
		snprintf(r->pass_name, sizeof(r->pass_name), "%s",
		    passes[c->first.pass].name);
		r->mirrored = (passes[c->first.pass].prep == PREP_MIRROR ||
		    passes[c->first.pass].prep == PREP_MIRROR_OTSU) !=
		    c->first.mirrored;
	}
	r->status = (enum image_dm_status)best;
	r->ms = dm_now_ms() - t0;
	free(c);
	return 0;
}
