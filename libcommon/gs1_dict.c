/*
 * gs1_dict: the GS1 Barcode Syntax Dictionary loader.
 *
 * Parses gs1-syntax-dictionary.txt (format described at the top of that
 * file) into a struct gs1_table.  The same code serves the run-time loader
 * (gs1_table_load, "--syntax-dictionary FILE") and the build-time generator
 * (scripts/gen-aitable.c), so the embedded table and a loaded one cannot
 * disagree.  This file depends on diag.c only.
 *
 * The loader refuses, with "file:line: ...", what the GS1 Syntax Engine
 * refuses (its syn.c): AIs out of strictly ascending order, AIs of one
 * two-digit prefix with different lengths, '*' on an AI outside the
 * GenSpecs table of predefined-length element strings (GenSpecs 7.8.5,
 * Figure 7.8.5-2) or whose specification is not fixed at that length,
 * unknown linters, malformed components (only the last one may be of
 * variable length, no mandatory component after an optional one), values
 * longer than 90, and malformed req=/ex= lists.  Unknown attribute keys
 * are ignored, so that a newer dictionary with new keys still loads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "gs1_int.h"
#include "mem.h"

const char *const gs1_linter_names[GS1_LINTER_COUNT] = {
	"",
#define GS1_LINTER_NAME(name, id)	name,
	GS1_LINTERS(GS1_LINTER_NAME)
#undef GS1_LINTER_NAME
};

const char *const gs1_linter_enums[GS1_LINTER_COUNT] = {
	"GS1_LINTER_NONE",
#define GS1_LINTER_ENAME(name, id)	"GS1_LINTER_" #id,
	GS1_LINTERS(GS1_LINTER_ENAME)
#undef GS1_LINTER_ENAME
};

/*
 * GenSpecs Figure 7.8.5-2: element strings with a predefined length, by
 * the first two digits of the AI: the length of AI and data together.
 * (23 was on the list and is retired.)
 */
static int
predefined_total(unsigned prefix)
{
	if (prefix == 0)
		return 20;
	if (prefix >= 1 && prefix <= 3)
		return 16;
	if (prefix == 4)
		return 18;
	if (prefix >= 11 && prefix <= 19)
		return 8;
	if (prefix == 20)
		return 4;
	if (prefix >= 31 && prefix <= 36)
		return 10;
	if (prefix == 41)
		return 16;
	return 0;
}

/* Growing storage for entries and strings while a file is parsed. */
struct dict_build {
	struct gs1_ai	*ai;
	size_t		 n, cap;
	char		*str;		/* strings, NUL-separated */
	size_t		 slen, scap;
};

/*
 * Append a string to the pool; *off is where it starts.  The entries hold
 * 16-bit offsets (gs1_int.h), so the pool may not outgrow GS1_POOL_MAX.
 */
static int
add_string(struct dict_build *b, const char *s, size_t len, uint16_t *off,
    struct diag *d)
{
	char *p;

	if (len >= GS1_POOL_MAX || b->slen + len + 1 > GS1_POOL_MAX)
		return diag_input(d, "the dictionary's strings exceed %d bytes",
		    GS1_POOL_MAX);
	if ((p = mem_grow(b->str, &b->scap, b->slen + len + 1, 1,
	    16384)) == NULL)
		return diag_system(d, "out of memory");
	b->str = p;
	memcpy(b->str + b->slen, s, len);
	b->str[b->slen + len] = '\0';
	*off = (uint16_t)b->slen;
	b->slen += len + 1;
	return 0;
}

static bool
is_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 0;
}

static int
lint_lookup(const char *s, size_t len)
{
	for (int i = 1; i < GS1_LINTER_COUNT; i++)
		if (strlen(gs1_linter_names[i]) == len &&
		    memcmp(gs1_linter_names[i], s, len) == 0)
			return i;
	return -1;
}

