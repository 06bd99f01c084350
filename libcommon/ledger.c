/*
 * ledger: the ledger file of dscsa-ledger(5): framing, checksums, the hash
 * chain, seals, locking, durability, verification and recovery.  Proofs
 * and checkpoints are in ledger_proof.c.
 *
 * A file is the 8-byte magic, then records.  A record is
 *	u32 len | u8 type | u8 flags | body[len - 2] | u32 crc32c | u32 len
 * (big-endian), the CRC-32C covering len, type, flags and body.  The first
 * record is the header (version, origin); then entries and seals.  An
 * entry's type, flags and body are its RFC 6962 leaf; its leaf hash is
 * SHA-256(0x00 || leaf) and its body holds the leaf hash of the entry
 * before it, so each entry's hash covers the previous one.  A seal holds
 * the entry count, the RFC 6962 root, the chain head, the signer's key, an
 * Ed25519 signature over the C2SP checkpoint text, and the Merkle frontier
 * (so that an appender need not rehash the file).
 *
 * Invariants (tests and comments refer to them by number):
 *  1. Nothing before the last seal is ever rewritten; an append only adds
 *     bytes after it, and a failed append truncates back to it.
 *  2. An append writes all its records in order after the last seal,
 *     ending in exactly one seal, and fsync(2)s before success is
 *     reported; a new file's directory is fsync(2)ed too.
 *  3. At most one appender at a time: flock(2) LOCK_EX on the file for the
 *     whole append, including reading the state it extends.
 *  4. Readers take no lock and trust only records up to the last complete
 *     seal; bytes after it are a torn tail if no writer holds the lock
 *     (checked with a non-blocking LOCK_SH), an append in progress if one
 *     does.
 *  5. Entry i has index i and prev = leaf hash of entry i - 1 (32 zero
 *     bytes for entry 0); a seal of size n has root = MTH(entries 0..n-1),
 *     chain = leaf hash of entry n - 1, and n greater than the previous
 *     seal's size.
 *  6. All entries between two seals carry the key of the later seal: the
 *     signature authenticates its submitter.
 *  7. Hash ids are unique in a ledger.
 *  8. Recovery removes only bytes after the last valid seal, and refuses
 *     when damage is followed by a valid seal (not a torn tail).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "keyring.h"
#include "ledger.h"
#include "ledger_int.h"
#include "mem.h"
#include "merkle.h"
#include "sig.h"

/* ---- byte order helpers ---- */

void
ld_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
ld_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
ld_put64(uint8_t *p, uint64_t v)
{
	ld_put32(p, (uint32_t)(v >> 32));
	ld_put32(p + 4, (uint32_t)v);
}

uint16_t
ld_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
ld_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
ld_get64(const uint8_t *p)
{
	return (uint64_t)ld_get32(p) << 32 | ld_get32(p + 4);
}

/* ---- CRC-32C ---- */

static uint32_t
crc32c_soft(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("sse4.2"))) static uint32_t
crc32c_hw(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = crc;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c = __builtin_ia32_crc32di(c, w);
		p += 8;
		len -= 8;
	}
	crc = (uint32_t)c;
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}
#endif

uint32_t
ledger_crc32c(uint32_t crc, const void *p, size_t len)
{
	crc = ~crc;
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("sse4.2"))
		return ~crc32c_hw(crc, p, len);
#endif
	return ~crc32c_soft(crc, p, len);
}

/* ---- reading ---- */

#define RD_CHUNK	(1u << 20)

int
ld_rd_init(struct ld_rd *r, int fd, uint64_t size, struct diag *d)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->size = size;
	r->ahead = true;
	r->cap = RD_CHUNK;
	if ((r->buf = malloc(r->cap)) == NULL)
		return diag_system(d, "out of memory");
	return 0;
}

void
ld_rd_free(struct ld_rd *r)
{
	free(r->buf);
	r->buf = NULL;
}

/*
 * Make bytes [off, off + len) available; returns a pointer to them, or NULL
 * with *short_read set if the file ends first, or NULL with `d` filled on
 * an I/O error.
 */
const uint8_t *
ld_rd_get(struct ld_rd *r, uint64_t off, size_t len, bool *short_read,
    struct diag *d)
{
	size_t have = 0;

	*short_read = false;
	if (off > r->size || len > r->size - off) {
		*short_read = true;
		return NULL;
	}
	if (off >= r->off && off + len <= r->off + r->len)
		return r->buf + (off - r->off);
	if (len > r->cap) {
		size_t ncap = len + RD_CHUNK;
		uint8_t *nb = malloc(ncap);

		if (nb == NULL) {
			diag_system(d, "out of memory");
			return NULL;
		}
		free(r->buf);
		r->buf = nb;
		r->cap = ncap;
	}
	r->off = off;
	r->len = 0;
	while (have < len || (r->ahead && have < r->cap &&
	    off + have < r->size && have < RD_CHUNK)) {
		size_t want = (r->ahead ? r->cap : len) - have;
		ssize_t n;

		if (want > r->size - off - have)
			want = (size_t)(r->size - off - have);
		if (want == 0)
			break;
		n = pread(r->fd, r->buf + have, want, (off_t)(off + have));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diag_system(d, "cannot read");
			return NULL;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	r->len = have;
	if (have < len) {
		*short_read = true;	/* the file shrank under us */
		return NULL;
	}
	return r->buf;
}

/*
 * Read the record at `off`.  Returns LD_OK, LD_EOF (off == size), LD_SHORT
 * (the file ends inside it), LD_BAD (framing or checksum; `why` says) or
 * LD_ERR (I/O, in d).
 */
int
ld_read_record(struct ld_rd *r, uint64_t off, struct ld_rec *rec,
    const char **why, struct diag *d)
{
	const uint8_t *p;
	bool sh;
	uint32_t len;

	*why = NULL;
	if (off == r->size)
		return LD_EOF;
	if ((p = ld_rd_get(r, off, 4, &sh, d)) == NULL)
		return sh ? LD_SHORT : LD_ERR;
	len = ld_get32(p);
	if (len < 2 || len > LEDGER_RECORD_MAX) {
		*why = "bad record length";
		return LD_BAD;
	}
	if ((p = ld_rd_get(r, off, (size_t)len + 12, &sh, d)) == NULL)
		return sh ? LD_SHORT : LD_ERR;
	if (ledger_crc32c(0, p, (size_t)len + 4) != ld_get32(p + 4 + len)) {
		*why = "record checksum mismatch";
		return LD_BAD;
	}
	if (ld_get32(p + 8 + len) != len) {
		*why = "record trailer does not repeat its length";
		return LD_BAD;
	}
	rec->off = off;
	rec->type = p[4];
	rec->flags = p[5];
	rec->leaf = p + 4;
	rec->leaf_len = len;
	rec->body = p + 6;
	rec->body_len = len - 2;
	rec->end = off + len + 12;
	return LD_OK;
}

/* ---- entry and seal bodies ---- */

int
ledger_parse_entry(struct ledger_entry *e, const uint8_t *leaf, size_t len,
    struct diag *d)
{
	const uint8_t *b = leaf + 2;
	size_t n, pos;

