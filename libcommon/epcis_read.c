/*
 * epcis_read: the streaming EPCIS reader (libxml2 xmlTextReader).
 *
 * Invariants:
 *
 *  1. Nothing is fetched: XML_PARSE_NONET, and the process-wide external
 *     entity loader refuses everything but local files (epcis_init()); only
 *     the XSD compiler loads local files.
 *  2. No DTD is accepted: a DOCTYPE (internal or external subset) is an
 *     error as soon as the reader reports it, before any entity could be
 *     referenced, so neither billion laughs nor XXE can happen, and entities
 *     are never substituted (no XML_PARSE_NOENT).
 *  3. Memory is bounded by one event: events are expanded one at a time
 *     (xmlTextReaderExpand) and the reader frees each event subtree when it
 *     moves past it; the bytes fed to the parser while inside one event are
 *     capped (max_event_bytes), and nesting is capped (max_depth, and
 *     libxml2's own 256 without XML_PARSE_HUGE).
 *  4. After the first error the reader is dead: every later call returns -1
 *     with the same report.
 *
 * Validation (--validate) plugs the XSD of the document's version into the
 * same parse (xmlTextReaderSetSchema), so it streams too.  The version is
 * sniffed from the root start tag before parsing starts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include "epcis.h"
#include "epcis_int.h"

#define SNIFF_MAX	(64 * 1024)

struct epcis_reader {
	xmlTextReaderPtr xr;
	FILE		*f;
	const unsigned char *mem;
	size_t		 memlen, mempos;
	const char	*name;
	struct epcis_read_opts o;

	unsigned char	*sniff;		/* bytes read ahead to find the version */
	size_t		 sniff_len, sniff_pos;

	unsigned long long fed;		/* bytes given to libxml2 */
	unsigned long long event_start;	/* fed when the current event began */
	bool		 in_event;
	bool		 too_big, too_long;
	size_t		 text_run;	/* bytes since the last '<' */
	bool		 read_error;
	int		 read_errno;

	enum epcis_version version;
	bool		 root_seen, bare, skip, done;
	int		 eventlist_depth;	/* -1: not inside EventList */

	struct diag	 err;		/* the first error (invariant 4) */
	bool		 dead;

	struct epcis_arena arena;
	struct epcis_buf canon, prehash, tmp;
};

/* ---------------------------------------------------------------------- */
/* Input */

static int
input_read(void *ctx, char *buf, int len)
{
	struct epcis_reader *r = ctx;
	size_t n = 0, want = len > 0 ? (size_t)len : 0;

	if (r->in_event && r->fed - r->event_start > r->o.max_event_bytes) {
		r->too_big = true;
		return -1;
	}
	if (r->sniff_pos < r->sniff_len) {
		n = r->sniff_len - r->sniff_pos;
		if (n > want)
			n = want;
		memcpy(buf, r->sniff + r->sniff_pos, n);
		r->sniff_pos += n;
	} else if (r->f != NULL) {
		n = fread(buf, 1, want, r->f);
		if (n == 0 && ferror(r->f)) {
			r->read_error = true;
			r->read_errno = errno;
			return -1;
		}
	} else {
		n = r->memlen - r->mempos;
		if (n > want)
			n = want;
		memcpy(buf, r->mem + r->mempos, n);
		r->mempos += n;
	}
	r->fed += n;
	if (!epcis_text_run(&r->text_run, buf, n, EPCIS_MAX_TEXT_BYTES)) {
		r->too_long = true;
		return -1;
	}
	return (int)n;
}

