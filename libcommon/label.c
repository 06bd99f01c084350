/*
 * label: zint encoding, layout, the PNG page, the in-line check and file
 * output (see label.h).  The vector and printer formats are in
 * label_out.c, the file names in label_names.c, the HRI font in
 * label_font.c.
 *
 * zint 2.11 facts this file depends on (shared/notes/barcode.md 1):
 * ZBarcode_Buffer() with OUT_BUFFER_INTERMEDIATE gives one byte per pixel,
 * '1' foreground; its raster X-dimension is 2 x scale pixels, so scale =
 * module_px / 2 gives whole pixels; BARCODE_QUIET_ZONES adds the 1X Data
 * Matrix quiet zone on all four sides (ISO/IEC 16022 7.1); automatic sizing
 * picks rectangles unless DM_SQUARE is set; warnings (a bad check digit,
 * a bad date) still make a symbol unless warn_level is WARN_FAIL_ALL.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zint.h>

#include "diag.h"
#include "gs1.h"
#include "image.h"
#include "label.h"
#include "label_int.h"

static const char *const format_names[] = { "png", "svg", "eps", "zpl" };
static const char *const hri_names[] = { "none", "below", "right" };
static const char *const zpl_names[] = { "native", "graphic" };

static int
name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int
label_format_from_name(const char *name, enum label_format *out)
{
	int i = name_index(format_names, 4, name);

	if (i < 0)
		return -1;
	*out = (enum label_format)i;
	return 0;
}

const char *
label_format_ext(enum label_format f)
{
	return (unsigned)f < 4 ? format_names[f] : "bin";
}

int
label_hri_from_name(const char *name, enum label_hri *out)
{
	int i = name_index(hri_names, 3, name);

	if (i < 0)
		return -1;
	*out = (enum label_hri)i;
	return 0;
}

int
label_zpl_mode_from_name(const char *name, enum label_zpl_mode *out)
{
	int i = name_index(zpl_names, 2, name);

	if (i < 0)
		return -1;
	*out = (enum label_zpl_mode)i;
	return 0;
}

int
label_module_px(double mm, unsigned dpi, unsigned *px, struct diag *d)
{
	double v;

	if (dpi < LABEL_DPI_MIN || dpi > LABEL_DPI_MAX)
		return diag_input(d, "resolution %u dpi is not from %d to %d",
		    dpi, LABEL_DPI_MIN, LABEL_DPI_MAX);
	if (!(mm > 0.0) || mm > 100.0)
		return diag_input(d, "module size %g mm is not a positive size",
		    mm);
	v = floor(mm * dpi / 25.4 + 0.5);
	if (v < 1.0)
		v = 1.0;
	if (v > LABEL_MODULE_PX_MAX)
		return diag_input(d, "module size %g mm at %u dpi is %.0f "
		    "dots, more than %d", mm, dpi, v, LABEL_MODULE_PX_MAX);
	*px = (unsigned)v;
	return 0;
}

double
label_x_mm(unsigned px, unsigned dpi)
{
	return dpi == 0 ? 0.0 : px * 25.4 / dpi;
}

bool
label_x_in_range(double mm)
{
	/* Compare in micrometres, so 0.254 itself is inside. */
	long um = lround(mm * 1000.0);

	return um >= lround(LABEL_X_MIN_MM * 1000.0) &&
	    um <= lround(LABEL_X_MAX_MM * 1000.0);
}

int
label_new(struct label **out, const struct label_opts *o, struct diag *d)
{
	struct label *l;

	*out = NULL;
	if (o->module_px < 1 || o->module_px > LABEL_MODULE_PX_MAX)
		return diag_input(d, "module size %u dots is not from 1 to %d",
		    o->module_px, LABEL_MODULE_PX_MAX);
	if (o->dpi < LABEL_DPI_MIN || o->dpi > LABEL_DPI_MAX)
		return diag_input(d, "resolution %u dpi is not from %d to %d",
		    o->dpi, LABEL_DPI_MIN, LABEL_DPI_MAX);
	if (o->png_bits != 1 && o->png_bits != 8)
		return diag_input(d, "PNG depth %d is not 1 or 8", o->png_bits);
	if ((unsigned)o->format > LABEL_ZPL || (unsigned)o->hri >
	    LABEL_HRI_RIGHT || (unsigned)o->zpl_mode > LABEL_ZPL_GRAPHIC)
		return diag_input(d, "unknown label format or HRI placement");
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return diag_system(d, "cannot allocate a label");
	l->zs = ZBarcode_Create();
	if (l->zs == NULL) {
		free(l);
		return diag_system(d, "cannot allocate a zint symbol");
	}
	l->o = *o;
	*out = l;
	return 0;
}

