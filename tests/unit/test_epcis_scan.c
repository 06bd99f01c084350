/*
 * Differential tests of the reader's two front ends (libcommon/epcis_scan.c
 * against libxml2's SAX2 parser, epcis_read.c): every XML document under
 * tests/data/epcis is read through both, and every event must agree in
 * every field, its canonical bytes, its pre-hash and hash id, and its
 * line; so must the outcome (end of document, or an error of the same
 * kind).  Then a table of small documents each front end must refuse, and
 * documents both must read the same, for the corners of XML the data does
 * not reach (references, CDATA, comments splitting text, CR, namespace
 * scoping, attribute normalisation).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>

#include "epcis.h"
#include "epcis_int.h"
#include "testutil.h"

static const char *
top(void)
{
	const char *t = getenv("TOP");

	return t != NULL && t[0] != '\0' ? t : ".";
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
list_eq(const char *const *a, const char *const *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool
refs_eq(const struct epcis_ref *a, const struct epcis_ref *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!str_eq(a[i].type, b[i].type) || !str_eq(a[i].id, b[i].id))
			return false;
	return true;
}

/* The first field in which two events differ, or NULL. */
static const char *
event_diff(const struct epcis_event *a, const struct epcis_event *b)
{
	if (a->type != b->type || a->version != b->version)
		return "type or version";
#define S(f)	if (!str_eq(a->f, b->f)) return #f
	S(action); S(biz_step); S(disposition); S(event_time);
	S(event_time_zone_offset); S(record_time); S(event_id);
	S(read_point); S(biz_location); S(parent_id); S(transformation_id);
	S(lot); S(expiry); S(error_time); S(error_reason);
#undef S
	if (a->nepc != b->nepc || !list_eq(a->epcs, b->epcs, a->nepc))
		return "epcs";
	if (a->ninput != b->ninput || !list_eq(a->inputs, b->inputs, a->ninput))
		return "inputs";
	if (a->ncorrective != b->ncorrective ||
	    !list_eq(a->corrective, b->corrective, a->ncorrective))
		return "corrective";
	if (a->nbiz_tx != b->nbiz_tx || !refs_eq(a->biz_tx, b->biz_tx,
	    a->nbiz_tx))
		return "biz_tx";
	if (a->nsource != b->nsource || !refs_eq(a->sources, b->sources,
	    a->nsource))
		return "sources";
	if (a->ndest != b->ndest || !refs_eq(a->dests, b->dests, a->ndest))
		return "dests";
	if (a->nattr != b->nattr)
		return "nattr";
	for (size_t i = 0; i < a->nattr; i++)
		if (!str_eq(a->attrs[i].epc, b->attrs[i].epc) ||
		    !str_eq(a->attrs[i].key, b->attrs[i].key) ||
		    !str_eq(a->attrs[i].value, b->attrs[i].value))
			return "attrs";
	if (a->canon_len != b->canon_len || memcmp(a->canon, b->canon,
	    a->canon_len) != 0)
		return "canonical bytes";
	if (a->prehash_len != b->prehash_len || memcmp(a->prehash, b->prehash,
	    a->prehash_len) != 0)
		return "pre-hash";
	if (strcmp(a->hash_id, b->hash_id) != 0)
		return "hash id";
	if (a->line != b->line)
		return "line";
	return NULL;
}

/*
 * Read `len` bytes at `doc` through both front ends side by side.
 * Returns the number of events, or -1 if both refused it; a disagreement
 * fails the test, naming `what`.
 */
