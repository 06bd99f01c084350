/*
 * ledger: the ledger file (dscsa-ledger(5)): an append-only sequence of
 * entries (one EPCIS event each, as its canonical bytes and CBV 2.0 hash
 * id, with the submitter's key id and the time), hash-chained, and sealed
 * after every append by one Ed25519 signature over the C2SP checkpoint
 * (origin, size, RFC 6962 root) and the chain head.
 *
 * One writer at a time (flock(2) LOCK_EX for the whole append); readers
 * take no lock and read up to the last complete seal, so they never see a
 * half-written append.  An append is all or nothing and is fsync(2)ed
 * before it reports success.
 *
 * Thread-safety: a struct ledger belongs to one thread.  Several processes
 * may append to one file at once (they queue on the lock).
 */
#ifndef DSCSA_LEDGER_H
#define DSCSA_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "keyring.h"
#include "merkle.h"
#include "sig.h"

#define LEDGER_VERSION		1
#define LEDGER_MAGIC		"\x89" "DSL\r\n\x1a\n"	/* 8 bytes */
#define LEDGER_MAGIC_LEN	8
#define LEDGER_RECORD_MAX	(16u * 1024 * 1024)	/* type..body bytes */
#define LEDGER_HASH_ID_MAX	255
#define LEDGER_ORIGIN_MAX	255

/* Record types (dscsa-ledger(5) "RECORDS"); others are reserved. */
#define LEDGER_REC_HEADER	1
#define LEDGER_REC_ENTRY	2
#define LEDGER_REC_SEAL		3

/* Entry content types. */
#define LEDGER_CONTENT_EPCIS	1	/* exclusive-C14N EPCIS event */

/* One event handed to ledger_append(); borrowed for the call. */
struct ledger_event {
	const void	*canon;		/* canonical bytes */
	size_t		 canon_len;
	const char	*hash_id;	/* NUL-terminated CBV 2.0 hash id */
	unsigned long	 line;		/* in the input, for messages; 0 if none */
	const void	*user;		/* passed to the policy as is */
};

/* One entry as read back; borrowed until the callback returns. */
struct ledger_entry {
	uint64_t	 offset;	/* of the record in the file */
	uint64_t	 index;
	uint64_t	 time_ms;	/* milliseconds since 1970, UTC */
	uint8_t		 prev[32];	/* leaf hash of entry index - 1 */
	uint8_t		 leaf_hash[32];	/* RFC 6962 leaf hash of this entry */
	uint32_t	 key_id;
	const char	*key_name;	/* not NUL-terminated */
	size_t		 key_name_len;
	uint8_t		 content_type;
	const char	*hash_id;	/* not NUL-terminated */
	size_t		 hash_id_len;
	const uint8_t	*content;
	size_t		 content_len;
	const uint8_t	*leaf;		/* the bytes the leaf hash covers */
	size_t		 leaf_len;
	const void	*user;		/* ledger_append: the event's user */
};

/* One seal as read back. */
struct ledger_seal {
	uint64_t	 offset;
	uint64_t	 size;		/* entries before this seal */
	uint8_t		 root[32];
	uint8_t		 chain[32];	/* leaf hash of entry size - 1 */
	struct sig_vkey	 key;		/* the signer, type 0x01 */
	uint8_t		 sig[SIG_ED25519_SIG_LEN];
	struct merkle_frontier frontier;
	uint64_t	 end;		/* offset just past the record */
};

/*
 * A policy check on one entry by `party` (NULL without a keyring).  Return
 * 0 to accept, or -1 with DIAG_VERIFY in `d` naming the rule broken.
 */
typedef int (*ledger_policy_fn)(void *ctx, const struct ledger_entry *e,
	    const struct keyring_party *party, struct diag *d);