void
label_free(struct label *l)
{
	if (l == NULL)
		return;
	ZBarcode_Delete(l->zs);
	image_free(&l->sym);
	image_free(&l->page);
	free(l);
}

/* Set every field zint reads; ZBarcode_Reset() is not in 2.11. */
static void
zint_setup(struct zint_symbol *zs, unsigned module_px)
{
	ZBarcode_Clear(zs);
	zs->symbology = BARCODE_DATAMATRIX;
	zs->input_mode = GS1_MODE;		/* "[01]..." with brackets */
	zs->option_1 = 0;
	zs->option_2 = 0;			/* automatic size ... */
	zs->option_3 = DM_SQUARE;		/* ... squares only, no DMRE */
	zs->output_options = BARCODE_QUIET_ZONES | OUT_BUFFER_INTERMEDIATE;
	zs->whitespace_width = 0;
	zs->whitespace_height = 0;
	zs->border_width = 0;
	zs->scale = (float)module_px / 2.0f;	/* 2 x scale px/module */
	zs->show_hrt = 0;
	zs->eci = 0;
	zs->warn_level = WARN_FAIL_ALL;
	zs->debug = 0;
}

static void
layout(struct label *l)
{
	struct label_layout *y = &l->lay;
	size_t maxlen = 0, fp, mpx = l->o.module_px;
	double v;

	memset(y, 0, sizeof(*y));
	y->sym_w = l->sym.w;
	y->sym_h = l->sym.h;
	y->w = y->sym_w;
	y->h = y->sym_h;
	/* Font pixels of about 0.2 mm: text 1.2-1.8 mm high (5-7 pt). */
	v = floor(l->o.dpi * 0.2 / 25.4 + 0.5);
	fp = v < 1.0 ? 1 : (size_t)v;
	y->font_px = fp;
	y->line_h = LABEL_CELL_H * fp;
	if (l->o.hri == LABEL_HRI_NONE || l->nhri == 0)
		return;
	for (size_t i = 0; i < l->nhri; i++)
		if (strlen(l->hri[i]) > maxlen)
			maxlen = strlen(l->hri[i]);
	if (l->o.hri == LABEL_HRI_BELOW) {
		/* Under the symbol, flush with its left edge. */
		y->text_x = mpx;
		y->text_y = y->sym_h + fp;
		y->w = y->text_x + maxlen * LABEL_CELL_W * fp + mpx;
		if (y->w < y->sym_w)
			y->w = y->sym_w;
		y->h = y->text_y + l->nhri * y->line_h + mpx;
	} else {
		/* Beside it, top aligned with the symbol proper. */
		y->text_x = y->sym_w + fp;
		y->text_y = mpx;
		y->w = y->text_x + maxlen * LABEL_CELL_W * fp + mpx;
		y->h = y->text_y + l->nhri * y->line_h + mpx;
		if (y->h < y->sym_h)
			y->h = y->sym_h;
	}
}

int
label_module_dark(const struct label *l, int row, int col)
{
	size_t p = l->o.module_px;
	size_t x = (size_t)(col + 1) * p + p / 2;
	size_t y = (size_t)(row + 1) * p + p / 2;

	return l->sym.px[y * l->sym.stride + x] < 128;
}

int
label_encode_raw(struct label *l, const char *bracketed, const char *gs,
    size_t gs_len, const char hri[][LABEL_HRI_LINE_MAX], size_t nhri,
    struct diag *d)
{
	struct zint_symbol *zs = l->zs;
	size_t blen = strlen(bracketed), n;
	int rc;

