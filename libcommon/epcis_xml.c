/*
 * epcis_xml: the parts of the EPCIS reader that call libxml2, apart from
 * epcis_read.c so that a program that reads without them (dscsa-ledger)
 * does not link libxml2 (and ICU): libxml2's initialisation, the XSD
 * schemas (compiled once per process and version), the validator fed by
 * the own scanner (--validate), and libxml2's SAX2 push parser as a second
 * front end, the differential oracle of the scanner's tests
 * (epcis_read_opts.libxml2).  A caller that wants them hands
 * &epcis_read_libxml2 to the reader (epcis_read_opts.xml).
 *
 * Invariants (epcis_read.c's 1 and 2 for these parts): nothing is fetched,
 * the entity loader refuses everything but local files, which only the
 * XSD compiler loads; the SAX2 front end refuses every DTD declaration and
 * entity reference before anything could be substituted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "epcis.h"
#include "epcis_int.h"
#include "mem.h"

#define CHUNK		(16 * 1024)	/* SAX2 front end: bytes a step */

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

/*
 * What the validator was told before the EventList, less the
 * EPCISHeader: one call each, its strings in the vrec chunks, which last
 * as long as the reader.  For a new run of the validator (v_split()).
 */
struct vcall {
	enum { VC_START, VC_END, VC_TEXT, VC_CDATA } kind;
	const xmlChar	 *local, *uri;	/* VC_START, VC_END */
	const xmlChar	**ns;		/* VC_START: prefix, URI pairs */
	const xmlChar	**attr;		/* VC_START: libxml2's quintuples */
	int		  nns, nattr;
	const xmlChar	 *text;		/* VC_TEXT, VC_CDATA */
	int		  len;
};

/*
 * Events of an EventList told to one run of the validator.  libxml2's
 * matcher of the EventList's content model (a choice that is not
 * deterministic) keeps a copy of every element name it has taken until
 * the list ends: some 110 bytes an event, 110 MB for a million.
 */
#define VSPLIT_EVENTS	256
#define VREC_MAX	16384	/* bytes of the calls kept, at most */

struct epcis_xml_state {
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
	unsigned long	 vline;		/* in v_leaf: the line, if not the scanner's */
	char		 vleaf[128];	/* in v_leaf: its name, NUL-terminated */
	struct vcall	*vrec;		/* the calls before the EventList */
	size_t		 nvrec, vreccap, vrbytes;
	struct vchunk	*vrmem;		/* their strings */
	bool		 vrec_off;	/* not (or no longer) recording */
	size_t		 vskip;		/* nvel of the EPCISHeader left out */
	size_t		 vlist;		/* nvel of the EventList split; 0: none */
	size_t		 vevents;	/* EventList children of this run */

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
/* libxml2 for the whole process */

int
epcis_xml_options(void)
{
	/*
	 * NONET: never fetch anything.  Not NOENT (entity substitution), not
	 * DTDLOAD/DTDATTR/DTDVALID (external DTDs), not HUGE (keeps libxml2's
	 * own limits: 10 MB text nodes, depth 256).  The reader also refuses
	 * any DOCTYPE, so entities cannot be declared at all.
	 */
	return XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
}

static int
fd_input_read(void *ctx, char *buf, int len)
{
	ssize_t n;

	do
		n = read((int)(intptr_t)ctx, buf, (size_t)len);
	while (n == -1 && errno == EINTR);
	return n < 0 ? -1 : (int)n;
}

static int
fd_input_close(void *ctx)
{
	return close((int)(intptr_t)ctx);
}

/*
 * A local file as the parser's input, read with read(2), without
 * libxml2's input callbacks: they try every file as an xz and a gzip
 * stream first, which maps liblzma's and zlib's code and allocates their
 * decoders for the plain XSDs.  NULL if the file does not open (libxml2's
 * own loader then says why).
 */
static xmlParserInputPtr
fd_input(const char *path, xmlParserCtxtPtr ctxt)
{
	xmlParserInputBufferPtr buf;
	xmlParserInputPtr in;
	int fd = open(path, O_RDONLY);

	if (fd == -1)
		return NULL;
	buf = xmlParserInputBufferCreateIO(fd_input_read, fd_input_close,
	    (void *)(intptr_t)fd, XML_CHAR_ENCODING_NONE);
	if (buf == NULL) {
		close(fd);
		return NULL;
	}
	if ((in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE)) ==
	    NULL) {
		xmlFreeParserInputBuffer(buf);
		return NULL;
	}
	/* the base URI of its xsd:import and xsd:include, as libxml2's has */
	in->filename = (const char *)xmlCanonicPath((const xmlChar *)path);
	in->directory = xmlParserGetDirectory(path);
	if (ctxt != NULL && ctxt->directory == NULL && in->directory != NULL)
		ctxt->directory = (char *)xmlStrdup((const xmlChar *)
		    in->directory);
	return in;
}