	memset(e, 0, sizeof(*e));
	if (len < 2 || leaf[0] != LEDGER_REC_ENTRY)
		return diag_input(d, "not an entry");
	if (leaf[1] != 0)
		return diag_input(d, "entry has reserved flags set (0x%02x)",
		    leaf[1]);
	n = len - 2;
	/* index, time, prev, key id, key name length */
	if (n < 8 + 8 + 32 + 4 + 1)
		return diag_input(d, "entry too short");
	e->index = ld_get64(b);
	e->time_ms = ld_get64(b + 8);
	memcpy(e->prev, b + 16, 32);
	e->key_id = ld_get32(b + 48);
	e->key_name_len = b[52];
	pos = 53;
	if (e->key_name_len == 0 || n - pos < e->key_name_len + 1 + 2)
		return diag_input(d, "entry key name cut short");
	e->key_name = (const char *)b + pos;
	if (!sig_name_valid(e->key_name, e->key_name_len))
		return diag_input(d, "entry key name is not a valid key name");
	pos += e->key_name_len;
	e->content_type = b[pos++];
	if (e->content_type != LEDGER_CONTENT_EPCIS)
		return diag_input(d, "unknown entry content type %u",
		    e->content_type);
	e->hash_id_len = ld_get16(b + pos);
	pos += 2;
	if (e->hash_id_len == 0 || e->hash_id_len > LEDGER_HASH_ID_MAX ||
	    n - pos < e->hash_id_len + 4)
		return diag_input(d, "entry hash id cut short");
	e->hash_id = (const char *)b + pos;
	for (size_t i = 0; i < e->hash_id_len; i++)
		if ((unsigned char)e->hash_id[i] <= 0x20 ||
		    (unsigned char)e->hash_id[i] >= 0x7f)
			return diag_input(d, "entry hash id is not printable "
			    "ASCII");
	pos += e->hash_id_len;
	e->content_len = ld_get32(b + pos);
	pos += 4;
	if (n - pos != e->content_len)
		return diag_input(d, "entry content length does not match the "
		    "record");
	e->content = b + pos;
	e->leaf = leaf;
	e->leaf_len = len;
	return 0;
}

/*
 * The fields of an entry this process just wrote (put_entry): the layout
 * of ledger_parse_entry without its checks, which append would pay twice
 * more an entry (once here, once for the index) for bytes it made.
 */
void
ld_entry_fields(struct ledger_entry *e, const uint8_t *leaf, size_t len)
{
	const uint8_t *b = leaf + 2;
	size_t pos;

	memset(e, 0, sizeof(*e));
	e->index = ld_get64(b);
	e->time_ms = ld_get64(b + 8);
	memcpy(e->prev, b + 16, 32);
	e->key_id = ld_get32(b + 48);
	e->key_name_len = b[52];
	e->key_name = (const char *)b + 53;
	pos = 53 + e->key_name_len;
	e->content_type = b[pos++];
	e->hash_id_len = ld_get16(b + pos);
	e->hash_id = (const char *)b + pos + 2;
	pos += 2 + e->hash_id_len;
	e->content_len = ld_get32(b + pos);
	e->content = b + pos + 4;
	e->leaf = leaf;
	e->leaf_len = len;
}

int
ld_parse_seal(struct ledger_seal *s, const struct ld_rec *rec, struct diag *d)
{
	const uint8_t *b = rec->body;
	size_t n = rec->body_len, pos, nf;

	memset(s, 0, sizeof(*s));
	if (rec->flags != 0)
		return diag_input(d, "seal has reserved flags set (0x%02x)",
		    rec->flags);
	if (n < 8 + 32 + 32 + 1)
		return diag_input(d, "seal too short");
	s->size = ld_get64(b);
	memcpy(s->root, b + 8, 32);
	memcpy(s->chain, b + 40, 32);
	s->key.name_len = b[72];
	pos = 73;
	if (s->key.name_len == 0 || n - pos < s->key.name_len + 4 + 32 + 64 + 1)
		return diag_input(d, "seal key cut short");
	memcpy(s->key.name, b + pos, s->key.name_len);
	s->key.name[s->key.name_len] = '\0';
	if (!sig_name_valid(s->key.name, s->key.name_len))
		return diag_input(d, "seal key name is not a valid key name");
	pos += s->key.name_len;
	s->key.id = ld_get32(b + pos);
	pos += 4;
	s->key.type = SIG_TYPE_ED25519;
	memcpy(s->key.pub, b + pos, 32);
	pos += 32;
	memcpy(s->sig, b + pos, 64);
	pos += 64;
	nf = b[pos++];
	if (nf > MERKLE_FRONTIER_MAX || n - pos != nf * 32)
		return diag_input(d, "seal frontier length does not match the "
		    "record");
	s->frontier.size = s->size;
	s->frontier.n = nf;
	for (size_t i = 0; i < nf; i++)
		memcpy(s->frontier.hash[i], b + pos + 32 * i, 32);
	if (!merkle_frontier_valid(&s->frontier))
		return diag_input(d, "seal frontier has %zu hashes, size %llu "
		    "needs %u", nf, (unsigned long long)s->size,
		    merkle_frontier_len(s->size));
	s->offset = rec->off;
	s->end = rec->end;
	return 0;
}

size_t
ld_seal_text(const char *origin, size_t origin_len, uint64_t size,
    const uint8_t root[32], const uint8_t chain[32], char *buf, size_t cap)
{
	char ext[64], enc[48];
	int n;

	sig_base64_encode(chain, 32, enc, sizeof(enc));
	n = snprintf(ext, sizeof(ext), "dscsa-chain %s\n", enc);
	if (n < 0 || (size_t)n >= sizeof(ext))
		return (size_t)-1;
	return sig_checkpoint_format(origin, origin_len, size, root, ext,
	    (size_t)n, buf, cap);
}

/* ---- the dedupe set (invariant 7) ---- */

/*
 * Lower-case hex digit values + 1, 0 for any other byte: a table, because
 * the digits of a hash are random and a branch on '9' < c mispredicts
 * every other time (perf: 3.5% of an append, for 96 digits an event).
 */
static const uint8_t hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/*
 * The dedupe key of a hash id: 16 bytes.  A CBV 2.0 hash id
 * "ni:///sha-256;<64 hex>?ver=CBV2.0" (CBV 2.0 section 8.9) already holds
 * a SHA-256, so its first half is the key; any other string is hashed.
 * (The two kinds cannot collide but with SHA-256 itself.)
 */
void
ld_dup_key(struct sig_hasher *h, const char *id, size_t len, uint8_t key[16])
{
	static const char pre[] = "ni:///sha-256;", post[] = "?ver=CBV2.0";
	uint8_t full[32];

	if (len == sizeof(pre) - 1 + 64 + sizeof(post) - 1 &&
	    memcmp(id, pre, sizeof(pre) - 1) == 0 &&
	    memcmp(id + len - (sizeof(post) - 1), post, sizeof(post) - 1) == 0) {
		const unsigned char *x = (const unsigned char *)id +
		    sizeof(pre) - 1;
		unsigned bad = 0;

		for (int i = 0; i < 16; i++) {
			unsigned a = hex1[x[2 * i]], b = hex1[x[2 * i + 1]];

			bad |= (a == 0) | (b == 0);
			key[i] = (uint8_t)((a - 1) << 4 | ((b - 1) & 0xf));
		}
		for (int i = 32; i < 64; i++)
			bad |= hex1[x[i]] == 0;
		if (!bad)
			return;
	}

	sig_hash_init(h);
	sig_hash_update(h, id, len);
	sig_hash_final(h, full);
	memcpy(key, full, 16);
}

static uint64_t
dup_slot(const uint8_t key[16])
{
	uint64_t v;

	memcpy(&v, key, 8);
	return v;
}

/* Returns the entry index + 1 of key, or 0. */
uint64_t
ld_dup_find(const struct ld_dupset *s, const uint8_t key[16])
{
	if (s->cap == 0)
		return 0;
	for (size_t i = dup_slot(key) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i].index1 == 0)
			return 0;
		if (memcmp(s->slot[i].key, key, 16) == 0)
			return s->slot[i].index1;
	}
}

