/*
 * image_dm: Data Matrix ECC 200 decoding on top of libdmtx 0.7.7.
 *
 * Two ways in.  image_dm_decode_known() samples the module grid of a
 * symbol whose geometry we know (we just rendered it) and hands the grid
 * to libdmtx's Reed-Solomon and data decoder (dmtxDecodePopulatedArray),
 * skipping libdmtx's search entirely: the search is what costs a
 * millisecond per label.  dm_libdmtx_pass() is one search-and-decode pass
 * of the field cascade (image_cascade.c).
 *
 * Symbol layout (ISO/IEC 16022:2006 5.3, tables 7 and 8): a symbol is
 * tiled into data regions of (region rows + 2) x (region cols + 2)
 * modules, each framed by a solid "L" (left column, bottom row) and two
 * clock tracks (top row dark at even columns, right column dark at odd
 * rows, counted from the region's top-left).  libdmtx's mapping array
 * holds the region interiors, concatenated, top row first
 * (dmtxdecode.c, PopulateArrayFromMatrix): we fill it the same way.
 *
 * libdmtx quirks handled here: DmtxPropFnc1 must be set or FNC1 is dropped
 * and C40/Text shift state corrupts the next character; output is not
 * NUL-terminated; the "fix" argument is ignored (full correction always).
 */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <dmtx.h>

#include "diag.h"
#include "image.h"
#include "image_int.h"

double
dm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void
dm_result_clear(struct image_dm_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = IMAGE_DM_NO_SYMBOL;
	r->pass = -1;
}

const char *
image_dm_status_name(enum image_dm_status s)
{
	switch (s) {
	case IMAGE_DM_NO_SYMBOL:
		return "no symbol";
	case IMAGE_DM_UNDECODABLE:
		return "undecodable";
	case IMAGE_DM_NOT_GS1:
		return "not GS1";
	case IMAGE_DM_OK:
		return "ok";
	case IMAGE_DM_UNREADABLE:
		return "unreadable image";
	}
	return "?";
}

void
dm_result_set_data(struct image_dm_result *r, const unsigned char *out,
    size_t n)
{
	size_t i = 0, len = 0;

	r->gs1 = n > 0 && out[0] == DM_FNC1;
	if (r->gs1)
		i = 1;
	for (; i < n && len < IMAGE_DM_DATA_MAX - 1; i++)
		r->data[len++] = r->gs1 && out[i] == DM_FNC1 ? 0x1D : out[i];
	r->data[len] = '\0';
	r->len = len;
}

/* ISO/IEC 16022 table 7 size index as libdmtx numbers it, or -1. */
static int
size_index(int rows, int cols)
{
	int n = DmtxSymbolSquareCount + DmtxSymbolRectCount;

	for (int i = 0; i < n; i++)
		if (dmtxGetSymbolAttribute(DmtxSymAttribSymbolRows, i) == rows &&
		    dmtxGetSymbolAttribute(DmtxSymAttribSymbolCols, i) == cols)
			return i;
	return -1;
}

/* Mean of the central pixels of module (row, col). */
static unsigned
module_mean(const struct image *im, const struct image_dm_geometry *g,
    int row, int col)
{
	size_t mp = g->module_px, k = mp / 2 > 0 ? mp / 2 : 1;
	size_t x = g->x0 + (size_t)col * mp + (mp - k) / 2;
	size_t y = g->y0 + (size_t)row * mp + (mp - k) / 2;
	unsigned sum = 0;

	for (size_t j = 0; j < k; j++) {
		const unsigned char *p = im->px + (y + j) * im->stride + x;

		for (size_t i = 0; i < k; i++)
			sum += p[i];
	}
	return sum / (unsigned)(k * k);
}

/*
 * Is border module (i, j) of a data region of h modules (rows counted from
 * the region's top) dark in the fixed pattern?  Region sizes are even.
 */
static bool
fixed_dark(int i, int j, int h)
{
	if (j == 0 || i == h - 1)
		return true;		/* the solid L */
	if (i == 0)
		return (j & 1) == 0;	/* top clock track */
	return (i & 1) == 1;		/* right clock track */
}

int
image_dm_decode_known(const struct image *im,
    const struct image_dm_geometry *g, struct image_dm_result *r,
    struct diag *d)
{
	double t0 = dm_now_ms();
	int idx, rh, rw, mcols, bad = 0;
	unsigned lo = 255, hi = 0, thr;
	unsigned char dark[144 * 144];
	DmtxMessage *msg;