	l->encoded = false;
	l->page_ok = false;
	if (blen >= sizeof(l->bracketed) || gs_len >= sizeof(l->gs))
		return diag_input(d, "element string longer than %zu bytes",
		    sizeof(l->gs) - 1);
	if (nhri > LABEL_HRI_LINES)
		return diag_input(d, "more than %d HRI lines", LABEL_HRI_LINES);
	zint_setup(zs, l->o.module_px);
	rc = ZBarcode_Encode_and_Buffer(zs, (const unsigned char *)bracketed,
	    (int)blen, 0);
	if (rc != 0) {
		if (rc == ZINT_ERROR_MEMORY)
			return diag_system(d, "zint: %s", zs->errtxt);
		/* errtxt reads "Error 522: Input too long ...": keep it. */
		return diag_input(d, "zint refuses the data: %s", zs->errtxt);
	}
	if (zs->bitmap == NULL || zs->bitmap_width <= 0 ||
	    zs->bitmap_height <= 0 || zs->rows <= 0 || zs->width <= 0)
		return diag_system(d, "zint made no bitmap");
	/* Invariant: whole modules and a 1X quiet zone on every side. */
	if ((size_t)zs->bitmap_width != (size_t)(zs->width + 2) *
	    l->o.module_px || (size_t)zs->bitmap_height !=
	    (size_t)(zs->rows + 2) * l->o.module_px)
		return diag_system(d, "zint bitmap %dx%d is not %dx%d modules "
		    "of %u px", zs->bitmap_width, zs->bitmap_height,
		    zs->width + 2, zs->rows + 2, l->o.module_px);
	if (l->sym.w != (size_t)zs->bitmap_width ||
	    l->sym.h != (size_t)zs->bitmap_height) {
		image_free(&l->sym);
		if (image_alloc(&l->sym, (size_t)zs->bitmap_width,
		    (size_t)zs->bitmap_height, 255, d) != 0)
			return -1;
	}
	n = (size_t)zs->bitmap_width * (size_t)zs->bitmap_height;
	for (size_t i = 0; i < n; i++)
		l->sym.px[i] = zs->bitmap[i] == '1' ? 0 : 255;
	l->rows = zs->rows;
	l->cols = zs->width;
	memcpy(l->bracketed, bracketed, blen + 1);
	memcpy(l->gs, gs, gs_len);
	l->gs[gs_len] = '\0';
	l->gs_len = gs_len;
	l->nhri = nhri;
	for (size_t i = 0; i < nhri; i++)
		snprintf(l->hri[i], sizeof(l->hri[i]), "%s", hri[i]);
	layout(l);
	l->encoded = true;
	return 0;
}

void
label_info(const struct label *l, struct label_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!l->encoded)
		return;
	out->format = l->o.format;
	out->rows = l->rows;
	out->cols = l->cols;
	out->sym_w = l->lay.sym_w;
	out->sym_h = l->lay.sym_h;
	out->w = l->lay.w;
	out->h = l->lay.h;
	out->bracketed = l->bracketed;
	out->gs = l->gs;
	out->gs_len = l->gs_len;
	out->nhri = l->o.hri == LABEL_HRI_NONE ? 0 : l->nhri;
	out->hri = (const char (*)[LABEL_HRI_LINE_MAX])l->hri;
}

const struct image *
label_symbol_bitmap(const struct label *l, struct image_dm_geometry *g)
{
	if (!l->encoded)
		return NULL;
	if (g != NULL) {
		g->x0 = l->o.module_px;
		g->y0 = l->o.module_px;
		g->module_px = l->o.module_px;
		g->rows = l->rows;
		g->cols = l->cols;
	}
	return &l->sym;
}

static void
draw_text(struct image *im, size_t x0, size_t y0, size_t fp, const char *s)
{
	for (size_t i = 0; s[i] != '\0'; i++) {
		size_t cx = x0 + i * LABEL_CELL_W * fp;

		for (int r = 0; r < LABEL_FONT_H; r++) {
			unsigned bits = label_font_row((unsigned char)s[i], r);

			for (int c = 0; c < LABEL_FONT_W; c++) {
				if (!(bits & (0x10u >> c)))
					continue;
				for (size_t dy = 0; dy < fp; dy++) {
					unsigned char *p = im->px + (y0 +
					    (size_t)r * fp + dy) * im->stride +
					    cx + (size_t)c * fp;

					memset(p, 0, fp);
				}
			}
		}
	}
}

/* The whole PNG label: zint's bitmap at (0, 0), the HRI drawn beside it. */
static int
make_page(struct label *l, struct diag *d)
{
	const struct label_layout *y = &l->lay;

	if (l->page_ok)
		return 0;
	image_free(&l->page);
	if (image_alloc(&l->page, y->w, y->h, 255, d) != 0)
		return -1;
	for (size_t r = 0; r < l->sym.h; r++)
		memcpy(l->page.px + r * l->page.stride,
		    l->sym.px + r * l->sym.stride, l->sym.w);
	if (l->o.hri != LABEL_HRI_NONE)
		for (size_t i = 0; i < l->nhri; i++)
			draw_text(&l->page, y->text_x, y->text_y +
			    i * y->line_h, y->font_px, l->hri[i]);
	l->page_ok = true;
	return 0;
}

int
label_write(struct label *l, FILE *f, struct diag *d)
{
	struct image_png_opts po = IMAGE_PNG_OPTS_INIT;
	int rc;

	if (!l->encoded)
		return diag_input(d, "no label encoded");
	switch (l->o.format) {
	case LABEL_PNG:
		if (make_page(l, d) != 0)
			return -1;
		po.bits = l->o.png_bits;
		po.dpi = l->o.dpi;
		return image_png_write_opts(f, &l->page, &po, d);
	case LABEL_SVG:
		rc = label_write_svg(l, f);
		break;
	case LABEL_EPS:
		rc = label_write_eps(l, f);
		break;
	case LABEL_ZPL:
	default:
		rc = label_write_zpl(l, f);
		break;
	}
	if (rc != 0 || ferror(f))
		return diag_system(d, "write error");
	return 0;
}

