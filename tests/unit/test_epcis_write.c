/*
 * Unit tests of the EPCIS writer and master data files
 * (libcommon/epcis_write.c, epcis_md.c): every document written, in 1.2
 * and 2.0, with and without header, is validated against the official XSD
 * by libxml2's schema validator (the independent oracle), and read back by
 * the reader with the same fields; a writer freed before close leaves a
 * document that is not well-formed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>

#include "epcis.h"
#include "testutil.h"

static const char *
top(void)
{
	const char *t = getenv("TOP");

	return t != NULL && t[0] != '\0' ? t : ".";
}

static int
xsd_valid(const char *buf, size_t len, enum epcis_version v)
{
	char dir[1024], path[1200];
	struct diag d = DIAG_INIT;
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaPtr s;
	xmlDocPtr doc;
	int rc;

	snprintf(dir, sizeof(dir), "%s/schemas", top());
	if (epcis_schema_path(v, false, dir, path, sizeof(path), &d) != 0)
		return -1;
	pc = xmlSchemaNewParserCtxt(path);
	s = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (s == NULL)
		return -1;
	doc = xmlReadMemory(buf, (int)len, "out.xml", NULL, XML_PARSE_NONET);
	if (doc == NULL) {
		xmlSchemaFree(s);
		return -2;
	}
	vc = xmlSchemaNewValidCtxt(s);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(s);
	xmlFreeDoc(doc);
	return rc;
}

static const char *const epcs[] = {
	"urn:epc:id:sgtin:0312345.012345.7X2KQ9",
	"urn:epc:id:sgtin:0312345.012345.7X2KQA",
};
static const struct epcis_item_attr attrs[] = {
	{ "urn:epc:id:sgtin:0312345.012345.7X2KQ9", "pos", "A07" },
	{ "urn:epc:id:sgtin:0312345.012345.7X2KQ9", "operator", "jd\t<&>" },
	{ "urn:epc:id:sgtin:0312345.012345.7X2KQA", "pos", "A08" },
};
static const struct epcis_ref bt[] = {
	{ "urn:epcglobal:cbv:btt:po", "urn:epcglobal:cbv:bt:0399999999991:PO1" },
};
static const struct epcis_ref src[] = {
	{ "urn:epcglobal:cbv:sdt:owning_party", "urn:epc:id:sgln:0312345.00000.0" },
	{ "urn:epcglobal:cbv:sdt:location", "urn:epc:id:sgln:0312345.00001.0" },
};

static void
commission(struct epcis_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = EPCIS_OBJECT;
	ev->action = "ADD";
	ev->biz_step = "urn:epcglobal:cbv:bizstep:commissioning";
	ev->disposition = "urn:epcglobal:cbv:disp:active";
	ev->event_time = "2026-12-01T08:00:00.000Z";
	ev->event_time_zone_offset = "+00:00";
	ev->read_point = ev->biz_location = "urn:epc:id:sgln:0312345.00000.0";
	ev->nepc = 2;
	ev->epcs = epcs;
	ev->lot = "A1B2C3";
	ev->expiry = "2027-12-31";
	ev->nattr = 3;
	ev->attrs = attrs;
}

static void
write_doc(enum epcis_version v, bool header, char **buf, size_t *len)
{
	struct epcis_doc_opts o = { 0 };
	struct epcis_masterdata *md = NULL;
	struct epcis_writer *w = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	char path[1024];
	FILE *f = open_memstream(buf, len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	o.version = v;
	o.creation_date = "2026-12-01T08:00:00Z";
	o.indent = true;
	if (header) {
		snprintf(path, sizeof(path), "%s/tests/data/epcis/masterdata.txt",
		    top());
		CU_ASSERT_EQUAL_FATAL(epcis_masterdata_load(&md, path, NULL,
		    NULL, &d), 0);
		o.md = md;
		o.sender = "urn:epc:id:sgln:0312345.00000.0";
		o.receiver = "urn:epc:id:sgln:0399999.99999.0";
		o.document_id = "doc-1";
		o.statement = true;
	}
	CU_ASSERT_EQUAL_FATAL(epcis_writer_open(&w, f, "mem", &o, &d), 0);
	commission(&ev);
	CU_ASSERT_EQUAL(epcis_writer_event(w, &ev, &d), 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = EPCIS_AGGREGATION;
	ev.action = "ADD";
	ev.biz_step = "urn:epcglobal:cbv:bizstep:packing";
	ev.event_time = "2026-12-01T08:01:00.000Z";
	ev.parent_id = "urn:epc:id:sscc:0312345.0000000001";
	ev.nepc = 2;
	ev.epcs = epcs;
	CU_ASSERT_EQUAL(epcis_writer_event(w, &ev, &d), 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = EPCIS_OBJECT;
	ev.action = "OBSERVE";
	ev.biz_step = "urn:epcglobal:cbv:bizstep:shipping";
	ev.disposition = "urn:epcglobal:cbv:disp:in_transit";
	ev.event_time = "2026-12-01T09:00:00.000Z";
	ev.read_point = "urn:epc:id:sgln:0312345.00001.0";
	ev.nepc = 1;
	ev.epcs = (const char *const[]){ "urn:epc:id:sscc:0312345.0000000001" };
	ev.nbiz_tx = 1;
	ev.biz_tx = bt;
	ev.nsource = 2;
	ev.sources = src;
	ev.ndest = 1;
	ev.dests = src;
	ev.error_time = "2026-12-02T09:00:00Z";
	ev.error_reason = "urn:epcglobal:cbv:er:incorrect_data";
	CU_ASSERT_EQUAL(epcis_writer_event(w, &ev, &d), 0);
	CU_ASSERT_EQUAL(epcis_writer_close(w, &d), 0);
	epcis_writer_free(w);
	epcis_masterdata_free(md);
	fclose(f);
}

static void
test_valid_and_read_back(void)
{
	static const enum epcis_version versions[] = { EPCIS_V1_2, EPCIS_V2_0 };

	for (size_t i = 0; i < 2; i++)
		for (int header = 0; header < 2; header++) {
			struct epcis_reader *r = NULL;
			struct epcis_event ev;
			struct diag d = DIAG_INIT;
			size_t row = i * 2 + (size_t)header, len = 0;
			char *buf = NULL;

			write_doc(versions[i], header, &buf, &len);
			TEST_INT_EQ(row, xsd_valid(buf, len, versions[i]), 0);
			CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, buf, len,
			    "mem", NULL, &d), 0);
			TEST_INT_EQ(row, epcis_reader_next(r, &ev, &d), 1);
			TEST_INT_EQ(row, ev.version, versions[i]);
			TEST_STR_EQ(row, ev.lot, "A1B2C3");
			TEST_STR_EQ(row, ev.expiry, "2027-12-31");
			TEST_INT_EQ(row, (long long)ev.nepc, 2);
			TEST_INT_EQ(row, (long long)ev.nattr, 3);
			if (ev.nattr == 3) {
				TEST_STR_EQ(row, ev.attrs[1].key, "operator");
				TEST_STR_EQ(row, ev.attrs[1].value, "jd\t<&>");
				TEST_STR_EQ(row, ev.attrs[2].epc, epcs[1]);
			}
			TEST_INT_EQ(row, epcis_reader_next(r, &ev, &d), 1);
			TEST_STR_EQ(row, ev.parent_id,
			    "urn:epc:id:sscc:0312345.0000000001");
			TEST_INT_EQ(row, epcis_reader_next(r, &ev, &d), 1);
			TEST_INT_EQ(row, (long long)ev.nsource, 2);
			TEST_STR_EQ(row, ev.biz_tx[0].id,
			    "urn:epcglobal:cbv:bt:0399999999991:PO1");
			TEST_STR_EQ(row, ev.error_reason,
			    "urn:epcglobal:cbv:er:incorrect_data");
			TEST_INT_EQ(row, epcis_reader_next(r, &ev, &d), 0);
			epcis_reader_free(r);
			if (header) {
				CU_ASSERT_PTR_NOT_NULL(strstr(buf,
				    "urn:epcglobal:cbv:mda#regulatedProductName"));
				CU_ASSERT_PTR_NOT_NULL(strstr(buf,
				    "<gs1ushc:affirmTransactionStatement>true<"));
			}
			free(buf);
		}
}

/* The same events in 1.2 and 2.0 hash alike and canonicalise alike. */
static void
test_versions_same_events(void)
{
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	struct epcis_reader *ra = NULL, *rb = NULL;
	struct epcis_event ea, eb;
	struct diag d = DIAG_INIT;
	int n = 0;

	write_doc(EPCIS_V1_2, true, &a, &alen);
	write_doc(EPCIS_V2_0, true, &b, &blen);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&ra, a, alen, "a", NULL,
	    &d), 0);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&rb, b, blen, "b", NULL,
	    &d), 0);
	while (epcis_reader_next(ra, &ea, &d) == 1 &&
	    epcis_reader_next(rb, &eb, &d) == 1) {
		TEST_STR_EQ((size_t)n, ea.hash_id, eb.hash_id);
		TEST_INT_EQ((size_t)n, (long long)ea.canon_len,
		    (long long)eb.canon_len);
		CU_ASSERT(ea.canon_len == eb.canon_len &&
		    memcmp(ea.canon, eb.canon, ea.canon_len) == 0);
		n++;
	}
	TEST_INT_EQ(0, n, 3);
	epcis_reader_free(ra);
	epcis_reader_free(rb);
	free(a);
	free(b);
}