/* Parse one component token "N14,csum" / "[N3],iso3166" / "X..20". */
static int
parse_comp(struct gs1_comp *c, const char *s, size_t len, bool *var,
    struct diag *d)
{
	size_t i = 0, n = 0;
	unsigned long v = 0;

	memset(c, 0, sizeof(*c));
	if (i < len && s[i] == '[') {
		c->optional = true;
		i++;
	}
	if (i >= len || strchr("NXYZ", s[i]) == NULL || s[i] == '\0')
		return diag_input(d, "bad component '%.*s': type must be "
		    "N, X, Y or Z", (int)len, s);
	c->cset = s[i++];
	*var = false;
	if (i + 1 < len && s[i] == '.' && s[i + 1] == '.') {
		*var = true;
		i += 2;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9' && n < 3; i++, n++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (n == 0 || v == 0 || v > GS1_MAX_VALUE)
		return diag_input(d, "bad component '%.*s': bad length",
		    (int)len, s);
	c->max = (uint8_t)v;
	c->min = *var ? 1 : (uint8_t)v;
	if (c->optional) {
		if (i >= len || s[i] != ']')
			return diag_input(d, "bad component '%.*s': "
			    "missing ']'", (int)len, s);
		i++;
	}
	while (i < len) {
		size_t j;
		int id;

		if (s[i] != ',')
			return diag_input(d, "bad component '%.*s'",
			    (int)len, s);
		for (j = ++i; j < len && s[j] != ','; j++)
			;
		if ((id = lint_lookup(s + i, j - i)) < 0)
			return diag_input(d, "unknown linter '%.*s'",
			    (int)(j - i), s + i);
		if (c->nlint == GS1_COMP_LINT_MAX)
			return diag_input(d, "more than %d linters on one "
			    "component", GS1_COMP_LINT_MAX);
		c->lint[c->nlint++] = (uint8_t)id;
		i = j;
	}
	return 0;
}

/* "01+21,02,35nn": AI patterns (2-4 digits or 'n') joined by '+' and ','. */
static int
check_ai_list(const char *key, const char *s, size_t len, struct diag *d)
{
	size_t i = 0;

	while (i <= len) {
		size_t j = i;

		while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == 'n'))
			j++;
		if (j - i < 2 || j - i > 4 || s[i] == 'n' || s[i + 1] == 'n')
			return diag_input(d, "bad AI pattern in %s=%.*s", key,
			    (int)len, s);
		if (j == len)
			return 0;
		if (s[j] != '+' && s[j] != ',')
			return diag_input(d, "bad AI pattern in %s=%.*s", key,
			    (int)len, s);
		i = j + 1;
	}
	return diag_input(d, "bad AI pattern in %s=%.*s", key, (int)len, s);
}

/* "dlpkey=22,10,21|235": qualifier sequences. */
static int
check_dlpkey(const char *s, size_t len, struct diag *d)
{
	size_t i = 0;

	while (i <= len) {
		size_t j = i;

		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j - i < 2 || j - i > 4)
			return diag_input(d, "bad dlpkey=%.*s", (int)len, s);
		if (j == len)
			return 0;
		if (s[j] != ',' && s[j] != '|')
			return diag_input(d, "bad dlpkey=%.*s", (int)len, s);
		i = j + 1;
	}
	return diag_input(d, "bad dlpkey=%.*s", (int)len, s);
}

static bool
is_flag_token(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strchr("*!?\"$%&'()+,-./:;<=>@\\]^_`{|}~", s[i]) == NULL ||
		    s[i] == '\0')
			return false;
	return true;
}

/*
 * Parse one data line into `proto` (AI range lo..hi); tokens are split on
 * blanks, the title follows the first '#'.
 */