static int
both(const char *what, const void *doc, size_t len, struct diag *ds)
{
	struct epcis_read_opts os = EPCIS_READ_OPTS_INIT;
	struct epcis_read_opts ox = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *rs = NULL, *rx = NULL;
	struct epcis_event es, ex;
	struct diag dx = DIAG_INIT;
	int n = 0, rcs, rcx;

	ox.libxml2 = true;
	ox.xml = &epcis_read_libxml2;
	diag_clear(ds);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&rs, doc, len, what, &os,
	    ds), 0);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&rx, doc, len, what, &ox,
	    &dx), 0);
	for (;;) {
		const char *diff;

		rcs = epcis_reader_next(rs, &es, ds);
		rcx = epcis_reader_next(rx, &ex, &dx);
		if (rcs != rcx) {
			char ms[700], mx[700];

			fprintf(stderr, "%s: event %d: scanner %d (%s), libxml2 "
			    "%d (%s)\n", what, n, rcs, rcs < 0 ?
			    diag_format(ds, ms, sizeof(ms)) : "",
			    rcx, rcx < 0 ? diag_format(&dx, mx, sizeof(mx)) : "");
			CU_FAIL("the front ends disagree on the outcome");
			break;
		}
		if (rcs != 1)
			break;
		if ((diff = event_diff(&es, &ex)) != NULL) {
			fprintf(stderr, "%s: event %d: %s differs (line %lu "
			    "and %lu)\n", what, n, diff, es.line, ex.line);
			CU_FAIL("the front ends disagree on an event");
		}
		n++;
	}
	if (rcs < 0 && rcx < 0 && ds->kind != dx.kind) {
		fprintf(stderr, "%s: error kinds %d and %d\n", what, ds->kind,
		    dx.kind);
		CU_FAIL("the front ends disagree on the kind of error");
	}
	epcis_reader_free(rs);
	epcis_reader_free(rx);
	return rcs < 0 ? -1 : n;
}

static void
walk(const char *dir, size_t *files, size_t *events)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	while ((e = readdir(dp)) != NULL) {
		char path[2048];
		struct stat st;
		size_t nl = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path, files, events);
		else if (nl > 4 && strcmp(e->d_name + nl - 4, ".xml") == 0) {
			FILE *f = fopen(path, "rb");
			char *buf = malloc((size_t)st.st_size + 1);
			struct diag d;
			int n;

			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
			CU_ASSERT_EQUAL(fread(buf, 1, (size_t)st.st_size, f),
			    (size_t)st.st_size);
			fclose(f);
			n = both(path, buf, (size_t)st.st_size, &d);
			if (n > 0)
				*events += (size_t)n;
			(*files)++;
			free(buf);
		}
	}
	closedir(dp);
}

static void
test_all_data(void)
{
	char dir[1024];
	size_t files = 0, events = 0;

	snprintf(dir, sizeof(dir), "%s/tests/data/epcis", top());
	walk(dir, &files, &events);
	/* the data must really be there and be read */
	CU_ASSERT(files >= 40);
	CU_ASSERT(events >= 100);
}

#define DOC(body) "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:" \
	"xsd:2\"><EPCISBody><EventList>" body "</EventList></EPCISBody>" \
	"</epcis:EPCISDocument>"

