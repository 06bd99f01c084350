/*
 * ledger_index: the sidecar index of a ledger (dscsa-ledger(5) "INDEX"),
 * a SQLite file that maps EPCs, parents, inputs and lots to entries, so
 * that lookups (trace) need not scan the file, and beside it the hash-id
 * table (ledger_keys.c, its own invariants K1-K6) through which append
 * refuses duplicates.
 *
 * The ledger file is the truth; the index is a cache of it and is never
 * trusted beyond what can be checked cheaply against the file:
 *  I1. The index is read and written only under the ledger's LOCK_EX
 *      (invariant 3 of ledger.c), so it has one writer and no reader
 *      races it.
 *  I2. Its meta row names the last seal it covers (offset, end, size,
 *      root, chain) and the ledger's origin.  Before use, that seal is
 *      read from the file at that offset and compared; the header's origin
 *      too (O(1) in the size of the ledger and of the index).  Any mismatch,
 *      a missing or unreadable file, a foreign schema: the index is
 *      deleted and rebuilt from the file.
 *  I3. What the file holds after the covered seal is read with full
 *      record framing and checksums, entry numbering and the hash chain
 *      checked, and added (catch-up); entries count only once their seal
 *      is read, so a torn tail is never indexed.
 *  I4. An append writes and fsync(2)s the ledger first, then adds to the
 *      index.  Its item rows are held in memory (with the seal they
 *      reach) and go in, sorted, in one transaction with the meta row
 *      when ITEMS_HOLD rows are held, when another writer's work must be
 *      caught up, before a lookup or sync, and when the handle is closed
 *      (I8).  A crash in between leaves the index behind, and I3 repairs
 *      it at the next append.
 *  I5. The index is in WAL mode with synchronous=NORMAL: a commit is
 *      atomic (a crash or power cut loses whole transactions, never half
 *      of one), which again leaves it behind, never wrong.
 *  I6. verify never reads it (ledger.c): a tampered index can at worst
 *      let append write a duplicate, which verify then reports
 *      (invariant 7).
 *  I7. An append's duplicate lookups go to the hash-id table, not to
 *      SQLite; SQLite is written only in the transactions of I3 and I8.
 *  I8. Held rows are written under LOCK_EX, and only if the seal they
 *      reach is still in the file at its offset (else they are dropped,
 *      and catch-up redoes them).  They are INSERT OR IGNORE rows of
 *      sealed entries, so rows another writer's catch-up added already do
 *      no harm; the meta row moves to the held seal only if it covers
 *      less, never back.  A process appending many documents thus writes
 *      SQLite once for many appends: with random serials every append's
 *      rows touch pages all over the B-tree, which the WAL then holds and
 *      a checkpoint writes again.
 *  I9. Rows an append writes go to the table `pending` (a rowid table:
 *      they land on its last pages) and move to `item` in one sorted pass
 *      when PENDING_MAX have come; lookups read both.  So a process per
 *      append does not rewrite pages all over the B-tree every time.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "diag.h"
#include "ledger.h"
#include "ledger_int.h"
#include "mem.h"
#include "merkle.h"
#include "sig.h"

#define IDX_APP_ID	0x4453494e	/* "DSIN" */
#define IDX_FORMAT	4	/* 2: hash ids in LEDGER.idx.keys; 3: offsets
				   in the item rows, no entry table; 4: the
				   pending table */

static const char schema[] =
    "PRAGMA application_id = 1146308942;"	/* IDX_APP_ID */
    "PRAGMA user_version = 4;"			/* IDX_FORMAT */
    "CREATE TABLE meta ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " ledger_size INTEGER NOT NULL,"	/* bytes covered: end of the seal */
    " entries INTEGER NOT NULL,"	/* the seal's size */
    " seals INTEGER NOT NULL,"
    " seal_offset INTEGER NOT NULL,"	/* of the last seal covered */
    " seal_root BLOB NOT NULL,"
    " seal_chain BLOB NOT NULL,"
    " origin TEXT NOT NULL);"
    "CREATE TABLE item ("
    " item TEXT NOT NULL,"
    " kind INTEGER NOT NULL,"		/* LEDGER_ITEM_* */
    " idx INTEGER NOT NULL,"		/* entry index */
    " offset INTEGER NOT NULL,"		/* of its record */
    " PRIMARY KEY (item, idx, kind)) WITHOUT ROWID;"
    /* I9: rows of recent appends, in the order they came (rowid) */
    "CREATE TABLE pending ("
    " item TEXT NOT NULL,"
    " kind INTEGER NOT NULL,"
    " idx INTEGER NOT NULL,"
    " offset INTEGER NOT NULL);"
    "INSERT INTO meta VALUES (1, 0, 0, 0, 0, x'', x'', '');";

/*
 * Item rows wait here, each with a copy of its item (the caller's string
 * may not last), and go in sorted in the B-tree's order (pages touched
 * once, in order), ITEMS_BATCH to one INSERT: a statement's fixed cost
 * (step, reset, bindings cleared, halt) paid once for them.  Appends hold
 * up to ITEMS_HOLD rows (I8).
 */