static xmlParserInputPtr
local_only_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	xmlParserInputPtr in;

	/*
	 * Only the XSD compiler loads anything (its xsd:import and
	 * xsd:include of files next to the main schema).  Everything that
	 * names a network scheme is refused.
	 */
	if (url == NULL || strstr(url, "://") != NULL) {
		if (url == NULL || strncmp(url, "file://", 7) != 0)
			return NULL;
	} else if ((in = fd_input(url, ctxt)) != NULL)
		return in;
	return xmlNoNetExternalEntityLoader(url, id, ctxt);
}

void
epcis_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	xmlInitParser();
	xmlSetExternalEntityLoader(local_only_loader);
}

/* ---------------------------------------------------------------------- */
/* Errors */

/* libxml2's errors: the parser's (through e->ctxt) and the validator's. */
/* The line the validator is at: v_leaf's where the scanner has not got. */
static unsigned long
v_line(const struct epcis_reader *r)
{
	return r->xs != NULL && r->xs->vline != 0 ? r->xs->vline :
	    epcis_rd_line(r);
}

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
	if (e->domain == XML_FROM_SCHEMASV || e->domain == XML_FROM_VALID)
		diag_verify(&r->err, "not valid against the EPCIS %s XSD: %s",
		    r->version == EPCIS_V2_0 ? "2.0" : "1.2", msg);
	else
		diag_input(&r->err, "not well-formed XML: %s", msg);
	diag_at(&r->err, r->name, e->line > 0 ? (unsigned long)e->line :
	    v_line(r));
	if (r->xs->pc != NULL)
		xmlStopParser(r->xs->pc);
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
	*line = v_line(r);
	return 0;
}
/* ---------------------------------------------------------------------- */
/* Schemas: compiled once per process and version */

static struct {
	char		 path[4096];
	xmlSchemaPtr	 schema;
} schema_cache[4];

static void
ignore_schema_error(void *ctx, xmlErrorPtr e)
{
	struct diag *d = ctx;

	if (e != NULL && e->level >= XML_ERR_ERROR && d->kind == DIAG_OK)
		diag_system(d, "cannot compile the schema: %s", e->message !=
		    NULL ? e->message : "error");
}

static xmlSchemaPtr
load_schema(enum epcis_version v, bool query, const char *dir,
    struct diag *d)
{
	size_t slot = (v == EPCIS_V2_0) + 2 * query;
	xmlSchemaParserCtxtPtr pc;
	char path[4096];
	struct diag sd = DIAG_INIT;

