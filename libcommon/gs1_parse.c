/*
 * gs1_parse: every input form into one struct gs1_msg.
 *
 * Forms (recognised from the first bytes): bracketed "[01]...", HRI
 * "(01)..." with "\(" for a literal '(' in a value (the GS1 Syntax
 * Engine's convention), unbracketed element strings with GS (0x1D) or '^'
 * as FNC1 ("^01..." or "01..."), scanner data with an AIM symbology
 * identifier (ISO/IEC 15424; "]d2" GS1 DataMatrix, "]C1" GS1-128, "]Q3"
 * GS1 QR Code, "]e0" GS1 DataBar and composites, "]J1" GS1 DotCode, "]E0"
 * EAN-13/UPC-A, "]E4" EAN-8; "]d1", "]Q1", "]J0" carry plain data, which
 * we accept when it is a GS1 Digital Link URI), and GS1 Digital Link URIs
 * (gs1_dl.c).
 *
 * Unbracketed data is split as GenSpecs 7.8.5 prescribes: the first two
 * digits of an AI give its length (the table's plen[]); a predefined-length
 * AI ('*' in the dictionary) has a fixed number of data characters and
 * needs no separator; every other AI's data runs to the next FNC1 or the
 * end.  We never guess where a missing separator belongs: a value longer
 * than its AI allows is reported as ambiguous.
 *
 * Invariants kept by every parser here:
 *  1. the input is never written to;
 *  2. m->el[0..n) point into m->data, each value NUL-terminated, values in
 *     input order;
 *  3. every value has passed gs1_check_value() before it is counted in n;
 *  4. no allocation: the message is the caller's value.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "gs1_int.h"

#define GS	'\x1d'

void
gs1_msg_init(struct gs1_msg *m, const struct gs1_table *t)
{
	m->table = t != NULL ? t : gs1_table_embedded();
	m->n = 0;
	m->notes = 0;
	m->sym[0] = '\0';
	m->datalen = 0;
	m->data[0] = '\0';
}

void
gs1_msg_copy(struct gs1_msg *dst, const struct gs1_msg *src)
{
	dst->table = src->table;
	dst->n = src->n;
	dst->notes = src->notes;
	memcpy(dst->sym, src->sym, sizeof(dst->sym));
	dst->datalen = src->datalen;
	memcpy(dst->data, src->data, src->datalen + 1);
	for (size_t i = 0; i < src->n; i++) {
		dst->el[i] = src->el[i];
		dst->el[i].value = dst->data + (src->el[i].value - src->data);
	}
}

const struct gs1_element *
gs1_msg_find(const struct gs1_msg *m, const char *ai)
{
	for (size_t i = 0; i < m->n; i++)
		if (gs1_el_is(&m->el[i], ai))
			return &m->el[i];
	return NULL;
}

int
gs1_value_error(struct diag *d, const char *prefix, const char *ai,
    const char *what, const char *v, size_t len, size_t pos, size_t elen)
{
	if (pos > len)
		pos = len;
	if (elen > len - pos)
		elen = len - pos;
	return diag_input(d, "%sAI (%s): %s: (%s)%.*s|%.*s|%.*s", prefix, ai,
	    what, ai, (int)pos, v, (int)elen, v + pos,
	    (int)(len - pos - elen), v + pos + elen);
}

/*
 * A structural error in the input: the message, then the input around the
 * blamed bytes with them marked, e.g. "no AI after '[': [01]0031|[|".
 */
static int
input_error(struct diag *d, const char *s, size_t len, size_t pos,
    size_t elen, const char *what)
{
	size_t from = pos > 40 ? pos - 40 : 0;
	size_t to;

	if (pos > len)
		pos = len;
	if (elen > len - pos)
		elen = len - pos;
	to = pos + elen + 40 < len ? pos + elen + 40 : len;
	return diag_input(d, "%s: %s%.*s|%.*s|%.*s%s", what,
	    from > 0 ? "..." : "", (int)(pos - from), s + from, (int)elen,
	    s + pos, (int)(to - pos - elen), s + pos + elen,
	    to < len ? "..." : "");
}

