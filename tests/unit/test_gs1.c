/*
 * Unit tests of the gs1 engine: the embedded table, parsing of every input
 * form (strict and lenient), rendering in every output form, round trips,
 * dates (GenSpecs 7.12), validation (pairing rules, DSCSA profile) and the
 * run-time dictionary loader.  Expected strings were worked out by hand
 * from the rules (and checked against the GS1 Syntax Engine's documented
 * outputs in the research note), never produced by this code.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "gs1.h"
#include "gs1_int.h"
#include "testutil.h"

static void
test_table(void)
{
	const struct gs1_table *t = gs1_table_embedded();
	const struct gs1_ai *a;

	a = gs1_table_find(t, "01", 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(gs1_ai_title(t, a), "GTIN");
	CU_ASSERT_FALSE(gs1_ai_needs_fnc1(a));
	CU_ASSERT_TRUE(gs1_ai_is_fixed_len(a));
	CU_ASSERT_EQUAL(gs1_ai_max_len(a), 14);
	CU_ASSERT_TRUE(gs1_ai_is_dl_key(a));
	a = gs1_table_find(t, "10", 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(gs1_ai_needs_fnc1(a));
	CU_ASSERT_EQUAL(gs1_ai_max_len(a), 20);
	CU_ASSERT_EQUAL(gs1_ai_min_len(a), 1);
	CU_ASSERT_STRING_EQUAL(gs1_ai_title(t, a), "BATCH/LOT");
	a = gs1_table_find(t, "21", 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FALSE(gs1_ai_is_dl_attr(a));
	/* Ranges are expanded; 3106 is outside 3100-3105. */
	CU_ASSERT_PTR_NOT_NULL(gs1_table_find(t, "3105", 4));
	CU_ASSERT_PTR_NULL(gs1_table_find(t, "3106", 4));
	CU_ASSERT_PTR_NOT_NULL(gs1_table_find(t, "7003", 4));
	CU_ASSERT_FALSE(gs1_ai_is_fixed_len(gs1_table_find(t, "7007", 4)));
	CU_ASSERT_TRUE(gs1_ai_needs_fnc1(gs1_table_find(t, "7003", 4)));
	CU_ASSERT_PTR_NOT_NULL(gs1_table_find(t, "99", 2));
	CU_ASSERT_PTR_NULL(gs1_table_find(t, "0", 1));
	CU_ASSERT_PTR_NULL(gs1_table_find(t, "010", 3));
	CU_ASSERT_PTR_NULL(gs1_table_find(t, "23", 2));
	CU_ASSERT_PTR_NULL(gs1_table_find(t, "4A", 2));
	CU_ASSERT_EQUAL(gs1_table_ai_len(t, "01"), 2);
	CU_ASSERT_EQUAL(gs1_table_ai_len(t, "41"), 3);
	CU_ASSERT_EQUAL(gs1_table_ai_len(t, "31"), 4);
	CU_ASSERT_EQUAL(gs1_table_ai_len(t, "05"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(gs1_table_source(t), "2026-01-27"));
}

#define GTIN	"00312345678906"

