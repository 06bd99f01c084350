/*
 * label: GS1 DataMatrix labels for DSCSA items, rendered by zint and
 * written as PNG, SVG, EPS or ZPL II, with the human-readable DSCSA block
 * (GTIN or NDC, SN, LOT, EXP), and the in-line read-back check.
 *
 * This is the only module that includes <zint.h> (STYLE.md 1), so zint's
 * quirks are handled here once: GS1 mode with square brackets, square
 * symbols only (DM_SQUARE: pharma practice, and libdmtx reads no DMRE),
 * the 1X quiet zone always on (zint adds none by default), warnings
 * treated as errors (zint 2.11 still makes a symbol for a bad check digit),
 * never FAST_MODE (misencodes in 2.11), whole pixels per module.
 *
 * One symbol, many outputs: the raster zint makes (ZBarcode_Buffer, the
 * quiet zone included) is the one truth.  PNG is that bitmap (plus the HRI
 * text, drawn with an embedded 5x7 font); SVG, EPS and ZPL --zpl-mode
 * graphic are drawn from the same modules; ZPL native hands the data to
 * the printer's ^BX encoder with the same symbol size.
 *
 * Rules: GS1 General Specifications (GenSpecs) 5.6 (GS1 DataMatrix:
 * FNC1 first, FNC1 after variable-length AIs, squares, quiet zone 1X),
 * 5.12.3 (X-dimension for regulated healthcare: 0.254 mm min, 0.380
 * target, 0.495 max), 4.15 (HRI); ISO/IEC 16022 (Data Matrix ECC 200);
 * ZPL II Programming Guide (^BX quality 200 with escape character '_',
 * "_1" = FNC1; ^GFA; ^A0).
 *
 * Thread-safety: a struct label belongs to one thread; distinct labels may
 * be used in parallel.
 */
#ifndef DSCSA_LABEL_H
#define DSCSA_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "gs1.h"
#include "image.h"

enum label_format {
	LABEL_PNG,
	LABEL_SVG,
	LABEL_EPS,
	LABEL_ZPL,
};

enum label_hri {
	LABEL_HRI_NONE,		/* the symbol alone */
	LABEL_HRI_BELOW,	/* the DSCSA block under the symbol */
	LABEL_HRI_RIGHT,	/* beside it */
};

enum label_zpl_mode {
	LABEL_ZPL_NATIVE,	/* ^BX: the printer encodes */
	LABEL_ZPL_GRAPHIC,	/* ^GFA: zint's exact bitmap */
};

/* "png", "svg", "eps", "zpl"; the file name extension too. */
int	label_format_from_name(const char *name, enum label_format *out);
const char *label_format_ext(enum label_format f);
/* "none", "below", "right" */
int	label_hri_from_name(const char *name, enum label_hri *out);
/* "native", "graphic" */
int	label_zpl_mode_from_name(const char *name, enum label_zpl_mode *out);

#define LABEL_MODULE_PX_MAX	64	/* pixels (dots) per module */
#define LABEL_DPI_MIN		72
#define LABEL_DPI_MAX		4800
#define LABEL_DEFAULT_DPI	300
/* X-dimension range for regulated healthcare (GenSpecs 5.12, SST 1). */
#define LABEL_X_MIN_MM		0.254
#define LABEL_X_TARGET_MM	0.380
#define LABEL_X_MAX_MM		0.495

struct label_opts {
	enum label_format	format;
	unsigned		module_px;	/* 1..LABEL_MODULE_PX_MAX */
	unsigned		dpi;		/* device dots per inch */
	enum label_hri		hri;
	bool			ndc;		/* HRI: NDC, not GTIN */
	enum label_zpl_mode	zpl_mode;
	int			png_bits;	/* 1 or 8 */
	struct gs1_date		today;		/* century of (17) */
};
#define LABEL_OPTS_INIT { LABEL_PNG, 4, LABEL_DEFAULT_DPI, LABEL_HRI_NONE, \
	false, LABEL_ZPL_NATIVE, 8, { 2000, 1, 1 } }

/*
 * Whole pixels per module for a wanted X-dimension: round(mm * dpi / 25.4),
 * at least 1.  Errors: DIAG_INPUT if mm is not positive or the result
 * exceeds LABEL_MODULE_PX_MAX, or dpi is out of range.
 */
int	label_module_px(double mm, unsigned dpi, unsigned *px,
	    struct diag *d);

