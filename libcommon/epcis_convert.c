/*
 * epcis_convert: EPCIS 1.2 <-> 2.0 XML, streaming (xmlTextReader in,
 * xmlTextWriter out), and error declarations (`dscsa-epcis correct`).
 *
 * 1.2 to 2.0 (EPCIS 2.0 section 9 and its XSD): the root namespace and
 * schemaVersion change; event-level <extension>/<baseExtension> wrappers are
 * removed, their children taking their places (the 2.0 order is the 1.2
 * order unwrapped); EventList/extension/TransformationEvent becomes a
 * direct EventList child; gs1ushc (and any other non-EPCIS) elements of
 * EPCISHeader move after EPCISBody, because the 2.0 header has no ##other.
 * QuantityEvent has no 2.0 form and is refused.
 *
 * 2.0 to 1.2: the wrappers are put back by field name (baseExtension:
 * eventID errorDeclaration; extension: quantityList childQuantityList
 * sourceList destinationList ilmd), TransformationEvent goes into
 * EventList/extension, required 1.2 lists are written empty when absent.
 * Fields 1.2 has no place for (certificationInfo, sensorElementList,
 * persistentDisposition, AssociationEvent) are refused rather than
 * dropped: a conversion never loses data silently.
 *
 * Input safety is the reader's (epcis_read.c invariants 1-3): the same
 * parser options, no DOCTYPE with content, the same depth limit.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

#include "epcis.h"
#include "epcis_int.h"

struct conv {
	xmlTextReaderPtr r;
	xmlTextWriterPtr w;
	FILE		*in, *out;
	const char	*name;
	const struct epcis_convert_opts *o;
	enum epcis_version from, to;
	struct diag	 err;
	bool		 io_error, too_long;
	int		 io_errno;
	size_t		 text_run;
	xmlDocPtr	 held;		/* header elements moved after the body */
	struct epcis_arena arena;
	struct epcis_buf pre;
	unsigned long	 written;
};

static int
c_read(void *ctx, char *buf, int len)
{
	struct conv *c = ctx;
	size_t n = fread(buf, 1, len > 0 ? (size_t)len : 0, c->in);

	if (n == 0 && ferror(c->in)) {
		c->io_error = true;
		c->io_errno = errno;
		return -1;
	}
	if (!epcis_text_run(&c->text_run, buf, n, EPCIS_MAX_TEXT_BYTES)) {
		c->too_long = true;
		return -1;
	}
	return (int)n;
}

static int
c_write(void *ctx, const char *buf, int len)
{
	struct conv *c = ctx;

	if (len > 0 && fwrite(buf, 1, (size_t)len, c->out) != (size_t)len) {
		c->io_error = true;
		c->io_errno = errno;
		return -1;
	}
	return len;
}

static int
c_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
c_error(void *ctx, xmlErrorPtr e)
{
	struct conv *c = ctx;

	if (e == NULL || e->level < XML_ERR_ERROR || c->err.kind != DIAG_OK)
		return;
	if (c->too_long)
		diag_input(&c->err, "text or attribute longer than %lu bytes",
		    EPCIS_MAX_TEXT_BYTES);
	else
		diag_input(&c->err, "not well-formed XML: %s", e->message !=
		    NULL ? e->message : "error");
	{
		size_t n = strlen(c->err.msg);

		while (n > 0 && c->err.msg[n - 1] == '?')
			c->err.msg[--n] = '\0';
	}
	diag_at(&c->err, c->name, e->line > 0 ? (unsigned long)e->line : 0);
}

static int
fail(struct conv *c, struct diag *d, const char *msg, unsigned long line)
{
	if (c->err.kind == DIAG_OK) {
		if (c->io_error) {
			errno = c->io_errno;
			diag_system(&c->err, "I/O error");
		} else
			diag_input(&c->err, "%s", msg);
	}
	diag_at(&c->err, c->name, line);
	*d = c->err;
	return -1;
}

#define W(call)	do { if ((call) < 0) return -1; } while (0)

static const xmlChar *
u(const char *s)
{
	return (const xmlChar *)s;
}