/* Input in any form -> the bracketed rendering (or the error). */
static const struct {
	const char	*in;
	bool		 lenient;
	const char	*want;		/* bracketed, or "!" + the error */
	unsigned	 notes;
} parse_cases[] = {
	{ "[01]" GTIN "[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT", false,
	  "[01]" GTIN "[17]271231[10]A1B2C3[21]7X2KQ9PLM3ZT", 0 },
	{ "(01)" GTIN "(17)261231(10)LOT123(21)SER456", false,
	  "[01]" GTIN "[17]261231[10]LOT123[21]SER456", 0 },
	{ "(01)" GTIN "(10)A\\(B)(21)X", false,
	  "[01]" GTIN "[10]A(B)[21]X", 0 },
	{ "^01" GTIN "1726123110LOT123^21SER456", false,
	  "[01]" GTIN "[17]261231[10]LOT123[21]SER456", 0 },
	{ "01" GTIN "1726123110LOT123\x1d" "21SER456", false,
	  "[01]" GTIN "[17]261231[10]LOT123[21]SER456", 0 },
	{ "]d201" GTIN "1726123110LOT123\x1d" "21SER456", false,
	  "[01]" GTIN "[17]261231[10]LOT123[21]SER456", 0 },
	{ "]C101" GTIN "10LOT123", false, "[01]" GTIN "[10]LOT123", 0 },
	{ "]Q301" GTIN "21S", false, "[01]" GTIN "[21]S", 0 },
	{ "]e001" GTIN "3103000250", false, "[01]" GTIN "[3103]000250", 0 },
	{ "]J101" GTIN "10L", false, "[01]" GTIN "[10]L", 0 },
	{ "]E00312345678906", false, "[01]" GTIN, 0 },
	{ "]E496385074", false, "[01]00000096385074", 0 },
	/* superfluous GS after a fixed-length AI, trailing GS */
	{ "]d201" GTIN "\x1d" "10L\x1d", false, "[01]" GTIN "[10]L",
	  GS1_NOTE_TRAILING_GS },
	/* Digital Link */
	{ "https://id.gs1.org/01/" GTIN "/10/LOT123/21/SER456?17=261231",
	  false, "[01]" GTIN "[10]LOT123[21]SER456[17]261231", 0 },
	{ "https://example.com/some/stem/01/" GTIN "/21/S%2F1", false,
	  "[01]" GTIN "[21]S/1", 0 },
	{ "HTTPS://EXAMPLE.COM/01/" GTIN, false, "[01]" GTIN, 0 },
	{ "https://vrs.example/gtin/" GTIN "/lot/A1/ser/S1?exp=271231"
	  "&linkType=verificationService&context=dscsaSaleableReturn",
	  false, "[01]" GTIN "[10]A1[21]S1[17]271231",
	  GS1_NOTE_DL_CONVENIENCE },
	{ "]d1https://id.gs1.org/01/" GTIN, false, "[01]" GTIN, 0 },
	{ "https://id.gs1.org/00/106141412345678908", false,
	  "[00]106141412345678908", 0 },
	{ "https://id.gs1.org/414/0614141123452/254/5678", false,
	  "[414]0614141123452[254]5678", 0 },
	/* lenient reader */
	{ "\x1d" "01" GTIN "10L", true, "[01]" GTIN "[10]L",
	  GS1_NOTE_NO_SYMBOLOGY_ID | GS1_NOTE_LEADING_GS },
	{ "]d2\x1d" "01" GTIN "10L", true, "[01]" GTIN "[10]L",
	  GS1_NOTE_LEADING_GS },
	{ "01" GTIN "10L\xe2\x90\x9d" "21S", true, "[01]" GTIN "[10]L[21]S",
	  GS1_NOTE_VISIBLE_GS | GS1_NOTE_NO_SYMBOLOGY_ID },
	{ "]d201" GTIN "10L\xe2\x90\x9d" "21S", true, "[01]" GTIN "[10]L[21]S",
	  GS1_NOTE_VISIBLE_GS },
	/* errors */
	{ "[17]261232", false,
	  "!AI (17): illegal day of month: (17)2612|32|", 0 },
	{ "(01)00312345678907", false,
	  "!AI (01): incorrect check digit: (01)0031234567890|7|", 0 },
	{ "[21]AB CD", false,
	  "!AI (21): character not in CSET 82: (21)AB| |CD", 0 },
	{ "[10]", false, "!AI (10): empty value: (10)||", 0 },
	{ "[23]1", false, "!unknown AI (23)", 0 },
	{ "[0]1", false, "!bad AI: |[0]|1", 0 },
	{ "[01" GTIN, false, "!bad AI: |[01" GTIN "|", 0 },
	{ "x", false,
	  "!not a GS1 element string, scan data or Digital Link URI: |x|", 0 },
	{ "^01" GTIN "10LOT12321SER4567890123", false,
	  "!ambiguous: value of a variable-length AI runs past its maximum "
	  "length (missing separator?): ^01" GTIN "10LOT12321SER456789012|3|",
	  0 },
	{ "]d201" GTIN "1726", false,
	  "!AI (17): value too short: (17)|26|", 0 },
	{ "]d201" GTIN "\x1d\x1d" "10L", false,
	  "!two separators in a row: ]d201" GTIN "?|?|10L", 0 },
	{ "]d2\x1d" "01" GTIN, false,
	  "!GS right after the symbology identifier: ]d2|?|01" GTIN, 0 },
	{ "\x1d" "01" GTIN, false, "!GS at the start: scanner data without a "
	  "symbology identifier (accepted in lenient mode): |?|01" GTIN, 0 },
	{ "01" GTIN "10L\xe2\x90\x9d" "21S", false, "!U+241D written for GS "
	  "(accepted in lenient mode): 01" GTIN "10L|\xe2\x90\x9d|21S", 0 },
	{ "]A0123", false, "!symbology identifier does not carry GS1 data: "
	  "|]A0|123", 0 },
	{ "]d1ABC", false, "!symbology identifier carries plain data, not GS1 "
	  "element strings: |]d1|ABC", 0 },
	{ "]E012345", false, "!EAN-13 data must be 13 digits: ]E0|12345|", 0 },
	{ "]d2^01" GTIN, false, "!'^' in scan data: ]d2|^|01" GTIN, 0 },
	{ "^2301", false, "!unknown AI: ^|230|1", 0 },
	{ "https://id.gs1.org/01/" GTIN "/", false,
	  "!Digital Link: trailing '/': https://id.gs1.org/01/" GTIN "|/|", 0 },
	{ "https://id.gs1.org/01/" GTIN "/21/S/10/L", false,
	  "!Digital Link: key qualifiers out of order: https://id.gs1.org/01/"
	  GTIN "/21/S/|10|/L", 0 },
	{ "https://id.gs1.org/01/" GTIN "?10=L", false,
	  "!Digital Link: key qualifier belongs in the path: "
	  "https://id.gs1.org/01/" GTIN "?|10|=L", 0 },
	{ "https://id.gs1.org/01/" GTIN "?21=S", false,
	  "!Digital Link: key qualifier belongs in the path: "
	  "https://id.gs1.org/01/" GTIN "?|21|=S", 0 },
	{ "https://id.gs1.org/01/312345678906", false,
	  "!Digital Link: a GTIN in a Digital Link must have 14 digits: "
	  "https://id.gs1.org/01/|312345678906|", 0 },
	{ "https://id.gs1.org/10/ABC", false,
	  "!Digital Link: no primary key (such as /01/ GTIN) in the path: "
	  "https://id.gs1.org|/10/ABC|", 0 },
	{ "https://id.gs1.org/01/" GTIN "/21/A%00", false,
	  "!Digital Link: bad percent-encoding: https://id.gs1.org/01/" GTIN
	  "/21/|A%00|", 0 },
	{ "Https://id.gs1.org/01/" GTIN, false,
	  "!Digital Link: scheme must be http:// or https://: |Https://|"
	  "id.gs1.org/01/" GTIN, 0 },
	{ "[01", false, "!bad AI: |[01|", 0 },
	{ "[01]" GTIN "(10)L", false, "!AI (01): value too long: (01)" GTIN
	  "|(10)L|", 0 },
	{ "(01)" GTIN "x", false, "!AI (01): value too long: (01)" GTIN "|x|",
	  0 },
	{ "^", false, "!no element strings", 0 },
	{ "^0", false, "!unknown AI: ^|0|", 0 },
	{ "^310", false, "!AI cut short: ^|310|", 0 },
	{ "^31A0", false, "!bad AI: ^|31A0|", 0 },
	{ "]d", false, "!bad symbology identifier: |]d|", 0 },
	{ "]E4123", false, "!EAN-8 data must be 8 digits: ]E4|123|", 0 },
	{ "https://", false, "!Digital Link: no host: https://||", 0 },
	{ "https://id gs1.org/01/" GTIN, false, "!Digital Link: bad host "
	  "character: https://id| |gs1.org/01/" GTIN, 0 },
	{ "https://id.gs1.org/01/" GTIN "/10/A B", false, "!Digital Link: bad "
	  "character in path: https://id.gs1.org/01/" GTIN "/10/A| |B", 0 },
	{ "https://id.gs1.org//01/" GTIN, false, "!Digital Link: empty path "
	  "segment: https://id.gs1.org|/|/01/" GTIN, 0 },
	{ "https://id.gs1.org/01/" GTIN "/17/261231", false, "!Digital Link: "
	  "not a key qualifier of the primary key: https://id.gs1.org/01/"
	  GTIN "/|17|/261231", 0 },
	{ "https://id.gs1.org/01/" GTIN "?17", false, "!Digital Link: query "
	  "parameter without a value: https://id.gs1.org/01/" GTIN "?|17|", 0 },
	{ "https://id.gs1.org/01/" GTIN "?17=", false, "!Digital Link: empty "
	  "value: https://id.gs1.org/01/" GTIN "?17=||", 0 },
	{ "https://id.gs1.org/01/" GTIN "?123456=1", false, "!Digital Link: "
	  "bad AI in the query: https://id.gs1.org/01/" GTIN "?|123456|=1",
	  0 },
	{ "https://id.gs1.org/01/" GTIN "?89=1", false, "!Digital Link: "
	  "unknown AI in the query: https://id.gs1.org/01/" GTIN "?|89|=1", 0 },
	{ "https://id.gs1.org/01/" GTIN "?01=" GTIN, false, "!Digital Link: "
	  "primary key repeated in the query: https://id.gs1.org/01/" GTIN
	  "?|01|=" GTIN, 0 },
	{ "https://id.gs1.org/414/0614141123452?8200=X", false, "!Digital "
	  "Link: AI is not a Digital Link data attribute: https://id.gs1.org/"
	  "414/0614141123452?|8200|=X", 0 },
	{ "https://id.gs1.org/01/" GTIN "/21/ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG"
	  "HIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVW"
	  "XYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM"
	  "NOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ", false,
	  "!AI (21): value longer than 90 characters", 0 },
	{ "https://id.gs1.org/01/" GTIN "?17=261231&17=261231", false,
	  "!Digital Link: AI given twice: https://id.gs1.org/01/" GTIN
	  "?17=261231&17=|261231|", 0 },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	    i++) {
		struct gs1_parse_opts po = GS1_PARSE_OPTS_INIT;
		struct gs1_msg m;
		struct diag d = DIAG_INIT;
		char buf[GS1_RENDER_MAX], copy[1024];
		const char *in = parse_cases[i].in;
		int rc;

		snprintf(copy, sizeof(copy), "%s", in);
		po.lenient = parse_cases[i].lenient;
		rc = gs1_parse(&m, NULL, in, strlen(in), &po, &d);
		TEST_STR_EQ(i, copy, in);	/* input unmodified */
		if (parse_cases[i].want[0] == '!') {
			TEST_INT_EQ(i, rc, -1);
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
			TEST_STR_EQ(i, d.msg, parse_cases[i].want + 1);
			continue;
		}
		if (rc != 0)
			fprintf(stderr, "row %zu: %s\n", i, d.msg);
		TEST_INT_EQ(i, rc, 0);
		if (rc != 0)
			continue;
		TEST_INT_EQ(i, m.notes, parse_cases[i].notes);
		rc = gs1_render(&m, GS1_FORM_BRACKETED, NULL, buf, sizeof(buf),
		    NULL, &d);
		TEST_INT_EQ(i, rc, 0);
		TEST_STR_EQ(i, buf, parse_cases[i].want);
	}
}