static void
test_agree(void)
{
	static const char *const docs[] = {
		/* references, CDATA and comments in text */
		DOC("<ObjectEvent><action> A&amp;D&#x41;&#66;&lt;&gt;&apos;"
		    "&quot;</action></ObjectEvent>"),
		DOC("<ObjectEvent><action><![CDATA[<ADD>]]>x</action>"
		    "</ObjectEvent>"),
		DOC("<ObjectEvent><action> a <!-- c --> b </action>"
		    "<bizStep>x<?pi y?>y</bizStep></ObjectEvent>"),
		/* CR and CRLF in CDATA (libxml2's push parser keeps them) */
		"<ObjectEvent><action><![CDATA[a\r\nb\rc]]></action>"
		    "</ObjectEvent>",
		/* CR and CRLF: LF in text, spaces in attribute values */
		"<ObjectEvent>\r\n<action>a\r\nb\rc</action>\r<bizTransactionList>"
		    "<bizTransaction type=\"a\r\nb\tc&#9;d&#10;\">x"
		    "</bizTransaction></bizTransactionList></ObjectEvent>",
		/* namespaces: default, redeclared, undeclared default */
		"<ObjectEvent xmlns:x=\"urn:x\"><x:a x:b=\"1\" b=\"2\"/>"
		    "<c xmlns=\"urn:y\"><d xmlns=\"\"/></c></ObjectEvent>",
		"<ObjectEvent xmlns:x=\"urn:x\"><e xmlns:x=\"urn:z\"><x:a/>"
		    "</e><x:a/></ObjectEvent>",
		/* '&' in a namespace name (libxml2 binds it as "&#38;") */
		"<ObjectEvent xmlns:x=\"urn:x\" xmlns:xsi=\"http://www.w3.org/"
		    "2001/XMLSchema-instance\" xmlns:q=\"urn:a&amp;b\">"
		    "<q:v xsi:type=\"x:t\" q:w=\"1\"/></ObjectEvent>",
		/* xsi:type with a prefix declared outside the event */
		"<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" "
		    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		    "xmlns:q=\"urn:q\"><EPCISBody><EventList><ObjectEvent>"
		    "<v xsi:type=\"q:t\">1</v></ObjectEvent></EventList>"
		    "</EPCISBody></epcis:EPCISDocument>",
		/* UTF-8, BOM, declaration, bare DOCTYPE, PIs and comments */
		"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\" "
		    "standalone='yes'?>\n<!DOCTYPE ObjectEvent>\n<!-- c -->"
		    "<?p?>\n<ObjectEvent><action>\xc3\xa9\xe2\x82\xac"
		    "\xf0\x9f\x92\x8a</action></ObjectEvent>\n<!-- d -->\n",
		/* 1.2 wrappers and lines */
		"<ObjectEvent>\n<baseExtension>\n<eventID>e</eventID>\n"
		    "</baseExtension>\n<extension><ilmd xmlns:cbvmda="
		    "\"urn:epcglobal:cbv:mda\"><cbvmda:lotNumber>L"
		    "</cbvmda:lotNumber></ilmd></extension></ObjectEvent>",
		/* EventList/extension/TransformationEvent, nested events */
		DOC("<extension><TransformationEvent><transformationID>t"
		    "</transformationID></TransformationEvent></extension>"),
		/*
		 * runs of sibling leaves (the scanner takes "<epc>" after an
		 * </epc> as the next leaf): broken by a space in the tag, an
		 * attribute, a reference, a comment, a multi-line text, an
		 * empty element and another name; lines must agree
		 */
		"<ObjectEvent><epcList>\n <epc>a</epc><epc>b</epc>\n\t<epc>c"
		    "</epc>\n <epc >d</epc> <epc>e</epc><epc x='1'>f</epc>"
		    "<epc>g&amp;h</epc><epc>i</epc><!-- c --><epc>j</epc>"
		    "<epc>k\nl</epc>\n<epc>m</epc><epc/><epc>n</epc><epcs>o"
		    "</epcs><epc>p</epc>\n</epcList><action>ADD</action>"
		    "<epcList><epc>q</epc><epc>r</epc></epcList>"
		    "</ObjectEvent>",
		"<ObjectEvent xmlns:x=\"urn:x\"><x:e>1</x:e><x:e>2</x:e>"
		    "<x:e xmlns:x=\"urn:y\">3</x:e><x:e>4</x:e></ObjectEvent>",
		/*
		 * white space between leaves of a run: LFs, TABs and spaces,
		 * shorter and longer than sixteen bytes, several LFs in
		 * sixteen bytes; then a line number must still agree
		 */
		DOC("<ObjectEvent><epcList><epc>1</epc>\n\n\t \n<epc>2</epc>"
		    "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n<epc>3</epc>"
		    "\n                         \n   \n<epc>4</epc>\n\n\n\n"
		    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n<epc>5</epc> \n \n "
		    "\n \n \n \n \n \n<epc>6</epc>\n <!-- c -->\n<epc>7"
		    "</epc>\n\n</epcList>\n\n<action>ADD</action>"
		    "</ObjectEvent>\n<ObjectEvent/>"),
		/* the same between other tags: LFs, TABs, more than 16 */
		DOC("\n\n\n<ObjectEvent>\n\n\n\t\t<epcList>\n \n \n \n "
		    "\n \n \n \n \n \n<epc>1</epc>\n\n\n</epcList>\t\t\t\t"
		    "\t\t\t\t\t\t\t\t\t\t\t\t\t<readPoint>\n\n\n\n\n<id>x"
		    "</id>\n\n\n</readPoint>\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
		    "\n\n\n\n\n</ObjectEvent>\n\n\n\n<ObjectEvent/>\n\n\n"),
		/*
		 * long leaf texts (sixteen bytes at a time) with what ends
		 * the plain run at other offsets: a reference, a TAB, ']',
		 * non-ASCII, a line end
		 */
		"<ObjectEvent><epcList><epc>urn:epc:id:sgtin:0312345.067890.1"
		    "</epc><epc>urn:epc:id:sgtin:0&amp;312345.067890.2</epc>"
		    "<epc>urn:epc:id:sgtin:03123\t45.067890.3</epc><epc>urn:"
		    "epc:id:sgtin:0312345.0678]90.4</epc><epc>urn:epc:id:sgtin:"
		    "0312345.067890.\xc3\xa9</epc><epc>urn:epc:id:sgtin:0312345"
		    ".067890.5\nurn:epc:id:sgtin:0312345.067890.6</epc><epc>urn:"
		    "epc:id:sgtin:0312345.067890.7&lt;</epc></epcList>"
		    "</ObjectEvent>",
	};
	struct diag d;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "agree row %zu", i);
		TEST_INT_EQ(i, both(what, docs[i], strlen(docs[i]), &d) > 0, 1);
	}
}