#define ITEMS_BATCH	32
#define ITEMS_HOLD	16384
#define PENDING_MAX	8192	/* I9: rows in `pending` before a merge */

struct pending_item {
	const char	*s;		/* the item, set when sorting */
	size_t		 at;		/* of the item in the text buffer */
	uint64_t	 index, offset;
	int		 kind;
};

struct ld_index {
	char			*path;
	sqlite3			*db;
	sqlite3_stmt		*ins_item, *ins_items, *meta;
	sqlite3_stmt		*ins_pend, *ins_pends, *npending;
	struct pending_item	*pend;
	size_t			 npend, pend_cap;
	/* I8: held rows reach this seal, which ends at hold_end */
	bool			 held;
	struct ledger_seal	 hold_seal;
	uint64_t		 hold_nseals, hold_end;
	char			*text;		/* the pending items */
	size_t			 text_len, text_cap;
	struct ld_keys		*keys;	/* the hash ids (ledger_keys.c) */
	bool			 valid;	/* checked, and covers lg->end */
	bool			 txn;	/* an append's transaction is open */
	struct ledger_index_stats st;
};

struct idx_meta {
	uint64_t	 size, entries, seals, seal_offset;
	uint8_t		 root[32], chain[32];
	char		 origin[LEDGER_ORIGIN_MAX + 1];
};

static int
db_fail(struct ld_index *x, struct diag *d, const char *what)
{
	errno = 0;
	return diag_system(d, "%s: %s: %s", x->path, what,
	    x->db ? sqlite3_errmsg(x->db) : "cannot open");
}

static void
idx_shut(struct ld_index *x)
{
	sqlite3_finalize(x->ins_item);
	sqlite3_finalize(x->ins_items);
	sqlite3_finalize(x->meta);
	sqlite3_finalize(x->ins_pend);
	sqlite3_finalize(x->ins_pends);
	sqlite3_finalize(x->npending);
	x->ins_item = x->ins_items = x->meta = NULL;
	x->ins_pend = x->ins_pends = x->npending = NULL;
	x->npend = x->text_len = 0;
	x->held = false;
	x->txn = false;
	if (x->db != NULL)
		sqlite3_close(x->db);
	x->db = NULL;
	x->valid = false;
}

void
ld_index_close(struct ld_index *x)
{
	if (x == NULL)
		return;
	idx_shut(x);
	ld_keys_free(x->keys);
	free(x->pend);
	free(x->text);
	free(x->path);
	free(x);
}

int
ledger_index_use(struct ledger *lg, const char *path, struct diag *d)
{
	struct ld_index *x;
	size_t n;

	if (!lg->write)
		return diag_input(d, "ledger not opened for writing");
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return diag_system(d, "out of memory");
	if (path != NULL)
		x->path = strdup(path);
	else if ((x->path = malloc((n = strlen(lg->path)) + 5)) != NULL) {
		memcpy(x->path, lg->path, n);
		memcpy(x->path + n, ".idx", 5);
	}
	if (x->path == NULL) {
		free(x);
		return diag_system(d, "out of memory");
	}
	if (ld_keys_new(&x->keys, x->path, d) != 0) {
		free(x->path);
		free(x);
		return -1;
	}
	ld_index_close(lg->idx);
	lg->idx = x;
	return 0;
}

/* Delete the index and what SQLite keeps beside it. */
static int
idx_remove(struct ld_index *x, struct diag *d)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	size_t n = strlen(x->path);
	char *p = malloc(n + 9);

	idx_shut(x);
	if (p == NULL)
		return diag_system(d, "out of memory");
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		memcpy(p, x->path, n);
		memcpy(p + n, sfx[i], strlen(sfx[i]) + 1);
		if (unlink(p) != 0 && errno != ENOENT) {
			diag_system(d, "%s: cannot remove", p);
			free(p);
			return -1;
		}
	}
	free(p);
	return 0;
}

