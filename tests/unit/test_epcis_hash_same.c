/*
 * The short cuts of `dscsa-epcis hash` and `canon` give the same bytes as
 * the long way.  The reader without the event fields (no_fields) builds a
 * leaner tree (white space between tags left out) and the scanner hands
 * <name>text</name> over in one call (epcis_scan.c, leaf()); neither may
 * change a canonical form, a pre-hash string, a hash id, an error or its
 * line.  Compared, event by event, over every file of tests/data/epcis and
 * of the fuzz corpora, and over generated documents that put leaves
 * across the scanner's 64 KB refills and every case leaf() must refuse:
 *
 *  - the scanner with the fields (the configuration of `read`, and of the
 *    ledger) against the scanner without them: everything equal;
 *  - the scanner without the fields against libxml2's SAX2 front end
 *    (which never takes the short cuts of the scanner): the events both
 *    deliver are equal, as fuzz_epcis_scan checks with the fields;
 *  - the scanner with the fields against the scanner for the pre-hash
 *    alone (no fields, no canonical form: `dscsa-epcis hash`, whose tree
 *    holds the text of a leaf in the leaf): the same events, errors,
 *    pre-hashes, hash ids and lines.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>

#include "epcis.h"
#include "testutil.h"

#define MAX_EVENTS	4096

struct run {
	size_t		 n;		/* events delivered */
	char		*canon[MAX_EVENTS];
	size_t		 canon_len[MAX_EVENTS];
	char		*prehash[MAX_EVENTS];
	char		 hash[MAX_EVENTS][EPCIS_HASH_ID_MAX];
	unsigned long	 line[MAX_EVENTS];
	int		 rc;		/* the last epcis_reader_next() */
	struct diag	 d;
};

static struct run runs[4];
static size_t files, events;

static const char *
top(void)
{
	const char *t = getenv("TOP");

	return t != NULL && t[0] != '\0' ? t : ".";
}

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->canon[i]);
		free(r->prehash[i]);
	}
	r->n = 0;
}

