/*
 * Unit tests of libcommon/items: line splitting, comments, attributes and
 * their percent-decoding, every error with its line number, the line cap
 * (reading goes on after a long line), NUL bytes, both read paths (a file
 * descriptor and a stdio-only stream), writing, and the convert loop.
 *
 * Each table row is a whole input and the transcript of reading it: one
 * line per item, "N: bracketed [key=value ...]" or "N: error: message".
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "items.h"
#include "testutil.h"

/* Append to the transcript, cut at cap. */
static void
put(char *out, size_t cap, size_t *o, const char *fmt, ...)
    DIAG_PRINTF(4, 5);

static void
put(char *out, size_t cap, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o + 1 >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *o, cap - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o = *o + (size_t)n < cap ? *o + (size_t)n : cap - 1;
}

/* Read everything from f into a transcript. */
static void
transcript(FILE *f, char *out, size_t cap)
{
	struct items_reader *r;
	struct items_item *it = malloc(sizeof(*it));
	struct diag d = DIAG_INIT;
	struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
	size_t o = 0;
	int rc;

	out[0] = '\0';
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_EQUAL_FATAL(items_reader_open(&r, f, "in.txt", NULL, &d), 0);
	while ((rc = items_next(r, it, &d)) != 0) {
		char buf[1024];

		if (rc < 0) {
			CU_ASSERT_STRING_EQUAL(d.where, "in.txt");
			put(out, cap, &o, "%lu: error: %s\n", d.line, d.msg);
			diag_clear(&d);
			continue;
		}
		CU_ASSERT_EQUAL(gs1_render(&it->msg, GS1_FORM_BRACKETED, &ro,
		    buf, sizeof(buf), NULL, &d), 0);
		put(out, cap, &o, "%lu: %s", it->line, buf);
		for (size_t i = 0; i < it->nattr; i++)
			put(out, cap, &o, " %.*s=%.*s", (int)it->attr[i].klen,
			    it->attr[i].key, (int)it->attr[i].vlen,
			    it->attr[i].val);
		put(out, cap, &o, "\n");
	}
	items_reader_free(r);
	free(it);
}

static const struct {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;
} read_cases[] = {
	{ "[01]00312345678906[21]A1\n", 0, "1: [01]00312345678906[21]A1\n" },
	{ "# comment\n\n   \n\t\n[01]00312345678906[21]A1\n# x\n", 0,
	    "5: [01]00312345678906[21]A1\n" },
	{ "[01]00312345678906[21]A1", 0, "1: [01]00312345678906[21]A1\n" },
	{ "[01]00312345678906[21]A1\r\n(01)00312345678906(21)B2\r\n", 0,
	    "1: [01]00312345678906[21]A1\n2: [01]00312345678906[21]B2\n" },
	{ "[01]00312345678906[21]A1\tpos=A07\toperator=jd\n", 0,
	    "1: [01]00312345678906[21]A1 pos=A07 operator=jd\n" },
	{ "[01]00312345678906[21]A1\tnote=50%25%09tab%0D%0Aend\n", 0,
	    "1: [01]00312345678906[21]A1 note=50%\ttab\r\nend\n" },
	{ "[01]00312345678906[21]A1\tparent=[00]003123450000000017\tx=a=b\n",
	    0, "1: [01]00312345678906[21]A1 parent=[00]003123450000000017 "
	    "x=a=b\n" },
	{ "[01]00312345678906[21]A1\tempty=\n", 0,
	    "1: [01]00312345678906[21]A1 empty=\n" },
	{ "urn:epc:id:sgtin:0312345.067890.A1\tk=v\n", 0,
	    "1: [01]00312345678906[21]A1 k=v\n" },
	{ "]d2010031234567890621A1\n", 0, "1: [01]00312345678906[21]A1\n" },
	/* Errors carry their line; the next line is still read. */
	{ "[01]00312345678906[21]A1\n[01]00312345678907[21]A1\n"
	    "[01]00312345678906[21]A2\n", 0,
	    "1: [01]00312345678906[21]A1\n"
	    "2: error: AI (01): incorrect check digit: (01)0031234567890|7|\n"
	    "3: [01]00312345678906[21]A2\n" },
	{ "[01]00312345678906[21]A1\tfoo\n", 0,
	    "1: error: attribute 'foo' has no '='\n" },
	{ "[01]00312345678906[21]A1\t=v\n", 0,
	    "1: error: attribute with an empty key\n" },
	{ "[01]00312345678906[21]A1\ta=1\t\tb=2\n", 0,
	    "1: error: empty attribute (two TABs in a row, or a TAB at the "
	    "end)\n" },
	{ "[01]00312345678906[21]A1\t\n", 0,
	    "1: error: empty attribute (two TABs in a row, or a TAB at the "
	    "end)\n" },
	{ "[01]00312345678906[21]A1\ta=1\ta=2\n", 0,
	    "1: error: attribute 'a' given twice\n" },
	{ "[01]00312345678906[21]A1\tn%20x=1\n", 0,
	    "1: error: attribute key 'n%20x': only letters, digits and _ - . "
	    ": are allowed\n" },
	{ "[01]00312345678906[21]A1\tk=50%\n", 0,
	    "1: error: attribute 'k': '%' not followed by two hex digits\n" },
	{ "[01]00312345678906[21]A1\tk=%4g\n", 0,
	    "1: error: attribute 'k': '%' not followed by two hex digits\n" },
	{ "[01]00312345678906[21]A1\tk=a\rb\n", 0,
	    "1: error: attribute 'k': raw CR (write %0D)\n" },
	{ "[01]00312345678906[21]A\0\n[01]00312345678906[21]B\n",
	    sizeof("[01]00312345678906[21]A\0\n[01]00312345678906[21]B\n") - 1,
	    "1: error: NUL byte in the line\n"
	    "2: [01]00312345678906[21]B\n" },
	{ "^^\n[00]106141412345678908\n", 0,	/* found by fuzz_items */
	    "1: error: no element strings\n2: [00]106141412345678908\n" },
	{ "urn:epc:id:sgtin:0312345.06789.A1\n", 0,
	    "1: error: EPC URI: company prefix and item reference must have "
	    "13 digits: urn:epc:id:sgtin:|0312345.06789|.A1\n" },
};

