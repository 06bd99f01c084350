/*
 * gs1_validate: rules over a whole message, after each value's syntax.
 *
 * Order of checks, first failure reported:
 *  1. repeated AIs must carry identical values (GenSpecs 4.14.1);
 *  2. GS1_PROFILE_GS1 and up: the dictionary's ex= (invalid pairs,
 *     GenSpecs 4.14.1, Figure 4.14-1) and req= (mandatory associations,
 *     GenSpecs 4.14.2, Figure 4.14-2) attributes, for each AI in message
 *     order, ex= first; a pattern digit 'n' matches any digit, and an AI
 *     never excludes itself;
 *  3. GS1_PROFILE_DSCSA: the product identifier of FD&C Act 581(14) and
 *     582: GTIN (01), serial (21, at most 20 characters), lot (10) and
 *     expiry (17) all present; a GTIN indicator digit of 0-8 (9 is a
 *     variable-measure item, which a DSCSA package never is); a GTIN that
 *     carries the NDC (GTIN-14 digits 2-3 "03", the FDA NDC-in-GTIN
 *     convention) unless the NDC travels in AI (715) (FDA final rule of
 *     2026-03-05); an expiry with a real day, not 00 (GSCN 21-040,
 *     healthcare expiry dates from 2025); an expiry not before `today`.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "gs1_int.h"

static bool
pattern_match(const char *p, size_t plen, const char *ai)
{
	for (size_t i = 0; i < plen; i++)
		if (ai[i] == '\0' || (p[i] != 'n' && p[i] != ai[i]))
			return false;
	return ai[plen] == '\0';
}

/* An element matching pattern p, other than element `self` (may be NULL). */
static const struct gs1_element *
find_pattern(const struct gs1_msg *m, const char *p, size_t plen,
    const struct gs1_element *self)
{
	for (size_t i = 0; i < m->n; i++)
		if ((self == NULL || !gs1_el_same_ai(&m->el[i], self)) &&
		    pattern_match(p, plen, m->el[i].ai))
			return &m->el[i];
	return NULL;
}

/* Length of the AI pattern at p (up to ',', '+' or the end). */
static size_t
pattern_len(const char *p)
{
	size_t k = 0;

	while (p[k] != '\0' && p[k] != ',' && p[k] != '+')
		k++;
	return k;
}

/* "01+21,02,35nn" -> "(01)+(21), (02) or (35nn)" */
static void
describe_req(const char *req, char *buf, size_t cap)
{
	size_t n = 0, alts = 1, alt = 0;

	for (const char *p = req; *p != '\0'; p++)
		alts += *p == ',';
	buf[0] = '\0';
	for (const char *p = req; *p != '\0' && n + 12 < cap;) {
		size_t k = strcspn(p, "+,");

		n += (size_t)snprintf(buf + n, cap - n, "(%.*s)", (int)k, p);
		p += k;
		if (*p == '+') {
			buf[n++] = '+';
			buf[n] = '\0';
			p++;
		} else if (*p == ',') {
			alt++;
			n += (size_t)snprintf(buf + n, cap - n, "%s",
			    alt + 1 == alts ? " or " : ", ");
			p++;
		}
	}
}

/*
 * The AIs of a message as entries of its table: ix[] the entry of each
 * element, bits[] the set of entries present (words 0 .. (n + 63) / 64).
 */
struct present {
	unsigned	ix[GS1_MAX_AIS];
	uint64_t	bits[(GS1_TABLE_MAX + 63) / 64];
};

/*
 * Fill *pr; false if some AI of m is not in its table (then the rules are
 * matched by their text).  *dup is set when an entry is present twice.
 */
static bool
present_init(struct present *pr, const struct gs1_msg *m, bool *dup)
{
	const struct gs1_table *t = m->table;

	*dup = false;
	memset(pr->bits, 0, (t->n + 63) / 64 * sizeof(pr->bits[0]));
	for (size_t i = 0; i < m->n; i++) {
		const struct gs1_ai *a = m->el[i].def;
		unsigned k;
		uint64_t bit;

		if (a == NULL || a < t->ai || a >= t->ai + t->n)
			return false;
		k = (unsigned)(a - t->ai);
		bit = (uint64_t)1 << (k & 63);
		*dup = *dup || (pr->bits[k >> 6] & bit) != 0;
		pr->bits[k >> 6] |= bit;
		pr->ix[i] = k;
	}
	return true;
}

/* Is an entry of [lo, hi) (not empty) present? */
static inline bool
any_in(const uint64_t *bits, unsigned lo, unsigned hi)
{
	unsigned w = lo >> 6, wl = (hi - 1) >> 6;
	uint64_t first = ~(uint64_t)0 << (lo & 63);
	uint64_t last = ~(uint64_t)0 >> (63 - ((hi - 1) & 63));

	if (w == wl)
		return (bits[w] & first & last) != 0;
	if ((bits[w] & first) != 0)
		return true;
	for (w++; w < wl; w++)
		if (bits[w] != 0)
			return true;
	return (bits[wl] & last) != 0;
}

