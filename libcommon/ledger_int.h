/*
 * ledger_int.h: what ledger.c and ledger_proof.c share; tools never
 * include it.
 */
#ifndef DSCSA_LEDGER_INT_H
#define DSCSA_LEDGER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ledger.h"
#include "merkle.h"
#include "sig.h"

struct ld_dupslot {
	uint8_t		key[16];	/* SHA-256(hash id)[0:16] */
	uint64_t	index1;		/* entry index + 1; 0: empty */
};

struct ld_dupset {
	size_t			 n, cap;	/* cap: a power of two */
	struct ld_dupslot	*slot;
};

struct ld_index;		/* ledger_index.c */
struct ld_keys;			/* ledger_keys.c */

struct ledger {
	char			*path;
	int			 fd;
	bool			 write, created, locked;
	struct sig_hasher	*h;
	/* appender state, valid while the file is lg->end bytes long */
	bool			 state_valid;
	uint64_t		 end;
	uint64_t		 nseals;
	struct ledger_seal	 last;
	char			 origin[LEDGER_ORIGIN_MAX + 1];
	size_t			 origin_len;
	struct ld_dupset	 dups;	/* without an index */
	struct ld_index		*idx;	/* NULL: no index */
};

/* A buffered pread(2) window over the file. */
struct ld_rd {
	int		 fd;
	uint64_t	 size;		/* bytes we may read */
	bool		 ahead;		/* read ahead (a scan), or only what
					   is asked for (a seek) */
	uint8_t		*buf;
	size_t		 cap;
	uint64_t	 off;		/* file offset of buf[0] */
	size_t		 len;
};

struct ld_rec {
	uint64_t	 off, end;
	uint8_t		 type, flags;
	const uint8_t	*leaf;		/* type, flags, body */
	size_t		 leaf_len;
	const uint8_t	*body;
	size_t		 body_len;
};

enum { LD_OK, LD_EOF, LD_SHORT, LD_BAD, LD_ERR };

struct ld_walk {
	/* in */
	struct ledger		*lg;
	const struct ledger_opts *o;
	struct diag		*d;
	bool			 check;		/* verify everything */
	bool			 dedupe;	/* fill/check dups */
	struct ld_dupset	*dups;
	int			(*visit)(void *, const struct ledger_entry *,
				    struct diag *);
	void			*visit_ctx;
	uint64_t		 rec_limit;	/* visit records ending here */
	uint64_t		 want_size;	/* keep the seal of this size */
	bool			 found;
	struct ledger_seal	 want_seal;
	/* state */
	struct ld_rd		 rd;
	uint64_t		 size, off, header_end, progress_at;
	char			 origin[LEDGER_ORIGIN_MAX + 1];
	size_t			 origin_len;
	uint64_t		 n;		/* entries read */
	uint8_t			 prev[32];
	struct merkle_frontier	 fr;
	uint64_t		 batch_n;
	uint32_t		 batch_key_id;
	char			 batch_name[SIG_NAME_MAX + 1];
	size_t			 batch_name_len;
	/* out */
	uint64_t		 seals, sealed_end, sealed_n, problems;
	struct ledger_seal	 last;
	uint64_t		 torn_at;	/* UINT64_MAX: not torn */
	uint64_t		 bad_at;	/* 0: none */
	const char		*bad_why;
	bool			 stop;
};

void	ld_put16(uint8_t *p, uint16_t v);
void	ld_put32(uint8_t *p, uint32_t v);
void	ld_put64(uint8_t *p, uint64_t v);
uint16_t ld_get16(const uint8_t *p);
uint32_t ld_get32(const uint8_t *p);
uint64_t ld_get64(const uint8_t *p);

int	ld_rd_init(struct ld_rd *r, int fd, uint64_t size, struct diag *d);
void	ld_rd_free(struct ld_rd *r);
const uint8_t *ld_rd_get(struct ld_rd *r, uint64_t off, size_t len,
	    bool *short_read, struct diag *d);
int	ld_read_record(struct ld_rd *r, uint64_t off, struct ld_rec *rec,
	    const char **why, struct diag *d);
void	ld_entry_fields(struct ledger_entry *e, const uint8_t *leaf,
	    size_t len);
int	ld_parse_seal(struct ledger_seal *s, const struct ld_rec *rec,
	    struct diag *d);
/* The signed checkpoint text of a seal: C2SP lines + "dscsa-chain" line. */
size_t	ld_seal_text(const char *origin, size_t origin_len, uint64_t size,
	    const uint8_t root[32], const uint8_t chain[32], char *buf,
	    size_t cap);
