/*
 * epcis_scan: the own XML scanner of the EPCIS reader (the path without
 * --validate).  It parses the subset of XML 1.0 (Fifth Edition) and
 * Namespaces in XML 1.0 (Third Edition) that EPCIS documents use, checks
 * its well-formedness in full, and feeds elements, attributes and text to
 * a sink (epcis_int.h), over a sliding buffer: memory is bounded by the
 * longest token (a tag, a text run, a comment), never by the document.
 *
 * Invariants:
 *
 *  1. Nothing is ever loaded and no entity is ever declared: a DOCTYPE
 *     other than "<!DOCTYPE name>" (optionally with an empty internal
 *     subset "[]") is refused, so the only references are the five
 *     predefined entities and character references (XML 1.0 sections 4.1,
 *     4.6); any other "&name;" is an error.
 *  2. Only UTF-8 (the XML declaration may say UTF-8 or nothing), checked
 *     byte by byte: no overlong forms, surrogates or code points above
 *     U+10FFFF, and only Char (section 2.2) anywhere.
 *  3. Well-formed: names (section 2.3, 5th edition classes), matching end
 *     tags, unique attributes by QName and by expanded name, no '<' in
 *     attribute values, no "]]>" in text, "--" only ending a comment, no PI
 *     named xml except the declaration at the very start, one root
 *     element, nothing but comments, PIs and white space around it.
 *  4. Namespaces (Namespaces 1.0 sections 3-6): every prefix used is
 *     declared in scope; xmlns:p="" is an error (1.0 has no undeclaring of
 *     prefixes); xml only for its namespace and that namespace only for
 *     xml; xmlns never declared; namespace names are URI references (RFC
 *     3986 section 4.1, as libxml2 checks them).
 *  5. Values as a conforming processor reports them (sections 2.11, 3.3.3):
 *     line ends normalised to LF; in attribute values each literal white
 *     space character becomes a space, character references are kept.
 *  6. Bounded: elements nest at most max_depth deep; a token longer than
 *     TOKEN_MAX bytes is refused ("text or attribute longer than").
 *
 * Tokens are parsed in place; a token cut by the end of the buffer is
 * parsed again from its start once more input is in (no state inside a
 * token survives a refill).  Text without references or CR is handed to
 * the sink without a copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "epcis.h"
#include "epcis_int.h"
#include "mem.h"

#if defined(DSCSA_SSE2)
#include <emmintrin.h>
#endif

#define TOKEN_MAX	(EPCIS_MAX_TEXT_BYTES + 16)
#define BUF_MIN		(16 * 1024)
#define NS_XML		"http://www.w3.org/XML/1998/namespace"
#define NS_XMLNS	"http://www.w3.org/2000/xmlns/"

enum { NEED = 2, NOT_LEAF = 3 };	/* a token runs past the buffer;
					 * leaf(): go the long way */

enum state {
	S_START,		/* before anything: an XML declaration may come */
	S_PROLOG,
	S_CONTENT,
	S_EPILOG,
	S_DONE,
};

struct nsb {
	size_t		 poff, plen;	/* prefix in nsbuf; plen 0: default */
	size_t		 uoff;		/* URI in nsbuf, NUL-terminated; "" none */
};

struct open_el {
	size_t		 qoff, qlen;	/* QName in names */
	size_t		 nns;		/* bindings in force before it */
	size_t		 nsbuf_len;	/* ... and their bytes */
};

struct rawattr {
	const unsigned char *q;		/* QName */
	size_t		 qlen, plen;	/* plen: prefix length, 0 none */
	const unsigned char *v;		/* raw value */
	size_t		 vlen;
	size_t		 voff;		/* normalised value in scratch */
	size_t		 nlen;
	size_t		 loff;		/* local name in scratch */
	size_t		 qpoff;		/* xsi:type QName prefix in scratch */
	const char	*uri, *quri;
	unsigned long	 line;
};

struct epcis_scan {
	epcis_scan_read_fn read;
	void		*rctx;
	unsigned char	*own;		/* the buffer, if not memory input */
	const unsigned char *buf;
	size_t		 pos, len, cap;
	bool		 eof;
	unsigned long long base;	/* bytes before buf[0] */
	unsigned long	 line;
	unsigned	 max_depth;
	enum state	 state;
	bool		 doctype, finished;
	size_t		 bom;		/* 3 after a UTF-8 byte order mark */

	struct open_el	*stack;
	size_t		 depth, stackcap;
	struct epcis_buf names;
	struct nsb	*ns;
	size_t		 nns, nscap;
	struct epcis_buf nsbuf;
	struct epcis_buf scratch;
	struct rawattr	*raw;
	struct epcis_xattr *attrs;
	size_t		 attrcap, nxattr;

	/*
	 * The default namespace as last looked up, valid while ns_gen is
	 * dflt_gen: every change of the bindings in scope bumps ns_gen.
	 */
	unsigned long	 ns_gen, dflt_gen;
	const char	*dflt_uri;
};

/* ---------------------------------------------------------------------- */
/* Characters */

/*
 * Bytes that end the fast path in text: controls, '&', ']', '<', CR, LF
 * and every non-ASCII byte.
 */
static const unsigned char text_special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Are the eight bytes at p plain text: ASCII from 0x20 on, no '&' and no
 * ']' (so no reference, no "]]>", no CR or other control)?  *x gets them.
 * SWAR: a byte that fails sets its high bit; a borrow out of it can only
 * make the next byte fail too (a "no" that the byte loop then settles),
 * never pass.
 */
static inline bool
plain8(const unsigned char *p, uint64_t *x)
{
	uint64_t t;

	memcpy(x, p, 8);
	t = (*x - 0x2020202020202020ULL) | *x |
	    ((*x ^ 0x2626262626262626ULL) - 0x0101010101010101ULL) |
	    ((*x ^ 0x5d5d5d5d5d5d5d5dULL) - 0x0101010101010101ULL);
	return (t & 0x8080808080808080ULL) == 0;
}

/* plain8(), and no '<' either: eight bytes of a leaf's text. */
static inline bool
plain8_lt(const unsigned char *p)
{
	uint64_t x, t;

	memcpy(&x, p, 8);
	t = (x - 0x2020202020202020ULL) | x |
	    ((x ^ 0x2626262626262626ULL) - 0x0101010101010101ULL) |
	    ((x ^ 0x3c3c3c3c3c3c3c3cULL) - 0x0101010101010101ULL) |
	    ((x ^ 0x5d5d5d5d5d5d5d5dULL) - 0x0101010101010101ULL);
	return (t & 0x8080808080808080ULL) == 0;
}

#if defined(DSCSA_SSE2)
/*
 * The number of bytes at p, of 16, before the first that plain8_lt()
 * refuses (a control, non-ASCII, '&', '<' or ']'): 16 if none.  SSE2 is
 * part of x86-64; elsewhere plain8_lt() does it all.
 */
static inline unsigned
plain16_lt(const unsigned char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* signed: below 0x20 or from 0x80 on */
	__m128i m = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
	unsigned mask;

	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
	mask = (unsigned)_mm_movemask_epi8(m);
	return mask == 0 ? 16 : (unsigned)__builtin_ctz(mask);
}
#endif

/*
 * epcis_same() of up to eight bytes where eight can be read at both a and
 * b (the caller knows they lie in the buffer): one load each, the bytes
 * past n masked off.
 */
static inline bool
same_name8(const unsigned char *a, const unsigned char *b, size_t n)
{
	uint64_t x, y, m;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	m = n >= 8 ? ~0ULL : ~(~0ULL >> (8 * n));
#else
	m = n >= 8 ? ~0ULL : (1ULL << (8 * n)) - 1;
#endif
	return ((x ^ y) & m) == 0;
}

