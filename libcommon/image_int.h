/*
 * image_int: internals shared by the image_*.c files; tools never include
 * this.  No libpng or libdmtx type appears here, so only the .c files that
 * need them include <png.h> or <dmtx.h>.
 */
#ifndef DSCSA_IMAGE_INT_H
#define DSCSA_IMAGE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "image.h"

/*
 * The byte libdmtx is told to emit for FNC1 (DmtxPropFnc1).  0xE8 is the
 * FNC1 codeword value (ISO/IEC 16022 5.2.4.9); a GS1 payload never holds a
 * byte >= 0x80 (CSET 82 is ASCII), so FNC1 stays distinguishable from a
 * literal GS in the data.
 */
#define DM_FNC1	0xE8

/* Milliseconds on CLOCK_MONOTONIC. */
double	dm_now_ms(void);

/* Otsu's threshold of a grey image: pixels <= the result are dark. */
int	dm_otsu(const struct image *im);

/*
 * Convert libdmtx's output bytes to the result form the header promises:
 * leading FNC1 dropped and gs1 set, later FNC1 -> GS (GS1 only).  Sets
 * data, len, gs1; nothing else.  Output longer than IMAGE_DM_DATA_MAX - 1
 * is cut (cannot happen for ECC 200).
 */
void	dm_result_set_data(struct image_dm_result *r, const unsigned char *out,
	    size_t n);

/* One libdmtx search-and-decode pass. */
struct dm_pass {
	int	shrink;		/* dmtxDecodeCreate scale, >= 1 */
	int	shape;		/* DmtxPropSymbolSize; 0 = libdmtx default */
	int	square_devn;	/* degrees; 0 = libdmtx default (50) */
	int	edge_thresh;	/* 0 = libdmtx default (10) */
	bool	resample;	/* resample regions libdmtx cannot decode */
};

/*
 * Called for every decoded region of a pass; returns true to stop the
 * pass (an acceptable result was found).  `r` holds the decoded data,
 * rows and cols.
 */
typedef bool (*dm_accept_fn)(void *arg, const struct image_dm_result *r);

/*
 * Run one pass over `im` (stride == w required) until `deadline_ms`
 * (dm_now_ms() scale).  Returns the furthest status reached: NO_SYMBOL,
 * UNDECODABLE, or NOT_GS1 meaning "decoded, see accept".  Returns OK when
 * `accept` stopped the pass; `r` then holds that result.  -1: DIAG_SYSTEM.
 */
int	dm_libdmtx_pass(const struct image *im, const struct dm_pass *p,
	    double deadline_ms, dm_accept_fn accept, void *arg,
	    struct image_dm_result *r, struct diag *d);

/*
 * One ECC 200 symbol size (ISO/IEC 16022 table 7, ISO/IEC 21471 table 7):
 * symbol rows x cols in modules, the interior of one data region (without
 * its finder and clock track), data and error codewords of the whole
 * symbol, and the number of interleaved Reed-Solomon blocks.
 */
struct dm_size {
	unsigned char	rows, cols;
	unsigned char	reg_rows, reg_cols;
	unsigned short	data, ecc;
	unsigned char	blocks;
	bool		dmre;		/* ISO/IEC 21471 extension */
};

/* All 48 sizes: 24 squares, 6 rectangles, 18 DMRE, in that order. */
size_t	dm_size_count(void);
const struct dm_size *dm_size_get(size_t i);	/* NULL past the end */
const struct dm_size *dm_size_find(int rows, int cols);	/* NULL if none */

/*
 * The fixed pattern at module (row, col) of a symbol of size `sz`, rows
 * counted from the top: 1 dark (finder L or clock), 0 light (clock), -1 a
 * data module.
 */
int	dm_fixed_module(const struct dm_size *sz, int row, int col);

/*
 * Module placement (ISO/IEC 16022 Annex F) in symbol coordinates: map[row *
 * cols + col] = 8 * codeword + bit (bit 0 the most significant), or -1 for
 * fixed-pattern and unused corner modules.  `map` has rows * cols entries.
 * Returns 0, or -1 if out of memory.
 */
int	dm_placement(const struct dm_size *sz, int *map);

struct dm_ecc200_opts {
	/*
	 * A codeword whose least sure module has a confidence (1..255, the
	 * distance of its darkness from 128, doubled) below this may be
	 * treated as an erasure; 0: never use erasures.
	 */
	unsigned	unsure_conf;
};

struct dm_ecc200_out {
	unsigned char	bytes[IMAGE_DM_DATA_MAX];	/* FNC1 as DM_FNC1 */
	size_t		len;
	bool		gs1;		/* FNC1 in first position */
	unsigned	features;	/* IMAGE_DM_ECI, ... */
	unsigned	eci;		/* with IMAGE_DM_ECI */
	int		sa_pos, sa_total; /* with IMAGE_DM_STRUCTURED_APPEND */
	int		errors, erasures;	/* corrected, all blocks */
	int		ecc_used_max;	/* max 2e + f over the blocks */
	int		ecc_block;	/* error codewords per block */
};

/*
 * Decode a sampled module grid: `grid` holds rows x cols darkness values
 * (0 light ... 255 dark, 128 the threshold), top row first.  The fixed
 * patterns are not looked at (the sampler scores them).  Returns 0 with
 * *r filled, -1 if Reed-Solomon or the data decoding refused the symbol
 * (image_ecc200.c, M1-M3), -2 out of memory.  No libdmtx inside.
 */
int	dm_ecc200_decode(const struct dm_size *sz, const unsigned char *grid,
	    const struct dm_ecc200_opts *opt, struct dm_ecc200_out *r);

/*
 * Our own locator and sampler (image_grid.c): find the finder L and the
 * clock tracks of a symbol of any ECC 200 size (DMRE included) in `im`,
 * sample the module centres through a projective fit of the 4 corners and
 * decode with dm_ecc200_decode(), erasures for unsure modules.  Stops at
 * the first result `accept` takes, or at `deadline_ms`.  Returns the
 * furthest status as dm_libdmtx_pass() does; -1: DIAG_SYSTEM.  Results
 * have r->resampled set (many fits are tried: accept only valid GS1).
 */
int	dm_grid_pass(const struct image *im, double deadline_ms,
	    dm_accept_fn accept, void *arg, struct image_dm_result *r,
	    struct diag *d);

/*
 * The same on one quadrilateral found elsewhere (a region libdmtx located
 * but could not decode): `corners` are the symbol's top-left, top-right,
 * bottom-right and bottom-left in top-origin pixel coordinates (pixel
 * centres at +0.5); every size, orientation and polarity is tried on it.
 */
int	dm_grid_quad(const struct image *im, const double corners[4][2],
	    double deadline_ms, dm_accept_fn accept, void *arg,
	    struct image_dm_result *r, struct diag *d);

/* The cascade proper, in this process (image_cascade.c). */
int	dm_cascade(const struct image *im, const struct image_decode_opts *o,
	    struct image_dm_result *r, struct diag *d);

/* Reset a result to "nothing found". */
void	dm_result_clear(struct image_dm_result *r);

#endif /* DSCSA_IMAGE_INT_H */