uint64_t ld_dup_find(const struct ld_dupset *s, const uint8_t key[16]);
int	ld_dup_add(struct ld_dupset *s, const uint8_t key[16], uint64_t index,
	    struct diag *d);
void	ld_dup_free(struct ld_dupset *s);
bool	ld_writer_active(struct ledger *lg);
/* The 16-byte dedupe key of a hash id (invariant 7; ledger_index too). */
void	ld_dup_key(struct sig_hasher *h, const char *id, size_t len,
	    uint8_t key[16]);

/* ---- the index (ledger_index.c), under LOCK_EX ---- */

/*
 * Bring the index up to the file and load the appender state (end, last
 * seal, seals, origin) from it, as load_state does by reading the file.
 */
int	ld_index_load(struct ledger *lg, struct ledger_index_stats *st,
	    struct diag *d);
/* End an append's index transaction without adding (ROLLBACK); no-op if none. */
void	ld_index_end(struct ledger *lg);
/* Start fetching the memory ld_index_has will read for `key`; a hint. */
void	ld_index_prefetch(struct ledger *lg, const uint8_t key[16]);
void	ld_keys_prefetch(const struct ld_keys *k, const uint8_t key[16]);
/* Is `key` in the index?  *index gets its entry. 1 yes, 0 no, -1 error. */
int	ld_index_has(struct ledger *lg, const uint8_t key[16], uint64_t *index,
	    struct diag *d);
/*
 * After the ledger is fsync(2)ed: add the entries just written (in `buf`,
 * the records written at file offset `start`: `nent` entries, whose users
 * and dedupe keys are users[] and keys[], then one seal) and commit the
 * transaction ld_index_load began.  A failure leaves the index behind
 * (the next load catches up); it is reported but the append stands.
 */
int	ld_index_added(struct ledger *lg, const uint8_t *buf, size_t len,
	    uint64_t start, const void *const *users, const uint8_t (*keys)[16],
	    size_t nent, struct diag *d);
void	ld_index_close(struct ld_index *x);

/* ---- the hash-id table of the index (ledger_keys.c), under LOCK_EX ---- */

/* A handle on `index_path`.keys; nothing is read yet. */
int	ld_keys_new(struct ld_keys **out, const char *index_path,
	    struct diag *d);
void	ld_keys_free(struct ld_keys *k);
/*
 * Check the table against the file (K2) and catch it up, or rebuild it
 * (force, or not usable: *rebuilt says why).  0; -1 error; -2 the ledger is
 * damaged or torn (DIAG_INPUT, DIAG_VERIFY for a duplicate in the file).
 */
int	ld_keys_sync(struct ld_keys *k, struct ledger *lg, bool force,
	    const char **rebuilt, uint64_t *caught_up, struct diag *d);
/*
 * Is `key` the key of a sealed entry (below lg->last.size), confirmed
 * against the file (K4)?  1 (*index, *offset), 0, -1 error.
 */
int	ld_keys_find(struct ld_keys *k, struct ledger *lg, const uint8_t key[16],
	    uint64_t *index, uint64_t *offset, struct diag *d);
/* Room for `n` more keys; entries from `limit` on are not kept (K5). */
int	ld_keys_reserve(struct ld_keys *k, uint64_t limit, uint64_t n,
	    struct diag *d);
/* Add the key of entry `index` at `offset` (after the ledger's fsync). */
int	ld_keys_add(struct ld_keys *k, struct ledger *lg, const uint8_t key[16],
	    uint64_t index, uint64_t offset, struct diag *d);
/*
 * K3: the table covers seal `s`; every KEYS_SYNC_EVERY keys, sync it and
 * let the header say so.
 */
int	ld_keys_commit(struct ld_keys *k, const struct ledger_seal *s,
	    struct diag *d);
/*
 * K3, under LOCK_EX: sync what is not yet and move the header, if the
 * ledger (`file_size` bytes) still ends at the covered seal.  Failures are
 * not reported: the next catch-up repairs them.
 */
void	ld_keys_flush(struct ld_keys *k, uint64_t file_size);
/* Are there keys ld_keys_flush would sync?  (No lock needed to ask.) */
bool	ld_keys_dirty(const struct ld_keys *k);
/* ld_keys_flush of the handle's index, taking the lock; for ledger_close. */
void	ld_index_flush(struct ledger *lg);
int	ld_walk(struct ld_walk *w);

#endif /* DSCSA_LEDGER_INT_H */