static int
start_qname(struct conv *c, const xmlNode *n)
{
	char q[512];

	if (n->ns != NULL && n->ns->prefix != NULL) {
		snprintf(q, sizeof(q), "%s:%s", n->ns->prefix, n->name);
		return xmlTextWriterStartElement(c->w, u(q));
	}
	return xmlTextWriterStartElement(c->w, n->name);
}

static int
copy_ns_and_attrs(struct conv *c, const xmlNode *n)
{
	for (const xmlNs *ns = n->nsDef; ns != NULL; ns = ns->next) {
		char q[256];

		if (ns->prefix != NULL)
			snprintf(q, sizeof(q), "xmlns:%s", ns->prefix);
		else
			snprintf(q, sizeof(q), "xmlns");
		W(xmlTextWriterWriteAttribute(c->w, u(q), ns->href));
	}
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		char q[512];
		int rc;

		if (a->ns != NULL && a->ns->prefix != NULL)
			snprintf(q, sizeof(q), "%s:%s", a->ns->prefix, a->name);
		else
			snprintf(q, sizeof(q), "%s", a->name);
		rc = xmlTextWriterWriteAttribute(c->w, u(q), v != NULL ? v : u(""));
		xmlFree(v);
		W(rc);
	}
	return 0;
}

/*
 * Namespace declarations in scope at n but made above it: a copied subtree
 * must carry them (the header and events are copied out of their root).
 */
static int
copy_inherited_ns(struct conv *c, const xmlNode *n)
{
	for (const xmlNode *p = n->parent; p != NULL &&
	    p->type == XML_ELEMENT_NODE; p = p->parent)
		for (const xmlNs *ns = p->nsDef; ns != NULL; ns = ns->next) {
			char q[256];

			if (ns->prefix == NULL || (strcmp((const char *)ns->href,
			    EPCIS_NS_1_2) == 0 || strcmp((const char *)ns->href,
			    EPCIS_NS_2_0) == 0))
				continue;
			if (xmlSearchNs(n->doc, (xmlNode *)(uintptr_t)n,
			    ns->prefix) != ns)
				continue;	/* shadowed below */
			snprintf(q, sizeof(q), "xmlns:%s", ns->prefix);
			W(xmlTextWriterWriteAttribute(c->w, u(q), ns->href));
		}
	return 0;
}

static bool
is_empty_quantity(const xmlNode *n)
{
	const xmlNode *k;

	if (n->ns != NULL || strcmp((const char *)n->name, "quantity") != 0 ||
	    n->properties != NULL)
		return false;
	for (k = n->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE || ((k->type == XML_TEXT_NODE ||
		    k->type == XML_CDATA_SECTION_NODE) &&
		    strspn((const char *)k->content, " \t\r\n") !=
		    strlen((const char *)k->content)))
			return false;
	return true;
}

static int
copy_node(struct conv *c, const xmlNode *n, bool top)
{
	bool v12 = c->to == EPCIS_V1_2, errdecl;

	switch (n->type) {
	case XML_ELEMENT_NODE:
		/*
		 * 2.0 allows an empty quantity, the 1.2 XSD does not; it
		 * carries no value (and the hash ignores it).
		 */
		if (v12 && is_empty_quantity(n))
			return 0;
		W(start_qname(c, n));
		if (top)
			W(copy_inherited_ns(c, n));
		W(copy_ns_and_attrs(c, n));
		/* 1.2 errorDeclaration: its ##other elements come last */
		errdecl = v12 && n->ns == NULL &&
		    strcmp((const char *)n->name, "errorDeclaration") == 0;
		for (int pass = 0; pass < (errdecl ? 2 : 1); pass++)
			for (const xmlNode *k = n->children; k != NULL;
			    k = k->next) {
				if (errdecl && k->type == XML_ELEMENT_NODE &&
				    (k->ns != NULL) != (pass == 1))
					continue;
				if (errdecl && k->type != XML_ELEMENT_NODE &&
				    pass == 1)
					continue;
				W(copy_node(c, k, false));
			}
		W(xmlTextWriterEndElement(c->w));
		return 0;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		return xmlTextWriterWriteString(c->w, n->content);
	default:
		return 0;	/* comments and PIs are not carried over */
	}
}

/* ---------------------------------------------------------------------- */
/*
 * The DOM adapter: a libxml2 DOM event element as an event tree
 * (epcis_int.h), and its pre-hash string.  Here, with its one user, and not
 * in epcis_tree.c or epcis_hash.c, which the reader without validation
 * links: they call no libxml2.
 */

