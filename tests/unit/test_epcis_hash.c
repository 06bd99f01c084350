/*
 * Unit tests of the CBV 2.0 event hash id (libcommon/epcis_hash.c): every
 * XML row of tests/data/epcis/hash/expected-hashes.tsv (published vectors of
 * RalphTro/epcis-event-hash-generator and computed DSCSA ones), the
 * pre-hash strings byte for byte against the .prehashes files, and tables
 * for the value canonisation (EPC URI to Digital Link, numbers, times).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Line `n` (1-based) of a file into buf, without the newline; -1 if none. */
static int
file_line(const char *path, unsigned long n, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	unsigned long i = 0;
	int rc = -1;

	if (f == NULL)
		return -1;
	while (fgets(buf, (int)cap, f) != NULL)
		if (++i == n) {
			buf[strcspn(buf, "\n")] = '\0';
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

/* Row `row`: the one event of `doc` has the pre-hash `want`. */
static void
check_prehash(size_t row, const char *doc, const char *want)
{
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;

	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, doc, strlen(doc), "t",
	    NULL, &d), 0);
	TEST_INT_EQ(row, epcis_reader_next(r, &ev, &d), 1);
	TEST_STR_EQ(row, ev.prehash, want);
	epcis_reader_free(r);
}

static void
test_vectors(void)
{
	char path[1024], line[1024], file[512], want[128];
	static char pre[1 << 16];
	unsigned long rows = 0, row = 0;
	FILE *tsv;

	snprintf(path, sizeof(path), "%s/tests/data/epcis/hash/expected-hashes.tsv",
	    top());
	tsv = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tsv);
	while (fgets(line, sizeof(line), tsv) != NULL) {
		unsigned long idx;
		struct epcis_reader *r = NULL;
		struct epcis_event ev;
		struct diag d = DIAG_INIT;
		unsigned long k = 0;
		FILE *f;
		int rc;

		row++;
		if (row == 1 || sscanf(line, "%511s %lu %127s", file, &idx,
		    want) != 3)
			continue;
		if (strstr(file, ".xml") == NULL)
			continue;		/* JSON-LD is not read */
		snprintf(path, sizeof(path), "%s/tests/data/epcis/hash/%s",
		    top(), file);
		f = fopen(path, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL_FATAL(epcis_reader_open(&r, f, file, NULL, &d), 0);
		while ((rc = epcis_reader_next(r, &ev, &d)) == 1)
			if (++k == idx)
				break;
		if (rc != 1) {
			char msg[600];

			fprintf(stderr, "row %lu (%s event %lu): %s\n", row, file,
			    idx, diag_format(&d, msg, sizeof(msg)));
			CU_FAIL("event not read");
		} else {
			snprintf(path, sizeof(path),
			    "%s/tests/data/epcis/hash/%s.prehashes", top(), file);
			CU_ASSERT_EQUAL(file_line(path, idx, pre, sizeof(pre)), 0);
			TEST_STR_EQ(row, ev.prehash, pre);
			TEST_STR_EQ(row, ev.hash_id, want);
			rows++;
		}
		epcis_reader_free(r);
		fclose(f);
	}
	fclose(tsv);
	/* 14 DSCSA and "identical" rows + 36 published XML rows */
	TEST_INT_EQ(0, (long long)rows, 50);
}

