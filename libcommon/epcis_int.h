/*
 * epcis_int: internals shared by the epcis_*.c files; tools never include
 * this.  A per-event arena, a growable byte buffer, and the event walkers
 * that turn one expanded libxml2 event subtree into the canonical form and
 * the CBV 2.0 pre-hash string.
 */
#ifndef DSCSA_EPCIS_INT_H
#define DSCSA_EPCIS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "diag.h"
#include "epcis.h"

/*
 * Arena: bump allocation in chunks, freed all at once.  epcis_arena_reset()
 * keeps the first chunk so that a steady stream of events allocates nothing.
 */
struct epcis_arena_chunk;
struct epcis_arena {
	struct epcis_arena_chunk *head;
	size_t		 total;		/* bytes in all chunks */
};

void	*epcis_arena_alloc(struct epcis_arena *a, size_t n);	/* NULL: no memory */
char	*epcis_arena_strndup(struct epcis_arena *a, const char *s, size_t n);
void	 epcis_arena_reset(struct epcis_arena *a);
void	 epcis_arena_free(struct epcis_arena *a);

/* A growable buffer; `data` is NUL-terminated after every append. */
struct epcis_buf {
	char		*data;
	size_t		 len, cap;
	bool		 failed;	/* an allocation failed: data is stale */
};

void	epcis_buf_add(struct epcis_buf *b, const char *s, size_t n);
void	epcis_buf_adds(struct epcis_buf *b, const char *s);
void	epcis_buf_free(struct epcis_buf *b);

/*
 * Count the bytes since the last '<' over a chunk of input (*run carries
 * over between chunks).  Returns false once a run exceeds `max`: no EPCIS
 * value is that long, and libxml2's schema validator is quadratic in the
 * length of one text node, so it must never see one.
 */
bool	epcis_text_run(size_t *run, const char *buf, size_t n, size_t max);

/* Is this an element the event walkers unwrap (1.2 extension wrappers)? */
bool	epcis_is_wrapper(const xmlNode *n);

/* Event type from an element's local name (no namespace); 0 if none. */
enum epcis_event_type epcis_event_type_of(const xmlNode *n);

/*
 * The canonical form of the event element `ev` into out (reset first).
 * Errors: DIAG_SYSTEM (no memory).
 */
int	epcis_c14n_event(const xmlNode *ev, struct epcis_buf *out,
	    struct diag *d);

/*
 * The CBV 2.0 pre-hash string of the event element `ev` into out (reset
 * first), with `a` as scratch memory.  Errors: DIAG_SYSTEM (no memory).
 */
int	epcis_prehash_event(const xmlNode *ev, struct epcis_arena *a,
	    struct epcis_buf *out, struct diag *d);

#endif /* DSCSA_EPCIS_INT_H */