static void
dom_element(struct epcis_tb *b, const xmlNode *n)
{
	struct epcis_xattr av[64], *at = av;
	size_t na = 0;
	xmlChar *vals[64];

	for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
		na++;
	if (na > sizeof(av) / sizeof(av[0]) &&
	    (at = epcis_arena_alloc(b->a, na * sizeof(*at))) == NULL) {
		b->nomem = true;
		return;
	}
	na = 0;
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		const char *s = v != NULL ? (const char *)v : "";
		struct epcis_xattr *t = &at[na];
		char pfx[64];
		size_t pl;

		t->uri = a->ns != NULL ? (const char *)a->ns->href : NULL;
		t->local = (const char *)a->name;
		t->len = strlen(s);
		t->value = epcis_arena_strndup(b->a, s, t->len);
		t->qprefix = t->quri = NULL;
		if (t->uri != NULL && strcmp(t->uri, EPCIS_NS_XSI) == 0 &&
		    strcmp(t->local, "type") == 0 &&
		    (pl = epcis_qname_prefix_len(s, t->len)) > 0) {
			const xmlNs *q;

			memcpy(pfx, s, pl);
			pfx[pl] = '\0';
			q = xmlSearchNs(n->doc, (xmlNode *)(uintptr_t)n,
			    (const xmlChar *)pfx);
			if (q != NULL && q->href != NULL && q->prefix != NULL) {
				t->qprefix = epcis_arena_strndup(b->a, pfx, pl);
				t->quri = (const char *)q->href;
			}
		}
		if (na < sizeof(vals) / sizeof(vals[0]))
			vals[na] = v;
		else
			xmlFree(v);
		if (t->value == NULL)
			b->nomem = true;
		na++;
	}
	epcis_tb_start(b, n->ns != NULL ? (const char *)n->ns->href : NULL,
	    (const char *)n->name, strlen((const char *)n->name), at, na,
	    (unsigned long)xmlGetLineNo(n));
	for (size_t i = 0; i < na && i < sizeof(vals) / sizeof(vals[0]); i++)
		xmlFree(vals[i]);
	for (const xmlNode *k = n->children; k != NULL && !b->nomem;
	    k = k->next) {
		switch (k->type) {
		case XML_ELEMENT_NODE:
			dom_element(b, k);
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (k->content != NULL)
				epcis_tb_text(b, (const char *)k->content,
				    strlen((const char *)k->content));
			break;
		default:
			epcis_tb_break(b);
			break;
		}
	}
	epcis_tb_end(b);
}

struct epcis_xnode *
epcis_x_from_dom(const xmlNode *n, struct epcis_arena *a)
{
	struct epcis_tb b;
	struct epcis_xnode *root;

	epcis_tb_init(&b, a);
	dom_element(&b, n);
	root = b.nomem ? NULL : b.root;
	epcis_tb_free(&b);
	return root;
}

int
epcis_prehash_event(const xmlNode *ev, struct epcis_arena *a,
    struct epcis_buf *out, struct diag *d)
{
	const struct epcis_xnode *t = epcis_x_from_dom(ev, a);

	if (t == NULL)
		return diag_system(d, "out of memory");
	return epcis_prehash_tree(t, a, out, d);
}

/* ---------------------------------------------------------------------- */
/* Events */

enum slot {
	SLOT_HEAD, SLOT_BASE, SLOT_MAIN, SLOT_EXT, SLOT_OTHER, SLOT_NONE,
};

