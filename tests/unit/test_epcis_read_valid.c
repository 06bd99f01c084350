/*
 * Unit tests of `read --validate` (libcommon/epcis_read.c, "XSD
 * validation fed by the scanner"): libxml2's XSD validator driven by the
 * own scanner must give the verdicts, messages and lines that libxml2's
 * streaming parser gives it (xmllint --stream --schema; every expected row
 * below was taken from xmllint 2.9.14 on the same document).  The cases aim
 * at what the feed has to get right: namespace declarations of the element
 * itself (xsi:type QNames), '&' in attribute values, CDATA versus text in
 * element-only content, text split by comments, error lines of start tags,
 * attributes and end tags, and the cap on text pieces.  Each case is
 * read from memory, from a file and from a pipe fed 3 bytes at a time.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "epcis.h"
#include "testutil.h"

#define HEAD	"<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" " \
		"schemaVersion=\"2.0\" creationDate=\"2026-12-01T00:00:00Z\">" \
		"<EPCISBody><EventList>"
#define EV	"<ObjectEvent><eventTime>2026-12-01T00:00:00Z</eventTime>" \
		"<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>" \
		"<action>ADD</action>"
#define TAIL	"</EventList></EPCISBody></epcis:EPCISDocument>\n"
#define XSD_NS	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
#define XSI_NS	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "

static const char *
top(void)
{
	const char *t = getenv("TOP");

	return t != NULL && t[0] != '\0' ? t : ".";
}

static const struct {
	const char	*doc;
	int		 events;	/* events read before the end or error */
	enum diag_kind	 kind;		/* DIAG_OK: valid */
	unsigned long	 line;
	const char	*msg;		/* a part of the message */
} cases[] = {
	{ HEAD "\n" EV "</ObjectEvent>\n" TAIL, 1, DIAG_OK, 0, "" },
	/* white space text in element-only content is fine, CDATA is not */
	{ HEAD "\n \n" EV "</ObjectEvent>" TAIL, 1, DIAG_OK, 0, "" },
	{ HEAD "<![CDATA[ ]]>" EV "</ObjectEvent>" TAIL, 0, DIAG_VERIFY, 1,
	  "Element 'EventList': Character content other than whitespace" },
	/* '&' in attribute values, and a literal "&#38;" */
	{ HEAD EV "<bizTransactionList><bizTransaction type=\"urn:x:a&amp;b\">"
	  "urn:x:1</bizTransaction></bizTransactionList></ObjectEvent>" TAIL,
	  1, DIAG_OK, 0, "" },
	{ HEAD EV "<bizTransactionList><bizTransaction "
	  "type=\"urn:x:a&amp;#38;b\">urn:x:1</bizTransaction>"
	  "</bizTransactionList></ObjectEvent>" TAIL, 1, DIAG_OK, 0, "" },
	/* xsi:type resolved through a declaration on the element itself */
	{ HEAD EV "<x:n xmlns:x=\"urn:x\" " XSD_NS XSI_NS "xsi:type=\"xsd:int\">"
	  "12</x:n></ObjectEvent>" TAIL, 1, DIAG_OK, 0, "" },
	{ HEAD EV "<x:n xmlns:x=\"urn:x\" " XSD_NS XSI_NS "xsi:type=\"xsd:int\">"
	  "abc</x:n></ObjectEvent>" TAIL, 0, DIAG_VERIFY, 1,
	  "'abc' is not a valid value of the atomic type 'xs:int'" },
	{ HEAD EV "<x:n xmlns:x=\"urn:x\" " XSI_NS "xsi:type=\"xsd:int\">"
	  "12</x:n></ObjectEvent>" TAIL, 0, DIAG_VERIFY, 1,
	  "has no corresponding namespace declaration in scope" },
	/* ... and through one on an ancestor, popped with it */
	{ "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" "
	  XSD_NS XSI_NS "schemaVersion=\"2.0\" "
	  "creationDate=\"2026-12-01T00:00:00Z\"><EPCISBody><EventList>"
	  EV "<x:n xmlns:x=\"urn:x\" xsi:type=\"xsd:int\">12</x:n>"
	  "</ObjectEvent>" TAIL, 1, DIAG_OK, 0, "" },
	{ HEAD EV "<x:m xmlns:x=\"urn:x\" " XSD_NS "/><x:n xmlns:x=\"urn:x\" "
	  XSI_NS "xsi:type=\"xsd:int\">12</x:n></ObjectEvent>" TAIL, 0,
	  DIAG_VERIFY, 1, "has no corresponding namespace declaration" },
	/* text split by a comment is one value */
	{ HEAD "\n<ObjectEvent><eventTime>2026-12-01T00:00:00Z</eventTime>\n"
	  "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
	  "<action>AD<!-- c -->D</action></ObjectEvent>" TAIL, 1, DIAG_OK, 0,
	  "" },
	/* lines: an end tag, an attribute, a missing child */
	{ HEAD "\n<ObjectEvent><eventTime>2026-12-01T00:00:00Z</eventTime>\n"
	  "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
	  "<action>\nCREATE</action></ObjectEvent>" TAIL, 0, DIAG_VERIFY, 5,
	  "Element 'action': [facet 'enumeration']" },
	{ HEAD "\n<ObjectEvent><eventTime>2026-12-01T00:00:00Z</eventTime>\n"
	  "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
	  "<action>ADD</action>\n<bizStep\n\nfoo=\"1\">x</bizStep>"
	  "</ObjectEvent>" TAIL, 0, DIAG_VERIFY, 7,
	  "attribute 'foo': The attribute 'foo' is not allowed" },
	{ HEAD "\n" EV "\n</ObjectEvent>\n<ObjectEvent>\n</ObjectEvent>" TAIL,
	  1, DIAG_VERIFY, 5, "Missing child element(s). Expected is "
	  "( eventTime )" },
	/*
	 * <name>text</name> in one scanner call (v_leaf): the lines of its
	 * text and end tag count for the validator's errors at its end and
	 * for the next element's
	 */
	{ HEAD "\n" EV "<bizStep>a</bizStep\n\n><action>ADD</action>"
	  "</ObjectEvent>" TAIL, 0, DIAG_VERIFY, 4,
	  "Element 'action': This element is not expected" },
	{ HEAD "\n<ObjectEvent><eventTime>2026-12-01T00:00:00Z</eventTime>"
	  "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
	  "<action>CREATE\n\n</action\n>\n</ObjectEvent>" TAIL, 0,
	  DIAG_VERIFY, 5, "Element 'action': [facet 'enumeration']" },
	{ HEAD "\n<ObjectEvent><eventTime>2026-12-01T00:00:00Z</eventTime>"
	  "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
	  "<action>CREATE</action\n\n>\n</ObjectEvent>" TAIL, 0,
	  DIAG_VERIFY, 4, "Element 'action': [facet 'enumeration']" },
	{ HEAD "\n<ObjectEvent><eventTime>2026-12-01T00:00:00Z</eventTime>"
	  "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n<epcList>\n"
	  "<epc>urn:a</epc>\n<foo>x</foo>\n</epcList><action>ADD</action>"
	  "</ObjectEvent>" TAIL, 0, DIAG_VERIFY, 5,
	  "Element 'foo': This element is not expected. Expected is ( epc )" },
	{ HEAD "<x>1\n</x>" TAIL, 0, DIAG_VERIFY, 1,
	  "Element 'x': This element is not expected" },
	/* an event the validator refuses at its end is not delivered */
	{ HEAD EV "<bizStep>a</bizStep><action>ADD</action></ObjectEvent>"
	  TAIL, 0, DIAG_VERIFY, 1, "This element is not expected" },
	/* well-formedness comes first, from the scanner */
	{ HEAD EV "</ObjectEvent>", 1, DIAG_INPUT, 1, "not well-formed" },
	/* the reader's own refusal of the root comes before the validator's */
	{ "<epcis:EPCISDocumentX xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\">"
	  "<EPCISBody/></epcis:EPCISDocumentX>", 0, DIAG_INPUT, 1,
	  "not an EPCIS document" },
	/* a bare event cannot be validated */
	{ EV "</ObjectEvent>", 0, DIAG_INPUT, 0, "cannot validate" },
};

