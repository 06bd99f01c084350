/*
 * gs1: the GS1 element-string engine.
 *
 * One model (struct gs1_msg: an ordered list of AI/value pairs with their
 * positions in the input) parsed from every input form: bracketed "[01]..."
 * and "(01)...", unbracketed with GS (0x1D) or '^' as FNC1, scanner data
 * with an AIM symbology identifier ("]d2", "]C1", "]Q3", "]e0", "]J1") and
 * GS1 Digital Link URIs; rendered in each of those forms, as HRI text and
 * as JSON.  EPC URIs are the epc module's (they need the company prefix
 * length).
 *
 * The AI table comes from the GS1 Barcode Syntax Dictionary: an embedded
 * copy generated at build time (schemas/gs1/gs1-syntax-dictionary.txt), or
 * a newer file loaded at run time.
 *
 * Rules: GS1 General Specifications (GenSpecs) release 25, sections 3
 * (AI definitions), 7.8 (FNC1 and predefined lengths), 7.9 (check digits),
 * 7.11 (character sets), 7.12 (century of dates); GS1 Digital Link URI
 * Syntax 1.4; GS1 Barcode Syntax Dictionary and Tests.
 *
 * Thread-safety: a loaded table is immutable and may be shared; a gs1_msg
 * belongs to one thread.
 */
#ifndef DSCSA_GS1_H
#define DSCSA_GS1_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define GS1_MAX_AIS	64	/* element strings in one message */
#define GS1_MAX_VALUE	90	/* bytes in one AI value */
#define GS1_MAX_DATA	8191	/* bytes in one message */
#define GS1_AI_LEN_MAX	4	/* digits in an AI */
#define GS1_RENDER_MAX	(3 * GS1_MAX_DATA + 512) /* any rendered form */

struct gs1_table;		/* opaque, immutable once made */
struct gs1_ai;			/* one dictionary entry, owned by its table */

/* The embedded table (generated from the dictionary); never fails, never freed. */
const struct gs1_table *gs1_table_embedded(void);

/*
 * Load a Syntax Dictionary file.  The loader checks it as the engine does
 * (ascending AIs, consistent two-digit prefix lengths, '*' only on
 * predefined lengths, known linters) and reports "file:line: ...".
 * Ownership: *out is the caller's, freed with gs1_table_free().
 * Errors: DIAG_INPUT (bad file), DIAG_SYSTEM (cannot read, no memory).
 */
int	gs1_table_load(struct gs1_table **out, const char *path,
	    struct diag *d);
void	gs1_table_free(struct gs1_table *t);

/* Look up an AI of `len` digits; NULL if the table does not define it. */
const struct gs1_ai *gs1_table_find(const struct gs1_table *t,
	    const char *ai, size_t len);

/* Facts about one AI (borrowed from the table). */
const char *gs1_ai_title(const struct gs1_ai *a);	/* "BATCH/LOT" */
bool	gs1_ai_needs_fnc1(const struct gs1_ai *a);	/* not predefined length */
size_t	gs1_ai_max_len(const struct gs1_ai *a);
bool	gs1_ai_is_fixed_len(const struct gs1_ai *a);

/* One element string of a message. */
struct gs1_element {
	char		 ai[GS1_AI_LEN_MAX + 1];	/* digits, NUL-terminated */
	const char	*value;		/* into the message's data, NUL-terminated */
	size_t		 len;		/* bytes of value */
	size_t		 src_off;	/* where the value starts in the input */
	const struct gs1_ai *def;	/* NULL only for an unknown AI */
};

/* Findings of the lenient reader, returned as data (the tool warns). */
enum gs1_note {
	GS1_NOTE_NO_SYMBOLOGY_ID = 1 << 0,	/* scan data without "]d2" etc. */
	GS1_NOTE_LEADING_GS	 = 1 << 1,	/* GS right after the AIM id */
	GS1_NOTE_VISIBLE_GS	 = 1 << 2,	/* U+241D written for GS */
	GS1_NOTE_TRAILING_GS	 = 1 << 3,
	GS1_NOTE_DL_CONVENIENCE	 = 1 << 4,	/* /gtin/ /lot/ /ser/ ?exp= */
};

/* A parsed message.  A value type: the caller allocates it (about 10 KB). */
struct gs1_msg {
	const struct gs1_table *table;
	size_t		n;
	struct gs1_element el[GS1_MAX_AIS];
	unsigned	notes;		/* enum gs1_note bits */
	char		sym[4];		/* symbology id of scan input, "" if none */
	size_t		datalen;
	char		data[GS1_MAX_DATA + GS1_MAX_AIS + 1]; /* the values */
};