static int
parse_line(struct dict_build *b, const char *line, size_t len,
    unsigned lineno, struct diag *d)
{
	struct gs1_ai proto;
	const char *tok[64];
	size_t toklen[64], ntok = 0, t = 0, title_len = 0;
	const char *title = "", *lo, *hi;
	size_t lolen, hilen;
	bool var_seen = false, opt_seen = false, star = false;
	unsigned long first, last;

	memset(&proto, 0, sizeof(proto));
	for (size_t i = 0; i < len; i++)
		if (line[i] == '#') {
			title = line + i + 1;
			title_len = len - i - 1;
			len = i;
			break;
		}
	while (title_len > 0 && (*title == ' ' || *title == '\t')) {
		title++;
		title_len--;
	}
	while (title_len > 0 && (title[title_len - 1] == ' ' ||
	    title[title_len - 1] == '\t' || title[title_len - 1] == '\r'))
		title_len--;
	for (size_t i = 0; i < len;) {
		size_t j;

		while (i < len && (line[i] == ' ' || line[i] == '\t' ||
		    line[i] == '\r'))
			i++;
		if (i == len)
			break;
		for (j = i; j < len && line[j] != ' ' && line[j] != '\t' &&
		    line[j] != '\r'; j++)
			;
		if (ntok == 64)
			return diag_input(d, "too many fields");
		tok[ntok] = line + i;
		toklen[ntok++] = j - i;
		i = j;
	}
	if (ntok < 2)
		return diag_input(d, "expected AI and specification");

	/* AI or range. */
	lo = hi = tok[0];
	lolen = hilen = toklen[0];
	for (size_t i = 0; i < toklen[0]; i++)
		if (tok[0][i] == '-') {
			lolen = i;
			hi = tok[0] + i + 1;
			hilen = toklen[0] - i - 1;
			break;
		}
	if (!is_digits(lo, lolen) || !is_digits(hi, hilen) || lolen < 2 ||
	    lolen > 4 || hilen != lolen)
		return diag_input(d, "bad AI '%.*s'", (int)toklen[0], tok[0]);
	first = strtoul(lo, NULL, 10);
	last = strtoul(hi, NULL, 10);
	if (last < first)
		return diag_input(d, "bad AI range '%.*s'", (int)toklen[0],
		    tok[0]);
	t = 1;

	/* Flags. */
	if (is_flag_token(tok[t], toklen[t])) {
		for (size_t i = 0; i < toklen[t]; i++) {
			if (tok[t][i] == '*')
				star = true;
			else if (tok[t][i] == '?')
				proto.dlattr = true;
		}
		t++;
	}
	proto.fnc1 = !star;

	/* Specification components. */
	for (; t < ntok && strchr("[NXYZ", tok[t][0]) != NULL; t++) {
		struct gs1_comp *c;
		bool var = false;

		if (proto.ncomp == GS1_COMP_MAX)
			return diag_input(d, "more than %d components",
			    GS1_COMP_MAX);
		if (var_seen)
			return diag_input(d, "only the last component may "
			    "have a variable length");
		c = &proto.comp[proto.ncomp];
		if (parse_comp(c, tok[t], toklen[t], &var, d) != 0)
			return -1;
		if (opt_seen && !c->optional)
			return diag_input(d, "mandatory component after an "
			    "optional one");
		opt_seen = opt_seen || c->optional;
		var_seen = var;
		if (!c->optional)
			proto.minlen = (uint16_t)(proto.minlen + c->min);
		proto.maxlen = (uint16_t)(proto.maxlen + c->max);
		proto.ncomp++;
	}
	if (proto.ncomp == 0)
		return diag_input(d, "no specification");
	if (proto.maxlen > GS1_MAX_VALUE)
		return diag_input(d, "value may be longer than %d",
		    GS1_MAX_VALUE);

	/* Attributes. */
	for (; t < ntok; t++) {
		const char *eq = memchr(tok[t], '=', toklen[t]);
		size_t klen = eq ? (size_t)(eq - tok[t]) : toklen[t];
		const char *v = eq ? eq + 1 : NULL;
		size_t vlen = eq ? toklen[t] - klen - 1 : 0;

		if (klen == 3 && memcmp(tok[t], "req", 3) == 0) {
			if (v == NULL || check_ai_list("req", v, vlen, d) != 0)
				return v ? -1 : diag_input(d, "req needs a "
				    "value");
			if (proto.nreq == GS1_REQ_MAX)
				return diag_input(d, "more than %d req=",
				    GS1_REQ_MAX);
			if (add_string(b, v, vlen, &proto.req[proto.nreq], d))
				return -1;
			proto.nreq++;
		} else if (klen == 2 && memcmp(tok[t], "ex", 2) == 0) {
			if (v == NULL || check_ai_list("ex", v, vlen, d) != 0)
				return v ? -1 : diag_input(d, "ex needs a "
				    "value");
			if (proto.nex == GS1_EX_MAX)
				return diag_input(d, "more than %d ex=",
				    GS1_EX_MAX);
			if (add_string(b, v, vlen, &proto.ex[proto.nex], d))
				return -1;
			proto.nex++;
		} else if (klen == 6 && memcmp(tok[t], "dlpkey", 6) == 0) {
			if (v != NULL && check_dlpkey(v, vlen, d) != 0)
				return -1;
			if (add_string(b, v ? v : "", vlen, &proto.dlpkey, d))
				return -1;
			proto.dlkey = true;
		} else if (tok[t][0] < 'a' || tok[t][0] > 'z') {
			return diag_input(d, "unexpected '%.*s'",
			    (int)toklen[t], tok[t]);
		}
	}
	if (add_string(b, title, title_len, &proto.title, d) != 0)
		return -1;

	/* Expand the range. */
	for (unsigned long a = first; a <= last; a++) {
		struct gs1_ai *e;
		unsigned prefix;
		int total;

		if ((e = mem_grow(b->ai, &b->cap, b->n + 1, sizeof(*e),
		    512)) == NULL)
			return diag_system(d, "out of memory");
		b->ai = e;
		e = &b->ai[b->n];
		*e = proto;
		snprintf(e->ai, sizeof(e->ai), "%0*lu", (int)lolen, a);
		e->ailen = (uint8_t)lolen;
		e->line = lineno;
		if (b->n > 0 && strcmp(b->ai[b->n - 1].ai, e->ai) >= 0)
			return diag_input(d, "AIs must be in strictly "
			    "ascending order: (%s) after (%s)", e->ai,
			    b->ai[b->n - 1].ai);
		prefix = (unsigned)((e->ai[0] - '0') * 10 + (e->ai[1] - '0'));
		total = predefined_total(prefix);
		if (star && (total == 0 || proto.minlen != proto.maxlen ||
		    (int)proto.maxlen + (int)lolen != total))
			return diag_input(d, "AI (%s) marked '*' must have a "
			    "predefined length", e->ai);
		b->n++;
	}
	return 0;
}