	dm_result_clear(r);
	if (im == NULL || im->px == NULL)
		return diag_input(d, "no image");
	if ((idx = size_index(g->rows, g->cols)) < 0)
		return diag_input(d, "%dx%d is not a Data Matrix ECC 200 size",
		    g->rows, g->cols);
	if (g->module_px == 0 ||
	    g->x0 > im->w || g->y0 > im->h ||
	    (size_t)g->cols * g->module_px > im->w - g->x0 ||
	    (size_t)g->rows * g->module_px > im->h - g->y0)
		return diag_input(d, "%dx%d symbol at %zu px/module does not "
		    "fit the %zux%zu image at (%zu,%zu)", g->rows, g->cols,
		    g->module_px, im->w, im->h, g->x0, g->y0);
	rh = dmtxGetSymbolAttribute(DmtxSymAttribDataRegionRows, idx);
	rw = dmtxGetSymbolAttribute(DmtxSymAttribDataRegionCols, idx);
	mcols = dmtxGetSymbolAttribute(DmtxSymAttribMappingMatrixCols, idx);

	/* Sample every module once; the threshold sits mid-way. */
	for (int y = 0; y < g->rows; y++)
		for (int x = 0; x < g->cols; x++) {
			unsigned v = module_mean(im, g, y, x);

			dark[y * g->cols + x] = (unsigned char)v;
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	r->rows = g->rows;
	r->cols = g->cols;
	r->status = IMAGE_DM_UNDECODABLE;
	if (hi - lo < 32) {
		r->ms = dm_now_ms() - t0;
		return 0;		/* no contrast: nothing printed there */
	}
	thr = (lo + hi + 1) / 2;
	for (int i = 0; i < g->rows * g->cols; i++)
		dark[i] = dark[i] < thr;

	if ((msg = dmtxMessageCreate(idx, DmtxFormatMatrix)) == NULL)
		return diag_system(d, "out of memory");
	for (int y = 0; y < g->rows; y++) {
		int ry = y / (rh + 2), i = y % (rh + 2);

		for (int x = 0; x < g->cols; x++) {
			int rx = x / (rw + 2), j = x % (rw + 2);
			bool on = dark[y * g->cols + x];

			if (i == 0 || i == rh + 1 || j == 0 || j == rw + 1) {
				bad += on != fixed_dark(i, j, rh + 2);
				continue;
			}
			msg->array[(ry * rh + i - 1) * mcols + rx * rw + j - 1] =
			    (unsigned char)((on ? DmtxModuleOnRGB :
			    DmtxModuleOff) | DmtxModuleAssigned);
		}
	}
	if (bad != 0) {
		/* The geometry is not what was rendered: never guess. */
		dmtxMessageDestroy(&msg);
		r->ms = dm_now_ms() - t0;
		return 0;
	}
	msg->fnc1 = DM_FNC1;
	if ((msg = dmtxDecodePopulatedArray(idx, msg, DmtxUndefined)) != NULL) {
		dm_result_set_data(r, msg->output, (size_t)msg->outputIdx);
		r->status = IMAGE_DM_OK;
		dmtxMessageDestroy(&msg);
	}
	r->pass = -1;
	r->ms = dm_now_ms() - t0;
	return 0;
}

/* Milliseconds from now to `deadline`, at least 1. */
static long
ms_left(double deadline)
{
	double left = deadline - dm_now_ms();

	return left < 1.0 ? 1 : (long)ceil(left);
}

/*
 * libdmtx's Reed-Solomon can accept a wrong grid fit (zxing-cpp's
 * distorted.png: a 14x14 symbol read as a 12x12 with a wrong message), so
 * a decoded region must also look like a true fit: the outer finder L and
 * clock tracks (ISO/IEC 16022 5.3.1) in place, and the ring one module
 * outside the symbol light (the quiet zone, ISO/IEC 16022 5.3.3; GS1
 * GenSpecs 5.6.4.2 asks 1X).  Modules are read at their centres through
 * the region's fit2raw transform, as libdmtx reads them; ring modules
 * outside the image are not counted.  Limits: at most 1 in 8 edge modules
 * wrong, at most 1 in 5 ring modules dark (damaged labels still pass).
 */
static bool
fit_plausible(DmtxDecode *dec, DmtxRegion *reg)
{
	int rows = reg->symbolRows, cols = reg->symbolCols;
	int nf = 0, badf = 0, nq = 0, badq = 0;

	for (int y = -1; y <= rows; y++)
		for (int x = -1; x <= cols; x++) {
			bool ring = y == -1 || y == rows || x == -1 || x == cols;
			bool edge = y == 0 || y == rows - 1 || x == 0 ||
			    x == cols - 1;
			DmtxVector2 v;
			bool on, want;
			int val;

			if (!ring && !edge) {
				x = cols - 2;	/* skip the interior */
				continue;
			}
			v.X = (x + 0.5) / cols;
			v.Y = (y + 0.5) / rows;
			dmtxMatrix3VMultiplyBy(&v, reg->fit2raw);
			if (dmtxDecodeGetPixelValue(dec, (int)(v.X + 0.5),
			    (int)(v.Y + 0.5), reg->flowBegin.plane, &val) !=
			    DmtxPass)
				continue;
			on = abs(val - reg->onColor) < abs(val - reg->offColor);
			if (ring) {
				nq++;
				badq += on;
				continue;
			}
			/* Bottom-origin: y 0 is the L's foot. */
			if (x == 0 || y == 0)
				want = true;
			else if (y == rows - 1)
				want = (x & 1) == 0;
			else
				want = (y & 1) == 0;
			nf++;
			badf += on != want;
		}
	return nf > 0 && badf * 8 <= nf && badq * 5 <= nq;
}

/*
 * Resampling a region libdmtx found but could not decode.  libdmtx reads
 * each module by tallying brightness jumps between neighbours along the
 * rows and columns of a linear (projective) fit of the region; that fails
 * on symbols whose module pitch is not uniform in the image (a label
 * wrapped round a vial), whose edges are blurred or blocky (JPEG), or
 * whose size it miscounted.  Here the region's corners (its fit2raw) are
 * kept and the grid is sampled again, bilinearly at the module centres,
 * under a few models:
 *
 *   - the size libdmtx chose and the square sizes near it;
 *   - as is, or transposed: in a mirrored image libdmtx takes the L's two
 *     legs for each other, and the transpose of its frame (a reflection
 *     through the L's corner) is the true grid, so mirrored symbols read
 *     without a mirrored copy of the image;
 *   - no curvature, or a cylinder (the label on a vial, seen from the
 *     side) along either symbol axis: a label coordinate s in [0, 1] is
 *     seen at (sin((s - c) a) - sin(-c a)) / (sin((1 - c) a) - sin(-c a))
 *     for angular spans a and axis positions c;
 *   - the threshold midway between the region's two colours.
 *
 * A model is decoded only if its samples show the finder L and clock
 * tracks of every data region with at most 1 in 8 modules wrong and a
 * light quiet-zone ring (at most 1 in 5 dark), the same rule as
 * fit_plausible(); Reed-Solomon then decides.  Trying many models makes
 * a structured near miss (a grid of the wrong size over the right symbol)
 * that Reed-Solomon accepts possible for small symbols (a clock-free
 * blob finder that tried hundreds of models per image produced such
 * reads at 10x10-14x14), so resampled results are flagged and the
 * cascade accepts them only as valid GS1 (image_cascade.c, invariant 2).
 */
struct rs_model {
	bool	transpose;	/* mirrored image: the L's legs swapped */
	int	axis;		/* 0: none, 1: along x (cols), 2: along y */
	double	span, centre;
};

static double
curve(double s, const struct rs_model *m)
{
	double a = m->span, c = m->centre, lo = sin(-c * a);

	return (sin((s - c) * a) - lo) / (sin((1 - c) * a) - lo);
}

/* Bilinear sample at symbol position (x, y) in modules, bottom-origin. */
static int
rs_sample(DmtxDecode *dec, DmtxRegion *reg, const struct rs_model *m,
    int rows, int cols, double x, double y, double *out)
{
	DmtxVector2 v;
	double fx, fy, acc = 0;
	int x0, y0;

	v.X = m->transpose ? y / rows : x / cols;
	v.Y = m->transpose ? x / cols : y / rows;
	if (m->axis == 1 && v.X >= 0 && v.X <= 1)
		v.X = curve(v.X, m);
	else if (m->axis == 2 && v.Y >= 0 && v.Y <= 1)
		v.Y = curve(v.Y, m);
	dmtxMatrix3VMultiplyBy(&v, reg->fit2raw);
	x0 = (int)floor(v.X - 0.5);
	y0 = (int)floor(v.Y - 0.5);
	fx = v.X - 0.5 - x0;
	fy = v.Y - 0.5 - y0;
	for (int k = 0; k < 4; k++) {
		int val;

		if (dmtxDecodeGetPixelValue(dec, x0 + (k & 1), y0 + (k >> 1),
		    reg->flowBegin.plane, &val) != DmtxPass)
			return -1;
		acc += val * ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
	}
	*out = acc;
	return 0;
}

static bool
rs_try(DmtxDecode *dec, DmtxRegion *reg, int idx, const struct rs_model *m,
    struct image_dm_result *out)
{
	int rows = dmtxGetSymbolAttribute(DmtxSymAttribSymbolRows, idx);
	int cols = dmtxGetSymbolAttribute(DmtxSymAttribSymbolCols, idx);
	int rh = dmtxGetSymbolAttribute(DmtxSymAttribDataRegionRows, idx);
	int rw = dmtxGetSymbolAttribute(DmtxSymAttribDataRegionCols, idx);
	int mrows = dmtxGetSymbolAttribute(DmtxSymAttribMappingMatrixRows, idx);
	int mcols = dmtxGetSymbolAttribute(DmtxSymAttribMappingMatrixCols, idx);
	double thr = (reg->onColor + reg->offColor) / 2.0;
	bool dark_on = reg->onColor < reg->offColor;
	int nf = 0, badf = 0, nq = 0, badq = 0;
	DmtxMessage *msg;

