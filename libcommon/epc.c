/*
 * epc: EPC TDS pure-identity and class URIs <-> GS1 element strings, and
 * the GS1 Company Prefix length sources (see epc.h).
 *
 * Grammar: EPC TDS 1.13 section 6.3.1 (SGTIN), 6.3.2 (SSCC), 6.3.3
 * (SGLN), 6.4.1 (LGTIN); escaping TDS Table A-1.  The GCP length is never
 * guessed (TDS section 7.1: the partition is the company prefix length,
 * which only the GS1 Member Organisation's allocation tells).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "epc.h"
#include "gs1.h"
#include "mem.h"

#define GCP_LINE_MAX	256

struct gcp_entry {
	char		prefix[EPC_GCP_MAX + 1];
	unsigned	len;
	unsigned long	line;
};

struct epc_gcp {
	unsigned	 fixed;		/* 0: use the table */
	size_t		 n;
	struct gcp_entry *e;		/* sorted by prefix */
};

/* TDS Table A-1: the seven characters that must be escaped. */
static bool
must_escape(unsigned char c)
{
	switch (c) {
	case '"': case '%': case '&': case '/': case '<': case '>': case '?':
		return true;
	default:
		return !gs1_is_cset82(c);
	}
}

size_t
epc_escape(const char *s, size_t len, char *buf, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (must_escape(c)) {
			if (cap - o < 4)
				return (size_t)-1;
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			if (cap - o < 2)
				return (size_t)-1;
			buf[o++] = (char)c;
		}
	}
	if (cap == 0)
		return (size_t)-1;
	buf[o] = '\0';
	return o;
}