/*
 * The element (from the first) that the compiled pattern p matches, its
 * entry other than `self` (-1U: none), or -1.
 */
static long
find_compiled(const struct gs1_msg *m, const struct present *pr,
    const struct gs1_pat *p, unsigned self)
{
	for (size_t i = 0; i < m->n; i++)
		if (pr->ix[i] - p->lo < (unsigned)(p->hi - p->lo) &&
		    pr->ix[i] != self && (p->exact ||
		    pattern_match(p->pat, strlen(p->pat), m->el[i].ai)))
			return (long)i;
	return -1;
}

/* Does an element other than those of entry `self` match p? */
static inline bool
pat_present(const struct gs1_msg *m, const struct present *pr,
    const struct gs1_pat *p, unsigned self)
{
	unsigned lo = p->lo;

	if (p->hi - lo == 1) {		/* the common case: one entry */
		if (((pr->bits[lo >> 6] >> (lo & 63)) & 1) == 0)
			return false;
	} else if (p->hi == lo || !any_in(pr->bits, lo, p->hi)) {
		return false;
	}
	return (p->exact && (self == -1U || self < p->lo || self >= p->hi)) ||
	    find_compiled(m, pr, p, self) >= 0;
}

static int
req_error(const struct gs1_element *e, const char *req, struct diag *d)
{
	char want[256];

	describe_req(req, want, sizeof(want));
	return diag_input(d, "AI (%s) requires AI %s", e->ai, want);
}

/*
 * check_pairs_strings() over the compiled rules (struct gs1_pat), for a
 * message whose AIs are all in its table: bit tests on entry numbers
 * instead of string matching, same order of checks, same first failure.
 */
static int
check_pairs_compiled(const struct gs1_msg *m, const struct present *pr,
    struct diag *d)
{
	const struct gs1_table *t = m->table;

	for (size_t i = 0; i < m->n; i++) {
		const struct gs1_element *e = &m->el[i];
		const struct gs1_ai *a = e->def;
		const struct gs1_pat *p, *x, *end;

		x = gs1_ai_expat(t, a);
		for (end = x + a->nexpat; x < end; x++)
			if (pat_present(m, pr, x, pr->ix[i]))
				return diag_input(d, "AI (%s) must not appear "
				    "with AI (%s)", e->ai, m->el[find_compiled(
				    m, pr, x, pr->ix[i])].ai);
		p = gs1_ai_reqp(t, a, 0);	/* the req= lists in order */
		for (size_t r = 0; r < a->nreq; p = end, r++) {
			bool ok = false;

			end = p + a->nreqp[r];

			/* Alternatives, each an AND of patterns ('+'). */
			while (p < end && !ok) {
				bool all = true;

				for (;;) {
					if (all && !pat_present(m, pr, p, -1U))
						all = false;
					if (p++->last)
						break;
				}
				ok = all;
			}
			if (!ok)
				return req_error(e, gs1_ai_req(t, a, r), d);
		}
	}
	return 0;
}

/*
 * The pairing rules by their text, for messages with AIs that the table
 * does not define (GS1_PARSE_OPTS unknown_ais): a pattern matches such an
 * AI by its digits.
 */
static int
check_pairs_strings(const struct gs1_msg *m, struct diag *d)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct gs1_element *e = &m->el[i];
		const struct gs1_ai *a = e->def;

		if (a == NULL)
			continue;
		for (size_t x = 0; x < a->nex; x++) {
			for (const char *p = gs1_ai_ex(m->table, a, x);
			    *p != '\0';) {
				size_t k = pattern_len(p);
				const struct gs1_element *f = find_pattern(m, p,
				    k, e);

				if (f != NULL)
					return diag_input(d, "AI (%s) must not "
					    "appear with AI (%s)", e->ai,
					    f->ai);
				p += k + (p[k] != '\0');
			}
		}
		for (size_t r = 0; r < a->nreq; r++) {
			const char *p = gs1_ai_req(m->table, a, r);
			bool ok = false;

			/* Alternatives split by ',', each an AND of '+'. */
			while (*p != '\0' && !ok) {
				bool all = true;

				for (;;) {
					size_t k = pattern_len(p);

					if (all && find_pattern(m, p, k,
					    NULL) == NULL)
						all = false;
					p += k;
					if (*p != '+')
						break;
					p++;
				}
				ok = all;
				if (*p == ',')
					p++;
			}
			if (!ok)
				return req_error(e, gs1_ai_req(m->table, a, r), d);
		}
	}
	return 0;
}

