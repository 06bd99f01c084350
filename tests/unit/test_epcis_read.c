/*
 * Unit tests of the EPCIS reader and the canonical form
 * (libcommon/epcis_read.c, epcis_c14n.c): fields of the GS1 US DSCSA
 * example, 1.2 and 2.0 giving the same canonical bytes, the canonical form
 * read back and checked against libxml2's own exclusive C14N, and the
 * refusals (DTDs, entities, depth, truncation, not EPCIS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>

#include "epcis.h"
#include "testutil.h"

#define MAX_EVENTS	16

static const char *
top(void)
{
	const char *t = getenv("TOP");

	return t != NULL && t[0] != '\0' ? t : ".";
}

struct copy {
	size_t		 n;
	unsigned char	*canon[MAX_EVENTS];
	size_t		 len[MAX_EVENTS];
	char		 hash[MAX_EVENTS][EPCIS_HASH_ID_MAX];
};

static void
read_all(const char *rel, struct copy *c)
{
	char path[1024];
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	FILE *f;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/tests/data/epcis/%s", top(), rel);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open(&r, f, rel, NULL, &d), 0);
	while ((rc = epcis_reader_next(r, &ev, &d)) == 1 && c->n < MAX_EVENTS) {
		c->canon[c->n] = malloc(ev.canon_len + 1);
		memcpy(c->canon[c->n], ev.canon, ev.canon_len);
		c->canon[c->n][ev.canon_len] = '\0';
		c->len[c->n] = ev.canon_len;
		memcpy(c->hash[c->n], ev.hash_id, EPCIS_HASH_ID_MAX);
		c->n++;
	}
	CU_ASSERT_EQUAL(rc, 0);
	epcis_reader_free(r);
	fclose(f);
}

static void
free_copy(struct copy *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->canon[i]);
}

static void
test_dscsa_fields(void)
{
	char path[1024];
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	int k = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/epcis/examples/dscsa-1.2/"
	    "GS1_US_Pharma_Example_2_2_1_1.xml", top());
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open(&r, f, "x", NULL, &d), 0);
	while (epcis_reader_next(r, &ev, &d) == 1) {
		k++;
		CU_ASSERT_EQUAL(ev.version, EPCIS_V1_2);
		if (k == 1) {
			CU_ASSERT_EQUAL(ev.type, EPCIS_OBJECT);
			TEST_INT_EQ(1, (long long)ev.nepc, 12);
			TEST_STR_EQ(1, ev.epcs[0], "urn:epc:id:sgtin:030001.0012345.11");
			TEST_STR_EQ(1, ev.action, "ADD");
			TEST_STR_EQ(1, ev.biz_step,
			    "urn:epcglobal:cbv:bizstep:commissioning");
			TEST_STR_EQ(1, ev.lot, "A123");
			TEST_STR_EQ(1, ev.expiry, "2025-03-27");
			TEST_STR_EQ(1, ev.read_point, "urn:epc:id:sgln:030001.111111.0");
			TEST_STR_EQ(1, ev.event_time_zone_offset, "-05:00");
		}
		if (k == 3) {
			CU_ASSERT_EQUAL(ev.type, EPCIS_AGGREGATION);
			TEST_STR_EQ(3, ev.parent_id,
			    "urn:epc:id:sgtin:030001.1012345.110");
			TEST_INT_EQ(3, (long long)ev.nepc, 4);
		}
		if (k == 8) {
			TEST_STR_EQ(8, ev.action, "OBSERVE");
			TEST_INT_EQ(8, (long long)ev.nbiz_tx, 2);
			TEST_STR_EQ(8, ev.biz_tx[0].type, "urn:epcglobal:cbv:btt:po");
			TEST_STR_EQ(8, ev.biz_tx[0].id,
			    "urn:epcglobal:cbv:bt:0399999999991:XYZPO189");
			TEST_INT_EQ(8, (long long)ev.nsource, 2);
			TEST_INT_EQ(8, (long long)ev.ndest, 2);
			TEST_STR_EQ(8, ev.sources[0].type,
			    "urn:epcglobal:cbv:sdt:owning_party");
			CU_ASSERT_PTR_NULL(ev.biz_location);
			CU_ASSERT(ev.line > 200);
		}
	}
	TEST_INT_EQ(0, k, 8);
	CU_ASSERT_EQUAL(d.kind, DIAG_OK);
	epcis_reader_free(r);
	fclose(f);
}

/* The same events in 1.2 and 2.0 XML give the same canonical bytes. */
static void
test_versions_agree(void)
{
	struct copy a, b;

	read_all("examples/dscsa-1.2/GS1_US_Pharma_Example_2_2_1_1.xml", &a);
	read_all("examples/derived/dscsa-2.0-from-GS1_US_Pharma_Example_2_2_1_1.xml",
	    &b);
	TEST_INT_EQ(0, (long long)a.n, 8);
	TEST_INT_EQ(0, (long long)b.n, 8);
	for (size_t i = 0; i < a.n && i < b.n; i++) {
		TEST_STR_EQ(i, (char *)a.canon[i], (char *)b.canon[i]);
		TEST_STR_EQ(i, a.hash[i], b.hash[i]);
	}
	free_copy(&a);
	free_copy(&b);
}