enum from { FROM_MEM, FROM_FILE, FROM_PIPE };

/*
 * doc as a FILE: a temporary file, or a pipe that a child process feeds
 * 3 bytes at a time (*pid), so that reads come back short.
 */
static FILE *
doc_file(const char *doc, enum from from, pid_t *pid)
{
	size_t len = strlen(doc);
	struct timespec pause = { 0, 50000 };
	FILE *f;
	int p[2];

	*pid = -1;
	if (from == FROM_FILE) {
		if ((f = tmpfile()) == NULL || fwrite(doc, 1, len, f) != len ||
		    fseek(f, 0, SEEK_SET) != 0)
			return NULL;
		return f;
	}
	if (pipe(p) != 0)
		return NULL;
	if ((*pid = fork()) == 0) {
		close(p[0]);
		for (size_t o = 0; o < len; o += 3) {
			if (write(p[1], doc + o, len - o < 3 ? len - o : 3) < 0)
				_exit(1);
			nanosleep(&pause, NULL);
		}
		_exit(0);
	}
	close(p[1]);
	return *pid > 0 ? fdopen(p[0], "r") : NULL;
}

/*
 * Row i: doc ("v.xml") read with --validate from memory, a file or a
 * pipe gives `events` events, then the end (kind DIAG_OK) or an error of
 * that kind, at that line (0: any) and with msg in its message.
 */
