/*
 * epcis_write: the streaming EPCIS document writer (libxml2
 * xmlTextWriter over a FILE): EPCIS 1.2 (default, as US trading partners
 * exchange today) and 2.0 XML, with the SBDH, master data and the GS1 US
 * DSCSA header elements.  The document frame goes through xmlTextWriter;
 * each event is composed in one buffer with the same bytes and written
 * raw (see "Events are composed here" below for why).
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
	/* one event as bytes, reused: memory is the biggest event's */
	char		*run;
	size_t		 runlen, runcap;
	bool		 nomem;
	unsigned long	 nevents;
};

static int
out_write(void *ctx, const char *buf, int len)
{
	struct epcis_writer *w = ctx;

	/*
	 * A failed write is recorded, and the bytes are taken as written:
	 * returning -1 would make libxml2 print "I/O error : write error"
	 * on stderr, a second message beside ours (X() checks io_error).
	 */
	if (len <= 0 || w->io_error)
		return len < 0 ? 0 : len;
	if (fwrite(buf, 1, (size_t)len, w->f) != (size_t)len) {
		w->io_error = true;
		w->io_errno = errno;
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

#define X(call) do {						\
	if ((call) < 0 || w->io_error)					\
		return werr(w, d);					\
} while (0)

static const xmlChar *
u(const char *s)
{
	return (const xmlChar *)s;
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
 * Events are composed here, not element by element through xmlTextWriter:
 * the writer's per-call work (its node stack, state checks, escaping
 * through a temporary copy, many small buffer writes) was most of the time
 * of a big document (callgrind: 4,450 instructions per epc element).  An
 * event is built in w->run with the bytes xmlTextWriter would give (its
 * escaping, its indentation: one element a line, INDENT per level) and
 * handed to xmlTextWriterWriteRawLen() once.  The unit test
 * test_epcis_write "events: the bytes xmlTextWriter writes" holds the two
 * to the same bytes.
 *
 * Text is escaped as xmlEncodeSpecialChars() does; EPC URIs percent-escape
 * all of these bytes (EPC TDS 2.0 section 6.3), so an epc is one memcpy().
 * Attribute values as xmlBufAttrSerializeTxtContent() does (what
 * xmlTextWriterWriteAttribute() uses without a document): also TAB, LF,
 * CR, and every non-ASCII character as a hexadecimal character reference.
 */
#define TEXT_SPECIAL	"&<>\"\r"

static const char *const xml_ref[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\r'] = "&#13;", ['\n'] = "&#10;", ['\t'] = "&#9;",
};

/* Room for `n` more bytes in w->run; false (and w->nomem) if none. */
static bool
room(struct epcis_writer *w, size_t n)
{
	size_t cap = w->runcap;
	char *p;

	if (n <= cap - w->runlen)
		return true;
	if (w->nomem || n > SIZE_MAX / 2 - w->runlen) {
		w->nomem = true;
		return false;
	}
	while (n > cap - w->runlen)
		cap = cap == 0 ? 8192 : cap * 2;
	if ((p = realloc(w->run, cap)) == NULL) {
		w->nomem = true;
		return false;
	}
	w->run = p;
	w->runcap = cap;
	return true;
}

static void
put(struct epcis_writer *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->run + w->runlen, s, n);
	w->runlen += n;
}

