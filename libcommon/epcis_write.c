/*
 * epcis_write: the streaming EPCIS document writer (libxml2
 * xmlTextWriter over a FILE): EPCIS 1.2 (default, as US trading partners
 * exchange today) and 2.0 XML, with the SBDH, master data and the GS1 US
 * DSCSA header elements.
 *
 * Element order is the XSDs' (schemas/epcis-1.2/EPCglobal-epcis-1_2.xsd
 * and schemas/epcis-2.0/EPCglobal-epcis-2_0.xsd):
 *
 *   event head  eventTime eventTimeZoneOffset; 1.2: baseExtension(eventID
 *               errorDeclaration), 2.0: eventID errorDeclaration
 *   Object      epcList action bizStep disposition readPoint bizLocation
 *               bizTransactionList; 1.2: extension(sourceList
 *               destinationList ilmd), 2.0: the same without the wrapper;
 *               then ##other (dscsa:item)
 *   Aggregation parentID childEPCs action ... bizTransactionList;
 *               1.2: extension(sourceList destinationList); ##other
 *   header      1.2: SBDH extension(EPCISMasterData) gs1ushc:*;
 *               2.0: SBDH extension(EPCISMasterData), and the gs1ushc
 *               elements after EPCISBody (2.0 has no ##other in the header)
 *
 * Invariant: output is well-formed only after epcis_writer_close(); an
 * error anywhere leaves the document open (all or nothing for consumers
 * that parse it).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "epcis.h"
#include "epcis_int.h"

#define LEGAL_NOTICE \
	"Seller has complied with each applicable subsection of FDCA Sec. " \
	"581(27)(A)-(G)."

/*
 * Depth of an event element below the root (EPCISDocument > EPCISBody >
 * EventList > event): the epc elements of its lists are two deeper.  The
 * indentation of the raw epc runs (epc_list()) depends on it.
 */
#define EVENT_DEPTH	3
#define INDENT		"  "

struct epcis_writer {
	xmlTextWriterPtr w;
	FILE		*f;
	const char	*name;
	struct epcis_doc_opts o;
	bool		 io_error;
	int		 io_errno;
	bool		 closed;
	/* one epc list as bytes, reused (its size is one event's) */
	char		*run;
	size_t		 runcap;
};

static int
out_write(void *ctx, const char *buf, int len)
{
	struct epcis_writer *w = ctx;

	if (len <= 0)
		return 0;
	if (fwrite(buf, 1, (size_t)len, w->f) != (size_t)len) {
		w->io_error = true;
		w->io_errno = errno;
		return -1;
	}
	return len;
}

static int
out_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static int
werr(struct epcis_writer *w, struct diag *d)
{
	if (w->io_error) {
		errno = w->io_errno;
		diag_system(d, "write error");
	} else
		diag_system(d, "XML writer error");
	diag_at(d, w->name, 0);
	return -1;
}

#define X(call)	do { if ((call) < 0) return werr(w, d); } while (0)

static const xmlChar *
u(const char *s)
{
	return (const xmlChar *)s;
}

static int
elem(struct epcis_writer *w, const char *name, const char *text,
    struct diag *d)
{
	if (text == NULL)
		return 0;
	X(xmlTextWriterWriteElement(w->w, u(name), u(text)));
	return 0;
}

static int
start(struct epcis_writer *w, const char *name, struct diag *d)
{
	X(xmlTextWriterStartElement(w->w, u(name)));
	return 0;
}

static int
end(struct epcis_writer *w, struct diag *d)
{
	X(xmlTextWriterEndElement(w->w));
	return 0;
}

