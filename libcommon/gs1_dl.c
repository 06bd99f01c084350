/*
 * gs1_dl: GS1 Digital Link URIs both ways (GS1 Digital Link URI Syntax
 * 1.4: section 4 path structure, 5 query, 6 percent-encoding).
 *
 * Parsing: scheme http or https (all lower or all upper case), any host,
 * any path stem before the primary key; the primary key is the rightmost
 * path segment that names a dictionary "dlpkey" AI and is followed only by
 * key-qualifier pairs, in one of the key's qualifier orders ("dlpkey=22,10,
 * 21|235").  Query parameters with numeric names are AIs, which must be
 * Digital Link data attributes ('?' flag); other names (linkType, context,
 * reqGLN, ...) are ignored.  The convenience alphas of DL 1.1 (/gtin/,
 * /lot/, /ser/ ...; ?exp=) are deprecated and the GS1 Syntax Engine refuses
 * them, but the DSCSA Verification Router Service requests use them (GS1
 * Lightweight Messaging Standard for Verification of Product Identifiers
 * 1.1, section 4), so we accept them and note GS1_NOTE_DL_CONVENIENCE.
 *
 * Rendering: stem, /key/value, qualifiers in the key's order, then the
 * other AIs as ?ai=value in message order; or the VRS request form
 * /gtin/../lot/../ser/..?exp=...  Values are percent-encoded except the
 * RFC 3986 unreserved characters A-Za-z0-9-._~ (DL 1.4 section 6).  This is
 * a different escaper from EPC URIs (TDS Table A-1), which the epc module
 * owns.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "gs1_int.h"

#define GS1_DL_SEG_MAX	(2 * GS1_MAX_AIS + 32)

/* DL 1.1 convenience alphas (Table 2) and the AIs they stand for. */
static const struct {
	const char	*name;
	const char	*ai;
} alphas[] = {
	{ "gtin", "01" },	{ "itip", "8006" },	{ "cpv", "22" },
	{ "lot", "10" },	{ "ser", "21" },	{ "sscc", "00" },
	{ "gln", "414" },	{ "glnx", "254" },	{ "party", "417" },
	{ "gsrnp", "8017" },	{ "gsrn", "8018" },
	{ "srin", "8019" },
	{ "grai", "8003" },	{ "giai", "8004" },	{ "gdti", "253" },
	{ "gcn", "255" },	{ "ginc", "401" },	{ "gsin", "402" },
	{ "cpid", "8010" },	{ "cpsn", "8011" },	{ "gmn", "8013" },
	{ "tpx", "235" },	{ "exp", "17" },
};

struct seg {
	const char	*p;
	size_t		 len;
};

/* The AI a path segment or query key names: digits, or an alpha. */
static const char *
seg_ai(const struct gs1_table *t, const char *s, size_t len, bool *alpha,
    char *buf)
{
	*alpha = false;
	if (len >= 2 && len <= GS1_AI_LEN_MAX) {
		bool digits = true;

		for (size_t i = 0; i < len; i++)
			if (s[i] < '0' || s[i] > '9')
				digits = false;
		if (digits) {
			if (gs1_table_find(t, s, len) == NULL)
				return NULL;
			memcpy(buf, s, len);
			buf[len] = '\0';
			return buf;
		}
	}
	for (size_t i = 0; i < sizeof(alphas) / sizeof(alphas[0]); i++)
		if (strlen(alphas[i].name) == len &&
		    memcmp(alphas[i].name, s, len) == 0) {
			*alpha = true;
			return alphas[i].ai;
		}
	return NULL;
}

/* Percent-decode (and '+' to space in the query) into out; -1 if bad. */
static int
pct_decode(const char *s, size_t len, bool query, char *out, size_t *olen)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			int h, l;

			if (i + 2 >= len)
				return -1;
			h = gs1_hex_value((unsigned char)s[i + 1]);
			l = gs1_hex_value((unsigned char)s[i + 2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0))
				return -1;
			out[n++] = (char)(h * 16 + l);
			i += 2;
		} else if (query && s[i] == '+') {
			out[n++] = ' ';
		} else {
			out[n++] = s[i];
		}
	}
	*olen = n;
	return 0;
}

