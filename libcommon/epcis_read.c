/*
 * epcis_read: the streaming EPCIS reader.  The own strict scanner
 * (epcis_scan.c: no DTD, UTF-8, well-formedness and namespaces checked in
 * full, constant memory, about five times libxml2's speed) feeds one
 * document driver, which builds the event tree (epcis_int.h) of each
 * event and hands it to the walkers (fields here, epcis_c14n.c,
 * epcis_hash.c).  With --validate the same scanner also feeds libxml2's
 * XSD validator, as libxml2's SAX2 parser would ("XSD validation fed by
 * the scanner" below): one parse, by the scanner, and no libxml2 parser.
 * libxml2's SAX2 push parser remains only as a second front end for the
 * differential tests of the scanner (o->libxml2).
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

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "epcis.h"
#include "epcis_int.h"

#define SNIFF_MAX	(64 * 1024)
#define CHUNK		(16 * 1024)	/* small: events of one chunk queue */
#define EVENT_ARENA	4096		/* first chunk of an event's arena */

struct qevent {
	struct epcis_xnode *root;
	enum epcis_event_type type;
	struct epcis_arena *a;
};

/* SAX front end: the namespace bindings in scope (for xsi:type values) */
struct sns {
	const xmlChar	*prefix, *uri;
};

/*
 * Validator feed: the strings the validator keeps pointers to while an
 * element is open (its local name, namespace and declarations, its
 * attributes' names), in chunks that never move, released at its end.
 */
struct vchunk {
	struct vchunk	*prev;
	size_t		 cap, used;
	char		 data[];
};

struct vel {
	const xmlChar	*local, *uri;
	struct vchunk	*chunk;		/* the stack top before it */
	size_t		 used;
};

struct epcis_reader {
	FILE		*f;
	const unsigned char *mem;
	size_t		 memlen, mempos;
	const char	*name;
	struct epcis_read_opts o;

	unsigned char	*sniff;		/* bytes read ahead to find the version */
	size_t		 sniff_len, sniff_pos;

	unsigned long long fed;		/* bytes read */
	unsigned long long event_start;	/* offset where the current event began */
	size_t		 text_run;	/* bytes since the last '<' */
	bool		 read_error, eof;
	int		 read_errno;

	enum epcis_version version;
	bool		 root_seen, bare, done;
	int		 open;		/* elements open */
	int		 eventlist_depth;	/* -1: not inside EventList */
	bool		 building;
	enum epcis_event_type building_type;

	struct diag	 err;		/* the first error (invariant 4) */
	bool		 dead;

	/* events (invariant 3) */
	struct epcis_tb	 tb;
	struct epcis_arena *build_arena;
	struct qevent	*q;
	size_t		 qcap, qhead, qn;
	struct qevent	 pending;	/* completed, not yet accepted */
	bool		 has_pending;
	struct epcis_arena **pool;
	size_t		 npool, poolcap;
	struct epcis_arena *handed;	/* the event the caller holds */
	struct epcis_buf canon, prehash, tmp;

	/* own scanner */
	struct epcis_scan *scan;

	/* the XSD validator, fed by the scanner (--validate) */
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaSAXPlugPtr plug;
	xmlSAXHandlerPtr vsax;		/* its handlers (the plug's) */
	void		*vdata;
	struct vchunk	*vstk;		/* strings of the open elements */
	struct vel	*vel;		/* the open elements */
	size_t		 nvel, velcap;
	const xmlChar	**vns;		/* declarations of the next start */
	size_t		 nvns, vnscap;
	const xmlChar	**vattr;	/* libxml2's attribute quintuples */
	size_t		 vattrcap;
	size_t		 vtext, vpieces;	/* text since the last tag */

	/* libxml2 SAX2 (o->libxml2: the scanner's differential oracle) */
	xmlParserCtxtPtr pc;
	unsigned char	*chunk;
	struct sns	*sns;
	size_t		 nsns, sns_cap;
	size_t		*sns_mark;	/* nsns at each open element */
	size_t		 sns_mark_cap;
	struct epcis_xattr *sattrs;
	size_t		 sattr_cap;
	struct epcis_buf sbuf;
};

/* ---------------------------------------------------------------------- */
/* Input */

