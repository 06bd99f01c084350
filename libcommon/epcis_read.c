/*
 * epcis_read: the streaming EPCIS reader.  The own strict scanner
 * (epcis_scan.c: no DTD, UTF-8, well-formedness and namespaces checked in
 * full, constant memory, about five times libxml2's speed) feeds one
 * document driver, which builds the event tree (epcis_int.h) of each
 * event and hands it to the walkers (fields here, epcis_c14n.c,
 * epcis_hash.c).  With --validate the same scanner also feeds libxml2's
 * XSD validator, as libxml2's SAX2 parser would (epcis_xml.c): one parse,
 * by the scanner, and no libxml2 parser.  libxml2's SAX2 push parser
 * remains only as a second front end for the differential tests of the
 * scanner (o->libxml2, also epcis_xml.c).  Nothing in this file calls
 * libxml2: a program that reads without those two (dscsa-ledger) does not
 * link it.
 *
 * Invariants:
 *
 *  1. Nothing is fetched: XML_PARSE_NONET, and the process-wide external
 *     entity loader refuses everything but local files (epcis_init()); only
 *     the XSD compiler loads local files.  The scanner loads nothing.
 *  2. No DTD is accepted: a DOCTYPE with an external identifier or an
 *     internal subset is an error as soon as a front end sees it, before
 *     any entity could be referenced, so neither billion laughs nor XXE can
 *     happen, and entities are never substituted (no XML_PARSE_NOENT).  A
 *     bare "<!DOCTYPE name>" declares nothing and is let through (GS1's
 *     own examples carry one).
 *  3. Memory is bounded by one event: the tree of an event lives in its
 *     own arena, returned to a pool when the caller moves past the event;
 *     the bytes read while inside one event are capped (max_event_bytes),
 *     so are the bytes between two '<' (EPCIS_MAX_TEXT_BYTES: libxml2's
 *     validator is quadratic in the length of a text node), and nesting
 *     (max_depth, for the whole document).
 *  4. After the first error the reader is dead: every later call returns -1
 *     with the same report.  Events completed before the error are
 *     returned first; an event whose end the validator refuses is not.
 *
 * The version is sniffed from the root start tag before parsing starts
 * when validating (to pick the XSD, whose errors are the open's); otherwise
 * the root element says it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis.h"
#include "epcis_int.h"
#include "mem.h"

#define SNIFF_MAX	(64 * 1024)
#define EVENT_ARENA	4096		/* first chunk of an event's arena */

/* ---------------------------------------------------------------------- */
/* Input */

size_t
epcis_rd_fetch(void *ctx, void *buf, size_t want)
{
	struct epcis_reader *r = ctx;
	size_t n = 0;

	if (r->sniff_pos < r->sniff_len) {
		n = r->sniff_len - r->sniff_pos;
		if (n > want)
			n = want;
		memcpy(buf, r->sniff + r->sniff_pos, n);
		r->sniff_pos += n;
		if (r->sniff_pos == r->sniff_len) {
			free(r->sniff);		/* read ahead only once */
			r->sniff = NULL;
			r->sniff_pos = r->sniff_len = 0;
		}
	} else if (r->f != NULL) {
		n = fread(buf, 1, want, r->f);
		if (n == 0 && ferror(r->f)) {
			r->read_error = true;
			r->read_errno = errno;
		}
	} else {
		n = r->memlen - r->mempos;
		if (n > want)
			n = want;
		memcpy(buf, r->mem + r->mempos, n);
		r->mempos += n;
	}
	r->fed += n;
	return n;
}

/*
 * The namespace of the root element, from the first start tag that is not
 * a declaration, comment or processing instruction.  Only used to pick the
 * XSD; the parse itself decides what the document is.
 */