static enum slot
slot_12(const xmlNode *n, enum epcis_event_type t, const char **bad)
{
	static const char *const head[] = {
		"eventTime", "recordTime", "eventTimeZoneOffset", NULL,
	};
	static const char *const base[] = { "eventID", "errorDeclaration", NULL };
	static const char *const ext[] = {
		"quantityList", "childQuantityList", "sourceList",
		"destinationList", "ilmd", NULL,
	};
	static const char *const none[] = {
		"certificationInfo", "sensorElementList",
		"persistentDisposition", NULL,
	};
	const char *nm = (const char *)n->name;

	if (n->ns != NULL)
		return SLOT_OTHER;
	for (size_t i = 0; head[i] != NULL; i++)
		if (strcmp(nm, head[i]) == 0)
			return SLOT_HEAD;
	for (size_t i = 0; base[i] != NULL; i++)
		if (strcmp(nm, base[i]) == 0)
			return SLOT_BASE;
	for (size_t i = 0; none[i] != NULL; i++)
		if (strcmp(nm, none[i]) == 0) {
			*bad = none[i];
			return SLOT_NONE;
		}
	if (t != EPCIS_TRANSFORMATION)
		for (size_t i = 0; ext[i] != NULL; i++)
			if (strcmp(nm, ext[i]) == 0)
				return SLOT_EXT;
	if (strcmp(nm, "extension") == 0) {
		*bad = "extension";
		return SLOT_NONE;
	}
	return SLOT_MAIN;
}

/* An empty quantity with attributes (2.0 xsi:nil): 1.2 cannot carry it. */
static bool
nil_quantity(const xmlNode *n)
{
	for (const xmlNode *k = n->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (k->ns == NULL && strcmp((const char *)k->name,
		    "quantity") == 0 && k->properties != NULL &&
		    xmlFirstElementChild((xmlNode *)(uintptr_t)k) == NULL) {
			xmlChar *t = xmlNodeGetContent(k);
			bool empty = t == NULL || strspn((const char *)t,
			    " \t\r\n") == strlen((const char *)t);

			xmlFree(t);
			if (empty)
				return true;
		}
		if (nil_quantity(k))
			return true;
	}
	return false;
}

static bool
has_child(const xmlNode **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->ns == NULL && strcmp((const char *)v[i]->name, name) == 0)
			return true;
	return false;
}

static int
write_error_declaration(struct conv *c)
{
	const struct epcis_convert_opts *o = c->o;

	W(xmlTextWriterStartElement(c->w, u("errorDeclaration")));
	W(xmlTextWriterWriteElement(c->w, u("declarationTime"),
	    u(o->declaration_time)));
	if (o->reason != NULL)
		W(xmlTextWriterWriteElement(c->w, u("reason"), u(o->reason)));
	if (o->ncorrective > 0) {
		W(xmlTextWriterStartElement(c->w, u("correctiveEventIDs")));
		for (size_t i = 0; i < o->ncorrective; i++)
			W(xmlTextWriterWriteElement(c->w, u("correctiveEventID"),
			    u(o->corrective[i])));
		W(xmlTextWriterEndElement(c->w));
	}
	return xmlTextWriterEndElement(c->w);
}

/* Element children of n with the event-level 1.2 wrappers removed. */
static size_t
flat_kids(const xmlNode *n, const xmlNode **v, size_t cap, size_t k)
{
	for (const xmlNode *e = n->children; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		if (epcis_is_wrapper(e))
			k = flat_kids(e, v, cap, k);
		else {
			if (k < cap)
				v[k] = e;
			k++;
		}
	}
	return k;
}

static bool
selected(struct conv *c, const xmlNode *ev, const xmlNode **v, size_t n,
    struct diag *d, int *err)
{
	char id[EPCIS_HASH_ID_MAX];

	*err = 0;
	if (c->o->nselect == 0)
		return true;
	epcis_arena_reset(&c->arena);
	if (epcis_prehash_event(ev, &c->arena, &c->pre, d) != 0 ||
	    epcis_hash_id(c->pre.data, c->pre.len, id, d) != 0) {
		*err = -1;
		return false;
	}
	for (size_t s = 0; s < c->o->nselect; s++) {
		if (strcmp(c->o->select[s], id) == 0)
			return true;
		for (size_t i = 0; i < n; i++)
			if (v[i]->ns == NULL && strcmp((const char *)v[i]->name,
			    "eventID") == 0) {
				xmlChar *t = xmlNodeGetContent(v[i]);
				bool eq = t != NULL && strcmp((const char *)t,
				    c->o->select[s]) == 0;

				xmlFree(t);
				if (eq)
					return true;
			}
	}
	return false;
}