/* The real X-dimension in mm of `px` dots at `dpi`. */
double	label_x_mm(unsigned px, unsigned dpi);

/* Is an X-dimension inside the GS1 healthcare range (GenSpecs 5.12.3)? */
bool	label_x_in_range(double mm);

/*
 * The HRI block: at most LABEL_HRI_LINES lines of at most
 * LABEL_HRI_LINE_MAX - 1 bytes, in DSCSA order.
 */
#define LABEL_HRI_LINES		4
#define LABEL_HRI_LINE_MAX	48

/* Opaque: a reusable zint symbol and what was rendered from it. */
struct label;

/*
 * Make a label renderer for `o` (copied).  Ownership: *out is the
 * caller's, freed with label_free().  Errors: DIAG_INPUT for options out
 * of range; DIAG_SYSTEM if out of memory.
 */
int	label_new(struct label **out, const struct label_opts *o,
	    struct diag *d);
void	label_free(struct label *l);

/*
 * Encode one message: the element string in compact order (predefined-
 * length AIs first, GenSpecs 7.8.4, saving separators) and bracketed
 * syntax, handed to zint in GS1 mode; the HRI lines come from the parsed
 * elements (01) or its NDC, (21), (10) and (17) as YYYY-MM-DD (YYYY-MM for
 * day 00).  Replaces whatever the label held.
 * Ownership: `m` is borrowed for the call.
 * Errors: DIAG_INPUT if zint refuses the data (its message is quoted),
 * if it does not fit a 144x144 symbol, or if --ndc is asked for a GTIN
 * that carries no NDC; DIAG_SYSTEM if out of memory.
 */
int	label_encode(struct label *l, const struct gs1_msg *m,
	    struct diag *d);

/*
 * The same from a bracketed element string (passed to zint as it is, so
 * give it in the order wanted) and ready HRI lines (`hri` may be NULL when
 * nhri is 0).  The encoded bytes a decoder must give back are `gs` (the
 * GS1 raw message: no leading FNC1, GS after variable-length AIs).
 * For tests and callers without a gs1_msg.
 */
int	label_encode_raw(struct label *l, const char *bracketed,
	    const char *gs, size_t gs_len,
	    const char hri[][LABEL_HRI_LINE_MAX], size_t nhri, struct diag *d);

/* Facts about the symbol last encoded (borrowed until the next encode). */
struct label_info {
	enum label_format format;	/* of the label */
	int		 rows, cols;	/* symbol size in modules */
	size_t		 sym_w, sym_h;	/* symbol + quiet zone, dots */
	size_t		 w, h;		/* whole label (HRI too), dots */
	const char	*bracketed;	/* what zint was given */
	const char	*gs;		/* what a decoder must return */
	size_t		 gs_len;
	size_t		 nhri;
	const char	(*hri)[LABEL_HRI_LINE_MAX];
};
void	label_info(const struct label *l, struct label_info *out);

/*
 * The symbol's bitmap as zint rendered it, quiet zone included (0 black,
 * 255 white), and where the symbol proper sits in it.  Borrowed until the
 * next encode.
 */
const struct image *label_symbol_bitmap(const struct label *l,
	    struct image_dm_geometry *g);

/*
 * Write the last encoded label to `f` in the label's format.  PNG and
 * ZPL graphic carry the exact zint bitmap; every format carries the HRI
 * block asked for.  Errors: DIAG_SYSTEM on a write error (the caller
 * names the file); DIAG_INPUT if nothing was encoded.
 */
int	label_write(struct label *l, FILE *f, struct diag *d);

/*
 * Write the last encoded label to `dir`/`name` atomically: a temporary
 * file in `dir` (mkstemp), written, flushed, fsync(2)ed, renamed over the
 * target, mode 0644; on failure it is removed and the target left
 * untouched.  The
 * diag names the target path.  Errors: as label_write(), DIAG_SYSTEM for
 * file system failures (DIAG_INPUT if `dir` does not exist).
 */
int	label_write_file(struct label *l, const char *dir, const char *name,
	    struct diag *d);

/* fsync(2) a directory, so renamed files survive a power loss. */
int	label_sync_dir(const char *dir, struct diag *d);