static void
test_dl_normalise(void)
{
	static const struct {
		const char	*in, *want;	/* want NULL: no DL form */
	} cases[] = {
		{ "urn:epc:id:sgtin:0614141.107346.2017",
		    "https://id.gs1.org/01/10614141073464/21/2017" },
		{ "urn:epc:id:sgtin:030001.0012345.11",
		    "https://id.gs1.org/01/00300010123455/21/11" },
		{ "urn:epc:id:sgtin:0614141.107346.A%2FB(1)",
		    "https://id.gs1.org/01/10614141073464/21/A%2FB%281%29" },
		{ "urn:epc:id:sscc:4012345.0000000111",
		    "https://id.gs1.org/00/040123450000001112" },
		{ "urn:epc:id:sscc:0300011.1234567890",
		    "https://id.gs1.org/00/103000112345678900" },
		{ "urn:epc:id:sgln:4012345.00011.987",
		    "https://id.gs1.org/414/4012345000115/254/987" },
		{ "urn:epc:id:sgln:030001.111111.0",
		    "https://id.gs1.org/414/0300011111116" },
		{ "urn:epc:id:pgln:4000001.98765",
		    "https://id.gs1.org/417/4000001987658" },
		{ "urn:epc:class:lgtin:4012345.012345.998877",
		    "https://id.gs1.org/01/04012345123456/10/998877" },
		{ "urn:epc:idpat:sgtin:030001.0012345.*",
		    "https://id.gs1.org/01/00300010123455" },
		{ "urn:epc:id:giai:4000001.111",
		    "https://id.gs1.org/8004/4000001111" },
		{ "urn:epc:id:gdti:4012345.55555.1234",
		    "https://id.gs1.org/253/40123455555541234" },
		{ "https://example.com/01/9780345418913/21/765tz?11=221109",
		    "https://id.gs1.org/01/09780345418913/21/765tz" },
		{ "https://id.gs1.org/01/09780345418913/10/L1/21/S1",
		    "https://id.gs1.org/01/09780345418913/21/S1" },
		{ "urn:epc:id:sgtin:0614141.10734.2017", NULL },	/* short */
		{ "urn:epcglobal:cbv:bt:0300011111215:DEL100", NULL },
		{ "geo:47.506694,11.104301", NULL },
		{ "https://example.com/no/key", NULL },
	};
	char buf[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = epcis_dl_normalise(cases[i].in, strlen(cases[i].in),
		    buf, sizeof(buf));

		if (cases[i].want == NULL)
			TEST_INT_EQ(i, (long long)n, 0);
		else {
			TEST_INT_EQ(i, (long long)n, (long long)strlen(cases[i].want));
			TEST_STR_EQ(i, n > 0 ? buf : "", cases[i].want);
		}
	}
}

/*
 * Runs of SGTINs in one epcList: the pre-hash reuses the Digital Link
 * start of the previous SGTIN when the company prefix and item reference
 * are the same bytes; every serial must still be checked on its own, and
 * a change of prefix must not reuse it.
 */
static void
test_sgtin_runs(void)
{
#define SG	"urn:epc:id:sgtin:"
#define DL	"epc=https://id.gs1.org/01/"
	static const struct {
		const char	*epcs[6];
		const char	*want;
	} cases[] = {
		{ { SG "0614141.107346.2017", SG "0614141.107346.A%2FB(1)",
		    SG "0614141.107346.X12345678901234567890",
		    SG "0614141.107346.bad/char", SG "0614141.107346.%2",
		    SG "0614141.107346.X1234567890123456789" },
		  DL "10614141073464/21/2017" DL "10614141073464/21/A%2FB%281%29"
		  DL "10614141073464/21/X1234567890123456789"
		  "epc=" SG "0614141.107346.%2"
		  "epc=" SG "0614141.107346.X12345678901234567890"
		  "epc=" SG "0614141.107346.bad/char" },
		{ { SG "0614141.107346.1", SG "061414.1107346.1",
		    SG "0614141.107346.2" },
		  DL "10614141073464/21/1" DL "10614141073464/21/1"
		  DL "10614141073464/21/2" },
		{ { SG "030001.0012345.11", SG "0614141.107346.2017",
		    SG "030001.0012345.12", SG "030001.0012345.1:2" },
		  DL "00300010123455/21/1%3A2" DL "00300010123455/21/11"
		  DL "00300010123455/21/12" DL "10614141073464/21/2017" },
		{ { SG "0614141.10734.2017", SG "0614141.10734.2018",
		    SG "0614141.107346." },
		  "epc=" SG "0614141.10734.2017" "epc=" SG "0614141.10734.2018"
		  "epc=" SG "0614141.107346." },
	};
#undef SG
#undef DL

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[2048], want[2048];
		size_t o;

		o = (size_t)snprintf(doc, sizeof(doc), "<ObjectEvent>"
		    "<eventTime>2020-01-01T00:00:00Z</eventTime><epcList>");
		for (size_t k = 0; k < 6 && cases[i].epcs[k] != NULL; k++)
			o += (size_t)snprintf(doc + o, sizeof(doc) - o,
			    "<epc>%s</epc>", cases[i].epcs[k]);
		snprintf(doc + o, sizeof(doc) - o, "</epcList></ObjectEvent>");
		snprintf(want, sizeof(want), "eventType=ObjectEvent"
		    "eventTime=2020-01-01T00:00:00.000ZepcList%s", cases[i].want);
		check_prehash(i, doc, want);
	}
}