static int
check_dscsa(const struct gs1_msg *m, const struct gs1_date *today,
    struct diag *d)
{
	static const struct {
		const char	*ai, *what;
	} need[] = {
		{ "01", "GTIN" }, { "21", "serial number" },
		{ "10", "lot" }, { "17", "expiry date" },
	};
	static const char pfx[] = "DSCSA profile: ";
	const struct gs1_element *g, *s, *x;
	struct gs1_date exp;
	bool day00;

	const struct gs1_element *found[4] = { NULL, NULL, NULL, NULL };
	bool ndc_ai = false;

	/* One pass: the first 01, 21, 10, 17, and whether 715 is there. */
	for (size_t i = 0; i < m->n; i++) {
		const char *ai = m->el[i].ai;

		if (ai[2] == '\0') {
			size_t k;

			switch ((ai[0] - '0') * 10 + (ai[1] - '0')) {
			case 1:
				k = 0;
				break;
			case 21:
				k = 1;
				break;
			case 10:
				k = 2;
				break;
			case 17:
				k = 3;
				break;
			default:
				continue;
			}
			if (found[k] == NULL)
				found[k] = &m->el[i];
		} else if (gs1_el_is(&m->el[i], "715")) {
			ndc_ai = true;
		}
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (found[i] == NULL)
			return diag_input(d, "%smissing AI (%s) %s", pfx,
			    need[i].ai, need[i].what);
	g = found[0];
	s = found[1];
	x = found[3];
	if (s->len > 20)
		return gs1_value_error(d, pfx, "21", "serial number longer "
		    "than 20 characters", s->value, s->len, 20, s->len - 20);
	if (g->len != 14)
		return gs1_value_error(d, pfx, "01", "GTIN must have 14 digits",
		    g->value, g->len, 0, g->len);
	if (g->value[0] == '9')
		return gs1_value_error(d, pfx, "01", "indicator digit 9 "
		    "(variable measure) is not allowed", g->value, g->len, 0,
		    1);
	if ((g->value[1] != '0' || g->value[2] != '3') && !ndc_ai)
		return gs1_value_error(d, pfx, "01", "GTIN does not carry an "
		    "NDC (digits 2-3 are not 03) and there is no AI (715)",
		    g->value, g->len, 1, 2);
	if (x->len != 6 || gs1_date_from_yymmdd(x->value, today, &exp,
	    &day00) != 0)
		return gs1_value_error(d, pfx, "17", "bad expiry date",
		    x->value, x->len, 0, x->len);
	if (day00)
		return gs1_value_error(d, pfx, "17", "day 00 is not allowed "
		    "for a healthcare expiry date", x->value, x->len, 4, 2);
	/* Both are valid dates: exp < today, field by field. */
	if (exp.year < today->year || (exp.year == today->year &&
	    (exp.month < today->month || (exp.month == today->month &&
	    exp.day < today->day))))
		return diag_input(d, "%sAI (17): expired on %04d-%02d-%02d "
		    "(today is %04d-%02d-%02d)", pfx, exp.year, exp.month,
		    exp.day, today->year, today->month, today->day);
	return 0;
}

/* GenSpecs 4.14.1: a repeated AI must carry the same value. */
static int
check_repeats(const struct gs1_msg *m, struct diag *d)
{
	for (size_t i = 1; i < m->n; i++)
		for (size_t j = 0; j < i; j++)
			if (gs1_el_same_ai(&m->el[i], &m->el[j]) &&
			    (m->el[i].len != m->el[j].len ||
			    memcmp(m->el[i].value, m->el[j].value,
			    m->el[i].len) != 0))
				return diag_input(d, "AI (%s) appears twice "
				    "with different values", m->el[i].ai);
	return 0;
}

int
gs1_validate(const struct gs1_msg *m, const struct gs1_validate_opts *o,
    struct diag *d)
{
	struct present pr;
	struct gs1_date today;
	bool known, dup;

	known = present_init(&pr, m, &dup);
	if ((!known || dup) && check_repeats(m, d) != 0)
		return -1;
	if (o->profile == GS1_PROFILE_NONE)
		return 0;
	if ((known ? check_pairs_compiled(m, &pr, d) :
	    check_pairs_strings(m, d)) != 0)
		return -1;
	if (o->profile != GS1_PROFILE_DSCSA)
		return 0;
	today = o->today;
	if (today.year == 0 && gs1_date_today(&today) != 0)
		return diag_system(d, "cannot read the clock");
	if (!gs1_date_valid(&today))
		return diag_input(d, "bad reference date %04d-%02d-%02d",
		    today.year, today.month, today.day);
	return check_dscsa(m, &today, d);
}
