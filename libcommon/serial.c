/*
 * serial: random serials, rejection sampling and the SQLite registry of
 * issued serials (see serial.h for the contracts and the registry
 * invariants 1-3).
 *
 * Uniformity: a byte is kept only if it falls below the largest multiple
 * of the alphabet size that fits in 256, then reduced; every symbol then
 * has exactly the same number of byte values mapping to it.
 * Uniqueness within a batch: an open-addressing hash set of indices into
 * one flat array of fixed-width serials (no per-serial allocation, so ten
 * million serials cost about length + 13 bytes each).
 */
#include <sys/mman.h>
#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "compat.h"
#include "diag.h"
#include "gs1.h"
#include "serial.h"

#define RNG_BUF		65536
#define REGISTRY_APP_ID	0x44534331	/* "DSC1" */
#define BUSY_TIMEOUT_MS	600000		/* a concurrent batch of millions */

struct serial_rng {
	serial_source_fn fn;
	void		*ctx;
	uint64_t	 state;			/* test generator only */
	size_t		 pos, len;
	unsigned char	 buf[RNG_BUF];
};

static int
source_getrandom(void *ctx, unsigned char *buf, size_t len, struct diag *d)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return diag_system(d, "getrandom");
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* SplitMix64 (Steele, Lea, Flood 2014): tests only, see serial.h. */
static int
source_splitmix(void *ctx, unsigned char *buf, size_t len, struct diag *d)
{
	uint64_t *s = ctx;

	(void)d;
	while (len > 0) {
		uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
		size_t k = len < 8 ? len : 8;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		for (size_t i = 0; i < k; i++)
			buf[i] = (unsigned char)(z >> (8 * i));
		buf += k;
		len -= k;
	}
	return 0;
}

int
serial_rng_open_source(struct serial_rng **out, serial_source_fn fn,
    void *ctx, struct diag *d)
{
	struct serial_rng *r;

	*out = NULL;
	if ((r = malloc(sizeof(*r))) == NULL)
		return diag_system(d, "out of memory");
	r->fn = fn;
	r->ctx = ctx;
	r->state = 0;
	r->pos = r->len = 0;
	*out = r;
	return 0;
}

int
serial_rng_open(struct serial_rng **out, struct diag *d)
{
	return serial_rng_open_source(out, source_getrandom, NULL, d);
}

int
serial_rng_open_test_seed(struct serial_rng **out, const char *seed,
    struct diag *d)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a of the seed */

	if (serial_rng_open_source(out, source_splitmix, NULL, d) != 0)
		return -1;
	for (const char *p = seed; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	(*out)->state = h;
	(*out)->ctx = &(*out)->state;
	return 0;
}

void
serial_rng_free(struct serial_rng *r)
{
	free(r);
}

static int
rng_refill(struct serial_rng *r, struct diag *d)
{
	if (r->fn(r->ctx, r->buf, sizeof(r->buf), d) != 0)
		return -1;
	r->pos = 0;
	r->len = sizeof(r->buf);
	return 0;
}

int
serial_rng_bytes(struct serial_rng *r, unsigned char *buf, size_t len,
    struct diag *d)
{
	while (len > 0) {
		size_t k;

		if (r->pos == r->len && rng_refill(r, d) != 0)
			return -1;
		k = r->len - r->pos;
		if (k > len)
			k = len;
		memcpy(buf, r->buf + r->pos, k);
		r->pos += k;
		buf += k;
		len -= k;
	}
	return 0;
}

/* Rejection sampling (serial.h); inlined into draw(), its hot loop. */
static inline int
uniform(struct serial_rng *r, unsigned n, unsigned limit, unsigned *out,
    struct diag *d)
{
	for (;;) {
		unsigned b;

		if (r->pos == r->len && rng_refill(r, d) != 0)
			return -1;
		b = r->buf[r->pos++];
		if (b < limit) {
			*out = b % n;
			return 0;
		}
	}
}

int
serial_rng_uniform(struct serial_rng *r, unsigned n, unsigned *out,
    struct diag *d)
{
	return uniform(r, n, 256 - 256 % n, out, d);
}