static void
table_index(struct gs1_table *t, struct diag *d, const char *name,
    int *rc)
{
	memset(t->plen, 0, sizeof(t->plen));
	for (size_t i = 0; i < GS1_IDX_SIZE; i++)
		t->idx[i] = -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct gs1_ai *a = &t->ai[i];
		unsigned p = (unsigned)((a->ai[0] - '0') * 10 + (a->ai[1] -
		    '0'));

		if (t->plen[p] != 0 && t->plen[p] != a->ailen) {
			diag_input(d, "AIs beginning '%c%c' have different "
			    "lengths", a->ai[0], a->ai[1]);
			diag_at(d, name, a->line);
			*rc = -1;
			return;
		}
		t->plen[p] = a->ailen;
		t->idx[gs1_idx_key(a->ai, a->ailen)] = (int16_t)i;
	}
}

/*
 * The pairing rules, compiled (struct gs1_pat in gs1_int.h): one pattern
 * of `k` characters against the finished table t (sorted, plen[] set).
 */
static void
compile_pat(const struct gs1_table *t, const char *p, size_t k,
    struct gs1_pat *out)
{
	size_t pre = 0, lo = 0, hi = t->n;
	unsigned prefix = (unsigned)((p[0] - '0') * 10 + (p[1] - '0'));

