/*
 * Unit tests of libcommon/epc: Table A-1 escaping both ways, URI -> element
 * string, element string -> URI with fixed and file-given company prefix
 * lengths (longest match), the prefix-file loader's errors, and a random
 * round trip.  Vectors: EPC TDS 1.13 examples as collected in the research
 * note (GS1 check digits recomputed by hand).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "epc.h"
#include "gs1.h"
#include "testutil.h"

static void
test_escape(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "6789", "6789" },
		{ "\"%&/<>?", "%22%25%26%2F%3C%3E%3F" },
		{ "!'()*+,-.:;=_", "!'()*+,-.:;=_" },
		{ "6789/&%\"!?()", "6789%2F%26%25%22!%3F()" },
		{ "aZ09", "aZ09" },
		{ "", "" },
		{ " #", "%20%23" },	/* not CSET 82: escaped all the same */
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = epc_escape(cases[i].in, strlen(cases[i].in), buf,
		    sizeof(buf));

		TEST_STR_EQ(i, buf, cases[i].want);
		TEST_INT_EQ(i, n, strlen(cases[i].want));
	}
	/* Too small: never overflows, says so. */
	TEST_INT_EQ(0, epc_escape("%%", 2, buf, 6), (size_t)-1);
	TEST_INT_EQ(1, epc_escape("%%", 2, buf, 7), 6);
	TEST_INT_EQ(2, epc_escape("ab", 2, buf, 2), (size_t)-1);
}

static void
test_unescape(void)
{
	static const struct {
		const char	*marked;	/* |..| marks the blamed bytes */
		const char	*want;		/* NULL: error */
	} cases[] = {
		{ "6789%2F%26%25%22!%3F()", "6789/&%\"!?()" },
		{ "%2f%3c", "/<" },		/* either hex case */
		{ "%41BC", "ABC" },		/* needless escapes decode */
		{ "!'()*+,-.:;=_", "!'()*+,-.:;=_" },
		{ "AB|%2|", NULL },
		{ "AB|%|", NULL },
		{ "|%G1|X", NULL },
		{ "A|/|B", NULL },		/* Table A-1: must be escaped */
		{ "A|&|", NULL },
		{ "|?|", NULL },
		{ "|\"|", NULL },
		{ "A| |B", NULL },		/* not CSET 82 at all */
	};
	char in[64], buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off, len, eo = 99, el = 99, n;

		CU_ASSERT_EQUAL_FATAL(test_unmark(cases[i].marked, in,
		    sizeof(in), &off, &len), 0);
		n = epc_unescape(in, strlen(in), buf, sizeof(buf), &eo, &el);
		if (cases[i].want != NULL) {
			TEST_INT_EQ(i, n, strlen(cases[i].want));
			TEST_STR_EQ(i, buf, cases[i].want);
		} else {
			TEST_INT_EQ(i, n, (size_t)-1);
			TEST_INT_EQ(i, eo, off);
			TEST_INT_EQ(i, el, len);
		}
	}
	/* Does not fit: blamed on nothing, (size_t)-1. */
	TEST_INT_EQ(0, epc_unescape("ABCD", 4, buf, 4, NULL, NULL), (size_t)-1);
	TEST_INT_EQ(1, epc_unescape("ABC", 3, buf, 4, NULL, NULL), 3);
}

static int
render_bracketed(const struct gs1_msg *m, char *buf, size_t cap)
{
	struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
	struct diag d = DIAG_INIT;

	return gs1_render(m, GS1_FORM_BRACKETED, &ro, buf, cap, NULL, &d);
}