/*
 * The oracle for the bytes of an event: libxml2's xmlTextWriter, element
 * by element, at the depth the writer puts events (EPCISDocument >
 * EPCISBody > EventList > event), with the writer's indentation.  The
 * writer composes events itself for speed; it must give exactly these
 * bytes, escaping included.
 */
#define R(call)	do { if ((call) < 0) return -1; } while (0)

static const xmlChar *
xs(const char *s)
{
	return (const xmlChar *)s;
}

static int
ref_elem(xmlTextWriterPtr w, const char *name, const char *text)
{
	if (text != NULL)
		R(xmlTextWriterWriteElement(w, xs(name), xs(text)));
	return 0;
}

static int
ref_refs(xmlTextWriterPtr w, const char *list, const char *item, size_t n,
    const struct epcis_ref *v)
{
	if (n == 0)
		return 0;
	R(xmlTextWriterStartElement(w, xs(list)));
	for (size_t i = 0; i < n; i++) {
		R(xmlTextWriterStartElement(w, xs(item)));
		if (v[i].type != NULL)
			R(xmlTextWriterWriteAttribute(w, xs("type"),
			    xs(v[i].type)));
		R(xmlTextWriterWriteString(w, xs(v[i].id)));
		R(xmlTextWriterEndElement(w));
	}
	R(xmlTextWriterEndElement(w));
	return 0;
}