size_t
epc_unescape(const char *s, size_t len, char *buf, size_t cap,
    size_t *err_off, size_t *err_len)
{
	size_t o = 0, eo = 0, el = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < len ?
			    gs1_hex_value((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ?
			    gs1_hex_value((unsigned char)s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				eo = i;
				el = len - i < 3 ? len - i : 3;
				goto bad;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (must_escape(c)) {
			eo = i;
			el = 1;
			goto bad;
		}
		if (o + 1 >= cap) {
			eo = len;	/* does not fit: nothing to blame */
			el = 0;
			goto bad;
		}
		buf[o++] = (char)c;
	}
	if (cap == 0)
		goto bad;
	buf[o] = '\0';
	return o;
bad:
	if (err_off != NULL)
		*err_off = eo;
	if (err_len != NULL)
		*err_len = el;
	return (size_t)-1;
}

static const struct {
	const char	*prefix;
	enum epc_scheme	 scheme;
} schemes[] = {
	{ "urn:epc:id:sgtin:",		EPC_SCHEME_SGTIN },
	{ "urn:epc:id:sscc:",		EPC_SCHEME_SSCC },
	{ "urn:epc:id:sgln:",		EPC_SCHEME_SGLN },
	{ "urn:epc:class:lgtin:",	EPC_SCHEME_LGTIN },
};

bool
epc_is_uri(const char *s, size_t len)
{
	return (len >= 11 && memcmp(s, "urn:epc:id:", 11) == 0) ||
	    (len >= 14 && memcmp(s, "urn:epc:class:", 14) == 0);
}

/* "EPC URI: what: uri-with-|marked|-part" */
static int
uri_error(struct diag *d, const char *s, size_t len, size_t off,
    size_t elen, const char *what)
{
	if (len > 200)
		return diag_input(d, "EPC URI: %s", what);
	if (off > len)
		off = len;
	if (elen > len - off)
		elen = len - off;
	return diag_input(d, "EPC URI: %s: %.*s|%.*s|%.*s", what, (int)off, s,
	    (int)elen, s + off, (int)(len - off - elen), s + off + elen);
}

static size_t
count_digits(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* Add an escaped URI component as AI `ai` (the value is checked by gs1). */
static int
add_escaped(struct gs1_msg *m, const char *ai, const char *uri,
    size_t urilen, size_t off, size_t len, struct diag *d)
{
	char val[GS1_MAX_VALUE + 1];
	size_t eo, el, n;

	n = epc_unescape(uri + off, len, val, sizeof(val), &eo, &el);
	if (n == (size_t)-1)
		return el == 0 ? uri_error(d, uri, urilen, off, len,
		    "component too long") : uri_error(d, uri, urilen, off + eo,
		    el, uri[off + eo] == '%' ? "'%' not followed by two hex "
		    "digits" : "character must be %-escaped (TDS Table A-1)");
	if (n == 0)
		return uri_error(d, uri, urilen, off, 0, "empty component");
	return gs1_msg_add(m, ai, val, n, d);
}

/* Digits a, then b, then the check digit: a GS1 key of total-1 + 1 digits. */
static int
add_key(struct gs1_msg *m, const char *ai, const char *lead, size_t leadlen,
    const char *rest, size_t restlen, struct diag *d)
{
	char key[20];

	memcpy(key, lead, leadlen);
	memcpy(key + leadlen, rest, restlen);
	key[leadlen + restlen] = gs1_check_digit(key, leadlen + restlen);
	return gs1_msg_add(m, ai, key, leadlen + restlen + 1, d);
}

int
epc_parse_uri(struct gs1_msg *m, const struct gs1_table *t, const char *s,
    size_t len, struct diag *d)
{
	enum epc_scheme sc = EPC_SCHEME_AUTO;
	size_t p = 0, c, r, dot1, dot2, total;
	char lead[16];

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].prefix);

		if (len >= n && memcmp(s, schemes[i].prefix, n) == 0) {
			sc = schemes[i].scheme;
			p = n;
			break;
		}
	}
	gs1_msg_init(m, t);
	if (sc == EPC_SCHEME_AUTO)
		return uri_error(d, s, len, 0, len < 30 ? len : 30,
		    "not an SGTIN, SSCC, SGLN or LGTIN URI");
	/* Company prefix: digits up to the first dot. */
	c = count_digits(s + p, len - p);
	dot1 = p + c;
	if (dot1 >= len || s[dot1] != '.')
		return uri_error(d, s, len, dot1, 1, "expected '.' after the "
		    "GS1 Company Prefix");
	if (c < EPC_GCP_MIN || c > EPC_GCP_MAX)
		return uri_error(d, s, len, p, c, "the GS1 Company Prefix must "
		    "have 6 to 12 digits");
	r = count_digits(s + dot1 + 1, len - dot1 - 1);
	dot2 = dot1 + 1 + r;
	total = sc == EPC_SCHEME_SSCC ? 17 : sc == EPC_SCHEME_SGLN ? 12 : 13;
	if (c + r != total)
		return uri_error(d, s, len, p, dot2 - p, sc == EPC_SCHEME_SSCC ?
		    "company prefix and serial reference must have 17 digits" :
		    sc == EPC_SCHEME_SGLN ?
		    "company prefix and location reference must have 12 digits" :
		    "company prefix and item reference must have 13 digits");

	switch (sc) {
	case EPC_SCHEME_SSCC:
		if (dot2 != len)
			return uri_error(d, s, len, dot2, len - dot2,
			    "unexpected text after the serial reference");
		/* The extension digit leads the SSCC (TDS 6.3.2). */
		lead[0] = s[dot1 + 1];
		memcpy(lead + 1, s + p, c);
		return add_key(m, "00", lead, c + 1, s + dot1 + 2, r - 1, d);
	case EPC_SCHEME_SGLN:
		if (dot2 >= len || s[dot2] != '.')
			return uri_error(d, s, len, dot2, 1, "expected '.' "
			    "after the location reference");
		if (add_key(m, "414", s + p, c, s + dot1 + 1, r, d) != 0)
			return -1;
		/* Extension "0" stands for none (TDS 6.3.3). */
		if (len - dot2 - 1 == 1 && s[dot2 + 1] == '0')
			return 0;
		return add_escaped(m, "254", s, len, dot2 + 1, len - dot2 - 1,
		    d);
	default:
		if (dot2 >= len || s[dot2] != '.')
			return uri_error(d, s, len, dot2, 1, "expected '.' "
			    "after the item reference");
		/* The indicator digit leads the item reference (TDS 6.3.1). */
		lead[0] = s[dot1 + 1];
		memcpy(lead + 1, s + p, c);
		if (add_key(m, "01", lead, c + 1, s + dot1 + 2, r - 1, d) != 0)
			return -1;
		return add_escaped(m, sc == EPC_SCHEME_LGTIN ? "10" : "21", s,
		    len, dot2 + 1, len - dot2 - 1, d);
	}
}

/* ---- company prefix lengths ------------------------------------------ */

int
epc_gcp_fixed(struct epc_gcp **out, unsigned len, struct diag *d)
{
	*out = NULL;
	if (len < EPC_GCP_MIN || len > EPC_GCP_MAX)
		return diag_input(d, "GS1 Company Prefix length %u is not "
		    "6 to 12", len);
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return diag_system(d, "out of memory");
	(*out)->fixed = len;
	return 0;
}

