/*
 * gs1_lint: the GS1 Barcode Syntax Tests ("linters") named by the Syntax
 * Dictionary, the character sets, and the per-value check that applies an
 * AI's specification (components, lengths, character sets, linters).
 *
 * Each linter is pure: (data, len) in, an enum gs1_lint code out, and on
 * failure the offset and length of the bytes to blame.  No allocation, no
 * I/O, no locale.  Rules: GS1 General Specifications (GenSpecs) 7.9 (check
 * digits: 7.9.1 mod 10, 7.9.5 check character pair), 7.11 (character sets
 * 82, 39, 64: Figures 7.11-1 to 7.11-3), 7.12 (dates); ISO 3166-1, ISO 4217,
 * ISO 13616 (IBAN), ISO/IEC 5218; UN/ECE Recommendation 21 (package types,
 * as GS1's PackageTypeCode list); GS1 AIDC media types (AI 7241); the North
 * American Coupon Application Guideline (AI 8110, 8112).
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "gs1.h"
#include "gs1_int.h"

/*
 * Character classes of the 128 ASCII bytes (bytes >= 0x80 are in none):
 * GS1_CC_N digits; GS1_CC_X CSET 82 = !"%&'()*+,-./0-9:;<=>?A-Z_a-z;
 * GS1_CC_Y CSET 39 = #-/0-9A-Z; GS1_CC_Z CSET 64 = A-Za-z0-9-_ (the '='
 * pad is handled by the cset64 check); GS1_CC_HEX 0-9A-Fa-f.
 * tests/unit/test_gs1_lint.c checks this table against those strings.
 */
const uint8_t gs1_cclass[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 00 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 08 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 18 */
	0x00, 0x02, 0x02, 0x04, 0x00, 0x02, 0x02, 0x02,	/* 20 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x0e, 0x02, 0x06,	/* 28 */
	0x1f, 0x1f, 0x1f, 0x1f, 0x1f, 0x1f, 0x1f, 0x1f,	/* 30 */
	0x1f, 0x1f, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* 38 */
	0x00, 0x1e, 0x1e, 0x1e, 0x1e, 0x1e, 0x1e, 0x0e,	/* 40 */
	0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e,	/* 48 */
	0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e,	/* 50 */
	0x0e, 0x0e, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x0a,	/* 58 */
	0x00, 0x1a, 0x1a, 0x1a, 0x1a, 0x1a, 0x1a, 0x0a,	/* 60 */
	0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a,	/* 68 */
	0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a,	/* 70 */
	0x0a, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 78 */
};

static const char *const lint_text[GS1_LINT_COUNT] = {
#define GS1_LINT_TEXT(id, text)	text,
	GS1_LINT_CODES(GS1_LINT_TEXT)
#undef GS1_LINT_TEXT
};

const char *
gs1_lint_str(enum gs1_lint code)
{
	if ((unsigned)code >= GS1_LINT_COUNT)
		return "unknown problem";
	return lint_text[code];
}

bool
gs1_is_cset82(unsigned char c)
{
	return (gs1_cclass[c] & GS1_CC_X) != 0;
}

bool
gs1_is_cset39(unsigned char c)
{
	return (gs1_cclass[c] & GS1_CC_Y) != 0;
}

int
gs1_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Blame `elen` bytes at `pos` and return `code`. */
static enum gs1_lint
blame(enum gs1_lint code, size_t p, size_t l, size_t *pos, size_t *elen)
{
	*pos = p;
	*elen = l;
	return code;
}

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

static unsigned
num(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* Are the 8 bytes at s all digits (0x30-0x39)?  No carry crosses a byte. */
static bool
digits8(const char *s)
{
	const uint64_t hi = 0xF0F0F0F0F0F0F0F0ULL, d = 0x3030303030303030ULL;
	uint64_t x;

	memcpy(&x, s, sizeof(x));
	return (x & hi) == d && ((x + 0x0606060606060606ULL) & hi) == d;
}

/* Are s[0 .. len) all digits?  (Eight at a time from 8 bytes on.) */
static inline bool
all_digits(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 8) {
		for (; i + 8 <= len; i += 8)
			if (!digits8(s + i))
				return false;
		return i == len || digits8(s + len - 8);
	}
	for (; i < len; i++)
		if (!digit(s[i]))
			return false;
	return true;
}

static enum gs1_lint
digits_only(const char *s, size_t len, size_t *pos, size_t *elen)
{
	if (all_digits(s, len))
		return GS1_LINT_OK;
	for (size_t i = 0; i < len; i++)
		if (!digit(s[i]))
			return blame(GS1_LINT_NOT_DIGIT, i, 1, pos, elen);
	return GS1_LINT_OK;
}

/*
 * Every byte of s in character class `bit` (gs1_cclass)?  The classes of
 * all bytes are ANDed first, four at a time; the first bad byte is looked
 * for only when there is one.
 */
static inline enum gs1_lint
cset_only(const char *s, size_t len, uint8_t bit, enum gs1_lint code,
    size_t *pos, size_t *elen)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned acc = 0xff;
	size_t i = 0;

	if (bit == GS1_CC_N)
		return digits_only(s, len, pos, elen);
	for (; i + 4 <= len; i += 4)
		acc &= (unsigned)(gs1_cclass[u[i]] & gs1_cclass[u[i + 1]] &
		    gs1_cclass[u[i + 2]] & gs1_cclass[u[i + 3]]);
	for (; i < len; i++)
		acc &= gs1_cclass[u[i]];
	if ((acc & bit) != 0)
		return GS1_LINT_OK;
	for (i = 0; i < len; i++)
		if ((gs1_cclass[u[i]] & bit) == 0)
			break;
	return blame(code, i, 1, pos, elen);
}