static void
test_positions(void)
{
	static const char in[] = "(01)" GTIN "(10)A\\(B(21)X";
	struct gs1_msg m, c;
	struct diag d = DIAG_INIT;

	CU_ASSERT_FATAL(gs1_parse(&m, NULL, in, strlen(in), NULL, &d) == 0);
	CU_ASSERT_EQUAL_FATAL(m.n, 3);
	CU_ASSERT_EQUAL(m.el[0].src_off, 4);
	CU_ASSERT_EQUAL(m.el[1].src_off, 22);
	CU_ASSERT_EQUAL(m.el[2].src_off, 30);
	CU_ASSERT_STRING_EQUAL(m.el[1].value, "A(B");
	CU_ASSERT_EQUAL(m.el[1].len, 3);
	CU_ASSERT_PTR_NOT_NULL(m.el[0].def);
	CU_ASSERT_PTR_EQUAL(gs1_msg_find(&m, "21"), &m.el[2]);
	CU_ASSERT_PTR_NULL(gs1_msg_find(&m, "17"));
	gs1_msg_copy(&c, &m);
	CU_ASSERT_EQUAL(c.n, 3);
	CU_ASSERT_STRING_EQUAL(c.el[1].value, "A(B");
	CU_ASSERT_TRUE(c.el[1].value >= c.data &&
	    c.el[1].value < c.data + sizeof(c.data));
}

/* One message in every form. */
static const struct {
	enum gs1_form	 form;
	bool		 compact;
	const char	*want;
} render_cases[] = {
	{ GS1_FORM_BRACKETED, false,
	  "[01]" GTIN "[10]L(1[17]271231[21]S/1" },
	{ GS1_FORM_BRACKETED, true,
	  "[01]" GTIN "[17]271231[10]L(1[21]S/1" },
	{ GS1_FORM_HRI, false, "(01)" GTIN "(10)L\\(1(17)271231(21)S/1" },
	{ GS1_FORM_GS, false, "01" GTIN "10L(1\x1d" "1727123121S/1" },
	{ GS1_FORM_GS, true, "01" GTIN "1727123110L(1\x1d" "21S/1" },
	{ GS1_FORM_CARET, true, "^01" GTIN "1727123110L(1^21S/1" },
	{ GS1_FORM_SCAN, true, "]d201" GTIN "1727123110L(1\x1d" "21S/1" },
	{ GS1_FORM_DL, false, "https://id.gs1.org/01/" GTIN
	  "/10/L%281/21/S%2F1?17=271231" },
	{ GS1_FORM_DL_VRS, false, "https://id.gs1.org/gtin/" GTIN
	  "/lot/L%281/ser/S%2F1?exp=271231" },
	{ GS1_FORM_JSON, false, "{\"01\":\"" GTIN "\",\"10\":\"L(1\","
	  "\"17\":\"271231\",\"21\":\"S/1\"}" },
	{ GS1_FORM_HRI_LINES, false, "(01) " GTIN "\n(10) L(1\n(17) 271231\n"
	  "(21) S/1" },
};

static void
test_render(void)
{
	static const char in[] = "[01]" GTIN "[10]L(1[17]271231[21]S/1";
	struct gs1_msg m;
	struct diag d = DIAG_INIT;
	char buf[GS1_RENDER_MAX];

	CU_ASSERT_FATAL(gs1_parse(&m, NULL, in, strlen(in), NULL, &d) == 0);
	for (size_t i = 0; i < sizeof(render_cases) / sizeof(render_cases[0]);
	    i++) {
		struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
		size_t len = 0;

		ro.compact = render_cases[i].compact;
		TEST_INT_EQ(i, gs1_render(&m, render_cases[i].form, &ro, buf,
		    sizeof(buf), &len, &d), 0);
		TEST_STR_EQ(i, buf, render_cases[i].want);
		TEST_INT_EQ(i, len, strlen(render_cases[i].want));
	}
}

static void
test_render_errors(void)
{
	static const struct {
		const char	*in;
		enum gs1_form	 form;
		const char	*sym, *stem;
		size_t		 cap;
		const char	*want;
	} cases[] = {
		{ "[21]S", GS1_FORM_DL, NULL, NULL, 100, "no Digital Link "
		  "primary key (such as GTIN or SSCC) in the message" },
		{ "[414]0614141123452[21]S", GS1_FORM_DL, NULL, NULL, 100,
		  "AI (21) cannot be carried in a Digital Link URI" },
		{ "[01]" GTIN "[21]S", GS1_FORM_DL_VRS, NULL, NULL, 100,
		  "a VRS request needs AIs (01), (10), (21) and (17)" },
		{ "[01]" GTIN, GS1_FORM_SCAN, "]A0", NULL, 100,
		  "symbology identifier ']A0' does not carry GS1 element "
		  "strings (use ]d2, ]C1, ]Q3, ]e0 or ]J1)" },
		{ "[01]" GTIN, GS1_FORM_BRACKETED, NULL, NULL, 10,
		  "bracketed form does not fit in 10 bytes" },
		{ "[01]" GTIN, GS1_FORM_DL, NULL, "ftp://x", 100,
		  "Digital Link stem must start with http:// or https://" },
		{ "[10]A[10]B", GS1_FORM_JSON, NULL, NULL, 100,
		  "AI (10) appears twice with different values" },
		{ "[01]" GTIN "[21]S[235]T", GS1_FORM_DL, NULL, NULL, 100,
		  "AI (21) cannot be combined with the other key qualifiers "
		  "of AI (01)" },
	};
	char buf[GS1_RENDER_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
		struct gs1_msg m;
		struct diag d = DIAG_INIT;

		CU_ASSERT_FATAL(gs1_parse(&m, NULL, cases[i].in,
		    strlen(cases[i].in), NULL, &d) == 0);
		ro.sym = cases[i].sym;
		ro.dl_stem = cases[i].stem;
		TEST_INT_EQ(i, gs1_render(&m, cases[i].form, &ro, buf,
		    cases[i].cap, NULL, &d), -1);
		TEST_STR_EQ(i, d.msg, cases[i].want);
	}
}