static void
test_refuse(void)
{
	static const char *const docs[] = {
		"<ObjectEvent><a></b></ObjectEvent>",
		"<ObjectEvent><a b='1' b='2'/></ObjectEvent>",
		"<ObjectEvent xmlns:x='urn:x' xmlns:y='urn:x'><a x:b='1' "
		    "y:b='2'/></ObjectEvent>",
		"<ObjectEvent><x:a/></ObjectEvent>",
		"<ObjectEvent><a x:b='1'/></ObjectEvent>",
		"<ObjectEvent xmlns:x=''/>",
		"<ObjectEvent><a b='<'/></ObjectEvent>",
		"<ObjectEvent><a b=c/></ObjectEvent>",
		"<ObjectEvent><a>]]></a></ObjectEvent>",
		"<ObjectEvent><a>&nope;</a></ObjectEvent>",
		"<ObjectEvent><a>&#0;</a></ObjectEvent>",
		"<ObjectEvent><a>&#xD800;</a></ObjectEvent>",
		"<ObjectEvent><a>& b</a></ObjectEvent>",
		"<ObjectEvent><a>\x01</a></ObjectEvent>",
		"<ObjectEvent><a>\xc0\xaf</a></ObjectEvent>",
		"<ObjectEvent><a>\xed\xa0\x80</a></ObjectEvent>",
		"<ObjectEvent><a>\xef\xbf\xbe</a></ObjectEvent>",
		"<ObjectEvent><!-- a -- b --></ObjectEvent>",
		"<ObjectEvent><?xml version='1.0'?></ObjectEvent>",
		" <?xml version='1.0'?><ObjectEvent/>",
		"<ObjectEvent/><ObjectEvent/>",
		"<ObjectEvent/>x",
		"x<ObjectEvent/>",
		"<ObjectEvent>",
		"<ObjectEvent><a",
		"<ObjectEvent><1a/></ObjectEvent>",
		"<ObjectEvent><a:/></ObjectEvent>",
		"<ObjectEvent xmlns:xml='urn:x'/>",
		"<ObjectEvent xmlns:xmlns='urn:x'/>",
		"<ObjectEvent xmlns:a='http://www.w3.org/XML/1998/namespace'/>",
		"<ObjectEvent xmlns:a='a b'/>",
		"<ObjectEvent xmlns:a='http://h:1:2'/>",
		"<ObjectEvent xmlns:a='http://h:/x'/>",
		"<ObjectEvent><![CDATA[x</ObjectEvent>",
		"<!DOCTYPE ObjectEvent [<!ENTITY a 'b'>]><ObjectEvent/>",
		"<!DOCTYPE ObjectEvent SYSTEM 'x.dtd'><ObjectEvent/>",
		"<ObjectEvent/><!DOCTYPE ObjectEvent>",
		"",
		/* errors in the second and later leaves of a run */
		"<ObjectEvent><epc>a</epc><epc>b</epx></ObjectEvent>",
		"<ObjectEvent><epc>a</epc><epc>b\x01</epc></ObjectEvent>",
		"<ObjectEvent><epc>a</epc><epc>b]]></epc></ObjectEvent>",
		"<ObjectEvent><epc>a</epc><epc>b</epc><epc>c</epc",
		"<ObjectEvent><epc>a</epc><epc>b</epc><epc>c",
		"<ObjectEvent><epc>a</epc><epc>\xc0\xaf</epc></ObjectEvent>",
		"<ObjectEvent><epc>a</epc><epc>urn:epc:id:sgtin:0312345.0678"
		    "\x01</epc></ObjectEvent>",
		"<ObjectEvent><epc>a</epc><epc>urn:epc:id:sgtin:0312345.0678]]>"
		    "</epc></ObjectEvent>",
		"<ObjectEvent><epc>a</epc><epc>urn:epc:id:sgtin:0312345.0678"
		    "\xed\xa0\x80</epc></ObjectEvent>",
	};
	struct diag d;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "refuse row %zu", i);
		TEST_INT_EQ(i, both(what, docs[i], strlen(docs[i]), &d), -1);
		TEST_INT_EQ(i, d.kind, DIAG_INPUT);
	}
}

