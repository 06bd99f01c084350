/*
 * ledger_keys: the duplicate table of a ledger's sidecar index
 * (dscsa-ledger(5) "INDEX"), LEDGER.idx.keys: an open-addressing hash
 * table of every entry's 16-byte dedupe key (invariant 7 of ledger.c),
 * mapped into memory, so that an append refuses duplicates by touching one
 * slot per event instead of a SQLite B-tree with random keys, whose pages
 * (about 580 for 1,000 events at 100,000 entries) are read, written to the
 * WAL and checkpointed again by every append.
 *
 * Layout (big-endian, a local cache, not part of the ledger format): a
 * 4096-byte header, then `nslots` (a power of two) 32-byte slots of
 *	key[16] | u64 entry index + 1 (0: empty) | u64 record offset
 * A key's first slot is its first 8 bytes modulo nslots; linear probing.
 *
 * Like the SQLite index it is a cache, checked against the file and never
 * trusted beyond that:
 *  K1. It is read and written only under the ledger's LOCK_EX (I1).
 *  K2. Its header names the last seal it covers (offset, end, size, root,
 *      chain head) and has a CRC-32C.  Before use that seal is read from
 *      the ledger and compared; any mismatch, a bad header or a missing
 *      file: the table is rebuilt from the ledger.  What follows the
 *      covered seal is added (catch-up), with framing, checksums, entry
 *      numbers and the chain checked, entries only once their seal is read.
 *  K3. An append adds its keys after the ledger is fsync(2)ed.  The header's
 *      covered seal moves only right after an msync(2) of the whole table,
 *      and that is done at most every KEYS_SYNC_EVERY entries and when the
 *      handle is closed (under LOCK_EX, if nobody appended since): a
 *      process appending many batches does not write back and re-fault
 *      the same random pages for every batch.  Until then the header
 *      covers an older seal, which is still true of the table; a crash,
 *      or another appender in between, leaves keys of entries the header
 *      does not cover: the next catch-up finds them in place (same entry)
 *      and moves on.  The catch-up counts such a reused slot as newly
 *      used, an overcount (K5 rehashes early, and recounts), never an
 *      undercount that could fill the table.
 *  K4. A slot may be stale: its entry was cut off by recovery, or a
 *      crashed append never sealed it.  So a slot counts only if its entry
 *      index is below the sealed size, and every hit is confirmed by
 *      reading that entry from the ledger and comparing its hash id's key.
 *      A stale slot with the key being added is reused.
 *  K5. The load stays at most one half: before adding, the table is
 *      rehashed into a table twice the size (a new file renamed over the
 *      old, stale slots dropped).
 *  K6. verify never reads it (I6): a forged table can at worst let an
 *      append write a duplicate, which verify reports.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "diag.h"
#include "ledger.h"
#include "ledger_int.h"
#include "mem.h"
#include "merkle.h"
#include "sig.h"

#define KEYS_MAGIC	"DSLKEYS\n"
#define KEYS_VERSION	1
#define KEYS_HDR	4096
#define KEYS_SLOT	32
#define KEYS_MIN	4096		/* slots of a new table */
#define KEYS_HDR_CRC	120		/* the CRC covers bytes 0..119 */
/*
 * K3: entries between syncs.  Every sync write-protects the table's pages
 * again, and the next key in each page faults (perf, one process, 100
 * documents of 1,000: put_slot 4.3% of samples at 16384, 2.8% at 65536);
 * a crash costs a catch-up over at most this many entries.
 */
#define KEYS_SYNC_EVERY	65536

struct ld_keys {
	char		*path;
	int		 fd;
	uint8_t		*map;		/* header and slots */
	size_t		 map_len;
	uint64_t	 nslots, nkeys;
	/* the covered seal (K2); entries == 0: nothing covered */
	uint64_t	 end, entries, seal_offset;
	uint8_t		 root[32], chain[32];
	bool		 valid;		/* checked, covers lg->end */
	uint64_t	 unsynced;	/* K3: keys added since the last sync */
};

static int
keys_fail(struct ld_keys *k, struct diag *d, const char *what)
{
	return diag_system(d, "%s: %s", k->path, what);
}

