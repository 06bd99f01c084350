/*
 * gs1: the GS1 element-string engine.
 *
 * One model (struct gs1_msg: an ordered list of AI/value pairs with their
 * positions in the input) parsed from every input form: bracketed "[01]..."
 * and "(01)...", unbracketed with GS (0x1D) or '^' as FNC1, scanner data
 * with an AIM symbology identifier ("]d2", "]C1", "]Q3", "]e0", "]J1";
 * "]E0"/"]E4" EAN; "]d1"/"]Q1"/"]J0" carrying a Digital Link URI) and GS1
 * Digital Link URIs (numeric, or the VRS convenience names); rendered in
 * each of those forms, as HRI text lines and as JSON, in input order or
 * compact order (predefined-length AIs first).  A lenient reader mode
 * normalises scanner quirks and reports them as notes.  Syntax (every
 * value against the dictionary: lengths, character sets, all the
 * dictionary's linters) is checked by gs1_parse(); pairing rules and the
 * DSCSA profile by gs1_validate().  EPC URIs are the epc module's (they
 * need the company prefix length).
 *
 * Allocation: none, except gs1_table_load().  A struct gs1_msg is a value
 * the caller provides; parsing is O(length) with an O(1) AI lookup.
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

/*
 * The length (2, 3 or 4) of the AIs starting with the two digits at
 * `digits` (which must have 2 readable bytes), 0 if the table has none.
 */
size_t	gs1_table_ai_len(const struct gs1_table *t, const char *digits);

/* Where the table came from: a file name, or "embedded ... release ...". */
const char *gs1_table_source(const struct gs1_table *t);

/* Facts about one AI (borrowed from the table). */
/* The title of AI a, "BATCH/LOT" ("" if none); a must be an entry of t. */
const char *gs1_ai_title(const struct gs1_table *t, const struct gs1_ai *a);
bool	gs1_ai_needs_fnc1(const struct gs1_ai *a);	/* not predefined length */
size_t	gs1_ai_max_len(const struct gs1_ai *a);
bool	gs1_ai_is_fixed_len(const struct gs1_ai *a);
const char *gs1_ai_code(const struct gs1_ai *a);	/* "10" */
size_t	gs1_ai_min_len(const struct gs1_ai *a);
bool	gs1_ai_is_dl_attr(const struct gs1_ai *a);	/* '?' flag */
bool	gs1_ai_is_dl_key(const struct gs1_ai *a);	/* dlpkey */

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

/*
 * A parsed message.  A value type: the caller allocates it (about 10 KB).
 * The values point into m->data: copy a message with gs1_msg_copy(), not
 * with '=' (a plain copy would still point into the original).
 * For input that the lenient reader normalised (U+241D), src_off counts
 * in the normalised text.
 */
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
	GS1_FORM_DL_VRS,	/* https://../gtin/../lot/../ser/..?exp=.. */
};

/*
 * "bracketed", "hri", "gs", "caret", "scan", "dl", "json", "hri-lines",
 * "dl-vrs".  Returns 0, or -1 for an unknown name.
 */
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
 * or a digit).  `t` NULL means the embedded table; `o` may be NULL.
 * Scanner input: "]d2", "]C1", "]Q3", "]e0", "]J1" (GS1 element strings),
 * "]E0" / "]E4" (EAN-13 / EAN-8, read as AI (01)), "]d1", "]Q1", "]J0"
 * (plain data: accepted when it is a Digital Link URI); m->sym records it.
 * Strict mode refuses what lenient mode normalises and notes in m->notes:
 * a GS at the start without a symbology id, a GS right after one, U+241D
 * for GS.  Both modes accept a trailing GS (noted).  A missing separator
 * between a variable-length AI and the next one is never guessed: the
 * value runs past its maximum length and is reported as ambiguous.
 * Digital Link: numeric AI paths and the convenience names (/gtin/ /lot/
 * /ser/ ... ?exp=), noted as GS1_NOTE_DL_CONVENIENCE; any host and stem.  Every value is checked for syntax as the dictionary defines
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

/* Start an empty message over table `t` (NULL: the embedded table). */
void	gs1_msg_init(struct gs1_msg *m, const struct gs1_table *t);

/* Copy a message, values included (dst and src must not overlap). */
void	gs1_msg_copy(struct gs1_msg *dst, const struct gs1_msg *src);

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
#define GS1_VALIDATE_OPTS_INIT	{ GS1_PROFILE_GS1, { 0, 0, 0 } }