	if (epcis_schema_path(v, query, dir, path, sizeof(path), d) != 0)
		return NULL;
	if (schema_cache[slot].schema != NULL &&
	    strcmp(schema_cache[slot].path, path) == 0)
		return schema_cache[slot].schema;
	{
		/* open(), not fopen(): read --validate needs no stdio input */
		int fd = open(path, O_RDONLY);

		if (fd == -1) {
			diag_system(d, "cannot open the EPCIS %s schema %s "
			    "(set DSCSA_SCHEMAS or --schemas)",
			    v == EPCIS_V2_0 ? "2.0" : "1.2", path);
			return NULL;
		}
		close(fd);
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
	memcpy(schema_cache[slot].path, path, strlen(path) + 1);
	return schema_cache[slot].schema;
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

/* n + 1 bytes in the chunks of *top; NULL if memory ran out. */
static char *
chunk_alloc(struct vchunk **top, size_t n)
{
	struct vchunk *c = *top;
	char *p;

	if (c == NULL || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > VCHUNK ? n + 1 : VCHUNK;

		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->prev = *top;
		c->cap = cap;
		c->used = 0;
		*top = c;
	}
	p = c->data + c->used;
	c->used += n + 1;
	return p;
}

/* The n bytes at s, NUL-terminated, in the chunks of *top; NULL: none. */
static char *
chunk_dup(struct vchunk **top, const void *s, size_t n)
{
	char *p = chunk_alloc(top, n);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* The chunks of *top above mark (all of them if NULL) freed. */
static void
chunk_free_to(struct vchunk **top, const struct vchunk *mark)
{
	while (*top != NULL && *top != mark) {
		struct vchunk *c = *top;

		*top = c->prev;
		free(c);
	}
}

/* n + 1 bytes on the stack; NULL if memory ran out. */
static char *
vstk_alloc(struct epcis_reader *r, size_t n)
{
	return chunk_alloc(&r->xs->vstk, n);
}

static char *
vstk_dup(struct epcis_reader *r, const char *s, size_t n)
{
	return chunk_dup(&r->xs->vstk, s, n);
}

/* Back to the mark (chunk, used): the chunks above it are freed. */
static void
vstk_pop(struct epcis_reader *r, struct vchunk *mark, size_t used)
{
	chunk_free_to(&r->xs->vstk, mark);
	if (r->xs->vstk != NULL)
		r->xs->vstk->used = used;
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

	if (r->xs->nvns + 1 > r->xs->vnscap) {
		size_t cap = r->xs->vnscap ? r->xs->vnscap * 2 : 16;
		const xmlChar **v = realloc(r->xs->vns, 2 * cap * sizeof(*v));

		if (v == NULL)
			return v_nomem(r);
		r->xs->vns = v;
		r->xs->vnscap = cap;
	}
	if ((prefix != NULL && (p = vstk_dup(r, prefix, plen)) == NULL) ||
	    (u = vstk_dup(r, uri, strlen(uri))) == NULL)
		return v_nomem(r);
	r->xs->vns[2 * r->xs->nvns] = (const xmlChar *)p;
	r->xs->vns[2 * r->xs->nvns + 1] = (const xmlChar *)u;
	r->xs->nvns++;
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

static bool
v_named(const struct vel *e, const char *uri, const char *local)
{
	return strcmp((const char *)e->local, local) == 0 &&
	    (uri == NULL ? e->uri == NULL || e->uri[0] == '\0' :
	    e->uri != NULL && strcmp((const char *)e->uri, uri) == 0);
}

/* A copy of n bytes in the vrec chunks, counted; NULL: give up. */
static const xmlChar *
rec_dup(struct epcis_xml_state *x, const void *s, size_t n)
{
	if (s == NULL || (x->vrbytes += n + 1) > VREC_MAX)
		return NULL;
	return (const xmlChar *)chunk_dup(&x->vrmem, s, n);
}

/* rec_dup() of a NUL-terminated string. */
static const xmlChar *
rec_str(struct epcis_xml_state *x, const xmlChar *s)
{
	return s != NULL ? rec_dup(x, s, strlen((const char *)s)) : NULL;
}

/* The next call to keep; NULL: give up recording. */
static struct vcall *
rec_call(struct epcis_xml_state *x, int kind)
{
	struct vcall *c;

	if (x->vrec_off || x->vskip != 0)
		return NULL;
	if ((c = mem_grow(x->vrec, &x->vreccap, x->nvrec + 1, sizeof(*c),
	    16)) == NULL) {
		x->vrec_off = true;
		return NULL;
	}
	x->vrec = c;
	if ((x->vrbytes += sizeof(*c)) > VREC_MAX) {
		x->vrec_off = true;
		return NULL;
	}
	c = &x->vrec[x->nvrec];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

/*
 * The start tag just pushed (vel[nvel - 1], with nns declarations and
 * nattr attributes in vns and vattr), kept while recording.  An
 * EPCISHeader under the root is left out, with all in it; an EventList
 * of EPCISDocument/EPCISBody or of EPCISQueryDocument/EPCISBody/
 * QueryResults/resultsBody ends the recording: it is the list v_split()
 * cuts.
 */
static void
rec_start(struct epcis_reader *r, size_t nns, size_t nattr)
{
	struct epcis_xml_state *x = r->xs;
	const struct vel *e = &x->vel[x->nvel - 1], *v = x->vel;
	bool v2 = r->version == EPCIS_V2_0;
	const char *qns = v2 ? "urn:epcglobal:epcis-query:xsd:2" :
	    "urn:epcglobal:epcis-query:xsd:1";
	struct vcall *c;

	if (x->vrec_off || x->vskip != 0)
		return;
	if (x->nvel == 2 && v_named(e, NULL, "EPCISHeader")) {
		x->vskip = 2;
		return;
	}
	if ((c = rec_call(x, VC_START)) == NULL)
		return;
	c->local = rec_str(x, e->local);
	c->uri = rec_str(x, e->uri);
	c->nns = (int)nns;
	c->nattr = (int)nattr;
	/* counted first, so that the arrays stay small */
	x->vrbytes += (2 * nns + 5 * nattr) * sizeof(*c->ns);
	c->ns = nns > 0 && x->vrbytes <= VREC_MAX ?
	    malloc(2 * nns * sizeof(*c->ns)) : NULL;
	c->attr = nattr > 0 && x->vrbytes <= VREC_MAX ?
	    malloc(5 * nattr * sizeof(*c->attr)) : NULL;
	x->nvrec++;		/* its arrays are freed with the others */
	if (c->local == NULL || (e->uri != NULL && c->uri == NULL) ||
	    (nns > 0 && c->ns == NULL) || (nattr > 0 && c->attr == NULL))
		goto off;
	for (size_t i = 0; i < 2 * nns; i++) {
		c->ns[i] = NULL;	/* a default declaration's prefix */
		if (x->vns[i] != NULL && (c->ns[i] = rec_str(x,
		    x->vns[i])) == NULL)
			goto off;
	}
	for (size_t i = 0; i < nattr; i++) {
		const xmlChar **q = &c->attr[5 * i], **a = &x->vattr[5 * i];
		size_t vlen = (size_t)(a[4] - a[3]);

		q[0] = rec_str(x, a[0]);
		q[1] = NULL;
		q[2] = rec_str(x, a[2]);
		q[3] = rec_dup(x, a[3], vlen);
		if (q[0] == NULL || (a[2] != NULL && q[2] == NULL) ||
		    q[3] == NULL)
			goto off;
		q[4] = q[3] + vlen;
	}
	if (x->vrbytes > VREC_MAX)
		goto off;
	if (v_named(e, NULL, "EventList") && ((x->nvel == 3 &&
	    v_named(&v[0], v2 ? EPCIS_NS_2_0 : EPCIS_NS_1_2, "EPCISDocument") &&
	    v_named(&v[1], NULL, "EPCISBody")) || (x->nvel == 5 &&
	    v_named(&v[0], qns, "EPCISQueryDocument") &&
	    v_named(&v[1], NULL, "EPCISBody") &&
	    v_named(&v[2], qns, "QueryResults") &&
	    v_named(&v[3], NULL, "resultsBody")))) {
		x->vlist = x->nvel;
		x->vevents = 0;
		x->vrec_off = true;
	}
	return;
off:
	x->vrec_off = true;
}

/* Text (or CDATA) told to the validator, kept while recording. */
static void
rec_text(struct epcis_xml_state *x, int kind, const char *s, size_t n)
{
	struct vcall *c = rec_call(x, kind);

	if (c == NULL)
		return;
	if ((c->text = rec_dup(x, s, n)) == NULL) {
		x->vrec_off = true;
		return;
	}
	c->len = (int)n;
	x->nvrec++;
}

/* An end tag (vel[nvel - 1], not yet popped), kept while recording. */
static void
rec_end(struct epcis_xml_state *x)
{
	const struct vel *e = &x->vel[x->nvel - 1];
	struct vcall *c;

	if (x->vlist == x->nvel)
		x->vlist = 0;		/* the list is over: no more runs */
	if (x->vskip != 0) {
		if (x->vskip == x->nvel)
			x->vskip = 0;
		return;
	}
	if ((c = rec_call(x, VC_END)) == NULL)
		return;
	if ((c->local = rec_str(x, e->local)) == NULL ||
	    (e->uri != NULL && (c->uri = rec_str(x, e->uri)) == NULL)) {
		x->vrec_off = true;
		return;
	}
	x->nvrec++;
}

/*
 * Before a child of the EventList that rec_start() found starts: after
 * VSPLIT_EVENTS of them, a new run of the validator, told again what the
 * first was told before the list (but the EPCISHeader), so that what it
 * keeps of the list so far is let go.  The verdict is the same: the
 * list's content model is a choice repeated without bound, so its events
 * are valid one run after the other exactly when they are in one; the
 * EPCISHeader, checked by the first run, is optional (EPCIS 1.2 and 2.0,
 * EPCISDocument and EPCISQueryDocument); what comes after the list is
 * checked by the last run; the XSDs have no identity constraint and no
 * ID that spans events.  Only a run that has found nothing ends so.
 */
static int
v_split(struct epcis_reader *r)
{
	struct epcis_xml_state *x = r->xs;

	if (x->vlist == 0 || x->nvel != x->vlist + 1 ||
	    ++x->vevents <= VSPLIT_EVENTS || xmlSchemaIsValid(x->vc) != 1)
		return 0;
	x->vevents = 1;
	xmlSchemaSAXUnplug(x->plug);
	x->vsax = NULL;
	x->vdata = NULL;
	if ((x->plug = xmlSchemaSAXPlug(x->vc, &x->vsax, &x->vdata)) == NULL)
		return v_nomem(r);
	for (size_t i = 0; i < x->nvrec && r->err.kind == DIAG_OK; i++) {
		const struct vcall *c = &x->vrec[i];

		if (c->kind == VC_START)
			x->vsax->startElementNs(x->vdata, c->local, NULL,
			    c->uri, c->nns, c->ns, c->nattr, 0, c->attr);
		else if (c->kind == VC_END)
			x->vsax->endElementNs(x->vdata, c->local, NULL,
			    c->uri);
		else if (c->kind == VC_TEXT)
			x->vsax->characters(x->vdata, c->text, c->len);
		else
			x->vsax->cdataBlock(x->vdata, c->text, c->len);
	}
	return r->err.kind == DIAG_OK ? 0 : -1;
}

static int
v_start(void *ctx, const char *uri, const char *local, size_t llen,
    const struct epcis_xattr *attrs, size_t nattr, unsigned long line)
{
	struct epcis_reader *r = ctx;
	struct vchunk *mark = r->xs->vstk;
	size_t used = mark != NULL ? mark->used : 0;
	struct vel *e;
	const char *l, *u = NULL;
	size_t nns = r->xs->nvns;
	int rc;

	r->xs->nvns = 0;
	if (r->err.kind != DIAG_OK)
		return -1;
	if (r->xs->nvel == r->xs->velcap) {
		struct vel *v = mem_grow(r->xs->vel, &r->xs->velcap,
		    r->xs->nvel + 1, sizeof(*v), 16);

		if (v == NULL)
			return v_nomem(r);
		r->xs->vel = v;
	}
	if (nattr > r->xs->vattrcap) {
		const xmlChar **v = realloc(r->xs->vattr, 5 * 2 * nattr *
		    sizeof(*v));

		if (v == NULL)
			return v_nomem(r);
		r->xs->vattr = v;
		r->xs->vattrcap = 2 * nattr;
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
		r->xs->vattr[5 * i] = (const xmlChar *)al;
		r->xs->vattr[5 * i + 1] = NULL;	/* the prefix: unused */
		r->xs->vattr[5 * i + 2] = (const xmlChar *)au;
		r->xs->vattr[5 * i + 3] = (const xmlChar *)av;
		r->xs->vattr[5 * i + 4] = (const xmlChar *)av + vlen;
	}
	e = &r->xs->vel[r->xs->nvel++];
	e->local = (const xmlChar *)l;
	e->uri = (const xmlChar *)u;
	e->chunk = mark;
	e->used = used;
	r->xs->vtext = r->xs->vpieces = 0;
	rec_start(r, nns, nattr);
	/*
	 * The driver first, then the validator, as libxml2's plug calls them
	 * for a start tag (startElementNsSplit): "not an EPCIS document" is
	 * said before the validator's "no matching global declaration".  At
	 * an end tag the validator goes first, so that an event it refuses
	 * there is never delivered.
	 */
	if ((rc = epcis_rd_start(r, uri, local, llen, attrs, nattr, line)) < 0)
		return -1;
	if (v_split(r) != 0)
		return -1;
	r->xs->vsax->startElementNs(r->xs->vdata, e->local, NULL, e->uri,
	    (int)nns, r->xs->vns, (int)nattr, 0, r->xs->vattr);
	if (r->err.kind != DIAG_OK)
		return -1;
	return rc;
}

static int
v_end(void *ctx)
{
	struct epcis_reader *r = ctx;
	struct vel *e;

	if (r->err.kind != DIAG_OK || r->xs->nvel == 0)
		return -1;
	rec_end(r->xs);
	e = &r->xs->vel[--r->xs->nvel];
	r->xs->vtext = r->xs->vpieces = 0;
	r->xs->vsax->endElementNs(r->xs->vdata, e->local, NULL, e->uri);
	vstk_pop(r, e->chunk, e->used);
	if (r->err.kind != DIAG_OK)
		return -1;
	return epcis_rd_end(r);
}

static int
v_text_len(struct epcis_reader *r, size_t n)
{
	char msg[80];

	r->xs->vtext += n;
	if (++r->xs->vpieces <= VTEXT_PIECES && r->xs->vtext <= EPCIS_MAX_TEXT_BYTES)
		return 0;
	snprintf(msg, sizeof(msg), "text or attribute longer than %lu bytes",
	    EPCIS_MAX_TEXT_BYTES);
	if (r->xs->vpieces > VTEXT_PIECES)
		snprintf(msg, sizeof(msg), "text in more than %d pieces",
		    VTEXT_PIECES);
	return epcis_rd_input(r, v_line(r), msg);
}

/* Text (kind VC_TEXT) or a CDATA section (VC_CDATA) to both. */
static int
v_chars(struct epcis_reader *r, int kind, const char *s, size_t n)
{
	if (r->err.kind != DIAG_OK || v_text_len(r, n) != 0)
		return -1;
	rec_text(r->xs, kind, s, n);
	if (kind == VC_TEXT)
		r->xs->vsax->characters(r->xs->vdata, (const xmlChar *)s,
		    (int)n);
	else
		r->xs->vsax->cdataBlock(r->xs->vdata, (const xmlChar *)s,
		    (int)n);
	if (r->err.kind != DIAG_OK)
		return -1;
	return epcis_rd_text(r, s, n);
}

static int
v_text(void *ctx, const char *s, size_t n)
{
	return v_chars(ctx, VC_TEXT, s, n);
}

static int
v_cdata(void *ctx, const char *s, size_t n)
{
	return v_chars(ctx, VC_CDATA, s, n);
}

/* Line ends in the n bytes at s. */
static unsigned long
v_lines(const char *s, size_t n)
{
	unsigned long k = 0;
	const char *e = s + n;

	while ((s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		k++;
		s++;
	}
	return k;
}

/*
 * <name>text</name> (the scanner's leaf(), epcis_int.h): the validator
 * hears what start, text and end would tell it, in their order and at
 * their lines (the text's where it ends, the end tag's at its '>': the
 * scanner's line has not moved on during this call), and so does the
 * driver: in one call (epcis_rd_leaf) inside an event below the depth
 * limit, where its start and text cannot fail but by the size check,
 * made first as its start makes it; else v_start, v_text and v_end.
 */
static int
v_leaf(void *ctx, const char *uri, const char *local, size_t llen,
    const char *s, size_t n, unsigned long line, const char *ws, size_t nws)
{
	struct epcis_reader *r = ctx;
	struct epcis_xml_state *x = r->xs;
	unsigned long tl = v_lines(s, n);
	unsigned long el = v_lines(s + n, (size_t)(ws - (s + n)));
	int rc, rc2;

	if (r->err.kind != DIAG_OK)
		return -1;
	if (!r->building || (unsigned)r->open >= r->o.max_depth ||
	    llen >= sizeof(x->vleaf)) {
		if ((rc = v_start(ctx, uri, local, llen, NULL, 0, line)) < 0)
			return -1;
		x->vline = tl > 0 ? line + tl : 0;
		if (v_text(ctx, s, n) < 0)
			return -1;
		x->vline = tl + el > 0 ? line + tl + el : 0;
		rc2 = v_end(ctx);
		x->vline = 0;
		if (rc2 < 0 || (nws > 0 && v_text(ctx, ws, nws) < 0))
			return -1;
		return rc || rc2;
	}
	if (epcis_rd_too_big(r) != 0)
		return -1;
	memcpy(x->vleaf, local, llen);
	x->vleaf[llen] = '\0';
	x->nvns = 0;
	x->vtext = x->vpieces = 0;
	x->vsax->startElementNs(x->vdata, (const xmlChar *)x->vleaf, NULL,
	    (const xmlChar *)uri, 0, x->vns, 0, 0, x->vattr);
	if (r->err.kind != DIAG_OK)
		return -1;
	x->vline = tl > 0 ? line + tl : 0;
	if (v_text_len(r, n) != 0)
		goto fail;
	x->vsax->characters(x->vdata, (const xmlChar *)s, (int)n);
	if (r->err.kind != DIAG_OK)
		goto fail;
	x->vline = tl + el > 0 ? line + tl + el : 0;
	x->vtext = x->vpieces = 0;
	x->vsax->endElementNs(x->vdata, (const xmlChar *)x->vleaf, NULL,
	    (const xmlChar *)uri);
	x->vline = 0;
	if (r->err.kind != DIAG_OK)
		return -1;
	if (nws > 0) {
		if (v_text_len(r, nws) != 0)
			return -1;
		x->vsax->characters(x->vdata, (const xmlChar *)ws, (int)nws);
		if (r->err.kind != DIAG_OK)
			return -1;
	}
	return epcis_rd_leaf(r, uri, local, llen, s, n, line, ws, nws);
fail:
	x->vline = 0;
	return -1;
}

static int
v_brk(void *ctx)
{
	struct epcis_reader *r = ctx;

	r->xs->vpieces++;		/* text on both sides is one piece for it */
	return epcis_rd_brk(r);
}

/* The validator of `schema` and the scanner that feeds it. */
static int
v_open(struct epcis_reader *r, xmlSchemaPtr schema, struct diag *d)
{
	if ((r->xs->vc = xmlSchemaNewValidCtxt(schema)) == NULL)
		return diag_system(d, "out of memory");
	xmlSchemaSetValidStructuredErrors(r->xs->vc, on_valid_error, r);
	xmlSchemaValidateSetLocator(r->xs->vc, locator, r);
	r->xs->vsax = NULL;
	r->xs->plug = xmlSchemaSAXPlug(r->xs->vc, &r->xs->vsax, &r->xs->vdata);
	if (r->xs->plug == NULL || r->xs->vsax == NULL ||
	    r->xs->vsax->startElementNs == NULL || r->xs->vsax->endElementNs == NULL ||
	    r->xs->vsax->characters == NULL || r->xs->vsax->cdataBlock == NULL)
		return diag_system(d, "cannot use the schema");
	r->scan = r->f != NULL ? epcis_scan_new(epcis_rd_fetch, r, NULL, 0,
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
	for (size_t i = r->xs->nsns; i-- > 0;) {
		const xmlChar *q = r->xs->sns[i].prefix;

		if (q != NULL && strlen((const char *)q) == n &&
		    memcmp(q, p, n) == 0)
			return r->xs->sns[i].uri != NULL && r->xs->sns[i].uri[0] != '\0' ?
			    r->xs->sns[i].uri : NULL;
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
	return xmlDictLookup(r->xs->pc->dict, (const xmlChar *)buf, (int)o);
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
	if (r->err.kind != DIAG_OK)
		return;
	/* bindings in scope, for xsi:type QName prefixes */
	if ((size_t)r->open >= r->xs->sns_mark_cap) {
		size_t *m = mem_grow(r->xs->sns_mark, &r->xs->sns_mark_cap,
		    (size_t)r->open + 1, sizeof(*m), 16);

		if (m == NULL)
			goto nomem;
		r->xs->sns_mark = m;
	}
	r->xs->sns_mark[r->open] = r->xs->nsns;
	for (int i = 0; i < nb_ns; i++) {
		if (r->xs->nsns == r->xs->sns_cap) {
			struct sns *v = mem_grow(r->xs->sns, &r->xs->sns_cap,
			    r->xs->nsns + 1, sizeof(*v), 16);

			if (v == NULL)
				goto nomem;
			r->xs->sns = v;
		}
		r->xs->sns[r->xs->nsns].prefix = ns[2 * i];
		r->xs->sns[r->xs->nsns].uri = sax_uri(r, ns[2 * i + 1]);
		r->xs->nsns++;
	}
	if (na > r->xs->sattr_cap) {
		struct epcis_xattr *v = realloc(r->xs->sattrs, na * 2 * sizeof(*v));

		if (v == NULL)
			goto nomem;
		r->xs->sattrs = v;
		r->xs->sattr_cap = na * 2;
	}
	/* values: '&' comes as "&#38;" without entity substitution */
	r->xs->sbuf.len = 0;
	offs = NULL;
	for (size_t i = 0; i < na; i++) {
		const xmlChar *v = attrs[5 * i + 3], *e = attrs[5 * i + 4];
		struct epcis_xattr *x = &r->xs->sattrs[i];
		size_t start = r->xs->sbuf.len;

		while (v < e) {
			const xmlChar *amp = memchr(v, '&', (size_t)(e - v));

			if (amp == NULL) {
				epcis_buf_add(&r->xs->sbuf, (const char *)v,
				    (size_t)(e - v));
				break;
			}
			epcis_buf_add(&r->xs->sbuf, (const char *)v,
			    (size_t)(amp - v));
			if (e - amp >= 5 && memcmp(amp, "&#38;", 5) == 0) {
				epcis_buf_add(&r->xs->sbuf, "&", 1);
				v = amp + 5;
			} else {
				epcis_buf_add(&r->xs->sbuf, "&", 1);
				v = amp + 1;
			}
		}
		x->len = r->xs->sbuf.len - start;
		epcis_buf_add(&r->xs->sbuf, "", 1);
		x->value = (const char *)(uintptr_t)start;	/* offset for now */
		x->local = (const char *)attrs[5 * i];
		x->uri = (const char *)sax_uri(r, attrs[5 * i + 2]);
		x->qprefix = NULL;
		x->quri = NULL;
	}
	if (r->xs->sbuf.failed)
		goto nomem;
	for (size_t i = 0; i < na; i++) {
		struct epcis_xattr *x = &r->xs->sattrs[i];
		size_t pl;

		x->value = r->xs->sbuf.data + (uintptr_t)x->value;
		if (x->uri != NULL && strcmp(x->uri, EPCIS_NS_XSI) == 0 &&
		    strcmp(x->local, "type") == 0 &&
		    (pl = epcis_qname_prefix_len(x->value, x->len)) > 0) {
			const xmlChar *q = sax_lookup(r, x->value, pl);

			if (q != NULL) {
				x->quri = (const char *)q;
				x->qprefix = (const char *)xmlDictLookup(
				    r->xs->pc->dict, (const xmlChar *)x->value,
				    (int)pl);
			}
		}
	}
	(void)offs;
	if (epcis_rd_start(r, (const char *)sax_uri(r, uri), (const char *)local,
	    strlen((const char *)local), r->xs->sattrs, na, epcis_rd_line(r)) < 0)
		xmlStopParser(r->xs->pc);
	return;
nomem:
	diag_system(&r->err, "out of memory");
	xmlStopParser(r->xs->pc);
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct epcis_reader *r = ctx;

	(void)local;
	(void)prefix;
	(void)uri;
	if (r->open > 0 && (size_t)r->open - 1 < r->xs->sns_mark_cap)
		r->xs->nsns = r->xs->sns_mark[r->open - 1];
	if (epcis_rd_end(r) < 0)
		xmlStopParser(r->xs->pc);
}

static void
sax_text(void *ctx, const xmlChar *s, int len)
{
	struct epcis_reader *r = ctx;

	if (len > 0 && epcis_rd_text(r, (const char *)s, (size_t)len) < 0)
		xmlStopParser(r->xs->pc);
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
	while (p < e) {
		const char *cr = memchr(p, '\r', (size_t)(e - p));
		const char *q = cr != NULL ? cr : e;

		if (q > p && epcis_rd_text(r, p, (size_t)(q - p)) < 0) {
			xmlStopParser(r->xs->pc);
			return;
		}
		if (cr == NULL)
			break;
		if (epcis_rd_text(r, "\n", 1) < 0) {
			xmlStopParser(r->xs->pc);
			return;
		}
		p = cr + 1 < e && cr[1] == '\n' ? cr + 2 : cr + 1;
	}
}

static void
sax_dtd_error(struct epcis_reader *r)
{
	epcis_rd_input(r, epcis_rd_line(r), "DTD not allowed (no external DTDs, no "
	    "entity declarations in EPCIS input)");
	xmlStopParser(r->xs->pc);
}

static void
sax_comment(void *ctx, const xmlChar *value)
{
	struct epcis_reader *r = ctx;

	(void)value;
	if (r->xs->pc->inSubset)
		sax_dtd_error(r);
	else
		epcis_rd_brk(r);
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
	epcis_rd_input(r, epcis_rd_line(r), "entity reference not allowed");
	xmlStopParser(r->xs->pc);
}

static int
sax_open(struct epcis_reader *r, struct diag *d)
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
	if ((r->xs->chunk = malloc(CHUNK)) == NULL)
		return diag_system(d, "out of memory");
	n = epcis_rd_fetch(r, head, sizeof(head));
	r->text_run = 0;
	if (!epcis_text_run(&r->text_run, (const char *)head, n,
	    EPCIS_MAX_TEXT_BYTES))
		return diag_system(d, "out of memory");
	r->xs->pc = xmlCreatePushParserCtxt(&sax, r, (const char *)head, (int)n,
	    r->name);
	if (r->xs->pc == NULL)
		return diag_system(d, "out of memory");
	r->xs->pc->_private = r;
	/* NOCDATA off here only, so that CDATA reaches sax_cdata */
	xmlCtxtUseOptions(r->xs->pc, epcis_xml_options() & ~XML_PARSE_NOCDATA);
	r->xs->pc->sax->serror = on_parser_error;
	return 0;
}

/* Feed the next chunk (or the end) to libxml2. */
static void
sax_step(struct epcis_reader *r)
{
	size_t n = epcis_rd_fetch(r, r->xs->chunk, CHUNK);

	if (n > 0 && !epcis_text_run(&r->text_run, (const char *)r->xs->chunk, n,
	    EPCIS_MAX_TEXT_BYTES)) {
		char msg[80];

		snprintf(msg, sizeof(msg), "text or attribute longer than %lu "
		    "bytes", EPCIS_MAX_TEXT_BYTES);
		epcis_rd_input(r, epcis_rd_line(r), msg);
		return;
	}
	if (epcis_rd_too_big(r) != 0)
		return;
	if (n == 0 && r->read_error)
		return;
	xmlParseChunk(r->xs->pc, (const char *)r->xs->chunk, (int)n, n == 0);
	if (r->err.kind == DIAG_OK && !r->xs->pc->wellFormed)
		epcis_rd_input(r, epcis_rd_line(r), "not well-formed XML");
	if (n == 0 && r->err.kind == DIAG_OK)
		r->eof = true;
}

/* ---------------------------------------------------------------------- */
/* What the reader calls */

static const struct epcis_scan_sink valid_sink = {
	NULL, v_start, v_end, v_text, v_brk, v_nsdecl, v_cdata, v_leaf,
};

static struct epcis_xml_state *
state(struct epcis_reader *r)
{
	if (r->xs == NULL)
		r->xs = calloc(1, sizeof(*r->xs));
	return r->xs;
}

static int
x_valid_open(struct epcis_reader *r, struct diag *d)
{
	xmlSchemaPtr s;

	epcis_init();
	if (state(r) == NULL)
		return diag_system(d, "out of memory");
	if ((s = load_schema(r->version, r->query, r->o.schema_dir, d)) == NULL)
		return -1;
	return v_open(r, s, d);
}

static int
x_valid_end(struct epcis_reader *r)
{
	return r->xs != NULL && r->xs->vc != NULL &&
	    xmlSchemaIsValid(r->xs->vc) == 1;
}

static int
x_sax_open(struct epcis_reader *r, struct diag *d)
{
	epcis_init();
	if (state(r) == NULL)
		return diag_system(d, "out of memory");
	return sax_open(r, d);
}

static unsigned long
x_sax_line(const struct epcis_reader *r)
{
	if (r->xs != NULL && r->xs->pc != NULL && r->xs->pc->input != NULL)
		return (unsigned long)r->xs->pc->input->line;
	return 0;
}

static void
x_free(struct epcis_reader *r)
{
	struct epcis_xml_state *x = r->xs;

	if (x == NULL)
		return;
	if (x->plug != NULL)
		xmlSchemaSAXUnplug(x->plug);
	if (x->pc != NULL) {
		if (x->pc->myDoc != NULL)
			xmlFreeDoc(x->pc->myDoc);
		xmlFreeParserCtxt(x->pc);
	}
	if (x->vc != NULL)
		xmlSchemaFreeValidCtxt(x->vc);
	vstk_pop(r, NULL, 0);
	chunk_free_to(&x->vrmem, NULL);
	for (size_t i = 0; i < x->nvrec; i++) {
		free(x->vrec[i].ns);
		free(x->vrec[i].attr);
	}
	free(x->vrec);
	free(x->vel);
	free(x->vns);
	free(x->vattr);
	free(x->chunk);
	free(x->sns);
	free(x->sns_mark);
	free(x->sattrs);
	epcis_buf_free(&x->sbuf);
	free(x);
	r->xs = NULL;
}

const struct epcis_read_xml epcis_read_libxml2 = {
	x_valid_open, &valid_sink, x_valid_end,
	x_sax_open, sax_step, x_sax_line,
	x_free,
};