/*
 * Canonical bytes: read back with open_mem they give one event with the
 * same bytes and hash id; and libxml2's exclusive C14N of them is them.
 */
/* The InclusiveNamespaces PrefixList: prefixes of xsi:type values. */
static xmlChar **
qname_prefixes(const char *canon)
{
	static char pfx[8][64];
	static xmlChar *list[9];
	size_t n = 0;
	const char *p = canon;

	while (n < 8 && (p = strstr(p, "xsi:type=\"")) != NULL) {
		const char *v = p + 10, *colon = strchr(v, ':');
		const char *quote = strchr(v, '"');

		p = v;
		if (colon == NULL || quote == NULL || colon > quote ||
		    (size_t)(colon - v) >= sizeof(pfx[0]))
			continue;
		memcpy(pfx[n], v, (size_t)(colon - v));
		pfx[n][colon - v] = '\0';
		list[n] = (xmlChar *)pfx[n];
		n++;
	}
	list[n] = NULL;
	return list;
}

static void
check_canonical(const char *rel)
{
	struct copy c;

	read_all(rel, &c);
	CU_ASSERT(c.n > 0);
	for (size_t i = 0; i < c.n; i++) {
		struct epcis_reader *r = NULL;
		struct epcis_event ev;
		struct diag d = DIAG_INIT;
		xmlDocPtr doc;
		xmlChar *out = NULL;
		int n;

		CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, c.canon[i],
		    c.len[i], "canon", NULL, &d), 0);
		TEST_INT_EQ(i, epcis_reader_next(r, &ev, &d), 1);
		TEST_INT_EQ(i, (long long)ev.canon_len, (long long)c.len[i]);
		CU_ASSERT(memcmp(ev.canon, c.canon[i], c.len[i]) == 0);
		TEST_STR_EQ(i, ev.hash_id, c.hash[i]);
		TEST_INT_EQ(i, epcis_reader_next(r, &ev, &d), 0);
		epcis_reader_free(r);

		doc = xmlReadMemory((const char *)c.canon[i], (int)c.len[i],
		    "canon", NULL, XML_PARSE_NONET);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0,
		    qname_prefixes((const char *)c.canon[i]), 0, &out);
		TEST_INT_EQ(i, n, (long long)c.len[i]);
		if (n > 0)
			TEST_STR_EQ(i, (char *)out, (char *)c.canon[i]);
		xmlFree(out);
		xmlFreeDoc(doc);
	}
	free_copy(&c);
}

static void
test_canonical(void)
{
	static const char *const files[] = {
		"examples/dscsa-1.2/GS1_US_Pharma_Example_2_2_1_1.xml",
		"examples/gs1-1.2/TransformationEvent.xml",
		"examples/gs1-2.0/SensorDataExamples.xml",
		"examples/gs1-2.0/object_event_all_possible_fields.xml",
		"examples/gs1-2.0/ErrorDeclarationAndCorrectiveEvent.xml",
		"hash/gs1-identical/event_with_identical_hash_id_6.xml",
		"hash/ralphtro/ReferenceEventHashAlgorithm.xml",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		check_canonical(files[i]);
}

static void
test_canonical_bytes(void)
{
	static const char in[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<e:EPCISDocument xmlns:e=\"urn:epcglobal:epcis:xsd:1\" "
	    "xmlns:q=\"urn:epcglobal:cbv:mda\" xmlns:z=\"urn:z\" "
	    "schemaVersion=\"1.2\" creationDate=\"2020-01-01T00:00:00Z\">"
	    "<EPCISBody><EventList><ObjectEvent>\n"
	    "  <!-- c --><eventTime> 2020-01-01T00:00:00Z </eventTime>\n"
	    "  <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
	    "  <epcList><epc>a&amp;b</epc></epcList><action>ADD</action>\n"
	    "  <extension><ilmd><q:lotNumber>L1</q:lotNumber></ilmd></extension>\n"
	    "  <z:x b=\"2\" a=\"&quot;1&#9;\"/>\n"
	    "</ObjectEvent></EventList></EPCISBody></e:EPCISDocument>\n";
	static const char want[] =
	    "<ObjectEvent><eventTime>2020-01-01T00:00:00Z</eventTime>"
	    "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
	    "<epcList><epc>a&amp;b</epc></epcList><action>ADD</action>"
	    "<ilmd><cbvmda:lotNumber xmlns:cbvmda=\"urn:epcglobal:cbv:mda\">"
	    "L1</cbvmda:lotNumber></ilmd>"
	    "<ns1:x xmlns:ns1=\"urn:z\" a=\"&quot;1&#x9;\" b=\"2\"></ns1:x>"
	    "</ObjectEvent>";
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;

	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, in, strlen(in), "t",
	    NULL, &d), 0);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_next(r, &ev, &d), 1);
	TEST_STR_EQ(0, (const char *)ev.canon, want);
	TEST_STR_EQ(0, ev.lot, "L1");
	TEST_INT_EQ(0, (long long)ev.line, 2);
	epcis_reader_free(r);
}

