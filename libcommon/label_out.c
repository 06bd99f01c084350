/*
 * label_out: the vector and printer formats of a label (see label.h):
 * SVG 1.1, EPS (EPSF 3.0, PostScript level 2) and ZPL II.
 *
 * All three are drawn in device pixels (dots) from the modules of zint's
 * bitmap, so every format shows the same symbol: a dark module is the
 * pixel at its centre.  Runs of dark modules in a row become one
 * rectangle.  The bytes depend only on the label (no dates, no names), so
 * golden files are stable.
 *
 * ZPL II (ZPL II Programming Guide, ^BX "Data Matrix", quality 200):
 * native mode sends the data to the printer's encoder as
 * ^BXN,h,200,c,r,,_ with '_' declared as the escape character, the
 * leading FNC1 and each separator written "_1", a literal '_' as "__",
 * and the symbol size fixed to zint's (c columns, r rows).  Graphic mode
 * sends zint's bitmap as ^GFA (one bit a dot, 1 = black, rows padded to
 * whole bytes).  Field data that would clash with ZPL's command
 * characters ('^', '~') or the ^FH indicator ('\') goes hex-escaped
 * under ^FH.  Text is ^A0 (the scalable font) in ^FD fields.
 */
#include <stdio.h>
#include <string.h>

#include "label.h"
#include "label_int.h"

static const char hexdig[] = "0123456789ABCDEF";

/* Millimetres of `px` dots, as a fixed decimal (no locale, no %g). */
static void
put_mm(FILE *f, size_t px, unsigned dpi)
{
	unsigned long um = (unsigned long)((px * 25400UL + dpi / 2) / dpi);

	fprintf(f, "%lu.%03lu", um / 1000, um % 1000);
}

/* Points (1/72 in) of `px` dots, three decimals. */
static void
put_pt(FILE *f, size_t px, unsigned dpi)
{
	unsigned long mpt = (unsigned long)((px * 72000UL + dpi / 2) / dpi);

	fprintf(f, "%lu.%03lu", mpt / 1000, mpt % 1000);
}

static void
svg_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fprintf(f, "&#x%X;", (unsigned char)*s);
			else
				fputc(*s, f);
		}
	}
}

/*
 * Call `emit` for each horizontal run of dark modules: x, y, width in
 * dots (the symbol's quiet zone counted, so module (0, 0) is at p, p).
 */
typedef void (*run_fn)(FILE *, const struct label *, size_t, size_t, size_t);

static void
module_runs(FILE *f, const struct label *l, run_fn emit)
{
	size_t p = l->o.module_px;

	for (int r = 0; r < l->rows; r++) {
		int c = 0;

		while (c < l->cols) {
			int s;

			if (!label_module_dark(l, r, c)) {
				c++;
				continue;
			}
			s = c;
			while (c < l->cols && label_module_dark(l, r, c))
				c++;
			emit(f, l, (size_t)(s + 1) * p, (size_t)(r + 1) * p,
			    (size_t)(c - s) * p);
		}
	}
}

static void
svg_run(FILE *f, const struct label *l, size_t x, size_t y, size_t w)
{
	fprintf(f, "M%zu %zuh%zuv%uh-%zuz", x, y, w, l->o.module_px, w);
}

static bool
hri_shown(const struct label *l)
{
	return l->o.hri != LABEL_HRI_NONE && l->nhri > 0;
}

int
label_write_svg(const struct label *l, FILE *f)
{
	const struct label_layout *y = &l->lay;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"", f);
	put_mm(f, y->w, l->o.dpi);
	fputs("mm\" height=\"", f);
	put_mm(f, y->h, l->o.dpi);
	fprintf(f, "mm\" viewBox=\"0 0 %zu %zu\">\n", y->w, y->h);
	fputs("<desc>GS1 DataMatrix ", f);
	fprintf(f, "%dx%d: ", l->rows, l->cols);
	svg_text(f, l->bracketed);
	fputs("</desc>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%zu\" height=\"%zu\" "
	    "fill=\"#FFFFFF\"/>\n", y->w, y->h);
	fputs("<path fill=\"#000000\" shape-rendering=\"crispEdges\" d=\"", f);
	module_runs(f, l, svg_run);
	fputs("\"/>\n", f);
	if (hri_shown(l)) {
		size_t fp = y->font_px;

		for (size_t i = 0; i < l->nhri; i++) {
			fprintf(f, "<text x=\"%zu\" y=\"%zu\" font-family="
			    "\"monospace\" font-size=\"%zu\" "
			    "textLength=\"%zu\">",
			    y->text_x, y->text_y + i * y->line_h +
			    LABEL_FONT_H * fp, 10 * fp,
			    strlen(l->hri[i]) * LABEL_CELL_W * fp);
			svg_text(f, l->hri[i]);
			fputs("</text>\n", f);
		}
	}
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}

static void
eps_run(FILE *f, const struct label *l, size_t x, size_t y, size_t w)
{
	/* PostScript's y grows upwards: flip. */
	fprintf(f, "%zu %zu %zu %u R\n", x, l->lay.h - y - l->o.module_px, w,
	    l->o.module_px);
}