int
ld_dup_add(struct ld_dupset *s, const uint8_t key[16], uint64_t index,
    struct diag *d)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		struct ld_dupslot *ns = calloc(ncap, sizeof(*ns));

		if (ns == NULL)
			return diag_system(d, "out of memory");
		for (size_t i = 0; i < s->cap; i++) {
			size_t j;

			if (s->slot[i].index1 == 0)
				continue;
			for (j = dup_slot(s->slot[i].key) & (ncap - 1);
			    ns[j].index1 != 0; j = (j + 1) & (ncap - 1))
				;
			ns[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	for (size_t i = dup_slot(key) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
		if (s->slot[i].index1 == 0) {
			memcpy(s->slot[i].key, key, 16);
			s->slot[i].index1 = index + 1;
			s->n++;
			return 0;
		}
}

void
ld_dup_free(struct ld_dupset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* ---- open, close ---- */

int
ledger_open(struct ledger **out, const char *path, bool write, struct diag *d)
{
	struct ledger *lg;
	struct stat st;

	*out = NULL;
	if ((lg = calloc(1, sizeof(*lg))) == NULL)
		return diag_system(d, "out of memory");
	lg->fd = -1;
	if ((lg->path = strdup(path)) == NULL) {
		ledger_close(lg);
		return diag_system(d, "out of memory");
	}
	if (sig_hasher_new(&lg->h, d) != 0) {
		ledger_close(lg);
		return -1;
	}
	lg->write = write;
	if (write) {
		lg->fd = open(path, O_RDWR | O_CLOEXEC);
		if (lg->fd < 0 && errno == ENOENT) {
			lg->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
			lg->created = true;
		}
	} else
		lg->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (lg->fd < 0) {
		int e = errno;

		ledger_close(lg);
		errno = e;
		if (e == ENOENT)
			diag_input(d, "no such ledger");
		else
			diag_system(d, "cannot open");
		diag_at(d, path, 0);
		return -1;
	}
	if (fstat(lg->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ledger_close(lg);
		diag_input(d, "not a regular file");
		diag_at(d, path, 0);
		return -1;
	}
	*out = lg;
	return 0;
}

void
ledger_close(struct ledger *lg)
{
	if (lg == NULL)
		return;
	ld_index_flush(lg);	/* K3 of ledger_keys.c: needs the lock */
	if (lg->fd >= 0)
		close(lg->fd);
	ld_dup_free(&lg->dups);
	ld_index_close(lg->idx);
	sig_hasher_free(lg->h);
	free(lg->path);
	free(lg);
}

/* Is a writer appending right now?  (invariant 4) */
bool
ld_writer_active(struct ledger *lg)
{
	int fd;
	bool busy = false;

	if (lg->locked)
		return false;		/* that writer is us */
	if ((fd = open(lg->path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) != 0)
		busy = errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

/* ---- the walk: one pass over the file, with or without checks ---- */

static void
problem(struct ld_walk *w, uint64_t off, int64_t entry, const char *fmt, ...)
    DIAG_PRINTF(4, 5);

static void
problem(struct ld_walk *w, uint64_t off, int64_t entry, const char *fmt, ...)
{
	char msg[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->problems++;
	if (w->o != NULL && w->o->problem != NULL)
		w->o->problem(w->o->report_ctx, off, entry, msg);
	if (w->problems == 1) {
		if (entry >= 0)
			diag_verify(w->d, "(entry %lld): %s", (long long)entry,
			    msg);
		else
			diag_verify(w->d, "%s", msg);
		diag_at_offset(w->d, w->lg->path, (long long)off);
	}
	if (w->o == NULL || !w->o->all)
		w->stop = true;
}

static int
walk_header(struct ld_walk *w)
{
	const uint8_t *p;
	struct ld_rec rec;
	const char *why;
	bool sh;
	int rc;

	if ((p = ld_rd_get(&w->rd, 0, LEDGER_MAGIC_LEN, &sh, w->d)) == NULL) {
		if (!sh)
			return -1;
		w->torn_at = 0;
		return 0;
	}
	if (memcmp(p, LEDGER_MAGIC, LEDGER_MAGIC_LEN) != 0) {
		problem(w, 0, -1, "not a dscsa ledger (bad magic)");
		w->stop = true;
		return 0;
	}
	rc = ld_read_record(&w->rd, LEDGER_MAGIC_LEN, &rec, &why, w->d);
	if (rc == LD_ERR)
		return -1;
	if (rc == LD_SHORT || rc == LD_EOF) {
		w->torn_at = 0;
		return 0;
	}
	if (rc == LD_BAD) {
		problem(w, LEDGER_MAGIC_LEN, -1, "header: %s", why);
		w->stop = true;
		return 0;
	}
	if (rec.type != LEDGER_REC_HEADER || rec.flags != 0 ||
	    rec.body_len < 4 || ld_get16(rec.body) != LEDGER_VERSION ||
	    ld_get16(rec.body + 2) != rec.body_len - 4 ||
	    rec.body_len - 4 == 0 || rec.body_len - 4 > LEDGER_ORIGIN_MAX) {
		if (rec.type == LEDGER_REC_HEADER && rec.body_len >= 2 &&
		    ld_get16(rec.body) != LEDGER_VERSION)
			problem(w, LEDGER_MAGIC_LEN, -1, "unsupported ledger "
			    "version %u", ld_get16(rec.body));
		else
			problem(w, LEDGER_MAGIC_LEN, -1, "malformed header "
			    "record");
		w->stop = true;
		return 0;
	}
	w->origin_len = rec.body_len - 4;
	memcpy(w->origin, rec.body + 4, w->origin_len);
	w->origin[w->origin_len] = '\0';
	for (size_t i = 0; i < w->origin_len; i++)
		if ((unsigned char)w->origin[i] < 0x20) {
			problem(w, LEDGER_MAGIC_LEN, -1, "origin has a control "
			    "character");
			w->stop = true;
			return 0;
		}
	w->off = rec.end;
	w->header_end = rec.end;
	/* sealed_end stays 0 until the first seal: a header alone is torn */
	return 0;
}

static int
walk_entry(struct ld_walk *w, const struct ld_rec *rec)
{
	struct ledger_entry e;
	struct diag pd = DIAG_INIT;
	int64_t idx = (int64_t)w->n;
	uint8_t key[16];
	uint64_t seen;

	if (ledger_parse_entry(&e, rec->leaf, rec->leaf_len, &pd) != 0) {
		problem(w, rec->off, idx, "%s", pd.msg);
		return 0;
	}
	e.offset = rec->off;
	if (w->check) {
		merkle_leaf_hash(w->lg->h, rec->leaf, rec->leaf_len, e.leaf_hash);
		if (e.index != w->n)
			problem(w, rec->off, idx, "entry says it is entry %llu",
			    (unsigned long long)e.index);
		if (memcmp(e.prev, w->prev, 32) != 0)
			problem(w, rec->off, idx, "hash chain broken: previous "
			    "entry hash does not match");
		if (w->batch_n == 0) {
			w->batch_key_id = e.key_id;
			w->batch_name_len = e.key_name_len;
			memcpy(w->batch_name, e.key_name, e.key_name_len);
		} else if (e.key_id != w->batch_key_id || e.key_name_len !=
		    w->batch_name_len || memcmp(e.key_name, w->batch_name,
		    e.key_name_len) != 0)
			problem(w, rec->off, idx, "submitter differs from the "
			    "other entries of its append");
		if (merkle_frontier_push(&w->fr, w->lg->h, e.leaf_hash, w->d) != 0)
			return -1;
		memcpy(w->prev, e.leaf_hash, 32);
		if (w->o != NULL && w->o->policy != NULL && !w->stop) {
			const struct keyring_party *party = w->o->keyring ?
			    keyring_find_key(w->o->keyring, e.key_name,
			    e.key_name_len, e.key_id, NULL) : NULL;

			if (w->o->policy(w->o->policy_ctx, &e, party, &pd) != 0)
				problem(w, rec->off, idx, "%s", pd.msg);
		}
	}
	if (w->dedupe) {
		ld_dup_key(w->lg->h, e.hash_id, e.hash_id_len, key);
		if ((seen = ld_dup_find(w->dups, key)) != 0)
			problem(w, rec->off, idx, "event %.*s is already entry "
			    "%llu", (int)e.hash_id_len, e.hash_id,
			    (unsigned long long)(seen - 1));
		else if (ld_dup_add(w->dups, key, w->n, w->d) != 0)
			return -1;
	}
	if (w->visit != NULL && w->rec_limit != 0 && rec->end <= w->rec_limit) {
		int rc = w->visit(w->visit_ctx, &e, w->d);

		if (rc < 0)
			return -1;
		if (rc > 0)
			w->stop = true;
	}
	w->n++;
	w->batch_n++;
	return 0;
}

static int
walk_seal(struct ld_walk *w, const struct ld_rec *rec)
{
	struct ledger_seal s;
	struct diag pd = DIAG_INIT;
	int64_t last = (int64_t)w->n - 1;

	if (ld_parse_seal(&s, rec, &pd) != 0) {
		problem(w, rec->off, last, "%s", pd.msg);
		return 0;
	}
	if (w->check) {
		uint8_t root[32];
		char text[LEDGER_ORIGIN_MAX + 200];
		size_t tlen;

		if (s.size != w->n)
			problem(w, rec->off, last, "seal says %llu entries, %llu "
			    "precede it", (unsigned long long)s.size,
			    (unsigned long long)w->n);
		if (w->seals > 0 && s.size <= w->last.size)
			problem(w, rec->off, last, "seal size %llu does not grow "
			    "from %llu", (unsigned long long)s.size,
			    (unsigned long long)w->last.size);
		if (w->seals == 0 && s.size == 0)
			problem(w, rec->off, last, "seal of an empty ledger");
		merkle_frontier_root(&w->fr, w->lg->h, root);
		if (memcmp(root, s.root, 32) != 0)
			problem(w, rec->off, last, "merkle root at seal does not "
			    "match the entries");
		if (memcmp(w->prev, s.chain, 32) != 0)
			problem(w, rec->off, last, "chain head at seal does not "
			    "match the last entry");
		if (w->fr.n != s.frontier.n || memcmp(w->fr.hash,
		    s.frontier.hash, 32 * s.frontier.n) != 0)
			problem(w, rec->off, last, "seal frontier does not match "
			    "the entries");
		if (sig_key_id(s.key.name, s.key.name_len, SIG_TYPE_ED25519,
		    s.key.pub, 32) != s.key.id)
			problem(w, rec->off, last, "seal key id does not match "
			    "its key");
		if (w->batch_n > 0 && (w->batch_key_id != s.key.id ||
		    w->batch_name_len != s.key.name_len ||
		    memcmp(w->batch_name, s.key.name, s.key.name_len) != 0))
			problem(w, rec->off, last, "seal signer %s is not the "
			    "submitter of its entries", s.key.name);
		tlen = ld_seal_text(w->origin, w->origin_len, s.size, s.root,
		    s.chain, text, sizeof(text));
		if (tlen == (size_t)-1 || sig_verify(&s.key, text, tlen,
		    s.sig) != 0)
			problem(w, rec->off, last, "seal signature by %s+%08x "
			    "does not verify", s.key.name, (unsigned)s.key.id);
		if (w->o != NULL && w->o->keyring != NULL) {
			const struct sig_vkey *k = NULL;
			const struct keyring_party *p = keyring_find_key(
			    w->o->keyring, s.key.name, s.key.name_len, s.key.id,
			    &k);

			if (p == NULL)
				problem(w, rec->off, last, "signer %s+%08x is not "
				    "in the keyring", s.key.name,
				    (unsigned)s.key.id);
			else if (memcmp(k->pub, s.key.pub, 32) != 0)
				problem(w, rec->off, last, "signer %s+%08x has "
				    "another public key in the keyring",
				    s.key.name, (unsigned)s.key.id);
			else if (!keyring_may_append(p))
				problem(w, rec->off, last, "signer %s (party %s, "
				    "role %s) may not append", s.key.name,
				    p->name, keyring_role_name(p->role));
		}
	} else if (s.size != w->n)
		problem(w, rec->off, last, "seal says %llu entries, %llu "
		    "precede it", (unsigned long long)s.size,
		    (unsigned long long)w->n);
	if (w->want_size != 0 && s.size == w->want_size) {
		w->want_seal = s;
		w->found = true;
	}
	w->last = s;
	w->seals++;
	w->sealed_end = rec->end;
	w->sealed_n = w->n;
	w->batch_n = 0;
	return 0;
}

int
ld_walk(struct ld_walk *w)
{
	struct stat st;

	if (fstat(w->lg->fd, &st) != 0)
		return diag_system(w->d, "%s: cannot stat", w->lg->path);
	w->size = (uint64_t)st.st_size;
	w->torn_at = UINT64_MAX;
	merkle_frontier_init(&w->fr);
	memset(w->prev, 0, 32);
	if (ld_rd_init(&w->rd, w->lg->fd, w->size, w->d) != 0)
		return -1;
	if (w->size == 0)
		goto done;
	if (walk_header(w) != 0)
		goto fail;
	while (!w->stop && w->torn_at == UINT64_MAX) {
		struct ld_rec rec;
		const char *why;
		int rc = ld_read_record(&w->rd, w->off, &rec, &why, w->d);

		if (rc == LD_ERR)
			goto fail;
		if (rc == LD_EOF)
			break;
		if (rc == LD_SHORT) {
			w->torn_at = w->off;
			break;
		}
		if (rc == LD_BAD) {
			w->bad_at = w->off;
			w->bad_why = why;
			problem(w, w->off, (int64_t)w->n, "%s", why);
			w->stop = true;
			break;
		}
		if (rec.type == LEDGER_REC_ENTRY) {
			if (walk_entry(w, &rec) != 0)
				goto fail;
		} else if (rec.type == LEDGER_REC_SEAL) {
			if (walk_seal(w, &rec) != 0)
				goto fail;
		} else {
			problem(w, rec.off, -1, "unknown record type %u",
			    rec.type);
			w->bad_at = w->off;
			w->stop = true;
			break;
		}
		w->off = rec.end;
		if (w->o != NULL && w->o->progress != NULL &&
		    w->off - w->progress_at >= (64u << 20)) {
			w->progress_at = w->off;
			w->o->progress(w->o->progress_ctx, w->off, w->size);
		}
	}
done:
	ld_rd_free(&w->rd);
	if (w->check && !w->stop && sig_hasher_failed(w->lg->h))
		return diag_system(w->d, "openssl: SHA-256 failed");
	return 0;
fail:
	ld_rd_free(&w->rd);
	return -1;
}

/* Report what lies after the last seal (invariant 4). */
static void
tail_problem(struct ld_walk *w)
{
	uint64_t unsealed = w->n - w->sealed_n;

	if (w->stop || w->sealed_end == w->size || w->size == 0)
		return;
	if (ld_writer_active(w->lg))
		return;
	if (w->seals == 0)
		problem(w, w->torn_at != UINT64_MAX ? w->torn_at : w->header_end,
		    -1, "torn tail: no seal (the first append did not complete; "
		    "%llu bytes)", (unsigned long long)w->size);
	else if (w->torn_at != UINT64_MAX && unsealed == 0)
		problem(w, w->torn_at, -1, "torn tail: record cut short at end "
		    "of file (%llu bytes after the last seal)",
		    (unsigned long long)(w->size - w->sealed_end));
	else
		problem(w, w->sealed_end, (int64_t)w->sealed_n, "torn tail: "
		    "%llu unsealed entries%s after the last seal",
		    (unsigned long long)unsealed, w->torn_at != UINT64_MAX ?
		    " and a cut record" : "");
}

static void
fill_stats(const struct ld_walk *w, struct ledger_stats *st)
{
	if (st == NULL)
		return;
	memset(st, 0, sizeof(*st));
	st->entries = w->sealed_n;
	st->seals = w->seals;
	st->problems = w->problems;
	st->sealed_end = w->sealed_end;
	st->file_size = w->size;
	st->last = w->last;
}

int
ledger_verify(struct ledger *lg, const struct ledger_opts *o,
    struct ledger_stats *st, struct diag *d)
{
	struct ld_walk w;
	struct ld_dupset dups;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&dups, 0, sizeof(dups));
	w.lg = lg;
	w.o = o;
	w.d = d;
	w.check = true;
	w.dedupe = true;
	w.dups = &dups;
	rc = ld_walk(&w);
	ld_dup_free(&dups);
	if (rc != 0)
		return -1;
	tail_problem(&w);
	fill_stats(&w, st);
	return w.problems == 0 ? 0 : -1;
}

int
ledger_scan(struct ledger *lg,
    int (*fn)(void *ctx, const struct ledger_entry *e, struct diag *d),
    void *ctx, struct ledger_stats *st, struct diag *d)
{
	struct ld_walk w;

	/* First find the sealed end, then visit what lies before it. */
	memset(&w, 0, sizeof(w));
	w.lg = lg;
	w.d = d;
	if (ld_walk(&w) != 0)
		return -1;
	tail_problem(&w);
	if (w.problems > 0)
		return -1;
	if (fn != NULL && w.sealed_n > 0) {
		uint64_t limit = w.sealed_end;

		memset(&w, 0, sizeof(w));
		w.lg = lg;
		w.d = d;
		w.visit = fn;
		w.visit_ctx = ctx;
		w.rec_limit = limit;
		if (ld_walk(&w) != 0 || w.problems > 0)
			return -1;
	}
	fill_stats(&w, st);
	return 0;
}

/* ---- append ---- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct buf {
	uint8_t	*p;
	size_t	 len, cap;
};

static int
buf_room(struct buf *b, size_t n, struct diag *d)
{
	uint8_t *np;

	if (n > SIZE_MAX - b->len ||
	    (np = mem_grow(b->p, &b->cap, b->len + n, 1, 65536)) == NULL)
		return diag_system(d, "out of memory");
	b->p = np;
	return 0;
}

/* Frame a record whose type, flags and body are at b->p[start + 4 ..]. */
static void
frame(struct buf *b, size_t start)
{
	uint32_t len = (uint32_t)(b->len - start - 4);

	ld_put32(b->p + start, len);
	ld_put32(b->p + b->len, ledger_crc32c(0, b->p + start, len + 4));
	ld_put32(b->p + b->len + 4, len);
	b->len += 8;
}

static int
write_all_at(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len > 0) {
		/*
		 * Bounded writes: the page cache takes them just as fast, and a
		 * crash test with SIGKILL can land between two of them, which
		 * is what a power cut does to one big write anyway.
		 */
		ssize_t n = pwrite(fd, p, len < 65536 ? len : 65536, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int
fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

/* Bring the handle's state (dedupe set, last seal) up to the file's end. */
static int
load_state(struct ledger *lg, const struct ledger_opts *o, struct diag *d)
{
	struct ld_walk w;
	struct stat st;

	if (fstat(lg->fd, &st) != 0)
		return diag_system(d, "%s: cannot stat", lg->path);
	if (lg->state_valid && (uint64_t)st.st_size == lg->end)
		return 0;
	/* another writer appended since (or first use): read it again */
	ld_dup_free(&lg->dups);
	memset(&w, 0, sizeof(w));
	w.lg = lg;
	w.o = NULL;
	w.d = d;
	w.dedupe = true;
	w.dups = &lg->dups;
	(void)o;
	if (ld_walk(&w) != 0)
		return -1;
	if (w.problems > 0)
		return -1;
	if (w.size > 0 && (w.sealed_end != w.size || w.n != w.sealed_n)) {
		diag_input(d, "torn tail after the last seal at offset %llu "
		    "(%llu unsealed entries): run dscsa-ledger recover",
		    (unsigned long long)w.sealed_end,
		    (unsigned long long)(w.n - w.sealed_n));
		diag_at(d, lg->path, 0);
		return -1;
	}
	lg->end = w.size;
	lg->nseals = w.seals;
	lg->last = w.last;
	lg->origin_len = w.origin_len;
	memcpy(lg->origin, w.origin, w.origin_len + 1);
	lg->state_valid = true;
	return 0;
}

static int
put_entry(struct buf *b, const struct ledger_event *ev, uint64_t index,
    uint64_t t, const uint8_t prev[32], const struct sig_vkey *k,
    struct diag *d)
{
	size_t hlen = strlen(ev->hash_id), start = b->len;
	size_t need = 4 + 2 + 8 + 8 + 32 + 4 + 1 + k->name_len + 1 + 2 + hlen +
	    4 + ev->canon_len + 8;
	uint8_t *p;

	if (buf_room(b, need, d) != 0)
		return -1;
	p = b->p + b->len + 4;
	*p++ = LEDGER_REC_ENTRY;
	*p++ = 0;
	ld_put64(p, index);
	ld_put64(p + 8, t);
	memcpy(p + 16, prev, 32);
	ld_put32(p + 48, k->id);
	p[52] = (uint8_t)k->name_len;
	memcpy(p + 53, k->name, k->name_len);
	p += 53 + k->name_len;
	*p++ = LEDGER_CONTENT_EPCIS;
	ld_put16(p, (uint16_t)hlen);
	memcpy(p + 2, ev->hash_id, hlen);
	p += 2 + hlen;
	ld_put32(p, (uint32_t)ev->canon_len);
	if (ev->canon_len > 0)
		memcpy(p + 4, ev->canon, ev->canon_len);
	b->len += need - 8;
	frame(b, start);
	return 0;
}

static int
check_event(const struct ledger_event *ev, const struct sig_vkey *k,
    struct diag *d)
{
	size_t hlen = ev->hash_id ? strlen(ev->hash_id) : 0;

	if (hlen == 0 || hlen > LEDGER_HASH_ID_MAX)
		return diag_input(d, "event without a usable hash id");
	for (size_t i = 0; i < hlen; i++)
		if ((unsigned char)ev->hash_id[i] <= 0x20 ||
		    (unsigned char)ev->hash_id[i] >= 0x7f)
			return diag_input(d, "hash id is not printable ASCII");
	if (ev->canon_len > LEDGER_RECORD_MAX - 128 - k->name_len - hlen)
		return diag_input(d, "event too large for one entry (%zu bytes)",
		    ev->canon_len);
	return 0;
}

/* Events ahead whose hash-id slots append prefetches. */
#define LOOKAHEAD	8

int
ledger_append(struct ledger *lg, const struct ledger_event *ev, size_t n,
    const struct sig_key *key, const struct ledger_opts *o,
    struct ledger_stats *st, struct diag *d)
{
	const struct sig_vkey *k = sig_key_public(key);
	const struct keyring_party *party = NULL;
	struct ld_dupset batch;
	struct buf b = { NULL, 0, 0 };
	struct merkle_frontier fr;
	uint8_t prev[32], root[32], (*keys)[16] = NULL;
	bool *skip = NULL;
	uint64_t start, index, t, appended = 0, dupes = 0;
	char text[LEDGER_ORIGIN_MAX + 200];
	size_t tlen, sstart;
	uint8_t sig[SIG_ED25519_SIG_LEN];
	int rc = -1;

	memset(&batch, 0, sizeof(batch));
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (!lg->write)
		return diag_input(d, "ledger not opened for writing");
	if (o != NULL && o->keyring != NULL) {
		party = keyring_find_key(o->keyring, k->name, k->name_len, k->id,
		    NULL);
		if (party == NULL)
			return diag_verify(d, "key %s+%08x is not in the keyring: "
			    "unknown keys cannot append", k->name,
			    (unsigned)k->id);
		if (!keyring_may_append(party))
			return diag_verify(d, "party %s is a %s: it cannot "
			    "append", party->name, keyring_role_name(party->role));
	}
	/* invariant 3: the lock covers reading the state we extend */
	while (flock(lg->fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return diag_system(d, "%s: cannot lock", lg->path);
	lg->locked = true;
	if (lg->idx != NULL ? ld_index_load(lg, st ? &st->index : NULL, d) :
	    load_state(lg, o, d))
		goto out;
	start = lg->end;
	if (start == 0) {
		const char *origin = o && o->origin ? o->origin : k->name;
		size_t olen = strlen(origin), hs;

		if (olen == 0 || olen > LEDGER_ORIGIN_MAX ||
		    memchr(origin, '\n', olen) != NULL) {
			diag_input(d, "bad origin '%s'", origin);
			goto out;
		}
		for (size_t i = 0; i < olen; i++)
			if ((unsigned char)origin[i] < 0x20) {
				diag_input(d, "bad origin: control character");
				goto out;
			}
		if (buf_room(&b, LEDGER_MAGIC_LEN + 18 + olen, d) != 0)
			goto out;
		memcpy(b.p, LEDGER_MAGIC, LEDGER_MAGIC_LEN);
		b.len = LEDGER_MAGIC_LEN;
		hs = b.len;
		b.p[hs + 4] = LEDGER_REC_HEADER;
		b.p[hs + 5] = 0;
		ld_put16(b.p + hs + 6, LEDGER_VERSION);
		ld_put16(b.p + hs + 8, (uint16_t)olen);
		memcpy(b.p + hs + 10, origin, olen);
		b.len = hs + 10 + olen;
		frame(&b, hs);
		memcpy(lg->origin, origin, olen);
		lg->origin[olen] = '\0';
		lg->origin_len = olen;
		merkle_frontier_init(&fr);
		memset(prev, 0, 32);
		index = 0;
	} else {
		fr = lg->last.frontier;
		memcpy(prev, lg->last.chain, 32);
		index = lg->last.size;
	}
	t = o && o->time_ms ? o->time_ms : now_ms();
	if ((skip = calloc(n ? n : 1, sizeof(*skip))) == NULL ||
	    (keys = calloc(n ? n : 1, sizeof(*keys))) == NULL) {
		diag_system(d, "out of memory");
		goto out;
	}
	/*
	 * invariant 7: refuse duplicates, against the file and the batch.
	 * The keys first, so that the hash-id table's slots are fetched
	 * LOOKAHEAD events ahead: each is a cache (and TLB) miss somewhere in
	 * a table of megabytes.
	 */
	for (size_t i = 0; i < n; i++)
		if (ev[i].hash_id != NULL)
			ld_dup_key(lg->h, ev[i].hash_id, strlen(ev[i].hash_id),
			    keys[i]);
	for (size_t i = 0; i < n && lg->idx != NULL && i < LOOKAHEAD; i++)
		if (ev[i].hash_id != NULL)
			ld_index_prefetch(lg, keys[i]);
	for (size_t i = 0; i < n; i++) {
		uint64_t seen;

		if (check_event(&ev[i], k, d) != 0) {
			diag_at(d, o ? o->input : NULL, ev[i].line);
			goto out;
		}
		if (lg->idx != NULL && i + LOOKAHEAD < n &&
		    ev[i + LOOKAHEAD].hash_id != NULL)
			ld_index_prefetch(lg, keys[i + LOOKAHEAD]);
		if (lg->idx != NULL) {
			uint64_t at;
			int r = ld_index_has(lg, keys[i], &at, d);

			if (r < 0)
				goto out;
			seen = r ? at + 1 : 0;
		} else
			seen = ld_dup_find(&lg->dups, keys[i]);
		if (seen != 0 || (seen = ld_dup_find(&batch, keys[i])) != 0) {
			skip[i] = true;
			dupes++;
			if (o != NULL && o->dup != NULL)
				o->dup(o->report_ctx, &ev[i], seen - 1);
			continue;
		}
		if (ld_dup_add(&batch, keys[i], index + appended, d) != 0)
			goto out;
		appended++;
	}
	if (appended == 0) {
		rc = 0;
		goto out;
	}
	appended = 0;
	for (size_t i = 0; i < n; i++) {
		size_t es = b.len;
		struct ledger_entry e;

		if (skip[i])
			continue;
		if (put_entry(&b, &ev[i], index, t, prev, k, d) != 0)
			goto out;
		ld_entry_fields(&e, b.p + es + 4, b.len - es - 12);
		e.offset = start + es;
		e.user = ev[i].user;
		merkle_leaf_hash(lg->h, e.leaf, e.leaf_len, e.leaf_hash);
		if (o != NULL && o->policy != NULL &&
		    o->policy(o->policy_ctx, &e, party, d) != 0) {
			diag_at(d, o ? o->input : NULL, ev[i].line);
			goto out;
		}
		if (merkle_frontier_push(&fr, lg->h, e.leaf_hash, d) != 0)
			goto out;
		memcpy(prev, e.leaf_hash, 32);
		index++;
		appended++;
	}
	/* the seal (invariant 5, 6) */
	merkle_frontier_root(&fr, lg->h, root);
	tlen = ld_seal_text(lg->origin, lg->origin_len, index, root, prev, text,
	    sizeof(text));
	if (tlen == (size_t)-1) {
		diag_system(d, "checkpoint text too long");
		goto out;
	}
	if (sig_sign(key, text, tlen, sig, d) != 0)
		goto out;
	sstart = b.len;
	if (buf_room(&b, 4 + 2 + 8 + 64 + 1 + k->name_len + 4 + 32 + 64 + 1 +
	    32 * fr.n + 8, d) != 0)
		goto out;
	{
		uint8_t *p = b.p + sstart + 4;

		*p++ = LEDGER_REC_SEAL;
		*p++ = 0;
		ld_put64(p, index);
		memcpy(p + 8, root, 32);
		memcpy(p + 40, prev, 32);
		p[72] = (uint8_t)k->name_len;
		memcpy(p + 73, k->name, k->name_len);
		p += 73 + k->name_len;
		ld_put32(p, k->id);
		memcpy(p + 4, k->pub, 32);
		memcpy(p + 36, sig, 64);
		p[100] = (uint8_t)fr.n;
		memcpy(p + 101, fr.hash, 32 * fr.n);
		b.len = (size_t)(p + 101 + 32 * fr.n - b.p);
		frame(&b, sstart);
	}
	if (sig_hasher_failed(lg->h)) {
		errno = 0;
		diag_system(d, "openssl: SHA-256 failed");
		goto out;
	}
	/* invariants 1, 2: write after the last seal, then fsync */
	if (write_all_at(lg->fd, b.p, b.len, start) != 0 || fsync(lg->fd) != 0) {
		int e = errno;

		if (ftruncate(lg->fd, (off_t)start) == 0)
			(void)fsync(lg->fd);
		errno = e;
		diag_system(d, "%s: cannot write", lg->path);
		lg->state_valid = false;
		goto out;
	}
	if (lg->created && start == 0 && fsync_dir(lg->path) != 0) {
		diag_system(d, "%s: cannot sync its directory", lg->path);
		lg->state_valid = false;
		goto out;
	}
	/* the handle's state follows the file */
	for (size_t i = 0, j = 0; i < n && lg->idx == NULL; i++)
		if (!skip[i]) {
			if (ld_dup_add(&lg->dups, keys[i], lg->last.size + j, d)
			    != 0) {
				lg->state_valid = false;
				goto out;
			}
			j++;
		}
	lg->end = start + b.len;
	memset(&lg->last, 0, sizeof(lg->last));
	lg->last.size = index;
	memcpy(lg->last.root, root, 32);
	memcpy(lg->last.chain, prev, 32);
	lg->last.key = *k;
	memcpy(lg->last.sig, sig, 64);
	lg->last.frontier = fr;
	lg->last.offset = start + sstart;
	lg->last.end = lg->end;
	lg->nseals++;
	rc = 0;
	/* the index follows the ledger, which is the truth (I4) */
	if (lg->idx != NULL) {
		const void **users = calloc(appended ? appended : 1,
		    sizeof(*users));
		struct diag id = DIAG_INIT;

		/* keys[] and users[] of the appended events, in entry order */
		for (size_t i = 0, j = 0; users != NULL && i < n; i++)
			if (!skip[i]) {
				users[j] = ev[i].user;
				memmove(keys[j], keys[i], 16);
				j++;
			}
		if (users == NULL || ld_index_added(lg, b.p, b.len, start,
		    users, (const uint8_t (*)[16])keys, appended, &id) != 0) {
			if (st != NULL)
				st->index.why = "could not be updated: it is "
				    "behind, the next append catches up";
		} else if (st != NULL)
			st->index.entries = lg->last.size;
		free(users);
	}
out:
	if (st != NULL) {
		st->appended = rc == 0 ? appended : 0;
		st->duplicates = dupes;
		st->entries = lg->last.size;
		st->seals = lg->nseals;
		st->sealed_end = lg->end;
		st->file_size = lg->end;
		st->last = lg->last;
	}
	if (rc != 0)
		diag_at(d, lg->path, 0);
	if (lg->idx != NULL)
		ld_index_end(lg);	/* nothing appended, or it failed */
	flock(lg->fd, LOCK_UN);
	lg->locked = false;
	ld_dup_free(&batch);
	free(b.p);
	free(skip);
	free(keys);
	return rc;
}

/* ---- recover (invariant 8) ---- */

/* Is there a valid seal record starting somewhere in (from, size)? */
static int
later_seal(struct ledger *lg, uint64_t from, uint64_t size, uint64_t *at,
    struct diag *d)
{
	struct ld_rd rd;
	int rc = 0;

	if (ld_rd_init(&rd, lg->fd, size, d) != 0)
		return -1;
	for (uint64_t off = from + 1; off + 12 <= size; off++) {
		const uint8_t *p;
		bool sh;
		uint32_t len;
		struct ld_rec rec;
		const char *why;

		if ((p = ld_rd_get(&rd, off, 6, &sh, d)) == NULL) {
			if (sh)
				break;
			rc = -1;
			break;
		}
		len = ld_get32(p);
		if (p[4] != LEDGER_REC_SEAL || p[5] != 0 || len < 2 ||
		    len > LEDGER_RECORD_MAX || off + len + 12 > size)
			continue;
		if (ld_read_record(&rd, off, &rec, &why, d) == LD_OK &&
		    rec.type == LEDGER_REC_SEAL) {
			*at = off;
			rc = 1;
			break;
		}
	}
	ld_rd_free(&rd);
	return rc;
}

int
ledger_recover(struct ledger *lg, uint64_t *removed, uint64_t *removed_entries,
    struct ledger_stats *st, struct diag *d)
{
	struct ld_walk w;
	struct ld_dupset dups;
	uint64_t at, cut;
	int rc = -1, r;

	*removed = 0;
	*removed_entries = 0;
	if (!lg->write)
		return diag_input(d, "ledger not opened for writing");
	while (flock(lg->fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return diag_system(d, "%s: cannot lock", lg->path);
	lg->locked = true;
	/*
	 * A structural walk (framing, checksums, record syntax, sizes): what a
	 * crash can break.  Chain, roots and signatures are verify's business;
	 * a recovered ledger should be verified.
	 */
	memset(&w, 0, sizeof(w));
	memset(&dups, 0, sizeof(dups));
	w.lg = lg;
	w.d = d;
	if (ld_walk(&w) != 0)
		goto out;
	/*
	 * A problem inside a sealed stretch or a bad record followed by a
	 * valid seal is damage, not a torn tail.
	 */
	if (w.problems > 0 && w.bad_at == 0) {
		diag_clear(d);
		diag_verify(d, "damage before the end of the sealed entries "
		    "(verify says where): not a torn tail; refusing to cut");
		diag_at(d, lg->path, 0);
		goto out;
	}
	if (w.bad_at != 0) {
		if ((r = later_seal(lg, w.bad_at, w.size, &at, d)) < 0)
			goto out;
		if (r == 1) {
			diag_clear(d);
			diag_verify(d, "bad record at offset %llu is followed by "
			    "a seal at offset %llu: not a torn tail; refusing "
			    "to cut", (unsigned long long)w.bad_at,
			    (unsigned long long)at);
			diag_at(d, lg->path, 0);
			goto out;
		}
		diag_clear(d);
	}
	cut = w.seals > 0 ? w.sealed_end : 0;
	if (cut < w.size) {
		if (ftruncate(lg->fd, (off_t)cut) != 0 || fsync(lg->fd) != 0) {
			diag_system(d, "%s: cannot truncate", lg->path);
			goto out;
		}
		*removed = w.size - cut;
		*removed_entries = w.n - w.sealed_n;
	}
	lg->state_valid = false;
	fill_stats(&w, st);
	if (st != NULL) {
		st->file_size = cut;
		st->problems = 0;
	}
	rc = 0;
out:
	ld_dup_free(&dups);
	flock(lg->fd, LOCK_UN);
	lg->locked = false;
	return rc;
}
