/*
 * Unit tests of the gs1 linters (libcommon/gs1_lint.c): one table row per
 * case, blamed bytes marked |..| in the input (STYLE.md section 6); every
 * enum gs1_lint code is produced by at least one row (test "coverage").
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "gs1.h"
#include "testutil.h"

static bool seen[GS1_LINT_COUNT];

static const struct {
	const char	*linter;
	const char	*marked;
	enum gs1_lint	 want;
} lint_cases[] = {
	/* csum: GenSpecs 7.9.1 */
	{ "csum", "00312345678906", GS1_LINT_OK },
	{ "csum", "0031234567890|7|", GS1_LINT_CHECK_DIGIT },
	{ "csum", "003123456789|X|6", GS1_LINT_NOT_DIGIT },
	{ "csum", "|1|", GS1_LINT_TOO_SHORT_CHECK },
	{ "csum", "106141412345678908", GS1_LINT_OK },
	{ "csum", "0614141123452", GS1_LINT_OK },
	{ "csum", "80614141123458", GS1_LINT_OK },
	/* csumalpha: GenSpecs 7.9.5 */
	{ "csumalpha", "1987654Ad4X4bL5ttr2310c2K", GS1_LINT_OK },
	{ "csumalpha", "12345678901234567890123NT", GS1_LINT_OK },
	{ "csumalpha", "1987654Ad4X4bL5ttr2310c|2X|", GS1_LINT_CHECK_PAIR },
	{ "csumalpha", "12345678901234567890123N|1|", GS1_LINT_CHECK_PAIR },
	{ "csumalpha", "|2|", GS1_LINT_TOO_SHORT_PAIR },
	{ "csumalpha", "|123456789012345678901234567890123456789012345678901"
	    "2345678901234567890123456789012345678901234567890ZZ|",
	    GS1_LINT_TOO_LONG_PAIR },
	{ "csumalpha", "123456789| |1234567890123NT", GS1_LINT_NOT_CSET82 },
	/* character sets: GenSpecs 7.11 */
	{ "cset82", "AZaz09!\"%&'()*+,-./:;<=>?_", GS1_LINT_OK },
	{ "cset82", "AB| |CD", GS1_LINT_NOT_CSET82 },
	{ "cset82", "|#|", GS1_LINT_NOT_CSET82 },
	{ "cset39", "#-/09AZ", GS1_LINT_OK },
	{ "cset39", "AB|a|", GS1_LINT_NOT_CSET39 },
	{ "cset64", "AZaz09-_", GS1_LINT_OK },
	{ "cset64", "ABC=", GS1_LINT_OK },
	{ "cset64", "AB==", GS1_LINT_OK },
	{ "cset64", "AB|+|C", GS1_LINT_NOT_CSET64 },
	{ "cset64", "A|===|", GS1_LINT_CSET64_PADDING },
	{ "cset64", "AB|=|", GS1_LINT_CSET64_PADDING },
	{ "csetnumeric", "0123", GS1_LINT_OK },
	{ "csetnumeric", "01|A|3", GS1_LINT_NOT_DIGIT },
	/* company prefix */
	{ "gcppos1", "0614141", GS1_LINT_OK },
	{ "gcppos1", "|061|", GS1_LINT_TOO_SHORT_GCP },
	{ "gcppos1", "|06A4|1", GS1_LINT_BAD_GCP },
	{ "gcppos2", "00312345678906", GS1_LINT_OK },
	{ "gcppos2", "0|ABCD|", GS1_LINT_BAD_GCP },
	{ "key", "1234", GS1_LINT_OK },
	/* dates and times: GenSpecs 7.12 */
	{ "yymmd0", "261231", GS1_LINT_OK },
	{ "yymmd0", "261200", GS1_LINT_OK },
	{ "yymmd0", "2612|32|", GS1_LINT_DAY },
	{ "yymmd0", "26|13|01", GS1_LINT_MONTH },
	{ "yymmd0", "26|00|01", GS1_LINT_MONTH },
	{ "yymmd0", "2802|30|", GS1_LINT_DAY },
	{ "yymmd0", "280229", GS1_LINT_OK },
	{ "yymmd0", "2602|29|", GS1_LINT_DAY },
	{ "yymmd0", "000229", GS1_LINT_OK },
	{ "yymmd0", "|26123|", GS1_LINT_DATE_SHORT },
	{ "yymmd0", "|2612311|", GS1_LINT_DATE_LONG },
	{ "yymmd0", "26|A|231", GS1_LINT_NOT_DIGIT },
	{ "yymmdd", "2612|00|", GS1_LINT_DAY },
	{ "yymmdd", "260430", GS1_LINT_OK },
	{ "yymmdd", "2604|31|", GS1_LINT_DAY },
	{ "yyyymmdd", "20000229", GS1_LINT_OK },
	{ "yyyymmdd", "190002|29|", GS1_LINT_DAY },
	{ "yyyymmd0", "20261200", GS1_LINT_OK },
	{ "yyyymmdd", "202612|00|", GS1_LINT_DAY },
	{ "hhmi", "2359", GS1_LINT_OK },
	{ "hhmi", "|24|00", GS1_LINT_HOUR },
	{ "hhmi", "23|60|", GS1_LINT_MINUTE },
	{ "hhmi", "|235|", GS1_LINT_TIME_LENGTH },
	{ "hhmm", "0000", GS1_LINT_OK },
	{ "hh", "|24|", GS1_LINT_HOUR },
	{ "mi", "|60|", GS1_LINT_MINUTE },
	{ "ss", "|60|", GS1_LINT_SECOND },
	{ "ss", "59", GS1_LINT_OK },
	/* small value rules */
	{ "zero", "0", GS1_LINT_OK },
	{ "zero", "|1|", GS1_LINT_NOT_ZERO },
	{ "nonzero", "0010", GS1_LINT_OK },
	{ "nonzero", "|0000|", GS1_LINT_ZERO },
	{ "nozeroprefix", "0", GS1_LINT_OK },
	{ "nozeroprefix", "|0|12", GS1_LINT_ZERO_PREFIX },
	{ "yesno", "1", GS1_LINT_OK },
	{ "yesno", "|2|", GS1_LINT_NOT_YES_NO },
	{ "winding", "9", GS1_LINT_OK },
	{ "winding", "|2|", GS1_LINT_WINDING },
	{ "hyphen", "-", GS1_LINT_OK },
	{ "hyphen", "|A|", GS1_LINT_NOT_HYPHEN },
	{ "hasnondigit", "123A", GS1_LINT_OK },
	{ "hasnondigit", "|1234|", GS1_LINT_NO_NON_DIGIT },
	{ "importeridx", "_", GS1_LINT_OK },
	{ "importeridx", "|.|", GS1_LINT_IMPORTER_IDX },
	{ "iso5218", "9", GS1_LINT_OK },
	{ "iso5218", "|3|", GS1_LINT_ISO5218 },
	{ "mediatype", "10", GS1_LINT_OK },
	{ "mediatype", "80", GS1_LINT_OK },
	{ "mediatype", "|11|", GS1_LINT_MEDIA_TYPE },
	{ "mediatype", "|00|", GS1_LINT_MEDIA_TYPE },
	/* code lists */
	{ "iso3166", "840", GS1_LINT_OK },
	{ "iso3166", "004", GS1_LINT_OK },
	{ "iso3166", "894", GS1_LINT_OK },
	{ "iso3166", "|999|", GS1_LINT_ISO3166 },
	{ "iso3166", "|005|", GS1_LINT_ISO3166 },
	{ "iso3166999", "999", GS1_LINT_OK },
	{ "iso3166999", "|998|", GS1_LINT_ISO3166_999 },
	{ "iso3166alpha2", "US", GS1_LINT_OK },
	{ "iso3166alpha2", "|AA|", GS1_LINT_ISO3166_ALPHA2 },
	{ "iso3166list", "840276", GS1_LINT_OK },
	{ "iso3166list", "840|999|", GS1_LINT_ISO3166 },
	{ "iso3166list", "|8402|", GS1_LINT_ISO3166_LIST },
	{ "iso4217", "978", GS1_LINT_OK },
	{ "iso4217", "|000|", GS1_LINT_ISO4217 },
	{ "packagetype", "BX", GS1_LINT_OK },
	{ "packagetype", "8", GS1_LINT_OK },
	{ "packagetype", "X20", GS1_LINT_OK },
	{ "packagetype", "|ZZZ|", GS1_LINT_PACKAGE_TYPE },
	/* IBAN: ISO 13616 */
	{ "iban", "GB82WEST12345698765432", GS1_LINT_OK },
	{ "iban", "DE89370400440532013000", GS1_LINT_OK },
	{ "iban", "GB|83|WEST12345698765432", GS1_LINT_IBAN_CHECK },
	{ "iban", "|XX|82WEST12345698765432", GS1_LINT_IBAN_COUNTRY },
	{ "iban", "GB82|w|EST12345698765432", GS1_LINT_IBAN_CHAR },
	{ "iban", "|GB82|", GS1_LINT_IBAN_SHORT },
	/* pieces, sequences, percent-encoding, geography */
	{ "pieceoftotal", "0102", GS1_LINT_OK },
	{ "pieceoftotal", "|00|02", GS1_LINT_PIECE_ZERO },
	{ "pieceoftotal", "01|00|", GS1_LINT_TOTAL_ZERO },
	{ "pieceoftotal", "|0302|", GS1_LINT_PIECE_EXCEEDS },
	{ "pieceoftotal", "|010|", GS1_LINT_PIECE_LENGTH },
	{ "posinseqslash", "1/2", GS1_LINT_OK },
	{ "posinseqslash", "|3/2|", GS1_LINT_POS_IN_SEQ },
	{ "posinseqslash", "|1-2|", GS1_LINT_POS_IN_SEQ },
	{ "pcenc", "A%20B", GS1_LINT_OK },
	{ "pcenc", "A|%2G|", GS1_LINT_PERCENT },
	{ "pcenc", "AB|%2|", GS1_LINT_PERCENT },
	{ "latitude", "1800000000", GS1_LINT_OK },
	{ "latitude", "|1800000001|", GS1_LINT_LATITUDE },
	{ "longitude", "3600000000", GS1_LINT_OK },
	{ "longitude", "|3600000001|", GS1_LINT_LONGITUDE },
	/*
	 * Coupons.  8110: GCP VLI 0 + 6 digits, offer 6, save VLI 1 + 1,
	 * requirement VLI 1 + 1, code, family 3, then optional fields.
	 */
	{ "couponcode", "012345612345615110123", GS1_LINT_OK },
	{ "couponcode", "0123456123456151101233261231", GS1_LINT_OK },
	{ "couponcode", "01234561234561511012332612314261201", GS1_LINT_OK },
	{ "couponcode", "01234561234561511012332612314|270101|",
	    GS1_LINT_COUPON_DATE_ORDER },
	{ "couponcode", "0123456123456151101233|261232|",
	    GS1_LINT_COUPON_DATE },
	{ "couponcode", "012345612345615110123|8|", GS1_LINT_COUPON_EXCESS },
	{ "couponcode", "0123456123456151101233261231|3261231|",
	    GS1_LINT_COUPON_EXCESS },
	{ "couponcode", "|7|123456", GS1_LINT_COUPON_INVALID },
	{ "couponcode", "01234561234561||", GS1_LINT_COUPON_TRUNCATED },
	{ "couponcode", "|0123456123456|", GS1_LINT_COUPON_MISSING },
	{ "couponcode", "0123456123456151101239|3|001",
	    GS1_LINT_COUPON_INVALID },
	{ "couponcode", "01234561234561511012390001", GS1_LINT_OK },
	{ "couponcode", "01234561234561511012350123456", GS1_LINT_OK },
	{ "couponcode", "0123|A|", GS1_LINT_NOT_DIGIT },
	{ "couponposoffer", "101234561234560000000", GS1_LINT_OK },
	{ "couponposoffer", "|2|", GS1_LINT_COUPON_INVALID },
	{ "couponposoffer", "101234561234560000000|1|",
	    GS1_LINT_COUPON_EXCESS },
};

