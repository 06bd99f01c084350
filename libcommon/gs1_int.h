/*
 * gs1_int: internals shared by the gs1_*.c files and the AI-table
 * generator (scripts/gen-aitable.c).  Tools never include this header.
 *
 * The in-memory form of the GS1 Barcode Syntax Dictionary: one struct
 * gs1_ai per AI (ranges such as "3100-3105" are expanded), sorted by AI,
 * with an O(1) index.  Every AI of one two-digit prefix has the same
 * length (the loader refuses a dictionary that breaks this), so the first
 * four digits of an AI, padded with zeros, name it uniquely: idx[] maps
 * that number to the entry.
 */
#ifndef DSCSA_GS1_INT_H
#define DSCSA_GS1_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "gs1.h"

/*
 * For the few static functions of the per-element hot path (parsing and
 * checking one value): GCC and clang otherwise keep them out of line as
 * partial clones, which costs about 30 instructions an element.
 */
#if defined(__GNUC__) || defined(__clang__)
#define GS1_HOT_INLINE	__attribute__((always_inline)) inline
#else
#define GS1_HOT_INLINE	inline
#endif

#define GS1_COMP_MAX		5	/* components of one AI's value */
#define GS1_COMP_LINT_MAX	4	/* linters on one component */
#define GS1_REQ_MAX		3	/* req= attributes on one AI */
#define GS1_EX_MAX		2	/* ex= attributes on one AI */
#define GS1_IDX_SIZE		10000
#define GS1_TABLE_MAX		32767	/* entries in one table (int16_t idx) */

/*
 * Every linter the loader knows, (name, ENUM).  A dictionary naming any
 * other linter is refused (gs1_dict.c); each one is implemented in
 * gs1_lint.c.
 */
#define GS1_LINTERS(X)						\
	X("couponcode", COUPONCODE)				\
	X("couponposoffer", COUPONPOSOFFER)			\
	X("cset39", CSET39)					\
	X("cset64", CSET64)					\
	X("cset82", CSET82)					\
	X("csetnumeric", CSETNUMERIC)				\
	X("csum", CSUM)						\
	X("csumalpha", CSUMALPHA)				\
	X("gcppos1", GCPPOS1)					\
	X("gcppos2", GCPPOS2)					\
	X("hasnondigit", HASNONDIGIT)				\
	X("hh", HH)						\
	X("hhmi", HHMI)						\
	X("hhmm", HHMM)						\
	X("hyphen", HYPHEN)					\
	X("iban", IBAN)						\
	X("importeridx", IMPORTERIDX)				\
	X("iso3166", ISO3166)					\
	X("iso3166999", ISO3166999)				\
	X("iso3166alpha2", ISO3166ALPHA2)			\
	X("iso3166list", ISO3166LIST)				\
	X("iso4217", ISO4217)					\
	X("iso5218", ISO5218)					\
	X("key", KEY)						\
	X("latitude", LATITUDE)					\
	X("longitude", LONGITUDE)				\
	X("mediatype", MEDIATYPE)				\
	X("mi", MI)						\
	X("nonzero", NONZERO)					\
	X("nozeroprefix", NOZEROPREFIX)				\
	X("packagetype", PACKAGETYPE)				\
	X("pcenc", PCENC)					\
	X("pieceoftotal", PIECEOFTOTAL)				\
	X("posinseqslash", POSINSEQSLASH)			\
	X("ss", SS)						\
	X("winding", WINDING)					\
	X("yesno", YESNO)					\
	X("yymmd0", YYMMD0)					\
	X("yymmdd", YYMMDD)					\
	X("yyyymmd0", YYYYMMD0)					\
	X("yyyymmdd", YYYYMMDD)					\
	X("zero", ZERO)

enum gs1_linter {
	GS1_LINTER_NONE = 0,
#define GS1_LINTER_ENUM(name, id)	GS1_LINTER_##id,
	GS1_LINTERS(GS1_LINTER_ENUM)
#undef GS1_LINTER_ENUM
	GS1_LINTER_COUNT
};

/* One component of an AI's value, e.g. "N14,csum,gcppos2" or "[N3],iso3166". */
struct gs1_comp {
	char		cset;		/* 'N', 'X' (CSET 82), 'Y' (39), 'Z' (64) */
	uint8_t		min, max;	/* bytes */
	bool		optional;
	uint8_t		nlint;
	uint8_t		lint[GS1_COMP_LINT_MAX];	/* enum gs1_linter */
};

/*
 * One AI pattern of a req=/ex= list, compiled against its table (the
 * loader does it, gs1_dict.c, and the generator writes the result): the
 * entries [lo, hi) are the table's AIs that start with the pattern's
 * digits before its first 'n' and have its length (contiguous, as the
 * table is sorted).  When the pattern has a digit after an 'n' ("31n5"),
 * `exact` is false and an entry in the range matches only if
 * pattern_match() agrees.  `last` ends one alternative of a req= list
 * (the patterns of one alternative are joined by '+').
 */