static char *
dup_bytes(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * mode 0: scanner with fields; 1: scanner without; 2: libxml2 SAX2; 3:
 * the scanner for the pre-hash alone (no fields, no canonical form: the
 * configuration of `dscsa-epcis hash`, whose tree has compact leaves)
 */
static void
read_all(const unsigned char *doc, size_t len, int mode, struct run *r)
{
	struct epcis_read_opts o = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *rd = NULL;
	struct epcis_event ev;
	FILE *f;

	run_free(r);
	r->d = (struct diag)DIAG_INIT;
	o.no_fields = mode == 1 || mode == 3;
	o.no_canon = mode == 3;
	if (mode == 2) {
		o.libxml2 = true;
		o.xml = &epcis_read_libxml2;
	}
	/* through a FILE, so that the scanner refills as it does on files */
	f = fmemopen((void *)(size_t)doc, len, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	r->rc = epcis_reader_open(&rd, f, "t.xml", &o, &r->d);
	if (r->rc == 0) {
		while ((r->rc = epcis_reader_next(rd, &ev, &r->d)) == 1 &&
		    r->n < MAX_EVENTS) {
			size_t i = r->n++;

			r->canon[i] = dup_bytes(ev.canon, ev.canon_len);
			r->canon_len[i] = ev.canon_len;
			r->prehash[i] = dup_bytes(ev.prehash, ev.prehash_len);
			memcpy(r->hash[i], ev.hash_id, sizeof(r->hash[i]));
			r->line[i] = ev.line;
		}
	}
	epcis_reader_free(rd);
	fclose(f);
}

static int
same_event(const struct run *a, const struct run *b, size_t i)
{
	return a->canon_len[i] == b->canon_len[i] &&
	    memcmp(a->canon[i], b->canon[i], a->canon_len[i]) == 0 &&
	    strcmp(a->prehash[i], b->prehash[i]) == 0 &&
	    strcmp(a->hash[i], b->hash[i]) == 0 && a->line[i] == b->line[i];
}

static void
compare(const char *name, const unsigned char *doc, size_t len)
{
	struct run *full = &runs[0], *lean = &runs[1], *sax = &runs[2];
	struct run *hash = &runs[3];
	size_t both;

	for (int m = 0; m < 4; m++)
		read_all(doc, len, m, &runs[m]);
	if (full->n != hash->n || full->rc != hash->rc ||
	    full->d.kind != hash->d.kind || full->d.line != hash->d.line ||
	    strcmp(full->d.msg, hash->d.msg) != 0) {
		fprintf(stderr, "%s: with fields %zu events, rc %d; for the "
		    "pre-hash alone %zu, rc %d\n", name, full->n, full->rc,
		    hash->n, hash->rc);
		CU_FAIL("pre-hash alone: different events or errors");
	} else
		for (size_t i = 0; i < hash->n; i++)
			if (strcmp(full->prehash[i], hash->prehash[i]) != 0 ||
			    strcmp(full->hash[i], hash->hash[i]) != 0 ||
			    full->line[i] != hash->line[i]) {
				fprintf(stderr, "%s: event %zu differs for the "
				    "pre-hash alone\n", name, i + 1);
				CU_FAIL("pre-hash alone: different bytes");
			}
	files++;
	events += lean->n;
	if (full->n != lean->n || full->rc != lean->rc ||
	    full->d.kind != lean->d.kind || full->d.line != lean->d.line ||
	    strcmp(full->d.msg, lean->d.msg) != 0) {
		fprintf(stderr, "%s: with fields %zu events, rc %d, %lu: %s; "
		    "without %zu events, rc %d, %lu: %s\n", name, full->n,
		    full->rc, full->d.line, full->d.msg, lean->n, lean->rc,
		    lean->d.line, lean->d.msg);
		CU_FAIL("fields or not: different events or errors");
		return;
	}
	for (size_t i = 0; i < lean->n; i++)
		if (!same_event(full, lean, i)) {
			fprintf(stderr, "%s: event %zu differs without fields\n",
			    name, i + 1);
			CU_FAIL("fields or not: different bytes");
		}
	both = lean->n < sax->n ? lean->n : sax->n;
	for (size_t i = 0; i < both; i++)
		if (!same_event(lean, sax, i)) {
			fprintf(stderr, "%s: event %zu differs from libxml2's\n",
			    name, i + 1);
			CU_FAIL("scanner without fields and libxml2 differ");
		}
	/* libxml2 is the laxer: what it reads in full, the scanner may not */
	if (sax->rc == 0 && lean->rc == 0 && sax->n != lean->n)
		CU_FAIL("scanner and libxml2: different event counts");
}

static void
walk(const char *dir, bool xml_only)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	while ((de = readdir(dp)) != NULL) {
		char path[1024];
		struct stat st;
		size_t nl = strlen(de->d_name), len;
		unsigned char *doc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, xml_only);
			continue;
		}
		if (xml_only && (nl < 4 || strcmp(de->d_name + nl - 4,
		    ".xml") != 0))
			continue;
		doc = test_slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		compare(path, doc, len);
		free(doc);
	}
	closedir(dp);
}

static void
test_files(void)
{
	static const struct {
		const char	*dir;
		bool		 xml_only;
	} dirs[] = {
		{ "tests/data/epcis", true },
		{ "tests/fuzz/corpus/epcis", false },
		{ "tests/fuzz/corpus/epcis_scan", false },
	};
	char path[1024];

	files = events = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", top(), dirs[i].dir);
		walk(path, dirs[i].xml_only);
	}
	/* the data are there, and they have events */
	CU_ASSERT(files >= 100);
	CU_ASSERT(events >= 100);
}

/*
 * Event bodies ('@' is the event's number), each repeated through a
 * document long enough that leaves fall across the 64 KB refills: leaves
 * as leaf() takes them and every case it must hand back to the long way.
 */