static void
test_linters(void)
{
	for (size_t i = 0; i < sizeof(lint_cases) / sizeof(lint_cases[0]);
	    i++) {
		char buf[256];
		size_t off, len, pos = 999, elen = 999;
		int r;

		CU_ASSERT_FATAL(test_unmark(lint_cases[i].marked, buf,
		    sizeof(buf), &off, &len) == 0);
		r = gs1_lint_by_name(lint_cases[i].linter, buf, strlen(buf),
		    &pos, &elen);
		if (r != (int)lint_cases[i].want)
			fprintf(stderr, "row %zu: %s '%s': got %s\n", i,
			    lint_cases[i].linter, lint_cases[i].marked,
			    r >= 0 ? gs1_lint_str((enum gs1_lint)r) : "?");
		TEST_INT_EQ(i, r, lint_cases[i].want);
		if (r >= 0)
			seen[r] = true;
		if (lint_cases[i].want != GS1_LINT_OK) {
			TEST_INT_EQ(i, (long long)pos, (long long)off);
			TEST_INT_EQ(i, (long long)elen, (long long)len);
		}
	}
	CU_ASSERT_EQUAL(gs1_lint_by_name("nosuchlinter", "1", 1, NULL, NULL),
	    -1);
}

/* Whole values against their AI's specification (components, lengths). */
static const struct {
	const char	*ai;
	const char	*marked;
	enum gs1_lint	 want;
} value_cases[] = {
	{ "01", "00312345678906", GS1_LINT_OK },
	{ "01", "|0031234567890|", GS1_LINT_TOO_SHORT },
	{ "01", "00312345678906|1|", GS1_LINT_TOO_LONG },
	{ "10", "||", GS1_LINT_EMPTY },
	{ "10", "ABCDEFGHIJKLMNOPQRST|U|", GS1_LINT_TOO_LONG },
	{ "21", "AB| |CD", GS1_LINT_NOT_CSET82 },
	{ "8010", "0614|a|", GS1_LINT_NOT_CSET39 },
	{ "8030", "AB|*|D", GS1_LINT_NOT_CSET64 },
	{ "4309", "1800000000|3600000001|", GS1_LINT_LONGITUDE },
	{ "423", "840|999|", GS1_LINT_ISO3166 },
	{ "423", "840276", GS1_LINT_OK },
	{ "7007", "261231", GS1_LINT_OK },
	{ "7007", "26123126|13|01", GS1_LINT_MONTH },
	{ "7007", "261231|261|", GS1_LINT_TOO_SHORT },
	{ "8001", "123456789|000|11", GS1_LINT_ZERO },
	{ "8003", "|1|0614141123452", GS1_LINT_NOT_ZERO },
	{ "3103", "000|A|25", GS1_LINT_NOT_DIGIT },
};

