/*
 * epcis_c14n: the canonical byte form of one event (dscsa-epcis(1),
 * CANONICAL FORM), for the ledger: the same event gives the same bytes
 * whoever wrote the document, in EPCIS 1.2 or 2.0.
 *
 * The event element is normalised, then serialised as W3C Exclusive XML
 * Canonicalization 1.0 (without comments) serialises it:
 *
 *  1. EPCIS 1.2 <extension> and <baseExtension> wrappers are removed, their
 *     children taking their place (this is the EPCIS 2.0 element order);
 *  2. comments, processing instructions and white-space-only text are
 *     dropped; the text of an element is trimmed of XML white space;
 *  3. namespace prefixes are renamed: cbvmda, gs1ushc, xsi, sbdh and dscsa
 *     for their well-known namespaces, ns1, ns2, ... for the others in
 *     order of first use; the value of an xsi:type attribute is kept as
 *     written, and its QName prefix is treated as an InclusiveNamespaces
 *     PrefixList prefix (Exclusive C14N section 3): declared where it is
 *     used unless an output ancestor declared it;
 *  4. exclusive C14N: namespace declarations only where a prefix is first
 *     visibly used, sorted by prefix; attributes sorted by namespace URI
 *     then local name; empty elements as start and end tag; &amp; &lt;
 *     &gt; &#xD; in text, &amp; &lt; &quot; &#x9; &#xA; &#xD; in
 *     attribute values; no XML declaration, UTF-8.
 *
 * The result is a bare event element that epcis_reader_open_mem() reads
 * back, and its canonical form is itself (tests/unit/test_epcis.c checks
 * this, and checks it against libxml2's own exclusive C14N).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis.h"
#include "epcis_int.h"

#define MAX_NS	256

struct nsmap {
	const char	*uri[MAX_NS];
	char		 prefix[MAX_NS][16];
	size_t		 n, next_num;
	int		 declared[MAX_NS];	/* depth of declaration, -1 none */
	bool		 full;
};

static const struct {
	const char	*uri, *prefix;
} well_known[] = {
	{ EPCIS_NS_CBVMDA, "cbvmda" },
	{ EPCIS_NS_GS1USHC, "gs1ushc" },
	{ "http://www.w3.org/2001/XMLSchema-instance", "xsi" },
	{ EPCIS_NS_SBDH, "sbdh" },
	{ EPCIS_NS_DSCSA, "dscsa" },
};

static int
ns_index(struct nsmap *m, const char *uri)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->uri[i], uri) == 0)
			return (int)i;
	if (m->n == MAX_NS) {
		m->full = true;
		return -1;
	}
	m->uri[i] = uri;
	m->declared[i] = -1;
	for (size_t k = 0; k < sizeof(well_known) / sizeof(well_known[0]); k++)
		if (strcmp(well_known[k].uri, uri) == 0) {
			snprintf(m->prefix[i], sizeof(m->prefix[i]), "%s",
			    well_known[k].prefix);
			m->n++;
			return (int)i;
		}
	snprintf(m->prefix[i], sizeof(m->prefix[i]), "ns%zu", ++m->next_num);
	m->n++;
	return (int)i;
}

/*
 * epcis_buf_add() for the many short pieces of a canonical form: the
 * common case (room in the buffer) inline, the same NUL-terminated result.
 */
static inline void
put(struct epcis_buf *b, const char *s, size_t n)
{
	if (!b->failed && b->data != NULL && n < b->cap - b->len) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else
		epcis_buf_add(b, s, n);
}

static inline void
put_str(struct epcis_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static bool
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes put_escaped() may replace: 1 in text and attributes, 2 attributes */
static const unsigned char c14n_special[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['\r'] = 1,
	['"'] = 2, ['\t'] = 2, ['\n'] = 2,
};

static void
put_escaped(struct epcis_buf *b, const char *s, size_t n, bool attr)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *e = NULL;

		if (c14n_special[(unsigned char)s[i]] == 0)
			continue;

		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = attr ? NULL : "&gt;"; break;
		case '"': e = attr ? "&quot;" : NULL; break;
		case '\t': e = attr ? "&#x9;" : NULL; break;
		case '\n': e = attr ? "&#xA;" : NULL; break;
		case '\r': e = "&#xD;"; break;
		}
		if (e == NULL)
			continue;
		put(b, s + start, i - start);
		put_str(b, e);
		start = i + 1;
	}
	put(b, s + start, n - start);
}