/* CSET 64 (base64url, GenSpecs Figure 7.11-3): '=' pads only at the end. */
static enum gs1_lint
lint_cset64(const char *s, size_t len, size_t *pos, size_t *elen)
{
	size_t n = len, pad;

	while (n > 0 && s[n - 1] == '=')
		n--;
	pad = len - n;
	for (size_t i = 0; i < n; i++)
		if ((gs1_cclass[(unsigned char)s[i]] & GS1_CC_Z) == 0)
			return blame(GS1_LINT_NOT_CSET64, i, 1, pos, elen);
	if (pad > 0 && (pad > 2 || len % 4 != 0))
		return blame(GS1_LINT_CSET64_PADDING, n, pad, pos, elen);
	return GS1_LINT_OK;
}

char
gs1_check_digit(const char *digits, size_t len)
{
	unsigned s3 = 0, s1 = 0;
	size_t i = len;

	/* GenSpecs 7.9.1: weights 3, 1, 3, ... from the right. */
	for (; i >= 2; i -= 2) {
		s3 += (unsigned)(digits[i - 1] - '0');
		s1 += (unsigned)(digits[i - 2] - '0');
	}
	if (i == 1)
		s3 += (unsigned)(digits[0] - '0');
	return (char)('0' + (10 - (3 * s3 + s1) % 10) % 10);
}

/*
 * gs1_check_digit() of bytes known to be digits.  On little-endian
 * machines eight at a time from the right: in each group the weights are
 * 1, 3, 1, 3 ... by address (the rightmost digit of the data weighs 3),
 * and one multiplication sums the weighted bytes into the top byte (at
 * most 8 * 3 * 9 = 216 in any byte, so no carry crosses one).
 */
static char
check_digit_of_digits(const char *digits, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	unsigned sum = 0, s3 = 0, s1 = 0;
	size_t i = len;

	for (; i >= 8; i -= 8) {
		uint64_t x;

		memcpy(&x, digits + i - 8, sizeof(x));
		x -= 0x3030303030303030ULL;
		sum += (unsigned)((x * 0x0103010301030103ULL) >> 56);
	}
	for (; i >= 2; i -= 2) {
		s3 += (unsigned)(digits[i - 1] - '0');
		s1 += (unsigned)(digits[i - 2] - '0');
	}
	if (i == 1)
		s3 += (unsigned)(digits[0] - '0');
	sum += 3 * s3 + s1;
	return (char)('0' + (10 - sum % 10) % 10);
#else
	return gs1_check_digit(digits, len);
#endif
}

/* The mod-10 check digit of digits already checked to be digits. */
static enum gs1_lint
csum_digits(const char *s, size_t len, size_t *pos, size_t *elen)
{
	if (len < 2)
		return blame(GS1_LINT_TOO_SHORT_CHECK, 0, len, pos, elen);
	if (check_digit_of_digits(s, len - 1) != s[len - 1])
		return blame(GS1_LINT_CHECK_DIGIT, len - 1, 1, pos, elen);
	return GS1_LINT_OK;
}

static enum gs1_lint
lint_csum(const char *s, size_t len, size_t *pos, size_t *elen)
{
	enum gs1_lint r;

	if ((r = digits_only(s, len, pos, elen)) != GS1_LINT_OK)
		return r;
	return csum_digits(s, len, pos, elen);
}

/*
 * GenSpecs 7.9.5: check character pair over CSET 82 data.  Each data
 * character's value is its position in CSET 82 order; weights are the
 * primes 2, 3, 5, ... from the right; the sum mod 1021 split into two
 * 5-bit halves indexes CSET 32.
 */