static void
test_parse_uri(void)
{
	static const struct {
		const char	*uri;
		const char	*want;	/* bracketed, or the error message */
	} cases[] = {
		{ "urn:epc:id:sgtin:0614141.812345.6789",
		    "[01]80614141123458[21]6789" },
		{ "urn:epc:id:sscc:0614141.1234567890",
		    "[00]106141412345678908" },
		{ "urn:epc:id:sgln:0614141.12345.5678",
		    "[414]0614141123452[254]5678" },
		{ "urn:epc:id:sgln:0614141.12345.0", "[414]0614141123452" },
		{ "urn:epc:class:lgtin:4012345.012345.998877",
		    "[01]04012345123456[10]998877" },
		{ "urn:epc:id:sgtin:4012345.011111.987",
		    "[01]04012345111118[21]987" },
		{ "urn:epc:id:sgtin:0312345.067890.SER456",
		    "[01]00312345678906[21]SER456" },
		{ "urn:epc:id:sgtin:030002.0143380.100",
		    "[01]00300021433802[21]100" },
		{ "urn:epc:id:sgtin:0312345.567890.7",
		    "[01]50312345678901[21]7" },
		{ "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
		    "[01]80614141123458[21]6789/&%\"!?()" },
		{ "urn:epc:id:sgtin:0614141.812345.67.89",	/* '.' is literal */
		    "[01]80614141123458[21]67.89" },
		{ "urn:epc:id:sgtin:061414112345.8.1",
		    "[01]80614141123458[21]1" },
		{ "urn:epc:id:sgln:061414112345..0", "[414]0614141123452" },
		/* Errors. */
		{ "urn:epc:id:sgtin:0614141.81234.6789", "EPC URI: company "
		    "prefix and item reference must have 13 digits: "
		    "urn:epc:id:sgtin:|0614141.81234|.6789" },
		{ "urn:epc:id:sgtin:06141.8123456.6789", "EPC URI: the GS1 "
		    "Company Prefix must have 6 to 12 digits: "
		    "urn:epc:id:sgtin:|06141|.8123456.6789" },
		{ "urn:epc:id:sgtin:0614141812345", "EPC URI: expected '.' "
		    "after the GS1 Company Prefix: "
		    "urn:epc:id:sgtin:0614141812345||" },
		{ "urn:epc:id:sgtin:0614141.812345", "EPC URI: expected '.' "
		    "after the item reference: "
		    "urn:epc:id:sgtin:0614141.812345||" },
		{ "urn:epc:id:sgtin:0614141.812345.", "EPC URI: empty "
		    "component: urn:epc:id:sgtin:0614141.812345.||" },
		{ "urn:epc:id:sgtin:0614141.812345.a/b", "EPC URI: character "
		    "must be %-escaped (TDS Table A-1): "
		    "urn:epc:id:sgtin:0614141.812345.a|/|b" },
		{ "urn:epc:id:sgtin:0614141.812345.%zz", "EPC URI: '%' not "
		    "followed by two hex digits: "
		    "urn:epc:id:sgtin:0614141.812345.|%zz|" },
		{ "urn:epc:id:sscc:0614141.1234567890.1", "EPC URI: unexpected "
		    "text after the serial reference: "
		    "urn:epc:id:sscc:0614141.1234567890|.1|" },
		{ "urn:epc:id:sscc:0614141.123456789", "EPC URI: company "
		    "prefix and serial reference must have 17 digits: "
		    "urn:epc:id:sscc:|0614141.123456789|" },
		{ "urn:epc:id:sgln:0614141.1234.0", "EPC URI: company prefix "
		    "and location reference must have 12 digits: "
		    "urn:epc:id:sgln:|0614141.1234|.0" },
		{ "urn:epc:id:sgln:0614141.12345", "EPC URI: expected '.' "
		    "after the location reference: "
		    "urn:epc:id:sgln:0614141.12345||" },
		{ "urn:epc:id:grai:0614141.12345.400", "EPC URI: not an "
		    "SGTIN, SSCC, SGLN or LGTIN URI: "
		    "|urn:epc:id:grai:0614141.12345.|400" },
		{ "urn:epc:class:lgtin:4012345.012345.123456789012345678901",
		    NULL },	/* lot of 21: gs1's message */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_msg *m = malloc(sizeof(*m));
		struct diag d = DIAG_INIT;
		char buf[256];
		int rc;

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		rc = epc_parse_uri(m, gs1_table_embedded(), cases[i].uri,
		    strlen(cases[i].uri), &d);
		if (cases[i].want != NULL && cases[i].want[0] == '[') {
			TEST_INT_EQ(i, rc, 0);
			if (rc == 0) {
				CU_ASSERT_EQUAL(render_bracketed(m, buf,
				    sizeof(buf)), 0);
				TEST_STR_EQ(i, buf, cases[i].want);
			} else
				TEST_STR_EQ(i, d.msg, "");
		} else {
			TEST_INT_EQ(i, rc, -1);
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
			if (cases[i].want != NULL)
				TEST_STR_EQ(i, d.msg, cases[i].want);
		}
		TEST_INT_EQ(i, epc_is_uri(cases[i].uri, strlen(cases[i].uri)),
		    1);
		free(m);
	}
	CU_ASSERT_FALSE(epc_is_uri("urn:epc:tag:sgtin-96:1.0614141.812345.6789",
	    40));
	CU_ASSERT_FALSE(epc_is_uri("[01]", 4));
}

static const char gcp_file_text[] =
    "# GCP lengths for the tests\n"
    "0312345 7\n"
    "03000\t6\n"
    "0614141  7   # trailing comment\n"
    "\n"
    "4012345 7\n"
    "40123 9\n"
    "0 12\r\n";

static char tmpdir[64];

