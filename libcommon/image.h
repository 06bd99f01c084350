/*
 * image: 8-bit grey images, PNG in and out (libpng), and DataMatrix
 * decoding (libdmtx), for labels we rendered ourselves and for images from
 * the field (scanner captures, phone photos, camera frames).
 *
 * This is the only module that includes <png.h> and <dmtx.h> (STYLE.md 1):
 * libdmtx's quirks are handled here once.  FNC1 is decoded with
 * DmtxPropFnc1 set, so GS1 data is never mangled (DESIGN.md 4); the
 * decoder's bottom-origin coordinates and its live assert()s stay inside.
 *
 * Two decode paths share one result type and one FNC1/GS1 conversion:
 *
 *   image_dm_decode_known()   the fast path for a bitmap we just rendered
 *                             (dscsa-label --check): the symbol's position,
 *                             size and module pitch are known, so the module
 *                             grid is sampled directly, no search.
 *   image_dm_decode()         the field cascade: many libdmtx passes and
 *                             image preprocessings under one deadline,
 *                             isolated in a forked child with CPU and
 *                             memory limits, accepting only valid GS1.
 *
 * Symbol data: ISO/IEC 16022:2006 (Data Matrix ECC 200), GS1 General
 * Specifications section 5.6 (GS1 DataMatrix: FNC1 in first position,
 * FNC1 as separator after variable-length AIs), AIM symbology identifier
 * "]d2" for GS1 DataMatrix (ISO/IEC 15424).
 *
 * Thread-safety: all functions are reentrant; an image belongs to one
 * thread while it is written.  image_dm_decode() forks: call it from a
 * single-threaded process (or with isolate off).
 */