struct gs1_pat {
	uint16_t	lo, hi;
	char		pat[GS1_AI_LEN_MAX + 1];
	bool		exact;
	bool		last;
};

/*
 * One dictionary entry.  It holds no pointers, so that the generated
 * table is read-only data that a position-independent program does not
 * relocate at start-up: its strings are offsets into the table's string
 * pool (t->pool) and its compiled patterns indices into t->pat.  Read
 * them with the accessors below.  The loader and the generator refuse a
 * dictionary whose pool or patterns would not fit the 16-bit fields.
 */
struct gs1_ai {
	char		ai[GS1_AI_LEN_MAX + 1];
	uint8_t		ailen;
	bool		fnc1;		/* needs a separator ('*' flag absent) */
	bool		dlattr;		/* '?': a Digital Link query attribute */
	bool		dlkey;		/* has dlpkey= (its list may be "") */
	uint8_t		ncomp;
	uint8_t		nreq, nex;
	uint16_t	minlen, maxlen;	/* of the whole value */
	struct gs1_comp	comp[GS1_COMP_MAX];
	uint16_t	req[GS1_REQ_MAX];	/* pool: "01+21,02,35nn" */
	uint16_t	ex[GS1_EX_MAX];		/* pool: "255,37" */
	uint16_t	dlpkey;		/* pool: "22,10,21|235" if dlkey */
	uint16_t	title;		/* pool: "" if none */
	/*
	 * Compiled: t->pat[reqp...] are the patterns of req[0], req[1], ...
	 * (nreqp[r] each), t->pat[expat...] those of every ex= list (nexpat),
	 * in order.  t->pat is never NULL, so t->pat + 0 is always valid.
	 */
	uint16_t	reqp, nreqp[GS1_REQ_MAX], expat, nexpat;
	unsigned	line;		/* in the dictionary */
};

#define GS1_POOL_MAX	65536	/* bytes of a table's string pool */
#define GS1_PAT_MAX	65535	/* compiled patterns of one table */

struct gs1_table {
	const struct gs1_ai *ai;	/* sorted by AI */
	size_t		n;
	const struct gs1_pat *pat;	/* the compiled req=/ex= patterns (npat,
					   but never NULL) */
	size_t		npat;
	const char	*pool;		/* the entries' strings, NUL-ended */
	size_t		poollen;
	uint8_t		plen[100];	/* AI length by two-digit prefix, 0: none */
	int16_t		idx[GS1_IDX_SIZE];	/* index key -> entry, -1: none */
	char		source[128];	/* dictionary name (file or release) */
	void		*mem;		/* loaded tables: what gs1_table_free frees */
};

/* Entry a's r-th req= list as text, "01+21,02,35nn". */
static inline const char *
gs1_ai_req(const struct gs1_table *t, const struct gs1_ai *a, size_t r)
{
	return t->pool + a->req[r];
}

/* Entry a's x-th ex= list as text, "255,37". */
static inline const char *
gs1_ai_ex(const struct gs1_table *t, const struct gs1_ai *a, size_t x)
{
	return t->pool + a->ex[x];
}

/* Entry a's key qualifier sequences, "22,10,21|235"; NULL: not a key. */
static inline const char *
gs1_ai_dlpkey(const struct gs1_table *t, const struct gs1_ai *a)
{
	return a->dlkey ? t->pool + a->dlpkey : NULL;
}

/* The compiled patterns of entry a's r-th req= list (a->nreqp[r] of them). */
static inline const struct gs1_pat *
gs1_ai_reqp(const struct gs1_table *t, const struct gs1_ai *a, size_t r)
{
	const struct gs1_pat *p = t->pat + a->reqp;

	for (size_t k = 0; k < r; k++)
		p += a->nreqp[k];
	return p;
}

/* The compiled patterns of all of entry a's ex= lists (a->nexpat). */
static inline const struct gs1_pat *
gs1_ai_expat(const struct gs1_table *t, const struct gs1_ai *a)
{
	return t->pat + a->expat;
}