/*
 * Check, in this order, that repeated AIs have identical values; for
 * GS1_PROFILE_GS1 and DSCSA the pairing rules (the dictionary's ex= then
 * req=); for GS1_PROFILE_DSCSA the DSCSA product identifier: 01, 21, 10 and
 * 17 present, serial <= 20, GTIN indicator digit 0-8, an NDC-carrying GTIN
 * (digits 2-3 "03") or an AI (715), no day 00 in (17), expiry not before
 * o->today (year 0: today's UTC date).  Reports the first failure.
 * Errors: DIAG_INPUT, e.g. "AI (21) requires AI (01), (03) or (8006)" or
 * "DSCSA profile: missing AI (21) serial number"; DIAG_SYSTEM if today's
 * date is needed and the clock cannot be read.
 */
int	gs1_validate(const struct gs1_msg *m, const struct gs1_validate_opts *o,
	    struct diag *d);

struct gs1_render_opts {
	bool		 compact;	/* predefined-length AIs first */
	const char	*dl_stem;	/* NULL: https://id.gs1.org */
	const char	*sym;		/* GS1_FORM_SCAN: NULL means "]d2" */
	bool		 titles;	/* GS1_FORM_HRI_LINES: "GTIN (01) ..." */
};
#define GS1_RENDER_OPTS_INIT	{ false, NULL, NULL, false }

/*
 * Render `m` in `form` into buf (cap bytes, NUL-terminated); *outlen gets
 * the length without the NUL (may be NULL).  `o` may be NULL.  Separators
 * only after AIs that are not of predefined length, never at the end.
 * GS1_FORM_DL: stem, primary key, its qualifiers in dictionary order, the
 * other AIs as query attributes; GS1_FORM_DL_VRS: the VRS request path
 * /gtin/../lot/../ser/..?exp=.. (needs 01, 10, 21, 17).  JSON: an object
 * in message order; a repeated AI with an identical value is written once.
 * A GS1_RENDER_MAX buffer holds any form of any valid message.
 * Errors: DIAG_INPUT if it does not fit or the form cannot carry the
 * message (a DL URI needs a primary key; an AI without the '?' flag cannot
 * be a DL query attribute; JSON cannot hold one AI with two values).
 */
int	gs1_render(const struct gs1_msg *m, enum gs1_form form,
	    const struct gs1_render_opts *o, char *buf, size_t cap,
	    size_t *outlen, struct diag *d);

/*
 * What a linter or a value check found (GS1 Barcode Syntax Tests).  The
 * values are stable: new codes are added last.  gs1_lint_str() gives the
 * message text ("illegal day of month").
 */