static const char *
write_tmp(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_epc.XXXXXX");
		if (mkdtemp(tmpdir) == NULL)
			CU_FAIL_FATAL("mkdtemp");
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f == NULL)
		CU_FAIL_FATAL("fopen");
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_render_uri(void)
{
	static const struct {
		const char	*in;
		unsigned	 gcp;		/* 0: the GCP file */
		enum epc_scheme	 scheme;
		const char	*want;		/* URI or error message */
	} cases[] = {
		{ "[01]80614141123458[21]6789", 7, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:0614141.812345.6789" },
		{ "[00]106141412345678908", 7, EPC_SCHEME_AUTO,
		    "urn:epc:id:sscc:0614141.1234567890" },
		{ "[414]0614141123452[254]5678", 7, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgln:0614141.12345.5678" },
		{ "[414]0614141123452", 7, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgln:0614141.12345.0" },
		{ "[01]04012345123456[10]998877", 7, EPC_SCHEME_AUTO,
		    "urn:epc:class:lgtin:4012345.012345.998877" },
		{ "[01]00312345678906[17]271231[10]LOT123[21]SER456", 7,
		    EPC_SCHEME_AUTO, "urn:epc:id:sgtin:0312345.067890.SER456" },
		{ "[01]00312345678906[17]271231[10]LOT123[21]SER456", 7,
		    EPC_SCHEME_LGTIN, "urn:epc:class:lgtin:0312345.067890.LOT123" },
		{ "[01]00300021433802[21]100", 6, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:030002.0143380.100" },
		{ "[01]50312345678901[21]7", 7, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:0312345.567890.7" },
		{ "[01]80614141123458[21]6789/&%\"!?()", 7, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()" },
		{ "[01]80614141123458[21]1", 12, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:061414112345.8.1" },
		/* From the GCP file: longest match wins. */
		{ "[01]00312345678906[21]A", 0, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:0312345.067890.A" },
		{ "[01]00300021433802[21]100", 0, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:030002.0143380.100" },
		{ "[01]04012345111118[21]987", 0, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:4012345.011111.987" },
		{ "[01]04012399111119[21]987", 0, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:401239911.0111.987" },
		{ "[01]00123456789005[21]X", 0, EPC_SCHEME_AUTO,
		    "urn:epc:id:sgtin:012345678900.0.X" },
		/* Errors. */
		{ "[01]09501101530003[21]X", 0, EPC_SCHEME_AUTO,
		    "no GS1 Company Prefix length known for 950110153000" },
		{ "[01]00312345678906[17]271231", 7, EPC_SCHEME_AUTO,
		    "no EPC URI for this element string: it needs (00), (414), "
		    "(01)+(21) or (01)+(10)" },
		{ "[01]00312345678906[21]X", 7, EPC_SCHEME_LGTIN,
		    "an LGTIN URI needs AI (10)" },
		{ "[01]00312345678906[21]X", 7, EPC_SCHEME_SSCC,
		    "an SSCC URI needs AI (00)" },
		{ "[414]0614141123452[254]0", 7, EPC_SCHEME_AUTO,
		    "AI (254) '0' cannot be told apart from no extension in an "
		    "SGLN URI (TDS 6.3.3)" },
	};
	struct epc_gcp *file;
	struct diag d = DIAG_INIT;

	CU_ASSERT_EQUAL_FATAL(epc_gcp_load(&file, write_tmp("gcp.txt",
	    gcp_file_text), &d), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_parse_opts po = GS1_PARSE_OPTS_INIT;
		struct gs1_msg *m = malloc(sizeof(*m));
		struct epc_gcp *fixed = NULL;
		char uri[EPC_URI_MAX];
		size_t n = 0;
		int rc;

		diag_clear(&d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL_FATAL(gs1_parse(m, gs1_table_embedded(),
		    cases[i].in, strlen(cases[i].in), &po, &d), 0);
		if (cases[i].gcp != 0)
			CU_ASSERT_EQUAL_FATAL(epc_gcp_fixed(&fixed,
			    cases[i].gcp, &d), 0);
		rc = epc_render_uri(m, cases[i].scheme, fixed ? fixed : file,
		    uri, sizeof(uri), &n, &d);
		if (strncmp(cases[i].want, "urn:", 4) == 0) {
			TEST_INT_EQ(i, rc, 0);
			TEST_STR_EQ(i, rc == 0 ? uri : d.msg, cases[i].want);
			TEST_INT_EQ(i, n, strlen(cases[i].want));
		} else {
			TEST_INT_EQ(i, rc, -1);
			TEST_STR_EQ(i, d.msg, cases[i].want);
		}
		epc_gcp_free(fixed);
		free(m);
	}
	epc_gcp_free(file);
}

static void
test_gcp_file_errors(void)
{
	static const struct {
		const char	*text;
		unsigned long	 line;
		const char	*want;
	} cases[] = {
		{ "0312345 7\n0312345 6\n", 2, "prefix 0312345 given twice "
		    "(first on line 1)" },
		{ "# c\n03x 7\n", 2, "expected a space after the prefix" },
		{ "0312345 5\n", 1, "expected a length of 6 to 12" },
		{ "0312345 13\n", 1, "expected a length of 6 to 12" },
		{ "0312345 123\n", 1, "expected a length of 6 to 12" },
		{ "0312345\n", 1, "expected a space after the prefix" },
		{ "0312345 7 x\n", 1, "unexpected text after the length" },
		{ "abc 7\n", 1, "expected a prefix of 1 to 12 digits" },
		{ "1234567890123 7\n", 1, "expected a prefix of 1 to 12 "
		    "digits" },
		{ "# only comments\n\n", 0, "no prefixes in the file" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct epc_gcp *g = (struct epc_gcp *)&g;
		struct diag d = DIAG_INIT;
		const char *path = write_tmp("bad.txt", cases[i].text);

		TEST_INT_EQ(i, epc_gcp_load(&g, path, &d), -1);
		CU_ASSERT_PTR_NULL(g);
		TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		TEST_STR_EQ(i, d.msg, cases[i].want);
		TEST_STR_EQ(i, d.where, path);
		TEST_INT_EQ(i, d.line, cases[i].line);
	}
	{
		struct epc_gcp *g;
		struct diag d = DIAG_INIT;

		CU_ASSERT_EQUAL(epc_gcp_load(&g, "/nonexistent/gcp.txt", &d),
		    -1);
		CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
		CU_ASSERT_EQUAL(epc_gcp_fixed(&g, 5, &d), -1);
		CU_ASSERT_EQUAL(epc_gcp_fixed(&g, 13, &d), -1);
	}
}

/* A check digit over random digits, so that each key is valid. */
static void
random_key(char *k, size_t len, unsigned *seed)
{
	for (size_t i = 0; i + 1 < len; i++) {
		*seed = *seed * 1103515245u + 12345u;
		k[i] = (char)('0' + (*seed >> 16) % 10);
	}
	k[len - 1] = gs1_check_digit(k, len - 1);
	k[len] = '\0';
}

static void
test_round_trip(void)
{
	/* CSET 82, so every serial needs some escapes and some not. */
	static const char cset82[] = "!\"%&'()*+,-./0123456789:;<=>?"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
	unsigned seed = 20261201;
	struct gs1_msg *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (int i = 0; i < 2000; i++) {
		static const char *const ais[] = { "01", "00", "414" };
		static const size_t klen[] = { 14, 18, 13 };
		struct diag d = DIAG_INIT;
		struct epc_gcp *g;
		char key[20], val[21], uri[EPC_URI_MAX], ra[256], rb[256];
		int kind = i % 4 == 3 ? 0 : i % 3;
		size_t vlen;

		random_key(key, klen[kind], &seed);
		seed = seed * 1103515245u + 12345u;
		vlen = 1 + (seed >> 16) % 20;
		for (size_t k = 0; k < vlen; k++) {
			seed = seed * 1103515245u + 12345u;
			val[k] = cset82[(seed >> 16) % (sizeof(cset82) - 1)];
		}
		if (kind == 2 && vlen == 1 && val[0] == '0')
			val[0] = 'X';
		gs1_msg_init(a, gs1_table_embedded());
		CU_ASSERT_EQUAL_FATAL(gs1_msg_add(a, ais[kind], key,
		    klen[kind], &d), 0);
		if (kind != 1)
			CU_ASSERT_EQUAL_FATAL(gs1_msg_add(a, kind == 2 ? "254" :
			    i % 4 == 3 ? "10" : "21", val, vlen, &d), 0);
		CU_ASSERT_EQUAL_FATAL(epc_gcp_fixed(&g, 6 + (unsigned)i % 7,
		    &d), 0);
		if (epc_render_uri(a, EPC_SCHEME_AUTO, g, uri, sizeof(uri),
		    NULL, &d) != 0 ||
		    epc_parse_uri(b, gs1_table_embedded(), uri, strlen(uri),
		    &d) != 0) {
			TEST_STR_EQ((size_t)i, d.msg, "");
			epc_gcp_free(g);
			break;
		}
		render_bracketed(a, ra, sizeof(ra));
		render_bracketed(b, rb, sizeof(rb));
		TEST_STR_EQ((size_t)i, rb, ra);
		epc_gcp_free(g);
	}
	free(a);
	free(b);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "Table A-1 escaping", test_escape },
		{ "Table A-1 unescaping", test_unescape },
		{ "URI to element string", test_parse_uri },
		{ "element string to URI", test_render_uri },
		{ "GCP file errors", test_gcp_file_errors },
		{ "random round trip", test_round_trip },
		{ NULL, NULL },
	};
	int rc = test_run("epc", tests);
	char path[128];

	if (tmpdir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/gcp.txt", tmpdir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/bad.txt", tmpdir);
		unlink(path);
		rmdir(tmpdir);
	}
	return rc;
}