static const struct {
	const char	*name;
	const char	*chars;
} alphabets[] = {
	{ "digits",	"0123456789" },
	{ "upper",	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" },
	{ "alnum",	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"abcdefghijklmnopqrstuvwxyz" },
	/* No 0/O, 1/I/L: read back from a printed label without doubt. */
	{ "safe",	"23456789ABCDEFGHJKMNPQRSTUVWXYZ" },
};

int
serial_alphabet_parse(struct serial_alphabet *a, const char *spec,
    struct diag *d)
{
	size_t n = strlen(spec);
	bool seen[256] = { false };

	for (size_t i = 0; i < sizeof(alphabets) / sizeof(alphabets[0]); i++)
		if (strcmp(spec, alphabets[i].name) == 0) {
			snprintf(a->name, sizeof(a->name), "%s",
			    alphabets[i].name);
			snprintf(a->chars, sizeof(a->chars), "%s",
			    alphabets[i].chars);
			a->n = strlen(a->chars);
			return 0;
		}
	if (n < 2)
		return diag_input(d, "alphabet '%s': not a name (digits, "
		    "upper, alnum, safe) and fewer than 2 symbols", spec);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)spec[i];

		if (!gs1_is_cset82(c))
			return diag_input(d, "alphabet: character %zu (0x%02x) "
			    "is not in GS1 CSET 82", i + 1, c);
		if (seen[c])
			return diag_input(d, "alphabet: '%c' appears twice",
			    c);
		seen[c] = true;
	}
	snprintf(a->name, sizeof(a->name), "custom");
	memcpy(a->chars, spec, n + 1);	/* n <= 82: all CSET 82, distinct */
	a->n = n;
	return 0;
}

/*
 * n^len and total * margin in long double: exact below 2^64 (64-bit
 * mantissa), and never overflowing above it.
 */
static long double
space_size(size_t n, size_t len)
{
	long double s = 1;

	for (size_t i = 0; i < len; i++)
		s *= (long double)n;
	return s;
}

size_t
serial_min_length(size_t n, unsigned long margin, unsigned long long total)
{
	long double need = (long double)total * (long double)margin;

	if (n < 2)
		return 0;
	for (size_t len = 1; len <= SERIAL_LEN_MAX; len++)
		if (space_size(n, len) >= need)
			return len;
	return 0;
}

/* ---- registry ---------------------------------------------------------- */

struct serial_registry {
	sqlite3		*db;
	sqlite3_stmt	*ins;
	char		 path[256];
};

static int
sql_fail(struct serial_registry *g, const char *what, struct diag *d)
{
	errno = 0;
	if (sqlite3_errcode(g->db) == SQLITE_NOTADB)
		diag_input(d, "not a dscsa-serial registry: %s",
		    sqlite3_errmsg(g->db));
	else
		diag_system(d, "registry: %s: %s", what,
		    sqlite3_errmsg(g->db));
	diag_at(d, g->path, 0);
	return -1;
}