/*
 * Digital Link escaping (DL 1.4 section 6, RFC 3986): every CSET 82
 * character that is not unreserved (A-Za-z0-9-._~) is percent-encoded, in
 * the path and in the query; decoding gives the value back.
 */
static void
test_dl_escaping(void)
{
	static const struct {
		const char	*value;		/* AI (21), then AI (10) */
		const char	*want;
	} cases[] = {
		{ "!\"%&'()*+,-./:;<=>?_",
		  "https://id.gs1.org/01/" GTIN "/10/L/21/"
		  "%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_"
		  "?17=271231" },
		{ "6789/&%\"!?()", "https://id.gs1.org/01/" GTIN "/10/L/21/"
		  "6789%2F%26%25%22%21%3F%28%29?17=271231" },
		{ "AZaz09", "https://id.gs1.org/01/" GTIN "/10/L/21/AZaz09"
		  "?17=271231" },
	};
	char buf[GS1_RENDER_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_msg m, back;
		struct diag d = DIAG_INIT;
		size_t len;

		gs1_msg_init(&m, NULL);
		CU_ASSERT_FATAL(gs1_msg_add(&m, "01", GTIN, 14, &d) == 0);
		CU_ASSERT_FATAL(gs1_msg_add(&m, "21", cases[i].value,
		    strlen(cases[i].value), &d) == 0);
		CU_ASSERT_FATAL(gs1_msg_add(&m, "10", "L", 1, &d) == 0);
		CU_ASSERT_FATAL(gs1_msg_add(&m, "17", "271231", 6, &d) == 0);
		TEST_INT_EQ(i, gs1_render(&m, GS1_FORM_DL, NULL, buf,
		    sizeof(buf), &len, &d), 0);
		TEST_STR_EQ(i, buf, cases[i].want);
		TEST_INT_EQ(i, gs1_parse(&back, NULL, buf, len, NULL, &d), 0);
		TEST_STR_EQ(i, gs1_msg_find(&back, "21") ?
		    gs1_msg_find(&back, "21")->value : NULL, cases[i].value);
	}
	/* The query decodes '+' as space (not CSET 82: refused). */
	{
		struct gs1_msg m;
		struct diag d = DIAG_INIT;
		const char *in = "https://id.gs1.org/01/" GTIN "?99=A+B";

		TEST_INT_EQ(0, gs1_parse(&m, NULL, in, strlen(in), NULL, &d),
		    -1);
		TEST_STR_EQ(0, d.msg, "AI (99): character not in CSET 82: "
		    "(99)A| |B");
	}
}

/* HRI lines with the dictionary's data titles. */
static void
test_hri_titles(void)
{
	static const char in[] = "[01]" GTIN "[10]L1[89]X";
	struct gs1_parse_opts po = { false, true };
	struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
	struct gs1_msg m;
	struct diag d = DIAG_INIT;
	char buf[256];

	CU_ASSERT_FATAL(gs1_parse(&m, NULL, in, strlen(in), &po, &d) == 0);
	ro.titles = true;
	CU_ASSERT_EQUAL(gs1_render(&m, GS1_FORM_HRI_LINES, &ro, buf,
	    sizeof(buf), NULL, &d), 0);
	CU_ASSERT_STRING_EQUAL(buf, "GTIN (01) " GTIN "\nBATCH/LOT (10) L1\n"
	    "(89) X");
}

/* A small deterministic generator (xorshift), not for secrets. */
static unsigned long long rng_state = 88172645463325252ULL;

static unsigned
next_rand(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void
rand_cset82(char *out, size_t n)
{
	static const char cs[] = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

	for (size_t i = 0; i < n; i++)
		out[i] = cs[next_rand(sizeof(cs) - 1)];
	out[n] = '\0';
}

/* Random valid messages -> every form -> parse -> equal. */
static void
test_round_trip(void)
{
	static const enum gs1_form forms[] = {
		GS1_FORM_BRACKETED, GS1_FORM_HRI, GS1_FORM_GS, GS1_FORM_CARET,
		GS1_FORM_SCAN, GS1_FORM_DL, GS1_FORM_DL_VRS,
	};
	char buf[GS1_RENDER_MAX];

	for (size_t row = 0; row < 400; row++) {
		struct gs1_msg m;
		struct diag d = DIAG_INIT;
		char gtin[15], lot[21], ser[21], exp[7];

		for (int i = 0; i < 13; i++)
			gtin[i] = (char)('0' + next_rand(10));
		gtin[13] = gs1_check_digit(gtin, 13);
		gtin[14] = '\0';
		rand_cset82(lot, 1 + next_rand(20));
		rand_cset82(ser, 1 + next_rand(20));
		snprintf(exp, sizeof(exp), "%02u%02u%02u", next_rand(100),
		    1 + next_rand(12), 1 + next_rand(28));
		gs1_msg_init(&m, NULL);
		CU_ASSERT_FATAL(gs1_msg_add(&m, "01", gtin, 14, &d) == 0);
		if (row % 2) {
			CU_ASSERT_FATAL(gs1_msg_add(&m, "21", ser, strlen(ser),
			    &d) == 0);
			CU_ASSERT_FATAL(gs1_msg_add(&m, "10", lot, strlen(lot),
			    &d) == 0);
		} else {
			CU_ASSERT_FATAL(gs1_msg_add(&m, "10", lot, strlen(lot),
			    &d) == 0);
			CU_ASSERT_FATAL(gs1_msg_add(&m, "21", ser, strlen(ser),
			    &d) == 0);
		}
		CU_ASSERT_FATAL(gs1_msg_add(&m, "17", exp, 6, &d) == 0);
		for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
			struct gs1_msg back;
			size_t len;

			ro.compact = (row / 2) % 2;
			if (gs1_render(&m, forms[f], &ro, buf, sizeof(buf),
			    &len, &d) != 0) {
				fprintf(stderr, "row %zu form %s: %s\n", row,
				    gs1_form_name(forms[f]), d.msg);
				CU_FAIL("render");
				return;
			}
			if (gs1_parse(&back, NULL, buf, len, NULL, &d) != 0) {
				fprintf(stderr, "row %zu form %s: %s: %s\n",
				    row, gs1_form_name(forms[f]), buf, d.msg);
				CU_FAIL("parse back");
				return;
			}
			CU_ASSERT_EQUAL(back.n, m.n);
			for (size_t k = 0; k < m.n && k < back.n; k++) {
				const struct gs1_element *e =
				    gs1_msg_find(&back, m.el[k].ai);

				CU_ASSERT_PTR_NOT_NULL_FATAL(e);
				TEST_STR_EQ(row, e->value, m.el[k].value);
			}
		}
	}
}