static void
trimmed(const char **s, size_t *n)
{
	while (*n > 0 && is_xml_space((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_xml_space((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static bool
has_element_child(const struct epcis_xnode *n)
{
	for (const struct epcis_xnode *c = n->kids; c != NULL; c = c->next)
		if (epcis_x_is_elem(c))
			return true;
	return false;
}

struct attr_ref {
	const struct epcis_xattr *a;
	const char	*uri;		/* "" for none */
};

static int
attr_cmp(const void *x, const void *y)
{
	const struct attr_ref *a = x, *b = y;
	int c = strcmp(a->uri, b->uri);

	return c != 0 ? c : strcmp(a->a->local, b->a->local);
}

struct cctx {
	struct nsmap	 m;
	struct {
		char	 prefix[64];
		const char *uri;
		int	 depth;
	}		 extra[MAX_NS];	/* xsi:type prefixes declared */
	size_t		 nextra;
	struct epcis_buf *out;
	struct epcis_buf tmp;		/* text split by comments */
	struct attr_ref	*attrs;
	size_t		 attrcap;
	bool		 nomem;
};

/* A namespace declaration to write on the current element. */
struct decl {
	const char	*prefix, *uri;
	int		 idx;		/* in the map, or -1 for an xsi:type prefix */
};

static void
want_decl(struct cctx *c, struct decl *v, size_t *n, int idx)
{
	if (idx < 0 || c->m.declared[idx] >= 0)
		return;
	for (size_t i = 0; i < *n; i++)
		if (v[i].idx == idx)
			return;
	v[*n].prefix = c->m.prefix[idx];
	v[*n].uri = c->m.uri[idx];
	v[*n].idx = idx;
	(*n)++;
}

/*
 * The prefix of an xsi:type QName value is kept as written (the hash
 * hashes the value as text) and declared like an InclusiveNamespaces
 * PrefixList prefix: where it is used, unless an output ancestor declared
 * it already.
 */
static void
want_qname_decl(struct cctx *c, struct decl *v, size_t *n, const char *pfx,
    const char *uri, int depth)
{
	for (size_t i = 0; i < c->nextra; i++)
		if (strcmp(c->extra[i].prefix, pfx) == 0 &&
		    strcmp(c->extra[i].uri, uri) == 0)
			return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(v[i].prefix, pfx) == 0)
			return;
	for (size_t i = 0; i < c->m.n; i++)
		if (c->m.declared[i] >= 0 && strcmp(c->m.prefix[i], pfx) == 0 &&
		    strcmp(c->m.uri[i], uri) == 0)
			return;
	if (c->nextra == MAX_NS) {
		c->m.full = true;
		return;
	}
	v[*n].prefix = pfx;
	v[*n].uri = uri;
	v[*n].idx = -1;
	(*n)++;
	snprintf(c->extra[c->nextra].prefix, sizeof(c->extra[0].prefix), "%s",
	    pfx);
	c->extra[c->nextra].uri = uri;
	c->extra[c->nextra].depth = depth;
	c->nextra++;
}

static int
decl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct decl *)a)->prefix,
	    ((const struct decl *)b)->prefix);
}

static void emit_children(struct cctx *c, const struct epcis_xnode *n,
    int depth, bool wrapper);

static void
put_name(struct cctx *c, int idx, const char *local)
{
	if (idx >= 0) {
		put_str(c->out, c->m.prefix[idx]);
		put(c->out, ":", 1);
	}
	put_str(c->out, local);
}

static void
emit_element(struct cctx *c, const struct epcis_xnode *n, int depth)
{
	struct decl decls[MAX_NS + 8];
	size_t nd = 0, na = n->nattr, nq = 0;
	int eidx = -1;

	if (n->uri != NULL)
		eidx = ns_index(&c->m, n->uri);
	want_decl(c, decls, &nd, eidx);
	if (na > c->attrcap) {
		struct attr_ref *p = realloc(c->attrs, na * 2 * sizeof(*p));

		if (p == NULL) {
			c->nomem = true;
			return;
		}
		c->attrs = p;
		c->attrcap = na * 2;
	}
	for (size_t i = 0; i < na; i++) {
		const struct epcis_xattr *a = &n->attrs[i];

		c->attrs[i].a = a;
		c->attrs[i].uri = a->uri != NULL ? a->uri : "";
		if (a->uri != NULL)
			want_decl(c, decls, &nd, ns_index(&c->m, a->uri));
	}
	if (na > 1)
		qsort(c->attrs, na, sizeof(*c->attrs), attr_cmp);
	for (size_t i = 0; i < na && nq < 8; i++) {
		const struct epcis_xattr *a = c->attrs[i].a;

		if (a->uri == NULL || strcmp(a->uri, EPCIS_NS_XSI) != 0 ||
		    strcmp(a->local, "type") != 0)
			continue;
		if (a->qprefix != NULL && a->quri != NULL) {
			want_qname_decl(c, decls, &nd, a->qprefix, a->quri,
			    depth);
			nq++;
		}
	}
	if (nd > 1)
		qsort(decls, nd, sizeof(decls[0]), decl_cmp);

	/* the attribute array is reused by the children: emit it now */
	put(c->out, "<", 1);
	put_name(c, eidx, n->local);
	for (size_t i = 0; i < nd; i++) {
		put_str(c->out, " xmlns:");
		put_str(c->out, decls[i].prefix);
		put(c->out, "=\"", 2);
		put_escaped(c->out, decls[i].uri, strlen(decls[i].uri), true);
		put(c->out, "\"", 1);
		if (decls[i].idx >= 0)
			c->m.declared[decls[i].idx] = depth;
	}
	for (size_t i = 0; i < na; i++) {
		const struct epcis_xattr *a = c->attrs[i].a;

		put(c->out, " ", 1);
		put_name(c, a->uri != NULL ? ns_index(&c->m, a->uri) : -1,
		    a->local);
		put(c->out, "=\"", 2);
		put_escaped(c->out, a->value, a->len, true);
		put(c->out, "\"", 1);
	}
	put(c->out, ">", 1);
	if (has_element_child(n))
		emit_children(c, n, depth, false);
	else if (n->kids != NULL && n->kids->next == NULL) {
		const char *s = n->kids->text;
		size_t len = n->kids->len;

		trimmed(&s, &len);
		put_escaped(c->out, s, len, false);
	} else if (n->kids != NULL) {
		/* text runs split by comments: their content, trimmed */
		size_t len;
		const char *s;

		for (const struct epcis_xnode *k = n->kids; k != NULL;
		    k = k->next)
			put(&c->tmp, k->text, k->len);
		s = c->tmp.data != NULL ? c->tmp.data : "";
		len = c->tmp.len;
		trimmed(&s, &len);
		put_escaped(c->out, s, len, false);
		c->tmp.len = 0;
	}
	put(c->out, "</", 2);
	put_name(c, eidx, n->local);
	put(c->out, ">", 1);
	for (size_t i = 0; i < c->m.n; i++)
		if (c->m.declared[i] == depth)
			c->m.declared[i] = -1;
	while (c->nextra > 0 && c->extra[c->nextra - 1].depth == depth)
		c->nextra--;
}

/*
 * Text directly inside a 1.2 wrapper says nothing (the XSDs allow none) and
 * the hash does not see it either: it is dropped, so that canonical bytes
 * and hash id stay together.
 */
static void
emit_children(struct cctx *c, const struct epcis_xnode *n, int depth,
    bool wrapper)
{
	for (const struct epcis_xnode *k = n->kids; k != NULL && !c->nomem;
	    k = k->next) {
		if (epcis_x_is_elem(k)) {
			if (epcis_x_is_wrapper(k))
				emit_children(c, k, depth, true);
			else
				emit_element(c, k, depth + 1);
		} else if (!wrapper) {
			const char *s = k->text;
			size_t len = k->len;

			trimmed(&s, &len);
			if (len > 0)
				put_escaped(c->out, s, len, false);
		}
	}
}

int
epcis_c14n_tree(const struct epcis_xnode *ev, struct epcis_buf *out,
    struct diag *d)
{
	struct cctx c;

	/*
	 * Only the counts and pointers: the tables (about 20 KB) are filled
	 * before they are read, and zeroing them was 14% of an append.
	 */
	c.m.n = c.m.next_num = 0;
	c.m.full = false;
	c.nextra = 0;
	c.attrs = NULL;
	c.attrcap = 0;
	c.nomem = false;
	c.out = out;
	c.tmp.data = NULL;
	c.tmp.len = c.tmp.cap = 0;
	c.tmp.failed = false;
	out->len = 0;
	if (out->data != NULL)
		out->data[0] = '\0';
	emit_element(&c, ev, 0);
	free(c.attrs);
	if (c.tmp.failed)
		c.nomem = true;
	epcis_buf_free(&c.tmp);
	if (c.m.full)
		return diag_input(d, "more than %d namespaces in one event",
		    MAX_NS);
	if (c.nomem || out->failed)
		return diag_system(d, "out of memory");
	return 0;
}