static int
ref_id(xmlTextWriterPtr w, const char *name, const char *id)
{
	if (id == NULL)
		return 0;
	R(xmlTextWriterStartElement(w, xs(name)));
	R(ref_elem(w, "id", id));
	R(xmlTextWriterEndElement(w));
	return 0;
}

static int
ref_event(xmlTextWriterPtr w, bool v2, const struct epcis_event *ev)
{
	bool agg = ev->type == EPCIS_AGGREGATION;
	bool ext = ev->nsource > 0 || ev->ndest > 0 || ev->lot != NULL ||
	    ev->expiry != NULL;

	R(xmlTextWriterStartElement(w, xs(epcis_event_type_name(ev->type))));
	R(ref_elem(w, "eventTime", ev->event_time));
	R(ref_elem(w, "eventTimeZoneOffset", ev->event_time_zone_offset ?
	    ev->event_time_zone_offset : "+00:00"));
	if (ev->event_id != NULL || ev->error_time != NULL) {
		if (!v2)
			R(xmlTextWriterStartElement(w, xs("baseExtension")));
		R(ref_elem(w, "eventID", ev->event_id));
		if (ev->error_time != NULL) {
			R(xmlTextWriterStartElement(w, xs("errorDeclaration")));
			R(ref_elem(w, "declarationTime", ev->error_time));
			R(ref_elem(w, "reason", ev->error_reason));
			if (ev->ncorrective > 0) {
				R(xmlTextWriterStartElement(w,
				    xs("correctiveEventIDs")));
				for (size_t i = 0; i < ev->ncorrective; i++)
					R(ref_elem(w, "correctiveEventID",
					    ev->corrective[i]));
				R(xmlTextWriterEndElement(w));
			}
			R(xmlTextWriterEndElement(w));
		}
		if (!v2)
			R(xmlTextWriterEndElement(w));
	}
	if (agg)
		R(ref_elem(w, "parentID", ev->parent_id));
	R(xmlTextWriterStartElement(w, xs(agg ? "childEPCs" : "epcList")));
	for (size_t i = 0; i < ev->nepc; i++)
		R(ref_elem(w, "epc", ev->epcs[i]));
	R(xmlTextWriterEndElement(w));
	R(ref_elem(w, "action", ev->action));
	R(ref_elem(w, "bizStep", ev->biz_step));
	R(ref_elem(w, "disposition", ev->disposition));
	R(ref_id(w, "readPoint", ev->read_point));
	R(ref_id(w, "bizLocation", ev->biz_location));
	R(ref_refs(w, "bizTransactionList", "bizTransaction", ev->nbiz_tx,
	    ev->biz_tx));
	if (ext && !v2)
		R(xmlTextWriterStartElement(w, xs("extension")));
	R(ref_refs(w, "sourceList", "source", ev->nsource, ev->sources));
	R(ref_refs(w, "destinationList", "destination", ev->ndest, ev->dests));
	if (ev->lot != NULL || ev->expiry != NULL) {
		R(xmlTextWriterStartElement(w, xs("ilmd")));
		if (ev->lot != NULL)
			R(xmlTextWriterWriteElementNS(w, xs("cbvmda"),
			    xs("lotNumber"), NULL, xs(ev->lot)));
		if (ev->expiry != NULL)
			R(xmlTextWriterWriteElementNS(w, xs("cbvmda"),
			    xs("itemExpirationDate"), NULL, xs(ev->expiry)));
		R(xmlTextWriterEndElement(w));
	}
	if (ext && !v2)
		R(xmlTextWriterEndElement(w));
	for (size_t i = 0; i < ev->nattr; ) {
		const char *epc = ev->attrs[i].epc;

		R(xmlTextWriterStartElementNS(w, xs("dscsa"), xs("item"), NULL));
		R(xmlTextWriterWriteAttribute(w, xs("epc"), xs(epc)));
		for (; i < ev->nattr && strcmp(ev->attrs[i].epc, epc) == 0; i++) {
			R(xmlTextWriterStartElementNS(w, xs("dscsa"), xs("attr"),
			    NULL));
			R(xmlTextWriterWriteAttribute(w, xs("name"),
			    xs(ev->attrs[i].key)));
			R(xmlTextWriterWriteString(w, xs(ev->attrs[i].value)));
			R(xmlTextWriterEndElement(w));
		}
		R(xmlTextWriterEndElement(w));
	}
	R(xmlTextWriterEndElement(w));
	return 0;
}