void
epc_gcp_free(struct epc_gcp *g)
{
	if (g == NULL)
		return;
	free(g->e);
	free(g);
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct gcp_entry *x = a, *y = b;
	int c = strcmp(x->prefix, y->prefix);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* One line: "prefix length", optional comment.  1 = entry, 0 = none. */
static int
parse_gcp_line(char *s, struct gcp_entry *e, struct diag *d)
{
	size_t i = 0, n;
	unsigned len = 0;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] == '\0' || s[i] == '#' || s[i] == '\n')
		return 0;
	n = count_digits(s + i, strlen(s + i));
	if (n == 0 || n > EPC_GCP_MAX)
		return diag_input(d, "expected a prefix of 1 to 12 digits");
	memcpy(e->prefix, s + i, n);
	e->prefix[n] = '\0';
	i += n;
	if (s[i] != ' ' && s[i] != '\t')
		return diag_input(d, "expected a space after the prefix");
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	n = count_digits(s + i, 2);
	for (size_t k = 0; k < n; k++)
		len = len * 10 + (unsigned)(s[i + k] - '0');
	if (n == 0 || len < EPC_GCP_MIN || len > EPC_GCP_MAX ||
	    (s[i + n] >= '0' && s[i + n] <= '9'))
		return diag_input(d, "expected a length of 6 to 12");
	e->len = len;
	i += n;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
		i++;
	if (s[i] != '\0' && s[i] != '\n' && s[i] != '#')
		return diag_input(d, "unexpected text after the length");
	return 1;
}

int
epc_gcp_load(struct epc_gcp **out, const char *path, struct diag *d)
{
	struct epc_gcp *g;
	struct gcp_entry *ne;
	char line[GCP_LINE_MAX];
	unsigned long lno = 0;
	size_t cap = 0;
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			diag_input(d, "cannot open: %s", strerror(errno));
		else
			diag_system(d, "cannot open");
		diag_at(d, path, 0);
		return -1;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		fclose(f);
		return diag_system(d, "out of memory");
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct gcp_entry e;
		int rc;

		lno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			diag_input(d, "line longer than %d bytes",
			    GCP_LINE_MAX - 2);
			goto fail;
		}
		e.line = lno;
		if ((rc = parse_gcp_line(line, &e, d)) < 0)
			goto fail;
		if (rc == 0)
			continue;
		if ((ne = mem_grow(g->e, &cap, g->n + 1, sizeof(*ne),
		    64)) == NULL) {
			diag_system(d, "out of memory");
			goto fail;
		}
		g->e = ne;
		g->e[g->n++] = e;
	}
	if (ferror(f)) {
		diag_system(d, "read error");
		lno = 0;
		goto fail;
	}
	fclose(f);
	f = NULL;
	if (g->n == 0) {
		lno = 0;
		diag_input(d, "no prefixes in the file");
		goto fail;
	}
	qsort(g->e, g->n, sizeof(*g->e), entry_cmp);
	for (size_t i = 1; i < g->n; i++)
		if (strcmp(g->e[i - 1].prefix, g->e[i].prefix) == 0) {
			lno = g->e[i].line;
			diag_input(d, "prefix %s given twice (first on line "
			    "%lu)", g->e[i].prefix, g->e[i - 1].line);
			goto fail;
		}
	*out = g;
	return 0;
fail:
	diag_at(d, path, lno);
	if (f != NULL)
		fclose(f);
	epc_gcp_free(g);
	return -1;
}