/* The rule names' precomputed flags are what the names say. */
static void
test_name_flags(void)
{
	TEST_INT_EQ(0, epcis_prehash_selfcheck(), 0);
}

/* Values through a one-field event: <x:v> is a user extension, hashed last. */
static void
test_value_canon(void)
{
	static const struct {
		const char	*value, *want;
	} cases[] = {
		{ "26.0", "26" },
		{ "+1e3", "1000" },
		{ "0.10", "0.1" },
		{ "00123", "123" },
		{ "1_000", "1000" },
		{ "1e-05", "1e-05" },
		{ "12.5e1", "125" },
		{ "1.", "1" },
		{ "nan", "nan" },
		{ "1e", "1e" },
		{ "A123", "A123" },
		{ "gs1:Temperature", "https://gs1.org/voc/Temperature" },
		{ "urn:epcglobal:cbv:disp:active", "https://ref.gs1.org/cbv/Disp-active" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[1024], want[512];

		snprintf(doc, sizeof(doc), "<ObjectEvent xmlns:x=\"urn:x\">"
		    "<eventTime>2020-01-01T00:00:00Z</eventTime>"
		    "<x:v> %s </x:v></ObjectEvent>", cases[i].value);
		snprintf(want, sizeof(want), "eventType=ObjectEvent"
		    "eventTime=2020-01-01T00:00:00.000Z{urn:x}v=%s",
		    cases[i].want);
		check_prehash(i, doc, want);
	}
}

static void
test_time_canon(void)
{
	static const struct {
		const char	*value, *want;
	} cases[] = {
		{ "2020-03-04T11:00:30.000+01:00", "2020-03-04T10:00:30.000Z" },
		{ "2020-03-04T11:00:30+01:00", "2020-03-04T10:00:30.000Z" },
		{ "2020-01-01T00:30:00-05:30", "2020-01-01T06:00:00.000Z" },
		{ "2020-01-01T00:30:00+01:00", "2019-12-31T23:30:00.000Z" },
		{ "2020-03-01T00:00:00+00:01", "2020-02-29T23:59:00.000Z" },
		{ "2021-01-01T00:00:03.1415Z", "2021-01-01T00:00:03.142Z" },
		{ "2021-01-01T00:00:03.1414Z", "2021-01-01T00:00:03.141Z" },
		{ "2021-01-01T00:00:03.1425Z", "2021-01-01T00:00:03.142Z" },
		{ "2021-01-01T00:00:03.9995Z", "2021-01-01T00:00:04.000Z" },
		{ "2021-12-31T23:59:59.9999Z", "2022-01-01T00:00:00.000Z" },
		{ "2021-01-01T12:00Z", "2021-01-01T12:00:00.000Z" },
		{ "not a time", "not a time" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[1024], want[512];

		snprintf(doc, sizeof(doc), "<ObjectEvent><eventTime>%s"
		    "</eventTime></ObjectEvent>", cases[i].value);
		snprintf(want, sizeof(want), "eventType=ObjectEventeventTime=%s",
		    cases[i].want);
		check_prehash(i, doc, want);
	}
}

/* Event i of the document of test_cache(): names and values that vary. */
static void
cache_event(struct epcis_buf *b, int i)
{
	char t[2048];

	snprintf(t, sizeof(t), "<ObjectEvent><eventTime>2026-12-01T08:00:%02d."
	    "000+0%d:00</eventTime><eventTimeZoneOffset>+0%d:00"
	    "</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:03123%d5."
	    "0678%d0.S%d</epc><epc>urn:epc:id:sgtin:03123%d5.0678%d0.S%d</epc>"
	    "<epc>urn:epc:id:sscc:0312345.%010d</epc><epc>urn:epc:id:sgtin:"
	    "0312345.067890.S%d</epc></epcList><action>%s</action><bizStep>"
	    "urn:epcglobal:cbv:bizstep:step%d</bizStep><disposition>"
	    "urn:epcglobal:cbv:disp:%s</disposition><readPoint><id>"
	    "urn:epc:id:sgln:0312345.%05d.0</id></readPoint><bizLocation><id>"
	    "https://id.gs1.org/414/0312345000005</id></bizLocation>"
	    "<extension><ilmd><cbvmda:lotNumber>L%d</cbvmda:lotNumber>"
	    "<cbvmda:itemExpirationDate>2027-01-%02d"
	    "</cbvmda:itemExpirationDate></ilmd></extension>"
	    "<x%d:e%d xmlns:x%d=\"urn:ext:%d/\">%d.%d0</x%d:e%d><q:n>%d</q:n>"
	    "<q:v>%0300d</q:v></ObjectEvent>\n",
	    i % 60, i % 3, i % 3, i % 3, i % 4, i, i % 3, i % 4, i + 1, i,
	    i * 7, i % 2 ? "ADD" : "OBSERVE", i % 70,
	    i % 5 ? "active" : "in_progress", i % 90, i % 7, 1 + i % 28,
	    i % 80, i % 80, i % 80, i % 80, i, i % 10, i % 80, i % 80, i % 9,
	    i % 4);
	epcis_buf_adds(b, t);
}

/*
 * The reader keeps what one event's pre-hash learns for the next (names,
 * values, the SGTIN prefix; emptied when full).  Every event of a
 * document whose names and values come and go (more of them than the
 * cache keeps, values longer than it keeps) has the pre-hash it has alone
 * in a document, read by a new reader.
 */
static void
test_cache(void)
{
	static const char head[] = "<epcis:EPCISDocument xmlns:epcis=\"urn:"
	    "epcglobal:epcis:xsd:1\" xmlns:cbvmda=\"urn:epcglobal:cbv:mda\" "
	    "xmlns:q=\"urn:q/\" schemaVersion=\"1.2\"><EPCISBody>"
	    "<EventList>\n";
	static const char tail[] = "</EventList></EPCISBody>"
	    "</epcis:EPCISDocument>\n";
	struct epcis_buf doc = { NULL, 0, 0, false };
	struct epcis_reader *r = NULL;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	int n;

	epcis_buf_adds(&doc, head);
	for (int i = 0; i < 300; i++)
		cache_event(&doc, i);
	epcis_buf_adds(&doc, tail);
	CU_ASSERT_FATAL(!doc.failed);
	CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r, doc.data, doc.len,
	    "cache", NULL, &d), 0);
	for (n = 0; epcis_reader_next(r, &ev, &d) == 1; n++) {
		struct epcis_buf one = { NULL, 0, 0, false };
		struct epcis_reader *r1 = NULL;
		struct epcis_event e1;
		struct diag d1 = DIAG_INIT;

		epcis_buf_adds(&one, head);
		cache_event(&one, n);
		epcis_buf_adds(&one, tail);
		CU_ASSERT_FATAL(!one.failed);
		CU_ASSERT_EQUAL_FATAL(epcis_reader_open_mem(&r1, one.data,
		    one.len, "one", NULL, &d1), 0);
		TEST_INT_EQ((size_t)n, epcis_reader_next(r1, &e1, &d1), 1);
		TEST_STR_EQ((size_t)n, ev.prehash, e1.prehash);
		TEST_STR_EQ((size_t)n, ev.hash_id, e1.hash_id);
		epcis_reader_free(r1);
		epcis_buf_free(&one);
	}
	TEST_INT_EQ(0, d.kind, DIAG_OK);
	TEST_INT_EQ(0, n, 300);
	epcis_reader_free(r);
	epcis_buf_free(&doc);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "published and computed vectors", test_vectors },
		{ "EPC URI and Digital Link normalisation", test_dl_normalise },
		{ "runs of SGTINs in one list", test_sgtin_runs },
		{ "flags of the rule names", test_name_flags },
		{ "value canonisation", test_value_canon },
		{ "time canonisation", test_time_canon },
		{ "the cache across events changes no pre-hash", test_cache },
		{ NULL, NULL },
	};

	return test_run("epcis_hash", tests);
}