static void
test_limits(void)
{
	char in[GS1_RENDER_MAX + 8], v[100];
	struct gs1_msg m;
	struct diag d = DIAG_INIT;
	size_t n = 0;

	/* 64 AIs are fine, 65 are not. */
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "[91]A%d", i);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, n, NULL, &d), -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "more than 64 AIs in one message");
	n = 0;
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "[91]A%d", i);
	diag_clear(&d);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, n, NULL, &d), 0);
	/* 90 characters a value. */
	memset(v, 'A', 91);
	v[91] = '\0';
	n = (size_t)snprintf(in, sizeof(in), "[91]%.90s", v);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, n, NULL, &d), 0);
	n = (size_t)snprintf(in, sizeof(in), "[91]%.91s", v);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, n, NULL, &d), -1);
	/* 90 '(' written "\\(" in HRI: 180 bytes of input, a valid value. */
	n = (size_t)snprintf(in, sizeof(in), "(91)");
	for (int i = 0; i < 90; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "\\(");
	diag_clear(&d);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, n, NULL, &d), 0);
	CU_ASSERT_EQUAL(m.el[0].len, 90);
	n += (size_t)snprintf(in + n, sizeof(in) - n, "\\(");
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, n, NULL, &d), -1);
	/* 8191 characters a message: 64 x (2 + 90 + 1) = 5952 fits ... */
	n = 0;
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "[91]%.90s", v);
	diag_clear(&d);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, n, NULL, &d), 0);
	/* ... and an oversized input is refused cleanly. */
	memset(in, 'A', sizeof(in));
	in[0] = '[';
	diag_clear(&d);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, in, sizeof(in), NULL, &d), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "longer than"));
	diag_clear(&d);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, "", 0, NULL, &d), -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "empty GS1 data");
	diag_clear(&d);
	CU_ASSERT_EQUAL(gs1_parse(&m, NULL, "[10]A\0B", 7, NULL, &d), -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "NUL byte in GS1 data");
	/* unknown AIs only when asked for */
	{
		struct gs1_parse_opts po = { false, true };

		diag_clear(&d);
		CU_ASSERT_EQUAL(gs1_parse(&m, NULL, "[89]X", 5, &po, &d), 0);
		CU_ASSERT_PTR_NULL(m.el[0].def);
		CU_ASSERT_EQUAL(gs1_parse(&m, NULL, "[89]X", 5, NULL, &d), -1);
		CU_ASSERT_STRING_EQUAL(d.msg, "unknown AI (89)");
	}
}

static void
test_dates(void)
{
	static const struct {
		const char	*yymmdd;
		int		 ty;
		int		 y, mo, dd, day00, rc;
	} cases[] = {
		/* GenSpecs 7.12 with reference year 2026 */
		{ "761231", 2026, 2076, 12, 31, 0, 0 },
		{ "770101", 2026, 1977, 1, 1, 0, 0 },
		{ "000101", 2026, 2000, 1, 1, 0, 0 },
		{ "261200", 2026, 2026, 12, 31, 1, 0 },
		{ "280200", 2026, 2028, 2, 29, 1, 0 },
		{ "260200", 2026, 2026, 2, 28, 1, 0 },
		{ "990101", 2000, 1999, 1, 1, 0, 0 },
		{ "490101", 2099, 2149, 1, 1, 0, 0 },
		{ "261301", 2026, 0, 0, 0, 0, -1 },
		{ "260229", 2026, 0, 0, 0, 0, -1 },
		{ "26122", 2026, 0, 0, 0, 0, -1 },
	};
	struct gs1_date a = { 2026, 12, 1 }, b = { 2027, 1, 1 }, c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_date t = { cases[i].ty, 6, 1 }, out = { 0, 0, 0 };
		bool d00 = false;
		int rc = gs1_date_from_yymmdd(cases[i].yymmdd, &t, &out, &d00);

		TEST_INT_EQ(i, rc, cases[i].rc);
		if (rc != 0)
			continue;
		TEST_INT_EQ(i, out.year, cases[i].y);
		TEST_INT_EQ(i, out.month, cases[i].mo);
		TEST_INT_EQ(i, out.day, cases[i].dd);
		TEST_INT_EQ(i, d00, cases[i].day00);
	}
	CU_ASSERT_EQUAL(gs1_date_diff(&a, &b), 31);
	CU_ASSERT_EQUAL(gs1_date_diff(&b, &a), -31);
	CU_ASSERT_EQUAL(gs1_date_parse("2028-02-29", &c), 0);
	CU_ASSERT_EQUAL(c.year, 2028);
	CU_ASSERT_EQUAL(gs1_date_parse("2026-02-29", &c), -1);
	CU_ASSERT_EQUAL(gs1_date_parse("2026-1-01", &c), -1);
	CU_ASSERT_EQUAL(gs1_date_parse("2026-01-011", &c), -1);
	CU_ASSERT_EQUAL(gs1_date_today(&c), 0);
	CU_ASSERT_TRUE(gs1_date_valid(&c));
}