struct ledger_opts {
	const char		*origin;	/* new ledgers; NULL: key name */
	const char		*input;		/* events' file name, messages */
	uint64_t		 time_ms;	/* 0: the clock */
	const struct keyring	*keyring;	/* NULL: no key or policy check */
	ledger_policy_fn	 policy;	/* NULL: none */
	void			*policy_ctx;
	/* verify: report every problem, not only the first */
	bool			 all;
	/* verify: progress, called about every 64 MiB; may be NULL */
	void			(*progress)(void *ctx, uint64_t done,
				    uint64_t total);
	void			*progress_ctx;
	/*
	 * Called for each refused duplicate (append) and each problem
	 * (verify: offset, entry or -1, message); may be NULL.
	 */
	void			(*dup)(void *ctx, const struct ledger_event *e,
				    uint64_t existing_index);
	void			(*problem)(void *ctx, uint64_t offset,
				    int64_t entry, const char *msg);
	void			*report_ctx;
};

/* What an index update did (ledger_index_open, ledger_append). */
struct ledger_index_stats {
	bool		 rebuilt;	/* from scratch */
	const char	*why;		/* why it was rebuilt; static */
	uint64_t	 caught_up;	/* entries read from the ledger */
	uint64_t	 entries;	/* the index covers this many */
	uint64_t	 items;		/* item rows added */
	/* the hash-id table (LEDGER.idx.keys) */
	const char	*keys_why;	/* why it was rebuilt, or NULL; static */
	uint64_t	 keys_caught_up; /* entries read from the ledger */
};

struct ledger_stats {
	uint64_t	entries;	/* sealed entries */
	uint64_t	seals;
	uint64_t	appended;	/* ledger_append: new entries */
	uint64_t	duplicates;	/* ledger_append: refused duplicates */
	uint64_t	problems;	/* ledger_verify */
	uint64_t	sealed_end;	/* offset after the last seal */
	uint64_t	file_size;
	struct ledger_seal last;	/* valid if seals > 0 */
	/* ledger_append with an index (ledger_index_use) */
	struct ledger_index_stats index;
};

struct ledger;			/* opaque */

/*
 * Open the ledger at `path`; `write` opens (creating if missing, mode 0644)
 * for appending.  Nothing is read yet.  Ownership: *out is the caller's,
 * freed with ledger_close().  Errors: DIAG_INPUT (missing file when
 * reading), DIAG_SYSTEM.
 */
int	ledger_open(struct ledger **out, const char *path, bool write,
	    struct diag *d);
void	ledger_close(struct ledger *lg);

/*
 * Append `n` events and one seal signed with `key`, under an exclusive
 * flock(2).  Events whose hash id is already in the ledger (or earlier in
 * `ev`) are refused, reported through o->dup and counted, not appended;
 * if every event is a duplicate nothing is written.  Every other event is
 * checked against the keyring and policy first: one refusal and nothing
 * is written.  On success the records are fsync(2)ed (and the directory,
 * for a new file).  On failure the file is as it was.
 * Errors: DIAG_INPUT (bad event, torn tail: run recovery first),
 * DIAG_VERIFY (policy, unknown key), DIAG_SYSTEM (I/O).
 */
int	ledger_append(struct ledger *lg, const struct ledger_event *ev,
	    size_t n, const struct sig_key *key, const struct ledger_opts *o,
	    struct ledger_stats *st, struct diag *d);

/*
 * Check the whole file (dscsa-ledger(5) "VERIFICATION", every rule).
 * Problems go to o->problem; the first one is also put in `d` (DIAG_VERIFY,
 * with the offset).  Returns 0 if all holds, -1 otherwise.  A tail being
 * written by a live writer is not a problem.
 */
int	ledger_verify(struct ledger *lg, const struct ledger_opts *o,
	    struct ledger_stats *st, struct diag *d);

/*
 * Visit every sealed entry in order (no verification beyond framing and
 * checksums).  `fn` returns 0 to go on, 1 to stop, -1 on error.
 */