/*
 * The in-line check: decode the bitmap just rendered (in memory, with the
 * known geometry, image_dm_decode_known()) and compare with what was
 * encoded: the data must be GS1 (FNC1 first), the bytes identical and the
 * symbol size the one zint chose.  Returns 0 when it matches; -1 with
 * DIAG_VERIFY and the mismatch in the message ("decoded 24x24 symbol
 * differs at byte 17: ...") when it does not; other kinds for errors.
 * This proves the data and size rendered are the data intended, nothing
 * about print quality (that needs an ISO/IEC 15415 verifier).
 */
int	label_check(struct label *l, struct diag *d);

/*
 * File names for labels: one per item, made from its serial, safe on any
 * file system and never the same twice in one run.
 *
 * The base is the serial (21), or the SSCC (00) for a container, with
 * every byte outside [A-Za-z0-9_-] written as %XX (upper-case hex): CSET
 * 82 has '/', '"', '*', ':', '<', '>', '?' and '.', none of which then
 * reaches the file system, and names are never "." , ".." or hidden.
 * Windows device names (CON, NUL, COM1 ...) get their first letter
 * escaped.  Names are compared case-folded, so "ab" and "AB" do not
 * collide on a case-insensitive file system: a repeat gets "~2", "~3" ...
 * ('~' never comes out of the escaping).  Then "." and the extension.
 */
struct label_names;		/* opaque: the names handed out so far */

int	label_names_new(struct label_names **out, struct diag *d);
void	label_names_free(struct label_names *n);

#define LABEL_NAME_MAX	128

/*
 * The next file name for `m`, into buf (LABEL_NAME_MAX bytes).
 * Errors: DIAG_INPUT if the item has neither (21) nor (00); DIAG_SYSTEM if
 * out of memory.
 */
int	label_names_next(struct label_names *n, const struct gs1_msg *m,
	    enum label_format f, char buf[LABEL_NAME_MAX], struct diag *d);

/* The same from the serial itself (for tests and other callers). */
int	label_names_next_raw(struct label_names *n, const char *serial,
	    size_t len, enum label_format f, char buf[LABEL_NAME_MAX],
	    struct diag *d);

/*
 * The per-item driver of dscsa-label: read item lines, and for each one
 * validate it (GS1 pairing rules), encode it, check it (if asked), and
 * write its file, reporting every item through `report`.  A bad item
 * writes no file and the run goes on (STYLE.md 3, per-item tools).
 */
struct label_batch_opts {
	const char	*outdir;	/* NULL: the single label to `out` */
	FILE		*out;		/* for outdir NULL (stdout) */
	bool		 check;		/* label_check() each label */
	struct gs1_date	 today;		/* for gs1_validate() */
};

/* One item's outcome, borrowed for the duration of the callback. */
struct label_report {
	const struct diag	*d;	/* NULL if the item went well */
	const char		*path;	/* the file written, or NULL */
	const struct label_info	*info;	/* NULL: nothing encoded */
	bool			 checked;
};
typedef void (*label_report_fn)(void *arg, const struct label_report *rep);

struct label_batch_stats {
	unsigned long	ok;		/* labels written */
	unsigned long	failed;		/* bad items (DIAG_INPUT) */
	unsigned long	suspect;	/* check failed (DIAG_VERIFY) */
	unsigned long	pending;	/* outdir NULL: a label is held */
};

/*
 * Run over the items of `in` (named `name`), using `l` and the names in
 * `n` (both borrowed; `n` may be NULL when outdir is NULL).  With outdir
 * NULL only one label may result: it is held until label_batch_finish(),
 * and a second item is an error for that item, so stdout gets either the
 * one label or nothing.  Stats accumulate over calls.
 * Returns 0, or -1 for an error that stops the run (read or write
 * failure: DIAG_SYSTEM; a missing output directory: DIAG_INPUT), with `d`
 * filled.
 */
int	label_batch_stream(struct label *l, struct label_names *n, FILE *in,
	    const char *name, const struct label_batch_opts *o,
	    label_report_fn report, void *arg, struct label_batch_stats *st,
	    struct diag *d);

/*
 * End of the run: with outdir NULL write the held label to o->out (only if
 * no item failed: all or nothing), else fsync(2) the output directory.
 * Errors: DIAG_SYSTEM.
 */
int	label_batch_finish(struct label *l, const struct label_batch_opts *o,
	    struct label_batch_stats *st, struct diag *d);

/* "zint 2.11.1" (the library linked at run time). */
void	label_zint_version(char *buf, size_t len);

#endif /* DSCSA_LABEL_H */