static void
puts_lit(struct epcis_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

/* A new line at `depth` (with indentation only). */
static void
nl(struct epcis_writer *w, int depth)
{
	static const char sp[] = "\n" INDENT INDENT INDENT INDENT INDENT
	    INDENT INDENT INDENT;

	if (w->o.indent)
		put(w, sp, 1 + (size_t)depth * (sizeof(INDENT) - 1));
}

static void
put_text(struct epcis_writer *w, const char *s)
{
	for (;;) {
		size_t n = strcspn(s, TEXT_SPECIAL);

		put(w, s, n);
		s += n;
		if (*s == '\0')
			return;
		puts_lit(w, xml_ref[(unsigned char)*s++]);
	}
}

/* Is c a Char of XML 1.0 section 2.2 (libxml2's IS_CHAR)? */
static bool
xml_char(unsigned long c)
{
	return c == 0x9 || c == 0xA || c == 0xD ||
	    (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
	    (c >= 0x10000 && c <= 0x10FFFF);
}

static void
put_charref(struct epcis_writer *w, unsigned long c)
{
	char ref[16];
	int n = snprintf(ref, sizeof(ref), "&#x%lX;", c);

	if (n > 0 && (size_t)n < sizeof(ref))
		put(w, ref, (size_t)n);
}

/* ` name="value"`, the value escaped for an attribute. */
static void
put_attr(struct epcis_writer *w, const char *name, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;

	put(w, " ", 1);
	puts_lit(w, name);
	put(w, "=\"", 2);
	while (*s != '\0') {
		const unsigned char *p = s;
		unsigned long c;
		size_t l;

		while (*p >= 0x20 && *p < 0x80 && xml_ref[*p] == NULL)
			p++;
		put(w, (const char *)s, (size_t)(p - s));
		s = p;
		if (*s == '\0')
			break;
		if (*s < 0x80 || s[1] == '\0') {	/* as libxml2 */
			if (xml_ref[*s] != NULL)
				puts_lit(w, xml_ref[*s]);
			else
				put(w, (const char *)s, 1);
			s++;
			continue;
		}
		/*
		 * UTF-8, decoded as libxml2 decodes it (without checking the
		 * continuation bytes); a bad byte alone; a sequence cut short
		 * by the end of the string (libxml2 reads past it) is bad.
		 */
		l = *s < 0xC0 ? 1 : *s < 0xE0 ? 2 : *s < 0xF0 ? 3 : *s < 0xF8 ?
		    4 : 1;
		c = l == 1 ? 0 : l == 2 ? *s & 0x1F : l == 3 ? *s & 0x0F :
		    *s & 0x07;
		for (size_t k = 1; k < l; k++) {
			if (s[k] == '\0') {
				l = 1;
				break;
			}
			c = c << 6 | (s[k] & 0x3F);
		}
		if (l == 1 || !xml_char(c)) {
			put_charref(w, *s);
			s++;
		} else {
			put_charref(w, c);
			s += l;
		}
	}
	put(w, "\"", 1);
}

static void
open_tag(struct epcis_writer *w, int depth, const char *name)
{
	nl(w, depth);
	put(w, "<", 1);
	puts_lit(w, name);
	put(w, ">", 1);
}

static void
end_tag(struct epcis_writer *w, const char *name)
{
	put(w, "</", 2);
	puts_lit(w, name);
	put(w, ">", 1);
}

static void
close_tag(struct epcis_writer *w, int depth, const char *name)
{
	nl(w, depth);
	end_tag(w, name);
}

/* <name>text</name> on a line at `depth`; nothing if text is NULL. */
static void
text_elem(struct epcis_writer *w, int depth, const char *name,
    const char *text)
{
	if (text == NULL)
		return;
	open_tag(w, depth, name);
	put_text(w, text);
	end_tag(w, name);
}

/*
 * An epcList or childEPCs: the one part of a document that grows with its
 * items, so its loop does the least: one room() and three memcpy()s per
 * epc when nothing needs escaping.
 */
static void
epc_list(struct epcis_writer *w, int depth, const char *name, size_t n,
    const char *const *v)
{
	static const char sp[] = "\n" INDENT INDENT INDENT INDENT INDENT
	    INDENT INDENT INDENT;
	size_t il = w->o.indent ? 1 + (size_t)(depth + 1) *
	    (sizeof(INDENT) - 1) : 0;

	if (n == 0) {
		nl(w, depth);
		put(w, "<", 1);
		puts_lit(w, name);
		put(w, "/>", 2);
		return;
	}
	open_tag(w, depth, name);
	for (size_t i = 0; i < n; i++) {
		size_t sl = strcspn(v[i], TEXT_SPECIAL);

		if (v[i][sl] != '\0') {
			text_elem(w, depth + 1, "epc", v[i]);
			continue;
		}
		if (!room(w, il + sl + 11))
			return;
		memcpy(w->run + w->runlen, sp, il);
		memcpy(w->run + w->runlen + il, "<epc>", 5);
		memcpy(w->run + w->runlen + il + 5, v[i], sl);
		memcpy(w->run + w->runlen + il + 5 + sl, "</epc>", 6);
		w->runlen += il + sl + 11;
	}
	close_tag(w, depth, name);
}

static void
ref_list(struct epcis_writer *w, int depth, const char *list,
    const char *item, size_t n, const struct epcis_ref *v)
{
	if (n == 0)
		return;
	open_tag(w, depth, list);
	for (size_t i = 0; i < n; i++) {
		nl(w, depth + 1);
		put(w, "<", 1);
		puts_lit(w, item);
		if (v[i].type != NULL)
			put_attr(w, "type", v[i].type);
		put(w, ">", 1);
		put_text(w, v[i].id);
		put(w, "</", 2);
		puts_lit(w, item);
		put(w, ">", 1);
	}
	close_tag(w, depth, list);
}

static void
id_elem(struct epcis_writer *w, int depth, const char *name, const char *id)
{
	if (id == NULL)
		return;
	open_tag(w, depth, name);
	text_elem(w, depth + 1, "id", id);
	close_tag(w, depth, name);
}

static void
error_declaration(struct epcis_writer *w, int depth,
    const struct epcis_event *ev)
{
	if (ev->error_time == NULL)
		return;
	open_tag(w, depth, "errorDeclaration");
	text_elem(w, depth + 1, "declarationTime", ev->error_time);
	text_elem(w, depth + 1, "reason", ev->error_reason);
	if (ev->ncorrective > 0) {
		open_tag(w, depth + 1, "correctiveEventIDs");
		for (size_t i = 0; i < ev->ncorrective; i++)
			text_elem(w, depth + 2, "correctiveEventID",
			    ev->corrective[i]);
		close_tag(w, depth + 1, "correctiveEventIDs");
	}
	close_tag(w, depth, "errorDeclaration");
}

/* The per-item attributes, grouped by EPC in the order given. */
static void
item_attrs(struct epcis_writer *w, int depth, const struct epcis_event *ev)
{
	for (size_t i = 0; i < ev->nattr; ) {
		const char *epc = ev->attrs[i].epc;

		nl(w, depth);
		put(w, "<dscsa:item", 11);
		put_attr(w, "epc", epc);
		put(w, ">", 1);
		for (; i < ev->nattr && strcmp(ev->attrs[i].epc, epc) == 0; i++) {
			nl(w, depth + 1);
			put(w, "<dscsa:attr", 11);
			put_attr(w, "name", ev->attrs[i].key);
			put(w, ">", 1);
			put_text(w, ev->attrs[i].value);
			put(w, "</dscsa:attr>", 13);
		}
		close_tag(w, depth, "dscsa:item");
	}
}

int
epcis_writer_event(struct epcis_writer *w, const struct epcis_event *ev,
    struct diag *d)
{
	bool v2 = w->o.version == EPCIS_V2_0, agg, ext;
	const char *type;
	int e = EVENT_DEPTH, c = EVENT_DEPTH + 1;

	if (ev->type != EPCIS_OBJECT && ev->type != EPCIS_AGGREGATION)
		return diag_input(d, "the writer makes ObjectEvent and "
		    "AggregationEvent only");
	agg = ev->type == EPCIS_AGGREGATION;
	type = epcis_event_type_name(ev->type);
	if (ev->event_time == NULL || ev->action == NULL)
		return diag_input(d, "an event needs eventTime and action");
	if (agg && (ev->lot != NULL || ev->expiry != NULL))
		return diag_input(d, "an AggregationEvent has no ILMD");
	w->runlen = 0;
	open_tag(w, e, type);
	text_elem(w, c, "eventTime", ev->event_time);
	text_elem(w, c, "eventTimeZoneOffset",
	    ev->event_time_zone_offset != NULL ?
	    ev->event_time_zone_offset : "+00:00");
	if (ev->event_id != NULL || ev->error_time != NULL) {
		int b = v2 ? c : c + 1;

		if (!v2)
			open_tag(w, c, "baseExtension");
		text_elem(w, b, "eventID", ev->event_id);
		error_declaration(w, b, ev);
		if (!v2)
			close_tag(w, c, "baseExtension");
	}
	if (agg) {
		text_elem(w, c, "parentID", ev->parent_id);
		epc_list(w, c, "childEPCs", ev->nepc, ev->epcs);
	} else
		epc_list(w, c, "epcList", ev->nepc, ev->epcs);
	text_elem(w, c, "action", ev->action);
	text_elem(w, c, "bizStep", ev->biz_step);
	text_elem(w, c, "disposition", ev->disposition);
	id_elem(w, c, "readPoint", ev->read_point);
	id_elem(w, c, "bizLocation", ev->biz_location);
	ref_list(w, c, "bizTransactionList", "bizTransaction", ev->nbiz_tx,
	    ev->biz_tx);
	ext = ev->nsource > 0 || ev->ndest > 0 || ev->lot != NULL ||
	    ev->expiry != NULL;
	if (ext) {
		int x = v2 ? c : c + 1;

		if (!v2)
			open_tag(w, c, "extension");
		ref_list(w, x, "sourceList", "source", ev->nsource,
		    ev->sources);
		ref_list(w, x, "destinationList", "destination", ev->ndest,
		    ev->dests);
		if (ev->lot != NULL || ev->expiry != NULL) {
			/* CBV 1.2 section 8.3.2: lotNumber, itemExpirationDate */
			open_tag(w, x, "ilmd");
			text_elem(w, x + 1, "cbvmda:lotNumber", ev->lot);
			text_elem(w, x + 1, "cbvmda:itemExpirationDate",
			    ev->expiry);
			close_tag(w, x, "ilmd");
		}
		if (!v2)
			close_tag(w, c, "extension");
	}
	item_attrs(w, c, ev);
	close_tag(w, e, type);
	if (w->nomem)
		return diag_system(d, "out of memory");
	if (w->runlen > INT_MAX)
		return diag_input(d, "an event of more than %d bytes", INT_MAX);
	X(xmlTextWriterWriteRawLen(w->w, (const xmlChar *)w->run,
	    (int)w->runlen));
	w->nevents++;
	return 0;
}

int
epcis_writer_close(struct epcis_writer *w, struct diag *d)
{
	/* the line of </EventList>: nothing indents after raw bytes */
	if (w->nevents > 0 && w->o.indent)
		X(xmlTextWriterWriteRaw(w->w, u("\n" INDENT INDENT)));
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