static int
convert_event(struct conv *c, const xmlNode *ev, enum epcis_event_type t,
    bool *wrapped_transformation, struct diag *d)
{
	const xmlNode **v;
	size_t n;
	bool v2 = c->to == EPCIS_V2_0, decl = c->o->declare;
	unsigned long line = (unsigned long)xmlGetLineNo(ev);
	int serr;

	n = flat_kids(ev, NULL, 0, 0);
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return fail(c, d, "out of memory", line);
	flat_kids(ev, v, n, 0);
	if (!selected(c, ev, v, n, &c->err, &serr)) {
		free(v);
		return serr != 0 ? fail(c, d, "", line) : 0;
	}
	if (decl && has_child(v, n, "errorDeclaration")) {
		free(v);
		return fail(c, d, "the event is an error declaration already",
		    line);
	}
	if (t == EPCIS_QUANTITY && v2) {
		free(v);
		return fail(c, d, "QuantityEvent has no EPCIS 2.0 form", line);
	}
	if (t == EPCIS_ASSOCIATION && !v2) {
		free(v);
		return fail(c, d, "AssociationEvent has no EPCIS 1.2 form", line);
	}
	if (!v2) {
		const char *bad = NULL;

		for (size_t i = 0; i < n; i++)
			if (slot_12(v[i], t, &bad) == SLOT_NONE) {
				char msg[128];

				unsigned long at = (unsigned long)
				    xmlGetLineNo(v[i]);

				snprintf(msg, sizeof(msg), "%s has no EPCIS 1.2 "
				    "form", bad);
				free(v);
				return fail(c, d, msg, at);
			}
	}
	if (!v2 && nil_quantity(ev)) {
		free(v);
		return fail(c, d, "a nil quantity has no EPCIS 1.2 form", line);
	}
	c->written++;
	/* 1.2 XSD: each TransformationEvent in its own EventList/extension */
	*wrapped_transformation = t == EPCIS_TRANSFORMATION && !v2;
	if (*wrapped_transformation &&
	    xmlTextWriterStartElement(c->w, u("extension")) < 0)
		goto werr;
	if (xmlTextWriterStartElement(c->w, ev->name) < 0 ||
	    copy_inherited_ns(c, ev) < 0 || copy_ns_and_attrs(c, ev) < 0)
		goto werr;
	if (v2) {
		size_t after = 0;

		/* errorDeclaration: after eventTimeZoneOffset and eventID */
		for (size_t i = 0; i < n; i++)
			if (v[i]->ns == NULL && (strcmp((const char *)v[i]->name,
			    "eventTimeZoneOffset") == 0 || strcmp((const char *)
			    v[i]->name, "eventID") == 0 || strcmp((const char *)
			    v[i]->name, "eventTime") == 0 || strcmp((const char *)
			    v[i]->name, "recordTime") == 0))
				after = i + 1;
		for (size_t i = 0; i <= n; i++) {
			if (i == after && decl && write_error_declaration(c) < 0)
				goto werr;
			if (i < n && copy_node(c, v[i], false) < 0)
				goto werr;
		}
	} else {
		const char *bad;
		bool any_base = decl, any_ext = false;

		for (size_t i = 0; i < n; i++) {
			enum slot s = slot_12(v[i], t, &bad);

			any_base |= s == SLOT_BASE;
			any_ext |= s == SLOT_EXT;
		}
		for (size_t i = 0; i < n; i++)
			if (slot_12(v[i], t, &bad) == SLOT_HEAD &&
			    copy_node(c, v[i], false) < 0)
				goto werr;
		if (any_base) {
			if (xmlTextWriterStartElement(c->w, u("baseExtension")) < 0)
				goto werr;
			for (size_t i = 0; i < n; i++)
				if (slot_12(v[i], t, &bad) == SLOT_BASE &&
				    copy_node(c, v[i], false) < 0)
					goto werr;
			if (decl && write_error_declaration(c) < 0)
				goto werr;
			if (xmlTextWriterEndElement(c->w) < 0)
				goto werr;
		}
		/* lists the 1.2 XSD requires */
		if (t == EPCIS_TRANSACTION && !has_child(v, n,
		    "bizTransactionList") &&
		    xmlTextWriterWriteElement(c->w, u("bizTransactionList"),
		    u("")) < 0)
			goto werr;
		for (size_t i = 0; i < n; i++) {
			const char *nm = (const char *)v[i]->name;

			if (slot_12(v[i], t, &bad) != SLOT_MAIN)
				continue;
			if (strcmp(nm, "action") == 0 && ((t == EPCIS_OBJECT ||
			    t == EPCIS_TRANSACTION) && !has_child(v, n,
			    "epcList")) && xmlTextWriterWriteElement(c->w,
			    u("epcList"), u("")) < 0)
				goto werr;
			if (strcmp(nm, "action") == 0 && t == EPCIS_AGGREGATION &&
			    !has_child(v, n, "childEPCs") &&
			    xmlTextWriterWriteElement(c->w, u("childEPCs"),
			    u("")) < 0)
				goto werr;
			if (copy_node(c, v[i], false) < 0)
				goto werr;
		}
		if (any_ext) {
			if (xmlTextWriterStartElement(c->w, u("extension")) < 0)
				goto werr;
			for (size_t i = 0; i < n; i++)
				if (slot_12(v[i], t, &bad) == SLOT_EXT &&
				    copy_node(c, v[i], false) < 0)
					goto werr;
			if (xmlTextWriterEndElement(c->w) < 0)
				goto werr;
		}
		for (size_t i = 0; i < n; i++)
			if (slot_12(v[i], t, &bad) == SLOT_OTHER &&
			    copy_node(c, v[i], false) < 0)
				goto werr;
	}
	free(v);
	if (xmlTextWriterEndElement(c->w) < 0 || (*wrapped_transformation &&
	    xmlTextWriterEndElement(c->w) < 0))
		return fail(c, d, "write error", 0);
	*wrapped_transformation = false;
	return 0;
werr:
	free(v);
	return fail(c, d, "write error", 0);
}