int	ledger_scan(struct ledger *lg,
	    int (*fn)(void *ctx, const struct ledger_entry *e, struct diag *d),
	    void *ctx, struct ledger_stats *st, struct diag *d);

/*
 * Cut a torn tail: everything after the last valid seal.  Refuses (DIAG_VERIFY)
 * if damage is followed by a valid seal: that is not a torn tail, and
 * cutting would lose acknowledged appends.  `removed` gets the bytes
 * removed and `st` what remains.  Holds the exclusive lock.
 */
int	ledger_recover(struct ledger *lg, uint64_t *removed,
	    uint64_t *removed_entries, struct ledger_stats *st, struct diag *d);

/*
 * The latest seal, or the seal at size `size` (0: the latest), as a C2SP
 * checkpoint signed note into a malloc'd buffer *out (caller frees).
 */
int	ledger_checkpoint(struct ledger *lg, uint64_t size, char **out,
	    size_t *len, struct diag *d);

/*
 * Inclusion proof of entry `index` at the seal of size `size` (0: latest),
 * as a c2sp.org/tlog-proof@v1 text (the entry's leaf bytes in the "extra"
 * line) into *out (caller frees).  `hash_id` (may be NULL) picks the entry
 * by hash id instead of index.
 */
int	ledger_prove_inclusion(struct ledger *lg, const char *hash_id,
	    uint64_t index, uint64_t size, char **out, size_t *len,
	    struct diag *d);

/*
 * Consistency proof from size m to the seal of size n (0: latest), as a
 * tlog-witness add-checkpoint body ("old m", proof lines, blank line, the
 * checkpoint at n) into *out (caller frees).
 */
int	ledger_prove_consistency(struct ledger *lg, uint64_t m, uint64_t n,
	    char **out, size_t *len, struct diag *d);

/* What ledger_check_proof() found. */
struct ledger_proof_result {
	bool		 consistency;	/* else inclusion */
	uint64_t	 size;		/* of the checkpoint */
	uint64_t	 old_size;	/* consistency */
	uint64_t	 index;		/* inclusion */
	char		 hash_id[LEDGER_HASH_ID_MAX + 1];
	char		 signer[SIG_NAME_MAX + 1];
	uint64_t	 time_ms;
};

/*
 * Check a proof made by ledger_prove_inclusion or ledger_prove_consistency
 * against the trusted keys, with no ledger.  A consistency proof needs the
 * old checkpoint (a signed note, `old`, may be NULL for inclusion).
 * Returns 0 if it holds; -1 with DIAG_VERIFY if not, DIAG_INPUT if
 * malformed.
 */
int	ledger_check_proof(const char *proof, size_t len, const char *old,
	    size_t old_len, const struct sig_vkey *keys, size_t nkeys,
	    struct ledger_proof_result *r, struct diag *d);

/*
 * Parse one entry's leaf bytes (type, flags, body).  Borrowed: points into
 * `leaf`.  Errors: DIAG_INPUT.
 */
int	ledger_parse_entry(struct ledger_entry *e, const uint8_t *leaf,
	    size_t len, struct diag *d);

/* ---- the sidecar index (ledger_index.c, dscsa-ledger(5) "INDEX") ---- */

/*
 * The index is a SQLite file (default: the ledger's path + ".idx") mapping
 * EPCs, parents, inputs and lots to entries, and beside it (its path +
 * ".keys", ledger_keys.c) a hash table of the hash ids.  It is not part of
 * the ledger: the file is the truth and the index is rebuilt from it
 * whenever it is missing, unreadable, or does not match the file (its
 * recorded last seal is not the seal at that offset).  It is only read and
 * written under the ledger's flock(2) LOCK_EX.
 */

/* Item kinds in the index (ledger_entry_items). */
#define LEDGER_ITEM_EPC		1	/* epcList, childEPCs, outputEPCList */
#define LEDGER_ITEM_PARENT	2	/* parentID */
#define LEDGER_ITEM_INPUT	3	/* inputEPCList */
#define LEDGER_ITEM_LOT		4	/* ILMD lot number */