static int
prepare(struct ld_index *x, struct diag *d)
{
	static const struct {
		size_t		 off;
		const char	*sql;
	} st[] = {
		{ offsetof(struct ld_index, ins_item),
		  "INSERT OR IGNORE INTO item VALUES (?, ?, ?, ?)" },
		{ offsetof(struct ld_index, ins_pend),
		  "INSERT INTO pending VALUES (?, ?, ?, ?)" },
		{ offsetof(struct ld_index, npending),
		  "SELECT (SELECT max(rowid) FROM pending) - "
		  "(SELECT min(rowid) FROM pending) + 1" },
		{ offsetof(struct ld_index, meta),
		  "UPDATE meta SET ledger_size = ?, entries = ?, seals = ?, "
		  "seal_offset = ?, seal_root = ?, seal_chain = ?, origin = ? "
		  "WHERE id = 1" },
	};

	char many[64 + ITEMS_BATCH * 10], pends[64 + ITEMS_BATCH * 10];
	size_t n;

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (sqlite3_prepare_v3(x->db, st[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT,
		    (sqlite3_stmt **)((char *)x + st[i].off), NULL) != SQLITE_OK)
			return -1;
	n = (size_t)snprintf(many, sizeof(many),
	    "INSERT OR IGNORE INTO item VALUES (?,?,?,?)");
	for (int i = 1; i < ITEMS_BATCH; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, ",(?,?,?,?)");
	if (n >= sizeof(many) || sqlite3_prepare_v3(x->db, many, -1,
	    SQLITE_PREPARE_PERSISTENT, &x->ins_items, NULL) != SQLITE_OK)
		return -1;
	n = (size_t)snprintf(pends, sizeof(pends),
	    "INSERT INTO pending VALUES (?,?,?,?)");
	for (int i = 1; i < ITEMS_BATCH; i++)
		n += (size_t)snprintf(pends + n, sizeof(pends) - n, ",(?,?,?,?)");
	if (n >= sizeof(pends) || sqlite3_prepare_v3(x->db, pends, -1,
	    SQLITE_PREPARE_PERSISTENT, &x->ins_pends, NULL) != SQLITE_OK)
		return -1;
	(void)d;
	return 0;
}

static int
exec(struct ld_index *x, const char *sql)
{
	return sqlite3_exec(x->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Open the file (creating an empty index if `create`); 0, or -1 (why). */
static int
idx_open(struct ld_index *x, bool create, const char **why)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	sqlite3_stmt *s = NULL;
	int app = 0, fmt = 0, ntab = 0;

	*why = "cannot be opened";
	if (sqlite3_open_v2(x->path, &x->db, flags, NULL) != SQLITE_OK)
		goto bad;
	*why = "is not a readable SQLite file";
	/*
	 * I5: WAL, synchronous=NORMAL.  No busy wait: I1 says nobody else
	 * has it open while we hold the lock.
	 */
	if (exec(x, "PRAGMA journal_mode = WAL") != 0 ||
	    exec(x, "PRAGMA synchronous = NORMAL") != 0 ||
	    exec(x, "PRAGMA cache_size = -16384") != 0)
		goto bad;
	if (sqlite3_prepare_v2(x->db, "SELECT (SELECT application_id FROM "
	    "pragma_application_id), (SELECT user_version FROM "
	    "pragma_user_version), (SELECT count(*) FROM sqlite_schema)", -1,
	    &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		goto bad;
	app = sqlite3_column_int(s, 0);
	fmt = sqlite3_column_int(s, 1);
	ntab = sqlite3_column_int(s, 2);
	sqlite3_finalize(s);
	s = NULL;
	if (ntab == 0 && create) {
		*why = "cannot be created";
		if (exec(x, "BEGIN") != 0 || exec(x, schema) != 0 ||
		    exec(x, "COMMIT") != 0)
			goto bad;
	} else if (app != IDX_APP_ID || fmt != IDX_FORMAT) {
		*why = "is not a dscsa-ledger index of this version";
		goto bad;
	}
	*why = "has not the tables of an index";
	if (prepare(x, NULL) != 0)
		goto bad;
	*why = NULL;
	return 0;
bad:
	sqlite3_finalize(s);
	idx_shut(x);
	return -1;
}

static int
read_meta(struct ld_index *x, struct idx_meta *m)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;
	const void *root, *chain;
	const unsigned char *origin;

	memset(m, 0, sizeof(*m));
	if (sqlite3_prepare_v2(x->db, "SELECT ledger_size, entries, seals, "
	    "seal_offset, seal_root, seal_chain, origin FROM meta WHERE id = 1",
	    -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		goto out;
	m->size = (uint64_t)sqlite3_column_int64(s, 0);
	m->entries = (uint64_t)sqlite3_column_int64(s, 1);
	m->seals = (uint64_t)sqlite3_column_int64(s, 2);
	m->seal_offset = (uint64_t)sqlite3_column_int64(s, 3);
	root = sqlite3_column_blob(s, 4);
	chain = sqlite3_column_blob(s, 5);
	origin = sqlite3_column_text(s, 6);
	if (m->entries == 0) {
		if (m->size != 0 || m->seals != 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (sqlite3_column_bytes(s, 4) != 32 || sqlite3_column_bytes(s, 5) != 32 ||
	    root == NULL || chain == NULL || origin == NULL ||
	    (size_t)sqlite3_column_bytes(s, 6) > LEDGER_ORIGIN_MAX)
		goto out;
	memcpy(m->root, root, 32);
	memcpy(m->chain, chain, 32);
	memcpy(m->origin, origin, (size_t)sqlite3_column_bytes(s, 6));
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Read the header: origin into lg, *end just past it.  LD_* codes. */
static int
read_header(struct ledger *lg, struct ld_rd *rd, uint64_t *end,
    const char **why, struct diag *d)
{
	const uint8_t *p;
	struct ld_rec rec;
	bool sh;
	int rc;

	*why = "bad magic";
	if ((p = ld_rd_get(rd, 0, LEDGER_MAGIC_LEN, &sh, d)) == NULL)
		return sh ? LD_SHORT : LD_ERR;
	if (memcmp(p, LEDGER_MAGIC, LEDGER_MAGIC_LEN) != 0)
		return LD_BAD;
	if ((rc = ld_read_record(rd, LEDGER_MAGIC_LEN, &rec, why, d)) != LD_OK)
		return rc == LD_EOF ? LD_SHORT : rc;
	*why = "malformed header record";
	if (rec.type != LEDGER_REC_HEADER || rec.body_len < 5 ||
	    ld_get16(rec.body) != LEDGER_VERSION ||
	    ld_get16(rec.body + 2) != rec.body_len - 4 ||
	    rec.body_len - 4 > LEDGER_ORIGIN_MAX)
		return LD_BAD;
	lg->origin_len = rec.body_len - 4;
	memcpy(lg->origin, rec.body + 4, lg->origin_len);
	lg->origin[lg->origin_len] = '\0';
	*end = rec.end;
	return LD_OK;
}

/*
 * I2: does the meta row describe this file?  On success lg holds the
 * appender state at the covered seal.  0 yes, 1 no (why), -1 error.
 */
static int
check_meta(struct ledger *lg, struct ld_rd *rd, const struct idx_meta *m,
    const char **why, struct diag *d)
{
	struct ld_rec rec;
	struct ledger_seal s;
	struct diag pd = DIAG_INIT;
	uint64_t hend;
	int rc;

	if (m->entries == 0) {
		lg->origin_len = 0;
		lg->origin[0] = '\0';
		memset(&lg->last, 0, sizeof(lg->last));
		lg->nseals = 0;
		return 0;
	}
	*why = "covers more than the ledger holds";
	if (m->size > rd->size || m->seal_offset >= m->size)
		return 1;
	if ((rc = read_header(lg, rd, &hend, why, d)) == LD_ERR)
		return -1;
	if (rc != LD_OK)
		return 1;
	*why = "was made for a ledger of another origin";
	if (strcmp(lg->origin, m->origin) != 0)
		return 1;
	*why = "does not match the ledger at its last seal";
	if ((rc = ld_read_record(rd, m->seal_offset, &rec, why, d)) == LD_ERR)
		return -1;
	if (rc != LD_OK || rec.type != LEDGER_REC_SEAL ||
	    ld_parse_seal(&s, &rec, &pd) != 0 || s.end != m->size ||
	    s.size != m->entries || memcmp(s.root, m->root, 32) != 0 ||
	    memcmp(s.chain, m->chain, 32) != 0) {
		*why = "does not match the ledger at its last seal";
		return 1;
	}
	lg->last = s;
	lg->nseals = m->seals;
	return 0;
}

static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

void
ld_index_prefetch(struct ledger *lg, const uint8_t key[16])
{
	ld_keys_prefetch(lg->idx->keys, key);
}

int
ld_index_has(struct ledger *lg, const uint8_t key[16], uint64_t *index,
    struct diag *d)
{
	uint64_t offset;

	return ld_keys_find(lg->idx->keys, lg, key, index, &offset, d);
}

struct item_ctx {
	struct ld_index	*x;
	uint64_t	 index, offset;
};

/* Bind pending item i to parameters 4 * j + 1 .. 4 * j + 4 of `s`. */
static void
bind_item(struct ld_index *x, sqlite3_stmt *s, size_t i, int j)
{
	const struct pending_item *p = &x->pend[i];

	sqlite3_bind_text(s, 4 * j + 1, x->text + p->at, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4 * j + 2, p->kind);
	sqlite3_bind_int64(s, 4 * j + 3, (sqlite3_int64)p->index);
	sqlite3_bind_int64(s, 4 * j + 4, (sqlite3_int64)p->offset);
}

/* The primary key's order: item (BINARY: bytes), idx, kind. */
static int
item_cmp(const void *a, const void *b)
{
	const struct pending_item *p = a, *q = b;
	int c = strcmp(p->s, q->s);

	if (c != 0)
		return c;
	if (p->index != q->index)
		return p->index < q->index ? -1 : 1;
	return (p->kind > q->kind) - (p->kind < q->kind);
}

/*
 * Insert the waiting item rows, full batches in one statement: into
 * `item` sorted, or (I9) into `pending` as they came.
 */
static int
flush_to(struct ld_index *x, bool to_pending, struct diag *d)
{
	sqlite3_stmt *one = to_pending ? x->ins_pend : x->ins_item;
	sqlite3_stmt *many = to_pending ? x->ins_pends : x->ins_items;
	size_t i = 0;
	int rc = 0;

	for (size_t k = 0; k < x->npend && !to_pending; k++)
		x->pend[k].s = x->text + x->pend[k].at;
	if (x->npend > 1 && !to_pending)
		qsort(x->pend, x->npend, sizeof(x->pend[0]), item_cmp);
	for (; i + ITEMS_BATCH <= x->npend && rc == 0; i += ITEMS_BATCH) {
		for (int j = 0; j < ITEMS_BATCH; j++)
			bind_item(x, many, i + (size_t)j, j);
		rc = step_done(many);
	}
	for (; i < x->npend && rc == 0; i++) {
		bind_item(x, one, i, 0);
		rc = step_done(one);
	}
	x->npend = x->text_len = 0;
	return rc == 0 ? 0 : db_fail(x, d, "cannot add an item");
}

static int
flush_items(struct ld_index *x, struct diag *d)
{
	return flush_to(x, false, d);
}

/*
 * I9: the held rows of an append go to `pending`: rows appended at the
 * end of a rowid table touch its last pages only.  At PENDING_MAX rows
 * they move to `item` in one sorted pass, which touches each page of
 * the B-tree at most once for all of them (random serials put every
 * append's rows all over it).  Many held rows go to `item` directly.
 */
static int
flush_held(struct ld_index *x, struct diag *d)
{
	sqlite3_int64 n;
	int rc;

	if (x->npend >= PENDING_MAX)
		return flush_to(x, false, d);
	if (flush_to(x, true, d) != 0)
		return -1;
	rc = sqlite3_step(x->npending);
	n = rc == SQLITE_ROW ? sqlite3_column_int64(x->npending, 0) : -1;
	sqlite3_reset(x->npending);
	if (n < 0)
		return db_fail(x, d, "cannot count the pending rows");
	if (n < PENDING_MAX)
		return 0;
	if (exec(x, "INSERT OR IGNORE INTO item SELECT item, kind, idx, "
	    "offset FROM pending ORDER BY item, idx, kind") != 0 ||
	    exec(x, "DELETE FROM pending") != 0)
		return db_fail(x, d, "cannot merge the pending rows");
	return 0;
}

/* Rows not inserted: the transaction they were for is rolled back. */
static void
drop_items(struct ld_index *x)
{
	x->npend = x->text_len = 0;
}

static int
add_item(void *ctx, int kind, const char *item, struct diag *d)
{
	struct item_ctx *c = ctx;
	struct ld_index *x = c->x;
	size_t n = strlen(item) + 1;
	struct pending_item *p;
	char *t;

	if ((t = mem_grow(x->text, &x->text_cap, x->text_len + n, 1,
	    4096)) == NULL)
		return diag_system(d, "out of memory");
	x->text = t;
	if ((p = mem_grow(x->pend, &x->pend_cap, x->npend + 1, sizeof(*p),
	    1024)) == NULL)
		return diag_system(d, "out of memory");
	x->pend = p;
	p = &x->pend[x->npend++];
	p->kind = kind;
	p->index = c->index;
	p->offset = c->offset;
	p->at = x->text_len;
	memcpy(x->text + x->text_len, item, n);
	x->text_len += n;
	x->st.items++;
	return 0;
}

/*
 * Add one entry's item rows (each with the entry's number and offset: no
 * table of entries, which only lookups would read, for one join).
 */
static int
add_entry(struct ledger *lg, const struct ledger_entry *e, struct diag *d)
{
	struct ld_index *x = lg->idx;
	struct item_ctx c = { x, e->index, e->offset };
	struct diag pd = DIAG_INIT;

	/*
	 * Items are for lookups only: an entry whose content is not a
	 * readable EPCIS event (verify's business) gets none.
	 */
	if (ledger_entry_items(e, add_item, &c, &pd) != 0 &&
	    pd.kind != DIAG_INPUT) {
		*d = pd;
		return -1;
	}
	return 0;
}

static int
put_meta_seal(struct ledger *lg, const struct ledger_seal *seal,
    uint64_t nseals, uint64_t size, struct diag *d)
{
	struct ld_index *x = lg->idx;
	sqlite3_stmt *s = x->meta;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)seal->size);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)nseals);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)seal->offset);
	sqlite3_bind_blob(s, 5, seal->root, 32, SQLITE_STATIC);
	sqlite3_bind_blob(s, 6, seal->chain, 32, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, lg->origin, (int)lg->origin_len, SQLITE_STATIC);
	if (step_done(s) != 0)
		return db_fail(x, d, "cannot update its meta row");
	x->st.entries = seal->size;
	return 0;
}

static int
put_meta(struct ledger *lg, uint64_t size, struct diag *d)
{
	return put_meta_seal(lg, &lg->last, lg->nseals, size, d);
}

/*
 * I3: add what the file holds after the covered seal at `off`, inside the
 * open transaction.  Entries are kept only when their seal is read.
 */
static int
catch_up(struct ledger *lg, struct ld_rd *rd, uint64_t off, struct diag *d)
{
	struct ld_index *x = lg->idx;
	uint64_t n = lg->last.size, sealed_off = off;
	uint8_t chain[32];
	struct diag pd = DIAG_INIT;
	const char *why;
	int rc;

	memcpy(chain, lg->last.chain, 32);
	if (off == 0 && rd->size > 0) {
		rc = read_header(lg, rd, &off, &why, d);
		if (rc == LD_ERR)
			return -1;
		if (rc == LD_BAD) {
			diag_input(d, "%s: offset 0: %s", lg->path, why);
			return -1;
		}
		if (rc == LD_SHORT)
			goto torn;
		sealed_off = 0;
	}
	if (exec(x, "SAVEPOINT seal") != 0)
		return db_fail(x, d, "cannot start a transaction");
	while (off < rd->size) {
		struct ld_rec rec;
		struct ledger_entry e;
		struct ledger_seal s;

		rc = ld_read_record(rd, off, &rec, &why, d);
		if (rc == LD_ERR)
			return -1;
		if (rc == LD_SHORT || rc == LD_EOF)
			break;
		if (rc == LD_BAD) {
			diag_input(d, "offset %llu: %s: run dscsa-ledger verify",
			    (unsigned long long)off, why);
			goto damage;
		}
		if (rec.type == LEDGER_REC_ENTRY) {
			if (ledger_parse_entry(&e, rec.leaf, rec.leaf_len,
			    &pd) != 0) {
				diag_input(d, "offset %llu: %s",
				    (unsigned long long)off, pd.msg);
				goto damage;
			}
			if (e.index != n || memcmp(e.prev, chain, 32) != 0) {
				diag_input(d, "offset %llu (entry %llu): entry "
				    "number or hash chain broken: run "
				    "dscsa-ledger verify",
				    (unsigned long long)off,
				    (unsigned long long)n);
				goto damage;
			}
			/* duplicates: the keys' catch-up (ledger_keys.c) */
			e.offset = off;
			merkle_leaf_hash(lg->h, e.leaf, e.leaf_len, chain);
			if (add_entry(lg, &e, d) != 0 ||
			    (x->npend >= ITEMS_HOLD && flush_items(x, d) != 0))
				return -1;
			n++;
			x->st.caught_up++;
		} else if (rec.type == LEDGER_REC_SEAL) {
			if (ld_parse_seal(&s, &rec, &pd) != 0) {
				diag_input(d, "offset %llu: %s",
				    (unsigned long long)off, pd.msg);
				goto damage;
			}
			if (s.size != n || memcmp(s.chain, chain, 32) != 0 ||
			    n == lg->last.size) {
				diag_input(d, "offset %llu: seal does not match "
				    "the entries before it: run dscsa-ledger "
				    "verify", (unsigned long long)off);
				goto damage;
			}
			lg->last = s;
			lg->nseals++;
			if (flush_items(x, d) != 0)
				return -1;
			if (put_meta(lg, rec.end, d) != 0 ||
			    exec(x, "RELEASE seal") != 0 ||
			    exec(x, "SAVEPOINT seal") != 0)
				return db_fail(x, d, "cannot commit");
			sealed_off = rec.end;
		} else {
			diag_input(d, "offset %llu: unknown record type %u",
			    (unsigned long long)off, rec.type);
			goto damage;
		}
		off = rec.end;
	}
	drop_items(x);		/* entries after the last seal */
	if (exec(x, "ROLLBACK TO seal") != 0 || exec(x, "RELEASE seal") != 0)
		return db_fail(x, d, "cannot roll back");
	x->st.caught_up -= n - lg->last.size;	/* rolled back */
	if (sealed_off == rd->size)
		return 0;
torn:
	diag_input(d, "torn tail after the last seal at offset %llu (%llu "
	    "unsealed entries): run dscsa-ledger recover",
	    (unsigned long long)sealed_off,
	    (unsigned long long)(n - lg->last.size));
	return -2;
damage:
	/* keep what was sealed before the damage */
	drop_items(x);
	(void)exec(x, "ROLLBACK TO seal");
	(void)exec(x, "RELEASE seal");
	return -2;
}

/* Create an empty index in place of whatever is there. */
static int
idx_fresh(struct ld_index *x, struct diag *d)
{
	const char *why;

	if (idx_remove(x, d) != 0)
		return -1;
	if (idx_open(x, true, &why) != 0) {
		errno = 0;
		return diag_system(d, "%s: %s", x->path, why);
	}
	return 0;
}

/*
 * Bring the index up to date (or rebuild it: force).  Returns 0, -1 on an
 * error, or -2 when the ledger itself is damaged or torn (what was sealed
 * before is indexed).
 */
/* Forget the held rows (I8): catch-up redoes them. */
static void
hold_drop(struct ld_index *x)
{
	drop_items(x);
	x->held = false;
	x->valid = false;
}

/*
 * I8: write the held rows, under LOCK_EX, if their seal is still in the
 * file; the meta row moves to that seal if it covers less.  0, or -1
 * (the rows are dropped, the index is behind and catch-up redoes them).
 */
static int
hold_flush(struct ledger *lg, struct diag *d)
{
	struct ld_index *x = lg->idx;
	const struct ledger_seal *h = &x->hold_seal;
	struct diag pd = DIAG_INIT;
	struct idx_meta m;
	struct ld_rd rd;
	struct ld_rec rec;
	struct ledger_seal s;
	struct stat st;
	const char *why;
	int rc;

	if (!x->held)
		return 0;
	if (x->db == NULL || fstat(lg->fd, &st) != 0 ||
	    (uint64_t)st.st_size < x->hold_end) {
		hold_drop(x);
		return 0;
	}
	if (ld_rd_init(&rd, lg->fd, (uint64_t)st.st_size, d) != 0) {
		hold_drop(x);
		return -1;
	}
	rd.ahead = false;
	rc = ld_read_record(&rd, h->offset, &rec, &why, &pd);
	if (rc != LD_OK || rec.type != LEDGER_REC_SEAL ||
	    ld_parse_seal(&s, &rec, &pd) != 0 || s.end != x->hold_end ||
	    s.size != h->size || memcmp(s.root, h->root, 32) != 0 ||
	    memcmp(s.chain, h->chain, 32) != 0) {
		ld_rd_free(&rd);
		hold_drop(x);	/* the file changed under them */
		return 0;
	}
	ld_rd_free(&rd);
	if (read_meta(x, &m) != 0 || exec(x, "BEGIN IMMEDIATE") != 0) {
		hold_drop(x);
		return db_fail(x, d, "cannot start a transaction");
	}
	if (flush_held(x, d) != 0 || (m.entries <= h->size &&
	    put_meta_seal(lg, h, x->hold_nseals, x->hold_end, d) != 0) ||
	    exec(x, "COMMIT") != 0) {
		(void)exec(x, "ROLLBACK");
		hold_drop(x);
		if (d->kind == DIAG_OK)
			db_fail(x, d, "cannot commit");
		return -1;
	}
	x->held = false;
	return 0;
}

static int
idx_sync(struct ledger *lg, bool force, struct diag *d)
{
	struct ld_index *x = lg->idx;
	struct idx_meta m;
	struct ld_rd rd;
	struct stat st;
	const char *why = NULL;
	int rc;

	memset(&x->st, 0, sizeof(x->st));
	if (fstat(lg->fd, &st) != 0)
		return diag_system(d, "%s: cannot stat", lg->path);
	if (!force && x->valid && lg->state_valid &&
	    (uint64_t)st.st_size == lg->end) {
		x->st.entries = lg->last.size;
		return 0;
	}
	if (x->held) {	/* I8: before another writer's work is caught up */
		struct diag hd = DIAG_INIT;

		(void)hold_flush(lg, &hd);
	}
	x->valid = false;
	lg->state_valid = false;
	/* the hash ids first: the rows below assume no duplicates */
	if ((rc = ld_keys_sync(x->keys, lg, force, &x->st.keys_why,
	    &x->st.keys_caught_up, d)) != 0)
		return rc == -2 ? -2 : -1;
	if (ld_rd_init(&rd, lg->fd, (uint64_t)st.st_size, d) != 0)
		return -1;
	rd.ahead = false;	/* I2 reads two records: O(1) in the size */
	if (force)
		why = "asked for";
	else if (x->db == NULL && access(x->path, F_OK) != 0)
		why = errno == ENOENT ? "is missing" : "cannot be opened";
	else if (x->db == NULL)
		(void)idx_open(x, false, &why);
	if (why == NULL) {
		if (read_meta(x, &m) != 0)
			why = "has a bad meta row";
		else if ((rc = check_meta(lg, &rd, &m, &why, d)) < 0)
			goto fail;
		else if (rc == 0)
			why = NULL;
	}
	if (why != NULL) {
		x->st.rebuilt = true;
		x->st.why = why;
		if (idx_fresh(x, d) != 0)
			goto fail;
		memset(&lg->last, 0, sizeof(lg->last));
		lg->nseals = 0;
		m.size = 0;
	}
	if (exec(x, "BEGIN IMMEDIATE") != 0) {
		db_fail(x, d, "cannot start a transaction");
		goto fail;
	}
	rd.ahead = true;	/* catch-up and rebuild scan */
	rc = catch_up(lg, &rd, m.size, d);
	if (rc == -1) {
		(void)exec(x, "ROLLBACK");
		goto fail;
	}
	if (exec(x, "COMMIT") != 0) {
		db_fail(x, d, "cannot commit");
		(void)exec(x, "ROLLBACK");
		goto fail;
	}
	ld_rd_free(&rd);
	if (rc != 0)
		return -2;
	x->st.entries = lg->last.size;
	x->valid = true;
	lg->end = (uint64_t)st.st_size;
	lg->state_valid = true;
	return 0;
fail:
	ld_rd_free(&rd);
	idx_shut(x);
	return -1;
}

int
ld_index_load(struct ledger *lg, struct ledger_index_stats *st,
    struct diag *d)
{
	struct ld_index *x = lg->idx;
	int rc = idx_sync(lg, false, d);

	if (st != NULL)
		*st = x->st;
	if (rc != 0)
		return -1;
	(void)x;	/* I7: lookups need no transaction */
	return 0;
}

void
ld_index_end(struct ledger *lg)
{
	struct ld_index *x = lg->idx;

	if (x != NULL && x->txn) {
		(void)exec(x, "ROLLBACK");
		x->txn = false;
	}
}

int
ld_index_added(struct ledger *lg, const uint8_t *buf, size_t len,
    uint64_t start, const void *const *users, const uint8_t (*keys)[16],
    size_t nent, struct diag *d)
{
	struct ld_index *x = lg->idx;
	size_t pos = 0, j = 0;

	if (start == 0) {	/* magic and header */
		pos = LEDGER_MAGIC_LEN;
		pos += 12 + ld_get32(buf + pos);
	}
	/*
	 * One pass: each entry's hash id into the table (ledger_keys.c K3,
	 * committed below), its rows to the held ones (I8).
	 */
	if (ld_keys_reserve(x->keys, lg->last.size - nent, nent, d) != 0)
		goto fail;
	while (pos + 12 <= len) {
		uint32_t rl = ld_get32(buf + pos);
		struct ledger_entry e;

		if (buf[pos + 4] == LEDGER_REC_ENTRY) {
			if (j >= nent)
				goto fail;
			ld_entry_fields(&e, buf + pos + 4, rl);
			e.offset = start + pos;
			e.user = users[j];
			if (ld_keys_add(x->keys, lg, keys[j], e.index, e.offset,
			    d) != 0 || add_entry(lg, &e, d) != 0)
				goto fail;
			j++;
		}
		pos += 12 + (size_t)rl;
	}
	if (j != nent || ld_keys_commit(x->keys, &lg->last, d) != 0)
		goto fail;
	x->held = true;
	x->hold_seal = lg->last;
	x->hold_nseals = lg->nseals;
	x->hold_end = start + len;
	if (x->npend >= ITEMS_HOLD && hold_flush(lg, d) != 0)
		return -1;
	return 0;
fail:
	hold_drop(x);	/* behind: the next load catches up */
	if (d->kind == DIAG_OK)
		db_fail(x, d, "cannot add the append");
	return -1;
}

static int
lock_ex(struct ledger *lg, struct diag *d)
{
	while (flock(lg->fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return diag_system(d, "%s: cannot lock", lg->path);
	lg->locked = true;
	return 0;
}

static void
unlock(struct ledger *lg)
{
	flock(lg->fd, LOCK_UN);
	lg->locked = false;
}

void
ld_index_flush(struct ledger *lg)
{
	struct stat st;
	struct diag d = DIAG_INIT;

	/* only a handle that appended waits for the lock */
	if (lg->idx == NULL || lg->fd < 0 || (!lg->idx->held &&
	    !ld_keys_dirty(lg->idx->keys)))
		return;
	while (flock(lg->fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return;
	(void)hold_flush(lg, &d);	/* I8 */
	if (ld_keys_dirty(lg->idx->keys) && fstat(lg->fd, &st) == 0)
		ld_keys_flush(lg->idx->keys, (uint64_t)st.st_size);
	flock(lg->fd, LOCK_UN);
}

int
ledger_index_sync(struct ledger *lg, bool force, struct ledger_index_stats *st,
    struct diag *d)
{
	int rc;

	if (lg->idx == NULL && ledger_index_use(lg, NULL, d) != 0)
		return -1;
	if (lock_ex(lg, d) != 0)
		return -1;
	if ((rc = hold_flush(lg, d)) == 0)
		rc = idx_sync(lg, force, d);
	unlock(lg);
	if (st != NULL)
		*st = lg->idx->st;
	if (rc != 0)
		diag_at(d, lg->path, 0);
	return rc == 0 ? 0 : -1;
}

int
ledger_index_find(struct ledger *lg, int kind, const char *item,
    int (*fn)(void *ctx, int kind, uint64_t index, uint64_t offset),
    void *ctx, struct diag *d)
{
	struct ld_index *x;
	sqlite3_stmt *s = NULL;
	uint8_t key[16];
	int rc, r = 0;

	if (lg->idx == NULL && ledger_index_use(lg, NULL, d) != 0)
		return -1;
	x = lg->idx;
	if (lock_ex(lg, d) != 0)
		return -1;
	if (hold_flush(lg, d) != 0 || idx_sync(lg, false, d) != 0) {
		unlock(lg);
		diag_at(d, lg->path, 0);
		return -1;
	}
	if (kind < 0) {
		uint64_t index, offset;

		ld_dup_key(lg->h, item, strlen(item), key);
		r = ld_keys_find(x->keys, lg, key, &index, &offset, d);
		if (r == 1)
			r = fn(ctx, -1, index, offset);
		unlock(lg);
		return r < 0 ? -1 : 0;
	} else {
		/* I9: and the pending rows; a row may be in both */
		rc = sqlite3_prepare_v2(x->db, "SELECT kind, idx, offset "
		    "FROM item WHERE item = ?1 AND (?2 = 0 OR kind = ?2) "
		    "UNION SELECT kind, idx, offset FROM pending "
		    "WHERE item = ?1 AND (?2 = 0 OR kind = ?2) "
		    "ORDER BY idx, kind", -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(s, 1, item, -1, SQLITE_STATIC);
			sqlite3_bind_int(s, 2, kind);
		}
	}
	if (rc != SQLITE_OK) {
		unlock(lg);
		return db_fail(x, d, "cannot look up");
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && r == 0)
		r = fn(ctx, sqlite3_column_int(s, 0),
		    (uint64_t)sqlite3_column_int64(s, 1),
		    (uint64_t)sqlite3_column_int64(s, 2));
	if (r == 0 && rc != SQLITE_DONE)
		r = db_fail(x, d, "cannot look up");
	sqlite3_finalize(s);
	unlock(lg);
	return r < 0 ? -1 : 0;
}