/* ---------------------------------------------------------------------- */
/* The document */

static int
write_root(struct conv *c, struct diag *d)
{
	bool v2 = c->to == EPCIS_V2_0;

	if (xmlTextWriterStartDocument(c->w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(c->w, u("epcis"), u("EPCISDocument"),
	    u(v2 ? EPCIS_NS_2_0 : EPCIS_NS_1_2)) < 0)
		return fail(c, d, "write error", 0);
	while (xmlTextReaderMoveToNextAttribute(c->r) == 1) {
		const xmlChar *nm = xmlTextReaderConstName(c->r);
		const xmlChar *val = xmlTextReaderConstValue(c->r);

		if (nm == NULL || val == NULL)
			continue;
		if (strcmp((const char *)nm, "schemaVersion") == 0 ||
		    strcmp((const char *)val, EPCIS_NS_1_2) == 0 ||
		    strcmp((const char *)val, EPCIS_NS_2_0) == 0)
			continue;
		if (strcmp((const char *)nm, "xsi:schemaLocation") == 0)
			continue;	/* names the other version's file */
		if (xmlTextWriterWriteAttribute(c->w, nm, val) < 0)
			return fail(c, d, "write error", 0);
	}
	xmlTextReaderMoveToElement(c->r);
	if (xmlTextWriterWriteAttribute(c->w, u("schemaVersion"),
	    u(v2 ? "2.0" : "1.2")) < 0)
		return fail(c, d, "write error", 0);
	return 0;
}

static int
header(struct conv *c, const xmlNode *h, struct diag *d)
{
	bool v2 = c->to == EPCIS_V2_0;

	if (xmlTextWriterStartElement(c->w, u("EPCISHeader")) < 0)
		return fail(c, d, "write error", 0);
	for (const xmlNode *k = h->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (v2 && k->ns != NULL && strcmp((const char *)k->ns->href,
		    EPCIS_NS_SBDH) != 0) {
			/* 2.0 header: no ##other; keep for after the body */
			xmlNodePtr cp;

			if (c->held == NULL &&
			    (c->held = xmlNewDoc(u("1.0"))) == NULL)
				return fail(c, d, "out of memory", 0);
			if (xmlDocGetRootElement(c->held) == NULL)
				xmlDocSetRootElement(c->held,
				    xmlNewDocNode(c->held, NULL, u("held"), NULL));
			cp = xmlDocCopyNode((xmlNodePtr)(uintptr_t)k, c->held, 1);
			if (cp == NULL || xmlAddChild(xmlDocGetRootElement(
			    c->held), cp) == NULL)
				return fail(c, d, "out of memory", 0);
			continue;
		}
		if (copy_node(c, k, true) < 0)
			return fail(c, d, "write error", 0);
	}
	return xmlTextWriterEndElement(c->w) < 0 ? fail(c, d, "write error",
	    0) : 0;
}

static int
check_node(struct conv *c, struct diag *d, unsigned long line)
{
	int type = xmlTextReaderNodeType(c->r);

	if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
		const xmlNode *n = xmlTextReaderCurrentNode(c->r);
		const xmlDtd *dtd = n != NULL && n->type == XML_DTD_NODE ?
		    (const xmlDtd *)n : NULL;

		if (dtd == NULL || dtd->ExternalID != NULL ||
		    dtd->SystemID != NULL || dtd->children != NULL ||
		    dtd->entities != NULL)
			return fail(c, d, "DTD not allowed (no external DTDs, "
			    "no entity declarations in EPCIS input)", line);
	}
	if (type == XML_READER_TYPE_ENTITY_REFERENCE)
		return fail(c, d, "entity reference not allowed", line);
	if (xmlTextReaderDepth(c->r) >= EPCIS_MAX_DEPTH)
		return fail(c, d, "elements nested too deep", line);
	return 0;
}