/*
 * Use and maintain the index `path` (NULL: the ledger's path + ".idx")
 * for this handle's appends: ledger_append then checks duplicates through
 * it instead of reading the whole file, brings it up to date first (catch
 * up from its recorded offset, or rebuild), and adds what it appended
 * after the ledger is fsync(2)ed.  The handle must be open for writing.
 * Nothing is read yet.  Errors: DIAG_INPUT, DIAG_SYSTEM.
 */
int	ledger_index_use(struct ledger *lg, const char *path, struct diag *d);

/*
 * Under LOCK_EX, bring the index up to date with the file (force: rebuild
 * it from scratch).  A torn tail is an error (DIAG_INPUT: recover first),
 * as is damage in what it reads (DIAG_INPUT, with the offset).
 */
int	ledger_index_sync(struct ledger *lg, bool force,
	    struct ledger_index_stats *st, struct diag *d);

/*
 * Entries the (synced) index lists for `item` of `kind` (0: any kind), in
 * entry order: fn(ctx, kind, entry index, file offset) returns 0 to go on,
 * 1 to stop, -1 on error.  A lookup by hash id is kind -1.  The caller
 * checks the entry itself (the index is a cache, not the truth).
 */
int	ledger_index_find(struct ledger *lg, int kind, const char *item,
	    int (*fn)(void *ctx, int kind, uint64_t index, uint64_t offset),
	    void *ctx, struct diag *d);

/* ---- EPCIS (ledger_epcis.c) ---- */

/*
 * Events read from an EPCIS document, with their own copies of the bytes:
 * all of them in `blocks`, a list of large allocations (ledger_epcis.c)
 * that never move, so the events' pointers stay valid until
 * ledger_events_free().
 */
struct ledger_events {
	size_t			 n, cap;
	struct ledger_event	*ev;
	void			*blocks;
};

/*
 * Read every event of the EPCIS 1.2 or 2.0 document `f` (named `name`)
 * into `b` (canonical bytes and CBV 2.0 hash ids; each event's `user`
 * holds what ledger_epcis_policy needs, so that append parses each event
 * once).  All or nothing: a bad event anywhere and `b` is empty.
 * Ownership: free with ledger_events_free().  Errors: those of
 * epcis_reader_next().
 */
int	ledger_events_read(struct ledger_events *b, FILE *f, const char *name,
	    struct diag *d);
void	ledger_events_free(struct ledger_events *b);

/*
 * The keyring policy as a ledger_policy_fn (ctx unused): only the owner of
 * a GS1 company prefix commissions its GTINs (SGTIN EPCs of commissioning
 * ObjectEvents).  DIAG_VERIFY naming the event, the EPC and the rule.
 */
int	ledger_epcis_policy(void *ctx, const struct ledger_entry *e,
	    const struct keyring_party *party, struct diag *d);

/*
 * For `show`: "EventType ACTION bizstep" into event, and the parent and
 * EPCs separated by spaces into items (cut to fit).  Errors: DIAG_INPUT.
 */
int	ledger_describe(const struct ledger_entry *e, char *event, size_t ecap,
	    char *items, size_t icap, struct diag *d);

/*
 * The items of an entry's event, as the index keeps them: fn(ctx, kind,
 * item) for each EPC, the parent, each input and the lot
 * (LEDGER_ITEM_*).  Uses what append kept in e->user, or parses the
 * canonical bytes.  Errors: DIAG_INPUT (no event), those of fn.
 */
int	ledger_entry_items(const struct ledger_entry *e,
	    int (*fn)(void *ctx, int kind, const char *item, struct diag *d),
	    void *ctx, struct diag *d);

/* CRC-32C (Castagnoli), the record checksum. */
uint32_t ledger_crc32c(uint32_t crc, const void *p, size_t len);

#endif /* DSCSA_LEDGER_H */