static void
test_validate(void)
{
	static const struct {
		const char	*in;
		enum gs1_profile profile;
		const char	*want;	/* "" = valid */
	} cases[] = {
		{ "[01]" GTIN "[17]271231[10]A1[21]S1", GS1_PROFILE_DSCSA, "" },
		{ "[01]" GTIN "[17]261201[10]A1[21]S1", GS1_PROFILE_DSCSA, "" },
		{ "[01]" GTIN "[17]261130[10]A1[21]S1", GS1_PROFILE_DSCSA,
		  "DSCSA profile: AI (17): expired on 2026-11-30 (today is "
		  "2026-12-01)" },
		{ "[01]" GTIN "[17]271200[10]A1[21]S1", GS1_PROFILE_DSCSA,
		  "DSCSA profile: AI (17): day 00 is not allowed for a "
		  "healthcare expiry date: (17)2712|00|" },
		{ "[01]" GTIN "[17]271200[10]A1[21]S1", GS1_PROFILE_GS1, "" },
		{ "[01]" GTIN "[17]271231[10]A1", GS1_PROFILE_DSCSA,
		  "DSCSA profile: missing AI (21) serial number" },
		{ "[01]" GTIN "[21]S1[10]A1", GS1_PROFILE_DSCSA,
		  "DSCSA profile: missing AI (17) expiry date" },
		{ "[01]" GTIN "[21]S1[17]271231", GS1_PROFILE_DSCSA,
		  "DSCSA profile: missing AI (10) lot" },
		{ "[00]106141412345678908", GS1_PROFILE_DSCSA,
		  "DSCSA profile: missing AI (01) GTIN" },
		{ "[01]90312345678909[17]271231[10]A1[21]S1", GS1_PROFILE_DSCSA,
		  "DSCSA profile: AI (01): indicator digit 9 (variable measure) "
		  "is not allowed: (01)|9|0312345678909" },
		{ "[01]04012345123456[17]271231[10]A1[21]S1", GS1_PROFILE_DSCSA,
		  "DSCSA profile: AI (01): GTIN does not carry an NDC (digits "
		  "2-3 are not 03) and there is no AI (715): (01)0|40|12345123456"
		},
		{ "[01]04012345123456[17]271231[10]A1[21]S1[715]1234567890",
		  GS1_PROFILE_DSCSA, "" },
		{ "[21]S1", GS1_PROFILE_GS1,
		  "AI (21) requires AI (01), (03) or (8006)" },
		{ "[21]S1", GS1_PROFILE_NONE, "" },
		{ "[01]" GTIN "[255]0614141123452", GS1_PROFILE_GS1,
		  "AI (01) must not appear with AI (255)" },
		{ "[01]" GTIN "[3100]000100[3101]000010", GS1_PROFILE_GS1,
		  "AI (3100) must not appear with AI (3101)" },
		{ "[01]" GTIN "[3100]000100[3200]000010", GS1_PROFILE_GS1, "" },
		{ "[01]" GTIN "[21]S[250]X", GS1_PROFILE_GS1, "" },
		{ "[01]" GTIN "[250]X", GS1_PROFILE_GS1,
		  "AI (250) requires AI (21)" },
		{ "[01]" GTIN "[8030]ABC", GS1_PROFILE_GS1,
		  "AI (8030) requires AI (00), (01)+(21), (253), (255), (8003), "
		  "(8004), (8006)+(21), (8010)+(8011), (8017) or (8018)" },
		/* req= ranges of entries across bitmap words (31nn). */
		{ "[01]" GTIN "[3920]123[3103]000100", GS1_PROFILE_GS1, "" },
		{ "[01]" GTIN "[3920]123[3165]000100", GS1_PROFILE_GS1, "" },
		{ "[01]" GTIN "[3920]123[3300]000100", GS1_PROFILE_GS1,
		  "AI (3920) requires AI (30), (31nn), (32nn), (35nn) or "
		  "(36nn)" },
		{ "[01]" GTIN "[3920]123[3921]1234", GS1_PROFILE_GS1,
		  "AI (3920) must not appear with AI (3921)" },
		{ "[01]" GTIN "[10]A[10]B", GS1_PROFILE_NONE,
		  "AI (10) appears twice with different values" },
		{ "[01]" GTIN "[10]A[10]A", GS1_PROFILE_GS1, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_validate_opts vo = { cases[i].profile,
		    { 2026, 12, 1 } };
		struct gs1_msg m;
		struct diag d = DIAG_INIT;
		int rc;

		rc = gs1_parse(&m, NULL, cases[i].in, strlen(cases[i].in),
		    NULL, &d);
		if (rc != 0)
			fprintf(stderr, "row %zu: %s\n", i, d.msg);
		CU_ASSERT_FATAL(rc == 0);
		rc = gs1_validate(&m, &vo, &d);
		TEST_INT_EQ(i, rc, cases[i].want[0] ? -1 : 0);
		TEST_STR_EQ(i, d.msg, cases[i].want);
	}
}

static void
test_forms(void)
{
	enum gs1_form f;

	CU_ASSERT_EQUAL(gs1_form_from_name("hri-lines", &f), 0);
	CU_ASSERT_EQUAL(f, GS1_FORM_HRI_LINES);
	CU_ASSERT_EQUAL(gs1_form_from_name("dl-vrs", &f), 0);
	CU_ASSERT_EQUAL(f, GS1_FORM_DL_VRS);
	CU_ASSERT_EQUAL(gs1_form_from_name("epc", &f), -1);
	CU_ASSERT_STRING_EQUAL(gs1_form_name(GS1_FORM_SCAN), "scan");
}

/*
 * DSCSA rules that the shipped dictionary already enforces by syntax can
 * still fail with a looser dictionary loaded at run time.
 */
static void
test_dscsa_loose_dict(void)
{
	static const char dict[] =
	    "01 N..20\n10 X..20\n17 N..8\n21 X..30\n";
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "[01]" GTIN "[17]271231[10]L[21]S", "" },
		{ "[01]" GTIN "[17]271231[10]L[21]ABCDEFGHIJKLMNOPQRSTU",
		  "DSCSA profile: AI (21): serial number longer than 20 "
		  "characters: (21)ABCDEFGHIJKLMNOPQRST|U|" },
		{ "[01]0031234567890[17]271231[10]L[21]S",
		  "DSCSA profile: AI (01): GTIN must have 14 digits: "
		  "(01)|0031234567890|" },
		{ "[01]" GTIN "[17]2712311[10]L[21]S",
		  "DSCSA profile: AI (17): bad expiry date: (17)|2712311|" },
		{ "[01]" GTIN "[17]271332[10]L[21]S",
		  "DSCSA profile: AI (17): bad expiry date: (17)|271332|" },
	};
	char path[] = "/tmp/test_gs1_looseXXXXXX";
	int fd = mkstemp(path);
	struct gs1_table *t = NULL;
	struct diag d = DIAG_INIT;
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(dict, f);
	fclose(f);
	CU_ASSERT_FATAL(gs1_table_load(&t, path, &d) == 0);
	unlink(path);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_validate_opts vo = { GS1_PROFILE_DSCSA,
		    { 2026, 12, 1 } };
		struct gs1_msg m;

		diag_clear(&d);
		CU_ASSERT_FATAL(gs1_parse(&m, t, cases[i].in,
		    strlen(cases[i].in), NULL, &d) == 0);
		TEST_INT_EQ(i, gs1_validate(&m, &vo, &d),
		    cases[i].want[0] ? -1 : 0);
		TEST_STR_EQ(i, d.msg, cases[i].want);
	}
	gs1_table_free(t);
}

/*
 * Pairing rules with patterns that have a digit after an 'n' (not a
 * contiguous run of the table: matched by text within the run) and with
 * AIs the table does not know (matched by text alone), against a loaded
 * dictionary; and the compiled form the loader made of them.
 */