static int
run(struct conv *c, struct diag *d)
{
	int ret, depth;
	bool root = false, in_list = false, wrapped = false, skip = false;
	int list_depth = -1, body_depth = -1;
	unsigned long line = 0;

	for (;;) {
		if (skip) {
			skip = false;
			ret = xmlTextReaderNext(c->r);
		} else
			ret = xmlTextReaderRead(c->r);
		line = (unsigned long)xmlTextReaderGetParserLineNumber(c->r);
		if (ret < 0 || c->err.kind != DIAG_OK)
			return fail(c, d, "not well-formed XML", line);
		if (ret == 0)
			break;
		if (check_node(c, d, line) != 0)
			return -1;
		depth = xmlTextReaderDepth(c->r);
		if (xmlTextReaderNodeType(c->r) == XML_READER_TYPE_END_ELEMENT) {
			if (depth == list_depth) {
				if (wrapped && xmlTextWriterEndElement(c->w) < 0)
					return fail(c, d, "write error", 0);
				wrapped = false;
				in_list = false;
				list_depth = -1;
				if (xmlTextWriterEndElement(c->w) < 0)
					return fail(c, d, "write error", 0);
			} else if (depth == body_depth) {
				body_depth = -1;
				if (xmlTextWriterEndElement(c->w) < 0)
					return fail(c, d, "write error", 0);
				if (c->held != NULL) {
					for (const xmlNode *k = xmlDocGetRootElement(
					    c->held)->children; k != NULL; k = k->next)
						if (copy_node(c, k, false) < 0)
							return fail(c, d,
							    "write error", 0);
				}
			}
			continue;
		}
		if (xmlTextReaderNodeType(c->r) != XML_READER_TYPE_ELEMENT)
			continue;
		if (!root) {
			const xmlChar *uri = xmlTextReaderConstNamespaceUri(c->r);
			const xmlChar *l = xmlTextReaderConstLocalName(c->r);

			root = true;
			if (l == NULL || strcmp((const char *)l,
			    "EPCISDocument") != 0 || uri == NULL)
				return fail(c, d, "not an EPCISDocument", line);
			if (strcmp((const char *)uri, EPCIS_NS_1_2) == 0)
				c->from = EPCIS_V1_2;
			else if (strcmp((const char *)uri, EPCIS_NS_2_0) == 0)
				c->from = EPCIS_V2_0;
			else
				return fail(c, d, "not an EPCISDocument", line);
			c->to = c->o->to != 0 ? c->o->to : c->from;
			if (write_root(c, d) != 0)
				return -1;
			if (xmlTextReaderIsEmptyElement(c->r))
				break;
			continue;
		}
		if (in_list && depth > list_depth) {
			const xmlChar *l = xmlTextReaderConstLocalName(c->r);
			enum epcis_event_type t = 0;
			xmlNodePtr n;

			if (xmlTextReaderConstNamespaceUri(c->r) == NULL && l != NULL)
				for (int k = EPCIS_OBJECT; k <= EPCIS_QUANTITY; k++)
					if (strcmp((const char *)l,
					    epcis_event_type_name(k)) == 0)
						t = (enum epcis_event_type)k;
			if (t == 0)
				continue;	/* 1.2 EventList/extension */
			if ((n = xmlTextReaderExpand(c->r)) == NULL)
				return fail(c, d, "not well-formed XML", line);
			if (convert_event(c, n, t, &wrapped, d) != 0)
				return -1;
			skip = true;
			continue;
		}
		if (depth == 1) {
			const xmlChar *l = xmlTextReaderConstLocalName(c->r);
			xmlNodePtr n;

			if (l != NULL && xmlTextReaderConstNamespaceUri(c->r) ==
			    NULL && strcmp((const char *)l, "EPCISBody") == 0) {
				body_depth = depth;
				if (xmlTextWriterStartElement(c->w, l) < 0)
					return fail(c, d, "write error", 0);
				continue;
			}
			if ((n = xmlTextReaderExpand(c->r)) == NULL)
				return fail(c, d, "not well-formed XML", line);
			if (l != NULL && strcmp((const char *)l, "EPCISHeader") == 0
			    && n->ns == NULL) {
				if (header(c, n, d) != 0)
					return -1;
			} else if (copy_node(c, n, true) < 0)
				return fail(c, d, "write error", 0);
			skip = true;
			continue;
		}
		if (depth == 2 && body_depth >= 0) {
			const xmlChar *l = xmlTextReaderConstLocalName(c->r);

			if (l != NULL && strcmp((const char *)l, "EventList") == 0) {
				if (xmlTextWriterStartElement(c->w, l) < 0)
					return fail(c, d, "write error", 0);
				if (xmlTextReaderIsEmptyElement(c->r)) {
					if (xmlTextWriterEndElement(c->w) < 0)
						return fail(c, d, "write error", 0);
					continue;
				}
				in_list = true;
				list_depth = depth;
				continue;
			}
			{
				xmlNodePtr n = xmlTextReaderExpand(c->r);

				if (n == NULL || copy_node(c, n, true) < 0)
					return fail(c, d, "write error", 0);
				skip = true;
			}
		}
	}
	if (!root)
		return fail(c, d, "empty document", line);
	if (c->o->declare && c->o->nselect > 0 && c->written == 0)
		return fail(c, d, "no event matches the selection", line);
	if (xmlTextWriterEndDocument(c->w) < 0 || xmlTextWriterFlush(c->w) < 0 ||
	    fflush(c->out) != 0)
		return fail(c, d, "write error", 0);
	return 0;
}