static int
sbdh(struct epcis_writer *w, struct diag *d)
{
	const struct epcis_doc_opts *o = &w->o;
	const char *p = "sbdh";
	const xmlChar *ns = NULL;	/* declared on the root */

	X(xmlTextWriterStartElementNS(w->w, u(p),
	    u("StandardBusinessDocumentHeader"), ns));
	X(xmlTextWriterWriteElementNS(w->w, u(p), u("HeaderVersion"), ns,
	    u("1.0")));
	X(xmlTextWriterStartElementNS(w->w, u(p), u("Sender"), ns));
	X(xmlTextWriterStartElementNS(w->w, u(p), u("Identifier"), ns));
	X(xmlTextWriterWriteAttribute(w->w, u("Authority"), u("SGLN")));
	X(xmlTextWriterWriteString(w->w, u(o->sender)));
	X(xmlTextWriterEndElement(w->w));
	X(xmlTextWriterEndElement(w->w));
	X(xmlTextWriterStartElementNS(w->w, u(p), u("Receiver"), ns));
	X(xmlTextWriterStartElementNS(w->w, u(p), u("Identifier"), ns));
	X(xmlTextWriterWriteAttribute(w->w, u("Authority"), u("SGLN")));
	X(xmlTextWriterWriteString(w->w, u(o->receiver)));
	X(xmlTextWriterEndElement(w->w));
	X(xmlTextWriterEndElement(w->w));
	X(xmlTextWriterStartElementNS(w->w, u(p), u("DocumentIdentification"),
	    ns));
	X(xmlTextWriterWriteElementNS(w->w, u(p), u("Standard"), ns,
	    u("EPCglobal")));
	X(xmlTextWriterWriteElementNS(w->w, u(p), u("TypeVersion"), ns,
	    u(o->version == EPCIS_V2_0 ? "2.0" : "1.0")));
	X(xmlTextWriterWriteElementNS(w->w, u(p), u("InstanceIdentifier"), ns,
	    u(o->document_id != NULL ? o->document_id : "1")));
	X(xmlTextWriterWriteElementNS(w->w, u(p), u("Type"), ns, u("Events")));
	X(xmlTextWriterWriteElementNS(w->w, u(p), u("CreationDateAndTime"), ns,
	    u(o->creation_date)));
	X(xmlTextWriterEndElement(w->w));
	X(xmlTextWriterEndElement(w->w));
	return 0;
}

static int
masterdata(struct epcis_writer *w, struct diag *d)
{
	const struct epcis_masterdata *md = w->o.md;

	if (start(w, "extension", d) || start(w, "EPCISMasterData", d) ||
	    start(w, "VocabularyList", d))
		return -1;
	for (int loc = 0; loc < 2; loc++) {
		bool any = false;

		for (size_t i = 0; i < md->n; i++)
			any |= md->el[i].location == (loc == 1);
		if (!any)
			continue;
		if (start(w, "Vocabulary", d))
			return -1;
		X(xmlTextWriterWriteAttribute(w->w, u("type"), u(loc ?
		    "urn:epcglobal:epcis:vtype:Location" :
		    "urn:epcglobal:epcis:vtype:EPCClass")));
		if (start(w, "VocabularyElementList", d))
			return -1;
		for (size_t i = 0; i < md->n; i++) {
			const struct epcis_md_element *e = &md->el[i];

			if (e->location != (loc == 1))
				continue;
			if (start(w, "VocabularyElement", d))
				return -1;
			X(xmlTextWriterWriteAttribute(w->w, u("id"), u(e->id)));
			for (size_t k = 0; k < e->nattr; k++) {
				if (start(w, "attribute", d))
					return -1;
				X(xmlTextWriterWriteAttribute(w->w, u("id"),
				    u(e->attrs[k].id)));
				X(xmlTextWriterWriteString(w->w,
				    u(e->attrs[k].value)));
				if (end(w, d))
					return -1;
			}
			if (end(w, d))
				return -1;
		}
		if (end(w, d) || end(w, d))
			return -1;
	}
	return end(w, d) || end(w, d) || end(w, d) ? -1 : 0;
}

/* GS1 US DSCSA guideline R1.3 header elements (namespace gs1ushc). */
static int
statement(struct epcis_writer *w, struct diag *d)
{
	const xmlChar *p = u("gs1ushc");

	X(xmlTextWriterWriteElementNS(w->w, p, u("guidelineVersion"), NULL,
	    u("GS1 US DSCSA R1.3")));
	X(xmlTextWriterStartElementNS(w->w, p, u("dscsaTransactionStatement"),
	    NULL));
	X(xmlTextWriterWriteElementNS(w->w, p, u("affirmTransactionStatement"),
	    NULL, u("true")));
	X(xmlTextWriterWriteElementNS(w->w, p, u("legalNotice"), NULL,
	    u(w->o.legal_notice != NULL ? w->o.legal_notice : LEGAL_NOTICE)));
	X(xmlTextWriterEndElement(w->w));
	return 0;
}