static int
input_close(void *ctx)
{
	(void)ctx;
	return 0;
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

static void
on_xml_error(void *ctx, xmlErrorPtr e)
{
	struct epcis_reader *r = ctx;
	char msg[DIAG_MSG_MAX];
	size_t n;
	bool validity;

	if (e == NULL || e->level < XML_ERR_ERROR || r->err.kind != DIAG_OK)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message :
	    "unknown error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	validity = e->domain == XML_FROM_SCHEMASV ||
	    e->domain == XML_FROM_VALID;
	if (validity)
		diag_verify(&r->err, "not valid against the EPCIS %s XSD: %s",
		    r->version == EPCIS_V2_0 ? "2.0" : "1.2", msg);
	else if (r->too_big)
		diag_input(&r->err, "event larger than %zu bytes",
		    r->o.max_event_bytes);
	else if (r->too_long)
		diag_input(&r->err, "text or attribute longer than %lu bytes",
		    EPCIS_MAX_TEXT_BYTES);
	else
		diag_input(&r->err, "not well-formed XML: %s", msg);
	diag_at(&r->err, r->name, e->line > 0 ? (unsigned long)e->line : 0);
}

static int
fail(struct epcis_reader *r, struct diag *d, unsigned long line)
{
	if (r->err.kind == DIAG_OK) {
		if (r->read_error) {
			errno = r->read_errno;
			diag_system(&r->err, "read error");
		} else if (r->too_big)
			diag_input(&r->err, "event larger than %zu bytes",
			    r->o.max_event_bytes);
		else if (r->too_long)
			diag_input(&r->err, "text or attribute longer than "
			    "%lu bytes", EPCIS_MAX_TEXT_BYTES);
		else
			diag_input(&r->err, "not well-formed XML");
	}
	diag_at(&r->err, r->name, line);
	r->dead = true;
	*d = r->err;
	return -1;
}

static int
fail_input(struct epcis_reader *r, struct diag *d, unsigned long line,
    const char *msg)
{
	if (r->err.kind == DIAG_OK)
		diag_input(&r->err, "%s", msg);
	return fail(r, d, line);
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
/* Open and free */

static int
reader_start(struct epcis_reader *r, struct diag *d)
{
	epcis_init();
	if (r->o.max_depth == 0 || r->o.max_depth > EPCIS_MAX_DEPTH)
		r->o.max_depth = EPCIS_MAX_DEPTH;
	if (r->o.max_event_bytes == 0)
		r->o.max_event_bytes = EPCIS_MAX_EVENT_BYTES;
	r->eventlist_depth = -1;
	if (r->o.validate) {
		xmlSchemaPtr s;

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
			r->version = sniff_version(r->mem, r->memlen <
			    SNIFF_MAX ? r->memlen : SNIFF_MAX);
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
		r->xr = xmlReaderForIO(input_read, input_close, r, r->name,
		    NULL, epcis_xml_options());
		if (r->xr == NULL)
			return diag_system(d, "out of memory");
		xmlTextReaderSetStructuredErrorHandler(r->xr, on_xml_error, r);
		if (xmlTextReaderSetSchema(r->xr, s) != 0)
			return diag_system(d, "cannot use the schema");
		return 0;
	}
	r->xr = xmlReaderForIO(input_read, input_close, r, r->name, NULL,
	    epcis_xml_options());
	if (r->xr == NULL)
		return diag_system(d, "out of memory");
	xmlTextReaderSetStructuredErrorHandler(r->xr, on_xml_error, r);
	return 0;
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

void
epcis_reader_free(struct epcis_reader *r)
{
	if (r == NULL)
		return;
	if (r->xr != NULL)
		xmlFreeTextReader(r->xr);
	free(r->sniff);
	epcis_arena_free(&r->arena);
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
		return trim_dup(c, t->text, t->len);
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
			return trim_dup(c, n->attrs[i].value, n->attrs[i].len);
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
    enum epcis_event_type t, struct epcis_event *ev)
{
	ev->type = t;
	ev->version = r->version;
	ev->line = n->line;
	if (fields(&r->arena, &r->tmp, n, ev) != 0)
		return diag_system(&r->err, "out of memory");
	if (!r->o.no_canon) {
		if (epcis_c14n_tree(n, &r->canon, &r->err) != 0)
			return -1;
		ev->canon = (const unsigned char *)r->canon.data;
		ev->canon_len = r->canon.len;
	}
	if (!r->o.no_hash) {
		if (epcis_prehash_tree(n, &r->arena, &r->prehash,
		    &r->err) != 0 || epcis_hash_id(r->prehash.data,
		    r->prehash.len, ev->hash_id, &r->err) != 0)
			return -1;
		ev->prehash = r->prehash.data;
		ev->prehash_len = r->prehash.len;
	}
	return 0;
}

static int
take_event(struct epcis_reader *r, enum epcis_event_type t,
    struct epcis_event *ev, struct diag *d)
{
	static const struct epcis_event zero;
	const struct epcis_xnode *x;
	xmlNodePtr n;
	unsigned long line;

	epcis_arena_reset(&r->arena);
	*ev = zero;
	r->in_event = true;
	r->event_start = r->fed;
	line = (unsigned long)xmlTextReaderGetParserLineNumber(r->xr);
	n = xmlTextReaderExpand(r->xr);
	r->in_event = false;
	if (n == NULL || r->err.kind != DIAG_OK)
		return fail(r, d, line);
	line = (unsigned long)xmlGetLineNo(n);
	if ((x = epcis_x_from_dom(n, &r->arena)) == NULL) {
		diag_system(&r->err, "out of memory");
		return fail(r, d, line);
	}
	if (finish_event(r, x, t, ev) != 0)
		return fail(r, d, line);
	r->skip = true;
	return 1;
}

/* ---------------------------------------------------------------------- */
/* The walk */

static bool
local_is(xmlTextReaderPtr xr, const char *name)
{
	const xmlChar *l = xmlTextReaderConstLocalName(xr);

	return l != NULL && strcmp((const char *)l, name) == 0;
}

static int
root_element(struct epcis_reader *r, struct diag *d, unsigned long line)
{
	const xmlChar *uri = xmlTextReaderConstNamespaceUri(r->xr);
	const char *u = uri != NULL ? (const char *)uri : "";
	enum epcis_version v = 0;

	r->root_seen = true;
	if (local_is(r->xr, "EPCISDocument")) {
		if (strcmp(u, EPCIS_NS_1_2) == 0)
			v = EPCIS_V1_2;
		else if (strcmp(u, EPCIS_NS_2_0) == 0)
			v = EPCIS_V2_0;
	} else if (local_is(r->xr, "EPCISQueryDocument")) {
		if (strcmp(u, "urn:epcglobal:epcis-query:xsd:1") == 0)
			v = EPCIS_V1_2;
		else if (strcmp(u, "urn:epcglobal:epcis-query:xsd:2") == 0)
			v = EPCIS_V2_0;
	}
	if (v != 0) {
		if (r->o.validate && v != r->version)
			return fail_input(r, d, line, "cannot validate: the root "
			    "namespace is not where the reader found it");
		r->version = v;
		return 0;
	}
	if (uri == NULL) {
		const char *nm = (const char *)xmlTextReaderConstLocalName(r->xr);

		for (int t = EPCIS_OBJECT; t <= EPCIS_QUANTITY; t++)
			if (nm != NULL && strcmp(nm, epcis_event_type_name(t)) == 0) {
				r->bare = true;
				r->version = EPCIS_V2_0;
				return 0;
			}
	}
	return fail_input(r, d, line, "not an EPCIS document (the root is not "
	    "EPCISDocument, EPCISQueryDocument or an event)");
}

static enum epcis_event_type
event_type_here(xmlTextReaderPtr xr)
{
	const xmlChar *l = xmlTextReaderConstLocalName(xr);

	if (l == NULL || xmlTextReaderConstNamespaceUri(xr) != NULL)
		return 0;
	for (int t = EPCIS_OBJECT; t <= EPCIS_QUANTITY; t++)
		if (strcmp((const char *)l, epcis_event_type_name(t)) == 0)
			return (enum epcis_event_type)t;
	return 0;
}

int
epcis_reader_next(struct epcis_reader *r, struct epcis_event *ev,
    struct diag *d)
{
	int ret, type, depth;
	unsigned long line;

	if (r->dead) {
		*d = r->err;
		return -1;
	}
	if (r->done)
		return 0;
	for (;;) {
		if (r->skip) {
			r->skip = false;
			ret = xmlTextReaderNext(r->xr);
		} else
			ret = xmlTextReaderRead(r->xr);
		line = (unsigned long)xmlTextReaderGetParserLineNumber(r->xr);
		if (ret < 0 || r->err.kind != DIAG_OK)
			return fail(r, d, line);
		if (ret == 0) {
			if (r->o.validate && xmlTextReaderIsValid(r->xr) != 1)
				return fail(r, d, line);
			if (!r->root_seen)
				return fail_input(r, d, line, "empty document");
			r->done = true;
			return 0;
		}
		type = xmlTextReaderNodeType(r->xr);
		depth = xmlTextReaderDepth(r->xr);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			/*
			 * Invariant 2: a bare "<!DOCTYPE name>" declares and
			 * loads nothing and is let through (GS1's own examples
			 * carry one); anything with an external identifier or
			 * an internal subset is refused.
			 */
			const xmlNode *n = xmlTextReaderCurrentNode(r->xr);
			const xmlDtd *dtd = n != NULL && n->type ==
			    XML_DTD_NODE ? (const xmlDtd *)n : NULL;

			if (dtd == NULL || dtd->ExternalID != NULL ||
			    dtd->SystemID != NULL || dtd->children != NULL ||
			    dtd->entities != NULL)
				return fail_input(r, d, line, "DTD not allowed "
				    "(no external DTDs, no entity declarations "
				    "in EPCIS input)");
			continue;
		}
		if (type == XML_READER_TYPE_ENTITY_REFERENCE ||
		    type == XML_READER_TYPE_ENTITY)
			return fail_input(r, d, line, "entity reference not "
			    "allowed");
		if (depth >= 0 && (unsigned)depth >= r->o.max_depth)
			return fail_input(r, d, line, "elements nested too "
			    "deep");
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (depth == r->eventlist_depth)
				r->eventlist_depth = -1;
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (!r->root_seen) {
			if (root_element(r, d, line) != 0)
				return -1;
			if (r->bare)
				return take_event(r, event_type_here(r->xr), ev, d);
			continue;
		}
		if (r->eventlist_depth >= 0 && depth > r->eventlist_depth) {
			enum epcis_event_type t = event_type_here(r->xr);

			if (t != 0)
				return take_event(r, t, ev, d);
			continue;
		}
		if (local_is(r->xr, "EventList") &&
		    xmlTextReaderConstNamespaceUri(r->xr) == NULL &&
		    !xmlTextReaderIsEmptyElement(r->xr)) {
			r->eventlist_depth = depth;
			continue;
		}
		if (!r->o.validate && depth == 1 &&
		    local_is(r->xr, "EPCISHeader"))
			r->skip = true;		/* not needed for events */
	}
}