int
label_path(char *buf, size_t cap, const char *dir, const char *name)
{
	size_t n = strlen(dir);

	/* "labels/" and "labels" name the same directory: one slash. */
	return snprintf(buf, cap, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ?
	    "" : "/", name);
}

int
label_write_file(struct label *l, const char *dir, const char *name,
    struct diag *d)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;
	int fd, n, m;

	n = label_path(path, sizeof(path), dir, name);
	m = snprintf(tmp, sizeof(tmp), "%s%s.%s.XXXXXX", dir,
	    dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	if (n < 0 || (size_t)n >= sizeof(path) || m < 0 ||
	    (size_t)m >= sizeof(tmp)) {
		diag_input(d, "path too long");
		diag_at(d, dir, 0);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			diag_input(d, "no such directory");
		else
			diag_system(d, "cannot create temporary file");
		diag_at(d, errno == ENOENT || errno == ENOTDIR ? dir : path, 0);
		return -1;
	}
	/*
	 * mkstemp makes 0600; a label is no secret, and a print spooler may
	 * run as another user.  (Reading the umask would mean setting it:
	 * process-wide state, not for a library.)
	 */
	(void)fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		diag_system(d, "cannot open temporary file");
		diag_at(d, path, 0);
		return -1;
	}
	if (label_write(l, f, d) != 0) {
		fclose(f);
		unlink(tmp);
		diag_at(d, path, 0);
		return -1;
	}
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		diag_system(d, "write error");
		fclose(f);
		unlink(tmp);
		diag_at(d, path, 0);
		return -1;
	}
	if (fclose(f) != 0) {
		diag_system(d, "write error");
		unlink(tmp);
		diag_at(d, path, 0);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		diag_system(d, "cannot rename temporary file");
		unlink(tmp);
		diag_at(d, path, 0);
		return -1;
	}
	return 0;
}

int
label_sync_dir(const char *dir, struct diag *d)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd == -1 || fsync(fd) != 0) {
		diag_system(d, "cannot sync directory");
		diag_at(d, dir, 0);
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Show bytes of a payload in a message: printable as is, others as <XX>. */
static void
show_bytes(char *buf, size_t cap, const unsigned char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			buf[o++] = (char)s[i];
		else
			o += (size_t)snprintf(buf + o, cap - o, "<%02X>", s[i]);
	}
	buf[o < cap ? o : cap - 1] = '\0';
}

int
label_check(struct label *l, struct diag *d)
{
	struct image_dm_geometry g;
	struct image_dm_result *r;
	char got[200];
	size_t i;
	int rc = 0;

	if (!l->encoded)
		return diag_input(d, "no label encoded");
	r = malloc(sizeof(*r));
	if (r == NULL)
		return diag_system(d, "cannot allocate a decode result");
	label_symbol_bitmap(l, &g);
	if (image_dm_decode_known(&l->sym, &g, r, d) != 0) {
		free(r);
		return -1;
	}
	if (r->status != IMAGE_DM_OK) {
		rc = diag_verify(d, "rendered %dx%d symbol does not decode "
		    "(%s)", l->rows, l->cols, image_dm_status_name(r->status));
	} else if (r->rows != l->rows || r->cols != l->cols) {
		rc = diag_verify(d, "decoded symbol is %dx%d, rendered %dx%d",
		    r->rows, r->cols, l->rows, l->cols);
	} else if (!r->gs1) {
		rc = diag_verify(d, "decoded %dx%d symbol has no FNC1 in first "
		    "position: not GS1", r->rows, r->cols);
	} else if (r->len != l->gs_len ||
	    memcmp(r->data, l->gs, l->gs_len) != 0) {
		for (i = 0; i < r->len && i < l->gs_len; i++)
			if (r->data[i] != (unsigned char)l->gs[i])
				break;
		show_bytes(got, sizeof(got), r->data, r->len);
		rc = diag_verify(d, "decoded %dx%d symbol differs at byte %zu: "
		    "'%s'", r->rows, r->cols, i, got);
	}
	free(r);
	return rc;
}

void
label_zint_version(char *buf, size_t len)
{
	int v = ZBarcode_Version();

	/* 21101 is 2.11.1; a trailing fourth digit marks a dev build. */
	snprintf(buf, len, "zint %d.%d.%d", v / 10000, v / 100 % 100, v % 100);
}