	if ((msg = dmtxMessageCreate(idx, DmtxFormatMatrix)) == NULL)
		return false;
	for (int y = -1; y <= rows; y++)
		for (int x = -1; x <= cols; x++) {
			double v;
			bool on;
			int i, j;

			if (rs_sample(dec, reg, m, rows, cols, x + 0.5, y + 0.5,
			    &v) != 0) {
				if (x >= 0 && y >= 0 && x < cols && y < rows)
					goto fail;
				continue;
			}
			on = dark_on ? v < thr : v > thr;
			if (y == -1 || y == rows || x == -1 || x == cols) {
				nq++;
				badq += on;
				continue;
			}
			/* Region-local, top-origin row i, column j. */
			i = (rows - 1 - y) % (rh + 2);
			j = x % (rw + 2);
			if (i == 0 || i == rh + 1 || j == 0 || j == rw + 1) {
				nf++;
				badf += on != fixed_dark(i, j, rh + 2);
				continue;
			}
			msg->array[((rows - 1 - y) / (rh + 2) * rh + i - 1) *
			    mcols + x / (rw + 2) * rw + j - 1] = (unsigned char)
			    ((on ? DmtxModuleOnRGB : DmtxModuleOff) |
			    DmtxModuleAssigned);
		}
	(void)mrows;
	if (badf * 8 > nf || badq * 5 > nq)
		goto fail;
	msg->fnc1 = DM_FNC1;
	if ((msg = dmtxDecodePopulatedArray(idx, msg, DmtxUndefined)) == NULL)
		return false;
	dm_result_clear(out);
	dm_result_set_data(out, msg->output, (size_t)msg->outputIdx);
	out->rows = rows;
	out->cols = cols;
	out->resampled = true;
	dmtxMessageDestroy(&msg);
	return true;
fail:
	dmtxMessageDestroy(&msg);
	return false;
}

static bool
resample_region(DmtxDecode *dec, DmtxRegion *reg, struct image_dm_result *out)
{
	static const double spans[] = { 0.9, 1.4, 1.9 };
	static const double centres[] = { 0.5, 0.3, 0.7 };
	struct rs_model m = { false, 0, 0, 0 };
	int base = reg->sizeIdx;
	bool square = base >= 0 && base < DmtxSymbolSquareCount;

	if (base < 0 || base >= DmtxSymbolSquareCount + DmtxSymbolRectCount)
		return false;
	/* The size found, then neighbouring squares: no curvature. */
	for (int k = 0; k <= 6; k++) {
		int idx = base + (k & 1 ? -(k + 1) / 2 : k / 2);

		if (k > 0 && (!square || idx < 0 ||
		    idx >= DmtxSymbolSquareCount))
			continue;
		for (int t = 0; t < (square ? 2 : 1); t++) {
			m.transpose = t == 1;
			if (rs_try(dec, reg, idx, &m, out)) {
				out->mirrored = m.transpose;
				return true;
			}
		}
	}
	for (int t = 0; t < (square ? 2 : 1); t++)
		for (m.axis = 1; m.axis <= 2; m.axis++)
			for (size_t a = 0; a < sizeof(spans) / sizeof(spans[0]);
			    a++)
				for (size_t c = 0; c < 3; c++) {
					m.transpose = t == 1;
					m.span = spans[a];
					m.centre = centres[c];
					if (rs_try(dec, reg, base, &m, out)) {
						out->mirrored = m.transpose;
						return true;
					}
				}
	return false;
}

/*
 * A region libdmtx found but neither it nor the resampler could decode:
 * its four corners go to our own sampler and decoder (image_grid.c),
 * which tries every ECC 200 size (DMRE too) and orientation on them, and
 * reads unsure modules as erasures.  libdmtx's frame is bottom-origin and
 * in shrunk pixels (centres at integers); ours top-origin, centres at
 * +0.5.  Returns 1 when `accept` took a result, 0 if not, -1 on error.
 */
static int
grid_region(const struct image *im, DmtxDecode *dec, DmtxRegion *reg,
    int shrink, double deadline_ms, dm_accept_fn accept, void *arg,
    struct image_dm_result *r, struct diag *d)
{
	static const double unit[4][2] = { { 0, 1 }, { 1, 1 }, { 1, 0 },
	    { 0, 0 } };
	double q[4][2];
	int st;