static void
test_read_stdio(void)
{
	char got[4096];

	for (size_t i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]);
	    i++) {
		size_t len = read_cases[i].len ? read_cases[i].len :
		    strlen(read_cases[i].in);
		FILE *f = fmemopen((void *)(uintptr_t)read_cases[i].in, len,
		    "r");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		transcript(f, got, sizeof(got));
		TEST_STR_EQ(i, got, read_cases[i].want);
		fclose(f);
	}
}

static void
test_read_fd(void)
{
	char got[4096];

	for (size_t i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]);
	    i++) {
		size_t len = read_cases[i].len ? read_cases[i].len :
		    strlen(read_cases[i].in);
		FILE *f = tmpfile();

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(fwrite(read_cases[i].in, 1, len, f), len);
		fflush(f);
		rewind(f);
		transcript(f, got, sizeof(got));
		TEST_STR_EQ(i, got, read_cases[i].want);
		fclose(f);
	}
}

/* A line of exactly the cap is fine; one byte more is an error; both read on. */
static void
test_line_cap(void)
{
	static const char item[] = "[01]00312345678906[21]A1\tpad=";
	static const size_t extra[] = { 0, 1, 100000, 300000 };
	size_t plen = strlen(item);

	for (size_t row = 0; row < sizeof(extra) / sizeof(extra[0]); row++) {
		size_t body = ITEMS_LINE_MAX - 1 + extra[row];	/* + '\n' */
		char *buf = malloc(body + 64), want[256], *got = malloc(4096);
		FILE *f;

		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		memcpy(buf, item, plen);
		memset(buf + plen, 'x', body - plen);
		memcpy(buf + body, "\n[00]106141412345678908\n", 24);
		f = fmemopen(buf, body + 24, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		transcript(f, got, 4096);
		if (extra[row] == 0)
			TEST_INT_EQ(row, strncmp(got, "1: [01]00312345678906[21]"
			    "A1 pad=xxx", 33), 0);
		else {
			snprintf(want, sizeof(want), "1: error: line longer "
			    "than %d bytes\n2: [00]106141412345678908\n",
			    ITEMS_LINE_MAX);
			TEST_STR_EQ(row, got, want);
		}
		fclose(f);
		free(buf);
		free(got);
	}
}

static void
test_attr_get(void)
{
	static const char in[] = "[01]00312345678906[21]A1\tpos=A07\tn=%25\n";
	FILE *f = fmemopen((void *)(uintptr_t)in, strlen(in), "r");
	struct items_reader *r;
	struct items_item *it = malloc(sizeof(*it));
	struct diag d = DIAG_INIT;
	size_t len = 0;
	const char *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_EQUAL_FATAL(items_reader_open(&r, f, "x", NULL, &d), 0);
	CU_ASSERT_EQUAL_FATAL(items_next(r, it, &d), 1);
	v = items_attr_get(it, "pos", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT(memcmp(v, "A07", 3) == 0);
	v = items_attr_get(it, "n", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(len, 1);
	CU_ASSERT_EQUAL(v[0], '%');
	CU_ASSERT_PTR_NULL(items_attr_get(it, "po", NULL));
	CU_ASSERT_PTR_NULL(items_attr_get(it, "pos2", NULL));
	/* The raw attributes are as written, for pass-through. */
	CU_ASSERT_EQUAL(it->attrs_raw_len, strlen("pos=A07\tn=%25"));
	CU_ASSERT(memcmp(it->attrs_raw, "pos=A07\tn=%25", 13) == 0);
	CU_ASSERT_EQUAL(it->gs1_len, 24);
	CU_ASSERT_EQUAL(items_next(r, it, &d), 0);
	items_reader_free(r);
	free(it);
	fclose(f);
}

static void
test_attr_encode(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "plain", "plain" },
		{ "50%", "50%25" },
		{ "a\tb\rc\nd", "a%09b%0Dc%0Ad" },
		{ "x=y [00]", "x=y [00]" },
		{ "", "" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = items_attr_encode(cases[i].in, strlen(cases[i].in),
		    buf, sizeof(buf));

		TEST_INT_EQ(i, n, strlen(cases[i].want));
		TEST_STR_EQ(i, buf, cases[i].want);
	}
	TEST_INT_EQ(0, items_attr_encode("%", 1, buf, 3), (size_t)-1);
	TEST_INT_EQ(1, items_attr_encode("%", 1, buf, 4), 3);
}

/* What convert writes, and what it reports. */
struct reports {
	char	text[2048];
	size_t	n;
};

static void
collect(void *ctx, const struct diag *d, bool warning)
{
	struct reports *r = ctx;
	char buf[700];

	r->n += (size_t)snprintf(r->text + r->n, sizeof(r->text) - r->n,
	    "%s%s\n", warning ? "warning: " : "", diag_format(d, buf,
	    sizeof(buf)));
}

static void
test_convert(void)
{
	static const char in[] =
	    "(01)00312345678906(17)271231(10)L1(21)A1\tpos=A07\n"
	    "[01]00312345678906[21]A1\n"
	    "[01]00312345678906[17]271231[10]L1[21]A|1\n"
	    "urn:epc:id:sscc:0614141.1234567890\tk=%41\n";
	static const struct {
		bool		 to_epc;
		enum gs1_form	 to;
		enum gs1_profile profile;
		const char	*out;
		const char	*reports;
		unsigned long	 nbad;
	} cases[] = {
		{ false, GS1_FORM_BRACKETED, GS1_PROFILE_GS1,
		    "[01]00312345678906[17]271231[10]L1[21]A1\tpos=A07\n"
		    "[01]00312345678906[21]A1\n"
		    "[00]106141412345678908\tk=%41\n",
		    "in.txt:3: AI (21): character not in CSET 82: "
		    "(21)A|||1\n", 1 },
		{ true, GS1_FORM_BRACKETED, GS1_PROFILE_DSCSA,
		    "urn:epc:id:sgtin:0312345.067890.A1\tpos=A07\n",
		    NULL, 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct items_convert_opts o;
		struct reports rep;
		struct epc_gcp *g;
		struct diag d = DIAG_INIT;
		FILE *f = fmemopen((void *)(uintptr_t)in, strlen(in), "r");
		char *outbuf = NULL;
		size_t outlen = 0;
		FILE *out = open_memstream(&outbuf, &outlen);
		unsigned long nbad = 0;

		memset(&o, 0, sizeof(o));
		memset(&rep, 0, sizeof(rep));
		CU_ASSERT_EQUAL_FATAL(epc_gcp_fixed(&g, 7, &d), 0);
		o.to_epc = cases[i].to_epc;
		o.to = cases[i].to;
		o.gcp = g;
		o.check.profile = cases[i].profile;
		o.check.today.year = 2026;
		o.check.today.month = 12;
		o.check.today.day = 1;
		o.report = collect;
		o.report_ctx = &rep;
		TEST_INT_EQ(i, items_convert_stream(f, "in.txt", out, &o,
		    &nbad, &d), 0);
		fclose(out);
		TEST_STR_EQ(i, outbuf, cases[i].out);
		TEST_INT_EQ(i, nbad, cases[i].nbad);
		if (cases[i].reports != NULL)
			TEST_STR_EQ(i, rep.text, cases[i].reports);
		free(outbuf);
		fclose(f);
		epc_gcp_free(g);
	}
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "read through stdio", test_read_stdio },
		{ "read through a descriptor", test_read_fd },
		{ "line cap", test_line_cap },
		{ "attribute lookup and raw pass-through", test_attr_get },
		{ "attribute encoding", test_attr_encode },
		{ "convert loop", test_convert },
		{ NULL, NULL },
	};

	return test_run("items", tests);
}