static enum gs1_lint
lint_csumalpha(const char *s, size_t len, size_t *pos, size_t *elen)
{
	static const char order82[] =
	    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
	    "abcdefghijklmnopqrstuvwxyz";
	static const char cset32[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	static const uint16_t primes[] = {
		2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53,
		59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113,
		127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181,
		191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251,
		257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317,
		331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397,
		401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463,
		467, 479, 487, 491, 499, 503, 509,
	};
	unsigned long sum = 0;

	if (len < 2)
		return blame(GS1_LINT_TOO_SHORT_PAIR, 0, len, pos, elen);
	if (len - 2 > sizeof(primes) / sizeof(primes[0]))
		return blame(GS1_LINT_TOO_LONG_PAIR, 0, len, pos, elen);
	for (size_t i = 0; i < len - 2; i++) {
		const char *p = s[i] ? memchr(order82, s[i], sizeof(order82) -
		    1) : NULL;

		if (p == NULL)
			return blame(GS1_LINT_NOT_CSET82, i, 1, pos, elen);
		sum += (unsigned long)(p - order82) * primes[len - 3 - i];
	}
	for (size_t i = len - 2; i < len; i++)
		if (s[i] == '\0' || memchr(cset32, s[i], 32) == NULL)
			return blame(GS1_LINT_CHECK_PAIR, i, 1, pos, elen);
	sum %= 1021;
	if (s[len - 2] != cset32[sum >> 5] || s[len - 1] != cset32[sum & 31])
		return blame(GS1_LINT_CHECK_PAIR, len - 2, 2, pos, elen);
	return GS1_LINT_OK;
}

/*
 * gcppos1 / gcppos2 / key: the data (from its first / second character)
 * starts with a GS1 Company Prefix.  Without a GCP registry we can check
 * only what every prefix has: at least 4 characters, all digits
 * (GenSpecs 1.4.4: GCPs are 4 to 12 digits).
 */
static enum gs1_lint
lint_gcp(const char *s, size_t len, size_t off, size_t *pos, size_t *elen)
{
	if (len < off + 4)
		return blame(GS1_LINT_TOO_SHORT_GCP, 0, len, pos, elen);
	for (size_t i = off; i < off + 4; i++)
		if (!digit(s[i]))
			return blame(GS1_LINT_BAD_GCP, off, 4, pos, elen);
	return GS1_LINT_OK;
}

/*
 * Dates: YYMMDD (yymmdd, yymmd0) or YYYYMMDD (yyyymmdd, yyyymmd0); "d0"
 * permits day 00 (GenSpecs 7.12: no day given).  For the Feb 29 test a YY
 * year is taken as 20YY: a leap year in 2000-2099 exactly when YY % 4 == 0.
 */
static enum gs1_lint
lint_date(const char *s, size_t len, size_t ylen, bool day00, bool digits,
    size_t *pos, size_t *elen)
{
	enum gs1_lint r;
	unsigned y, m, dd;

	if (len < ylen + 4)
		return blame(GS1_LINT_DATE_SHORT, 0, len, pos, elen);
	if (len > ylen + 4)
		return blame(GS1_LINT_DATE_LONG, 0, len, pos, elen);
	if (!digits && (r = digits_only(s, len, pos, elen)) != GS1_LINT_OK)
		return r;
	y = num(s, ylen);
	if (ylen == 2)
		y += 2000;
	m = num(s + ylen, 2);
	dd = num(s + ylen + 2, 2);
	if (m < 1 || m > 12)
		return blame(GS1_LINT_MONTH, ylen, 2, pos, elen);
	if ((dd == 0 && !day00) || dd > gs1_days_in_month(y, m))
		return blame(GS1_LINT_DAY, ylen + 2, 2, pos, elen);
	return GS1_LINT_OK;
}

/* Two-digit clock fields: hh (00-23), mi and ss (00-59). */
static enum gs1_lint
lint_clock(const char *s, size_t len, unsigned max, enum gs1_lint code,
    size_t *pos, size_t *elen)
{
	enum gs1_lint r;

	if (len != 2)
		return blame(GS1_LINT_TIME_LENGTH, 0, len, pos, elen);
	if ((r = digits_only(s, len, pos, elen)) != GS1_LINT_OK)
		return r;
	if (num(s, 2) > max)
		return blame(code, 0, 2, pos, elen);
	return GS1_LINT_OK;
}

static enum gs1_lint
lint_hhmi(const char *s, size_t len, size_t *pos, size_t *elen)
{
	enum gs1_lint r;

	if (len != 4)
		return blame(GS1_LINT_TIME_LENGTH, 0, len, pos, elen);
	if ((r = digits_only(s, len, pos, elen)) != GS1_LINT_OK)
		return r;
	if (num(s, 2) > 23)
		return blame(GS1_LINT_HOUR, 0, 2, pos, elen);
	if (num(s + 2, 2) > 59)
		return blame(GS1_LINT_MINUTE, 2, 2, pos, elen);
	return GS1_LINT_OK;
}

/* Binary search of a sorted list of NUL-terminated codes. */
static bool
in_list(const char (*list)[4], size_t n, const char *s, size_t len)
{
	size_t lo = 0, hi = n;

	if (len == 0 || len > 3)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(list[mid], s, len);

		if (c == 0 && list[mid][len] != '\0')
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else if (c > 0)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* ISO 3166-1 numeric country codes. */
static const char iso3166_num[][4] = {
	"004", "008", "010", "012", "016", "020", "024", "028", "031", "032",
	"036", "040", "044", "048", "050", "051", "052", "056", "060", "064",
	"068", "070", "072", "074", "076", "084", "086", "090", "092", "096",
	"100", "104", "108", "112", "116", "120", "124", "132", "136", "140",
	"144", "148", "152", "156", "158", "162", "166", "170", "174", "175",
	"178", "180", "184", "188", "191", "192", "196", "203", "204", "208",
	"212", "214", "218", "222", "226", "231", "232", "233", "234", "238",
	"239", "242", "246", "248", "250", "254", "258", "260", "262", "266",
	"268", "270", "275", "276", "288", "292", "296", "300", "304", "308",
	"312", "316", "320", "324", "328", "332", "334", "336", "340", "344",
	"348", "352", "356", "360", "364", "368", "372", "376", "380", "384",
	"388", "392", "398", "400", "404", "408", "410", "414", "417", "418",
	"422", "426", "428", "430", "434", "438", "440", "442", "446", "450",
	"454", "458", "462", "466", "470", "474", "478", "480", "484", "492",
	"496", "498", "499", "500", "504", "508", "512", "516", "520", "524",
	"528", "531", "533", "534", "535", "540", "548", "554", "558", "562",
	"566", "570", "574", "578", "580", "581", "583", "584", "585", "586",
	"591", "598", "600", "604", "608", "612", "616", "620", "624", "626",
	"630", "634", "638", "642", "643", "646", "652", "654", "659", "660",
	"662", "663", "666", "670", "674", "678", "682", "686", "688", "690",
	"694", "702", "703", "704", "705", "706", "710", "716", "724", "728",
	"729", "732", "740", "744", "748", "752", "756", "760", "762", "764",
	"768", "772", "776", "780", "784", "788", "792", "795", "796", "798",
	"800", "804", "807", "818", "826", "831", "832", "833", "834", "840",
	"850", "854", "858", "860", "862", "876", "882", "887", "894",
};

/* ISO 3166-1 alpha-2 country codes. */
static const char iso3166_alpha2[][4] = {
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT",
	"AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI",
	"BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
	"BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
	"CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
	"DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
	"FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL",
	"GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
	"HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
	"IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
	"KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS",
	"LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
	"ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW",
	"MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP",
	"NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
	"PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
	"SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
	"SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
	"TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
	"TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
	"VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

/* ISO 4217 numeric currency codes. */
static const char iso4217_num[][4] = {
	"008", "012", "032", "036", "044", "048", "050", "051", "052", "060",
	"064", "068", "072", "084", "090", "096", "104", "108", "116", "124",
	"132", "136", "144", "152", "156", "170", "174", "188", "191", "192",
	"203", "208", "214", "222", "230", "232", "238", "242", "262", "270",
	"292", "320", "324", "328", "332", "340", "344", "348", "352", "356",
	"360", "364", "368", "376", "388", "392", "398", "400", "404", "408",
	"410", "414", "417", "418", "422", "426", "430", "434", "446", "454",
	"458", "462", "480", "484", "496", "498", "504", "512", "516", "524",
	"532", "533", "548", "554", "558", "566", "578", "586", "590", "598",
	"600", "604", "608", "634", "643", "646", "654", "682", "690", "694",
	"702", "704", "706", "710", "728", "748", "752", "756", "760", "764",
	"776", "780", "784", "788", "800", "807", "818", "826", "834", "840",
	"858", "860", "882", "886", "901", "925", "927", "928", "929", "930",
	"931", "932", "933", "934", "936", "938", "940", "941", "943", "944",
	"946", "947", "948", "949", "950", "951", "952", "953", "955", "956",
	"957", "958", "959", "960", "961", "962", "963", "964", "965", "967",
	"968", "969", "970", "971", "972", "973", "975", "976", "977", "978",
	"979", "980", "981", "984", "985", "986", "990", "994", "997", "999",
};

/* GS1 PackageTypeCode (UN/ECE Recommendation 21 and GS1 additions). */
static const char package_types[][4] = {
	"1A", "1B", "1D", "1F", "1G", "1W", "200", "201", "202", "203", "204",
	"205", "206", "210", "211", "212", "2C", "3A", "3H", "43", "44", "4A",
	"4B", "4C", "4D", "4F", "4G", "4H", "5H", "5L", "5M", "6H", "6P", "7A",
	"7B", "8", "8A", "8B", "8C", "9", "AA", "AB", "AC", "AD", "AF", "AG",
	"AH", "AI", "AJ", "AL", "AM", "AP", "APE", "AT", "AV", "B4", "BB", "BC",
	"BD", "BE", "BF", "BG", "BGE", "BH", "BI", "BJ", "BK", "BL", "BM",
	"BME", "BN", "BO", "BP", "BQ", "BR", "BRI", "BS", "BT", "BU", "BV",
	"BW", "BX", "BY", "BZ", "CA", "CB", "CBL", "CC", "CCE", "CD", "CE",
	"CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CQ",
	"CR", "CS", "CT", "CU", "CV", "CW", "CX", "CY", "CZ", "DA", "DB", "DC",
	"DG", "DH", "DI", "DJ", "DK", "DL", "DM", "DN", "DP", "DPE", "DR", "DS",
	"DT", "DU", "DV", "DW", "DX", "DY", "E1", "E2", "E3", "EC", "ED", "EE",
	"EF", "EG", "EH", "EI", "EN", "FB", "FC", "FD", "FE", "FI", "FL", "FO",
	"FOB", "FP", "FPE", "FR", "FT", "FW", "FX", "GB", "GI", "GL", "GR",
	"GU", "GY", "GZ", "HA", "HB", "HC", "HG", "HN", "HR", "IA", "IB", "IC",
	"ID", "IE", "IF", "IG", "IH", "IK", "IL", "IN", "IZ", "JB", "JC", "JG",
	"JR", "JT", "JY", "KG", "KI", "LAB", "LE", "LG", "LT", "LU", "LV", "LZ",
	"MA", "MB", "MC", "ME", "MPE", "MR", "MS", "MT", "MW", "MX", "NA", "NE",
	"NF", "NG", "NS", "NT", "NU", "NV", "OA", "OB", "OC", "OD", "OE", "OF",
	"OK", "OPE", "OT", "OU", "P2", "PA", "PAE", "PB", "PC", "PD", "PE",
	"PF", "PG", "PH", "PI", "PJ", "PK", "PL", "PLP", "PN", "PO", "POP",
	"PP", "PPE", "PR", "PT", "PU", "PUE", "PV", "PX", "PY", "PZ", "QA",
	"QB", "QC", "QD", "QF", "QG", "QH", "QJ", "QK", "QL", "QM", "QN", "QP",
	"QQ", "QR", "QS", "RB1", "RB2", "RB3", "RCB", "RD", "RG", "RJ", "RK",
	"RL", "RO", "RT", "RZ", "S1", "SA", "SB", "SC", "SD", "SE", "SEC", "SH",
	"SI", "SK", "SL", "SM", "SO", "SP", "SS", "ST", "STL", "SU", "SV", "SW",
	"SX", "SY", "SZ", "T1", "TB", "TC", "TD", "TE", "TEV", "TG", "THE",
	"TI", "TK", "TL", "TN", "TO", "TR", "TRE", "TS", "TT", "TTE", "TU",
	"TV", "TW", "TWE", "TY", "TZ", "UC", "UN", "UUE", "VA", "VG", "VI",
	"VK", "VL", "VN", "VO", "VP", "VQ", "VR", "VS", "VY", "WA", "WB", "WC",
	"WD", "WF", "WG", "WH", "WJ", "WK", "WL", "WM", "WN", "WP", "WQ", "WR",
	"WRP", "WS", "WT", "WU", "WV", "WW", "WX", "WY", "WZ", "X11", "X12",
	"X15", "X16", "X17", "X18", "X19", "X20", "X3", "XA", "XB", "XC", "XD",
	"XF", "XG", "XH", "XJ", "XK", "YA", "YB", "YC", "YD", "YF", "YG", "YH",
	"YJ", "YK", "YL", "YM", "YN", "YP", "YQ", "YR", "YS", "YT", "YV", "YW",
	"YX", "YY", "YZ", "ZA", "ZB", "ZC", "ZD", "ZF", "ZG", "ZH", "ZJ", "ZK",
	"ZL", "ZM", "ZN", "ZP", "ZQ", "ZR", "ZS", "ZT", "ZU", "ZV", "ZW", "ZX",
	"ZY", "ZZ",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static enum gs1_lint
lint_list(const char (*list)[4], size_t n, enum gs1_lint code,
    const char *s, size_t len, size_t *pos, size_t *elen)
{
	if (!in_list(list, n, s, len))
		return blame(code, 0, len, pos, elen);
	return GS1_LINT_OK;
}

/* ISO 13616: country, check digits, BBAN; rotated, mod 97 must be 1. */
static enum gs1_lint
lint_iban(const char *s, size_t len, size_t *pos, size_t *elen)
{
	unsigned r = 0;

	if (len < 5)
		return blame(GS1_LINT_IBAN_SHORT, 0, len, pos, elen);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!digit(c) && !(c >= 'A' && c <= 'Z'))
			return blame(GS1_LINT_IBAN_CHAR, i, 1, pos, elen);
	}
	if (!in_list(iso3166_alpha2, NELEM(iso3166_alpha2), s, 2))
		return blame(GS1_LINT_IBAN_COUNTRY, 0, 2, pos, elen);
	if (!digit(s[2]) || !digit(s[3]))
		return blame(GS1_LINT_IBAN_CHAR, digit(s[2]) ? 3 : 2, 1, pos,
		    elen);
	for (size_t k = 0; k < len; k++) {
		char c = s[(k + 4) % len];

		if (digit(c))
			r = (r * 10 + (unsigned)(c - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	if (r != 1)
		return blame(GS1_LINT_IBAN_CHECK, 2, 2, pos, elen);
	return GS1_LINT_OK;
}

/* Piece of total (AI 8006, 8026): NNNN = piece NN of total NN. */
static enum gs1_lint
lint_pieceoftotal(const char *s, size_t len, size_t *pos, size_t *elen)
{
	enum gs1_lint r;
	size_t h = len / 2;
	unsigned piece, total;

	if ((r = digits_only(s, len, pos, elen)) != GS1_LINT_OK)
		return r;
	if (len == 0 || len % 2 != 0)
		return blame(GS1_LINT_PIECE_LENGTH, 0, len, pos, elen);
	piece = num(s, h);
	total = num(s + h, h);
	if (piece == 0)
		return blame(GS1_LINT_PIECE_ZERO, 0, h, pos, elen);
	if (total == 0)
		return blame(GS1_LINT_TOTAL_ZERO, h, h, pos, elen);
	if (piece > total)
		return blame(GS1_LINT_PIECE_EXCEEDS, 0, len, pos, elen);
	return GS1_LINT_OK;
}

/* Position in sequence (AI 7258): "N/M", 1 <= N <= M. */
static enum gs1_lint
lint_posinseqslash(const char *s, size_t len, size_t *pos, size_t *elen)
{
	const char *sl = memchr(s, '/', len);
	size_t a, b;

	if (sl == NULL)
		return blame(GS1_LINT_POS_IN_SEQ, 0, len, pos, elen);
	a = (size_t)(sl - s);
	b = len - a - 1;
	for (size_t i = 0; i < len; i++)
		if (i != a && !digit(s[i]))
			return blame(GS1_LINT_POS_IN_SEQ, i, 1, pos, elen);
	if (a == 0 || b == 0 || num(s, a) == 0)
		return blame(GS1_LINT_POS_IN_SEQ, 0, len, pos, elen);
	if (num(s, a) > num(sl + 1, b))
		return blame(GS1_LINT_POS_IN_SEQ, 0, len, pos, elen);
	return GS1_LINT_OK;
}

static enum gs1_lint
lint_pcenc(const char *s, size_t len, size_t *pos, size_t *elen)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%')
			continue;
		if (i + 2 >= len)
			return blame(GS1_LINT_PERCENT, i, len - i, pos, elen);
		if ((gs1_cclass[(unsigned char)s[i + 1]] & GS1_CC_HEX) == 0 ||
		    (gs1_cclass[(unsigned char)s[i + 2]] & GS1_CC_HEX) == 0)
			return blame(GS1_LINT_PERCENT, i, 3, pos, elen);
		i += 2;
	}
	return GS1_LINT_OK;
}

/* Latitude (0..1800000000) and longitude (0..3600000000), N10 each. */
static enum gs1_lint
lint_geo(const char *s, size_t len, unsigned long max, enum gs1_lint code,
    size_t *pos, size_t *elen)
{
	enum gs1_lint r;
	unsigned long v = 0;

	if ((r = digits_only(s, len, pos, elen)) != GS1_LINT_OK)
		return r;
	if (len != 10)
		return blame(code, 0, len, pos, elen);
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (v > max)
		return blame(code, 0, len, pos, elen);
	return GS1_LINT_OK;
}

/*
 * A coupon field: a one-digit VLI (`lo`..`hi`) then VLI + `add` digits.
 * Moves *p past it.
 */
static enum gs1_lint
coupon_vli(const char *s, size_t len, size_t *p, char lo, char hi,
    size_t add, size_t *pos, size_t *elen)
{
	size_t n;

	if (*p >= len)
		return blame(GS1_LINT_COUPON_MISSING, 0, len, pos, elen);
	if (s[*p] < lo || s[*p] > hi)
		return blame(GS1_LINT_COUPON_INVALID, *p, 1, pos, elen);
	n = (size_t)(s[*p] - '0') + add;
	(*p)++;
	if (len - *p < n)
		return blame(GS1_LINT_COUPON_TRUNCATED, *p, len - *p, pos,
		    elen);
	*p += n;
	return GS1_LINT_OK;
}

static enum gs1_lint
coupon_digit(const char *s, size_t len, size_t *p, const char *allowed,
    size_t *pos, size_t *elen)
{
	if (*p >= len)
		return blame(GS1_LINT_COUPON_MISSING, 0, len, pos, elen);
	if (allowed != NULL && strchr(allowed, s[*p]) == NULL)
		return blame(GS1_LINT_COUPON_INVALID, *p, 1, pos, elen);
	(*p)++;
	return GS1_LINT_OK;
}

static enum gs1_lint
coupon_fixed(const char *s, size_t len, size_t *p, size_t n, size_t *pos,
    size_t *elen)
{
	(void)s;
	if (len - *p < n)
		return blame(GS1_LINT_COUPON_TRUNCATED, *p, len - *p, pos,
		    elen);
	*p += n;
	return GS1_LINT_OK;
}

#define TRY(x)	do { if ((r = (x)) != GS1_LINT_OK) return r; } while (0)

/*
 * AI (8110): the North American Coupon Code.  Mandatory: primary GCP
 * (VLI 0-6, + 6), offer code (6), save value (VLI 1-5), primary purchase
 * requirement (VLI 1-5), its code (0-4, 9) and family code (3).  Then the
 * optional fields, each introduced by its number, in ascending order:
 * 1 additional rules (code 0-3, 2nd requirement VLI 1-5, code, family
 * code, GCP VLI 0-6 or 9); 2 third purchase (requirement VLI 1-5, code,
 * family code, GCP VLI 0-6 or 9); 3 expiration date; 4 start date (not
 * after the expiration date); 5 serial number (VLI 0-9, + 6); 6 retailer
 * GCP/GLN (VLI 1-7, + 6); 9 save value code (0, 1, 2, 5, 6), applies to
 * item (0-2), store coupon flag, don't multiply flag (0, 1).
 */
static enum gs1_lint
lint_couponcode(const char *s, size_t len, size_t *pos, size_t *elen)
{
	enum gs1_lint r;
	size_t p = 0, exp_at = 0;
	int last = 0;
	bool have_exp = false;

	TRY(digits_only(s, len, pos, elen));
	TRY(coupon_vli(s, len, &p, '0', '6', 6, pos, elen));
	TRY(coupon_fixed(s, len, &p, 6, pos, elen));
	TRY(coupon_vli(s, len, &p, '1', '5', 0, pos, elen));
	TRY(coupon_vli(s, len, &p, '1', '5', 0, pos, elen));
	TRY(coupon_digit(s, len, &p, "012349", pos, elen));
	TRY(coupon_fixed(s, len, &p, 3, pos, elen));
	while (p < len) {
		int f = s[p] - '0';
		size_t at = p;

		if (f <= last || (f > 6 && f != 9))
			return blame(GS1_LINT_COUPON_EXCESS, p, len - p, pos,
			    elen);
		last = f;
		p++;
		switch (f) {
		case 1:
			TRY(coupon_digit(s, len, &p, "0123", pos, elen));
			TRY(coupon_vli(s, len, &p, '1', '5', 0, pos, elen));
			TRY(coupon_digit(s, len, &p, "012349", pos, elen));
			TRY(coupon_fixed(s, len, &p, 3, pos, elen));
			if (p < len && s[p] == '9') {
				p++;
				break;
			}
			TRY(coupon_vli(s, len, &p, '0', '6', 6, pos, elen));
			break;
		case 2:
			TRY(coupon_vli(s, len, &p, '1', '5', 0, pos, elen));
			TRY(coupon_digit(s, len, &p, "012349", pos, elen));
			TRY(coupon_fixed(s, len, &p, 3, pos, elen));
			if (p < len && s[p] == '9') {
				p++;
				break;
			}
			TRY(coupon_vli(s, len, &p, '0', '6', 6, pos, elen));
			break;
		case 3:
		case 4: {
			size_t dp, dl;

			if (len - p < 6)
				return blame(GS1_LINT_COUPON_TRUNCATED, p,
				    len - p, pos, elen);
			if (lint_date(s + p, 6, 2, false, false, &dp, &dl) !=
			    GS1_LINT_OK)
				return blame(GS1_LINT_COUPON_DATE, p, 6, pos,
				    elen);
			if (f == 3) {
				have_exp = true;
				exp_at = p;
			} else if (have_exp &&
			    memcmp(s + exp_at, s + p, 6) < 0) {
				return blame(GS1_LINT_COUPON_DATE_ORDER, p, 6,
				    pos, elen);
			}
			p += 6;
			break;
		}
		case 5:
			TRY(coupon_vli(s, len, &p, '0', '9', 6, pos, elen));
			break;
		case 6:
			TRY(coupon_vli(s, len, &p, '1', '7', 6, pos, elen));
			break;
		case 9:
			TRY(coupon_digit(s, len, &p, "01256", pos, elen));
			TRY(coupon_digit(s, len, &p, "012", pos, elen));
			TRY(coupon_digit(s, len, &p, NULL, pos, elen));
			TRY(coupon_digit(s, len, &p, "01", pos, elen));
			break;
		default:
			return blame(GS1_LINT_COUPON_EXCESS, at, len - at, pos,
			    elen);
		}
	}
	return GS1_LINT_OK;
}

/*
 * AI (8112): the positive offer file coupon.  Format code (0 or 1),
 * funder (VLI 0-6, + 6), offer code (6), serial number (VLI 0-9, + 6);
 * nothing after.
 */
static enum gs1_lint
lint_couponposoffer(const char *s, size_t len, size_t *pos, size_t *elen)
{
	enum gs1_lint r;
	size_t p = 0;

	TRY(digits_only(s, len, pos, elen));
	TRY(coupon_digit(s, len, &p, "01", pos, elen));
	TRY(coupon_vli(s, len, &p, '0', '6', 6, pos, elen));
	TRY(coupon_fixed(s, len, &p, 6, pos, elen));
	TRY(coupon_vli(s, len, &p, '0', '9', 6, pos, elen));
	if (p < len)
		return blame(GS1_LINT_COUPON_EXCESS, p, len - p, pos, elen);
	return GS1_LINT_OK;
}

/* A list of ISO 3166 numeric codes, 3 digits each. */
static enum gs1_lint
lint_iso3166list(const char *s, size_t len, size_t *pos, size_t *elen)
{
	if (len == 0 || len % 3 != 0)
		return blame(GS1_LINT_ISO3166_LIST, 0, len, pos, elen);
	for (size_t i = 0; i < len; i += 3)
		if (!in_list(iso3166_num, NELEM(iso3166_num), s + i, 3))
			return blame(GS1_LINT_ISO3166, i, 3, pos, elen);
	return GS1_LINT_OK;
}

enum gs1_lint
gs1_lint_run(enum gs1_linter id, const char *s, size_t len, size_t *pos,
    size_t *elen)
{
	enum gs1_lint r;

	switch (id) {
	case GS1_LINTER_NONE:
		return GS1_LINT_OK;
	case GS1_LINTER_COUPONCODE:
		return lint_couponcode(s, len, pos, elen);
	case GS1_LINTER_COUPONPOSOFFER:
		return lint_couponposoffer(s, len, pos, elen);
	case GS1_LINTER_CSET39:
		return cset_only(s, len, GS1_CC_Y, GS1_LINT_NOT_CSET39, pos,
		    elen);
	case GS1_LINTER_CSET64:
		return lint_cset64(s, len, pos, elen);
	case GS1_LINTER_CSET82:
		return cset_only(s, len, GS1_CC_X, GS1_LINT_NOT_CSET82, pos,
		    elen);
	case GS1_LINTER_CSETNUMERIC:
		return digits_only(s, len, pos, elen);
	case GS1_LINTER_CSUM:
		return lint_csum(s, len, pos, elen);
	case GS1_LINTER_CSUMALPHA:
		return lint_csumalpha(s, len, pos, elen);
	case GS1_LINTER_GCPPOS1:
	case GS1_LINTER_KEY:
		return lint_gcp(s, len, 0, pos, elen);
	case GS1_LINTER_GCPPOS2:
		return lint_gcp(s, len, 1, pos, elen);
	case GS1_LINTER_HASNONDIGIT:
		for (size_t i = 0; i < len; i++)
			if (!digit(s[i]))
				return GS1_LINT_OK;
		return blame(GS1_LINT_NO_NON_DIGIT, 0, len, pos, elen);
	case GS1_LINTER_HH:
		return lint_clock(s, len, 23, GS1_LINT_HOUR, pos, elen);
	case GS1_LINTER_HHMI:
	case GS1_LINTER_HHMM:
		return lint_hhmi(s, len, pos, elen);
	case GS1_LINTER_HYPHEN:
		for (size_t i = 0; i < len; i++)
			if (s[i] != '-')
				return blame(GS1_LINT_NOT_HYPHEN, i, 1, pos,
				    elen);
		return GS1_LINT_OK;
	case GS1_LINTER_IBAN:
		return lint_iban(s, len, pos, elen);
	case GS1_LINTER_IMPORTERIDX:
		/* GenSpecs 3.9.x, AI 7040: one of 0-9 A-Z a-z - _ */
		if (len != 1)
			return blame(GS1_LINT_IMPORTER_IDX, 0, len, pos, elen);
		if (!digit(s[0]) && !(s[0] >= 'A' && s[0] <= 'Z') &&
		    !(s[0] >= 'a' && s[0] <= 'z') && s[0] != '-' &&
		    s[0] != '_')
			return blame(GS1_LINT_IMPORTER_IDX, 0, 1, pos, elen);
		return GS1_LINT_OK;
	case GS1_LINTER_ISO3166:
		return lint_list(iso3166_num, NELEM(iso3166_num),
		    GS1_LINT_ISO3166, s, len, pos, elen);
	case GS1_LINTER_ISO3166999:
		if (len == 3 && memcmp(s, "999", 3) == 0)
			return GS1_LINT_OK;
		return lint_list(iso3166_num, NELEM(iso3166_num),
		    GS1_LINT_ISO3166_999, s, len, pos, elen);
	case GS1_LINTER_ISO3166ALPHA2:
		return lint_list(iso3166_alpha2, NELEM(iso3166_alpha2),
		    GS1_LINT_ISO3166_ALPHA2, s, len, pos, elen);
	case GS1_LINTER_ISO3166LIST:
		return lint_iso3166list(s, len, pos, elen);
	case GS1_LINTER_ISO4217:
		return lint_list(iso4217_num, NELEM(iso4217_num),
		    GS1_LINT_ISO4217, s, len, pos, elen);
	case GS1_LINTER_ISO5218:
		/* ISO/IEC 5218: 0 unknown, 1 male, 2 female, 9 n/a */
		if (len != 1 || strchr("0129", s[0]) == NULL || s[0] == '\0')
			return blame(GS1_LINT_ISO5218, 0, len, pos, elen);
		return GS1_LINT_OK;
	case GS1_LINTER_LATITUDE:
		return lint_geo(s, len, 1800000000UL, GS1_LINT_LATITUDE, pos,
		    elen);
	case GS1_LINTER_LONGITUDE:
		return lint_geo(s, len, 3600000000UL, GS1_LINT_LONGITUDE, pos,
		    elen);
	case GS1_LINTER_MEDIATYPE:
		/* AI 7241: 01-10 defined by GS1, 80-99 company internal */
		if ((r = digits_only(s, len, pos, elen)) != GS1_LINT_OK)
			return r;
		if (len != 2 || !((num(s, 2) >= 1 && num(s, 2) <= 10) ||
		    num(s, 2) >= 80))
			return blame(GS1_LINT_MEDIA_TYPE, 0, len, pos, elen);
		return GS1_LINT_OK;
	case GS1_LINTER_MI:
		return lint_clock(s, len, 59, GS1_LINT_MINUTE, pos, elen);
	case GS1_LINTER_NONZERO:
		for (size_t i = 0; i < len; i++)
			if (s[i] != '0')
				return GS1_LINT_OK;
		return blame(GS1_LINT_ZERO, 0, len, pos, elen);
	case GS1_LINTER_NOZEROPREFIX:
		if (len > 1 && s[0] == '0')
			return blame(GS1_LINT_ZERO_PREFIX, 0, 1, pos, elen);
		return GS1_LINT_OK;
	case GS1_LINTER_PACKAGETYPE:
		return lint_list(package_types, NELEM(package_types),
		    GS1_LINT_PACKAGE_TYPE, s, len, pos, elen);
	case GS1_LINTER_PCENC:
		return lint_pcenc(s, len, pos, elen);
	case GS1_LINTER_PIECEOFTOTAL:
		return lint_pieceoftotal(s, len, pos, elen);
	case GS1_LINTER_POSINSEQSLASH:
		return lint_posinseqslash(s, len, pos, elen);
	case GS1_LINTER_SS:
		return lint_clock(s, len, 59, GS1_LINT_SECOND, pos, elen);
	case GS1_LINTER_WINDING:
		if (len != 1 || (s[0] != '0' && s[0] != '1' && s[0] != '9'))
			return blame(GS1_LINT_WINDING, 0, len, pos, elen);
		return GS1_LINT_OK;
	case GS1_LINTER_YESNO:
		if (len != 1 || (s[0] != '0' && s[0] != '1'))
			return blame(GS1_LINT_NOT_YES_NO, 0, len, pos, elen);
		return GS1_LINT_OK;
	case GS1_LINTER_YYMMD0:
		return lint_date(s, len, 2, true, false, pos, elen);
	case GS1_LINTER_YYMMDD:
		return lint_date(s, len, 2, false, false, pos, elen);
	case GS1_LINTER_YYYYMMD0:
		return lint_date(s, len, 4, true, false, pos, elen);
	case GS1_LINTER_YYYYMMDD:
		return lint_date(s, len, 4, false, false, pos, elen);
	case GS1_LINTER_ZERO:
		for (size_t i = 0; i < len; i++)
			if (s[i] != '0')
				return blame(GS1_LINT_NOT_ZERO, i, 1, pos,
				    elen);
		return GS1_LINT_OK;
	case GS1_LINTER_COUNT:
		break;
	}
	return blame(GS1_LINT_EMPTY, 0, len, pos, elen);
}

int
gs1_lint_by_name(const char *name, const char *s, size_t len, size_t *pos,
    size_t *elen)
{
	for (int i = 1; i < GS1_LINTER_COUNT; i++)
		if (strcmp(gs1_linter_names[i], name) == 0)
			return (int)gs1_lint_run((enum gs1_linter)i, s, len,
			    pos, elen);
	return -1;
}

/*
 * gs1_lint_run() over a component of cset N, whose bytes are known to be
 * digits: the linters that would check that again skip it.
 */
static enum gs1_lint
lint_run_digits(enum gs1_linter id, const char *s, size_t len, size_t *pos,
    size_t *elen)
{
	switch (id) {
	case GS1_LINTER_CSETNUMERIC:
		return GS1_LINT_OK;
	case GS1_LINTER_CSUM:
		return csum_digits(s, len, pos, elen);
	case GS1_LINTER_GCPPOS1:
	case GS1_LINTER_KEY:
		return lint_gcp(s, len, 0, pos, elen);
	case GS1_LINTER_GCPPOS2:
		return lint_gcp(s, len, 1, pos, elen);
	case GS1_LINTER_YYMMD0:
		return lint_date(s, len, 2, true, true, pos, elen);
	case GS1_LINTER_YYMMDD:
		return lint_date(s, len, 2, false, true, pos, elen);
	case GS1_LINTER_YYYYMMD0:
		return lint_date(s, len, 4, true, true, pos, elen);
	case GS1_LINTER_YYYYMMDD:
		return lint_date(s, len, 4, false, true, pos, elen);
	default:
		return gs1_lint_run(id, s, len, pos, elen);
	}
}

enum gs1_lint
gs1_check_value(const struct gs1_ai *a, const char *v, size_t len,
    size_t *pos, size_t *elen)
{
	enum gs1_lint r;
	size_t off = 0;

	if (len == 0)
		return blame(GS1_LINT_EMPTY, 0, 0, pos, elen);
	if (a == NULL) {	/* unknown AI: X..90 */
		if (len > GS1_MAX_VALUE)
			return blame(GS1_LINT_TOO_LONG, GS1_MAX_VALUE,
			    len - GS1_MAX_VALUE, pos, elen);
		return cset_only(v, len, GS1_CC_X, GS1_LINT_NOT_CSET82, pos,
		    elen);
	}
	if (len < a->minlen)
		return blame(GS1_LINT_TOO_SHORT, 0, len, pos, elen);
	if (len > a->maxlen)
		return blame(GS1_LINT_TOO_LONG, a->maxlen, len - a->maxlen,
		    pos, elen);
	for (const struct gs1_comp *k = a->comp; k < a->comp + a->ncomp &&
	    off < len; k++) {
		size_t n = len - off < k->max ? len - off : k->max;
		const char *p = v + off;

		if (n < k->min)
			return blame(GS1_LINT_TOO_SHORT, off, n, pos, elen);
		if (k->cset == 'N') {
			/* Digits: the linters need not check that again. */
			r = all_digits(p, n) ? GS1_LINT_OK :
			    digits_only(p, n, pos, elen);
			for (size_t l = 0; r == GS1_LINT_OK && l < k->nlint;
			    l++)
				r = lint_run_digits((enum gs1_linter)k->lint[l],
				    p, n, pos, elen);
		} else {
			if (k->cset == 'Y')
				r = cset_only(p, n, GS1_CC_Y,
				    GS1_LINT_NOT_CSET39, pos, elen);
			else if (k->cset == 'Z')
				r = lint_cset64(p, n, pos, elen);
			else
				r = cset_only(p, n, GS1_CC_X,
				    GS1_LINT_NOT_CSET82, pos, elen);
			for (size_t l = 0; r == GS1_LINT_OK && l < k->nlint;
			    l++)
				r = gs1_lint_run((enum gs1_linter)k->lint[l],
				    p, n, pos, elen);
		}
		if (r != GS1_LINT_OK) {
			*pos += off;
			return r;
		}
		off += n;
	}
	return GS1_LINT_OK;
}