enum gs1_form {
	GS1_FORM_BRACKETED,	/* [01]00312345678906[17]271231 */
	GS1_FORM_HRI,		/* (01)00312345678906(17)271231 */
	GS1_FORM_GS,		/* 0100312345678906...<GS>21...  (raw message) */
	GS1_FORM_CARET,		/* ^0100312345678906...^21...    (engine syntax) */
	GS1_FORM_SCAN,		/* ]d2 + the raw message */
	GS1_FORM_DL,		/* https://id.gs1.org/01/.../10/...?17=... */
	GS1_FORM_JSON,		/* {"01":"00312345678906","17":"271231"} */
	GS1_FORM_HRI_LINES,	/* "(01) 00312345678906" lines, '\n' separated */
};

/* "bracketed", "hri", "gs", "caret", "scan", "dl", "json", "hri-lines". */
int	gs1_form_from_name(const char *name, enum gs1_form *out);
const char *gs1_form_name(enum gs1_form f);

struct gs1_parse_opts {
	bool	lenient;	/* accept scanner quirks, reported in notes */
	bool	unknown_ais;	/* accept AIs the table does not define */
};
#define GS1_PARSE_OPTS_INIT	{ false, false }

/*
 * Parse `len` bytes of one message in any form the header names (the form
 * is recognised from the first bytes: '[', '(', "]d2"..., "http", '^', GS,
 * or a digit).  Every value is checked for syntax as the dictionary defines
 * it (length, character set, linters: check digit, date ...); pairing rules
 * and the DSCSA profile are gs1_validate()'s.
 * Errors: DIAG_INPUT, with the marked-up copy in the message, for example
 * "AI (17): illegal day of month: (17)2612|32|"; *m is then unspecified.
 */
int	gs1_parse(struct gs1_msg *m, const struct gs1_table *t,
	    const char *s, size_t len, const struct gs1_parse_opts *o,
	    struct diag *d);

/* The first element with this AI, or NULL. */
const struct gs1_element *gs1_msg_find(const struct gs1_msg *m,
	    const char *ai);

/*
 * Append an element (the value is copied).  Checks the value's syntax as
 * gs1_parse() does.  Errors: DIAG_INPUT.
 */
int	gs1_msg_add(struct gs1_msg *m, const char *ai, const char *value,
	    size_t len, struct diag *d);

/* Start an empty message over table `t`. */
void	gs1_msg_init(struct gs1_msg *m, const struct gs1_table *t);

enum gs1_profile {
	GS1_PROFILE_NONE,	/* syntax only */
	GS1_PROFILE_GS1,	/* plus pairing rules (req=, ex=) */
	GS1_PROFILE_DSCSA,	/* plus 01+21+10+17, serial <= 20, no day 00, expiry */
};

struct gs1_date {
	int	year, month, day;
};

struct gs1_validate_opts {
	enum gs1_profile profile;
	struct gs1_date	 today;		/* reference date: century rule, expiry */
};

/*
 * Check pairing rules and, for GS1_PROFILE_DSCSA, the DSCSA product
 * identifier rules, in that order; report the first failure.
 * Errors: DIAG_INPUT.
 */
int	gs1_validate(const struct gs1_msg *m, const struct gs1_validate_opts *o,
	    struct diag *d);

struct gs1_render_opts {
	bool		 compact;	/* predefined-length AIs first */
	const char	*dl_stem;	/* NULL: https://id.gs1.org */
	const char	*sym;		/* GS1_FORM_SCAN: NULL means "]d2" */
};
#define GS1_RENDER_OPTS_INIT	{ false, NULL, NULL }

/*
 * Render `m` in `form` into buf (cap bytes, NUL-terminated); *outlen gets
 * the length without the NUL (may be NULL).  Errors: DIAG_INPUT if it does
 * not fit or the form cannot carry the message (a DL URI needs a primary
 * key).
 */
int	gs1_render(const struct gs1_msg *m, enum gs1_form form,
	    const struct gs1_render_opts *o, char *buf, size_t cap,
	    size_t *outlen, struct diag *d);

/* GenSpecs 7.9.1: the mod-10 check digit ('0'..'9') of `len` digits. */
char	gs1_check_digit(const char *digits, size_t len);

/* GenSpecs 7.11: is `c` in CSET 82 / CSET 39? (our own tables, no ctype) */
bool	gs1_is_cset82(unsigned char c);
bool	gs1_is_cset39(unsigned char c);

/*
 * GenSpecs 7.12: the date a YYMMDD value stands for, the century chosen
 * from `today`.  Day 00 becomes the last day of the month, with *day00
 * set (may be NULL).  Returns 0, or -1 if s is not a valid YYMMDD.
 */
int	gs1_date_from_yymmdd(const char *s, const struct gs1_date *today,
	    struct gs1_date *out, bool *day00);

/* Days from a to b (negative if b is earlier). */
long	gs1_date_diff(const struct gs1_date *a, const struct gs1_date *b);

#endif /* DSCSA_GS1_H */