	(void)dec;
	for (int i = 0; i < 4; i++) {
		DmtxVector2 v;

		v.X = unit[i][0];
		v.Y = unit[i][1];
		dmtxMatrix3VMultiplyBy(&v, reg->fit2raw);
		q[i][0] = v.X * shrink + 0.5;
		q[i][1] = (double)im->h - 0.5 - v.Y * shrink;
	}
	st = dm_grid_quad(im, q, deadline_ms, accept, arg, r, d);
	return st < 0 ? -1 : st == IMAGE_DM_OK;
}

int
dm_libdmtx_pass(const struct image *im, const struct dm_pass *p,
    double deadline_ms, dm_accept_fn accept, void *arg,
    struct image_dm_result *r, struct diag *d)
{
	int best = IMAGE_DM_NO_SYMBOL, ngrid = 0;
	DmtxImage *img;
	DmtxDecode *dec;
	DmtxRegion *reg;
	DmtxTime timeout;

	if (im->stride != im->w || im->w > INT32_MAX || im->h > INT32_MAX)
		return diag_system(d, "internal: pass needs a packed image");
	if (dm_now_ms() >= deadline_ms)
		return best;
	img = dmtxImageCreate(im->px, (int)im->w, (int)im->h, DmtxPack8bppK);
	if (img == NULL)
		return diag_system(d, "out of memory (libdmtx image)");
	if ((dec = dmtxDecodeCreate(img, p->shrink)) == NULL) {
		dmtxImageDestroy(&img);
		return diag_system(d, "out of memory (libdmtx decoder)");
	}
	dmtxDecodeSetProp(dec, DmtxPropFnc1, DM_FNC1);
	if (p->shape != 0)
		dmtxDecodeSetProp(dec, DmtxPropSymbolSize, p->shape);
	if (p->square_devn != 0)
		dmtxDecodeSetProp(dec, DmtxPropSquareDevn, p->square_devn);
	if (p->edge_thresh != 0)
		dmtxDecodeSetProp(dec, DmtxPropEdgeThresh, p->edge_thresh);
	timeout = dmtxTimeAdd(dmtxTimeNow(), ms_left(deadline_ms));
	while ((reg = dmtxRegionFindNext(dec, &timeout)) != NULL) {
		DmtxMessage *msg;
		struct image_dm_result cand;
		bool got = false;
		int st;

		if (best < IMAGE_DM_UNDECODABLE)
			best = IMAGE_DM_UNDECODABLE;
		msg = dmtxDecodeMatrixRegion(dec, reg, DmtxUndefined);
		if (msg != NULL && fit_plausible(dec, reg)) {
			dm_result_clear(&cand);
			dm_result_set_data(&cand, msg->output,
			    (size_t)msg->outputIdx);
			cand.rows = reg->symbolRows;
			cand.cols = reg->symbolCols;
			got = true;
		} else if (msg == NULL && p->resample) {
			got = resample_region(dec, reg, &cand);
			/* Our sampler on the first few regions only: cost. */
			if (!got && ngrid++ < 2 && (st = grid_region(im, dec,
			    reg, p->shrink,
			    deadline_ms, accept, arg, r, d)) != 0) {
				dmtxRegionDestroy(&reg);
				if (st < 0) {
					best = -1;
					break;
				}
				best = IMAGE_DM_OK;
				break;
			}
		}
		if (msg != NULL)
			dmtxMessageDestroy(&msg);
		if (got) {
			best = IMAGE_DM_NOT_GS1;
			if (accept(arg, &cand)) {
				*r = cand;
				best = IMAGE_DM_OK;
				dmtxRegionDestroy(&reg);
				break;
			}
		}
		dmtxRegionDestroy(&reg);
		if (dm_now_ms() >= deadline_ms)
			break;
	}
	dmtxDecodeDestroy(&dec);
	dmtxImageDestroy(&img);
	return best;
}