int
epcis_writer_open(struct epcis_writer **out, FILE *f, const char *name,
    const struct epcis_doc_opts *o, struct diag *d)
{
	struct epcis_writer *w;
	xmlOutputBufferPtr ob;
	bool v2, sb, header;

	*out = NULL;
	epcis_init();
	if (o->creation_date == NULL)
		return diag_input(d, "no document creation date");
	v2 = o->version == EPCIS_V2_0;
	sb = o->sender != NULL && o->receiver != NULL;
	if ((o->sender != NULL) != (o->receiver != NULL))
		return diag_input(d, "the SBDH needs both a sender and a "
		    "receiver");
	header = sb || o->md != NULL || (o->statement && !v2);
	if (header && !sb && !v2)
		return diag_input(d, "EPCIS 1.2 master data and the DSCSA "
		    "statement go in a header that needs an SBDH sender and "
		    "receiver");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return diag_system(d, "out of memory");
	w->f = f;
	w->name = name != NULL ? name : "<stdout>";
	w->o = *o;
	if (w->o.version == 0)
		w->o.version = EPCIS_V1_2;
	ob = xmlOutputBufferCreateIO(out_write, out_close, w, NULL);
	if (ob == NULL || (w->w = xmlNewTextWriter(ob)) == NULL) {
		if (ob != NULL)
			xmlOutputBufferClose(ob);
		free(w);
		return diag_system(d, "out of memory");
	}
	*out = w;
	if (o->indent) {
		X(xmlTextWriterSetIndent(w->w, 1));
		X(xmlTextWriterSetIndentString(w->w, u("  ")));
	}
	X(xmlTextWriterStartDocument(w->w, "1.0", "UTF-8", NULL));
	X(xmlTextWriterStartElementNS(w->w, u("epcis"), u("EPCISDocument"),
	    u(v2 ? EPCIS_NS_2_0 : EPCIS_NS_1_2)));
	X(xmlTextWriterWriteAttribute(w->w, u("xmlns:cbvmda"),
	    u(EPCIS_NS_CBVMDA)));
	X(xmlTextWriterWriteAttribute(w->w, u("xmlns:dscsa"),
	    u(EPCIS_NS_DSCSA)));
	if (sb)
		X(xmlTextWriterWriteAttribute(w->w, u("xmlns:sbdh"),
		    u(EPCIS_NS_SBDH)));
	if (o->statement)
		X(xmlTextWriterWriteAttribute(w->w, u("xmlns:gs1ushc"),
		    u(EPCIS_NS_GS1USHC)));
	X(xmlTextWriterWriteAttribute(w->w, u("schemaVersion"),
	    u(v2 ? "2.0" : "1.2")));
	X(xmlTextWriterWriteAttribute(w->w, u("creationDate"),
	    u(o->creation_date)));
	if (header) {
		if (start(w, "EPCISHeader", d) || (sb && sbdh(w, d)) ||
		    (o->md != NULL && masterdata(w, d)) ||
		    (o->statement && !v2 && statement(w, d)) || end(w, d))
			return -1;
	}
	if (start(w, "EPCISBody", d) || start(w, "EventList", d))
		return -1;
	return 0;
}

/*
 * The bytes xmlEncodeSpecialChars() turns into references in text; EPC
 * URIs percent-escape all of them (EPC TDS 2.0 section 6.3: '"', '&', '<',
 * '>' in a serial are %22, %26, %3C, %3E), so an epc value is copied
 * as it is.
 */
static const char *const xml_ref[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\r'] = "&#13;",
};

/* Room for `n` more bytes in w->run (holding `len`); -1: no memory. */
static int
run_room(struct epcis_writer *w, size_t len, size_t n)
{
	size_t cap = w->runcap;
	char *p;

	if (n <= cap - len)
		return 0;
	if (n > SIZE_MAX / 2 - len)
		return -1;
	while (n > cap - len)
		cap = cap == 0 ? 4096 : cap * 2;
	if ((p = realloc(w->run, cap)) == NULL)
		return -1;
	w->run = p;
	w->runcap = cap;
	return 0;
}

/*
 * An epcList or childEPCs: the one part of a document that grows with its
 * items.  The start tag goes through xmlTextWriter; the epc elements are
 * composed here and written with one xmlTextWriterWriteRawLen(), escaped
 * as xmlTextWriterWriteElement() escapes them and indented as it indents
 * (one element a line, INDENT per level), so the bytes are the same as
 * element-by-element writing gives, at a small part of its cost: the
 * writer's per-call work (its node stack, state checks and escaping
 * through a temporary copy) is most of the time of a big document.
 */