#define GS1_LINT_CODES(X)						\
	X(OK,			"ok")					\
	X(NOT_DIGIT,		"non-digit character")			\
	X(NOT_CSET82,		"character not in CSET 82")		\
	X(NOT_CSET39,		"character not in CSET 39")		\
	X(NOT_CSET64,		"character not in CSET 64")		\
	X(CSET64_PADDING,	"bad CSET 64 padding")			\
	X(CHECK_DIGIT,		"incorrect check digit")		\
	X(TOO_SHORT_CHECK,	"too short for a check digit")		\
	X(CHECK_PAIR,		"incorrect check character pair")	\
	X(TOO_SHORT_PAIR,	"too short for a check character pair")	\
	X(TOO_LONG_PAIR,	"too long for a check character pair")	\
	X(TOO_SHORT_GCP,	"too short for a GS1 company prefix")	\
	X(BAD_GCP,		"invalid GS1 company prefix")		\
	X(IMPORTER_IDX,		"invalid importer index")		\
	X(ZERO,			"zero value not allowed")		\
	X(NOT_ZERO,		"value must be zero")			\
	X(ZERO_PREFIX,		"leading zero not allowed")		\
	X(NOT_YES_NO,		"value must be 0 or 1")			\
	X(WINDING,		"winding direction must be 0, 1 or 9")	\
	X(ISO3166,		"not an ISO 3166 numeric country code")	\
	X(ISO3166_999,		"not an ISO 3166 country code or 999")	\
	X(ISO3166_ALPHA2,	"not an ISO 3166 alpha-2 country code")	\
	X(ISO4217,		"not an ISO 4217 numeric currency code") \
	X(IBAN_SHORT,		"IBAN too short")			\
	X(IBAN_CHAR,		"invalid IBAN character")		\
	X(IBAN_COUNTRY,		"IBAN country code invalid")		\
	X(IBAN_CHECK,		"incorrect IBAN check digits")		\
	X(DATE_SHORT,		"date too short")			\
	X(DATE_LONG,		"date too long")			\
	X(MONTH,		"illegal month")			\
	X(DAY,			"illegal day of month")			\
	X(TIME_LENGTH,		"time has the wrong length")		\
	X(HOUR,			"illegal hour")				\
	X(MINUTE,		"illegal minute")			\
	X(SECOND,		"illegal second")			\
	X(PIECE_LENGTH,		"piece and total must have equal lengths") \
	X(PIECE_ZERO,		"piece number must not be zero")	\
	X(TOTAL_ZERO,		"total must not be zero")		\
	X(PIECE_EXCEEDS,	"piece number exceeds the total")	\
	X(PERCENT,		"invalid percent-encoding")		\
	X(COUPON_MISSING,	"coupon field missing")			\
	X(COUPON_INVALID,	"invalid coupon field")			\
	X(COUPON_TRUNCATED,	"coupon field truncated")		\
	X(COUPON_DATE,		"invalid coupon date")			\
	X(COUPON_DATE_ORDER,	"coupon expires before it starts")	\
	X(COUPON_EXCESS,	"excess data after the coupon fields")	\
	X(LATITUDE,		"latitude out of range")		\
	X(LONGITUDE,		"longitude out of range")		\
	X(MEDIA_TYPE,		"not an AIDC media type")		\
	X(PACKAGE_TYPE,		"not a package type code")		\
	X(NOT_HYPHEN,		"only hyphens are allowed")		\
	X(POS_IN_SEQ,		"invalid position in sequence")		\
	X(NO_NON_DIGIT,		"must contain a non-digit character")	\
	X(ISO5218,		"not an ISO/IEC 5218 sex code")		\
	X(ISO3166_LIST,		"not a list of ISO 3166 country codes")	\
	X(TOO_SHORT,		"value too short")			\
	X(TOO_LONG,		"value too long")			\
	X(EMPTY,		"empty value")

enum gs1_lint {
#define GS1_LINT_ENUM(id, text)	GS1_LINT_##id,
	GS1_LINT_CODES(GS1_LINT_ENUM)
#undef GS1_LINT_ENUM
	GS1_LINT_COUNT
};

/* The message of a lint code ("illegal day of month"); never NULL. */
const char *gs1_lint_str(enum gs1_lint code);

/*
 * Run the linter named `name` (as the dictionary writes it: "csum",
 * "yymmd0", ...) over `len` bytes.  On failure *pos and *elen get the
 * offset and length of the bytes to blame.  Pure: no allocation, no I/O.
 * Returns GS1_LINT_OK, the problem, or -1 if no linter has that name.
 */
int	gs1_lint_by_name(const char *name, const char *s, size_t len,
	    size_t *pos, size_t *elen);

/* GenSpecs 7.9.1: the mod-10 check digit ('0'..'9') of `len` digits. */
char	gs1_check_digit(const char *digits, size_t len);

/* GenSpecs 7.11: is `c` in CSET 82 / CSET 39? (our own tables, no ctype) */
bool	gs1_is_cset82(unsigned char c);
bool	gs1_is_cset39(unsigned char c);

/*
 * The value of a hexadecimal digit (either case), or -1: for the %hh
 * escapes of Digital Link (RFC 3986 2.1), EPC URIs (TDS Table A-1) and
 * item-line attributes.
 */
int	gs1_hex_value(unsigned char c);

/*
 * GenSpecs 7.12: the date a YYMMDD value stands for, the century chosen
 * from `today`.  Day 00 becomes the last day of the month, with *day00
 * set (may be NULL).  Returns 0, or -1 if s is not a valid YYMMDD.
 */
int	gs1_date_from_yymmdd(const char *s, const struct gs1_date *today,
	    struct gs1_date *out, bool *day00);

/* Days from a to b (negative if b is earlier). */
long	gs1_date_diff(const struct gs1_date *a, const struct gs1_date *b);

/* Is this a real Gregorian date (years 1-9999)? */
bool	gs1_date_valid(const struct gs1_date *dt);

/* "YYYY-MM-DD" (exactly) into *out; 0, or -1 if not a valid date. */
int	gs1_date_parse(const char *s, struct gs1_date *out);

/* Today's date in UTC; 0, or -1 if the clock cannot be read. */
int	gs1_date_today(struct gs1_date *out);

#endif /* DSCSA_GS1_H */
