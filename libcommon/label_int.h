/*
 * label_int: what the label_*.c files share; never included by tools.
 */
#ifndef DSCSA_LABEL_INT_H
#define DSCSA_LABEL_INT_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "image.h"
#include "label.h"

/*
 * The embedded HRI font: 5x7 glyphs in a 6x9 cell (one column and two
 * rows of spacing), printable ASCII.  Row r of glyph c is
 * label_font_row(c, r), bit 4 the leftmost pixel.  Characters outside
 * 0x20..0x7e draw as a box.
 */
#define LABEL_FONT_W	5
#define LABEL_FONT_H	7
#define LABEL_CELL_W	6
#define LABEL_CELL_H	9
unsigned	label_font_row(unsigned char c, int r);

/*
 * Layout of one label, in device pixels (dots), origin top left: the
 * symbol block (quiet zone included) at (0, 0), and the HRI lines, each at
 * (text_x, text_y + i * line_h), glyphs drawn `font_px` pixels per font
 * pixel.
 */
struct label_layout {
	size_t	w, h;
	size_t	sym_w, sym_h;
	size_t	text_x, text_y;
	size_t	line_h;
	size_t	font_px;
};

struct label {
	struct label_opts	 o;
	struct zint_symbol	*zs;
	struct image		 sym;	/* zint's bitmap, quiet zone too */
	struct image		 page;	/* whole PNG label, HRI drawn */
	bool			 page_ok;
	bool			 encoded;
	int			 rows, cols;
	struct label_layout	 lay;
	char			 bracketed[GS1_RENDER_MAX];
	char			 gs[GS1_RENDER_MAX];
	size_t			 gs_len;
	size_t			 nhri;
	char			 hri[LABEL_HRI_LINES][LABEL_HRI_LINE_MAX];
};

/* Is module (row, col) of the symbol dark?  From zint's bitmap. */
int	label_module_dark(const struct label *l, int row, int col);

/* dir + "/" + name (no doubled slash) into buf; snprintf's return. */
int	label_path(char *buf, size_t cap, const char *dir, const char *name);

/* The vector and printer formats (label_out.c). */
int	label_write_svg(const struct label *l, FILE *f);
int	label_write_eps(const struct label *l, FILE *f);
int	label_write_zpl(const struct label *l, FILE *f);

#endif /* DSCSA_LABEL_INT_H */