static size_t
fetch(void *ctx, void *buf, size_t want)
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
sniff_version(const unsigned char *s, size_t n)
{
	size_t i = 0, end;

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
static int
set_input(struct epcis_reader *r, unsigned long line, const char *msg)
{
	if (r->err.kind == DIAG_OK) {
		diag_input(&r->err, "%s", msg);
		diag_at(&r->err, r->name, line);
	}
	return -1;
}

static unsigned long
cur_line(const struct epcis_reader *r)
{
	if (r->scan != NULL)
		return epcis_scan_line(r->scan);
	if (r->pc != NULL && r->pc->input != NULL)
		return (unsigned long)r->pc->input->line;
	return 0;
}

static unsigned long long
cur_offset(const struct epcis_reader *r)
{
	return r->scan != NULL ? epcis_scan_offset(r->scan) : r->fed;
}

static void drop_pending(struct epcis_reader *r);
static void commit_pending(struct epcis_reader *r);

/* libxml2's errors: the parser's (through e->ctxt) and the validator's. */
static void
xml_error(struct epcis_reader *r, xmlErrorPtr e)
{
	char msg[DIAG_MSG_MAX];
	size_t n;

	if (e == NULL || e->level < XML_ERR_ERROR || r->err.kind != DIAG_OK)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message :
	    "unknown error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	/* the validator refuses an event at its end tag: not delivered */
	if (e->domain == XML_FROM_SCHEMASV || e->domain == XML_FROM_VALID)
		drop_pending(r);
	else
		commit_pending(r);
	if (e->domain == XML_FROM_SCHEMASV || e->domain == XML_FROM_VALID)
		diag_verify(&r->err, "not valid against the EPCIS %s XSD: %s",
		    r->version == EPCIS_V2_0 ? "2.0" : "1.2", msg);
	else
		diag_input(&r->err, "not well-formed XML: %s", msg);
	diag_at(&r->err, r->name, e->line > 0 ? (unsigned long)e->line :
	    cur_line(r));
	if (r->pc != NULL)
		xmlStopParser(r->pc);
}

static void
on_parser_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr pc = e != NULL ? e->ctxt : NULL;

	(void)ctx;
	if (pc != NULL && pc->_private != NULL)
		xml_error(pc->_private, e);
}

static void
on_valid_error(void *ctx, xmlErrorPtr e)
{
	xml_error(ctx, e);
}