/*
 * A quick yes for the commonest value, one CSET 82 component without
 * linters (lot, serial): true only where gs1_check_value() would say OK;
 * false sends the value to it for the full check and the error.
 */
static inline bool
plain_x_ok(const struct gs1_ai *a, const char *v, size_t n)
{
	const unsigned char *u = (const unsigned char *)v;
	unsigned acc = GS1_CC_X;

	if (a == NULL || a->ncomp != 1 || a->comp[0].cset != 'X' ||
	    a->comp[0].nlint != 0 || n == 0 || n < a->minlen ||
	    n < a->comp[0].min || n > a->maxlen)
		return false;
	for (size_t i = 0; i < n; i++)
		acc &= gs1_cclass[u[i]];
	return acc != 0;
}

/* memcpy() for the short values of element strings, overlapping moves. */
static inline void
copy_short(char *out, const char *v, size_t n)
{
	if (n >= 8 && n <= 16) {
		memcpy(out, v, 8);
		memcpy(out + n - 8, v + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(out, v, 4);
		memcpy(out + n - 4, v + n - 4, 4);
	} else {
		memcpy(out, v, n);
	}
}

/*
 * Append one element.  `unescape` turns "\(" into "(" (HRI form).
 * `src_off` is where the value starts in the input.
 */
/* gs1_el_append() with the AI's entry already looked up (NULL: unknown). */
static GS1_HOT_INLINE int
append_def(struct gs1_msg *m, const struct gs1_ai *def, const char *ai,
    size_t ailen, const char *v, size_t vlen, size_t src_off,
    bool unknown_ok, bool unescape, struct diag *d)
{
	struct gs1_element *e;
	enum gs1_lint r;
	size_t pos, elen, n = 0;
	char *out;

	if (m->n == GS1_MAX_AIS)
		return diag_input(d, "more than %d AIs in one message",
		    GS1_MAX_AIS);
	if (def == NULL && !unknown_ok)
		return diag_input(d, "unknown AI (%.*s)", (int)ailen, ai);
	/* Written "\(", a '(' takes two bytes of HRI input. */
	if (vlen > (unescape ? 2 : 1) * (GS1_MAX_VALUE + 1)) {
		return diag_input(d, "AI (%.*s): value longer than %d "
		    "characters", (int)ailen, ai, GS1_MAX_VALUE);
	}
	if (m->datalen + vlen + 1 > sizeof(m->data))
		return diag_input(d, "message longer than %d characters",
		    GS1_MAX_DATA);
	out = m->data + m->datalen;
	if (!unescape) {
		copy_short(out, v, vlen);
		n = vlen;
	} else {
		for (size_t i = 0; i < vlen; i++) {
			if (v[i] == '\\' && i + 1 < vlen && v[i + 1] == '(')
				i++;
			out[n++] = v[i];
		}
	}
	out[n] = '\0';
	e = &m->el[m->n];
	/* 2 to 4 digits (the parsers checked), without a loop. */
	e->ai[0] = ai[0];
	e->ai[1] = ai[1];
	e->ai[2] = ailen > 2 ? ai[2] : '\0';
	e->ai[3] = ailen > 3 ? ai[3] : '\0';
	e->ai[4] = '\0';
	if (!plain_x_ok(def, out, n) &&
	    (r = gs1_check_value(def, out, n, &pos, &elen)) != GS1_LINT_OK)
		return gs1_value_error(d, "", e->ai, gs1_lint_str(r), out, n,
		    pos, elen);
	e->value = out;
	e->len = n;
	e->src_off = src_off;
	e->def = def;
	m->datalen += n + 1;
	m->n++;
	return 0;
}

int
gs1_el_append(struct gs1_msg *m, const char *ai, size_t ailen, const char *v,
    size_t vlen, size_t src_off, bool unknown_ok, bool unescape,
    struct diag *d)
{
	return append_def(m, gs1_table_find(m->table, ai, ailen), ai, ailen, v,
	    vlen, src_off, unknown_ok, unescape, d);
}

int
gs1_msg_add(struct gs1_msg *m, const char *ai, const char *value,
    size_t len, struct diag *d)
{
	size_t ailen = strlen(ai);

	if (ailen < 2 || ailen > GS1_AI_LEN_MAX ||
	    gs1_table_find(m->table, ai, ailen) == NULL)
		return diag_input(d, "unknown AI (%s)", ai);
	if (memchr(value, '\0', len) != NULL)
		return diag_input(d, "AI (%s): NUL byte in value", ai);
	return gs1_el_append(m, ai, ailen, value, len, 0, false, false, d);
}

/* "[01]...[17]..." or, with open '(', "(01)...(17)..." */
static int
parse_bracketed(struct gs1_msg *m, const char *s, size_t len, char open,
    const struct gs1_parse_opts *o, struct diag *d)
{
	char close = open == '[' ? ']' : ')';
	size_t i = 0;

	while (i < len) {
		size_t j, k;

		if (s[i] != open)
			return input_error(d, s, len, i, 1, open == '[' ?
			    "expected '['" : "expected '('");
		for (j = i + 1; j < len && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j == len || s[j] != close || j - i - 1 < 2 ||
		    j - i - 1 > GS1_AI_LEN_MAX)
			return input_error(d, s, len, i, j - i + (j < len),
			    "bad AI");
		k = j + 1;
		if (open == '[') {
			const char *nx = memchr(s + k, '[', len - k);

			k = nx != NULL ? (size_t)(nx - s) : len;
		} else {
			while (k < len && !(s[k] == '(' && s[k - 1] != '\\'))
				k++;
		}
		if (append_def(m, gs1_table_find_digits(m->table, s + i + 1,
		    j - i - 1), s + i + 1, j - i - 1, s + j + 1, k - j - 1,
		    j + 1, o->unknown_ais, open == '(', d) != 0)
			return -1;
		i = k;
	}
	return 0;
}

/*
 * The first separator (GS, or '^' if `caret`) in s[from .. to), or `to`.
 */
static size_t
find_sep(const char *s, size_t from, size_t to, bool caret)
{
	const char *p;

	if (!caret) {
		p = memchr(s + from, GS, to - from);
		return p != NULL ? (size_t)(p - s) : to;
	}
	while (from < to && s[from] != GS && s[from] != '^')
		from++;
	return from;
}

/*
 * Unbracketed element strings from s[0], FNC1 written as GS or '^' (the
 * caller may promise that there is no '^': caret false).  `base` is the
 * offset of s in the whole input (for src_off).
 */
static int
parse_raw(struct gs1_msg *m, const char *s, size_t len, size_t base,
    const char *whole, size_t wlen, bool caret,
    const struct gs1_parse_opts *o, struct diag *d)
{
	size_t i = 0;

	if (len == 0)
		return diag_input(d, "no element strings");
	while (i < len) {
		const struct gs1_ai *def;
		size_t ailen, vstart, vend;

		if (s[i] == GS || s[i] == '^') {
			if (i + 1 == len) {
				m->notes |= GS1_NOTE_TRAILING_GS;
				break;
			}
			if (i == 0 || s[i - 1] == GS || s[i - 1] == '^')
				return input_error(d, whole, wlen, base + i, 1,
				    i == 0 ? "separator before the first AI" :
				    "two separators in a row");
			i++;
			continue;
		}
		if (len - i < 2 || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' ||
		    s[i + 1] > '9' || (ailen = m->table->plen[(s[i] - '0') *
		    10 + (s[i + 1] - '0')]) == 0)
			return input_error(d, whole, wlen, base + i,
			    len - i < 2 ? len - i : 2, "unknown AI");
		if (len - i < ailen)
			return input_error(d, whole, wlen, base + i, len - i,
			    "AI cut short");
		for (size_t k = i + 2; k < i + ailen; k++)
			if (s[k] < '0' || s[k] > '9')
				return input_error(d, whole, wlen, base + i,
				    ailen, "bad AI");
		def = gs1_table_find_digits(m->table, s + i, ailen);
		if (def == NULL && !o->unknown_ais)
			return input_error(d, whole, wlen, base + i, ailen,
			    "unknown AI");
		vstart = i + ailen;
		if (def != NULL && !def->fnc1) {
			vend = vstart + def->maxlen;
			if (vend > len)
				vend = len;
			else
				vend = find_sep(s, vstart, vend, caret);
		} else {
			vend = find_sep(s, vstart, len, caret);
			if (def != NULL && vend - vstart > def->maxlen) {
				/* GenSpecs 7.8.5: never guess a split. */
				return input_error(d, whole, wlen, base +
				    vstart + def->maxlen, vend - vstart -
				    def->maxlen, "ambiguous: value of a "
				    "variable-length AI runs past its maximum "
				    "length (missing separator?)");
			}
		}
		if (append_def(m, def, s + i, ailen, s + vstart, vend - vstart,
		    base + vstart, o->unknown_ais, false, d) != 0)
			return -1;
		i = vend;
	}
	return 0;
}

/* AIM symbology identifiers that carry GS1 element strings. */
static bool
sym_is_gs1(const char *s)
{
	static const char *const ids[] = { "]d2", "]C1", "]Q3", "]e0", "]J1" };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (memcmp(s, ids[i], 3) == 0)
			return true;
	return false;
}

bool
gs1_sym_is_gs1(const char *sym)
{
	return sym != NULL && strlen(sym) == 3 && sym_is_gs1(sym);
}

static int
parse_scan(struct gs1_msg *m, const char *s, size_t len,
    const struct gs1_parse_opts *o, struct diag *d)
{
	const char *p = s + 3;
	size_t n = len - 3;

	if (len < 3)
		return input_error(d, s, len, 0, len,
		    "bad symbology identifier");
	memcpy(m->sym, s, 3);
	m->sym[3] = '\0';
	if (memchr(s, '^', len) != NULL)
		return input_error(d, s, len, (size_t)((const char *)memchr(s,
		    '^', len) - s), 1, "'^' in scan data");
	if (sym_is_gs1(s)) {
		if (n > 0 && *p == GS) {
			if (!o->lenient)
				return input_error(d, s, len, 3, 1, "GS right "
				    "after the symbology identifier");
			m->notes |= GS1_NOTE_LEADING_GS;
			p++;
			n--;
		}
		/* No '^' (refused above). */
		return parse_raw(m, p, n, (size_t)(p - s), s, len, false, o,
		    d);
	}
	if (memcmp(s, "]E0", 3) == 0 || memcmp(s, "]E4", 3) == 0) {
		/* EAN-13 / UPC-A and EAN-8: a GTIN, zero-padded to 14. */
		size_t want = s[2] == '0' ? 13 : 8;
		char gtin[14];

		if (n != want)
			return input_error(d, s, len, 3, n, want == 13 ?
			    "EAN-13 data must be 13 digits" :
			    "EAN-8 data must be 8 digits");
		memset(gtin, '0', 14 - want);
		memcpy(gtin + 14 - want, p, want);
		return gs1_el_append(m, "01", 2, gtin, 14, 3, false, false, d);
	}
	if (memcmp(s, "]d1", 3) == 0 || memcmp(s, "]Q1", 3) == 0 ||
	    memcmp(s, "]J0", 3) == 0) {
		if (n >= 7 && (strncmp(p, "http://", 7) == 0 ||
		    strncmp(p, "https://", 8) == 0 ||
		    strncmp(p, "HTTP://", 7) == 0 ||
		    strncmp(p, "HTTPS://", 8) == 0)) {
			char sym[4];
			int rc;

			memcpy(sym, m->sym, sizeof(sym));
			rc = gs1_parse_dl(m, p, n, o, d);
			memcpy(m->sym, sym, sizeof(sym));
			return rc;
		}
		return input_error(d, s, len, 0, 3, "symbology identifier "
		    "carries plain data, not GS1 element strings");
	}
	return input_error(d, s, len, 0, 3, "symbology identifier does not "
	    "carry GS1 data");
}

/* The raw message length (AIs, values, separators) of m, GenSpecs 7.8.5. */
static size_t
raw_len(const struct gs1_msg *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++) {
		n += (m->el[i].def ? m->el[i].def->ailen :
		    strlen(m->el[i].ai)) + m->el[i].len;
		if (i + 1 < m->n && gs1_el_needs_fnc1(&m->el[i]))
			n++;
	}
	return n;
}