#if defined(DSCSA_SSE2)
/*
 * The white space (space, TAB, LF) at p, of 16 bytes: how many bytes of
 * it before the first that is not (16: all), and in *lf the LFs among
 * them.
 */
static inline unsigned
space16(const unsigned char *p, unsigned *lf)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i nl = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
	__m128i sp = _mm_or_si128(_mm_or_si128(nl,
	    _mm_cmpeq_epi8(v, _mm_set1_epi8(' '))),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
	unsigned ws = (unsigned)_mm_movemask_epi8(sp);
	unsigned n = ws == 0xffff ? 16 : (unsigned)__builtin_ctz(~ws);
	unsigned m = (unsigned)_mm_movemask_epi8(nl) & ((1u << n) - 1);

	/* no popcount without -mpopcnt: indentation has one LF, or none */
	for (*lf = 0; m != 0; m &= m - 1)
		(*lf)++;
	return n;
}
#endif

static bool
is_s(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	    (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/*
 * Decode one UTF-8 sequence at p (n bytes available).  Returns its
 * length, 0 if it is cut by the end, -1 if it is not UTF-8 or not a Char.
 */
static int
utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	uint32_t v;
	int len;

	if (c < 0x80) {
		*cp = c;
		return is_char(c) ? 1 : -1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else
		return -1;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return 0;
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 ||
	    v > 0x10ffff)))
		return -1;
	*cp = v;
	return is_char(v) ? len : -1;
}

static bool
name_start(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) ||
	    (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d) ||
	    (c >= 0x37f && c <= 0x1fff) || (c >= 0x200c && c <= 0x200d) ||
	    (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) ||
	    (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) ||
	    (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff);
}

static bool
name_char(uint32_t c)
{
	return name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
	    c == 0xb7 || (c >= 0x300 && c <= 0x36f) ||
	    (c >= 0x203f && c <= 0x2040);
}

/*
 * ASCII name characters: 1 NameStartChar, 2 NameChar only; 0 for every
 * byte from 0x80 on, so that a byte needs no range test first
 */