static int
sql_exec(struct serial_registry *g, const char *sql, struct diag *d)
{
	if (sqlite3_exec(g->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(g, sql, d);
	return 0;
}

static int
pragma_int(struct serial_registry *g, const char *sql, long long *out,
    struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(g, sql, d);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(g, sql, d);
	return 0;
}

/*
 * Make a new file a registry, or check that an old one is.  Done under
 * BEGIN IMMEDIATE, so two processes creating the same file agree.
 */
static int
registry_setup(struct serial_registry *g, struct diag *d)
{
	long long app, ver, ntab;

	if (sql_exec(g, "BEGIN IMMEDIATE", d) != 0)
		return -1;
	if (pragma_int(g, "PRAGMA application_id", &app, d) != 0 ||
	    pragma_int(g, "PRAGMA user_version", &ver, d) != 0 ||
	    pragma_int(g, "SELECT count(*) FROM sqlite_schema", &ntab, d) != 0)
		goto fail;
	if (app == 0 && ver == 0 && ntab == 0) {
		if (sql_exec(g, "CREATE TABLE issued ("
		    " key TEXT NOT NULL,"
		    " serial TEXT NOT NULL,"
		    " issued_at TEXT NOT NULL DEFAULT"
		    "  (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
		    " PRIMARY KEY (key, serial)"
		    ") WITHOUT ROWID;"
		    "PRAGMA application_id = 1146307377;"
		    "PRAGMA user_version = 1;", d) != 0)
			goto fail;
	} else if (app != REGISTRY_APP_ID || ver != 1) {
		sql_exec(g, "ROLLBACK", d);
		diag_input(d, "not a dscsa-serial registry (SQLite "
		    "application_id %lld, version %lld)", app, ver);
		diag_at(d, g->path, 0);
		return -1;
	}
	return sql_exec(g, "COMMIT", d);
fail:
	sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
serial_registry_open(struct serial_registry **out, const char *path,
    struct diag *d)
{
	struct serial_registry *g;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return diag_system(d, "out of memory");
	snprintf(g->path, sizeof(g->path), "%s", path);
	if (sqlite3_open_v2(path, &g->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		if (g->db == NULL) {
			free(g);
			return diag_system(d, "registry: out of memory");
		}
		sql_fail(g, "cannot open", d);
		serial_registry_free(g);
		return -1;
	}
	sqlite3_extended_result_codes(g->db, 1);
	sqlite3_busy_timeout(g->db, BUSY_TIMEOUT_MS);
	if (registry_setup(g, d) != 0 ||
	    sqlite3_prepare_v2(g->db, "INSERT OR IGNORE INTO issued"
	    " (key, serial) VALUES (?1, ?2)", -1, &g->ins, NULL) != SQLITE_OK) {
		if (d->kind == DIAG_OK)
			sql_fail(g, "prepare", d);
		serial_registry_free(g);
		return -1;
	}
	*out = g;
	return 0;
}

void
serial_registry_free(struct serial_registry *g)
{
	if (g == NULL)
		return;
	sqlite3_finalize(g->ins);
	sqlite3_close(g->db);
	free(g);
}

const char *
serial_registry_version(void)
{
	return sqlite3_libversion();
}

int
serial_registry_count(struct serial_registry *g, const char *key,
    const char *prefix, unsigned long long *out, struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(g->db, "SELECT count(*) FROM issued WHERE"
	    " key = ?1 AND substr(serial, 1, length(?2)) = ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return sql_fail(g, "count", d);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ?
	    (unsigned long long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_fail(g, "count", d);
	return 0;
}

/* Store prefix+serial under key: 1 if new, 0 if already there, -1 on error. */
static int
registry_insert(struct serial_registry *g, const char *key,
    const char *prefix, size_t plen, const char *serial, size_t len,
    struct diag *d)
{
	char buf[64];
	int rc;

	memcpy(buf, prefix, plen);
	memcpy(buf + plen, serial, len);
	sqlite3_reset(g->ins);
	sqlite3_bind_text(g->ins, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(g->ins, 2, buf, (int)(plen + len), SQLITE_TRANSIENT);
	rc = sqlite3_step(g->ins);
	if (rc != SQLITE_DONE)
		return sql_fail(g, "insert", d);
	return sqlite3_changes(g->db) == 1 ? 1 : 0;
}

/* ---- batches ----------------------------------------------------------- */

/*
 * A slot holds the serial's index + 1 in its low 32 bits (0: empty) and
 * the high 32 bits of its hash: a probe compares the tag and touches the
 * serial itself only when the tags agree, so the set costs one cache miss
 * per insert, not one per probe.
 */
struct serial_batch {
	size_t		 n, len;
	char		*data;		/* n * len bytes */
	uint64_t	*slot;
	size_t		 mask;
};

static uint64_t
hash_serial(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;

	while (len > 0) {
		uint64_t w = 0;
		size_t k = len < 8 ? len : 8;

		memcpy(&w, s, k);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
		s += k;
		len -= k;
	}
	return h * 0x94d049bb133111ebULL;
}

/* Find s in the set: its slot, empty or holding an equal serial. */
static size_t
batch_slot(const struct serial_batch *b, const char *s, uint64_t h)
{
	uint64_t tag = h & 0xffffffff00000000ULL;
	size_t i = (size_t)(h >> 7) & b->mask;

	for (;; i = (i + 1) & b->mask) {
		uint64_t v = b->slot[i];

		if (v == 0)
			return i;
		if ((v & 0xffffffff00000000ULL) == tag &&
		    memcmp(b->data + ((v & 0xffffffffU) - 1) * b->len, s,
		    b->len) == 0)
			return i;
	}
}

/*
 * The slot array, zeroed.  A big one is 2 MiB aligned and asked for huge
 * pages (madvise(2)): the probes are random, and with 4 KiB pages nearly
 * every one is also a TLB miss.  Only a hint; the kernel may decline.
 */
static uint64_t *
alloc_slots(size_t cap)
{
	size_t bytes = cap * sizeof(uint64_t), huge = 2 * 1024 * 1024;
	void *p;

	if (bytes < huge)
		return calloc(cap, sizeof(uint64_t));
	if (posix_memalign(&p, huge, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	memset(p, 0, bytes);
	return p;
}

void
serial_batch_free(struct serial_batch *b)
{
	if (b == NULL)
		return;
	free(b->data);
	free(b->slot);
	free(b);
}

size_t
serial_batch_count(const struct serial_batch *b)
{
	return b->n;
}

size_t
serial_batch_length(const struct serial_batch *b)
{
	return b->len;
}

const char *
serial_batch_get(const struct serial_batch *b, size_t i)
{
	return b->data + i * b->len;
}

static int
capacity_check(struct serial_registry *g, const struct serial_request *rq,
    struct diag *d)
{
	unsigned long long issued = 0, total;
	size_t need;

	if (g != NULL && serial_registry_count(g, rq->key, rq->prefix,
	    &issued, d) != 0)
		return -1;
	total = issued + rq->count;
	if (space_size(rq->alphabet->n, rq->length) >=
	    (long double)total * (long double)rq->margin)
		return 0;
	need = serial_min_length(rq->alphabet->n, rq->margin, total);
	if (rq->sscc)
		return need == 0 || need > 16 - 6 ?
		    diag_input(d, "%llu SSCCs (%llu already issued) do not fit "
		    "%zu-digit serial references with margin %lu, nor any "
		    "GS1 Company Prefix length", total, issued, rq->length,
		    rq->margin) :
		    diag_input(d, "%llu SSCCs (%llu already issued) do not fit "
		    "%zu-digit serial references with margin %lu: a GS1 "
		    "Company Prefix of %zu digits or fewer would", total,
		    issued, rq->length, rq->margin, 16 - need);
	if (need == 0)
		return diag_input(d, "%llu serials (%llu already issued) do not "
		    "fit alphabet '%s' (%zu symbols) at any length up to %d "
		    "with margin %lu: use a larger alphabet", total, issued,
		    rq->alphabet->name, rq->alphabet->n, SERIAL_LEN_MAX,
		    rq->margin);
	return diag_input(d, "%llu serials (%llu already issued) do not fit "
	    "alphabet '%s' (%zu symbols) at length %zu with margin %lu: "
	    "length %zu would", total, issued, rq->alphabet->name,
	    rq->alphabet->n, rq->length, rq->margin, need);
}

/*
 * Draw candidates CHUNK at a time: hash them all and prefetch their slots
 * first, so that the slot array's cache misses overlap instead of queueing
 * (they are nearly all of the cost of a large batch).  Candidates then go
 * in one by one, so duplicates inside a chunk are caught as well.
 */
#define CHUNK	32

static int
draw(struct serial_batch *b, struct serial_rng *rng,
    struct serial_registry *g, const struct serial_request *rq,
    struct diag *d)
{
	size_t plen = strlen(rq->prefix);
	const char *sym = rq->alphabet->chars;
	unsigned n = (unsigned)rq->alphabet->n, limit = 256 - 256 % n;
	char cand[CHUNK][SERIAL_LEN_MAX];
	uint64_t hash[CHUNK];

	while (b->n < rq->count) {
		size_t k = rq->count - b->n < CHUNK ? rq->count - b->n : CHUNK;

		for (size_t c = 0; c < k; c++) {
			for (size_t i = 0; i < b->len; i++) {
				unsigned v;

				if (uniform(rng, n, limit, &v, d) != 0)
					return -1;
				cand[c][i] = sym[v];
			}
			hash[c] = hash_serial(cand[c], b->len);
			DSCSA_PREFETCH(&b->slot[(size_t)(hash[c] >> 7) &
			    b->mask]);
		}
		for (size_t c = 0; c < k; c++) {
			size_t at = batch_slot(b, cand[c], hash[c]);

			if (b->slot[at] != 0)
				continue;	/* drawn before in this batch */
			if (g != NULL) {
				int rc = registry_insert(g, rq->key,
				    rq->prefix, plen, cand[c], b->len, d);

				if (rc < 0)
					return -1;
				if (rc == 0)
					continue;	/* issued before */
			}
			memcpy(b->data + b->n * b->len, cand[c], b->len);
			b->slot[at] = (hash[c] & 0xffffffff00000000ULL) |
			    (uint64_t)(b->n + 1);
			b->n++;
		}
	}
	return 0;
}

int
serial_generate(struct serial_batch **out, struct serial_rng *rng,
    struct serial_registry *g, const struct serial_request *rq,
    struct diag *d)
{
	struct serial_batch *b;
	size_t cap = 16;

	*out = NULL;
	if (rq->length < 1 || rq->length > SERIAL_LEN_MAX ||
	    rq->count < 1 || rq->count > SERIAL_COUNT_MAX ||
	    strlen(rq->prefix) + rq->length > 40 || rq->alphabet->n < 2)
		return diag_input(d, "serial request out of range");
	while (cap < rq->count + rq->count / 2)	/* load <= 2/3 */
		cap *= 2;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->data = malloc(rq->count * rq->length)) == NULL ||
	    (b->slot = alloc_slots(cap)) == NULL) {
		serial_batch_free(b);
		return diag_system(d, "out of memory for %zu serials",
		    rq->count);
	}
	b->len = rq->length;
	b->mask = cap - 1;

	if (g != NULL && sql_exec(g, "BEGIN IMMEDIATE", d) != 0)
		goto fail;
	if (capacity_check(g, rq, d) != 0 || draw(b, rng, g, rq, d) != 0) {
		if (g != NULL)
			sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	if (g != NULL && sql_exec(g, "COMMIT", d) != 0) {
		sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	*out = b;
	return 0;
fail:
	serial_batch_free(b);
	return -1;
}