/* U+241D SYMBOL FOR GROUP SEPARATOR, as keyboard-wedge scanners send it. */
static const char visible_gs[] = "\xe2\x90\x9d";

static const char *
find_visible_gs(const char *s, size_t len)
{
	for (size_t i = 0; i + 3 <= len; i++)
		if (s[i] == visible_gs[0] && memcmp(s + i, visible_gs, 3) == 0)
			return s + i;
	return NULL;
}

static int
parse_any(struct gs1_msg *m, const char *s, size_t len,
    const struct gs1_parse_opts *o, struct diag *d)
{
	switch (s[0]) {
	case '[':
		return parse_bracketed(m, s, len, '[', o, d);
	case '(':
		return parse_bracketed(m, s, len, '(', o, d);
	case '^':
		return parse_raw(m, s + 1, len - 1, 1, s, len, true, o, d);
	case ']':
		return parse_scan(m, s, len, o, d);
	case GS:
		if (!o->lenient)
			return input_error(d, s, len, 0, 1, "GS at the start: "
			    "scanner data without a symbology identifier "
			    "(accepted in lenient mode)");
		m->notes |= GS1_NOTE_NO_SYMBOLOGY_ID | GS1_NOTE_LEADING_GS;
		return parse_raw(m, s + 1, len - 1, 1, s, len, true, o, d);
	case 'h':
	case 'H':
		return gs1_parse_dl(m, s, len, o, d);
	default:
		if (s[0] >= '0' && s[0] <= '9')
			return parse_raw(m, s, len, 0, s, len, true, o, d);
		return input_error(d, s, len, 0, 1, "not a GS1 element string, "
		    "scan data or Digital Link URI");
	}
}

