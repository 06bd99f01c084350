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

/* The cascade proper, in this process (image_cascade.c). */
int	dm_cascade(const struct image *im, const struct image_decode_opts *o,
	    struct image_dm_result *r, struct diag *d);

/* Reset a result to "nothing found". */
void	dm_result_clear(struct image_dm_result *r);

#endif /* DSCSA_IMAGE_INT_H */