/* Days in month m (1-12) of year y, proleptic Gregorian. */
static inline unsigned
gs1_days_in_month(unsigned y, unsigned m)
{
	static const uint8_t dm[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* The index key of an AI (2-4 digits): its digits padded with zeros to 4. */
static inline unsigned
gs1_idx_key(const char *ai, size_t len)
{
	unsigned k = 0;

	for (size_t i = 0; i < 4; i++)
		k = k * 10 + (i < len ? (unsigned)(ai[i] - '0') : 0);
	return k;
}

/*
 * gs1_table_find() for `len` (2-4) bytes already known to be digits: the
 * two-digit prefix gives the length, the padded key the entry.
 */
static inline const struct gs1_ai *
gs1_table_find_digits(const struct gs1_table *t, const char *ai, size_t len)
{
	unsigned p = (unsigned)((ai[0] - '0') * 10 + (ai[1] - '0'));
	unsigned k = p * 100;
	int16_t i;

	if (t->plen[p] != len)
		return NULL;
	if (len > 2)
		k += (unsigned)(ai[2] - '0') * 10;
	if (len > 3)
		k += (unsigned)(ai[3] - '0');
	i = t->idx[k];
	return i < 0 ? NULL : &t->ai[i];
}

/* Do two elements carry the same AI?  (Known AIs: the same entry.) */
static inline bool
gs1_el_same_ai(const struct gs1_element *a, const struct gs1_element *b)
{
	if (a->def != NULL || b->def != NULL)
		return a->def == b->def;
	for (size_t i = 0; a->ai[i] == b->ai[i]; i++)
		if (a->ai[i] == '\0')
			return true;
	return false;
}

/* Is the element's AI the NUL-terminated `ai`?  (Inline: 2-4 bytes.) */
static inline bool
gs1_el_is(const struct gs1_element *e, const char *ai)
{
	for (size_t i = 0; e->ai[i] == ai[i]; i++)
		if (ai[i] == '\0')
			return true;
	return false;
}

/* gs1_dict.c: the linter names, by enum gs1_linter. */
extern const char *const gs1_linter_names[GS1_LINTER_COUNT];
extern const char *const gs1_linter_enums[GS1_LINTER_COUNT];

/*
 * gs1_dict.c: parse dictionary text (`len` bytes, named `name` in
 * messages "name:line: ...") into a new table.  Used by gs1_table_load()
 * and by the generator.  *out is the caller's, freed with gs1_table_free().
 */
int	gs1_dict_parse(struct gs1_table **out, const char *text, size_t len,
	    const char *name, struct diag *d);

/* gs1_lint.c: run linter `id` over a component. */
enum gs1_lint gs1_lint_run(enum gs1_linter id, const char *s, size_t len,
	    size_t *pos, size_t *elen);

/*
 * gs1_lint.c: check one value against its AI's specification (components:
 * lengths, character sets, linters).  Unknown AIs (a == NULL) are X..90.
 * Returns GS1_LINT_OK or the first problem, with the blamed bytes.
 */
enum gs1_lint gs1_check_value(const struct gs1_ai *a, const char *v,
	    size_t len, size_t *pos, size_t *elen);

/*
 * gs1_parse.c: format the error for value v of AI `ai` as
 * "AI (17): illegal day of month: (17)2612|32|" into d.  Returns -1.
 */
int	gs1_value_error(struct diag *d, const char *prefix, const char *ai,
	    const char *what, const char *v, size_t len, size_t pos,
	    size_t elen);

/* gs1_lint.c: character class bits of the 256 byte values. */
#define GS1_CC_N	0x01	/* digit */
#define GS1_CC_X	0x02	/* CSET 82 */
#define GS1_CC_Y	0x04	/* CSET 39 */
#define GS1_CC_Z	0x08	/* CSET 64 without the '=' pad */
#define GS1_CC_HEX	0x10	/* 0-9 A-F a-f */
extern const uint8_t gs1_cclass[256];

/* gs1_render.c: may a predefined-length AI come first in compact order. */
bool	gs1_el_needs_fnc1(const struct gs1_element *e);

/*
 * gs1_parse.c: append one element, checked (gs1_check_value), the value
 * copied into m->data; `unescape` turns "\\(" into "(" (HRI form).
 */
int	gs1_el_append(struct gs1_msg *m, const char *ai, size_t ailen,
	    const char *v, size_t vlen, size_t src_off, bool unknown_ok,
	    bool unescape, struct diag *d);

/* gs1_parse.c: do AIM ids like "]d2" carry GS1 element strings. */
bool	gs1_sym_is_gs1(const char *sym);

/* gs1_dl.c: the Digital Link parser (m already initialised). */
int	gs1_parse_dl(struct gs1_msg *m, const char *s, size_t len,
	    const struct gs1_parse_opts *o, struct diag *d);

/* gs1_render.c: a bounded output buffer; `over` is set once it is full. */
struct gs1_out {
	char	*buf;
	size_t	 cap, len;
	bool	 over;
};
void	gs1_out_put(struct gs1_out *w, const char *s, size_t n);
void	gs1_out_ch(struct gs1_out *w, char c);

/* gs1_dl.c: render m as a Digital Link URI (vrs: the VRS request form). */
int	gs1_render_dl(const struct gs1_msg *m, bool vrs,
	    const struct gs1_render_opts *o, struct gs1_out *w, struct diag *d);

#endif /* DSCSA_GS1_INT_H */