/*
 * Lenient reader: U+241D becomes GS.  A function of its own so that the
 * big buffer is only on the stack when it is needed.
 */
static int
parse_normalised(struct gs1_msg *m, const char *s, size_t len,
    const struct gs1_parse_opts *o, struct diag *d)
{
	char norm[GS1_RENDER_MAX + 1];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (i + 3 <= len && memcmp(s + i, visible_gs, 3) == 0) {
			norm[n++] = GS;
			i += 2;
		} else {
			norm[n++] = s[i];
		}
	}
	norm[n] = '\0';
	m->notes |= GS1_NOTE_VISIBLE_GS;
	if (norm[0] == GS || (norm[0] >= '0' && norm[0] <= '9'))
		m->notes |= GS1_NOTE_NO_SYMBOLOGY_ID;
	return parse_any(m, norm, n, o, d);
}

int
gs1_parse(struct gs1_msg *m, const struct gs1_table *t, const char *s,
    size_t len, const struct gs1_parse_opts *o, struct diag *d)
{
	static const struct gs1_parse_opts defaults = GS1_PARSE_OPTS_INIT;
	const char *vgs = NULL;
	int rc;

	if (o == NULL)
		o = &defaults;
	gs1_msg_init(m, t);
	if (len == 0)
		return diag_input(d, "empty GS1 data");
	if (len > GS1_RENDER_MAX)
		return diag_input(d, "GS1 data longer than %d bytes",
		    GS1_RENDER_MAX);
	if (memchr(s, '\0', len) != NULL)
		return diag_input(d, "NUL byte in GS1 data");
	if (memchr(s, visible_gs[0], len) != NULL)
		vgs = find_visible_gs(s, len);
	if (vgs != NULL && !o->lenient)
		return input_error(d, s, len, (size_t)(vgs - s), 3,
		    "U+241D written for GS (accepted in lenient mode)");
	if (vgs != NULL)
		rc = parse_normalised(m, s, len, o, d);
	else
		rc = parse_any(m, s, len, o, d);
	if (rc != 0)
		return rc;
	/* raw_len() <= values + NULs + 4 digits and a separator an AI. */
	if (m->datalen + 4 * m->n > GS1_MAX_DATA && raw_len(m) > GS1_MAX_DATA)
		return diag_input(d, "message longer than %d characters",
		    GS1_MAX_DATA);
	return 0;
}