static void
check_doc(size_t i, const char *doc, enum from from, int events,
    enum diag_kind kind, unsigned long line, const char *msg)
{
	struct epcis_read_opts o = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	char dir[1024], got[700];
	FILE *f = NULL;
	pid_t pid = -1;
	int rc, n = 0, st;

	snprintf(dir, sizeof(dir), "%s/schemas", top());
	o.validate = true;
	o.xml = &epcis_read_libxml2;
	o.schema_dir = dir;
	if (from == FROM_MEM)
		rc = epcis_reader_open_mem(&r, doc, strlen(doc), "v.xml", &o,
		    &d);
	else {
		f = doc_file(doc, from, &pid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		rc = epcis_reader_open(&r, f, "v.xml", &o, &d);
	}
	if (rc == 0) {
		while ((rc = epcis_reader_next(r, &ev, &d)) == 1)
			n++;
	}
	TEST_INT_EQ(i, n, events);
	TEST_INT_EQ(i, rc, kind == DIAG_OK ? 0 : -1);
	TEST_INT_EQ(i, d.kind, kind);
	if (kind != DIAG_OK) {
		if (line != 0)
			TEST_INT_EQ(i, (long long)d.line, (long long)line);
		diag_format(&d, got, sizeof(got));
		if (strstr(got, msg) == NULL)
			fprintf(stderr, "row %zu: message '%s'\n", i, got);
		CU_ASSERT(strstr(got, msg) != NULL);
		CU_ASSERT(strncmp(got, "v.xml", 5) == 0);
	}
	epcis_reader_free(r);
	if (f != NULL)
		fclose(f);	/* the writer may be left with EPIPE */
	if (pid > 0)
		CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
}

static void
test_verdicts(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (enum from f = FROM_MEM; f <= FROM_PIPE; f++)
			check_doc(i, cases[i].doc, f, cases[i].events,
			    cases[i].kind, cases[i].line, cases[i].msg);
}

/*
 * Long event lists: the validator is run anew every 256 events of the
 * EventList of an EPCISDocument or an EPCISQueryDocument (epcis_xml.c,
 * v_split()), told again what came before the list but the EPCISHeader.
 * The verdicts and lines must be those of one run (xmllint 2.9.14 --stream
 * on the same documents, with the query XSD for the query document):
 * namespace declarations of EventList and of the root still resolve
 * xsi:type QNames after the new runs, the root's attributes and the
 * query's queryName and subscriptionID (with a reference) are told again,
 * and what is wrong in the middle, in the last event or after the list is
 * still found.  Event i (from 0) is on line i + 2.
 */
#define LONG_EVENTS	778	/* three new runs and some */

static char *
long_doc(bool query, size_t bad, const char *bad_ev, const char *last_ev,
    const char *after)
{
	static const char head[] = "<epcis:EPCISDocument "
	    "xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" " XSI_NS
	    "schemaVersion=\"2.0\" creationDate=\"2026-12-01T00:00:00Z\">"
	    "<EPCISBody><EventList " XSD_NS "xmlns:x=\"urn:x\">\n";
	/* a query result: the EPCISHeader is left out of the new runs */
	static const char qhead[] = "<q:EPCISQueryDocument "
	    "xmlns:q=\"urn:epcglobal:epcis-query:xsd:2\" " XSI_NS
	    "schemaVersion=\"2.0\" creationDate=\"2026-12-01T00:00:00Z\">"
	    "<EPCISHeader/><EPCISBody><q:QueryResults><queryName>q</queryName>"
	    "<subscriptionID>s &amp; t</subscriptionID><resultsBody>"
	    "<EventList " XSD_NS "xmlns:x=\"urn:x\">\n";
	static const char ev[] = EV "</ObjectEvent>\n";
	size_t cap = sizeof(qhead) + LONG_EVENTS * sizeof(ev) + 1024;
	char *doc = malloc(cap), *p = doc;

	if (doc == NULL)
		return NULL;
	p += snprintf(p, cap, "%s", query ? qhead : head);
	for (size_t i = 0; i < LONG_EVENTS; i++) {
		const char *e = i == bad ? bad_ev :
		    i == LONG_EVENTS - 1 ? last_ev : ev;

		p += snprintf(p, cap - (size_t)(p - doc), "%s", e);
	}
	if (query)
		snprintf(p, cap - (size_t)(p - doc), "</EventList>%s"
		    "</resultsBody></q:QueryResults></EPCISBody>"
		    "</q:EPCISQueryDocument>\n", after);
	else
		snprintf(p, cap - (size_t)(p - doc), "</EventList>%s"
		    "</EPCISBody></epcis:EPCISDocument>\n", after);
	return doc;
}

static void
test_long_lists(void)
{
	static const char ext_int[] = EV "<x:n xsi:type=\"xsd:int\">12</x:n>"
	    "</ObjectEvent>\n";
	static const char ext_bad[] = EV "<x:n xsi:type=\"xsd:int\">abc</x:n>"
	    "</ObjectEvent>\n";
	static const char plain[] = EV "</ObjectEvent>\n";
	static const char foo[] = "<foo/>\n";
	static const struct {
		bool		 query;		/* an EPCISQueryDocument */
		size_t		 bad;		/* event replaced by bad_ev */
		const char	*bad_ev, *last_ev, *after;
		int		 events;
		enum diag_kind	 kind;
		unsigned long	 line;
		const char	*msg;
	} lc[] = {
		{ false, 300, ext_int, ext_int, "", LONG_EVENTS, DIAG_OK, 0,
		  "" },
		{ false, 600, foo, plain, "", 600, DIAG_VERIFY, 602,
		  "Element 'foo': This element is not expected" },
		{ false, 0, plain, ext_bad, "", LONG_EVENTS - 1, DIAG_VERIFY,
		  LONG_EVENTS + 1,
		  "'abc' is not a valid value of the atomic type 'xs:int'" },
		{ false, 0, plain, plain, "<foo/>", LONG_EVENTS, DIAG_VERIFY,
		  LONG_EVENTS + 2, "Element 'foo': This element is not "
		  "expected. Expected is one of ( extension, ##other" },
		{ true, 300, ext_int, ext_int, "", LONG_EVENTS, DIAG_OK, 0,
		  "" },
		{ true, 0, plain, ext_bad, "", LONG_EVENTS - 1, DIAG_VERIFY,
		  LONG_EVENTS + 1,
		  "'abc' is not a valid value of the atomic type 'xs:int'" },
		{ true, 0, plain, plain, "<foo/>", LONG_EVENTS, DIAG_VERIFY,
		  LONG_EVENTS + 2, "Element 'foo': This element is not "
		  "expected." },
	};

	for (size_t i = 0; i < sizeof(lc) / sizeof(lc[0]); i++) {
		char *doc = long_doc(lc[i].query, lc[i].bad, lc[i].bad_ev,
		    lc[i].last_ev, lc[i].after);

		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		check_doc(i, doc, i % 2 == 0 ? FROM_MEM : FROM_FILE,
		    lc[i].events, lc[i].kind, lc[i].line, lc[i].msg);
		free(doc);
	}
}

/*
 * Many CDATA sections in one value: the validator concatenates text
 * pieces in quadratic time, so their number is capped.
 */
static void
test_pieces(void)
{
	static const char piece[] = "<![CDATA[A]]>";
	size_t n = 2000, len = 0;
	char dir[1024];
	char *doc = malloc(sizeof(HEAD) + sizeof(EV) + n * (sizeof(piece) - 1) +
	    sizeof(TAIL) + 64);
	struct epcis_read_opts o = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	snprintf(dir, sizeof(dir), "%s/schemas", top());
	o.validate = true;
	o.xml = &epcis_read_libxml2;
	o.schema_dir = dir;
	len = (size_t)snprintf(doc, 512, "%s%s<x:n xmlns:x=\"urn:x\">", HEAD,
	    EV);
	for (size_t i = 0; i < n; i++) {
		memcpy(doc + len, piece, sizeof(piece) - 1);
		len += sizeof(piece) - 1;
	}
	len += (size_t)snprintf(doc + len, 128, "</x:n></ObjectEvent>%s", TAIL);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, doc, len, "p.xml", &o,
	    &d), 0);
	TEST_INT_EQ(0, epcis_reader_next(r, &ev, &d), -1);
	TEST_INT_EQ(0, d.kind, DIAG_INPUT);
	CU_ASSERT(strstr(d.msg, "pieces") != NULL);
	epcis_reader_free(r);
	/* the same number of pieces without --validate is fine */
	o.validate = false;
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, doc, len, "p.xml", &o,
	    &d), 0);
	TEST_INT_EQ(1, epcis_reader_next(r, &ev, &d), 1);
	epcis_reader_free(r);
	free(doc);
}

/* Validation without libxml2's part handed over is refused, not skipped. */
static void
test_needs_xml(void)
{
	struct epcis_read_opts o = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *r = NULL;
	struct diag d = DIAG_INIT;
	static const char doc[] = HEAD EV "</ObjectEvent>" TAIL;

	o.validate = true;
	TEST_INT_EQ(0, epcis_reader_open_mem(&r, doc, strlen(doc), "x.xml", &o,
	    &d), -1);
	TEST_INT_EQ(0, d.kind, DIAG_SYSTEM);
	CU_ASSERT_PTR_NULL(r);
	o.validate = false;
	o.libxml2 = true;
	diag_clear(&d);
	TEST_INT_EQ(1, epcis_reader_open_mem(&r, doc, strlen(doc), "x.xml", &o,
	    &d), -1);
	TEST_INT_EQ(1, d.kind, DIAG_SYSTEM);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "verdicts and lines as libxml2's parser", test_verdicts },
		{ "text pieces capped", test_pieces },
		{ "long event lists: runs of the validator", test_long_lists },
		{ "validation needs epcis_read_libxml2", test_needs_xml },
		{ NULL, NULL },
	};

	return test_run("epcis_read_valid", tests);
}
