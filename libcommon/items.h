/*
 * items: the item-line format between the tools (dscsa-items(5), DESIGN.md
 * section 2).
 *
 * One item a line, UTF-8, '\n'-terminated: a GS1 element string (bracketed
 * syntax on output; any form gs1_parse() or epc_parse_uri() takes on input),
 * optionally followed by TAB and key=value attributes separated by TABs,
 * values percent-encoded for '%', TAB, CR and LF.  Lines starting with '#'
 * and blank lines are skipped.  Attributes a tool does not know pass through
 * unchanged.
 *
 * Thread-safety: a reader belongs to one thread.
 */
#ifndef DSCSA_ITEMS_H
#define DSCSA_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "epc.h"
#include "gs1.h"

#define ITEMS_LINE_MAX	65536	/* bytes in one line, '\n' included */
#define ITEMS_MAX_ATTRS	64	/* attributes on one line */

struct items_reader;		/* opaque */

/* One attribute: slices into the reader's buffer, borrowed until items_next(). */
struct items_attr {
	const char	*key;
	size_t		 klen;
	const char	*val;		/* decoded (no %XX left) */
	size_t		 vlen;
};

/* One item, borrowed from the reader until the next items_next(). */
struct items_item {
	unsigned long	 line;		/* 1-based line number */
	const char	*gs1;		/* the GS1 part of the line, as written */
	size_t		 gs1_len;
	struct gs1_msg	 msg;		/* it, parsed */
	size_t		 nattr;
	struct items_attr attr[ITEMS_MAX_ATTRS];
	const char	*attrs_raw;	/* the attribute part as written, no TAB before it */
	size_t		 attrs_raw_len;
};

struct items_opts {
	const struct gs1_table	*table;	/* NULL: gs1_table_embedded() */
	struct gs1_parse_opts	 parse;
};

/*
 * Read items from `f`, named `name` in messages ("<stdin>", a path).
 * Ownership: *out is the caller's, freed with items_reader_free(); `f` and
 * `name` are borrowed for the reader's life.  `o` may be NULL.
 * The reader read(2)s fileno(f) directly (lines are handled as they
 * arrive): do not read `f` through stdio while the reader is in use.
 * Errors: DIAG_SYSTEM (no memory).
 */
int	items_reader_open(struct items_reader **out, FILE *f, const char *name,
	    const struct items_opts *o, struct diag *d);
void	items_reader_free(struct items_reader *r);

/*
 * The next item: 1, 0 at the end, -1 on error with `d` naming file and line.
 * After an error on one line the reader can go on with the next call (per-
 * item tools report and continue; batch tools stop).
 * Errors: DIAG_INPUT (a bad line: GS1 syntax, attribute syntax, too long);
 * DIAG_SYSTEM (read error).
 */
int	items_next(struct items_reader *r, struct items_item *it,
	    struct diag *d);

/* The decoded value of attribute `key`, or NULL; *len gets its length. */
const char *items_attr_get(const struct items_item *it, const char *key,
	    size_t *len);

/*
 * Write one item line: `m` in `form`, then the attributes (`attrs_raw`, as
 * items_item holds them, may be NULL) and '\n'.  Errors: DIAG_INPUT (form
 * cannot carry it), DIAG_SYSTEM (write error, naming "<stdout>" when f is
 * stdout).
 */
int	items_write(FILE *f, const struct gs1_msg *m, enum gs1_form form,
	    const struct gs1_render_opts *ro, const char *attrs_raw,
	    size_t attrs_raw_len, struct diag *d);

/*
 * Write one line that is already rendered (an EPC URI, say): `item`, then
 * TAB and `attrs_raw` if attrs_raw_len > 0, then '\n'.  Errors: DIAG_SYSTEM
 * as items_write().
 */
int	items_write_line(FILE *f, const char *item, size_t len,
	    const char *attrs_raw, size_t attrs_raw_len, struct diag *d);

/*
 * Percent-encode `len` bytes for an attribute value ('%', TAB, CR, LF) into
 * buf; returns the encoded length, or (size_t)-1 if it does not fit cap.
 */
size_t	items_attr_encode(const char *val, size_t len, char *buf, size_t cap);

/*
 * Called for each bad item (warning false: the diag names file, line and
 * problem) and each lenient-reader note (warning true).  `d` is borrowed
 * for the call.
 */
typedef void (*items_report_fn)(void *ctx, const struct diag *d,
    bool warning);

struct items_convert_opts {
	struct items_opts	 read;
	bool			 validate;	/* check only, write nothing */
	struct gs1_validate_opts check;		/* applied to every item */
	bool			 to_epc;	/* write EPC URIs, not `to` */
	enum gs1_form		 to;
	const struct epc_gcp	*gcp;		/* to_epc: prefix lengths */
	struct gs1_render_opts	 render;
	items_report_fn		 report;
	void			*report_ctx;
};

/*
 * The loop of dscsa-gs1(1): read every item of `in` (named `name`), check
 * it (syntax, then o->check), and unless o->validate write it to `out` in
 * the chosen form with its attributes as written.  A bad item is handed to
 * o->report and counted in *nbad; reading goes on.  EPC URIs leave out
 * what an EPC cannot carry (see epc_render_uri()).
 * Returns 0, or -1 with `d` filled on a system error (read or write).
 */
int	items_convert_stream(FILE *in, const char *name, FILE *out,
	    const struct items_convert_opts *o, unsigned long *nbad,
	    struct diag *d);

#endif /* DSCSA_ITEMS_H */
