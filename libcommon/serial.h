/*
 * serial: random serial numbers for GS1 AI (21) and SSCC serial references,
 * unique within a run and, through an SQLite registry, across runs and
 * concurrent processes.
 *
 * Randomness: a byte source (getrandom(2) by default; tests may plug their
 * own) feeding rejection sampling, so that every symbol of the alphabet is
 * equally likely (no modulo bias).  Serials are never sequential.
 *
 * Capacity: a request is refused unless the space of possible serials is at
 * least `margin` times the number of serials that will then exist (already
 * issued + requested).  For AI (21) the tools use 10000: the probability of
 * guessing a valid serial stays below 1 in 10000, the bound Commission
 * Delegated Regulation (EU) 2016/161 art. 4(b) sets for medicine serials
 * (no US rule is that precise; the DSCSA only asks for a serial).
 *
 * Registry (invariants):
 *   1. A (key, serial) pair is stored at most once: a UNIQUE constraint
 *      (the table's primary key) enforces it in the database itself.
 *   2. A batch is drawn inside one BEGIN IMMEDIATE transaction: the write
 *      lock is taken before the first read, so two processes never draw
 *      against the same snapshot; a busy registry is waited for.
 *   3. A serial is handed out only after the transaction that stored it has
 *      committed; on any error the transaction is rolled back and nothing
 *      is handed out.
 *
 * Thread-safety: every object belongs to one thread.
 */
#ifndef DSCSA_SERIAL_H
#define DSCSA_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define SERIAL_LEN_MAX		20		/* AI (21) is X..20 */
#define SERIAL_COUNT_MAX	100000000UL	/* serials in one batch */
#define SERIAL_MARGIN_AI21	10000UL		/* see "Capacity" above */
#define SERIAL_MARGIN_SSCC	10UL		/* only keeps redraws rare */

/*
 * A byte source: fill `len` bytes of `buf` or return -1 with `d` filled.
 * Ownership: `ctx` is the caller's and is only passed through.
 */
typedef int (*serial_source_fn)(void *ctx, unsigned char *buf, size_t len,
    struct diag *d);

struct serial_rng;		/* opaque: a buffered byte source */

/*
 * The system CSPRNG, getrandom(2).  Ownership: *out is the caller's, freed
 * with serial_rng_free().  Errors: DIAG_SYSTEM (no memory).  A failing
 * getrandom(2) is reported by the draw that needs it (DIAG_SYSTEM).
 */
int	serial_rng_open(struct serial_rng **out, struct diag *d);

/* Any byte source, for tests: `fn` and `ctx` are borrowed for the rng's life. */
int	serial_rng_open_source(struct serial_rng **out, serial_source_fn fn,
	    void *ctx, struct diag *d);

/*
 * FOR TESTS ONLY: a deterministic, NOT cryptographic generator (SplitMix64)
 * seeded from `seed`, so that golden tests can pin exact output.  Anything
 * made with it is predictable and must never be used on a product.
 */
int	serial_rng_open_test_seed(struct serial_rng **out, const char *seed,
	    struct diag *d);

void	serial_rng_free(struct serial_rng *r);

/* `len` raw bytes.  Errors: DIAG_SYSTEM. */
int	serial_rng_bytes(struct serial_rng *r, unsigned char *buf, size_t len,
	    struct diag *d);

/*
 * A uniform integer in [0, n), 1 <= n <= 256, by rejection sampling: a byte
 * b is used only if b < 256 - 256 % n, then *out = b % n.
 * Errors: DIAG_SYSTEM (the source failed).
 */
int	serial_rng_uniform(struct serial_rng *r, unsigned n, unsigned *out,
	    struct diag *d);

/* The symbols serials are drawn from (CSET 82, no repeats, 2 or more). */
struct serial_alphabet {
	char	name[16];	/* "upper", ..., or "custom" */
	char	chars[83];	/* NUL-terminated */
	size_t	n;
};

/*
 * `spec` is a name ("digits", "upper", "alnum", "safe") or the symbols
 * themselves (2 or more distinct CSET 82 characters, GenSpecs 7.11).
 * Errors: DIAG_INPUT.
 */
int	serial_alphabet_parse(struct serial_alphabet *a, const char *spec,
	    struct diag *d);

/*
 * The shortest length L <= SERIAL_LEN_MAX with n^L >= margin * total, or 0
 * if there is none.
 */
size_t	serial_min_length(size_t n, unsigned long margin,
	    unsigned long long total);

struct serial_registry;		/* opaque: an open registry file */

/*
 * Open or create the SQLite registry at `path`.  A file that is not a
 * registry (wrong application_id or schema) is refused.
 * Ownership: *out is the caller's, freed with serial_registry_free().
 * Errors: DIAG_INPUT (not a registry), DIAG_SYSTEM (SQLite or I/O).
 */
int	serial_registry_open(struct serial_registry **out, const char *path,
	    struct diag *d);
void	serial_registry_free(struct serial_registry *g);

/* The SQLite library version behind the registry ("3.40.1"), for --version. */
const char *serial_registry_version(void);

/* How many serials under `key` starting with `prefix` the registry holds. */
int	serial_registry_count(struct serial_registry *g, const char *key,
	    const char *prefix, unsigned long long *out, struct diag *d);

struct serial_request {
	const struct serial_alphabet *alphabet;
	size_t		 length;	/* of the random part, 1..SERIAL_LEN_MAX */
	size_t		 count;		/* 1..SERIAL_COUNT_MAX */
	unsigned long	 margin;	/* SERIAL_MARGIN_* */
	const char	*key;		/* registry namespace: the GTIN, or "00" */
	const char	*prefix;	/* stored before the random part ("" for AI 21) */
	bool		 sscc;		/* word the capacity message for SSCCs */
};

struct serial_batch;		/* opaque: the serials of one request */

/*
 * Draw rq->count distinct random serials of rq->length symbols.  With a
 * registry `g` (may be NULL), none of prefix+serial is already stored under
 * rq->key, and all of them are stored before this returns (invariants 1-3).
 * Ownership: *out is the caller's, freed with serial_batch_free(); `rng`,
 * `g` and `rq` are borrowed for the call.
 * Errors: DIAG_INPUT (the request does not fit the capacity rule: the
 * message names the length that would), DIAG_SYSTEM (randomness, memory,
 * SQLite).  On error nothing is stored and *out is NULL.
 */
int	serial_generate(struct serial_batch **out, struct serial_rng *rng,
	    struct serial_registry *g, const struct serial_request *rq,
	    struct diag *d);

size_t	serial_batch_count(const struct serial_batch *b);
size_t	serial_batch_length(const struct serial_batch *b);

/* Serial i (i < count): serial_batch_length() bytes, not NUL-terminated. */
const char *serial_batch_get(const struct serial_batch *b, size_t i);

void	serial_batch_free(struct serial_batch *b);

#endif /* DSCSA_SERIAL_H */