static int
locator(void *ctx, const char **file, unsigned long *line)
{
	struct epcis_reader *r = ctx;

	*file = r->name;
	*line = cur_line(r);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Schemas: compiled once per process and version */

static struct {
	char		 path[4096];
	xmlSchemaPtr	 schema;
} schema_cache[2];

static void
ignore_schema_error(void *ctx, xmlErrorPtr e)
{
	struct diag *d = ctx;

	if (e != NULL && e->level >= XML_ERR_ERROR && d->kind == DIAG_OK)
		diag_system(d, "cannot compile the schema: %s", e->message !=
		    NULL ? e->message : "error");
}

static xmlSchemaPtr
load_schema(enum epcis_version v, const char *dir, struct diag *d)
{
	size_t slot = v == EPCIS_V2_0;
	xmlSchemaParserCtxtPtr pc;
	char path[4096];
	struct diag sd = DIAG_INIT;

	if (epcis_schema_path(v, dir, path, sizeof(path), d) != 0)
		return NULL;
	if (schema_cache[slot].schema != NULL &&
	    strcmp(schema_cache[slot].path, path) == 0)
		return schema_cache[slot].schema;
	{
		FILE *t = fopen(path, "r");

		if (t == NULL) {
			diag_system(d, "cannot open the EPCIS %s schema %s "
			    "(set DSCSA_SCHEMAS or --schemas)",
			    v == EPCIS_V2_0 ? "2.0" : "1.2", path);
			return NULL;
		}
		fclose(t);
	}
	if ((pc = xmlSchemaNewParserCtxt(path)) == NULL) {
		diag_system(d, "out of memory");
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pc, ignore_schema_error, &sd);
	if (schema_cache[slot].schema != NULL)
		xmlSchemaFree(schema_cache[slot].schema);
	schema_cache[slot].schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (schema_cache[slot].schema == NULL) {
		if (sd.kind == DIAG_OK)
			diag_system(&sd, "cannot compile the schema");
		diag_at(&sd, path, 0);
		*d = sd;
		return NULL;
	}
	snprintf(schema_cache[slot].path, sizeof(schema_cache[slot].path),
	    "%s", path);
	return schema_cache[slot].schema;
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
	if (a == NULL)
		return;
	epcis_arena_reset(a);
	if (r->npool == r->poolcap) {
		size_t cap = r->poolcap ? r->poolcap * 2 : 8;
		struct epcis_arena **p = realloc(r->pool, cap * sizeof(*p));

		if (p == NULL) {
			epcis_arena_free(a);
			free(a);
			return;
		}
		r->pool = p;
		r->poolcap = cap;
	}
	r->pool[r->npool++] = a;
}

static void
drop_pending(struct epcis_reader *r)
{
	if (r->has_pending) {
		arena_put(r, r->pending.a);
		r->has_pending = false;
	}
}

static int
enqueue(struct epcis_reader *r, const struct qevent *e)
{
	if (r->qn == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 8;
		struct qevent *q = malloc(cap * sizeof(*q));

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

/* An event the validator has not refused by now is accepted. */
static void
commit_pending(struct epcis_reader *r)
{
	if (!r->has_pending)
		return;
	r->has_pending = false;
	if (r->err.kind != DIAG_OK || enqueue(r, &r->pending) != 0) {
		if (r->err.kind == DIAG_OK)
			diag_system(&r->err, "out of memory");
		arena_put(r, r->pending.a);
	}
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
			return set_input(r, line, "cannot validate: the root "
			    "namespace is not where the reader found it");
		r->version = v;
		return 0;
	}
	if (event_type_at(uri, local, llen) != 0) {
		r->bare = true;
		r->version = EPCIS_V2_0;
		return 0;
	}
	return set_input(r, line, "not an EPCIS document (the root is not "
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
	r->building = true;
	r->building_type = t;
	r->event_start = cur_offset(r);
	return 0;
}

static int
too_big(struct epcis_reader *r)
{
	char msg[80];

	if (cur_offset(r) - r->event_start <= r->o.max_event_bytes)
		return 0;
	snprintf(msg, sizeof(msg), "event larger than %zu bytes",
	    r->o.max_event_bytes);
	return set_input(r, cur_line(r), msg);
}

static int
drv_start(void *ctx, const char *uri, const char *local, size_t llen,
    const struct epcis_xattr *attrs, size_t nattr, unsigned long line)
{
	struct epcis_reader *r = ctx;
	int depth = r->open++;
	enum epcis_event_type t;

	if (r->err.kind != DIAG_OK)
		return -1;
	if ((unsigned)depth >= r->o.max_depth)
		return set_input(r, line, "elements nested too deep");
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

static int
drv_end(void *ctx)
{
	struct epcis_reader *r = ctx;

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
	r->pending.root = r->tb.root;
	r->pending.type = r->building_type;
	r->pending.a = r->build_arena;
	r->build_arena = NULL;
	r->has_pending = true;
	if (r->scan != NULL) {
		commit_pending(r);
		return 1;		/* one event at a time */
	}
	return 0;
}

static int
drv_text(void *ctx, const char *s, size_t n)
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

static int
drv_brk(void *ctx)
{
	struct epcis_reader *r = ctx;

	if (r->building)
		epcis_tb_break(&r->tb);
	return 0;
}

/* ---------------------------------------------------------------------- */
/*
 * XSD validation fed by the scanner (--validate).  libxml2's validator is
 * a SAX2 consumer: xmlSchemaSAXPlug() with no handler of ours gives its
 * own startElementNs, endElementNs, characters and cdataBlock, which are
 * called here with what libxml2's parser would pass them, so the document
 * is parsed once, by the scanner, and no libxml2 parser exists
 * (libxml2 2.9.14 xmlschemas.c, xmlSchemaSAXHandle*):
 *
 *  - the validator keeps the local name and namespace of each open
 *    element and the strings of its namespace declarations (it resolves
 *    xsi:type and QName values through them) until the element ends, and
 *    the attribute names while the start tag is validated: all of them
 *    live on the vchunk stack, popped at the end tag;
 *  - attribute values are copied by the validator, which turns "&#38;"
 *    into '&' (libxml2's parser hands '&' over that way): every '&' of a
 *    value is passed as "&#38;";
 *  - there is no parser context (vctxt->parserCtxt is NULL, which its
 *    handlers check): error lines come from the locator, the scanner's
 *    line;
 *  - it appends every text piece of an element to the ones before with
 *    xmlStrncat (quadratic), so the text between two tags is capped in
 *    bytes and in pieces (CDATA sections, comments between them).
 */
#define VCHUNK		4096
#define VTEXT_PIECES	1024

/* n + 1 bytes on the stack; NULL if memory ran out. */
static char *
vstk_alloc(struct epcis_reader *r, size_t n)
{
	struct vchunk *c = r->vstk;
	char *p;

	if (c == NULL || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > VCHUNK ? n + 1 : VCHUNK;

		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->prev = r->vstk;
		c->cap = cap;
		c->used = 0;
		r->vstk = c;
	}
	p = c->data + c->used;
	c->used += n + 1;
	return p;
}

static char *
vstk_dup(struct epcis_reader *r, const char *s, size_t n)
{
	char *p = vstk_alloc(r, n);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Back to the mark (chunk, used): the chunks above it are freed. */
static void
vstk_pop(struct epcis_reader *r, struct vchunk *mark, size_t used)
{
	while (r->vstk != NULL && r->vstk != mark) {
		struct vchunk *c = r->vstk;

		r->vstk = c->prev;
		free(c);
	}
	if (r->vstk != NULL)
		r->vstk->used = used;
}

static int
v_nomem(struct epcis_reader *r)
{
	if (r->err.kind == DIAG_OK)
		diag_system(&r->err, "out of memory");
	return -1;
}

static int
v_nsdecl(void *ctx, const char *prefix, size_t plen, const char *uri)
{
	struct epcis_reader *r = ctx;
	const char *p = NULL, *u;

	if (r->nvns + 1 > r->vnscap) {
		size_t cap = r->vnscap ? r->vnscap * 2 : 16;
		const xmlChar **v = realloc(r->vns, 2 * cap * sizeof(*v));

		if (v == NULL)
			return v_nomem(r);
		r->vns = v;
		r->vnscap = cap;
	}
	if ((prefix != NULL && (p = vstk_dup(r, prefix, plen)) == NULL) ||
	    (u = vstk_dup(r, uri, strlen(uri))) == NULL)
		return v_nomem(r);
	r->vns[2 * r->nvns] = (const xmlChar *)p;
	r->vns[2 * r->nvns + 1] = (const xmlChar *)u;
	r->nvns++;
	return 0;
}

/* An attribute value with '&' as "&#38;", on the stack. */
static const char *
v_amp(struct epcis_reader *r, const char *v, size_t len, size_t *outlen)
{
	size_t n = 0, k = 0;
	char *p;

	for (size_t i = 0; i < len; i++)
		n += v[i] == '&' ? 5 : 1;
	if ((p = vstk_alloc(r, n)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '&') {
			memcpy(p + k, "&#38;", 5);
			k += 5;
		} else
			p[k++] = v[i];
	}
	p[n] = '\0';
	*outlen = n;
	return p;
}

static int
v_start(void *ctx, const char *uri, const char *local, size_t llen,
    const struct epcis_xattr *attrs, size_t nattr, unsigned long line)
{
	struct epcis_reader *r = ctx;
	struct vchunk *mark = r->vstk;
	size_t used = mark != NULL ? mark->used : 0;
	struct vel *e;
	const char *l, *u = NULL;
	size_t nns = r->nvns;

	r->nvns = 0;
	if (r->err.kind != DIAG_OK)
		return -1;
	if (r->nvel == r->velcap) {
		size_t cap = r->velcap ? r->velcap * 2 : 16;
		struct vel *v = realloc(r->vel, cap * sizeof(*v));

		if (v == NULL)
			return v_nomem(r);
		r->vel = v;
		r->velcap = cap;
	}
	if (nattr > r->vattrcap) {
		const xmlChar **v = realloc(r->vattr, 5 * 2 * nattr *
		    sizeof(*v));

		if (v == NULL)
			return v_nomem(r);
		r->vattr = v;
		r->vattrcap = 2 * nattr;
	}
	if ((l = vstk_dup(r, local, llen)) == NULL ||
	    (uri != NULL && (u = vstk_dup(r, uri, strlen(uri))) == NULL))
		return v_nomem(r);
	for (size_t i = 0; i < nattr; i++) {
		const struct epcis_xattr *a = &attrs[i];
		const char *al, *au = NULL, *av = a->value;
		size_t vlen = a->len;

		if ((al = vstk_dup(r, a->local, strlen(a->local))) == NULL ||
		    (a->uri != NULL && (au = vstk_dup(r, a->uri,
		    strlen(a->uri))) == NULL) ||
		    (memchr(av, '&', vlen) != NULL &&
		    (av = v_amp(r, a->value, a->len, &vlen)) == NULL))
			return v_nomem(r);
		r->vattr[5 * i] = (const xmlChar *)al;
		r->vattr[5 * i + 1] = NULL;	/* the prefix: unused */
		r->vattr[5 * i + 2] = (const xmlChar *)au;
		r->vattr[5 * i + 3] = (const xmlChar *)av;
		r->vattr[5 * i + 4] = (const xmlChar *)av + vlen;
	}
	e = &r->vel[r->nvel++];
	e->local = (const xmlChar *)l;
	e->uri = (const xmlChar *)u;
	e->chunk = mark;
	e->used = used;
	r->vtext = r->vpieces = 0;
	r->vsax->startElementNs(r->vdata, e->local, NULL, e->uri, (int)nns,
	    r->vns, (int)nattr, 0, r->vattr);
	if (r->err.kind != DIAG_OK)
		return -1;
	return drv_start(r, uri, local, llen, attrs, nattr, line);
}

static int
v_end(void *ctx)
{
	struct epcis_reader *r = ctx;
	struct vel *e;

	if (r->err.kind != DIAG_OK || r->nvel == 0)
		return -1;
	e = &r->vel[--r->nvel];
	r->vtext = r->vpieces = 0;
	r->vsax->endElementNs(r->vdata, e->local, NULL, e->uri);
	vstk_pop(r, e->chunk, e->used);
	if (r->err.kind != DIAG_OK)
		return -1;
	return drv_end(r);
}

static int
v_text_len(struct epcis_reader *r, size_t n)
{
	char msg[80];

	r->vtext += n;
	if (++r->vpieces <= VTEXT_PIECES && r->vtext <= EPCIS_MAX_TEXT_BYTES)
		return 0;
	snprintf(msg, sizeof(msg), "text or attribute longer than %lu bytes",
	    EPCIS_MAX_TEXT_BYTES);
	if (r->vpieces > VTEXT_PIECES)
		snprintf(msg, sizeof(msg), "text in more than %d pieces",
		    VTEXT_PIECES);
	return set_input(r, cur_line(r), msg);
}

static int
v_text(void *ctx, const char *s, size_t n)
{
	struct epcis_reader *r = ctx;

	if (r->err.kind != DIAG_OK || v_text_len(r, n) != 0)
		return -1;
	r->vsax->characters(r->vdata, (const xmlChar *)s, (int)n);
	if (r->err.kind != DIAG_OK)
		return -1;
	return drv_text(r, s, n);
}

static int
v_cdata(void *ctx, const char *s, size_t n)
{
	struct epcis_reader *r = ctx;

	if (r->err.kind != DIAG_OK || v_text_len(r, n) != 0)
		return -1;
	r->vsax->cdataBlock(r->vdata, (const xmlChar *)s, (int)n);
	if (r->err.kind != DIAG_OK)
		return -1;
	return drv_text(r, s, n);
}

static int
v_brk(void *ctx)
{
	struct epcis_reader *r = ctx;

	r->vpieces++;		/* text on both sides is one piece for it */
	return drv_brk(r);
}

/* The validator of `schema` and the scanner that feeds it. */
static int
v_open(struct epcis_reader *r, xmlSchemaPtr schema, struct diag *d)
{
	if ((r->vc = xmlSchemaNewValidCtxt(schema)) == NULL)
		return diag_system(d, "out of memory");
	xmlSchemaSetValidStructuredErrors(r->vc, on_valid_error, r);
	xmlSchemaValidateSetLocator(r->vc, locator, r);
	r->vsax = NULL;
	r->plug = xmlSchemaSAXPlug(r->vc, &r->vsax, &r->vdata);
	if (r->plug == NULL || r->vsax == NULL ||
	    r->vsax->startElementNs == NULL || r->vsax->endElementNs == NULL ||
	    r->vsax->characters == NULL || r->vsax->cdataBlock == NULL)
		return diag_system(d, "cannot use the schema");
	r->scan = r->f != NULL ? epcis_scan_new(fetch, r, NULL, 0,
	    r->o.max_depth) : epcis_scan_new(NULL, NULL, r->mem, r->memlen,
	    r->o.max_depth);
	if (r->scan == NULL)
		return diag_system(d, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The libxml2 SAX2 front end (o->libxml2: the scanner's oracle) */

static const xmlChar *
sax_lookup(const struct epcis_reader *r, const char *p, size_t n)
{
	for (size_t i = r->nsns; i-- > 0;) {
		const xmlChar *q = r->sns[i].prefix;

		if (q != NULL && strlen((const char *)q) == n &&
		    memcmp(q, p, n) == 0)
			return r->sns[i].uri != NULL && r->sns[i].uri[0] != '\0' ?
			    r->sns[i].uri : NULL;
	}
	if (n == 3 && memcmp(p, "xml", 3) == 0)
		return (const xmlChar *)"http://www.w3.org/XML/1998/namespace";
	return NULL;
}

/*
 * A namespace name as the XML namespaces spec has it: without entity
 * substitution libxml2 keeps '&' of xmlns="...&amp;..." as "&#38;" in the
 * URI it binds, which its own tree then shows; the scanner (and the spec)
 * say '&'.  Interned in the parser's dictionary, so it lives as long.
 */
static const xmlChar *
sax_uri(struct epcis_reader *r, const xmlChar *u)
{
	char buf[2048];
	size_t o = 0;

	if (u == NULL || strchr((const char *)u, '&') == NULL)
		return u;
	for (const xmlChar *p = u; *p != '\0' && o + 1 < sizeof(buf); p++) {
		if (strncmp((const char *)p, "&#38;", 5) == 0) {
			buf[o++] = '&';
			p += 4;		/* and the loop steps over ';' */
		} else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	return xmlDictLookup(r->pc->dict, (const xmlChar *)buf, (int)o);
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nb_ns, const xmlChar **ns, int nb_attr,
    int nb_def, const xmlChar **attrs)
{
	struct epcis_reader *r = ctx;
	size_t na = nb_attr > 0 ? (size_t)nb_attr : 0;
	size_t *offs;

	(void)prefix;
	(void)nb_def;
	commit_pending(r);
	if (r->err.kind != DIAG_OK)
		return;
	/* bindings in scope, for xsi:type QName prefixes */
	if ((size_t)r->open >= r->sns_mark_cap) {
		size_t cap = r->sns_mark_cap ? r->sns_mark_cap * 2 : 16;
		size_t *m = realloc(r->sns_mark, cap * sizeof(*m));

		if (m == NULL)
			goto nomem;
		r->sns_mark = m;
		r->sns_mark_cap = cap;
	}
	r->sns_mark[r->open] = r->nsns;
	for (int i = 0; i < nb_ns; i++) {
		if (r->nsns == r->sns_cap) {
			size_t cap = r->sns_cap ? r->sns_cap * 2 : 16;
			struct sns *v = realloc(r->sns, cap * sizeof(*v));

			if (v == NULL)
				goto nomem;
			r->sns = v;
			r->sns_cap = cap;
		}
		r->sns[r->nsns].prefix = ns[2 * i];
		r->sns[r->nsns].uri = sax_uri(r, ns[2 * i + 1]);
		r->nsns++;
	}
	if (na > r->sattr_cap) {
		struct epcis_xattr *v = realloc(r->sattrs, na * 2 * sizeof(*v));

		if (v == NULL)
			goto nomem;
		r->sattrs = v;
		r->sattr_cap = na * 2;
	}
	/* values: '&' comes as "&#38;" without entity substitution */
	r->sbuf.len = 0;
	offs = NULL;
	for (size_t i = 0; i < na; i++) {
		const xmlChar *v = attrs[5 * i + 3], *e = attrs[5 * i + 4];
		struct epcis_xattr *x = &r->sattrs[i];
		size_t start = r->sbuf.len;

		while (v < e) {
			const xmlChar *amp = memchr(v, '&', (size_t)(e - v));

			if (amp == NULL) {
				epcis_buf_add(&r->sbuf, (const char *)v,
				    (size_t)(e - v));
				break;
			}
			epcis_buf_add(&r->sbuf, (const char *)v,
			    (size_t)(amp - v));
			if (e - amp >= 5 && memcmp(amp, "&#38;", 5) == 0) {
				epcis_buf_add(&r->sbuf, "&", 1);
				v = amp + 5;
			} else {
				epcis_buf_add(&r->sbuf, "&", 1);
				v = amp + 1;
			}
		}
		x->len = r->sbuf.len - start;
		epcis_buf_add(&r->sbuf, "", 1);
		x->value = (const char *)(uintptr_t)start;	/* offset for now */
		x->local = (const char *)attrs[5 * i];
		x->uri = (const char *)sax_uri(r, attrs[5 * i + 2]);
		x->qprefix = NULL;
		x->quri = NULL;
	}
	if (r->sbuf.failed)
		goto nomem;
	for (size_t i = 0; i < na; i++) {
		struct epcis_xattr *x = &r->sattrs[i];
		size_t pl;

		x->value = r->sbuf.data + (uintptr_t)x->value;
		if (x->uri != NULL && strcmp(x->uri, EPCIS_NS_XSI) == 0 &&
		    strcmp(x->local, "type") == 0 &&
		    (pl = epcis_qname_prefix_len(x->value, x->len)) > 0) {
			const xmlChar *q = sax_lookup(r, x->value, pl);

			if (q != NULL) {
				x->quri = (const char *)q;
				x->qprefix = (const char *)xmlDictLookup(
				    r->pc->dict, (const xmlChar *)x->value,
				    (int)pl);
			}
		}
	}
	(void)offs;
	if (drv_start(r, (const char *)sax_uri(r, uri), (const char *)local,
	    strlen((const char *)local), r->sattrs, na, cur_line(r)) < 0)
		xmlStopParser(r->pc);
	return;
nomem:
	diag_system(&r->err, "out of memory");
	xmlStopParser(r->pc);
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct epcis_reader *r = ctx;

	(void)local;
	(void)prefix;
	(void)uri;
	commit_pending(r);
	if (r->open > 0 && (size_t)r->open - 1 < r->sns_mark_cap)
		r->nsns = r->sns_mark[r->open - 1];
	if (drv_end(r) < 0)
		xmlStopParser(r->pc);
}

static void
sax_text(void *ctx, const xmlChar *s, int len)
{
	struct epcis_reader *r = ctx;

	commit_pending(r);
	if (len > 0 && drv_text(r, (const char *)s, (size_t)len) < 0)
		xmlStopParser(r->pc);
}

/*
 * CDATA content: libxml2's push parser passes it without line-end
 * normalisation (XML 1.0 section 2.11 applies to all input); the scanner
 * normalises, so does this.  CDATA holds no references, so every CR here
 * was a line end.
 */
static void
sax_cdata(void *ctx, const xmlChar *s, int len)
{
	struct epcis_reader *r = ctx;
	const char *p = (const char *)s, *e = p + (len > 0 ? len : 0);

	if (memchr(p, '\r', (size_t)(e - p)) == NULL) {
		sax_text(ctx, s, len);
		return;
	}
	commit_pending(r);
	while (p < e) {
		const char *cr = memchr(p, '\r', (size_t)(e - p));
		const char *q = cr != NULL ? cr : e;

		if (q > p && drv_text(r, p, (size_t)(q - p)) < 0) {
			xmlStopParser(r->pc);
			return;
		}
		if (cr == NULL)
			break;
		if (drv_text(r, "\n", 1) < 0) {
			xmlStopParser(r->pc);
			return;
		}
		p = cr + 1 < e && cr[1] == '\n' ? cr + 2 : cr + 1;
	}
}

static void
sax_dtd_error(struct epcis_reader *r)
{
	set_input(r, cur_line(r), "DTD not allowed (no external DTDs, no "
	    "entity declarations in EPCIS input)");
	xmlStopParser(r->pc);
}

static void
sax_comment(void *ctx, const xmlChar *value)
{
	struct epcis_reader *r = ctx;

	(void)value;
	commit_pending(r);
	if (r->pc->inSubset)
		sax_dtd_error(r);
	else
		drv_brk(r);
}

static void
sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target;
	(void)data;
	sax_comment(ctx, NULL);
}

static void
sax_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	(void)name;
	if (ext != NULL || sys != NULL)
		sax_dtd_error(ctx);
}

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
    const xmlChar *sys, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	sax_dtd_error(ctx);
}

static void
sax_element_decl(void *ctx, const xmlChar *name, int type,
    xmlElementContentPtr content)
{
	(void)name;
	(void)type;
	(void)content;
	sax_dtd_error(ctx);
}

static void
sax_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *name,
    int type, int def, const xmlChar *dflt, xmlEnumerationPtr tree)
{
	(void)elem;
	(void)name;
	(void)type;
	(void)def;
	(void)dflt;
	xmlFreeEnumeration(tree);
	sax_dtd_error(ctx);
}

static void
sax_notation_decl(void *ctx, const xmlChar *name, const xmlChar *pub,
    const xmlChar *sys)
{
	(void)name;
	(void)pub;
	(void)sys;
	sax_dtd_error(ctx);
}

static void
sax_unparsed_decl(void *ctx, const xmlChar *name, const xmlChar *pub,
    const xmlChar *sys, const xmlChar *notation)
{
	(void)name;
	(void)pub;
	(void)sys;
	(void)notation;
	sax_dtd_error(ctx);
}

static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
	return NULL;		/* invariant 2: none is declared */
}

static void
sax_reference(void *ctx, const xmlChar *name)
{
	struct epcis_reader *r = ctx;

	(void)name;
	set_input(r, cur_line(r), "entity reference not allowed");
	xmlStopParser(r->pc);
}

static int
sax_open(struct epcis_reader *r, xmlSchemaPtr schema, struct diag *d)
{
	xmlSAXHandler sax;
	unsigned char head[4];
	size_t n;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	/* the plug hands CDATA to ignorableWhitespace (keepBlanks is on,
	 * so nothing else comes there) */
	sax.ignorableWhitespace = sax_cdata;
	sax.cdataBlock = sax_cdata;
	sax.comment = sax_comment;
	sax.processingInstruction = sax_pi;
	sax.internalSubset = sax_subset;
	sax.entityDecl = sax_entity_decl;
	sax.elementDecl = sax_element_decl;
	sax.attributeDecl = sax_attribute_decl;
	sax.notationDecl = sax_notation_decl;
	sax.unparsedEntityDecl = sax_unparsed_decl;
	sax.getEntity = sax_get_entity;
	sax.getParameterEntity = sax_get_entity;
	sax.reference = sax_reference;
	if ((r->chunk = malloc(CHUNK)) == NULL)
		return diag_system(d, "out of memory");
	n = fetch(r, head, sizeof(head));
	r->text_run = 0;
	if (!epcis_text_run(&r->text_run, (const char *)head, n,
	    EPCIS_MAX_TEXT_BYTES))
		return diag_system(d, "out of memory");
	r->pc = xmlCreatePushParserCtxt(&sax, r, (const char *)head, (int)n,
	    r->name);
	if (r->pc == NULL)
		return diag_system(d, "out of memory");
	r->pc->_private = r;
	if (schema != NULL) {
		if ((r->vc = xmlSchemaNewValidCtxt(schema)) == NULL)
			return diag_system(d, "out of memory");
		xmlSchemaSetValidStructuredErrors(r->vc, on_valid_error, r);
		xmlSchemaValidateSetLocator(r->vc, locator, r);
		r->plug = xmlSchemaSAXPlug(r->vc, &r->pc->sax,
		    &r->pc->userData);
		if (r->plug == NULL)
			return diag_system(d, "cannot use the schema");
	}
	/* NOCDATA off here only, so that CDATA reaches sax_cdata */
	xmlCtxtUseOptions(r->pc, epcis_xml_options() & ~XML_PARSE_NOCDATA);
	r->pc->sax->serror = on_parser_error;
	return 0;
}

/* Feed the next chunk (or the end) to libxml2. */
static void
sax_step(struct epcis_reader *r)
{
	size_t n = fetch(r, r->chunk, CHUNK);

	if (n > 0 && !epcis_text_run(&r->text_run, (const char *)r->chunk, n,
	    EPCIS_MAX_TEXT_BYTES)) {
		char msg[80];

		snprintf(msg, sizeof(msg), "text or attribute longer than %lu "
		    "bytes", EPCIS_MAX_TEXT_BYTES);
		set_input(r, cur_line(r), msg);
		return;
	}
	if (r->building && cur_offset(r) - r->event_start >
	    r->o.max_event_bytes) {
		too_big(r);
		return;
	}
	if (n == 0 && r->read_error)
		return;
	xmlParseChunk(r->pc, (const char *)r->chunk, (int)n, n == 0);
	commit_pending(r);
	if (r->err.kind == DIAG_OK && !r->pc->wellFormed)
		set_input(r, cur_line(r), "not well-formed XML");
	if (n == 0 && r->err.kind == DIAG_OK) {
		if (r->vc != NULL && xmlSchemaIsValid(r->vc) != 1) {
			diag_verify(&r->err, "not valid against the EPCIS %s XSD",
			    r->version == EPCIS_V2_0 ? "2.0" : "1.2");
			diag_at(&r->err, r->name, cur_line(r));
		}
		r->eof = true;
	}
}

/* ---------------------------------------------------------------------- */
/* Open and free */

static int
reader_start(struct epcis_reader *r, struct diag *d)
{
	xmlSchemaPtr s;

	epcis_init();
	if (r->o.max_depth == 0 || r->o.max_depth > EPCIS_MAX_DEPTH)
		r->o.max_depth = EPCIS_MAX_DEPTH;
	if (r->o.max_event_bytes == 0)
		r->o.max_event_bytes = EPCIS_MAX_EVENT_BYTES;
	r->eventlist_depth = -1;
	if (!r->o.validate && r->o.libxml2) {
		r->version = 0;
		return sax_open(r, NULL, d);
	}
	if (!r->o.validate) {
		r->scan = r->f != NULL ? epcis_scan_new(fetch, r, NULL, 0,
		    r->o.max_depth) : epcis_scan_new(NULL, NULL, r->mem,
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
		r->version = sniff_version(r->sniff, r->sniff_len);
	} else
		r->version = sniff_version(r->mem, r->memlen < SNIFF_MAX ?
		    r->memlen : SNIFF_MAX);
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
	if ((s = load_schema(r->version, r->o.schema_dir, d)) == NULL)
		return -1;
	return v_open(r, s, d);
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
	if (r->plug != NULL)
		xmlSchemaSAXUnplug(r->plug);
	if (r->pc != NULL) {
		if (r->pc->myDoc != NULL)
			xmlFreeDoc(r->pc->myDoc);
		xmlFreeParserCtxt(r->pc);
	}
	if (r->vc != NULL)
		xmlSchemaFreeValidCtxt(r->vc);
	epcis_scan_free(r->scan);
	vstk_pop(r, NULL, 0);
	free(r->vel);
	free(r->vns);
	free(r->vattr);
	free(r->sniff);
	free(r->chunk);
	free(r->sns);
	free(r->sns_mark);
	free(r->sattrs);
	epcis_buf_free(&r->sbuf);
	if (r->building) {
		epcis_tb_free(&r->tb);
		arena_delete(r->build_arena);
	}
	if (r->has_pending)
		arena_delete(r->pending.a);
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
	if (fields(a, &r->tmp, n, ev) != 0)
		return diag_system(&r->err, "out of memory");
	if (!r->o.no_canon) {
		if (epcis_c14n_tree(n, &r->canon, &r->err) != 0)
			return -1;
		ev->canon = (const unsigned char *)r->canon.data;
		ev->canon_len = r->canon.len;
	}
	if (!r->o.no_hash) {
		if (epcis_prehash_tree(n, a, &r->prehash,
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
	NULL, drv_start, drv_end, drv_text, drv_brk, NULL, NULL,
};
static const struct epcis_scan_sink valid_sink_proto = {
	NULL, v_start, v_end, v_text, v_brk, v_nsdecl, v_cdata,
};

/* Move the front end on: events into the queue, or the end, or an error. */
static void
advance(struct epcis_reader *r)
{
	if (r->scan != NULL) {
		struct epcis_scan_sink k = r->vc != NULL ? valid_sink_proto :
		    scan_sink_proto;
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
			if (r->vc != NULL && r->err.kind == DIAG_OK &&
			    xmlSchemaIsValid(r->vc) != 1) {
				diag_verify(&r->err, "not valid against the "
				    "EPCIS %s XSD", r->version == EPCIS_V2_0 ?
				    "2.0" : "1.2");
				diag_at(&r->err, r->name, cur_line(r));
			}
			r->eof = true;
		}
		return;
	}
	sax_step(r);
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
			struct qevent e = r->q[r->qhead];

			r->qhead = (r->qhead + 1) % r->qcap;
			r->qn--;
			r->handed = e.a;
			*ev = zero;
			if (finish_event(r, e.root, e.type, ev, e.a) != 0)
				return fail(r, d, e.root->line);
			return 1;
		}
		if (r->err.kind != DIAG_OK || r->read_error)
			return fail(r, d, cur_line(r));
		if (r->eof) {
			if (!r->root_seen)
				return fail(r, d, cur_line(r));
			r->done = true;
			return 0;
		}
		advance(r);
	}
}