static const char *const bodies[] = {
	/* plain leaves, indented; line ends inside text and end tags */
	"<epcList>\n  <epc>urn:epc:id:sgtin:0312345.067890.A@</epc>\n"
	"  <epc>urn:epc:id:sgtin:0312345.067890.B@\n</epc\n>\n"
	"  <epc>\turn:epc:id:sgtin:0312345.067890.C@ </epc >\n</epcList>",
	/* white space only, short and long; empty; self-closing */
	"<epcList><epc>   </epc><epc></epc><epc/><epc>\n\n</epc>"
	"<epc>                                                              "
	"                                                                  "
	"              </epc><epc>urn:epc:id:sgtin:0312345.067890.@</epc>"
	"</epcList>",
	/* references, CR, ']', non-ASCII, CDATA, comments, PIs */
	"<epcList><epc>a&amp;b@</epc><epc>c\r\nd</epc><epc>e]f</epc>"
	"<epc>caf\xc3\xa9</epc><epc><![CDATA[g]]></epc><epc>h<!--x-->i</epc>"
	"<epc>j<?p q?></epc></epcList>",
	/* white space between tags next to comments, CDATA and text */
	"<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>\n"
	"<readPoint>x<!--c-->  <id>urn:epc:id:sgln:0312345.00000.@</id>"
	"  <!--d-->  </readPoint>\n<bizLocation> <![CDATA[ y ]]> <id>z</id>"
	"</bizLocation>\n<dscsa:note xmlns:dscsa=\"https://dscsa-tools.org/"
	"ns/1\">k</dscsa:note><dscsa:n2 xmlns:dscsa=\"https://dscsa-tools"
	".org/ns/1\"> <dscsa:a>1</dscsa:a> <dscsa:b>2 </dscsa:b> "
	"</dscsa:n2><dscsa:n3 xmlns:dscsa=\"https://dscsa-tools.org/ns/1\">"
	"a<!--c--> <!--d-->b <?p?> <![CDATA[c]]></dscsa:n3>",
	/* mixed content, attributes, prefixes, extension wrappers */
	"<p:q xmlns:p=\"urn:x\">v@</p:q><extension><ilmd><cbvmda:lotNumber"
	" xmlns:cbvmda=\"urn:epcglobal:cbv:mda\">L1</cbvmda:lotNumber>"
	"</ilmd></extension><m>a<n>b</n> <o>c</o> d</m>"
	"<bizTransactionList><bizTransaction type=\"urn:epcglobal:cbv:btt:"
	"po\">urn:epcglobal:cbv:bt:0312345000001:@</bizTransaction>"
	"</bizTransactionList>",
};

/* body into doc at *len, each '@' replaced by i */
static void
put_body(char *doc, size_t *len, size_t cap, const char *body, size_t i)
{
	for (const char *p = body; *p != '\0'; p++)
		if (*p == '@')
			*len += (size_t)snprintf(doc + *len, cap - *len, "%zu",
			    i);
		else if (*len + 1 < cap)
			doc[(*len)++] = *p;
}

static void
test_generated(void)
{
	static const char head[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" "
	    "schemaVersion=\"1.2\" creationDate=\"2026-12-01T08:00:00Z\">\n"
	    "<EPCISBody><EventList>\n";
	static const char tail[] = "</EventList></EPCISBody>"
	    "</epcis:EPCISDocument>\n";
	size_t cap = 1 << 20;
	char *doc = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
		size_t len = 0;
		char name[32];

		len += (size_t)snprintf(doc + len, cap - len, "%s", head);
		for (size_t i = 0; len < 200000 && i < 3000; i++) {
			len += (size_t)snprintf(doc + len, cap - len,
			    "<ObjectEvent>\n<eventTime>2026-12-01T08:00:%02zu.%03zuZ"
			    "</eventTime>\n<eventTimeZoneOffset>+00:00"
			    "</eventTimeZoneOffset>\n", i % 60, i % 1000);
			put_body(doc, &len, cap, bodies[b], i);
			len += (size_t)snprintf(doc + len, cap - len,
			    "\n<action>ADD</action>\n</ObjectEvent>\n");
		}
		len += (size_t)snprintf(doc + len, cap - len, "%s", tail);
		CU_ASSERT_FATAL(len < cap);
		snprintf(name, sizeof(name), "generated %zu", b);
		compare(name, (const unsigned char *)doc, len);
		CU_ASSERT(runs[1].rc == 0 && runs[1].n > 100);
		/* cut short: the same error at the same line */
		compare(name, (const unsigned char *)doc, len * 2 / 3);
		CU_ASSERT(runs[1].rc == -1 && runs[1].d.kind == DIAG_INPUT);
	}
	free(doc);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "test data and corpora, four ways", test_files },
		{ "generated documents across refills", test_generated },
		{ NULL, NULL },
	};
	int rc = test_run("epcis_hash_same", tests);

	for (int m = 0; m < 4; m++)
		run_free(&runs[m]);
	return rc;
}