static void
test_values(void)
{
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]);
	    i++) {
		char buf[256], want[512];
		size_t off, len;
		struct gs1_msg m;
		struct diag d = DIAG_INIT;
		int rc;

		CU_ASSERT_FATAL(test_unmark(value_cases[i].marked, buf,
		    sizeof(buf), &off, &len) == 0);
		gs1_msg_init(&m, NULL);
		rc = gs1_msg_add(&m, value_cases[i].ai, buf, strlen(buf), &d);
		if (value_cases[i].want == GS1_LINT_OK) {
			TEST_INT_EQ(i, rc, 0);
			TEST_STR_EQ(i, d.msg, "");
			continue;
		}
		seen[value_cases[i].want] = true;
		TEST_INT_EQ(i, rc, -1);
		snprintf(want, sizeof(want), "AI (%s): %s: (%s)%.*s|%.*s|%s",
		    value_cases[i].ai, gs1_lint_str(value_cases[i].want),
		    value_cases[i].ai, (int)off, buf, (int)len, buf + off,
		    buf + off + len);
		TEST_STR_EQ(i, d.msg, want);
	}
}

static void
test_coverage(void)
{
	for (int c = 0; c < GS1_LINT_COUNT; c++) {
		if (!seen[c])
			fprintf(stderr, "lint code %d (%s) has no row\n", c,
			    gs1_lint_str((enum gs1_lint)c));
		TEST_INT_EQ((size_t)c, seen[c], true);
	}
}