#ifndef DSCSA_IMAGE_H
#define DSCSA_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/*
 * An 8-bit grey image, rows top to bottom, 0 = black, 255 = white.  Pixel
 * (x, y) is px[y * stride + x]; stride >= w.  Images made by this module
 * own `px` (malloc'd), freed with image_free().
 */
struct image {
	unsigned char	*px;
	size_t		 w, h, stride;
};

/* Free the pixels and zero the struct; NULL-safe, never fails. */
void	image_free(struct image *im);

/*
 * Make a w x h image filled with `fill` (stride = w).  Errors: DIAG_INPUT
 * if w or h is 0 or w * h overflows; DIAG_SYSTEM if out of memory.
 */
int	image_alloc(struct image *out, size_t w, size_t h, unsigned char fill,
	    struct diag *d);

/* Limits applied while loading, before any pixel buffer is allocated. */
struct image_limits {
	size_t	max_pixels;	/* w * h */
	size_t	max_side;	/* w and h each */
	size_t	max_file;	/* bytes read by image_png_read_file() */
};
#define IMAGE_MAX_PIXELS	(40UL * 1000 * 1000)
#define IMAGE_MAX_SIDE		20000UL
#define IMAGE_MAX_FILE		(64UL * 1024 * 1024)
#define IMAGE_LIMITS_INIT	{ IMAGE_MAX_PIXELS, IMAGE_MAX_SIDE, IMAGE_MAX_FILE }

/*
 * Decode a PNG held in memory into an 8-bit grey image: any bit depth
 * (1, 2, 4, 8, 16), grey, palette, RGB, with alpha or tRNS (composited on
 * white: a transparent background is the paper), interlaced or not.
 * Colour becomes grey by the sRGB luma weights (libpng's simplified API).
 * The image's size is checked against `lim` (NULL: IMAGE_LIMITS_INIT)
 * from the header, before anything is allocated.
 *
 * Ownership: `buf` is borrowed; *out is the caller's, freed with
 * image_free().  On failure *out is zeroed.
 * Errors: DIAG_INPUT for a file that is not a PNG, is damaged or truncated,
 * or exceeds the limits (the message says which); DIAG_SYSTEM if out of
 * memory.
 */
int	image_png_read(struct image *out, const void *buf, size_t len,
	    const struct image_limits *lim, struct diag *d);

/*
 * The same from a file ("-" is not special).  The file is read whole, at
 * most lim->max_file bytes.  The diag names `path`.
 * Errors: as image_png_read(); DIAG_INPUT also for a missing file or a
 * directory; DIAG_SYSTEM for other read errors.
 */
int	image_png_read_file(struct image *out, const char *path,
	    const struct image_limits *lim, struct diag *d);

/* PNG output settings. */
struct image_png_opts {
	int		bits;	/* 1 (black if px < 128) or 8 */
	unsigned	dpi;	/* 0: no pHYs chunk; else pixels per inch */
};
#define IMAGE_PNG_OPTS_INIT	{ 8, 0 }

/*
 * Write `im` as a greyscale PNG to `f`.  The bytes depend only on the
 * pixels and the options: no tIME or text chunks, fixed zlib level (9),
 * strategy and filter, so golden files are stable for one libpng/zlib.
 * Errors: DIAG_INPUT for bad options or an empty image; DIAG_SYSTEM if
 * writing fails (the diag says "<png>": the caller adds the file name).
 */
int	image_png_write_opts(FILE *f, const struct image *im,
	    const struct image_png_opts *o, struct diag *d);

/* image_png_write_opts() with bits 1 or 8 and no pHYs chunk. */
int	image_png_write(FILE *f, const struct image *im, int bits,
	    struct diag *d);

/*
 * Decode results.  The statuses are ordered: a cascade reports the
 * furthest it got over all its passes.
 */
enum image_dm_status {
	IMAGE_DM_NO_SYMBOL = 0,	/* no symbol found (within the deadline) */
	IMAGE_DM_UNDECODABLE,	/* a symbol was found, its data did not decode */
	IMAGE_DM_NOT_GS1,	/* decoded, but not valid GS1 (or not FNC1-first) */
	IMAGE_DM_OK,		/* decoded, and (field cascade) valid GS1 */
	IMAGE_DM_UNREADABLE,	/* the decoder crashed or ran out of limits */
};

/* "no symbol", "undecodable", "not GS1", "ok", "unreadable image". */
const char *image_dm_status_name(enum image_dm_status s);

/*
 * Data Matrix ECC 200 holds at most 3116 digits (144x144, ASCII digit
 * pairs; ISO/IEC 16022 table 7); the buffer has room for that and a NUL.
 */
#define IMAGE_DM_DATA_MAX	3120

struct image_dm_result {
	enum image_dm_status status;
	/*
	 * The decoded bytes (OK and NOT_GS1), NUL-terminated for convenience
	 * (data may contain NUL bytes: use len).  For a GS1 symbol (FNC1 in
	 * first position, gs1 set) the leading FNC1 is dropped and every other
	 * FNC1 is GS (0x1D): exactly the GS1 "raw message", so "]d2" + data
	 * is what a scanner sends.  For a non-GS1 symbol the bytes are as
	 * libdmtx outputs them; an FNC1 after the first position appears as
	 * the byte 0xE8 (which is also Latin-1 'e grave': ambiguous only for
	 * non-GS1 data).
	 */
	unsigned char	data[IMAGE_DM_DATA_MAX];
	size_t		len;
	bool		gs1;		/* FNC1 in first position */
	bool		mirrored;	/* read from a mirrored image */
	bool		resampled;	/* read by the resampler (image_dm.c) */
	int		rows, cols;	/* symbol size in modules; 0 if none */
	int		pass;		/* cascade pass that read it; -1 if none */
	char		pass_name[32];	/* "plain", "otsu", ...; "" if none */
	double		ms;		/* wall time spent, milliseconds */
	char		why[128];	/* NOT_GS1: the GS1 parser's message */
	unsigned	features;	/* IMAGE_DM_ECI, ...: see below */
};

/*
 * Features of a decoded symbol (ISO/IEC 16022 5.4, 5.6, 5.2.4.9), reported
 * as they are, not acted on: an ECI designator (the data is not
 * re-encoded), structured append (this symbol is one of several), reader
 * programming, and the 05/06 macros (header and trailer are expanded in
 * the data).  A symbol with ECI, structured append or reader programming
 * is never valid GS1 for the cascade.
 */
#define IMAGE_DM_ECI			0x1u
#define IMAGE_DM_STRUCTURED_APPEND	0x2u
#define IMAGE_DM_READER_PROG		0x4u
#define IMAGE_DM_MACRO			0x8u

/*
 * Where a symbol we rendered ourselves sits in the bitmap: the top-left
 * pixel of the symbol proper (without its quiet zone), the pixels per
 * module (square modules), and the size in modules (rows x cols, as zint's
 * `rows` and `width` report it).
 */
struct image_dm_geometry {
	size_t	x0, y0;
	size_t	module_px;
	int	rows, cols;
};

/*
 * The fast path: decode a freshly rendered, axis-aligned symbol whose
 * geometry is known, without any search.  Each module is read at its
 * centre (the mean of its central pixels against a threshold halfway
 * between the darkest and lightest module), the finder L and the clock
 * tracks (ISO/IEC 16022 5.3) must be all right (otherwise UNDECODABLE: a
 * check that passes must prove the rendered geometry), then libdmtx's
 * Reed-Solomon and data decoding run on the sampled grid.  The GS1 form of
 * the result is as for image_dm_decode(), but GS1 validity is the caller's
 * business (dscsa-label compares the bytes with what it encoded).
 *
 * Status: OK when the data decoded (whether GS1 or not: see r->gs1),
 * UNDECODABLE when the fixed patterns or the error correction failed.
 * Errors (-1): DIAG_INPUT if the geometry is not a Data Matrix size
 * (ISO/IEC 16022 table 7, squares and rectangles; no DMRE) or does not fit
 * in the image.  Cost: about 20 microseconds for 24x24 at 5 px/module.
 */
int	image_dm_decode_known(const struct image *im,
	    const struct image_dm_geometry *g, struct image_dm_result *r,
	    struct diag *d);

/* Options of the field cascade. */
struct image_decode_opts {
	unsigned	timeout_ms;	/* total deadline for all passes */
	bool		isolate;	/* run in a forked, rlimited child */
	bool		require_gs1;	/* stop only at valid GS1 (else at any) */
	size_t		mem_limit;	/* child address space, bytes (0: none) */
	unsigned	passes;		/* bit mask of passes to run; 0 = all */
};
#define IMAGE_DECODE_TIMEOUT_MS	2000
#define IMAGE_DECODE_MEM_LIMIT	(1024UL * 1024 * 1024)
#define IMAGE_DECODE_OPTS_INIT \
	{ IMAGE_DECODE_TIMEOUT_MS, true, true, IMAGE_DECODE_MEM_LIMIT, 0 }

/*
 * The field cascade: find and decode one Data Matrix in `im` by a sequence
 * of passes (libdmtx on regions of interest of a large frame, at shrink 2,
 * on contrast-stretched, Otsu- and adaptively binarised, smoothed,
 * sharpened, denoised, halved, mirrored, padded and upscaled copies of the
 * image; regions found but not decodable are resampled under other sizes,
 * transposed and with vial curvature, then handed to our own ECC 200
 * sampler and decoder; and a pass of that decoder alone, which finds the
 * finder L itself and reads every size, the DMRE sizes of ISO/IEC 21471
 * included, with erasures for unsure modules), all under one deadline of
 * o->timeout_ms, stopping at the first result that is valid GS1: the
 * decoded data, as "]d2" scan data, must parse with gs1_parse() (AIs,
 * lengths, character sets, check digits, dates).  With require_gs1 off the
 * first decoded result of any kind is returned (status NOT_GS1 if it is
 * not GS1).  Every decoded region must also look like a true fit (finder
 * L, clock tracks and a light quiet-zone ring where libdmtx put them), so
 * a misfit grid that Reed-Solomon happens to accept, as libdmtx alone
 * does on zxing-cpp's distorted.png, is never reported.
 *
 * With o->isolate (the default) the cascade runs in a forked child with
 * RLIMIT_CPU (the deadline plus a second) and RLIMIT_AS (o->mem_limit);
 * the result comes back over a pipe, and the parent kills the child when
 * the deadline has passed.  A child that dies (libdmtx assert, signal,
 * limit) makes the image UNREADABLE: the function returns -1 with
 * DIAG_INPUT "unreadable image ...", and the tool goes on with its next
 * input.
 *
 * Returns 0 with r->status NO_SYMBOL, UNDECODABLE, NOT_GS1 or OK (the
 * furthest any pass got), or -1: DIAG_INPUT (unreadable image, empty
 * image), DIAG_SYSTEM (fork, pipe, memory).
 * Ownership: everything is borrowed for the call.
 */
int	image_dm_decode(const struct image *im,
	    const struct image_decode_opts *o, struct image_dm_result *r,
	    struct diag *d);

/*
 * Load a PNG file and run the cascade on it, both in the isolated child
 * when o->isolate is set (so a hostile PNG cannot hurt the caller either).
 * The diag names `path`.  Returns and errors as image_dm_decode() and
 * image_png_read_file().
 */
int	image_dm_decode_file(const char *path, const struct image_limits *lim,
	    const struct image_decode_opts *o, struct image_dm_result *r,
	    struct diag *d);

/* Number of cascade passes, and the name of pass i ("plain", ...). */
unsigned image_dm_pass_count(void);
const char *image_dm_pass_name(unsigned i);

/* The image_decode_opts.passes bit of the pass called `name`; 0 if none. */
unsigned image_dm_pass_mask(const char *name);

#endif /* DSCSA_IMAGE_H */