static void
test_pairs_patterns(void)
{
	static const char dict[] =
	    "01 * N14,csum ex=31n2,3201\n"
	    "10 X..20 req=01,31n0+21\n"
	    "21 X..20\n"
	    "3100-3105 * N6\n"
	    "3200-3205 * N6 ex=32n5\n";
	static const struct {
		const char	*in;
		bool		 unknown;
		const char	*want;	/* "" = valid */
	} cases[] = {
		{ "[01]" GTIN "[3102]000100",  false,
		  "AI (01) must not appear with AI (3102)" },
		{ "[01]" GTIN "[3101]000100[3103]000100",  false, "" },
		{ "[3100]000100[01]" GTIN "[3201]000001",  false,
		  "AI (01) must not appear with AI (3201)" },
		{ "[10]A[3100]000001[21]S", false, "" },
		{ "[10]A[3101]000001[21]S", false,
		  "AI (10) requires AI (01) or (31n0)+(21)" },
		{ "[10]A[3100]000001", false,
		  "AI (10) requires AI (01) or (31n0)+(21)" },
		{ "[10]A[01]" GTIN, false, "" },
		{ "[3200]000001[3205]000001", false,
		  "AI (3200) must not appear with AI (3205)" },
		{ "[3205]000001[3205]000001", false, "" },
		{ "[3205]000001[3205]000002", false,
		  "AI (3205) appears twice with different values" },
		/* AIs the table lacks, matched by their digits. */
		{ "[10]A[3190]000001[21]S", true, "" },
		{ "[10]A[3191]000001[21]S", true,
		  "AI (10) requires AI (01) or (31n0)+(21)" },
		{ "[01]" GTIN "[3192]X", true,
		  "AI (01) must not appear with AI (3192)" },
		{ "[01]" GTIN "[3193]X[3193]Y", true,
		  "AI (3193) appears twice with different values" },
	};
	char path[] = "/tmp/test_gs1_pairsXXXXXX";
	int fd = mkstemp(path);
	struct gs1_table *t = NULL;
	struct diag d = DIAG_INIT;
	const struct gs1_ai *a;
	const struct gs1_pat *p;
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(dict, f);
	fclose(f);
	CU_ASSERT_FATAL(gs1_table_load(&t, path, &d) == 0);
	unlink(path);

	/* The compiled form: entry runs, exactness, alternatives. */
	CU_ASSERT_EQUAL_FATAL(t->n, 15);
	CU_ASSERT_EQUAL(t->npat, 6);
	a = gs1_table_find(t, "01", 2);
	CU_ASSERT_EQUAL_FATAL(a->nexpat, 2);
	p = gs1_ai_expat(t, a);
	CU_ASSERT_STRING_EQUAL(p[0].pat, "31n2");
	TEST_INT_EQ(0, p[0].lo, 3);
	TEST_INT_EQ(0, p[0].hi, 9);
	CU_ASSERT_FALSE(p[0].exact);
	TEST_INT_EQ(1, p[1].lo, 10);
	TEST_INT_EQ(1, p[1].hi, 11);
	CU_ASSERT_TRUE(p[1].exact);
	a = gs1_table_find(t, "10", 2);
	CU_ASSERT_EQUAL_FATAL(a->nreqp[0], 3);
	p = gs1_ai_reqp(t, a, 0);
	CU_ASSERT_TRUE(p[0].last);
	CU_ASSERT_FALSE(p[1].last);
	CU_ASSERT_TRUE(p[2].last);
	TEST_INT_EQ(2, p[2].lo, 2);
	TEST_INT_EQ(2, p[2].hi, 3);
	/* One dictionary range shares one compiled list. */
	CU_ASSERT_PTR_EQUAL(gs1_ai_expat(t, gs1_table_find(t, "3200", 4)),
	    gs1_ai_expat(t, gs1_table_find(t, "3205", 4)));

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_parse_opts po = { false, cases[i].unknown };
		struct gs1_validate_opts vo = { GS1_PROFILE_GS1,
		    { 2026, 12, 1 } };
		struct gs1_msg m;
		int rc;

		diag_clear(&d);
		rc = gs1_parse(&m, t, cases[i].in, strlen(cases[i].in), &po,
		    &d);
		TEST_INT_EQ(i, rc, 0);
		if (rc != 0) {
			fprintf(stderr, "row %zu: %s\n", i, d.msg);
			continue;
		}
		TEST_INT_EQ(i, gs1_validate(&m, &vo, &d),
		    cases[i].want[0] ? -1 : 0);
		TEST_STR_EQ(i, d.msg, cases[i].want);
	}
	gs1_table_free(t);
}

/* The run-time loader: a good file, then each error it must report. */
static void
test_dict(void)
{
	static const struct {
		const char	*text;
		const char	*want;	/* "" = loads */
	} cases[] = {
		{ "# c\n01 *? N14,csum,gcppos2 dlpkey=22,10,21 # GTIN\n"
		  "10 ? X..20 req=01 # LOT\n", "" },
		{ "10 X..20\n01 * N14\n", "F:2: AIs must be in strictly "
		  "ascending order: (01) after (10)" },
		{ "01 * N14,nosuch\n", "F:1: unknown linter 'nosuch'" },
		{ "10 * X..20\n", "F:1: AI (10) marked '*' must have a "
		  "predefined length" },
		{ "7003 * N10\n", "F:1: AI (7003) marked '*' must have a "
		  "predefined length" },
		{ "01 N14\n011 N3\n", "F:2: AIs beginning '01' have different "
		  "lengths" },
		{ "01 N..5 N3\n", "F:1: only the last component may have a "
		  "variable length" },
		{ "01 [N3] N3\n", "F:1: mandatory component after an optional "
		  "one" },
		{ "01 Q14\n", "F:1: no specification" },
		{ "01 N14 req=0x\n", "F:1: bad AI pattern in req=0x" },
		{ "01 N91\n", "F:1: bad component 'N91': bad length" },
		{ "1 N14\n", "F:1: bad AI '1'" },
		{ "# nothing\n", "F: no AIs" },
	};
	char path[] = "/tmp/test_gs1_dictXXXXXX";
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs1_table *t = NULL;
		struct diag d = DIAG_INIT;
		char got[1024], want[1024];
		FILE *f = fopen(path, "w");
		int rc;

		CU_ASSERT_FATAL(f != NULL);
		fputs(cases[i].text, f);
		fclose(f);
		rc = gs1_table_load(&t, path, &d);
		if (cases[i].want[0] == '\0') {
			TEST_INT_EQ(i, rc, 0);
			TEST_STR_EQ(i, d.msg, "");
			if (rc == 0) {
				struct gs1_msg m;
				const char *in = "[01]" GTIN "[10]L";

				CU_ASSERT_PTR_NOT_NULL(gs1_table_find(t, "10",
				    2));
				CU_ASSERT_PTR_NULL(gs1_table_find(t, "21", 2));
				CU_ASSERT_EQUAL(gs1_parse(&m, t, in, strlen(in),
				    NULL, &d), 0);
			}
			gs1_table_free(t);
			continue;
		}
		TEST_INT_EQ(i, rc, -1);
		CU_ASSERT_PTR_NULL(t);
		diag_format(&d, got, sizeof(got));
		snprintf(want, sizeof(want), "%s%s", path, cases[i].want + 1);
		TEST_STR_EQ(i, got, want);
	}
	unlink(path);
	{
		struct gs1_table *t = NULL;
		struct diag d = DIAG_INIT;

		CU_ASSERT_EQUAL(gs1_table_load(&t, "/nonexistent/dict", &d), -1);
		CU_ASSERT_EQUAL(d.kind, DIAG_SYSTEM);
		gs1_table_free(NULL);
	}
}

/*
 * The pointer-free table's limits (gs1_int.h): the string pool must fit
 * 16-bit offsets, and a table without any req=/ex= still validates (its
 * pattern array is empty but not NULL).
 */