/* Documents of the events `ev` from libxml2 (ref) and from the writer. */
static void
both_docs(bool v2, bool indent, const struct epcis_event *ev, size_t n,
    char **ref, char **got)
{
	static const char *const outer[] = { "EPCISDocument", "EPCISBody",
	    "EventList" };
	struct epcis_doc_opts o = { 0 };
	struct epcis_writer *ew = NULL;
	struct diag d = DIAG_INIT;
	xmlBufferPtr b = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(b, 0);
	size_t len = 0;
	FILE *f = open_memstream(got, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (indent) {
		xmlTextWriterSetIndent(w, 1);
		xmlTextWriterSetIndentString(w, xs("  "));
	}
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT(xmlTextWriterStartElement(w, xs(outer[i])) >= 0);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(ref_event(w, v2, &ev[i]), 0);
	CU_ASSERT(xmlTextWriterEndDocument(w) >= 0);
	xmlFreeTextWriter(w);
	*ref = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);

	o.version = v2 ? EPCIS_V2_0 : EPCIS_V1_2;
	o.creation_date = "2026-12-01T08:00:00Z";
	o.indent = indent;
	CU_ASSERT_EQUAL_FATAL(epcis_writer_open(&ew, f, "mem", &o, &d), 0);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(epcis_writer_event(ew, &ev[i], &d), 0);
	CU_ASSERT_EQUAL(epcis_writer_close(ew, &d), 0);
	epcis_writer_free(ew);
	fclose(f);
}