/* Is `ai` one of the comma-separated AIs of qualifier sequence q? */
static bool
in_seq(const char *q, size_t qlen, const char *ai)
{
	size_t al = strlen(ai), i = 0;

	while (i < qlen) {
		size_t j = i;

		while (j < qlen && q[j] != ',')
			j++;
		if (j - i == al && memcmp(q + i, ai, al) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

/* Position of `ai` in sequence q, or -1. */
static int
seq_pos(const char *q, size_t qlen, const char *ai)
{
	size_t al = strlen(ai), i = 0;
	int k = 0;

	while (i < qlen) {
		size_t j = i;

		while (j < qlen && q[j] != ',')
			j++;
		if (j - i == al && memcmp(q + i, ai, al) == 0)
			return k;
		k++;
		i = j + 1;
	}
	return -1;
}

/*
 * Do the qualifiers `q[0..n)` (AIs, in path order) follow one of the
 * key's sequences "22,10,21|235" in order?
 */
static bool
quals_ok(const char *dlpkey, const char *const *q, size_t n)
{
	const char *alt = dlpkey;

	if (n == 0)
		return true;
	while (alt != NULL && *alt != '\0') {
		const char *bar = strchr(alt, '|');
		size_t alen = bar ? (size_t)(bar - alt) : strlen(alt);
		int last = -1;
		size_t i;

		for (i = 0; i < n; i++) {
			int p = seq_pos(alt, alen, q[i]);

			if (p <= last)
				break;
			last = p;
		}
		if (i == n)
			return true;
		alt = bar ? bar + 1 : NULL;
	}
	return false;
}

static bool
is_qualifier(const char *dlpkey, const char *ai)
{
	const char *alt = dlpkey;

	while (alt != NULL && *alt != '\0') {
		const char *bar = strchr(alt, '|');
		size_t alen = bar ? (size_t)(bar - alt) : strlen(alt);

		if (in_seq(alt, alen, ai))
			return true;
		alt = bar ? bar + 1 : NULL;
	}
	return false;
}

static int
dl_error(struct diag *d, const char *s, size_t len, size_t pos, size_t elen,
    const char *what)
{
	if (pos > len)
		pos = len;
	if (elen > len - pos)
		elen = len - pos;
	return diag_input(d, "Digital Link: %s: %.*s|%.*s|%.*s", what,
	    (int)pos, s, (int)elen, s + pos, (int)(len - pos - elen),
	    s + pos + elen);
}

static int
add_decoded(struct gs1_msg *m, const char *ai, const char *s, size_t len,
    bool query, size_t off, const char *whole, size_t wlen,
    const struct gs1_parse_opts *o, struct diag *d)
{
	char buf[3 * GS1_MAX_VALUE + 3];
	size_t n;

	if (gs1_msg_find(m, ai) != NULL)
		return dl_error(d, whole, wlen, off, len, "AI given twice");
	if (len > sizeof(buf) - 1)
		return dl_error(d, whole, wlen, off, len, "value too long");
	if (pct_decode(s, len, query, buf, &n) != 0)
		return dl_error(d, whole, wlen, off, len,
		    "bad percent-encoding");
	if (n == 0)
		return dl_error(d, whole, wlen, off, len, "empty value");
	return gs1_el_append(m, ai, strlen(ai), buf, n, off, o->unknown_ais,
	    false, d);
}

int
gs1_parse_dl(struct gs1_msg *m, const char *s, size_t len,
    const struct gs1_parse_opts *o, struct diag *d)
{
	struct seg seg[GS1_DL_SEG_MAX];
	const char *quals[GS1_MAX_AIS];
	const char *keyai = NULL;
	const struct gs1_ai *key;
	size_t i, hstart, pstart, pend, nseg = 0, nq = 0, k;
	char abuf[GS1_DL_SEG_MAX][GS1_AI_LEN_MAX + 1];
	bool alpha, upper;

	if (len >= 8 && memcmp(s, "https://", 8) == 0) {
		hstart = 8;
		upper = false;
	} else if (len >= 7 && memcmp(s, "http://", 7) == 0) {
		hstart = 7;
		upper = false;
	} else if (len >= 8 && memcmp(s, "HTTPS://", 8) == 0) {
		hstart = 8;
		upper = true;
	} else if (len >= 7 && memcmp(s, "HTTP://", 7) == 0) {
		hstart = 7;
		upper = true;
	} else {
		return dl_error(d, s, len, 0, len < 8 ? len : 8,
		    "scheme must be http:// or https://");
	}
	(void)upper;
	for (i = hstart; i < len && s[i] != '/' && s[i] != '?' &&
	    s[i] != '#'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(gs1_cclass[c] & (GS1_CC_N | GS1_CC_Z)) && c != '.' &&
		    c != ':' && c != '[' && c != ']')
			return dl_error(d, s, len, i, 1, "bad host character");
	}
	if (i == hstart)
		return dl_error(d, s, len, hstart, 0, "no host");
	pstart = i;
	for (pend = pstart; pend < len && s[pend] != '?' && s[pend] != '#';
	    pend++) {
		unsigned char c = (unsigned char)s[pend];

		if (c <= 0x20 || c >= 0x7f)
			return dl_error(d, s, len, pend, 1,
			    "bad character in path");
	}
	/* Split the path into segments. */
	for (i = pstart; i < pend;) {
		size_t j = i + 1;

		while (j < pend && s[j] != '/')
			j++;
		if (j == i + 1)
			return dl_error(d, s, len, i, 1, j == pend ?
			    "trailing '/'" : "empty path segment");
		if (nseg == GS1_DL_SEG_MAX)
			return dl_error(d, s, len, i, pend - i,
			    "too many path segments");
		seg[nseg].p = s + i + 1;
		seg[nseg].len = j - i - 1;
		nseg++;
		i = j;
	}
	/* The rightmost primary key followed by an even number of segments. */
	for (k = nseg >= 2 ? nseg - 2 : 0; nseg >= 2; k -= 2) {
		const char *a = seg_ai(m->table, seg[k].p, seg[k].len, &alpha,
		    abuf[k]);
		const struct gs1_ai *def = a ? gs1_table_find(m->table, a,
		    strlen(a)) : NULL;

		if (def != NULL && def->dlkey) {
			keyai = a;
			if (alpha)
				m->notes |= GS1_NOTE_DL_CONVENIENCE;
			break;
		}
		if (k < 2)
			break;
	}
	if (keyai == NULL)
		return dl_error(d, s, len, pstart, pend - pstart,
		    "no primary key (such as /01/ GTIN) in the path");
	key = gs1_table_find(m->table, keyai, strlen(keyai));
	if (strcmp(keyai, "01") == 0 && seg[k + 1].len != 14)
		return dl_error(d, s, len, (size_t)(seg[k + 1].p - s),
		    seg[k + 1].len, "a GTIN in a Digital Link must have 14 "
		    "digits");
	if (add_decoded(m, keyai, seg[k + 1].p, seg[k + 1].len, false,
	    (size_t)(seg[k + 1].p - s), s, len, o, d) != 0)
		return -1;
	for (size_t q = k + 2; q < nseg; q += 2) {
		const char *a = seg_ai(m->table, seg[q].p, seg[q].len, &alpha,
		    abuf[q]);

		if (a == NULL || !is_qualifier(gs1_ai_dlpkey(m->table, key), a))
			return dl_error(d, s, len, (size_t)(seg[q].p - s),
			    seg[q].len, "not a key qualifier of the primary "
			    "key");
		if (alpha)
			m->notes |= GS1_NOTE_DL_CONVENIENCE;
		quals[nq++] = a;
		if (!quals_ok(gs1_ai_dlpkey(m->table, key), quals, nq))
			return dl_error(d, s, len, (size_t)(seg[q].p - s),
			    seg[q].len, "key qualifiers out of order");
		if (add_decoded(m, a, seg[q + 1].p, seg[q + 1].len, false,
		    (size_t)(seg[q + 1].p - s), s, len, o, d) != 0)
			return -1;
	}
	/* Query: numeric keys are AIs; exp= is AI (17); others ignored. */
	if (pend < len && s[pend] == '?') {
		size_t qend = pend + 1;

		while (qend < len && s[qend] != '#')
			qend++;
		for (i = pend + 1; i < qend;) {
			size_t j = i, eq;
			const char *a;
			const struct gs1_ai *def;
			char nb[GS1_AI_LEN_MAX + 1];
			bool digits = true;

			while (j < qend && s[j] != '&')
				j++;
			for (eq = i; eq < j && s[eq] != '='; eq++)
				if (s[eq] < '0' || s[eq] > '9')
					digits = false;
			if (j == i) {
				i = j + 1;
				continue;
			}
			if (digits && eq - i >= 2 && eq - i <= 4) {
				memcpy(nb, s + i, eq - i);
				nb[eq - i] = '\0';
				a = nb;
				alpha = false;
				def = gs1_table_find(m->table, a, eq - i);
				if (def == NULL && !o->unknown_ais)
					return dl_error(d, s, len, i, eq - i,
					    "unknown AI in the query");
			} else if (eq - i == 3 &&
			    memcmp(s + i, "exp", 3) == 0) {
				a = "17";
				alpha = true;
				def = gs1_table_find(m->table, a, 2);
			} else if (digits) {
				return dl_error(d, s, len, i, eq - i,
				    "bad AI in the query");
			} else {
				i = j + 1;	/* linkType, context, ... */
				continue;
			}
			if (eq == j)
				return dl_error(d, s, len, i, j - i,
				    "query parameter without a value");
			if (def != NULL && (def->dlkey &&
			    strcmp(a, keyai) == 0))
				return dl_error(d, s, len, i, eq - i,
				    "primary key repeated in the query");
			if (def != NULL && is_qualifier(gs1_ai_dlpkey(m->table, key), a))
				return dl_error(d, s, len, i, eq - i,
				    "key qualifier belongs in the path");
			if (def != NULL && !def->dlattr)
				return dl_error(d, s, len, i, eq - i,
				    "AI is not a Digital Link data attribute");
			if (alpha)
				m->notes |= GS1_NOTE_DL_CONVENIENCE;
			if (add_decoded(m, a, s + eq + 1, j - eq - 1, true,
			    eq + 1, s, len, o, d) != 0)
				return -1;
			i = j + 1;
		}
	}
	return 0;
}

static void
put_pct(struct gs1_out *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((gs1_cclass[c] & (GS1_CC_N | GS1_CC_Z)) || c == '.' ||
		    c == '~') {
			gs1_out_ch(w, (char)c);
		} else {
			gs1_out_ch(w, '%');
			gs1_out_ch(w, hex[c >> 4]);
			gs1_out_ch(w, hex[c & 15]);
		}
	}
}

static void
put_stem(struct gs1_out *w, const struct gs1_render_opts *o)
{
	const char *stem = o->dl_stem ? o->dl_stem : "https://id.gs1.org";
	size_t n = strlen(stem);

	while (n > 0 && stem[n - 1] == '/')
		n--;
	gs1_out_put(w, stem, n);
}

int
gs1_render_dl(const struct gs1_msg *m, bool vrs,
    const struct gs1_render_opts *o, struct gs1_out *w, struct diag *d)
{
	const struct gs1_element *key = NULL;
	bool used[GS1_MAX_AIS] = { false };
	const char *alt = NULL;
	size_t altlen = 0;
	char sep = '?';

	if (o->dl_stem != NULL && strncmp(o->dl_stem, "http://", 7) != 0 &&
	    strncmp(o->dl_stem, "https://", 8) != 0)
		return diag_input(d, "Digital Link stem must start with "
		    "http:// or https://");
	for (size_t i = 1; i < m->n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->el[i].ai, m->el[j].ai) == 0)
				return diag_input(d, "AI (%s) appears twice: a "
				    "Digital Link carries each AI once",
				    m->el[i].ai);
	put_stem(w, o);
	if (vrs) {
		static const char *const path[][2] = {
			{ "01", "gtin" }, { "10", "lot" }, { "21", "ser" },
		};

		for (size_t p = 0; p < 3; p++) {
			const struct gs1_element *e = gs1_msg_find(m,
			    path[p][0]);

			if (e == NULL || gs1_msg_find(m, "17") == NULL)
				return diag_input(d, "a VRS request needs AIs "
				    "(01), (10), (21) and (17)");
			used[e - m->el] = true;
			gs1_out_ch(w, '/');
			gs1_out_put(w, path[p][1], strlen(path[p][1]));
			gs1_out_ch(w, '/');
			put_pct(w, e->value, e->len);
		}
		key = gs1_msg_find(m, "17");
		used[key - m->el] = true;
		gs1_out_put(w, "?exp=", 5);
		put_pct(w, key->value, key->len);
		sep = '&';
	} else {
		for (size_t i = 0; i < m->n && key == NULL; i++)
			if (m->el[i].def != NULL &&
			    m->el[i].def->dlkey)
				key = &m->el[i];
		if (key == NULL)
			return diag_input(d, "no Digital Link primary key "
			    "(such as GTIN or SSCC) in the message");
		used[key - m->el] = true;
		gs1_out_ch(w, '/');
		gs1_out_put(w, key->ai, strlen(key->ai));
		gs1_out_ch(w, '/');
		put_pct(w, key->value, key->len);
		/* The first qualifier sequence that holds every qualifier. */
		for (const char *a = gs1_ai_dlpkey(m->table, key->def);
		    a != NULL && *a != '\0';) {
			const char *bar = strchr(a, '|');
			size_t al = bar ? (size_t)(bar - a) : strlen(a);
			bool all = true;

			for (size_t i = 0; i < m->n; i++)
				if (is_qualifier(gs1_ai_dlpkey(m->table, key->def),
				    m->el[i].ai) && !in_seq(a, al, m->el[i].ai))
					all = false;
			if (all) {
				alt = a;
				altlen = al;
				break;
			}
			a = bar ? bar + 1 : NULL;
		}
		if (alt == NULL && gs1_ai_dlpkey(m->table, key->def)[0] != '\0') {
			for (size_t i = 0; i < m->n; i++)
				if (is_qualifier(gs1_ai_dlpkey(m->table, key->def), m->el[i].ai))
					return diag_input(d, "AI (%s) cannot "
					    "be combined with the other key "
					    "qualifiers of AI (%s)",
					    m->el[i].ai, key->ai);
		}
		for (size_t q = 0; alt != NULL && q < altlen;) {
			size_t j = q;

			while (j < altlen && alt[j] != ',')
				j++;
			for (size_t i = 0; i < m->n; i++)
				if (!used[i] && strlen(m->el[i].ai) == j - q &&
				    memcmp(m->el[i].ai, alt + q, j - q) == 0) {
					used[i] = true;
					gs1_out_ch(w, '/');
					gs1_out_put(w, m->el[i].ai, j - q);
					gs1_out_ch(w, '/');
					put_pct(w, m->el[i].value,
					    m->el[i].len);
				}
			q = j + 1;
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct gs1_element *e = &m->el[i];

		if (used[i])
			continue;
		if (e->def == NULL || !e->def->dlattr)
			return diag_input(d, "AI (%s) cannot be carried in a "
			    "Digital Link URI", e->ai);
		gs1_out_ch(w, sep);
		gs1_out_put(w, e->ai, strlen(e->ai));
		gs1_out_ch(w, '=');
		put_pct(w, e->value, e->len);
		sep = '&';
	}
	return 0;
}