static void
test_dict_limits(void)
{
	static const char *const want[] = {
		"F:94: the dictionary's strings exceed 65536 bytes",
		"",
		"",
	};
	char *text = malloc(100 * 800);
	const char *in = "[00]ABC[01]X";
	size_t len = 0;

	CU_ASSERT_FATAL(text != NULL);
	/* 100 lines, each adds a 700-byte title and its NUL: 94 overflows. */
	for (unsigned ai = 0; ai < 100; ai++) {
		len += (size_t)snprintf(text + len, 100 * 800 - len,
		    "%02u X..20 # ", ai);
		memset(text + len, 'T', 700);
		len += 700;
		text[len++] = '\n';
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct gs1_table *t = NULL;
		struct gs1_validate_opts vo = GS1_VALIDATE_OPTS_INIT;
		struct diag d = DIAG_INIT;
		struct gs1_msg m;
		char got[1024];
		/* The whole file, then 93 lines (fits), then a one-line file. */
		size_t n = i == 0 ? len : i == 1 ? len / 100 * 93 : len / 100;
		int rc = gs1_dict_parse(&t, text, n, "F", &d);

		TEST_INT_EQ(i, rc, want[i][0] != '\0' ? -1 : 0);
		TEST_STR_EQ(i, rc != 0 ? diag_format(&d, got, sizeof(got)) :
		    d.msg, want[i]);
		if (rc != 0)
			continue;
		TEST_INT_EQ(i, t->npat, 0);
		CU_ASSERT_PTR_NOT_NULL(t->pat);
		TEST_INT_EQ(i, t->poollen, n / (len / 100) * 701);
		TEST_INT_EQ(i, strlen(gs1_ai_title(t, &t->ai[0])), 700);
		/* (01) is not in this table: only the first 7 bytes. */
		CU_ASSERT_EQUAL(gs1_parse(&m, t, in, 7, NULL, &d), 0);
		TEST_INT_EQ(i, gs1_validate(&m, &vo, &d), 0);
		gs1_table_free(t);
	}
	free(text);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The shipped dictionary loads at run time and equals the embedded table
 * (generated from it at build time) in every entry and field.
 */
static void
test_dict_shipped(void)
{
	const char *top = getenv("TOP");
	const struct gs1_table *e = gs1_table_embedded();
	struct gs1_table *t = NULL;
	struct diag d = DIAG_INIT;
	char path[1024];

	snprintf(path, sizeof(path), "%s/schemas/gs1/gs1-syntax-dictionary.txt",
	    top ? top : ".");
	CU_ASSERT_FATAL(gs1_table_load(&t, path, &d) == 0);
	CU_ASSERT_EQUAL_FATAL(t->n, e->n);
	CU_ASSERT(t->n > 500);
	CU_ASSERT_EQUAL(memcmp(t->plen, e->plen, sizeof(t->plen)), 0);
	CU_ASSERT_EQUAL(memcmp(t->idx, e->idx, sizeof(t->idx)), 0);
	CU_ASSERT_EQUAL_FATAL(t->npat, e->npat);
	CU_ASSERT(t->npat > 300);
	/* The same string pool, byte for byte (the entries' offsets). */
	CU_ASSERT_EQUAL_FATAL(t->poollen, e->poollen);
	CU_ASSERT(t->poollen > 4000);
	CU_ASSERT_EQUAL(memcmp(t->pool, e->pool, t->poollen), 0);
	for (size_t i = 0; i < t->npat; i++) {
		const struct gs1_pat *p = &t->pat[i], *q = &e->pat[i];

		TEST_INT_EQ(i, p->lo == q->lo && p->hi == q->hi &&
		    strcmp(p->pat, q->pat) == 0 && p->exact == q->exact &&
		    p->last == q->last, true);
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct gs1_ai *a = &t->ai[i], *b = &e->ai[i];
		bool same = strcmp(a->ai, b->ai) == 0 && a->ailen == b->ailen &&
		    a->fnc1 == b->fnc1 && a->dlattr == b->dlattr &&
		    a->dlkey == b->dlkey && a->ncomp == b->ncomp &&
		    a->nreq == b->nreq && a->nex == b->nex &&
		    a->minlen == b->minlen && a->maxlen == b->maxlen &&
		    a->line == b->line && a->title == b->title &&
		    same_str(gs1_ai_dlpkey(t, a), gs1_ai_dlpkey(e, b)) &&
		    same_str(gs1_ai_title(t, a), gs1_ai_title(e, b));

		for (size_t c = 0; same && c < a->ncomp; c++)
			same = memcmp(&a->comp[c], &b->comp[c],
			    sizeof(a->comp[c])) == 0;
		for (size_t r = 0; same && r < a->nreq; r++)
			same = a->req[r] == b->req[r] &&
			    same_str(gs1_ai_req(t, a, r), gs1_ai_req(e, b, r));
		for (size_t r = 0; same && r < a->nex; r++)
			same = a->ex[r] == b->ex[r] &&
			    same_str(gs1_ai_ex(t, a, r), gs1_ai_ex(e, b, r));
		/* The compiled rules: the same places in equal lists. */
		same = same && a->reqp == b->reqp && a->expat == b->expat &&
		    a->nexpat == b->nexpat;
		for (size_t r = 0; same && r < GS1_REQ_MAX; r++)
			same = a->nreqp[r] == b->nreqp[r];
		if (!same)
			fprintf(stderr, "entry %zu: AI (%s) differs\n", i,
			    a->ai);
		TEST_INT_EQ(i, same, true);
	}
	/* Spot checks against the dictionary text itself. */
	{
		const struct gs1_ai *a = gs1_table_find(t, "8006", 4);

		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_EQUAL(a->ncomp, 2);
		CU_ASSERT_EQUAL(a->comp[1].lint[0], GS1_LINTER_PIECEOFTOTAL);
		CU_ASSERT_STRING_EQUAL(gs1_ai_dlpkey(t, a), "22,10,21");
		CU_ASSERT_STRING_EQUAL(gs1_ai_ex(t, a, 0), "01,37");
		a = gs1_table_find(t, "37", 2);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_EQUAL(a->nreq, 2);
		CU_ASSERT_STRING_EQUAL(gs1_ai_req(t, a, 1), "02,8026");
	}
	gs1_table_free(t);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "embedded table", test_table },
		{ "parse every form", test_parse },
		{ "source positions and copy", test_positions },
		{ "render every form", test_render },
		{ "render errors", test_render_errors },
		{ "Digital Link escaping", test_dl_escaping },
		{ "HRI titles", test_hri_titles },
		{ "round trip", test_round_trip },
		{ "limits", test_limits },
		{ "dates", test_dates },
		{ "validate", test_validate },
		{ "form names", test_forms },
		{ "dictionary loader", test_dict },
		{ "DSCSA with a loose dictionary", test_dscsa_loose_dict },
		{ "dictionary limits", test_dict_limits },
		{ "shipped dictionary", test_dict_shipped },
		{ "pairing rules: patterns and unknown AIs",
		    test_pairs_patterns },
		{ NULL, NULL },
	};

	return test_run("gs1", tests);
}