/*
 * Values as libxml2's tree gave them (xmlNodeGetContent, trimmed): white
 * space between tags counts once text came before it (epcis_int.h).
 */
static void
test_values(void)
{
	static const struct {
		const char	*doc, *action;
	} cases[] = {
		{ "<ObjectEvent><action>a<x/> <y/>b</action></ObjectEvent>",
		  "a b" },
		{ "<ObjectEvent><action><x>a</x> <y/>b</action></ObjectEvent>",
		  "a b" },
		{ "<ObjectEvent><action> <x/> <y/>b </action></ObjectEvent>",
		  "b" },
		{ "<ObjectEvent><action>a<!-- --> <!-- -->b</action>"
		  "</ObjectEvent>", "a b" },
		{ "<ObjectEvent><action>a<![CDATA[ ]]>b</action></ObjectEvent>",
		  "a b" },
		{ "<ObjectEvent><action>\n  ADD\n</action></ObjectEvent>",
		  "ADD" },
		{ "<ObjectEvent><action>  </action></ObjectEvent>", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int x = 0; x < 2; x++) {
			struct epcis_read_opts o = EPCIS_READ_OPTS_INIT;
			struct epcis_reader *r = NULL;
			struct epcis_event ev;
			struct diag d = DIAG_INIT;

			o.libxml2 = x == 1;
			o.xml = &epcis_read_libxml2;
			CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r,
			    cases[i].doc, strlen(cases[i].doc), "v", &o, &d), 0);
			TEST_INT_EQ(i, epcis_reader_next(r, &ev, &d), 1);
			TEST_STR_EQ(i, ev.action, cases[i].action);
			epcis_reader_free(r);
		}
	}
}