static int
epc_list(struct epcis_writer *w, const char *name, size_t n,
    const char *const *v, struct diag *d)
{
	static const char ind[] = "\n" INDENT INDENT INDENT INDENT INDENT;
	size_t il = w->o.indent ? sizeof(ind) - 1 : 0, len = 0;

	_Static_assert(sizeof(ind) - 1 == 1 + 2 * (EVENT_DEPTH + 2),
	    "an epc is two levels below its event");

	if (start(w, name, d))
		return -1;
	if (n == 0)
		return end(w, d);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *s = (const unsigned char *)v[i];
		size_t sl = strlen(v[i]);

		/* 11: <epc></epc>; a reference is at most 6 bytes */
		if (sl > (SIZE_MAX - il - 11) / 6 ||
		    run_room(w, len, il + 11 + 6 * sl) != 0)
			return diag_system(d, "out of memory");
		memcpy(w->run + len, ind, il);
		len += il;
		memcpy(w->run + len, "<epc>", 5);
		len += 5;
		for (size_t k = 0; k < sl; k++) {
			const char *ref = xml_ref[s[k]];

			if (ref == NULL)
				w->run[len++] = (char)s[k];
			else {
				size_t rl = strlen(ref);

				memcpy(w->run + len, ref, rl);
				len += rl;
			}
		}
		memcpy(w->run + len, "</epc>", 6);
		len += 6;
	}
	/* the end tag's line: xmlTextWriter indents nothing after raw text */
	if (w->o.indent) {
		if (run_room(w, len, 1 + 2 * (EVENT_DEPTH + 1)) != 0)
			return diag_system(d, "out of memory");
		memcpy(w->run + len, ind, 1 + 2 * (EVENT_DEPTH + 1));
		len += 1 + 2 * (EVENT_DEPTH + 1);
	}
	if (len > INT_MAX)
		return diag_input(d, "%s: too big for one event", name);
	X(xmlTextWriterWriteRawLen(w->w, (const xmlChar *)w->run, (int)len));
	return end(w, d);
}

static int
ref_list(struct epcis_writer *w, const char *list, const char *item,
    size_t n, const struct epcis_ref *v, struct diag *d)
{
	if (n == 0)
		return 0;
	if (start(w, list, d))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (start(w, item, d))
			return -1;
		if (v[i].type != NULL)
			X(xmlTextWriterWriteAttribute(w->w, u("type"),
			    u(v[i].type)));
		X(xmlTextWriterWriteString(w->w, u(v[i].id)));
		if (end(w, d))
			return -1;
	}
	return end(w, d);
}

static int
id_elem(struct epcis_writer *w, const char *name, const char *id,
    struct diag *d)
{
	if (id == NULL)
		return 0;
	if (start(w, name, d) || elem(w, "id", id, d) || end(w, d))
		return -1;
	return 0;
}

static int
error_declaration(struct epcis_writer *w, const struct epcis_event *ev,
    struct diag *d)
{
	if (ev->error_time == NULL)
		return 0;
	if (start(w, "errorDeclaration", d) ||
	    elem(w, "declarationTime", ev->error_time, d) ||
	    elem(w, "reason", ev->error_reason, d))
		return -1;
	if (ev->ncorrective > 0) {
		if (start(w, "correctiveEventIDs", d))
			return -1;
		for (size_t i = 0; i < ev->ncorrective; i++)
			if (elem(w, "correctiveEventID", ev->corrective[i], d))
				return -1;
		if (end(w, d))
			return -1;
	}
	return end(w, d);
}

/* The per-item attributes, grouped by EPC in the order given. */
static int
item_attrs(struct epcis_writer *w, const struct epcis_event *ev,
    struct diag *d)
{
	const xmlChar *p = u("dscsa");

	for (size_t i = 0; i < ev->nattr; ) {
		const char *epc = ev->attrs[i].epc;

		X(xmlTextWriterStartElementNS(w->w, p, u("item"), NULL));
		X(xmlTextWriterWriteAttribute(w->w, u("epc"), u(epc)));
		for (; i < ev->nattr && strcmp(ev->attrs[i].epc, epc) == 0; i++) {
			X(xmlTextWriterStartElementNS(w->w, p, u("attr"), NULL));
			X(xmlTextWriterWriteAttribute(w->w, u("name"),
			    u(ev->attrs[i].key)));
			X(xmlTextWriterWriteString(w->w, u(ev->attrs[i].value)));
			X(xmlTextWriterEndElement(w->w));
		}
		X(xmlTextWriterEndElement(w->w));
	}
	return 0;
}