int
epc_gcp_length(const struct epc_gcp *g, const char *digits, size_t len,
    unsigned *out, struct diag *d)
{
	if (g->fixed != 0) {
		*out = g->fixed;
		return 0;
	}
	for (size_t k = len < EPC_GCP_MAX ? len : EPC_GCP_MAX; k > 0; k--) {
		size_t lo = 0, hi = g->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strncmp(g->e[mid].prefix, digits, k);

			if (c == 0 && g->e[mid].prefix[k] != '\0')
				c = 1;	/* longer than k: sorts after */
			if (c == 0) {
				*out = g->e[mid].len;
				return 0;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return diag_input(d, "no GS1 Company Prefix length known for %.*s",
	    (int)len, digits);
}

/* ---- rendering ------------------------------------------------------- */

struct outbuf {
	char	*p;
	size_t	 cap, n;
	bool	 full;
};

static void
put(struct outbuf *o, const char *s, size_t len)
{
	if (o->full || o->cap - o->n <= len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->n, s, len);
	o->n += len;
	o->p[o->n] = '\0';
}

static void
put_escaped(struct outbuf *o, const char *s, size_t len)
{
	char tmp[3 * GS1_MAX_VALUE + 1];
	size_t n = epc_escape(s, len, tmp, sizeof(tmp));

	if (n == (size_t)-1)
		o->full = true;
	else
		put(o, tmp, n);
}

static const struct gs1_element *
need(const struct gs1_msg *m, const char *ai, const char *scheme,
    struct diag *d)
{
	const struct gs1_element *e = gs1_msg_find(m, ai);

	if (e == NULL)
		diag_input(d, "an %s URI needs AI (%s)", scheme, ai);
	return e;
}

/* Look up and check the prefix length for a key of `klen` digits. */
static int
key_gcp(const struct epc_gcp *g, const struct gs1_element *e, size_t skip,
    size_t klen, unsigned *L, struct diag *d)
{
	if (e->len != klen)
		return diag_input(d, "AI (%s) must have %zu digits", e->ai,
		    klen);
	if (epc_gcp_length(g, e->value + skip, klen - 1 - skip, L, d) != 0)
		return -1;
	if (*L > klen - 1 - skip)
		return diag_input(d, "GS1 Company Prefix length %u is too long "
		    "for AI (%s) %.*s", *L, e->ai, (int)e->len, e->value);
	return 0;
}

int
epc_render_uri(const struct gs1_msg *m, enum epc_scheme scheme,
    const struct epc_gcp *g, char *buf, size_t cap, size_t *outlen,
    struct diag *d)
{
	const struct gs1_element *k, *x;
	struct outbuf o = { buf, cap, 0, false };
	unsigned L;

	if (cap == 0)
		return diag_input(d, "no room for the EPC URI");
	buf[0] = '\0';
	if (scheme == EPC_SCHEME_AUTO) {
		if (gs1_msg_find(m, "00") != NULL)
			scheme = EPC_SCHEME_SSCC;
		else if (gs1_msg_find(m, "414") != NULL)
			scheme = EPC_SCHEME_SGLN;
		else if (gs1_msg_find(m, "01") != NULL &&
		    gs1_msg_find(m, "21") != NULL)
			scheme = EPC_SCHEME_SGTIN;
		else if (gs1_msg_find(m, "01") != NULL &&
		    gs1_msg_find(m, "10") != NULL)
			scheme = EPC_SCHEME_LGTIN;
		else
			return diag_input(d, "no EPC URI for this element "
			    "string: it needs (00), (414), (01)+(21) or "
			    "(01)+(10)");
	}
	switch (scheme) {
	case EPC_SCHEME_SSCC:
		if ((k = need(m, "00", "SSCC", d)) == NULL ||
		    key_gcp(g, k, 1, 18, &L, d) != 0)
			return -1;
		put(&o, "urn:epc:id:sscc:", 16);
		put(&o, k->value + 1, L);
		put(&o, ".", 1);
		put(&o, k->value, 1);
		put(&o, k->value + 1 + L, 16 - L);
		break;
	case EPC_SCHEME_SGLN:
		if ((k = need(m, "414", "SGLN", d)) == NULL ||
		    key_gcp(g, k, 0, 13, &L, d) != 0)
			return -1;
		put(&o, "urn:epc:id:sgln:", 16);
		put(&o, k->value, L);
		put(&o, ".", 1);
		put(&o, k->value + L, 12 - L);
		put(&o, ".", 1);
		if ((x = gs1_msg_find(m, "254")) != NULL) {
			if (x->len == 1 && x->value[0] == '0')
				return diag_input(d, "AI (254) '0' cannot be "
				    "told apart from no extension in an SGLN "
				    "URI (TDS 6.3.3)");
			put_escaped(&o, x->value, x->len);
		} else
			put(&o, "0", 1);
		break;
	case EPC_SCHEME_SGTIN:
	case EPC_SCHEME_LGTIN:
	default:
		if ((k = need(m, "01", scheme == EPC_SCHEME_SGTIN ? "SGTIN" :
		    "LGTIN", d)) == NULL ||
		    (x = need(m, scheme == EPC_SCHEME_SGTIN ? "21" : "10",
		    scheme == EPC_SCHEME_SGTIN ? "SGTIN" : "LGTIN", d)) ==
		    NULL ||
		    key_gcp(g, k, 1, 14, &L, d) != 0)
			return -1;
		if (scheme == EPC_SCHEME_SGTIN)
			put(&o, "urn:epc:id:sgtin:", 17);
		else
			put(&o, "urn:epc:class:lgtin:", 20);
		put(&o, k->value + 1, L);
		put(&o, ".", 1);
		put(&o, k->value, 1);
		put(&o, k->value + 1 + L, 12 - L);
		put(&o, ".", 1);
		put_escaped(&o, x->value, x->len);
		break;
	}
	if (o.full)
		return diag_input(d, "EPC URI does not fit %zu bytes", cap);
	if (outlen != NULL)
		*outlen = o.n;
	return 0;
}