int
epcis_convert(FILE *in, const char *name, FILE *out,
    const struct epcis_convert_opts *o, struct diag *d)
{
	static const struct diag dinit = DIAG_INIT;
	struct conv c;
	xmlOutputBufferPtr ob;
	int rc;

	epcis_init();
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.out = out;
	c.name = name;
	c.o = o;
	c.err = dinit;
	if (o->declare && o->declaration_time == NULL)
		return diag_input(d, "an error declaration needs a time");
	c.r = xmlReaderForIO(c_read, c_close, &c, name, NULL,
	    epcis_xml_options());
	ob = xmlOutputBufferCreateIO(c_write, c_close, &c, NULL);
	if (c.r == NULL || ob == NULL || (c.w = xmlNewTextWriter(ob)) == NULL) {
		if (c.r != NULL)
			xmlFreeTextReader(c.r);
		if (ob != NULL && c.w == NULL)
			xmlOutputBufferClose(ob);
		return diag_system(d, "out of memory");
	}
	xmlTextReaderSetStructuredErrorHandler(c.r, c_error, &c);
	if (o->indent) {
		xmlTextWriterSetIndent(c.w, 1);
		xmlTextWriterSetIndentString(c.w, u("  "));
	}
	rc = run(&c, d);
	xmlFreeTextReader(c.r);
	xmlFreeTextWriter(c.w);
	if (c.held != NULL)
		xmlFreeDoc(c.held);
	epcis_arena_free(&c.arena);
	epcis_buf_free(&c.pre);
	if (rc == 0 && c.io_error) {
		errno = c.io_errno;
		diag_system(d, "write error");
		return -1;
	}
	return rc;
}