int
epcis_writer_event(struct epcis_writer *w, const struct epcis_event *ev,
    struct diag *d)
{
	bool v2 = w->o.version == EPCIS_V2_0, agg;
	bool ext;

	if (ev->type != EPCIS_OBJECT && ev->type != EPCIS_AGGREGATION)
		return diag_input(d, "the writer makes ObjectEvent and "
		    "AggregationEvent only");
	agg = ev->type == EPCIS_AGGREGATION;
	if (ev->event_time == NULL || ev->action == NULL)
		return diag_input(d, "an event needs eventTime and action");
	if (agg && (ev->lot != NULL || ev->expiry != NULL))
		return diag_input(d, "an AggregationEvent has no ILMD");
	if (start(w, epcis_event_type_name(ev->type), d) ||
	    elem(w, "eventTime", ev->event_time, d) ||
	    elem(w, "eventTimeZoneOffset", ev->event_time_zone_offset != NULL ?
	    ev->event_time_zone_offset : "+00:00", d))
		return -1;
	if (ev->event_id != NULL || ev->error_time != NULL) {
		if ((!v2 && start(w, "baseExtension", d)) ||
		    elem(w, "eventID", ev->event_id, d) ||
		    error_declaration(w, ev, d) || (!v2 && end(w, d)))
			return -1;
	}
	if (agg) {
		if (elem(w, "parentID", ev->parent_id, d) ||
		    epc_list(w, "childEPCs", ev->nepc, ev->epcs, d))
			return -1;
	} else if (epc_list(w, "epcList", ev->nepc, ev->epcs, d))
		return -1;
	if (elem(w, "action", ev->action, d) ||
	    elem(w, "bizStep", ev->biz_step, d) ||
	    elem(w, "disposition", ev->disposition, d) ||
	    id_elem(w, "readPoint", ev->read_point, d) ||
	    id_elem(w, "bizLocation", ev->biz_location, d) ||
	    ref_list(w, "bizTransactionList", "bizTransaction", ev->nbiz_tx,
	    ev->biz_tx, d))
		return -1;
	ext = ev->nsource > 0 || ev->ndest > 0 || ev->lot != NULL ||
	    ev->expiry != NULL;
	if (ext && !v2 && start(w, "extension", d))
		return -1;
	if (ref_list(w, "sourceList", "source", ev->nsource, ev->sources, d) ||
	    ref_list(w, "destinationList", "destination", ev->ndest, ev->dests,
	    d))
		return -1;
	if (ev->lot != NULL || ev->expiry != NULL) {
		/* CBV 1.2 section 8.3.2: lotNumber, itemExpirationDate */
		if (start(w, "ilmd", d))
			return -1;
		if (ev->lot != NULL)
			X(xmlTextWriterWriteElementNS(w->w, u("cbvmda"),
			    u("lotNumber"), NULL, u(ev->lot)));
		if (ev->expiry != NULL)
			X(xmlTextWriterWriteElementNS(w->w, u("cbvmda"),
			    u("itemExpirationDate"), NULL, u(ev->expiry)));
		if (end(w, d))
			return -1;
	}
	if (ext && !v2 && end(w, d))
		return -1;
	if (item_attrs(w, ev, d) || end(w, d))
		return -1;
	return 0;
}

int
epcis_writer_close(struct epcis_writer *w, struct diag *d)
{
	if (end(w, d) || end(w, d))		/* EventList, EPCISBody */
		return -1;
	if (w->o.statement && w->o.version == EPCIS_V2_0 && statement(w, d))
		return -1;
	X(xmlTextWriterEndElement(w->w));
	X(xmlTextWriterEndDocument(w->w));
	X(xmlTextWriterFlush(w->w));
	if (fflush(w->f) != 0 || ferror(w->f)) {
		w->io_error = true;
		w->io_errno = errno;
		return werr(w, d);
	}
	w->closed = true;
	return 0;
}

void
epcis_writer_free(struct epcis_writer *w)
{
	if (w == NULL)
		return;
	/*
	 * xmlFreeTextWriter() flushes what is buffered and closes no
	 * element: a document not closed by epcis_writer_close() stays
	 * unterminated.
	 */
	if (w->w != NULL)
		xmlFreeTextWriter(w->w);
	free(w->run);
	free(w);
}