/* A document in chunks of every size reads the same as in one piece. */
static void
test_chunks(void)
{
	char path[1024];
	FILE *f;
	struct epcis_reader *r;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	char first[EPCIS_HASH_ID_MAX] = "", last[EPCIS_HASH_ID_MAX] = "";
	int n = 0;

	snprintf(path, sizeof(path), "%s/tests/data/epcis/examples/dscsa-1.2/"
	    "GS1_US_Pharma_Example_2_2_1_1.xml", top());
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* a one-byte stdio buffer: the scanner gets short reads */
	setvbuf(f, NULL, _IONBF, 0);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open(&r, f, "chunks", NULL, &d), 0);
	while (epcis_reader_next(r, &ev, &d) == 1) {
		if (n++ == 0)
			memcpy(first, ev.hash_id, sizeof(first));
		memcpy(last, ev.hash_id, sizeof(last));
	}
	TEST_INT_EQ(0, d.kind, DIAG_OK);
	CU_ASSERT(n > 1);
	CU_ASSERT(strncmp(first, "ni:///sha-256;", 14) == 0);
	CU_ASSERT(strcmp(first, last) != 0);
	epcis_reader_free(r);
	fclose(f);
}

/*
 * A document of many sibling leaves through a FILE (the scanner's 64 KB
 * buffer refills inside runs of them, at every offset the lengths
 * below make) reads the same as in memory, and as libxml2 reads it.
 */
static void
test_leaf_runs(void)
{
	struct epcis_buf doc = { NULL, 0, 0, false };
	struct epcis_read_opts o = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *rf, *rm;
	struct epcis_event ef, em;
	struct diag d = DIAG_INIT, dm = DIAG_INIT;
	FILE *f;
	int n = 0, rc;

	epcis_buf_adds(&doc, "<epcis:EPCISDocument xmlns:epcis=\"urn:"
	    "epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\"><EPCISBody>"
	    "<EventList>\n");
	for (int ev = 0; ev < 60; ev++) {
		char line[128];

		epcis_buf_adds(&doc, "<ObjectEvent><eventTime>2026-12-01T08:00:"
		    "00Z</eventTime><eventTimeZoneOffset>+00:00"
		    "</eventTimeZoneOffset><epcList>\n");
		/* serials of 1 to 17 characters, indentation of 0 to 12 */
		for (int i = 0; i < 100 + ev; i++) {
			snprintf(line, sizeof(line), "%*s<epc>urn:epc:id:sgtin:"
			    "0312345.067890.%.*s</epc>%s", (ev + i) % 13, "",
			    1 + (ev * 7 + i) % 17, "S0123456789ABCDEFG",
			    i % 5 == 0 ? "" : "\n");
			epcis_buf_adds(&doc, line);
		}
		epcis_buf_adds(&doc, "</epcList><action>ADD</action><bizStep>"
		    "urn:epcglobal:cbv:bizstep:commissioning</bizStep>"
		    "</ObjectEvent>\n");
	}
	epcis_buf_adds(&doc, "</EventList></EPCISBody></epcis:EPCISDocument>"
	    "\n");
	CU_ASSERT_FATAL(!doc.failed && doc.len > 3 * 65536);
	TEST_INT_EQ(0, both("leaf runs", doc.data, doc.len, &d), 60);

	f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(fwrite(doc.data, 1, doc.len, f), doc.len);
	rewind(f);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open(&rf, f, "runs", &o, &d), 0);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&rm, doc.data, doc.len,
	    "runs", &o, &dm), 0);
	while ((rc = epcis_reader_next(rf, &ef, &d)) == 1) {
		TEST_INT_EQ(n, epcis_reader_next(rm, &em, &dm), 1);
		TEST_INT_EQ(n, ef.nepc, em.nepc);
		TEST_INT_EQ(n, ef.nepc, (size_t)(100 + n));
		TEST_INT_EQ(n, ef.line, em.line);
		TEST_STR_EQ(n, ef.hash_id, em.hash_id);
		n++;
	}
	TEST_INT_EQ(0, rc, 0);
	TEST_INT_EQ(0, n, 60);
	TEST_INT_EQ(0, epcis_reader_next(rm, &em, &dm), 0);
	epcis_reader_free(rf);
	epcis_reader_free(rm);
	fclose(f);
	epcis_buf_free(&doc);
}