/* From the first "<EventList" to the end of "</EventList>". */
static const char *
event_list(const char *doc, size_t *len)
{
	const char *a = strstr(doc, "<EventList"), *z;

	if (a == NULL)
		return NULL;
	if ((z = strstr(a, "</EventList>")) != NULL)
		z += strlen("</EventList>");
	else if ((z = strstr(a, "/>")) != NULL)
		z += 2;
	else
		return NULL;
	*len = (size_t)(z - a);
	return a;
}

static void
test_event_bytes(void)
{
	/* every byte xmlEncodeSpecialChars() escapes, and a few it does not */
	static const char *const odd[] = {
		"urn:epc:id:sgtin:0312345.012345.%26%3C%3E%22",
		"x&y<z>\"w'\r\n\tq",
		"\xc3\xbc ]]> &amp;",
	};
	static const struct epcis_item_attr oattrs[] = {
		{ "x&y<z>\"w'\r\n\tq", "k\"&<\t\n\r", "v\"&<>\t\n\r" },
		{ "x&y<z>\"w'\r\n\tq", "k2", "" },
		/* UTF-8 (2 and 4 bytes), bad bytes, a control character */
		{ "x&y<z>\"w'\r\n\tq", "\xc3\xbc", "\xf0\x9f\x92\x8a\x01 \xed\xa0\x80" },
		{ "urn:epc:id:sgtin:0312345.012345.7X2KQ9", "pos", "A07" },
		{ "urn:epc:id:sgtin:0312345.012345.7X2KQ9", "b\x80\xf8", "v" },
	};
	static const struct epcis_ref orefs[] = {
		{ "t\"&<\t\n\r", "i\"&<>\t\n\r" },
		{ NULL, "no type" },
	};
	struct epcis_event ev[4];

	commission(&ev[0]);
	ev[1] = ev[0];
	ev[1].nepc = 3;
	ev[1].epcs = odd;
	ev[1].lot = "L<&>\"\r";
	ev[1].expiry = NULL;
	ev[1].nattr = sizeof(oattrs) / sizeof(oattrs[0]);
	ev[1].attrs = oattrs;
	ev[1].nbiz_tx = 2;
	ev[1].biz_tx = orefs;
	ev[1].nsource = 1;
	ev[1].sources = orefs;
	ev[1].ndest = 2;
	ev[1].dests = orefs;
	ev[1].event_id = "urn:uuid:1&2";
	ev[1].error_time = "2026-12-02T09:00:00Z";
	ev[1].error_reason = "urn:epcglobal:cbv:er:incorrect_data";
	ev[1].ncorrective = 2;
	ev[1].corrective = odd;
	memset(&ev[2], 0, sizeof(ev[2]));
	ev[2].type = EPCIS_AGGREGATION;
	ev[2].action = "DELETE";
	ev[2].event_time = "2026-12-01T08:01:00.000Z";
	ev[2].parent_id = "urn:epc:id:sscc:0312345.0000000001";
	ev[2].nepc = 0;			/* an empty list: <childEPCs/> */
	ev[3] = ev[2];
	ev[3].nepc = 1;
	ev[3].epcs = odd;
	ev[3].event_id = "e";

	for (size_t row = 0; row < 8; row++) {
		bool v2 = row & 1, indent = row & 2;
		size_t n = row & 4 ? 4 : 0, rl = 0, gl = 0;
		char *ref = NULL, *got = NULL;
		const char *r, *g;

		both_docs(v2, indent, ev, n, &ref, &got);
		r = event_list(ref, &rl);
		g = event_list(got, &gl);
		CU_ASSERT_PTR_NOT_NULL(r);
		CU_ASSERT_PTR_NOT_NULL(g);
		if (r != NULL && g != NULL && (rl != gl || memcmp(r, g, rl))) {
			fprintf(stderr, "row %zu:\n--- libxml2\n%.*s\n--- "
			    "writer\n%.*s\n", row, (int)rl, r, (int)gl, g);
			CU_FAIL("event bytes differ from xmlTextWriter's");
		}
		free(ref);
		free(got);
	}
}