static enum epcis_version
sniff_version(const unsigned char *s, size_t n, bool *query)
{
	size_t i = 0, end;

	*query = false;
	while (i < n) {
		const unsigned char *lt = memchr(s + i, '<', n - i);

		if (lt == NULL)
			return 0;
		i = (size_t)(lt - s);
		if (i + 1 < n && (s[i + 1] == '?' || s[i + 1] == '!')) {
			const char *close = s[i + 1] == '!' && i + 3 < n &&
			    s[i + 2] == '-' && s[i + 3] == '-' ? "-->" : ">";
			const unsigned char *c = NULL;

			for (size_t k = i + 2; k + strlen(close) <= n; k++)
				if (memcmp(s + k, close, strlen(close)) == 0) {
					c = s + k;
					break;
				}
			if (c == NULL)
				return 0;
			i = (size_t)(c - s) + 1;
			continue;
		}
		break;
	}
	if (i >= n)
		return 0;
	for (end = i; end < n && s[end] != '>'; end++)
		;
	{
		/* the root's QName, its local part after the colon */
		size_t q = i + 1, e = q;

		while (e < end && s[e] != ' ' && s[e] != '\t' &&
		    s[e] != '\n' && s[e] != '\r' && s[e] != '/')
			if (s[e++] == ':')
				q = e;
		*query = e - q == 18 && memcmp(s + q, "EPCISQueryDocument",
		    18) == 0;
	}
	for (size_t k = i; k + 25 <= end; k++)
		if (memcmp(s + k, "urn:epcglobal:epcis:xsd:", 24) == 0 ||
		    memcmp(s + k, "urn:epcglobal:epcis-query:xsd:", 30) == 0) {
			const unsigned char *v = s + k + (s[k + 19] == '-' ?
			    30 : 24);

			if (v < s + end && *v == '2')
				return EPCIS_V2_0;
			if (v < s + end && *v == '1')
				return EPCIS_V1_2;
		}
	return 0;
}

/* A DOCTYPE with an internal subset or an external identifier? */
static bool
sniff_doctype(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 9 <= n; i++) {
		if (memcmp(s + i, "<!DOCTYPE", 9) != 0)
			continue;
		for (size_t k = i + 9; k < n && s[k] != '>'; k++)
			if (s[k] == '[' || (k + 6 <= n &&
			    (memcmp(s + k, "SYSTEM", 6) == 0 ||
			    memcmp(s + k, "PUBLIC", 6) == 0)))
				return true;
	}
	return false;
}


/* ---------------------------------------------------------------------- */
/* Errors */

static int
fail(struct epcis_reader *r, struct diag *d, unsigned long line)
{
	if (r->err.kind == DIAG_OK) {
		if (r->read_error) {
			errno = r->read_errno;
			diag_system(&r->err, "read error");
		} else
			diag_input(&r->err, "not well-formed XML");
	}
	diag_at(&r->err, r->name, line);
	r->dead = true;
	*d = r->err;
	return -1;
}

/* Record the first error (the driver's own, at the current line). */
int
epcis_rd_input(struct epcis_reader *r, unsigned long line, const char *msg)
{
	if (r->err.kind == DIAG_OK) {
		diag_input(&r->err, "%s", msg);
		diag_at(&r->err, r->name, line);
	}
	return -1;
}

unsigned long
epcis_rd_line(const struct epcis_reader *r)
{
	if (r->scan != NULL)
		return epcis_scan_line(r->scan);
	if (r->xs != NULL && r->o.xml != NULL)
		return r->o.xml->sax_line(r);
	return 0;
}

static unsigned long long
cur_offset(const struct epcis_reader *r)
{
	return r->scan != NULL ? epcis_scan_offset(r->scan) : r->fed;
}

/* ---------------------------------------------------------------------- */
/* Event arenas (invariant 3) */

static struct epcis_arena *
arena_get(struct epcis_reader *r)
{
	struct epcis_arena *a;

	if (r->npool > 0)
		return r->pool[--r->npool];
	if ((a = calloc(1, sizeof(*a))) != NULL)
		a->chunk = EVENT_ARENA;
	return a;
}

static void
arena_put(struct epcis_reader *r, struct epcis_arena *a)
{
	struct epcis_arena **p;

	if (a == NULL)
		return;
	epcis_arena_reset(a);
	if ((p = mem_grow(r->pool, &r->poolcap, r->npool + 1, sizeof(*p),
	    8)) == NULL) {
		epcis_arena_free(a);
		free(a);
		return;
	}
	r->pool = p;
	r->pool[r->npool++] = a;
}