/*
 * An event over max_event_bytes is refused at the same leaf however the
 * document comes (memory or a FILE: the reader bounds the
 * scanner's offset by the bytes it fetched), and one just under is read;
 * with and without the fields.
 */
static void
test_event_limit(void)
{
	struct epcis_buf doc = { NULL, 0, 0, false };
	size_t lim[2];

	epcis_buf_adds(&doc, "<epcis:EPCISDocument xmlns:epcis=\"urn:"
	    "epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\"><EPCISBody>"
	    "<EventList>\n<ObjectEvent><action>ADD</action></ObjectEvent>\n"
	    "<ObjectEvent><epcList>\n");
	for (int i = 0; i < 2000; i++) {
		char line[96];

		snprintf(line, sizeof(line), "  <epc>urn:epc:id:sgtin:0312345."
		    "067890.S%06d</epc>\n", i);
		epcis_buf_adds(&doc, line);
	}
	epcis_buf_adds(&doc, "</epcList></ObjectEvent>\n</EventList>"
	    "</EPCISBody></epcis:EPCISDocument>\n");
	CU_ASSERT_FATAL(!doc.failed);
	lim[0] = 50000;		/* the second event is ~100 KB: refused */
	lim[1] = 200000;	/* read */
	for (int l = 0; l < 2; l++)
		for (int m = 0; m < 4; m++) {
			struct epcis_read_opts o = EPCIS_READ_OPTS_INIT;
			struct epcis_reader *r = NULL;
			struct epcis_event ev;
			struct diag d = DIAG_INIT;
			FILE *f = NULL;
			int n = 0, rc;
			size_t row = (size_t)(l * 4 + m);

			o.max_event_bytes = lim[l];
			o.no_fields = m >= 2;
			o.no_canon = m >= 2;
			if (m % 2 == 0)
				rc = epcis_reader_open_mem(&r, doc.data,
				    doc.len, "t", &o, &d);
			else {
				f = tmpfile();
				CU_ASSERT_PTR_NOT_NULL_FATAL(f);
				CU_ASSERT_EQUAL_FATAL(fwrite(doc.data, 1,
				    doc.len, f), doc.len);
				rewind(f);
				rc = epcis_reader_open(&r, f, "t", &o, &d);
			}
			TEST_INT_EQ(row, rc, 0);
			while ((rc = epcis_reader_next(r, &ev, &d)) == 1)
				n++;
			if (l == 0) {
				TEST_INT_EQ(row, n, 1);
				TEST_INT_EQ(row, rc, -1);
				TEST_INT_EQ(row, d.kind, DIAG_INPUT);
				TEST_STR_EQ(row, d.msg,
				    "event larger than 50000 bytes");
				/* where the limit was passed: the same line */
				TEST_INT_EQ(row, d.line, 948);
			} else {
				TEST_INT_EQ(row, n, 2);
				TEST_INT_EQ(row, rc, 0);
			}
			epcis_reader_free(r);
			if (f != NULL)
				fclose(f);
		}
	epcis_buf_free(&doc);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "every data document, both front ends", test_all_data },
		{ "XML corners read the same", test_agree },
		{ "not well-formed refused by both", test_refuse },
		{ "values as libxml2's tree gave them", test_values },
		{ "short reads", test_chunks },
		{ "runs of sibling leaves across refills", test_leaf_runs },
		{ "the event size limit, every input", test_event_limit },
		{ NULL, NULL },
	};

	return test_run("epcis_scan", tests);
}