static void
unmap(struct ld_keys *k)
{
	if (k->map != NULL)
		munmap(k->map, k->map_len);
	k->map = NULL;
	k->map_len = 0;
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	k->valid = false;
}

int
ld_keys_new(struct ld_keys **out, const char *index_path, struct diag *d)
{
	struct ld_keys *k;
	size_t n = strlen(index_path);

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->path = malloc(n + 6)) == NULL) {
		free(k);
		return diag_system(d, "out of memory");
	}
	memcpy(k->path, index_path, n);
	memcpy(k->path + n, ".keys", 6);
	k->fd = -1;
	*out = k;
	return 0;
}

void
ld_keys_free(struct ld_keys *k)
{
	if (k == NULL)
		return;
	unmap(k);
	free(k->path);
	free(k);
}

static void
put_header(struct ld_keys *k)
{
	uint8_t *h = k->map;

	memset(h, 0, KEYS_HDR_CRC + 4);
	memcpy(h, KEYS_MAGIC, 8);
	ld_put32(h + 8, KEYS_VERSION);
	ld_put64(h + 16, k->nslots);
	ld_put64(h + 24, k->nkeys);
	ld_put64(h + 32, k->end);
	ld_put64(h + 40, k->entries);
	ld_put64(h + 48, k->seal_offset);
	memcpy(h + 56, k->root, 32);
	memcpy(h + 88, k->chain, 32);
	ld_put32(h + KEYS_HDR_CRC, ledger_crc32c(0, h, KEYS_HDR_CRC));
}

/* Read the header of the mapped file; false if it is not a good one. */
static bool
get_header(struct ld_keys *k, uint64_t file_size)
{
	const uint8_t *h = k->map;

	if (memcmp(h, KEYS_MAGIC, 8) != 0 || ld_get32(h + 8) != KEYS_VERSION ||
	    ld_get32(h + KEYS_HDR_CRC) != ledger_crc32c(0, h, KEYS_HDR_CRC))
		return false;
	k->nslots = ld_get64(h + 16);
	k->nkeys = ld_get64(h + 24);
	k->end = ld_get64(h + 32);
	k->entries = ld_get64(h + 40);
	k->seal_offset = ld_get64(h + 48);
	memcpy(k->root, h + 56, 32);
	memcpy(k->chain, h + 88, 32);
	return k->nslots >= 2 && (k->nslots & (k->nslots - 1)) == 0 &&
	    k->nslots <= (UINT64_MAX - KEYS_HDR) / KEYS_SLOT &&
	    file_size == KEYS_HDR + k->nslots * KEYS_SLOT &&
	    k->nkeys < k->nslots && (k->entries == 0) == (k->end == 0);
}