	memset(out, 0, sizeof(*out));
	memcpy(out->pat, p, k);
	while (pre < k && p[pre] != 'n')
		pre++;
	out->exact = true;
	for (size_t i = pre; i < k; i++)
		if (p[i] != 'n')
			out->exact = false;
	if (t->plen[prefix] != k)
		return;
	/* The first entry not below the pattern's leading digits. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(t->ai[mid].ai, p, pre) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; hi < t->n && strncmp(t->ai[hi].ai, p, pre) == 0; hi++)
		;
	if (hi > lo) {
		out->lo = (uint16_t)lo;
		out->hi = (uint16_t)hi;
	}
}

/*
 * Compile a req=/ex= list ("01+21,02,35nn") into out (NULL: only count);
 * returns the number of patterns.
 */
static size_t
compile_list(const struct gs1_table *t, const char *s, struct gs1_pat *out)
{
	size_t n = 0;

	for (;;) {
		size_t k = strcspn(s, "+,");

		if (out != NULL) {
			compile_pat(t, s, k, &out[n]);
			out[n].last = s[k] != '+';
		}
		n++;
		if (s[k] == '\0')
			return n;
		s += k + 1;
	}
}

/* Does entry j have the same req=/ex= strings as entry j - 1? */
static bool
same_rules(const struct gs1_ai *ai, size_t j)
{
	if (j == 0 || ai[j].nreq != ai[j - 1].nreq ||
	    ai[j].nex != ai[j - 1].nex)
		return false;
	for (size_t r = 0; r < ai[j].nreq; r++)
		if (ai[j].req[r] != ai[j - 1].req[r])	/* the same line's */
			return false;
	for (size_t r = 0; r < ai[j].nex; r++)
		if (ai[j].ex[r] != ai[j - 1].ex[r])
			return false;
	return true;
}

/*
 * Compile every entry's rules into pat (NULL: only count); entries of one
 * dictionary range share theirs.  Returns the number of patterns.
 */
static size_t
compile_rules(struct gs1_table *t, struct gs1_ai *ai, struct gs1_pat *pat)
{
	size_t n = 0;

	for (size_t j = 0; j < t->n; j++) {
		if (same_rules(ai, j)) {
			if (pat != NULL) {
				ai[j].reqp = ai[j - 1].reqp;
				ai[j].expat = ai[j - 1].expat;
				memcpy(ai[j].nreqp, ai[j - 1].nreqp,
				    sizeof(ai[j].nreqp));
				ai[j].nexpat = ai[j - 1].nexpat;
			}
			continue;
		}
		if (pat != NULL)
			ai[j].reqp = ai[j].nreq > 0 ? (uint16_t)n : 0;
		for (size_t r = 0; r < ai[j].nreq; r++) {
			size_t k = compile_list(t, gs1_ai_req(t, &ai[j], r),
			    pat ? pat + n : NULL);

			if (pat != NULL)
				ai[j].nreqp[r] = (uint16_t)k;
			n += k;
		}
		if (pat != NULL) {
			ai[j].expat = ai[j].nex > 0 ? (uint16_t)n : 0;
			ai[j].nexpat = 0;
		}
		for (size_t r = 0; r < ai[j].nex; r++) {
			size_t k = compile_list(t, gs1_ai_ex(t, &ai[j], r),
			    pat ? pat + n : NULL);

			if (pat != NULL)
				ai[j].nexpat = (uint16_t)(ai[j].nexpat + k);
			n += k;
		}
	}
	return n;
}

/* Compile the rules of the finished table t into a block of their own. */
static int
compile_table(struct gs1_table *t, struct diag *d)
{
	struct gs1_ai *ai = (struct gs1_ai *)(void *)t->mem;
	size_t n = compile_rules(t, ai, NULL);
	struct gs1_pat *pat;

	if (n > GS1_PAT_MAX)	/* the entries hold 16-bit indices */
		return diag_input(d, "more than %d req=/ex= patterns",
		    GS1_PAT_MAX);
	/* At least one, so that t->pat + 0 is valid (gs1_int.h). */
	if ((pat = calloc(n > 0 ? n : 1, sizeof(*pat))) == NULL)
		return diag_system(d, "out of memory");
	compile_rules(t, ai, pat);
	t->pat = pat;
	t->npat = n;
	return 0;
}

int
gs1_dict_parse(struct gs1_table **out, const char *text, size_t len,
    const char *name, struct diag *d)
{
	struct dict_build b = { NULL, 0, 0, NULL, 0, 0 };
	struct gs1_table *t = NULL;
	unsigned lineno = 0;
	size_t i = 0;
	int rc = 0;

	*out = NULL;
	while (rc == 0 && i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;
		const char *line = text + i;
		size_t k = 0;

		lineno++;
		i += ll + (nl != NULL);
		if (memchr(line, '\0', ll) != NULL) {
			rc = diag_input(d, "NUL byte");
			break;
		}
		while (k < ll && (line[k] == ' ' || line[k] == '\t' ||
		    line[k] == '\r'))
			k++;
		if (k == ll || line[k] == '#')
			continue;
		rc = parse_line(&b, line + k, ll - k, lineno, d);
		if (rc != 0)
			diag_at(d, name, lineno);
	}
	if (rc == 0 && b.n == 0) {
		rc = diag_input(d, "no AIs");
		diag_at(d, name, 0);
	}
	if (rc == 0 && b.n > GS1_TABLE_MAX) {
		rc = diag_input(d, "too many AIs");
		diag_at(d, name, 0);
	}
	if (rc == 0 && (t = malloc(sizeof(*t))) == NULL)
		rc = diag_system(d, "out of memory");
	if (t != NULL) {
		t->mem = NULL;
		t->pat = NULL;
	}
	if (rc == 0) {
		char *mem;
		struct gs1_ai *ai;
		size_t aisz = b.n * sizeof(*ai);

		/* One block: entries, then strings; freed as t->mem. */
		mem = malloc(aisz + b.slen + 1);
		if (mem == NULL) {
			rc = diag_system(d, "out of memory");
		} else {
			ai = (struct gs1_ai *)(void *)mem;
			memcpy(mem, b.ai, aisz);
			if (b.slen > 0)
				memcpy(mem + aisz, b.str, b.slen);
			t->ai = ai;
			t->pool = mem + aisz;
			t->poollen = b.slen;
			t->n = b.n;
			t->npat = 0;
			t->mem = mem;
			snprintf(t->source, sizeof(t->source), "%s", name);
			table_index(t, d, name, &rc);
		}
	}
	if (rc == 0 && (rc = compile_table(t, d)) != 0 &&
	    d->kind != DIAG_SYSTEM)
		diag_at(d, name, 0);
	free(b.ai);
	free(b.str);
	if (rc != 0) {
		if (t != NULL) {
			free(t->mem);
			free((void *)t->pat);
		}
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int
gs1_table_load(struct gs1_table **out, const char *path, struct diag *d)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		diag_system(d, "cannot open");
		diag_at(d, path, 0);
		return -1;
	}
	errno = 0;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *p = NULL;

			if (cap >= (size_t)16 << 20 ||
			    (p = mem_grow(buf, &cap, len + 1, 1, 65536)) == NULL) {
				free(buf);
				fclose(f);
				if (cap >= (size_t)16 << 20)
					diag_input(d, "file too large");
				else
					diag_system(d, "out of memory");
				diag_at(d, path, 0);
				return -1;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno != 0 ? errno : EIO;

		free(buf);
		fclose(f);
		errno = e;
		diag_system(d, "cannot read");
		diag_at(d, path, 0);
		return -1;
	}
	fclose(f);
	rc = gs1_dict_parse(out, buf, len, path, d);
	free(buf);
	return rc;
}

void
gs1_table_free(struct gs1_table *t)
{
	if (t == NULL || t->mem == NULL)
		return;
	free(t->mem);
	free((void *)t->pat);
	free(t);
}