static const unsigned char ascii_name[256] = {
	['-'] = 2, ['.'] = 2, ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2,
	['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
	[':'] = 1, ['_'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/*
 * A Name at p: its length in *len.  Returns 1, 0 if cut by the end, -1 if
 * there is no Name.  The name ends at the first byte that is no NameChar.
 */
static int
scan_name(const unsigned char *p, size_t n, size_t *len)
{
	size_t i = 0;
	uint32_t c;
	int k;

	if (n > 0 && p[0] < 0x80) {
		if (ascii_name[p[0]] != 1)
			return -1;
		i = 1;
		/* ASCII names (all of EPCIS): one test a byte */
		while (i < n && ascii_name[p[i]] != 0)
			i++;
	}
	while (i < n) {
		if (p[i] < 0x80) {
			if (ascii_name[p[i]] != 0) {
				i++;
				continue;
			}
			break;
		}
		if ((k = utf8(p + i, n - i, &c)) == 0)
			return 0;
		if (k < 0 || (i == 0 ? !name_start(c) : !name_char(c)))
			break;
		i += (size_t)k;
	}
	if (i == n)
		return 0;
	if (i == 0)
		return -1;
	*len = i;
	return 1;
}

/* ---------------------------------------------------------------------- */
/* Errors */

static int
wf(struct epcis_scan *s, struct diag *d, const char *msg)
{
	diag_input(d, "not well-formed XML: %s", msg);
	diag_at(d, NULL, s->line);
	s->state = S_DONE;
	return -1;
}

static int
nomem(struct epcis_scan *s, struct diag *d)
{
	s->state = S_DONE;
	return diag_system(d, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* Buffer */

/*
 * Make room and read more.  Returns 1 if bytes came, 0 at the end, -1 if
 * the current token cannot grow (too long, or no memory: *d says which).
 */
static int
refill(struct epcis_scan *s, struct diag *d)
{
	size_t keep, got;

	if (s->eof || s->read == NULL) {
		s->eof = true;
		return 0;
	}
	keep = s->len - s->pos;
	if (s->pos > 0) {
		memmove(s->own, s->own + s->pos, keep);
		s->base += s->pos;
		s->pos = 0;
		s->len = keep;
	}
	if (s->len == s->cap) {
		size_t cap = s->cap * 2;
		unsigned char *p;

		if (s->cap >= TOKEN_MAX) {
			diag_input(d, "text or attribute longer than %lu bytes",
			    EPCIS_MAX_TEXT_BYTES);
			diag_at(d, NULL, s->line);
			s->state = S_DONE;
			return -1;
		}
		if (cap > TOKEN_MAX)
			cap = TOKEN_MAX;
		if ((p = realloc(s->own, cap)) == NULL)
			return nomem(s, d);
		s->own = p;
		s->buf = p;
		s->cap = cap;
	}
	got = s->read(s->rctx, s->own + s->len, s->cap - s->len);
	if (got == 0) {
		s->eof = true;
		return 0;
	}
	s->len += got;
	return 1;
}

struct epcis_scan *
epcis_scan_new(epcis_scan_read_fn read, void *rctx, const void *mem,
    size_t len, unsigned max_depth)
{
	struct epcis_scan *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->read = read;
	s->rctx = rctx;
	s->line = 1;
	s->max_depth = max_depth;
	if (read == NULL) {
		s->buf = mem;
		s->len = len;
		s->eof = true;
	} else {
		if ((s->own = malloc(BUF_MIN)) == NULL) {
			free(s);
			return NULL;
		}
		s->buf = s->own;
		s->cap = BUF_MIN;
	}
	return s;
}

void
epcis_scan_free(struct epcis_scan *s)
{
	if (s == NULL)
		return;
	free(s->own);
	free(s->stack);
	free(s->ns);
	free(s->raw);
	free(s->attrs);
	epcis_buf_free(&s->names);
	epcis_buf_free(&s->nsbuf);
	epcis_buf_free(&s->scratch);
	free(s);
}

unsigned long long
epcis_scan_offset(const struct epcis_scan *s)
{
	return s->base + s->pos;
}

unsigned long
epcis_scan_line(const struct epcis_scan *s)
{
	return s->line;
}

/* ---------------------------------------------------------------------- */
/* References */

/*
 * A reference at p ('&'), n bytes available: the character(s) into out
 * (*olen bytes), its length in *rlen.  Returns 1, 0 if cut, -1 if bad
 * (message in *why).
 */
static int
reference(const unsigned char *p, size_t n, char out[4], size_t *olen,
    size_t *rlen, const char **why)
{
	static const struct {
		const char	*name;
		char		 c;
	} pre[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' },
		{ "apos;", '\'' }, { "quot;", '"' },
	};
	const unsigned char *semi;
	size_t i = 1;
	uint32_t v = 0;

	semi = memchr(p, ';', n < 64 ? n : 64);
	if (semi == NULL) {
		if (n < 64)
			return 0;
		*why = "'&' that starts no reference";
		return -1;
	}
	*rlen = (size_t)(semi - p) + 1;
	if (n > 1 && p[1] == '#') {
		bool hex = n > 2 && p[2] == 'x';
		size_t nd = 0;

		for (i = hex ? 3 : 2; p + i < semi; i++, nd++) {
			unsigned char c = p[i];
			unsigned d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else {
				*why = "bad character reference";
				return -1;
			}
			v = v * (hex ? 16 : 10) + d;
			if (v > 0x10ffff) {
				*why = "character reference out of range";
				return -1;
			}
		}
		if (nd == 0 || !is_char(v)) {
			*why = "character reference to a character not allowed";
			return -1;
		}
		if (v < 0x80) {
			out[0] = (char)v;
			*olen = 1;
		} else if (v < 0x800) {
			out[0] = (char)(0xc0 | v >> 6);
			out[1] = (char)(0x80 | (v & 0x3f));
			*olen = 2;
		} else if (v < 0x10000) {
			out[0] = (char)(0xe0 | v >> 12);
			out[1] = (char)(0x80 | (v >> 6 & 0x3f));
			out[2] = (char)(0x80 | (v & 0x3f));
			*olen = 3;
		} else {
			out[0] = (char)(0xf0 | v >> 18);
			out[1] = (char)(0x80 | (v >> 12 & 0x3f));
			out[2] = (char)(0x80 | (v >> 6 & 0x3f));
			out[3] = (char)(0x80 | (v & 0x3f));
			*olen = 4;
		}
		return 1;
	}
	for (size_t k = 0; k < sizeof(pre) / sizeof(pre[0]); k++)
		if (*rlen - 1 == strlen(pre[k].name) &&
		    memcmp(p + 1, pre[k].name, *rlen - 1) == 0) {
			out[0] = pre[k].c;
			*olen = 1;
			return 1;
		}
	*why = "reference to an undeclared entity (EPCIS input has no DTD)";
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Namespaces */

static const char *
ns_uri(const struct epcis_scan *s, size_t i)
{
	return s->nsbuf.data + s->ns[i].uoff;
}

/* The URI bound to prefix (plen 0: the default namespace); NULL if none. */
static const char *
lookup(const struct epcis_scan *s, const unsigned char *p, size_t plen)
{
	for (size_t i = s->nns; i-- > 0;)
		if (s->ns[i].plen == plen && memcmp(s->nsbuf.data +
		    s->ns[i].poff, p, plen) == 0) {
			const char *u = ns_uri(s, i);

			return u[0] != '\0' ? u : NULL;
		}
	if (plen == 3 && memcmp(p, "xml", 3) == 0)
		return NS_XML;
	return NULL;
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986 pchar without ':' '@' and '%': unreserved and sub-delims */
static bool
is_usub(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' &&
	    strchr("-._~!$&'()*+,;=", c) != NULL);
}

/*
 * Is u (n bytes) a URI reference (RFC 3986 section 4.1)?  IP literals
 * ('[') are refused: no namespace name needs one.
 */
static bool
uri_ref(const unsigned char *u, size_t n)
{
	size_t i = 0, end;

	/* a scheme if a ':' comes before any '/', '?' or '#' */
	for (end = 0; end < n && u[end] != ':' && u[end] != '/' &&
	    u[end] != '?' && u[end] != '#'; end++)
		;
	if (end < n && u[end] == ':') {
		if (end == 0 || !is_alpha(u[0]))
			return false;
		for (size_t k = 1; k < end; k++)
			if (!is_alpha(u[k]) && !is_digit(u[k]) && u[k] != '+' &&
			    u[k] != '-' && u[k] != '.')
				return false;
		i = end + 1;
	}
	if (i + 1 < n && u[i] == '/' && u[i + 1] == '/') {
		size_t a = i + 2, at = (size_t)-1, colon = (size_t)-1;

		for (end = a; end < n && u[end] != '/' && u[end] != '?' &&
		    u[end] != '#'; end++)
			if (u[end] == '@' && at == (size_t)-1)
				at = end;
		for (size_t k = a; k < end; k++) {
			if (u[k] == '%') {
				if (k + 2 >= end || !is_hex(u[k + 1]) ||
				    !is_hex(u[k + 2]))
					return false;
				k += 2;
			} else if (u[k] == ':') {
				/* host:port, the port after the first ':' */
				if ((at == (size_t)-1 || k > at) &&
				    colon == (size_t)-1)
					colon = k;
			} else if (u[k] == '@') {
				if (k != at)
					return false;
			} else if (!is_usub(u[k]))
				return false;
		}
		/* libxml2 wants a digit after the ':' (RFC 3986 allows none) */
		if (colon != (size_t)-1 && colon + 1 == end)
			return false;
		if (colon != (size_t)-1)
			for (size_t k = colon + 1; k < end; k++)
				if (!is_digit(u[k]))
					return false;
		i = end;
	}
	/* path, query, fragment */
	for (bool frag = false; i < n; i++) {
		unsigned char c = u[i];

		if (c == '%') {
			if (i + 2 >= n || !is_hex(u[i + 1]) || !is_hex(u[i + 2]))
				return false;
			i += 2;
		} else if (c == '#') {
			if (frag)
				return false;
			frag = true;
		} else if (!is_usub(c) && c != ':' && c != '@' && c != '/' &&
		    c != '?')
			return false;
	}
	return true;
}

static int
push_ns(struct epcis_scan *s, const unsigned char *p, size_t plen,
    const char *uri, size_t ulen)
{
	if (s->nns == s->nscap) {
		struct nsb *v = mem_grow(s->ns, &s->nscap, s->nns + 1,
		    sizeof(*v), 16);

		if (v == NULL)
			return -1;
		s->ns = v;
	}
	s->ns[s->nns].poff = s->nsbuf.len;
	s->ns[s->nns].plen = plen;
	epcis_buf_add(&s->nsbuf, (const char *)p, plen);
	s->ns[s->nns].uoff = s->nsbuf.len;
	epcis_buf_add(&s->nsbuf, uri, ulen);
	epcis_buf_add(&s->nsbuf, "", 1);
	if (s->nsbuf.failed)
		return -1;
	s->nns++;
	s->ns_gen++;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Attribute values */

/*
 * Normalise the raw value of a into scratch (invariant 5).  Returns 0 or
 * -1 with *why.
 */
static int
att_value(struct epcis_scan *s, struct rawattr *a, const char **why)
{
	const unsigned char *p = a->v, *e = a->v + a->vlen;

	a->voff = s->scratch.len;
	while (p < e) {
		const unsigned char *q = p;
		char out[4];
		size_t olen, rlen;
		uint32_t cp;
		int k;

		while (q < e && *q >= 0x20 && *q < 0x80 && *q != '&')
			q++;
		epcis_buf_add(&s->scratch, (const char *)p, (size_t)(q - p));
		if (q == e)
			break;
		p = q;
		if (*p == '&') {
			if (reference(p, (size_t)(e - p), out, &olen, &rlen,
			    why) != 1) {
				if (*why == NULL)
					*why = "'&' that starts no reference";
				return -1;
			}
			epcis_buf_add(&s->scratch, out, olen);
			p += rlen;
		} else if (*p == '\r') {
			epcis_buf_add(&s->scratch, " ", 1);
			p += p + 1 < e && p[1] == '\n' ? 2 : 1;
		} else if (*p == '\n' || *p == '\t') {
			epcis_buf_add(&s->scratch, " ", 1);
			p++;
		} else if ((k = utf8(p, (size_t)(e - p), &cp)) > 0) {
			epcis_buf_add(&s->scratch, (const char *)p, (size_t)k);
			p += k;
		} else {
			*why = "character not allowed in an attribute value";
			return -1;
		}
	}
	a->nlen = s->scratch.len - a->voff;
	epcis_buf_add(&s->scratch, "", 1);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Tags */

static bool
bytes_eq(const unsigned char *a, size_t an, const char *b)
{
	return an == strlen(b) && memcmp(a, b, an) == 0;
}

/* The prefix length of a QName (0: none); -1 if it is no QName. */
static long
qname_split(const unsigned char *q, size_t n)
{
	const unsigned char *c = memchr(q, ':', n);

	if (c == NULL)
		return 0;
	if (c == q || c == q + n - 1 || memchr(c + 1, ':',
	    (size_t)(q + n - c - 1)) != NULL)
		return -1;
	/* the local part must start with a NameStartChar other than ':' */
	{
		uint32_t cp;
		int k = utf8(c + 1, (size_t)(q + n - c - 1), &cp);

		if (k <= 0 || !name_start(cp) || (c[1] >= '0' && c[1] <= '9'))
			return -1;
		if (c[1] == '-' || c[1] == '.')
			return -1;
	}
	return (long)(c - q);
}

static int
grow_attrs(struct epcis_scan *s, size_t n)
{
	struct rawattr *r;
	struct epcis_xattr *x;
	size_t cap;

	if (n <= s->attrcap)
		return 0;
	cap = s->attrcap ? s->attrcap * 2 : 16;
	while (cap < n)
		cap *= 2;
	if ((r = realloc(s->raw, cap * sizeof(*r))) == NULL)
		return -1;
	s->raw = r;
	if ((x = realloc(s->attrs, cap * sizeof(*x))) == NULL)
		return -1;
	s->attrs = x;
	s->attrcap = cap;
	return 0;
}

/*
 * The attributes other than namespace declarations of the tag just
 * parsed (s->raw[0..nattr)): checked, normalised and resolved into
 * s->attrs[0..s->nxattr).  Returns 0, -1 with *why, -2 (no memory).
 */
static int
attributes(struct epcis_scan *s, size_t nattr, const char **why)
{
	size_t n = 0;

	for (size_t i = 0; i < nattr; i++) {
		struct rawattr *a = &s->raw[i];
		long ap;
		size_t ll, pl;

		a->voff = (size_t)-1;
		if (bytes_eq(a->q, a->qlen, "xmlns") || (a->qlen > 6 &&
		    memcmp(a->q, "xmlns:", 6) == 0))
			continue;
		if ((ap = qname_split(a->q, a->qlen)) < 0) {
			*why = "attribute name is not a QName (namespaces)";
			return -1;
		}
		a->plen = (size_t)ap;
		a->uri = ap > 0 ? lookup(s, a->q, (size_t)ap) : NULL;
		if (ap > 0 && a->uri == NULL) {
			*why = "namespace prefix of an attribute not declared";
			return -1;
		}
		ll = a->qlen - (ap > 0 ? (size_t)ap + 1 : 0);
		for (size_t j = 0; j < i; j++) {
			struct rawattr *o = &s->raw[j];
			size_t ol;

			if (o->qlen == a->qlen && memcmp(o->q, a->q, a->qlen) == 0) {
				*why = "attribute redefined";
				return -1;
			}
			if (o->voff == (size_t)-1)
				continue;	/* a namespace declaration */
			ol = o->qlen - (o->plen > 0 ? o->plen + 1 : 0);
			if (ol == ll && memcmp(o->q + o->qlen - ol,
			    a->q + a->qlen - ll, ll) == 0 &&
			    ((o->uri == NULL && a->uri == NULL) ||
			    (o->uri != NULL && a->uri != NULL &&
			    strcmp(o->uri, a->uri) == 0))) {
				*why = "attribute redefined (same namespace and "
				    "name)";
				return -1;
			}
		}
		if (att_value(s, a, why) != 0)
			return -1;
		a->loff = s->scratch.len;
		epcis_buf_add(&s->scratch, (const char *)a->q + a->qlen - ll, ll);
		epcis_buf_add(&s->scratch, "", 1);
		a->qpoff = (size_t)-1;
		a->quri = NULL;
		if (s->scratch.failed)
			return -2;
		if (a->uri != NULL && strcmp(a->uri, EPCIS_NS_XSI) == 0 &&
		    bytes_eq((const unsigned char *)s->scratch.data + a->loff,
		    ll, "type") && (pl = epcis_qname_prefix_len(s->scratch.data +
		    a->voff, a->nlen)) > 0 && (a->quri = lookup(s,
		    (const unsigned char *)s->scratch.data + a->voff, pl)) !=
		    NULL) {
			a->qpoff = s->scratch.len;
			epcis_buf_add(&s->scratch, s->scratch.data + a->voff, pl);
			epcis_buf_add(&s->scratch, "", 1);
		}
		n++;
	}
	if (s->scratch.failed)
		return -2;
	/* pointers only now: scratch may have moved while it grew */
	s->nxattr = 0;
	for (size_t i = 0; i < nattr; i++) {
		struct rawattr *a = &s->raw[i];
		struct epcis_xattr *x;

		if (a->voff == (size_t)-1)
			continue;
		x = &s->attrs[s->nxattr++];
		x->uri = a->uri;
		x->local = s->scratch.data + a->loff;
		x->value = s->scratch.data + a->voff;
		x->len = a->nlen;
		x->qprefix = a->qpoff != (size_t)-1 ? s->scratch.data +
		    a->qpoff : NULL;
		x->quri = a->quri;
	}
	(void)n;
	return 0;
}

static int
push_el(struct epcis_scan *s, const unsigned char *q, size_t qlen, size_t nns,
    size_t nsbuf_len)
{
	if (s->depth == s->stackcap) {
		struct open_el *v = mem_grow(s->stack, &s->stackcap,
		    s->depth + 1, sizeof(*v), 16);

		if (v == NULL)
			return -1;
		s->stack = v;
	}
	s->stack[s->depth].qoff = s->names.len;
	s->stack[s->depth].qlen = qlen;
	s->stack[s->depth].nns = nns;
	s->stack[s->depth].nsbuf_len = nsbuf_len;
	if (s->names.data != NULL && qlen < s->names.cap - s->names.len) {
		/* epcis_buf_add() without the call: there is room */
		memcpy(s->names.data + s->names.len, q, qlen);
		s->names.len += qlen;
		s->names.data[s->names.len] = '\0';
	} else
		epcis_buf_add(&s->names, (const char *)q, qlen);
	if (s->names.failed)
		return -1;
	s->depth++;
	return 0;
}

/* Close the innermost element: its bindings go, the sink hears of it. */
static int
pop_el(struct epcis_scan *s, const struct epcis_scan_sink *k)
{
	struct open_el *o = &s->stack[--s->depth];

	s->names.len = o->qoff;
	if (s->nns != o->nns)
		s->ns_gen++;
	s->nns = o->nns;
	s->nsbuf.len = o->nsbuf_len;
	if (s->depth == 0)
		s->state = S_EPILOG;
	return k->end(k->ctx);
}

/* The sink stopped the scan: not a well-formedness error. */
static int
stopped(struct epcis_scan *s, struct diag *d)
{
	(void)d;
	s->state = S_DONE;
	return -1;
}

/*
 * The element whose start tag (QName q, no attributes, not empty, not the
 * root) ends just before c, if its content is one run of plain text
 * followed by its end tag, all in the buffer: ASCII other than controls
 * (TAB and LF are plain), '&', ']' and '<', so that text() would pass it
 * on unchanged, and the end tag would be found by end_tag().  The sink's
 * leaf() hears of it in one call (the text is borrowed for the call)
 * instead of start(), text() and end(), with the white space (space, TAB,
 * LF) after the end tag if a start or end tag follows it in the buffer,
 * and the scan goes on after that; so are the siblings of the same QName
 * that follow it, while they are leaves in the buffer.  This is the <epc>
 * of an epcList and its indentation.  Returns NOT_LEAF when the first is
 * not a leaf: the caller goes the long way, which also reports every
 * error.
 */
static int
leaf(struct epcis_scan *s, const struct epcis_scan_sink *k, struct diag *d,
    const unsigned char *q, size_t qlen, const unsigned char *c,
    const char *uri, size_t plen)
{
	const unsigned char *e = s->buf + s->len, *p, *lt, *g, *w;
	unsigned long lines, wlines;
	bool again = false;
	int rc;

next:
	/* after a first leaf: NOT_LEAF is "go on from s->pos" (0) */
	p = c;
	lines = wlines = 0;
	if (c >= e || *c == '<')
		return again ? 0 : NOT_LEAF;
	/* one pass to the '<' ('<' is special too): no memchr() first */
	for (;;) {
#if defined(DSCSA_SSE2)
		while (e - p >= 16) {
			unsigned plain = plain16_lt(p);

			p += plain;
			if (plain < 16)
				break;
		}
#endif
		while (e - p >= 8 && plain8_lt(p))
			p += 8;
		while (p < e && !text_special[*p])
			p++;
		if (p == e)
			return again ? 0 : NOT_LEAF;
		if (*p == '<')
			break;
		if (*p != '\n')
			return again ? 0 : NOT_LEAF;
		lines++;
		p++;
	}
	lt = p;
	/* "</" QName, white space, ">" */
	g = lt + 2 + qlen;
	if ((size_t)(e - lt) <= 2 + qlen || lt[1] != '/' ||
	    !(qlen <= 8 && e - lt >= 10 ? same_name8(lt + 2, q, qlen) :
	    epcis_same(lt + 2, q, qlen)))
		return again ? 0 : NOT_LEAF;
	for (; g < e && *g != '>'; g++) {
		if (!is_s(*g))
			return again ? 0 : NOT_LEAF;
		lines += *g == '\n';
	}
	if (g == e)
		return again ? 0 : NOT_LEAF;
	/* white space up to the next start or end tag goes along */
	w = ++g;
#if defined(DSCSA_SSE2)
	while (e - w >= 16) {
		unsigned lf, sp = space16(w, &lf);

		w += sp;
		wlines += lf;
		if (sp < 16)
			break;
	}
#endif
	while (w < e) {
		uint64_t x;

		/* indentation: spaces, eight at a time */
		if (e - w >= 8 && (memcpy(&x, w, 8),
		    x == 0x2020202020202020ULL)) {
			w += 8;
			continue;
		}
		if (*w == '\n')
			wlines++;
		else if (*w != ' ' && *w != '\t')
			break;
		w++;
	}
	if (w + 1 >= e || *w != '<' || w[1] == '!' || w[1] == '?') {
		w = g;
		wlines = 0;
	}
	/* the sink sees the scan where start() would */
	s->pos = (size_t)(c - s->buf);
	s->state = S_CONTENT;
	rc = k->leaf(k->ctx, uri, (const char *)q + (plen > 0 ? plen + 1 : 0),
	    qlen - (plen > 0 ? plen + 1 : 0), (const char *)c,
	    (size_t)(lt - c), s->line, (const char *)g, (size_t)(w - g));
	if (rc < 0)
		return stopped(s, d);
	s->line += lines + wlines;
	s->pos = (size_t)(w - s->buf);
	/*
	 * A sibling of the same QName, "<" QName ">" (the next <epc> of an
	 * epcList): start_tag() would find what it found for this one (the
	 * same name and no attributes, the same bindings in scope, the same
	 * depth), so it is the next leaf, or the long way from s->pos.
	 */
	if (rc == 0 && (size_t)(e - w) > qlen + 2 && w[qlen + 1] == '>' &&
	    (qlen <= 8 && e - w >= 9 ? same_name8(w + 1, q, qlen) :
	    epcis_same(w + 1, q, qlen))) {
		q = w + 1;
		c = w + qlen + 2;
		again = true;
		goto next;
	}
	return rc;
}

/*
 * A start tag at buf[pos] ('<' then a name start).  Returns 0 (or the
 * sink's 1 to pause), NEED, or -1.
 */
static int
start_tag(struct epcis_scan *s, const struct epcis_scan_sink *k,
    struct diag *d)
{
	const unsigned char *b = s->buf + s->pos, *p, *e = s->buf + s->len;
	size_t qlen, nattr = 0, nns0 = s->nns, nsb0 = s->nsbuf.len, lines = 0;
	const char *uri, *why = NULL;
	long plen;
	bool empty;
	int rc;

	p = b + 1;
	if ((rc = scan_name(p, (size_t)(e - p), &qlen)) != 1)
		return rc == 0 ? NEED : wf(s, d, "bad element name");
	p += qlen;
	for (;;) {
		const unsigned char *an, *q;
		size_t alen;
		bool sp = false;

		while (p < e && is_s(*p)) {
			lines += *p == '\n';
			sp = true;
			p++;
		}
		if (p == e)
			return NEED;
		if (*p == '>' || *p == '/')
			break;
		if (!sp)
			return wf(s, d, "attributes must be separated by white "
			    "space");
		an = p;
		if ((rc = scan_name(p, (size_t)(e - p), &alen)) != 1)
			return rc == 0 ? NEED : wf(s, d, "bad attribute name");
		p += alen;
		while (p < e && is_s(*p))
			lines += *p++ == '\n';
		if (p == e)
			return NEED;
		if (*p != '=')
			return wf(s, d, "'=' expected after an attribute name");
		p++;
		while (p < e && is_s(*p))
			lines += *p++ == '\n';
		if (p == e)
			return NEED;
		if (*p != '"' && *p != '\'')
			return wf(s, d, "attribute value must be quoted");
		if ((q = memchr(p + 1, *p, (size_t)(e - p - 1))) == NULL)
			return NEED;
		if (grow_attrs(s, nattr + 1) != 0)
			return nomem(s, d);
		s->raw[nattr].q = an;
		s->raw[nattr].qlen = alen;
		s->raw[nattr].v = p + 1;
		s->raw[nattr].vlen = (size_t)(q - p - 1);
		if (memchr(p + 1, '<', s->raw[nattr].vlen) != NULL)
			return wf(s, d, "'<' in an attribute value");
		for (const unsigned char *t = p + 1; t < q; t++)
			lines += *t == '\n';
		s->raw[nattr].line = s->line + lines;
		nattr++;
		p = q + 1;
	}
	if (*p == '/') {
		if (p + 1 == e)
			return NEED;
		if (p[1] != '>')
			return wf(s, d, "'>' expected after '/'");
		empty = true;
	} else
		empty = false;

	/* the whole tag is in: now its meaning */
	s->line += lines;
	/* most element names have no prefix: look for the colon here */
	plen = 0;
	for (size_t i = 0; i < qlen; i++)
		if (b[1 + i] == ':') {
			plen = qname_split(b + 1, qlen);
			break;
		}
	if (plen < 0)
		return wf(s, d, "element name is not a QName (namespaces)");
	if (s->depth >= s->max_depth) {
		diag_input(d, "elements nested too deep");
		diag_at(d, NULL, s->line);
		s->state = S_DONE;
		return -1;
	}
	if (s->state == S_EPILOG)
		return wf(s, d, "extra content at the end of the document");
	s->scratch.len = 0;
	/* namespace declarations first: they are in scope for the tag */
	for (size_t i = 0; i < nattr; i++) {
		struct rawattr *a = &s->raw[i];
		bool dflt = bytes_eq(a->q, a->qlen, "xmlns");
		const unsigned char *pfx = a->q + 6;
		size_t pl = a->qlen > 6 ? a->qlen - 6 : 0;
		const char *v;

		if (!dflt && (a->qlen <= 6 || memcmp(a->q, "xmlns:", 6) != 0))
			continue;
		for (size_t j = 0; j < i; j++)
			if (s->raw[j].qlen == a->qlen &&
			    memcmp(s->raw[j].q, a->q, a->qlen) == 0)
				return wf(s, d, "attribute redefined");
		if (!dflt && (memchr(pfx, ':', pl) != NULL ||
		    qname_split(a->q, a->qlen) < 0))
			return wf(s, d, "bad namespace prefix");
		if (att_value(s, a, &why) != 0)
			return wf(s, d, why);
		if (s->scratch.failed)
			return nomem(s, d);
		v = s->scratch.data + a->voff;
		if (!dflt && a->nlen == 0)
			return wf(s, d, "empty namespace name for a prefix "
			    "(not allowed in XML namespaces 1.0)");
		if (!dflt && bytes_eq(pfx, pl, "xmlns"))
			return wf(s, d, "the xmlns prefix cannot be declared");
		if (!dflt && bytes_eq(pfx, pl, "xml")) {
			if (strcmp(v, NS_XML) != 0)
				return wf(s, d, "the xml prefix bound to the "
				    "wrong namespace");
			continue;	/* no need to record it */
		}
		if (strcmp(v, NS_XML) == 0 || strcmp(v, NS_XMLNS) == 0)
			return wf(s, d, "reserved namespace name bound");
		if (a->nlen > 0 && !uri_ref((const unsigned char *)v, a->nlen))
			return wf(s, d, "namespace name is not a URI");
		if (push_ns(s, dflt ? NULL : pfx, dflt ? 0 : pl, v,
		    a->nlen) != 0)
			return nomem(s, d);
	}
	if (plen > 0)
		uri = lookup(s, b + 1, (size_t)plen);
	else if (s->dflt_gen == s->ns_gen)
		uri = s->dflt_uri;
	else {
		uri = s->dflt_uri = lookup(s, b + 1, 0);
		s->dflt_gen = s->ns_gen;
	}
	if (plen > 0 && uri == NULL)
		return wf(s, d, "namespace prefix of an element not declared");
	if (plen > 0 && bytes_eq(b + 1, (size_t)plen, "xmlns"))
		return wf(s, d, "element in the xmlns namespace");
	if ((rc = attributes(s, nattr, &why)) != 0)
		return rc == -2 ? nomem(s, d) : wf(s, d, why);
	if (k->leaf != NULL && nattr == 0 && !empty && s->depth > 0 &&
	    (rc = leaf(s, k, d, b + 1, qlen, p + 1, uri, (size_t)plen)) !=
	    NOT_LEAF)
		return rc;
	if (push_el(s, b + 1, qlen, nns0, nsb0) != 0)
		return nomem(s, d);
	p += empty ? 2 : 1;
	s->pos = (size_t)(p - s->buf);
	s->state = S_CONTENT;
	if (k->nsdecl != NULL)
		for (size_t i = nns0; i < s->nns; i++) {
			const struct nsb *nb = &s->ns[i];

			if (k->nsdecl(k->ctx, nb->plen > 0 ? s->nsbuf.data +
			    nb->poff : NULL, nb->plen, s->nsbuf.data +
			    nb->uoff) < 0)
				return stopped(s, d);
		}
	rc = k->start(k->ctx, uri, (const char *)b + 1 + (plen > 0 ? plen + 1 :
	    0), qlen - (plen > 0 ? (size_t)plen + 1 : 0), s->attrs, s->nxattr,
	    s->line);
	if (rc < 0)
		return stopped(s, d);
	if (empty) {
		int rc2 = pop_el(s, k);

		if (rc2 < 0)
			return stopped(s, d);
		rc = rc || rc2;
	}
	return rc;
}

/* An end tag at buf[pos] ("</").  Returns 0 or 1 (pause), NEED, -1. */
static int
end_tag(struct epcis_scan *s, const struct epcis_scan_sink *k,
    struct diag *d)
{
	const unsigned char *p = s->buf + s->pos + 2, *e = s->buf + s->len;
	const struct open_el *o;
	size_t qlen, lines = 0;
	int rc;

	/*
	 * The common case: the name of the open element, then an ASCII byte
	 * that is no NameChar; scan_name() would find the same name.
	 */
	o = s->depth > 0 ? &s->stack[s->depth - 1] : NULL;
	if (o != NULL && (size_t)(e - p) > o->qlen &&
	    p[o->qlen] < 0x80 && ascii_name[p[o->qlen]] == 0 &&
	    epcis_same((const unsigned char *)s->names.data + o->qoff, p,
	    o->qlen))
		qlen = o->qlen;
	else {
		if ((rc = scan_name(p, (size_t)(e - p), &qlen)) != 1)
			return rc == 0 ? NEED : wf(s, d, "bad end tag name");
		if (o == NULL)
			return wf(s, d, "end tag without a start tag");
		if (o->qlen != qlen ||
		    memcmp(s->names.data + o->qoff, p, qlen) != 0)
			return wf(s, d, "end tag does not match the start tag");
	}
	p += qlen;
	while (p < e && is_s(*p))
		lines += *p++ == '\n';
	if (p == e)
		return NEED;
	if (*p != '>')
		return wf(s, d, "'>' expected in an end tag");
	s->line += lines;
	s->pos = (size_t)(p + 1 - s->buf);
	if ((rc = pop_el(s, k)) < 0)
		return stopped(s, d);
	return rc;
}

/* Are the eight bytes of x all spaces, tabs or LFs? (CR ends SWAR runs) */
static bool
all_space8(uint64_t x)
{
	for (int i = 0; i < 8; i++, x >>= 8) {
		unsigned char c = (unsigned char)x;

		if (c != ' ' && c != '\t' && c != '\n')
			return false;
	}
	return true;
}

/*
 * Character data at buf[pos] up to the next '<' (invariants 2, 5).
 * Returns 0 or 1, NEED, -1.
 */
static int
text(struct epcis_scan *s, const struct epcis_scan_sink *k, struct diag *d)
{
	const unsigned char *b = s->buf + s->pos, *e = s->buf + s->len, *p, *lt;
	/* ws (all white space?) only matters outside the root element */
	bool copy = false, ws = s->state != S_CONTENT;
	const char *why = NULL;
	unsigned long lines = 0;
	int rc;

#if defined(DSCSA_SSE2)
	if (s->state == S_CONTENT) {
		/*
		 * Indentation between two tags (space, TAB, LF up to a '<'
		 * in the buffer), sixteen bytes a step: what the loop below
		 * would find, without it and the memchr() first.
		 */
		for (p = b; e - p >= 16;) {
			unsigned lf, sp = space16(p, &lf);

			p += sp;
			lines += lf;
			if (sp < 16)
				break;
		}
		if (p < e && *p == '<' && p > b) {
			s->pos = (size_t)(p - s->buf);
			s->line += lines;
			rc = k->text(k->ctx, (const char *)b, (size_t)(p - b));
			return rc < 0 ? stopped(s, d) : rc;
		}
		lines = 0;
	}
#endif
	if ((lt = memchr(b, '<', (size_t)(e - b))) == NULL) {
		if (!s->eof)
			return NEED;
		lt = e;
	}
	/* check, and see whether it can go out as it is */
	for (p = b; p < lt;) {
		uint32_t cp;
		int n;

		/* eight plain ASCII bytes at a time (SWAR) */
		uint64_t x;

		while (lt - p >= 8 && plain8(p, &x)) {
			if (ws)
				ws = all_space8(x);
			p += 8;
		}
		while (p < lt && !text_special[*p]) {
			ws = ws && is_s(*p);
			p++;
		}
		if (p == lt)
			break;
		switch (*p) {
		case '\n':
			lines++;
			p++;
			continue;
		case '\r':
			copy = true;
			p++;
			continue;
		case '\t':
			p++;
			continue;
		case '&':
			copy = true;
			ws = false;
			p++;
			continue;
		case ']':
			ws = false;
			if (lt - p >= 3 && p[1] == ']' && p[2] == '>') {
				s->line += lines;
				return wf(s, d, "']]>' not allowed in text");
			}
			if (lt == e && lt - p < 3 && !s->eof)
				return NEED;
			p++;
			continue;
		}
		if ((n = utf8(p, (size_t)(lt - p), &cp)) == 0) {
			if (lt == e && !s->eof)
				return NEED;
			n = -1;
		}
		if (n < 0) {
			s->line += lines;
			return wf(s, d, "not UTF-8, or a character not allowed "
			    "in XML");
		}
		ws = false;
		p += n;
	}
	if (s->state != S_CONTENT && !ws) {
		/* the line where the text starts */
		while (b < lt && is_s(*b))
			s->line += *b++ == '\n';
		return wf(s, d, s->state == S_EPILOG ? "text after the root "
		    "element" : "text before the root element");
	}
	s->pos = (size_t)(lt - s->buf);
	if (s->state != S_CONTENT) {
		s->line += lines;
		return 0;
	}
	if (!copy) {
		s->line += lines;
		rc = k->text(k->ctx, (const char *)b, (size_t)(lt - b));
		return rc < 0 ? stopped(s, d) : rc;
	}
	/* references and CR: a normalised copy */
	s->scratch.len = 0;
	for (p = b; p < lt;) {
		const unsigned char *q = p;
		char out[4];
		size_t olen, rlen;

		while (q < lt && *q != '&' && *q != '\r')
			q++;
		epcis_buf_add(&s->scratch, (const char *)p, (size_t)(q - p));
		if (q == lt)
			break;
		p = q;
		if (*p == '\r') {
			epcis_buf_add(&s->scratch, "\n", 1);
			p += p + 1 < lt && p[1] == '\n' ? 2 : 1;
			continue;
		}
		if ((rc = reference(p, (size_t)(lt - p), out, &olen, &rlen,
		    &why)) != 1) {
			for (const unsigned char *t = b; t < p; t++)
				s->line += *t == '\n';
			return wf(s, d, rc == 0 ?
			    "'&' that starts no reference" : why);
		}
		epcis_buf_add(&s->scratch, out, olen);
		p += rlen;
	}
	s->line += lines;
	if (s->scratch.failed)
		return nomem(s, d);
	rc = k->text(k->ctx, s->scratch.data, s->scratch.len);
	return rc < 0 ? stopped(s, d) : rc;
}

/* Check the characters of [p, e) (invariant 2); false if one is bad. */
static bool
chars_ok(const unsigned char *p, const unsigned char *e, unsigned long *lines)
{
	while (p < e) {
		uint32_t cp;
		int n;

		if (*p < 0x80) {
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				return false;
			*lines += *p == '\n';
			p++;
			continue;
		}
		if ((n = utf8(p, (size_t)(e - p), &cp)) <= 0)
			return false;
		p += n;
	}
	return true;
}

/* Find s2 (n2 bytes) in [p, e). */
static const unsigned char *
find(const unsigned char *p, const unsigned char *e, const char *s2, size_t n2)
{
	while (p + n2 <= e) {
		const unsigned char *q = memchr(p, s2[0], (size_t)(e - p));

		if (q == NULL || q + n2 > e)
			return NULL;
		if (memcmp(q, s2, n2) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* "<!--" at buf[pos]. */
static int
comment(struct epcis_scan *s, const struct epcis_scan_sink *k,
    struct diag *d)
{
	const unsigned char *b = s->buf + s->pos + 4, *e = s->buf + s->len, *q;
	unsigned long lines = 0;
	int rc;

	if ((q = find(b, e, "--", 2)) == NULL)
		return NEED;
	if (q + 2 >= e)
		return NEED;
	if (q[2] != '>')
		return wf(s, d, "'--' inside a comment");
	if (!chars_ok(b, q, &lines))
		return wf(s, d, "not UTF-8, or a character not allowed in XML");
	s->line += lines;
	s->pos = (size_t)(q + 3 - s->buf);
	if (s->state != S_CONTENT)
		return 0;
	rc = k->brk(k->ctx);
	return rc < 0 ? stopped(s, d) : rc;
}

/* "<![CDATA[" at buf[pos]: its content is text. */
static int
cdata(struct epcis_scan *s, const struct epcis_scan_sink *k, struct diag *d)
{
	const unsigned char *b = s->buf + s->pos + 9, *e = s->buf + s->len, *q;
	unsigned long lines = 0;
	int rc;

	if (s->state != S_CONTENT)
		return wf(s, d, "CDATA section outside the root element");
	if ((q = find(b, e, "]]>", 3)) == NULL)
		return NEED;
	if (!chars_ok(b, q, &lines))
		return wf(s, d, "not UTF-8, or a character not allowed in XML");
	s->line += lines;
	s->pos = (size_t)(q + 3 - s->buf);
	if (memchr(b, '\r', (size_t)(q - b)) != NULL) {
		s->scratch.len = 0;
		for (const unsigned char *p = b; p < q; p++) {
			if (*p != '\r')
				epcis_buf_add(&s->scratch, (const char *)p, 1);
			else if (p + 1 < q && p[1] == '\n')
				continue;
			else
				epcis_buf_add(&s->scratch, "\n", 1);
		}
		if (s->scratch.failed)
			return nomem(s, d);
		rc = (k->cdata != NULL ? k->cdata : k->text)(k->ctx,
		    s->scratch.data, s->scratch.len);
	} else
		rc = (k->cdata != NULL ? k->cdata : k->text)(k->ctx,
		    (const char *)b, (size_t)(q - b));
	return rc < 0 ? stopped(s, d) : rc;
}

/*
 * The XML declaration's pseudo-attributes in [p, q) (XML 1.0 section
 * 2.8): version 1.x, encoding UTF-8 if any (invariant 2), standalone.
 */
static int
xml_decl(struct epcis_scan *s, const unsigned char *p, const unsigned char *q,
    struct diag *d)
{
	static const char *const names[] = { "version", "encoding",
	    "standalone" };
	size_t next = 0;
	unsigned long lines = 0;

	for (;;) {
		const unsigned char *v, *ve;
		size_t n, i;
		bool sp = false;

		while (p < q && is_s(*p)) {
			lines += *p == '\n';
			sp = true;
			p++;
		}
		if (p == q)
			break;
		if (!sp)
			return wf(s, d, "bad XML declaration");
		for (i = next; i < 3; i++) {
			n = strlen(names[i]);
			if ((size_t)(q - p) > n && memcmp(p, names[i], n) == 0)
				break;
		}
		if (i == 3 || (i > 0 && next == 0))
			return wf(s, d, "bad XML declaration");
		p += strlen(names[i]);
		while (p < q && is_s(*p))
			lines += *p++ == '\n';
		if (p == q || *p != '=')
			return wf(s, d, "bad XML declaration");
		p++;
		while (p < q && is_s(*p))
			lines += *p++ == '\n';
		if (p == q || (*p != '"' && *p != '\''))
			return wf(s, d, "bad XML declaration");
		v = p + 1;
		if ((ve = memchr(v, *p, (size_t)(q - v))) == NULL)
			return wf(s, d, "bad XML declaration");
		n = (size_t)(ve - v);
		if (i == 0) {
			if (n < 3 || v[0] != '1' || v[1] != '.')
				return wf(s, d, "XML version is not 1.x");
			for (size_t k = 2; k < n; k++)
				if (!is_digit(v[k]))
					return wf(s, d, "XML version is not 1.x");
		} else if (i == 1) {
			static const char utf[] = "utf-8";
			bool ok = n == 5;

			for (size_t k = 0; ok && k < 5; k++)
				ok = (v[k] | (v[k] >= 'A' && v[k] <= 'Z' ?
				    0x20 : 0)) == (unsigned char)utf[k];
			if (!ok) {
				diag_input(d, "encoding '%.*s' not supported "
				    "without --validate (EPCIS input is UTF-8)",
				    (int)(n < 40 ? n : 40), (const char *)v);
				diag_at(d, NULL, s->line);
				s->state = S_DONE;
				return -1;
			}
		} else if (!bytes_eq(v, n, "yes") && !bytes_eq(v, n, "no"))
			return wf(s, d, "standalone must be yes or no");
		next = i + 1;
		p = ve + 1;
	}
	if (next == 0)
		return wf(s, d, "XML declaration without a version");
	s->line += lines;
	s->pos = (size_t)(q + 2 - s->buf);
	s->state = S_PROLOG;
	return 0;
}

/* "<?" at buf[pos]: a processing instruction or the XML declaration. */
static int
pi(struct epcis_scan *s, const struct epcis_scan_sink *k, struct diag *d)
{
	const unsigned char *b = s->buf + s->pos + 2, *e = s->buf + s->len, *q;
	unsigned long lines = 0;
	size_t nlen;
	int rc;

	if ((rc = scan_name(b, (size_t)(e - b), &nlen)) != 1)
		return rc == 0 ? NEED : wf(s, d, "bad processing instruction "
		    "target");
	if ((q = find(b + nlen, e, "?>", 2)) == NULL)
		return NEED;
	if (nlen == 3 && (b[0] | 0x20) == 'x' && (b[1] | 0x20) == 'm' &&
	    (b[2] | 0x20) == 'l') {
		if (s->state != S_START || s->base + s->pos !=
		    (s->bom == 3 ? 3 : 0) ||
		    memcmp(b, "xml", 3) != 0)
			return wf(s, d, "XML declaration not at the start, or "
			    "a processing instruction named xml");
		return xml_decl(s, b + 3, q, d);
	}
	if (memchr(b, ':', nlen) != NULL)
		return wf(s, d, "colon in a processing instruction target");
	if (b + nlen < q && !is_s(b[nlen]))
		return wf(s, d, "white space expected after a processing "
		    "instruction target");
	if (!chars_ok(b + nlen, q, &lines))
		return wf(s, d, "not UTF-8, or a character not allowed in XML");
	s->line += lines;
	s->pos = (size_t)(q + 2 - s->buf);
	if (s->state == S_START)
		s->state = S_PROLOG;
	if (s->state != S_CONTENT)
		return 0;
	rc = k->brk(k->ctx);
	return rc < 0 ? stopped(s, d) : rc;
}

/*
 * "<!DOCTYPE" at buf[pos]: only "<!DOCTYPE name>", or with an empty
 * internal subset (invariant 1).
 */
static int
doctype(struct epcis_scan *s, struct diag *d)
{
	const unsigned char *p = s->buf + s->pos + 9, *e = s->buf + s->len;
	size_t n;
	unsigned long lines = 0;
	int rc;
	bool bad = false;

	if (!is_s(*p))
		bad = true;
	while (p < e && is_s(*p))
		lines += *p++ == '\n';
	if (!bad && (rc = scan_name(p, (size_t)(e - p), &n)) != 1) {
		if (rc == 0)
			return NEED;
		bad = true;
	}
	if (!bad) {
		p += n;
		while (p < e && is_s(*p))
			lines += *p++ == '\n';
		if (p < e && *p == '[') {
			p++;
			while (p < e && is_s(*p))
				lines += *p++ == '\n';
			if (p < e && *p != ']')
				bad = true;
			else if (p < e) {
				p++;
				while (p < e && is_s(*p))
					lines += *p++ == '\n';
			}
		}
		if (p == e)
			return NEED;
		if (*p != '>')
			bad = true;
	}
	s->line += lines;
	if (bad) {
		diag_input(d, "DTD not allowed (no external DTDs, no entity "
		    "declarations in EPCIS input)");
		diag_at(d, NULL, s->line);
		s->state = S_DONE;
		return -1;
	}
	if (s->doctype || (s->state != S_START && s->state != S_PROLOG))
		return wf(s, d, "DOCTYPE not allowed here");
	s->doctype = true;
	s->state = S_PROLOG;
	s->pos = (size_t)(p + 1 - s->buf);
	return 0;
}

static int
markup(struct epcis_scan *s, const struct epcis_scan_sink *k, struct diag *d)
{
	const unsigned char *b = s->buf + s->pos;
	size_t n = s->len - s->pos;

	if (n < 2)
		return NEED;
	switch (b[1]) {
	case '/':
		return end_tag(s, k, d);
	case '?':
		return pi(s, k, d);
	case '!':
		if (n < 4)
			return NEED;
		if (b[2] == '-' && b[3] == '-')
			return comment(s, k, d);
		if (n < 9)
			return NEED;
		if (memcmp(b, "<![CDATA[", 9) == 0)
			return cdata(s, k, d);
		if (memcmp(b, "<!DOCTYPE", 9) == 0) {
			if (n < 10)
				return NEED;
			return doctype(s, d);
		}
		return wf(s, d, "'<!' that starts no comment or CDATA section");
	default:
		return start_tag(s, k, d);
	}
}

int
epcis_scan_next(struct epcis_scan *s, const struct epcis_scan_sink *k,
    struct diag *d)
{
	int rc;

	if (s->finished)
		return 0;
	for (;;) {
		if (s->state == S_DONE)
			return -1;
		if (s->state == S_START && s->base + s->pos == 0 &&
		    s->bom == 0) {
			if (s->len < 3 && !s->eof) {
				if ((rc = refill(s, d)) < 0)
					return -1;
				continue;
			}
			if (s->len >= 3 && memcmp(s->buf, "\xef\xbb\xbf", 3) == 0) {
				s->bom = 3;
				s->pos = 3;
			} else
				s->bom = (size_t)-1;
		}
		if (s->pos == s->len) {
			if (!s->eof) {
				if ((rc = refill(s, d)) < 0)
					return -1;
				continue;
			}
			if (s->state == S_EPILOG) {
				s->finished = true;
				return 0;
			}
			if (s->state == S_CONTENT)
				return wf(s, d, "the document ends inside an "
				    "element (truncated)");
			return wf(s, d, "no root element (empty document)");
		}
		if (s->buf[s->pos] == '<')
			rc = markup(s, k, d);
		else
			rc = text(s, k, d);
		if (rc == NEED) {
			if (!s->eof) {
				if (refill(s, d) < 0)
					return -1;
				continue;	/* again, maybe knowing the end */
			}
			return wf(s, d, "the document ends inside markup "
			    "(truncated)");
		}
		if (rc < 0)
			return -1;
		if (s->state == S_START)
			s->state = S_PROLOG;
		if (rc == 1)
			return 1;
	}
}