static void
test_refused(void)
{
	static const struct {
		const char	*doc;
		enum diag_kind	 kind;
		unsigned long	 line;
		const char	*msg;		/* a part of the message */
	} cases[] = {
		{ "<?xml version=\"1.0\"?>\n<!DOCTYPE x [\n<!ENTITY a \"aaaa\">\n"
		  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n<x>&b;</x>",
		  DIAG_INPUT, 0, "DTD not allowed" },
		{ "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
		  "<ObjectEvent><eventTime>&e;</eventTime></ObjectEvent>",
		  DIAG_INPUT, 0, "DTD not allowed" },
		{ "<!DOCTYPE x SYSTEM \"http://example.com/x.dtd\"><x/>",
		  DIAG_INPUT, 1, "DTD not allowed" },
		{ "<ObjectEvent><eventTime>&e;</eventTime></ObjectEvent>",
		  DIAG_INPUT, 1, "not well-formed" },
		{ "<EPCISDocument xmlns=\"urn:epcglobal:epcis:xsd:1\"><EPCISBody>"
		  "<EventList><ObjectEvent>\n<eventTime>2020",
		  DIAG_INPUT, 2, "not well-formed" },
		{ "<x/>", DIAG_INPUT, 1, "not an EPCIS document" },
		{ "", DIAG_INPUT, 0, "" },
		{ "<EPCISDocument xmlns=\"urn:epcglobal:epcis:xsd:3\"/>",
		  DIAG_INPUT, 1, "not an EPCIS document" },
	};
	char msg[700];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct epcis_reader *r = NULL;
		struct epcis_event ev;
		struct diag d = DIAG_INIT;
		int rc;

		CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, cases[i].doc,
		    strlen(cases[i].doc), "t.xml", NULL, &d), 0);
		while ((rc = epcis_reader_next(r, &ev, &d)) == 1)
			;
		TEST_INT_EQ(i, rc, -1);
		TEST_INT_EQ(i, d.kind, cases[i].kind);
		if (cases[i].line != 0)
			TEST_INT_EQ(i, (long long)d.line, (long long)cases[i].line);
		diag_format(&d, msg, sizeof(msg));
		if (strstr(msg, cases[i].msg) == NULL || strncmp(msg, "t.xml", 5))
			fprintf(stderr, "row %zu: message '%s'\n", i, msg);
		CU_ASSERT(strstr(msg, cases[i].msg) != NULL);
		CU_ASSERT(strncmp(msg, "t.xml", 5) == 0);
		/* invariant 4: dead after the first error */
		TEST_INT_EQ(i, epcis_reader_next(r, &ev, &d), -1);
		epcis_reader_free(r);
	}
}

static void
test_deep(void)
{
	size_t depth = 10000, len = 0;
	char *doc = malloc(depth * 7 + 64);
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;

	memcpy(doc, "<ObjectEvent>", 13);
	len = 13;
	for (size_t i = 0; i < depth; i++) {
		memcpy(doc + len, "<a>", 3);
		len += 3;
	}
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, doc, len, "deep", NULL,
	    &d), 0);
	TEST_INT_EQ(0, epcis_reader_next(r, &ev, &d), -1);
	TEST_INT_EQ(0, d.kind, DIAG_INPUT);
	epcis_reader_free(r);
	free(doc);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "DSCSA example fields", test_dscsa_fields },
		{ "1.2 and 2.0 agree", test_versions_agree },
		{ "canonical form read back and C14N", test_canonical },
		{ "canonical bytes", test_canonical_bytes },
		{ "hostile and broken input refused", test_refused },
		{ "10,000-deep nesting refused", test_deep },
		{ NULL, NULL },
	};

	return test_run("epcis_read", tests);
}