static void
test_unclosed_is_not_a_document(void)
{
	struct epcis_doc_opts o = { 0 };
	struct epcis_writer *w = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xmlDocPtr doc;

	o.creation_date = "2026-12-01T08:00:00Z";
	CU_ASSERT_EQUAL_FATAL(epcis_writer_open(&w, f, "mem", &o, &d), 0);
	commission(&ev);
	CU_ASSERT_EQUAL(epcis_writer_event(w, &ev, &d), 0);
	epcis_writer_free(w);		/* an error happened: no close */
	fclose(f);
	CU_ASSERT(len > 0);
	doc = xmlReadMemory(buf, (int)len, "x", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	CU_ASSERT_PTR_NULL(doc);
	xmlFreeDoc(doc);
	free(buf);
}

static void
test_refusals(void)
{
	struct epcis_doc_opts o = { 0 };
	struct epcis_masterdata md = { 0, NULL, NULL };
	struct epcis_writer *w = NULL;
	struct diag d = DIAG_INIT;
	FILE *f = fopen("/dev/null", "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* no creation date */
	TEST_INT_EQ(0, epcis_writer_open(&w, f, "x", &o, &d), -1);
	TEST_INT_EQ(0, d.kind, DIAG_INPUT);
	/* 1.2 master data without SBDH */
	diag_clear(&d);
	o.creation_date = "2026-12-01T08:00:00Z";
	o.md = &md;
	TEST_INT_EQ(1, epcis_writer_open(&w, f, "x", &o, &d), -1);
	TEST_INT_EQ(1, d.kind, DIAG_INPUT);
	/* sender without receiver */
	diag_clear(&d);
	o.md = NULL;
	o.sender = "urn:epc:id:sgln:0312345.00000.0";
	TEST_INT_EQ(2, epcis_writer_open(&w, f, "x", &o, &d), -1);
	fclose(f);
}

static void
test_masterdata_file_errors(void)
{
	static const struct {
		const char	*text;
		unsigned long	 line;
		const char	*msg;
	} cases[] = {
		{ "# x\nproduct urn:epc:idpat:sgtin:0312345.012345.*\n  bogus 1\n",
		  3, "unknown product key 'bogus'" },
		{ "  name x\n", 1, "attribute before any product or location" },
		{ "thing urn:x\n", 1, "expected 'product ID' or 'location ID'" },
		{ "product 00312345678906\n", 1, "give an EPC class pattern URI" },
		{ "location urn:epc:id:sgln:0312345.00000.0\n  city\n", 2,
		  "'city' without a value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[] = "/tmp/test_epcis_md_XXXXXX";
		struct epcis_masterdata *md = NULL;
		struct diag d = DIAG_INIT;
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");

		fputs(cases[i].text, f);
		fclose(f);
		TEST_INT_EQ(i, epcis_masterdata_load(&md, path, NULL, NULL, &d),
		    -1);
		TEST_INT_EQ(i, (long long)d.line, (long long)cases[i].line);
		if (strstr(d.msg, cases[i].msg) == NULL)
			fprintf(stderr, "row %zu: '%s'\n", i, d.msg);
		CU_ASSERT(strstr(d.msg, cases[i].msg) != NULL);
		remove(path);
	}
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "1.2 and 2.0 documents XSD-valid and read back",
		    test_valid_and_read_back },
		{ "1.2 and 2.0 give the same hash ids and bytes",
		    test_versions_same_events },
		{ "events: the bytes xmlTextWriter writes, escaping included",
		    test_event_bytes },
		{ "an unclosed document is not well-formed",
		    test_unclosed_is_not_a_document },
		{ "options the header cannot carry", test_refusals },
		{ "master data file errors", test_masterdata_file_errors },
		{ NULL, NULL },
	};

	return test_run("epcis_write", tests);
}