/* The character-class table against the GenSpecs 7.11 strings. */
static void
test_charsets(void)
{
	static const char cs82[] = "!\"%&'()*+,-./0123456789:;<=>?"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
	static const char cs39[] = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	for (int c = 0; c < 256; c++) {
		bool in82 = c != 0 && strchr(cs82, c) != NULL;
		bool in39 = c != 0 && strchr(cs39, c) != NULL;

		TEST_INT_EQ((size_t)c, gs1_is_cset82((unsigned char)c), in82);
		TEST_INT_EQ((size_t)c, gs1_is_cset39((unsigned char)c), in39);
	}
	TEST_INT_EQ(0, strlen(cs82), 82);
	TEST_INT_EQ(0, strlen(cs39), 39);
}

static void
test_check_digit(void)
{
	static const struct {
		const char	*digits;
		char		 want;
	} cases[] = {
		{ "0031234567890", '6' },
		{ "8061414112345", '8' },
		{ "10614141234567890", '8' },
		{ "061414112345", '2' },
		{ "5031234567890", '1' },
		{ "0030002143380", '2' },
		{ "", '0' },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TEST_INT_EQ(i, gs1_check_digit(cases[i].digits,
		    strlen(cases[i].digits)), cases[i].want);
}

/* Bytes next to the digits: '/' and ':' (0x2f, 0x3a), then others. */
static char
rep_bad(size_t i)
{
	static const char bad[] = "/:\x20\x7f\xb0\x3f\x00\xff";

	return bad[i % (sizeof(bad) - 1)];
}

/*
 * The csum linter (eight digits at a time on little-endian machines)
 * against gs1_check_digit() (one at a time): every data length from 1 to
 * 40, digit strings from a fixed-seed generator, the right check digit
 * and each of the nine wrong ones; and the digits-only and class checks
 * (eight and four bytes at a time) with one bad byte at every position.
 */
static void
test_wide_checks(void)
{
	unsigned long long x = 0x9E3779B97F4A7C15ULL;
	char s[48];
	size_t pos, elen;
	size_t row = 0;

	for (size_t len = 2; len <= 41; len++) {
		for (int rep = 0; rep < 25; rep++, row++) {
			char cd;

			for (size_t i = 0; i < len - 1; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				s[i] = (char)('0' + x % 10);
			}
			cd = gs1_check_digit(s, len - 1);
			for (char c = '0'; c <= '9'; c++) {
				s[len - 1] = c;
				TEST_INT_EQ(row, gs1_lint_by_name("csum", s, len,
				    &pos, &elen), c == cd ? GS1_LINT_OK :
				    GS1_LINT_CHECK_DIGIT);
			}
		}
	}
	for (size_t len = 1; len <= 40; len++) {
		for (size_t bad = 0; bad < len; bad++, row++) {
			memset(s, '7', len);
			s[bad] = rep_bad(bad);
			TEST_INT_EQ(row, gs1_lint_by_name("csetnumeric", s, len,
			    &pos, &elen), GS1_LINT_NOT_DIGIT);
			TEST_INT_EQ(row, pos, bad);
			memset(s, 'a', len);
			s[bad] = ' ';
			TEST_INT_EQ(row, gs1_lint_by_name("cset82", s, len,
			    &pos, &elen), GS1_LINT_NOT_CSET82);
			TEST_INT_EQ(row, pos, bad);
		}
		memset(s, '7', len);
		TEST_INT_EQ(row, gs1_lint_by_name("csetnumeric", s, len, &pos,
		    &elen), GS1_LINT_OK);
	}
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "linters", test_linters },
		{ "values", test_values },
		{ "every lint code has a row", test_coverage },
		{ "character sets", test_charsets },
		{ "check digit", test_check_digit },
		{ "wide checks against the narrow ones", test_wide_checks },
		{ NULL, NULL },
	};

	return test_run("gs1_lint", tests);
}