static int
enqueue(struct epcis_reader *r, const struct epcis_qevent *e)
{
	if (r->qn == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 8;
		struct epcis_qevent *q = malloc(cap * sizeof(*q));

		if (q == NULL)
			return -1;
		for (size_t i = 0; i < r->qn; i++)
			q[i] = r->q[(r->qhead + i) % (r->qcap ? r->qcap : 1)];
		free(r->q);
		r->q = q;
		r->qhead = 0;
		r->qcap = cap;
	}
	r->q[(r->qhead + r->qn) % r->qcap] = *e;
	r->qn++;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The document driver: which elements are events */

static bool
local_eq(const char *local, size_t llen, const char *s)
{
	return llen == strlen(s) && memcmp(local, s, llen) == 0;
}

static enum epcis_event_type
event_type_at(const char *uri, const char *local, size_t llen)
{
	if (uri != NULL)
		return 0;
	for (int t = EPCIS_OBJECT; t <= EPCIS_QUANTITY; t++)
		if (local_eq(local, llen, epcis_event_type_name(t)))
			return (enum epcis_event_type)t;
	return 0;
}

static int
root_element(struct epcis_reader *r, const char *uri, const char *local,
    size_t llen, unsigned long line)
{
	const char *u = uri != NULL ? uri : "";
	enum epcis_version v = 0;

	r->root_seen = true;
	if (local_eq(local, llen, "EPCISDocument")) {
		if (strcmp(u, EPCIS_NS_1_2) == 0)
			v = EPCIS_V1_2;
		else if (strcmp(u, EPCIS_NS_2_0) == 0)
			v = EPCIS_V2_0;
	} else if (local_eq(local, llen, "EPCISQueryDocument")) {
		if (strcmp(u, "urn:epcglobal:epcis-query:xsd:1") == 0)
			v = EPCIS_V1_2;
		else if (strcmp(u, "urn:epcglobal:epcis-query:xsd:2") == 0)
			v = EPCIS_V2_0;
	}
	if (v != 0) {
		if (r->o.validate && v != r->version)
			return epcis_rd_input(r, line, "cannot validate: the root "
			    "namespace is not where the reader found it");
		r->version = v;
		return 0;
	}
	if (event_type_at(uri, local, llen) != 0) {
		r->bare = true;
		r->version = EPCIS_V2_0;
		return 0;
	}
	return epcis_rd_input(r, line, "not an EPCIS document (the root is not "
	    "EPCISDocument, EPCISQueryDocument or an event)");
}

static int
begin_event(struct epcis_reader *r, enum epcis_event_type t)
{
	if ((r->build_arena = arena_get(r)) == NULL) {
		diag_system(&r->err, "out of memory");
		return -1;
	}
	epcis_tb_init(&r->tb, r->build_arena);
	r->tb.lean = r->o.no_fields;
	/* only the pre-hash reads the tree: the compact leaves it can read */
	r->tb.compact = r->o.no_fields && r->o.no_canon;
	r->building = true;
	r->building_type = t;
	r->event_start = cur_offset(r);
	return 0;
}

static int
event_too_big(struct epcis_reader *r)
{
	char msg[80];

	snprintf(msg, sizeof(msg), "event larger than %zu bytes",
	    r->o.max_event_bytes);
	return epcis_rd_input(r, epcis_rd_line(r), msg);
}

/*
 * Is the event built so far over max_event_bytes?  Asked at every
 * element of an event: the test inline, the error (with its message
 * buffer) out of line.
 */
static inline int
too_big(struct epcis_reader *r)
{
	/*
	 * Streamed, every byte the scanner has comes through
	 * epcis_rd_fetch(): r->fed bounds its offset from above, and asks
	 * no call of the scanner for each leaf.
	 */
	if (r->f != NULL && r->fed - r->event_start <= r->o.max_event_bytes)
		return 0;
	if (cur_offset(r) - r->event_start <= r->o.max_event_bytes)
		return 0;
	return event_too_big(r);
}

int
epcis_rd_start(void *ctx, const char *uri, const char *local, size_t llen,
    const struct epcis_xattr *attrs, size_t nattr, unsigned long line)
{
	struct epcis_reader *r = ctx;
	int depth = r->open++;
	enum epcis_event_type t;

	if (r->err.kind != DIAG_OK)
		return -1;
	if ((unsigned)depth >= r->o.max_depth)
		return epcis_rd_input(r, line, "elements nested too deep");
	if (r->building) {
		if (too_big(r) != 0)
			return -1;
		epcis_tb_start(&r->tb, uri, local, llen, attrs, nattr, line);
		return 0;
	}
	if (!r->root_seen) {
		if (root_element(r, uri, local, llen, line) != 0)
			return -1;
		if (!r->bare)
			return 0;
		t = event_type_at(uri, local, llen);
	} else if (r->eventlist_depth >= 0 && depth > r->eventlist_depth)
		t = event_type_at(uri, local, llen);
	else {
		if (uri == NULL && local_eq(local, llen, "EventList"))
			r->eventlist_depth = depth;
		return 0;
	}
	if (t == 0)
		return 0;
	if (begin_event(r, t) != 0)
		return -1;
	epcis_tb_start(&r->tb, uri, local, llen, attrs, nattr, line);
	return 0;
}

int
epcis_rd_end(void *ctx)
{
	struct epcis_reader *r = ctx;
	struct epcis_qevent e;

	r->open--;
	if (!r->building) {
		if (r->open == r->eventlist_depth)
			r->eventlist_depth = -1;
		return 0;
	}
	epcis_tb_end(&r->tb);
	if (r->tb.cur != NULL)
		return 0;
	r->building = false;
	if (r->tb.nomem || r->tb.root == NULL) {
		epcis_tb_free(&r->tb);
		arena_put(r, r->build_arena);
		diag_system(&r->err, "out of memory");
		return -1;
	}
	epcis_tb_free(&r->tb);
	e.root = r->tb.root;
	e.type = r->building_type;
	e.a = r->build_arena;
	r->build_arena = NULL;
	if (r->err.kind != DIAG_OK || enqueue(r, &e) != 0) {
		if (r->err.kind == DIAG_OK)
			diag_system(&r->err, "out of memory");
		arena_put(r, e.a);
		return -1;
	}
	return 1;		/* one event at a time (the scanner pauses) */
}

int
epcis_rd_too_big(struct epcis_reader *r)
{
	return r->building ? too_big(r) : 0;
}

int
epcis_rd_text(void *ctx, const char *s, size_t n)
{
	struct epcis_reader *r = ctx;

	if (r->building) {
		/* adjacent CDATA sections make one long text: check it */
		if (r->tb.open_text != NULL && r->tb.open_text->len + n >
		    65536 && too_big(r) != 0)
			return -1;
		epcis_tb_text(&r->tb, s, n);
	}
	return 0;
}

/*
 * <name>text</name> inside an event goes to the tree in one call; anywhere
 * else (or at the depth limit) it is a start, a text and an end.
 */
int
epcis_rd_leaf(void *ctx, const char *uri, const char *local, size_t llen,
    const char *s, size_t n, unsigned long line, const char *ws, size_t nws)
{
	struct epcis_reader *r = ctx;
	int rc, rc2;

	if (r->building && r->err.kind == DIAG_OK &&
	    (unsigned)r->open < r->o.max_depth) {
		if (too_big(r) != 0)
			return -1;
		epcis_tb_leaf(&r->tb, uri, local, llen, s, n, line, ws, nws);
		return 0;
	}
	/* white space after an event is outside it: not kept either way */
	if ((rc = epcis_rd_start(ctx, uri, local, llen, NULL, 0, line)) < 0 ||
	    epcis_rd_text(ctx, s, n) < 0 || (rc2 = epcis_rd_end(ctx)) < 0 ||
	    (nws > 0 && epcis_rd_text(ctx, ws, nws) < 0))
		return -1;
	return rc || rc2;
}

int
epcis_rd_brk(void *ctx)
{
	struct epcis_reader *r = ctx;

	if (r->building)
		epcis_tb_break(&r->tb);
	return 0;
}
/* ---------------------------------------------------------------------- */
/* Open and free */

static int
reader_start(struct epcis_reader *r, struct diag *d)
{
	if (r->o.max_depth == 0 || r->o.max_depth > EPCIS_MAX_DEPTH)
		r->o.max_depth = EPCIS_MAX_DEPTH;
	if (r->o.max_event_bytes == 0)
		r->o.max_event_bytes = EPCIS_MAX_EVENT_BYTES;
	r->eventlist_depth = -1;
	if ((r->o.validate || r->o.libxml2) && r->o.xml == NULL)
		return diag_system(d, "%s needs libxml2 (epcis_read_libxml2)",
		    r->o.validate ? "validation" : "the libxml2 front end");
	if (!r->o.validate && r->o.libxml2) {
		r->version = 0;
		return r->o.xml->sax_open(r, d);
	}
	if (!r->o.validate) {
		r->scan = r->f != NULL ? epcis_scan_new(epcis_rd_fetch, r, NULL,
		    0, r->o.max_depth) : epcis_scan_new(NULL, NULL, r->mem,
		    r->memlen, r->o.max_depth);
		if (r->scan == NULL)
			return diag_system(d, "out of memory");
		return 0;
	}
	/* Read ahead to find the root element's namespace. */
	if ((r->sniff = malloc(SNIFF_MAX)) == NULL)
		return diag_system(d, "out of memory");
	if (r->f != NULL) {
		r->sniff_len = fread(r->sniff, 1, SNIFF_MAX, r->f);
		if (r->sniff_len < SNIFF_MAX && ferror(r->f)) {
			diag_system(d, "read error");
			diag_at(d, r->name, 0);
			return -1;
		}
		r->version = sniff_version(r->sniff, r->sniff_len, &r->query);
	} else
		r->version = sniff_version(r->mem, r->memlen < SNIFF_MAX ?
		    r->memlen : SNIFF_MAX, &r->query);
	if (sniff_doctype(r->f != NULL ? r->sniff : r->mem,
	    r->f != NULL ? r->sniff_len : (r->memlen < SNIFF_MAX ?
	    r->memlen : SNIFF_MAX))) {
		/* invariant 2, before the validator sees anything */
		diag_input(d, "DTD not allowed (no external DTDs, no "
		    "entity declarations in EPCIS input)");
		diag_at(d, r->name, 0);
		return -1;
	}
	if (r->version == 0) {
		diag_input(d, "cannot validate: no EPCISDocument "
		    "root element with an EPCIS 1.x or 2.0 namespace");
		diag_at(d, r->name, 0);
		return -1;
	}
	/* the XSD, the validator and the scanner that feeds it */
	return r->o.xml->valid_open(r, d);
}

static struct epcis_reader *
reader_new(const char *name, const struct epcis_read_opts *o)
{
	static const struct epcis_read_opts def = EPCIS_READ_OPTS_INIT;
	static const struct diag dinit = DIAG_INIT;
	struct epcis_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->name = name != NULL ? name : "<input>";
	r->o = o != NULL ? *o : def;
	r->err = dinit;
	return r;
}

int
epcis_reader_open(struct epcis_reader **out, FILE *f, const char *name,
    const struct epcis_read_opts *o, struct diag *d)
{
	struct epcis_reader *r = reader_new(name, o);

	*out = NULL;
	if (r == NULL)
		return diag_system(d, "out of memory");
	r->f = f;
	if (reader_start(r, d) != 0) {
		epcis_reader_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int
epcis_reader_open_mem(struct epcis_reader **out, const void *buf,
    size_t len, const char *name, const struct epcis_read_opts *o,
    struct diag *d)
{
	struct epcis_reader *r = reader_new(name, o);

	*out = NULL;
	if (r == NULL)
		return diag_system(d, "out of memory");
	r->mem = buf;
	r->memlen = len;
	if (reader_start(r, d) != 0) {
		epcis_reader_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

static void
arena_delete(struct epcis_arena *a)
{
	if (a != NULL) {
		epcis_arena_free(a);
		free(a);
	}
}

void
epcis_reader_free(struct epcis_reader *r)
{
	if (r == NULL)
		return;
	if (r->xs != NULL)
		r->o.xml->free(r);
	epcis_scan_free(r->scan);
	free(r->sniff);
	if (r->building) {
		epcis_tb_free(&r->tb);
		arena_delete(r->build_arena);
	}
	for (size_t i = 0; i < r->qn; i++)
		arena_delete(r->q[(r->qhead + i) % r->qcap].a);
	free(r->q);
	arena_delete(r->handed);
	for (size_t i = 0; i < r->npool; i++)
		arena_delete(r->pool[i]);
	free(r->pool);
	epcis_buf_free(&r->canon);
	epcis_buf_free(&r->prehash);
	epcis_buf_free(&r->tmp);
	epcis_prehash_cache_free(r->hcache);
	free(r);
}

enum epcis_version
epcis_reader_version(const struct epcis_reader *r)
{
	return r->version;
}
/* ---------------------------------------------------------------------- */
/* Event fields */

static bool
name_is(const struct epcis_xnode *n, const char *local)
{
	return n->local != NULL && strcmp(n->local, local) == 0;
}

static bool
ns_is(const struct epcis_xnode *n, const char *uri)
{
	return n->uri != NULL && strcmp(n->uri, uri) == 0;
}

static bool
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct fctx {
	struct epcis_arena *a;
	struct epcis_buf *tmp;
	bool		 nomem;
};

static const char *
trim_dup(struct fctx *c, const char *s, size_t n)
{
	char *p;

	while (n > 0 && is_xml_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_xml_space((unsigned char)s[n - 1]))
		n--;
	if ((p = epcis_arena_strndup(c->a, s, n)) == NULL)
		c->nomem = true;
	return p;
}

/*
 * The same for a string that is NUL-terminated at s[n] and lives as long
 * as the event (tree text, attribute values): borrowed where trimming the
 * end is not needed, which is nearly always.
 */
static const char *
trim_ref(struct fctx *c, const char *s, size_t n)
{
	while (n > 0 && is_xml_space((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n > 0 && is_xml_space((unsigned char)s[n - 1]))
		return trim_dup(c, s, n);
	return s;
}

static void
all_text(struct epcis_buf *b, const struct epcis_xnode *n)
{
	for (const struct epcis_xnode *k = n->kids; k != NULL; k = k->next)
		if (epcis_x_is_elem(k))
			all_text(b, k);
		else
			epcis_buf_add(b, k->text, k->len);
}

/* The text of a leaf element (all the text in it), trimmed; "" if none. */
static const char *
leaf(struct fctx *c, const struct epcis_xnode *n)
{
	const struct epcis_xnode *t = n->kids;
	const char *p;

	if (t == NULL)
		return "";
	if (t->next == NULL && !epcis_x_is_elem(t))
		return trim_ref(c, t->text, t->len);
	c->tmp->len = 0;
	all_text(c->tmp, n);
	if (c->tmp->failed) {
		c->nomem = true;
		return NULL;
	}
	p = trim_dup(c, c->tmp->data != NULL ? c->tmp->data : "",
	    c->tmp->len);
	c->tmp->len = 0;
	return p;
}

static const char *
attr(struct fctx *c, const struct epcis_xnode *n, const char *name)
{
	for (size_t i = 0; i < n->nattr; i++)
		if (n->attrs[i].uri == NULL &&
		    strcmp(n->attrs[i].local, name) == 0)
			return trim_ref(c, n->attrs[i].value, n->attrs[i].len);
	return NULL;
}

/* Element children of n, through 1.2 wrappers, into v (up to cap); count. */
static size_t
kids(const struct epcis_xnode *n, const struct epcis_xnode **v, size_t cap,
    size_t k)
{
	for (const struct epcis_xnode *c = n->kids; c != NULL; c = c->next) {
		if (!epcis_x_is_elem(c))
			continue;
		if (epcis_x_is_wrapper(c))
			k = kids(c, v, cap, k);
		else {
			if (k < cap)
				v[k] = c;
			k++;
		}
	}
	return k;
}

/* The texts of the `item` children of list n. */
static const char *const *
text_list(struct fctx *c, const struct epcis_xnode *n, const char *item,
    size_t *count)
{
	size_t k = 0;
	const char **v;

	for (const struct epcis_xnode *e = n->kids; e != NULL; e = e->next)
		k += name_is(e, item);
	*count = 0;
	if (k == 0)
		return NULL;
	if ((v = epcis_arena_alloc(c->a, k * sizeof(*v))) == NULL) {
		c->nomem = true;
		return NULL;
	}
	for (const struct epcis_xnode *e = n->kids; e != NULL; e = e->next)
		if (name_is(e, item))
			v[(*count)++] = leaf(c, e);
	return v;
}

static const struct epcis_ref *
ref_list(struct fctx *c, const struct epcis_xnode *n, const char *item,
    size_t *count)
{
	size_t k = 0;
	struct epcis_ref *v;

	for (const struct epcis_xnode *e = n->kids; e != NULL; e = e->next)
		k += name_is(e, item);
	*count = 0;
	if (k == 0)
		return NULL;
	if ((v = epcis_arena_alloc(c->a, k * sizeof(*v))) == NULL) {
		c->nomem = true;
		return NULL;
	}
	for (const struct epcis_xnode *e = n->kids; e != NULL; e = e->next)
		if (name_is(e, item)) {
			v[*count].type = attr(c, e, "type");
			v[*count].id = leaf(c, e);
			(*count)++;
		}
	return v;
}

static void
item_attrs(struct fctx *c, const struct epcis_xnode *const *items,
    size_t nitems, struct epcis_event *ev)
{
	size_t k = 0;
	struct epcis_item_attr *v;

	for (size_t i = 0; i < nitems; i++)
		for (const struct epcis_xnode *e = items[i]->kids; e != NULL;
		    e = e->next)
			k += name_is(e, "attr") && ns_is(e, EPCIS_NS_DSCSA);
	if (k == 0)
		return;
	if ((v = epcis_arena_alloc(c->a, k * sizeof(*v))) == NULL) {
		c->nomem = true;
		return;
	}
	ev->attrs = v;
	for (size_t i = 0; i < nitems; i++) {
		const char *epc = attr(c, items[i], "epc");

		for (const struct epcis_xnode *e = items[i]->kids; e != NULL;
		    e = e->next) {
			const char *key;

			if (!name_is(e, "attr") || !ns_is(e, EPCIS_NS_DSCSA))
				continue;
			key = attr(c, e, "name");
			v[ev->nattr].epc = epc != NULL ? epc : "";
			v[ev->nattr].key = key != NULL ? key : "";
			v[ev->nattr].value = leaf(c, e);
			ev->nattr++;
		}
	}
}

/*
 * The fields of the event tree `evn` into ev (strings in `a`).  Returns 0,
 * or -1 if memory ran out.
 */
static int
fields(struct epcis_arena *a, struct epcis_buf *tmp,
    const struct epcis_xnode *evn, struct epcis_event *ev)
{
	struct fctx c = { a, tmp, false };
	const struct epcis_xnode **v, **items;
	size_t n, nitems = 0;

	n = kids(evn, NULL, 0, 0);
	v = n > 0 ? epcis_arena_alloc(a, 2 * n * sizeof(*v)) : NULL;
	if (n > 0 && v == NULL)
		return -1;
	kids(evn, v, n, 0);
	items = v + n;
	for (size_t i = 0; i < n; i++) {
		const struct epcis_xnode *e = v[i];
		const char *nm = e->local;

		if (e->uri != NULL) {
			if (ns_is(e, EPCIS_NS_DSCSA) && name_is(e, "item"))
				items[nitems++] = e;
			continue;
		}
		if (strcmp(nm, "eventTime") == 0)
			ev->event_time = leaf(&c, e);
		else if (strcmp(nm, "eventTimeZoneOffset") == 0)
			ev->event_time_zone_offset = leaf(&c, e);
		else if (strcmp(nm, "recordTime") == 0)
			ev->record_time = leaf(&c, e);
		else if (strcmp(nm, "eventID") == 0)
			ev->event_id = leaf(&c, e);
		else if (strcmp(nm, "action") == 0)
			ev->action = leaf(&c, e);
		else if (strcmp(nm, "bizStep") == 0)
			ev->biz_step = leaf(&c, e);
		else if (strcmp(nm, "disposition") == 0)
			ev->disposition = leaf(&c, e);
		else if (strcmp(nm, "parentID") == 0)
			ev->parent_id = leaf(&c, e);
		else if (strcmp(nm, "transformationID") == 0)
			ev->transformation_id = leaf(&c, e);
		else if (strcmp(nm, "readPoint") == 0 ||
		    strcmp(nm, "bizLocation") == 0) {
			for (const struct epcis_xnode *k = e->kids; k != NULL;
			    k = k->next)
				if (name_is(k, "id")) {
					if (nm[0] == 'r')
						ev->read_point = leaf(&c, k);
					else
						ev->biz_location = leaf(&c, k);
				}
		} else if (strcmp(nm, "epcList") == 0 ||
		    strcmp(nm, "childEPCs") == 0 ||
		    strcmp(nm, "outputEPCList") == 0)
			ev->epcs = text_list(&c, e, "epc", &ev->nepc);
		else if (strcmp(nm, "inputEPCList") == 0)
			ev->inputs = text_list(&c, e, "epc", &ev->ninput);
		else if (strcmp(nm, "bizTransactionList") == 0)
			ev->biz_tx = ref_list(&c, e, "bizTransaction",
			    &ev->nbiz_tx);
		else if (strcmp(nm, "sourceList") == 0)
			ev->sources = ref_list(&c, e, "source", &ev->nsource);
		else if (strcmp(nm, "destinationList") == 0)
			ev->dests = ref_list(&c, e, "destination", &ev->ndest);
		else if (strcmp(nm, "ilmd") == 0) {
			for (const struct epcis_xnode *k = e->kids; k != NULL;
			    k = k->next) {
				if (!ns_is(k, EPCIS_NS_CBVMDA) &&
				    !ns_is(k, EPCIS_NS_GS1USHC))
					continue;
				if (name_is(k, "lotNumber"))
					ev->lot = leaf(&c, k);
				else if (name_is(k, "itemExpirationDate"))
					ev->expiry = leaf(&c, k);
			}
		} else if (strcmp(nm, "errorDeclaration") == 0) {
			for (const struct epcis_xnode *k = e->kids; k != NULL;
			    k = k->next) {
				if (name_is(k, "declarationTime"))
					ev->error_time = leaf(&c, k);
				else if (name_is(k, "reason"))
					ev->error_reason = leaf(&c, k);
				else if (name_is(k, "correctiveEventIDs"))
					ev->corrective = text_list(&c, k,
					    "correctiveEventID",
					    &ev->ncorrective);
			}
		}
	}
	item_attrs(&c, items, nitems, ev);
	return c.nomem ? -1 : 0;
}

/*
 * An event tree into ev: fields, canonical form and hash id as the options
 * ask.  Errors go to r->err.
 */
static int
finish_event(struct epcis_reader *r, const struct epcis_xnode *n,
    enum epcis_event_type t, struct epcis_event *ev, struct epcis_arena *a)
{
	ev->type = t;
	ev->version = r->version;
	ev->line = n->line;
	if (!r->o.no_fields && fields(a, &r->tmp, n, ev) != 0)
		return diag_system(&r->err, "out of memory");
	if (!r->o.no_canon) {
		if (epcis_c14n_tree(n, &r->canon, &r->err) != 0)
			return -1;
		ev->canon = (const unsigned char *)r->canon.data;
		ev->canon_len = r->canon.len;
	}
	if (!r->o.no_hash) {
		/* names and values repeat from event to event: a cache */
		if (r->hcache == NULL &&
		    (r->hcache = epcis_prehash_cache_new()) == NULL)
			return diag_system(&r->err, "out of memory");
		if (epcis_prehash_tree_cached(n, a, r->hcache, &r->prehash,
		    &r->err) != 0 || epcis_hash_id(r->prehash.data,
		    r->prehash.len, ev->hash_id, &r->err) != 0)
			return -1;
		ev->prehash = r->prehash.data;
		ev->prehash_len = r->prehash.len;
	}
	return 0;
}
/* ---------------------------------------------------------------------- */
/* The pull */

static const struct epcis_scan_sink scan_sink_proto = {
	NULL, epcis_rd_start, epcis_rd_end, epcis_rd_text, epcis_rd_brk, NULL, NULL,
	epcis_rd_leaf,
};

/* Move the front end on: events into the queue, or the end, or an error. */
static void
advance(struct epcis_reader *r)
{
	if (r->scan != NULL) {
		struct epcis_scan_sink k = r->o.validate ?
		    *r->o.xml->valid_sink : scan_sink_proto;
		struct diag sd = DIAG_INIT;
		int rc;

		k.ctx = r;
		rc = epcis_scan_next(r->scan, &k, &sd);
		if (rc < 0 && r->err.kind == DIAG_OK) {
			if (r->read_error)
				return;		/* fail() says so */
			if (sd.kind == DIAG_OK)
				diag_input(&sd, "not well-formed XML");
			r->err = sd;
			diag_at(&r->err, r->name, 0);
		} else if (rc == 0) {
			if (r->o.validate && r->err.kind == DIAG_OK &&
			    r->o.xml->valid_end(r) != 1) {
				diag_verify(&r->err, "not valid against the "
				    "EPCIS %s XSD", r->version == EPCIS_V2_0 ?
				    "2.0" : "1.2");
				diag_at(&r->err, r->name, epcis_rd_line(r));
			}
			r->eof = true;
		}
		return;
	}
	r->o.xml->sax_step(r);
}

int
epcis_reader_next(struct epcis_reader *r, struct epcis_event *ev,
    struct diag *d)
{
	static const struct epcis_event zero;

	if (r->dead) {
		*d = r->err;
		return -1;
	}
	arena_put(r, r->handed);
	r->handed = NULL;
	for (;;) {
		if (r->qn > 0) {
			struct epcis_qevent e = r->q[r->qhead];

			r->qhead = (r->qhead + 1) % r->qcap;
			r->qn--;
			r->handed = e.a;
			*ev = zero;
			if (finish_event(r, e.root, e.type, ev, e.a) != 0)
				return fail(r, d, e.root->line);
			return 1;
		}
		if (r->err.kind != DIAG_OK || r->read_error)
			return fail(r, d, epcis_rd_line(r));
		if (r->eof) {
			if (!r->root_seen)
				return fail(r, d, epcis_rd_line(r));
			r->done = true;
			return 0;
		}
		advance(r);
	}
}