static int
zero_fill(int fd, size_t len)
{
	static const uint8_t zero[65536];

	for (size_t off = 0; off < len; ) {
		size_t n = len - off < sizeof(zero) ? len - off : sizeof(zero);
		ssize_t w = pwrite(fd, zero, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Create an empty table of `nslots` at `path` (replacing it), mapped. */
static int
create_table(struct ld_keys *k, const char *path, uint64_t nslots,
    struct diag *d)
{
	unmap(k);
	if (unlink(path) != 0 && errno != ENOENT)
		return diag_system(d, "%s: cannot remove", path);
	k->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (k->fd < 0)
		return diag_system(d, "%s: cannot create", path);
	k->map_len = (size_t)(KEYS_HDR + nslots * KEYS_SLOT);
	/*
	 * Written out, not a sparse ftruncate: the first store into each page
	 * of a hole makes the file system allocate its block inside the page
	 * fault, which cost an append more than the lookups.
	 */
	if (zero_fill(k->fd, k->map_len) != 0) {
		diag_system(d, "%s: cannot write", path);
		unmap(k);
		return -1;
	}
	k->map = mmap(NULL, k->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    k->fd, 0);
	if (k->map == MAP_FAILED) {
		k->map = NULL;
		diag_system(d, "%s: cannot map", path);
		unmap(k);
		return -1;
	}
	k->nslots = nslots;
	k->nkeys = 0;
	k->end = k->entries = k->seal_offset = 0;
	memset(k->root, 0, 32);
	memset(k->chain, 0, 32);
	put_header(k);
	return 0;
}

/* Open and map the existing file; 0, 1 (not usable: why), -1 error. */
static int
open_table(struct ld_keys *k, const char **why, struct diag *d)
{
	struct stat st;

	unmap(k);
	*why = "is missing";
	if ((k->fd = open(k->path, O_RDWR | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 1 : keys_fail(k, d, "cannot open");
	*why = "has a bad header";
	if (fstat(k->fd, &st) != 0)
		return keys_fail(k, d, "cannot stat");
	if (!S_ISREG(st.st_mode) || st.st_size < KEYS_HDR)
		return 1;
	k->map_len = (size_t)st.st_size;
	k->map = mmap(NULL, k->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    k->fd, 0);
	if (k->map == MAP_FAILED) {
		k->map = NULL;
		return keys_fail(k, d, "cannot map");
	}
	return get_header(k, (uint64_t)st.st_size) ? 0 : 1;
}

static uint8_t *
slot(const struct ld_keys *k, uint64_t i)
{
	return k->map + KEYS_HDR + i * KEYS_SLOT;
}

static uint64_t
first_slot(const struct ld_keys *k, const uint8_t key[16])
{
	return ld_get64(key) & (k->nslots - 1);
}

void
ld_keys_prefetch(const struct ld_keys *k, const uint8_t key[16])
{
	if (k->map != NULL && k->nslots != 0)
		DSCSA_PREFETCH(slot(k, first_slot(k, key)));
}

/*
 * K4: is entry `index` at `offset` in the ledger, with this key?  1 yes,
 * 0 no, -1 error.
 */
static int
confirm(struct ledger *lg, const uint8_t key[16], uint64_t index,
    uint64_t offset, struct diag *d)
{
	struct ld_rd rd;
	struct ld_rec rec;
	struct ledger_entry e;
	struct diag pd = DIAG_INIT;
	struct stat st;
	uint8_t got[16];
	const char *why;
	int rc;

	if (fstat(lg->fd, &st) != 0)
		return diag_system(d, "%s: cannot stat", lg->path);
	if (ld_rd_init(&rd, lg->fd, (uint64_t)st.st_size, d) != 0)
		return -1;
	rd.ahead = false;
	rc = ld_read_record(&rd, offset, &rec, &why, d);
	if (rc == LD_ERR) {
		ld_rd_free(&rd);
		return -1;
	}
	rc = rc == LD_OK && rec.type == LEDGER_REC_ENTRY &&
	    ledger_parse_entry(&e, rec.leaf, rec.leaf_len, &pd) == 0 &&
	    e.index == index;
	if (rc) {
		ld_dup_key(lg->h, e.hash_id, e.hash_id_len, got);
		rc = memcmp(got, key, 16) == 0;
	}
	ld_rd_free(&rd);
	return rc;
}

/*
 * Look `key` up among entries below `limit` (K4).  1 found (*index,
 * *offset), 0 not, -1 error.  *reuse gets the slot to add it in.
 */
static int
find(struct ld_keys *k, struct ledger *lg, const uint8_t key[16],
    uint64_t limit, uint64_t *index, uint64_t *offset, uint64_t *reuse,
    struct diag *d)
{
	uint64_t i = first_slot(k, key), stale = UINT64_MAX;

	for (uint64_t n = 0; n < k->nslots; n++, i = (i + 1) & (k->nslots - 1)) {
		const uint8_t *s = slot(k, i);
		uint64_t i1 = ld_get64(s + 16);
		int rc;

		if (i1 == 0) {
			*reuse = stale != UINT64_MAX ? stale : i;
			return 0;
		}
		if (memcmp(s, key, 16) != 0)
			continue;
		if (i1 - 1 < limit) {
			rc = confirm(lg, key, i1 - 1, ld_get64(s + 24), d);
			if (rc != 0) {
				if (rc > 0) {
					*index = i1 - 1;
					*offset = ld_get64(s + 24);
				}
				return rc;
			}
		}
		if (stale == UINT64_MAX)
			stale = i;	/* K4: reuse it */
	}
	if (stale != UINT64_MAX) {
		*reuse = stale;
		return 0;
	}
	errno = 0;
	return diag_system(d, "%s: table full", k->path);
}

int
ld_keys_find(struct ld_keys *k, struct ledger *lg, const uint8_t key[16],
    uint64_t *index, uint64_t *offset, struct diag *d)
{
	uint64_t reuse;

	return find(k, lg, key, lg->last.size, index, offset, &reuse, d);
}

/* Put key in slot `at`; `recount`: count it as newly used anyway (K3). */
static void
put_slot(struct ld_keys *k, uint64_t at, const uint8_t key[16],
    uint64_t index, uint64_t offset, bool recount)
{
	uint8_t *s = slot(k, at);

	if (recount || ld_get64(s + 16) == 0)
		k->nkeys++;
	memcpy(s, key, 16);
	ld_put64(s + 16, index + 1);
	ld_put64(s + 24, offset);
}

/*
 * K5: make room for `n` more keys, rehashing the live slots (entry index
 * below `limit`) into a table twice the size.
 */
static int
reserve(struct ld_keys *k, uint64_t n, uint64_t limit, struct diag *d)
{
	struct ld_keys nk;
	uint64_t want = k->nslots;
	char *tmp;
	size_t plen = strlen(k->path);
	int rc = -1;

	if ((k->nkeys + n) * 2 <= k->nslots)
		return 0;
	while ((k->nkeys + n) * 2 > want)
		want *= 2;
	memset(&nk, 0, sizeof(nk));
	nk.fd = -1;
	if ((tmp = malloc(plen + 5)) == NULL)
		return diag_system(d, "out of memory");
	memcpy(tmp, k->path, plen);
	memcpy(tmp + plen, ".new", 5);
	nk.path = tmp;
	if (create_table(&nk, tmp, want, d) != 0)
		goto out;
	for (uint64_t i = 0; i < k->nslots; i++) {
		const uint8_t *s = slot(k, i);
		uint64_t i1 = ld_get64(s + 16), j;

		if (i1 == 0 || i1 - 1 >= limit)
			continue;
		for (j = first_slot(&nk, s); ld_get64(slot(&nk, j) + 16) != 0;
		    j = (j + 1) & (nk.nslots - 1))
			;
		put_slot(&nk, j, s, i1 - 1, ld_get64(s + 24), false);
	}
	nk.end = k->end;
	nk.entries = k->entries;
	nk.seal_offset = k->seal_offset;
	memcpy(nk.root, k->root, 32);
	memcpy(nk.chain, k->chain, 32);
	put_header(&nk);
	if (msync(nk.map, nk.map_len, MS_SYNC) != 0) {
		diag_system(d, "%s: cannot sync", tmp);
		goto out;
	}
	if (rename(tmp, k->path) != 0) {
		diag_system(d, "%s: cannot rename", tmp);
		goto out;
	}
	unmap(k);
	k->fd = nk.fd;
	k->map = nk.map;
	k->map_len = nk.map_len;
	k->nslots = nk.nslots;
	k->nkeys = nk.nkeys;
	k->unsynced = 0;
	nk.fd = -1;
	nk.map = NULL;
	rc = 0;
out:
	if (rc != 0) {
		unmap(&nk);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int
ld_keys_reserve(struct ld_keys *k, uint64_t limit, uint64_t n,
    struct diag *d)
{
	return reserve(k, n, limit, d);
}

int
ld_keys_add(struct ld_keys *k, struct ledger *lg, const uint8_t key[16],
    uint64_t index, uint64_t offset, struct diag *d)
{
	uint64_t at, got, goff;
	int rc;

	/* the entries being added count as live (limit index + 1) */
	rc = find(k, lg, key, index, &got, &goff, &at, d);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		errno = 0;
		return diag_system(d, "%s: key of entry %llu already there",
		    k->path, (unsigned long long)index);
	}
	put_slot(k, at, key, index, offset, false);
	k->unsynced++;
	return 0;
}

static void
cover(struct ld_keys *k, const struct ledger_seal *s)
{
	k->end = s->end;
	k->entries = s->size;
	k->seal_offset = s->offset;
	memcpy(k->root, s->root, 32);
	memcpy(k->chain, s->chain, 32);
}

/* K3: the keys are on disk before the header says they are there. */
static int
write_cover(struct ld_keys *k, struct diag *d)
{
	if (msync(k->map, k->map_len, MS_SYNC) != 0)
		return keys_fail(k, d, "cannot sync");
	put_header(k);
	k->unsynced = 0;
	return 0;
}

int
ld_keys_commit(struct ld_keys *k, const struct ledger_seal *s,
    struct diag *d)
{
	cover(k, s);
	if (k->unsynced >= KEYS_SYNC_EVERY && write_cover(k, d) != 0)
		return -1;
	k->valid = true;
	return 0;
}

bool
ld_keys_dirty(const struct ld_keys *k)
{
	return k != NULL && k->map != NULL && k->valid && k->unsynced > 0;
}

void
ld_keys_flush(struct ld_keys *k, uint64_t file_size)
{
	struct diag ignored = DIAG_INIT;

	/* someone else appended since: their catch-up covered our keys */
	if (k == NULL || k->map == NULL || !k->valid || k->unsynced == 0 ||
	    k->end != file_size)
		return;
	(void)write_cover(k, &ignored);
}

/*
 * K2: does the header describe this file?  0 yes, 1 no (why), -1 error.
 */
static int
check_cover(struct ld_keys *k, struct ld_rd *rd, const char **why,
    struct diag *d)
{
	struct ld_rec rec;
	struct ledger_seal s;
	struct diag pd = DIAG_INIT;
	const char *rwhy;
	int rc;

	if (k->entries == 0)
		return 0;
	*why = "does not match the ledger at its last seal";
	if (k->end > rd->size || k->seal_offset >= k->end)
		return 1;
	if ((rc = ld_read_record(rd, k->seal_offset, &rec, &rwhy, d)) ==
	    LD_ERR)
		return -1;
	if (rc != LD_OK || rec.type != LEDGER_REC_SEAL ||
	    ld_parse_seal(&s, &rec, &pd) != 0 || s.end != k->end ||
	    s.size != k->entries || memcmp(s.root, k->root, 32) != 0 ||
	    memcmp(s.chain, k->chain, 32) != 0)
		return 1;
	return 0;
}

/* One pending key of the catch-up: added when its seal is read. */
struct pend {
	uint8_t		key[16];
	uint64_t	offset;
};

/*
 * K2: add what the ledger holds after the covered seal.  0, -1 error, -2
 * the ledger is damaged or torn (what was sealed before is kept).
 */
static int
catch_up(struct ld_keys *k, struct ledger *lg, struct ld_rd *rd,
    uint64_t *caught_up, struct diag *d)
{
	struct pend *p = NULL, *q;
	size_t np = 0, cap = 0;
	uint64_t off = k->end, n = k->entries;
	uint8_t chain[32];
	struct diag pd = DIAG_INIT;
	const char *why;
	int rc = -1, r;

	memcpy(chain, k->chain, 32);
	if (off == 0) {
		const uint8_t *m;
		struct ld_rec rec;
		bool sh;

		if (rd->size == 0)
			return 0;
		if ((m = ld_rd_get(rd, 0, LEDGER_MAGIC_LEN, &sh, d)) == NULL &&
		    !sh)
			return -1;
		if (m == NULL)
			goto torn;
		if (memcmp(m, LEDGER_MAGIC, LEDGER_MAGIC_LEN) != 0) {
			diag_input(d, "%s: offset 0: bad magic", lg->path);
			return -2;
		}
		r = ld_read_record(rd, LEDGER_MAGIC_LEN, &rec, &why, d);
		if (r == LD_ERR)
			return -1;
		if (r != LD_OK)
			goto torn;
		off = rec.end;
	}
	while (off < rd->size) {
		struct ld_rec rec;
		struct ledger_entry e;
		struct ledger_seal s;

		r = ld_read_record(rd, off, &rec, &why, d);
		if (r == LD_ERR)
			goto out;
		if (r == LD_SHORT || r == LD_EOF)
			break;
		if (r == LD_BAD) {
			diag_input(d, "offset %llu: %s: run dscsa-ledger verify",
			    (unsigned long long)off, why);
			rc = -2;
			goto out;
		}
		if (rec.type == LEDGER_REC_ENTRY) {
			if (ledger_parse_entry(&e, rec.leaf, rec.leaf_len,
			    &pd) != 0 || e.index != n + np ||
			    memcmp(e.prev, chain, 32) != 0) {
				diag_input(d, "offset %llu (entry %llu): entry "
				    "number or hash chain broken: run "
				    "dscsa-ledger verify",
				    (unsigned long long)off,
				    (unsigned long long)(n + np));
				rc = -2;
				goto out;
			}
			if ((q = mem_grow(p, &cap, np + 1, sizeof(*q),
			    1024)) == NULL) {
				diag_system(d, "out of memory");
				goto out;
			}
			p = q;
			merkle_leaf_hash(lg->h, e.leaf, e.leaf_len, chain);
			ld_dup_key(lg->h, e.hash_id, e.hash_id_len, p[np].key);
			p[np].offset = off;
			np++;
		} else if (rec.type == LEDGER_REC_SEAL) {
			if (ld_parse_seal(&s, &rec, &pd) != 0 ||
			    s.size != n + np || np == 0 ||
			    memcmp(s.chain, chain, 32) != 0) {
				diag_input(d, "offset %llu: seal does not match "
				    "the entries before it: run dscsa-ledger "
				    "verify", (unsigned long long)off);
				rc = -2;
				goto out;
			}
			if (reserve(k, np, n, d) != 0)
				goto out;
			for (size_t i = 0; i < np; i++) {
				uint64_t at, got, goff;

				r = find(k, lg, p[i].key, n + i, &got, &goff,
				    &at, d);
				if (r < 0)
					goto out;
				if (r == 1) {
					diag_verify(d, "offset %llu (entry "
					    "%llu): its event is already entry "
					    "%llu (invariant 7): run "
					    "dscsa-ledger verify",
					    (unsigned long long)p[i].offset,
					    (unsigned long long)(n + i),
					    (unsigned long long)got);
					rc = -2;
					goto out;
				}
				put_slot(k, at, p[i].key, n + i, p[i].offset,
				    true);
			}
			n += np;
			*caught_up += np;
			np = 0;
			cover(k, &s);
		} else {
			diag_input(d, "offset %llu: unknown record type %u",
			    (unsigned long long)off, rec.type);
			rc = -2;
			goto out;
		}
		off = rec.end;
	}
	rc = k->end == rd->size ? 0 : -3;
out:
	free(p);
	/* keep what was sealed before any damage */
	if (rc != -1 && *caught_up > 0 && write_cover(k, d) != 0)
		rc = -1;
	if (rc != -3)
		return rc;
torn:
	diag_input(d, "torn tail after the last seal at offset %llu (%zu "
	    "unsealed entries): run dscsa-ledger recover",
	    (unsigned long long)k->end, np);
	return -2;
}

int
ld_keys_sync(struct ld_keys *k, struct ledger *lg, bool force,
    const char **rebuilt, uint64_t *caught_up, struct diag *d)
{
	struct ld_rd rd;
	struct stat st;
	const char *why = NULL;
	int rc;

	*rebuilt = NULL;
	*caught_up = 0;
	if (fstat(lg->fd, &st) != 0)
		return diag_system(d, "%s: cannot stat", lg->path);
	if (!force && k->valid && k->end == (uint64_t)st.st_size)
		return 0;
	k->valid = false;
	if (ld_rd_init(&rd, lg->fd, (uint64_t)st.st_size, d) != 0)
		return -1;
	rd.ahead = false;	/* K2 reads one record: O(1) in the size */
	if (force)
		why = "asked for";
	else if ((rc = open_table(k, &why, d)) < 0)
		goto fail;
	else if (rc == 0 && (rc = check_cover(k, &rd, &why, d)) < 0)
		goto fail;
	else if (rc == 0)
		why = NULL;
	if (why != NULL) {
		uint64_t n = KEYS_MIN;

		/* room for the entries the file can hold, at half load */
		while (n < (uint64_t)st.st_size / 256)
			n *= 2;
		*rebuilt = why;
		if (create_table(k, k->path, n, d) != 0)
			goto fail;
	}
	rd.ahead = true;
	rc = catch_up(k, lg, &rd, caught_up, d);
	ld_rd_free(&rd);
	if (rc != 0)
		return rc;
	k->valid = true;
	return 0;
fail:
	ld_rd_free(&rd);
	unmap(k);
	return -1;
}