static void
eps_string(FILE *f, const char *s)
{
	fputc('(', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '(' || c == ')' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
	fputc(')', f);
}

int
label_write_eps(const struct label *l, FILE *f)
{
	const struct label_layout *y = &l->lay;
	unsigned dpi = l->o.dpi;
	size_t wpt = (y->w * 72 + dpi - 1) / dpi, hpt = (y->h * 72 + dpi - 1) /
	    dpi;

	fputs("%!PS-Adobe-3.0 EPSF-3.0\n", f);
	fputs("%%Creator: dscsa-label\n", f);
	fprintf(f, "%%%%Title: GS1 DataMatrix %dx%d\n", l->rows, l->cols);
	fprintf(f, "%%%%BoundingBox: 0 0 %zu %zu\n", wpt, hpt);
	fputs("%%HiResBoundingBox: 0 0 ", f);
	put_pt(f, y->w, dpi);
	fputc(' ', f);
	put_pt(f, y->h, dpi);
	fputs("\n%%LanguageLevel: 2\n", f);
	fputs("%%EndComments\n", f);
	fputs("% data: ", f);
	/* A comment line: control bytes cannot occur (zint checked). */
	fputs(l->bracketed, f);
	fputs("\ngsave\n", f);
	fprintf(f, "72 %u div dup scale\n", dpi);
	fputs("/R { rectfill } bind def\n", f);
	fprintf(f, "1 setgray 0 0 %zu %zu rectfill\n0 setgray\n", y->w, y->h);
	module_runs(f, l, eps_run);
	if (hri_shown(l)) {
		size_t fp = y->font_px;

		fprintf(f, "/Courier findfont %zu scalefont setfont\n",
		    10 * fp);
		for (size_t i = 0; i < l->nhri; i++) {
			fprintf(f, "%zu %zu moveto ", y->text_x, y->h -
			    (y->text_y + i * y->line_h + LABEL_FONT_H * fp));
			eps_string(f, l->hri[i]);
			fputs(" show\n", f);
		}
	}
	fputs("grestore\nshowpage\n%%EOF\n", f);
	return ferror(f) ? -1 : 0;
}

/* Does a ZPL field need ^FH?  (command characters, the indicator, controls) */
static bool
zpl_needs_fh(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '^' || c == '~' || c == '\\' || c < 0x20 || c >= 0x7f)
			if (c != 0x1d)
				return true;
	}
	return false;
}

static void
zpl_byte(FILE *f, unsigned char c, bool fh)
{
	if (fh && (c == '^' || c == '~' || c == '\\' || c < 0x20 || c >= 0x7f))
		fprintf(f, "\\%c%c", hexdig[c >> 4], hexdig[c & 15]);
	else
		fputc(c, f);
}

static void
zpl_text(FILE *f, const char *s)
{
	bool fh = zpl_needs_fh(s, strlen(s));

	fputs(fh ? "^FH\\^FD" : "^FD", f);
	for (; *s != '\0'; s++)
		zpl_byte(f, (unsigned char)*s, fh);
	fputs("^FS\n", f);
}

/* The GS1 raw message as ^BX quality 200 data: "_1" for each FNC1. */
static void
zpl_dm_data(FILE *f, const struct label *l)
{
	bool fh = zpl_needs_fh(l->gs, l->gs_len);

	fputs(fh ? "^FH\\^FD_1" : "^FD_1", f);
	for (size_t i = 0; i < l->gs_len; i++) {
		unsigned char c = (unsigned char)l->gs[i];

		if (c == 0x1d)
			fputs("_1", f);
		else if (c == '_')
			fputs("__", f);
		else
			zpl_byte(f, c, fh);
	}
	fputs("^FS\n", f);
}

static void
zpl_graphic(FILE *f, const struct label *l)
{
	const struct image *im = &l->sym;
	size_t bpr = (im->w + 7) / 8, total = bpr * im->h;

	fprintf(f, "^FO0,0^GFA,%zu,%zu,%zu,", total, total, bpr);
	for (size_t y = 0; y < im->h; y++) {
		const unsigned char *row = im->px + y * im->stride;

		for (size_t b = 0; b < bpr; b++) {
			unsigned v = 0;

			for (size_t k = 0; k < 8; k++) {
				size_t x = b * 8 + k;

				if (x < im->w && row[x] < 128)
					v |= 0x80u >> k;
			}
			fputc(hexdig[v >> 4], f);
			fputc(hexdig[v & 15], f);
		}
	}
	fputs("^FS\n", f);
}

int
label_write_zpl(const struct label *l, FILE *f)
{
	const struct label_layout *y = &l->lay;
	unsigned p = l->o.module_px;

	fputs("^XA\n", f);
	fprintf(f, "^PW%zu\n^LL%zu\n^LH0,0\n", y->w, y->h);
	if (l->o.zpl_mode == LABEL_ZPL_GRAPHIC)
		zpl_graphic(f, l);
	else {
		/* ^FO is the symbol proper: the quiet zone is blank label. */
		fprintf(f, "^FO%u,%u^BXN,%u,200,%d,%d,,_\n", p, p, p, l->cols,
		    l->rows);
		zpl_dm_data(f, l);
	}
	if (hri_shown(l)) {
		size_t fp = y->font_px;

		for (size_t i = 0; i < l->nhri; i++) {
			fprintf(f, "^FO%zu,%zu^A0N,%zu,%zu", y->text_x,
			    y->text_y + i * y->line_h, 8 * fp, 7 * fp);
			zpl_text(f, l->hri[i]);
		}
	}
	fputs("^XZ\n", f);
	return ferror(f) ? -1 : 0;
}
