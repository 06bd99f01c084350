/*
 * ledger_proof: what a partner checks without the whole ledger.
 *
 * Checkpoints are the seals as C2SP tlog-checkpoint signed notes: origin,
 * size and base64 RFC 6962 root, one extension line "dscsa-chain <base64>"
 * (the hash chain head, which the seal signature also covers), then the
 * signature line of the sealer.  Any C2SP signed-note verifier checks it.
 *
 * Inclusion proofs are c2sp.org/tlog-proof@v1 files: "extra" carries the
 * entry's leaf bytes (so the checker sees the event, its hash id, signer
 * and time, and hashes the leaf itself), "index", the RFC 9162 audit path
 * (RFC 6962 2.1.1), a blank line and the checkpoint.  Consistency proofs
 * are tlog-witness add-checkpoint bodies ("old M", the RFC 6962 2.1.2
 * proof, a blank line, the checkpoint), so they can be sent to a witness
 * unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ledger.h"
#include "ledger_int.h"
#include "mem.h"
#include "merkle.h"
#include "sig.h"

struct leafvec {
	uint64_t	  n;
	size_t		  cap;
	uint8_t		(*hash)[32];
	const char	 *want_id;	/* find this hash id */
	uint64_t	  found_index;
	bool		  found;
	uint64_t	  want_index;	/* copy this entry's leaf */
	uint8_t		 *leaf;
	size_t		  leaf_len;
};

static int
collect(void *ctx, const struct ledger_entry *e, struct diag *d)
{
	struct leafvec *v = ctx;
	uint8_t (*nh)[32];

	if ((nh = mem_grow(v->hash, &v->cap, (size_t)v->n + 1, 32,
	    1024)) == NULL)
		return diag_system(d, "out of memory");
	v->hash = nh;
	memcpy(v->hash[v->n], e->leaf_hash, 32);
	if (v->want_id != NULL && !v->found &&
	    strlen(v->want_id) == e->hash_id_len &&
	    memcmp(v->want_id, e->hash_id, e->hash_id_len) == 0) {
		v->found = true;
		v->found_index = e->index;
	}
	if ((v->found && v->found_index == e->index && v->want_id != NULL) ||
	    (v->want_id == NULL && e->index == v->want_index)) {
		free(v->leaf);
		if ((v->leaf = malloc(e->leaf_len)) == NULL)
			return diag_system(d, "out of memory");
		memcpy(v->leaf, e->leaf, e->leaf_len);
		v->leaf_len = e->leaf_len;
	}
	v->n++;
	return 0;
}

static int
leaf_at(void *ctx, uint64_t i, uint8_t out[32], struct diag *d)
{
	struct leafvec *v = ctx;

	if (i >= v->n)
		return diag_system(d, "no leaf %llu", (unsigned long long)i);
	memcpy(out, v->hash[i], 32);
	return 0;
}

/*
 * Verify the ledger while collecting every leaf hash; pick the seal at
 * `size` (0: the last).
 */
static int
load(struct ledger *lg, uint64_t size, struct leafvec *v,
    struct ledger_seal *seal, char *origin, size_t *origin_len,
    struct diag *d)
{
	struct ld_walk w;
	struct ld_dupset dups;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&dups, 0, sizeof(dups));
	w.lg = lg;
	w.d = d;
	w.check = true;
	w.dedupe = true;
	w.dups = &dups;
	w.visit = collect;
	w.visit_ctx = v;
	w.rec_limit = UINT64_MAX;
	w.want_size = size;
	rc = ld_walk(&w);
	ld_dup_free(&dups);
	if (rc != 0)
		return -1;
	if (w.problems > 0) {
		diag_at(d, lg->path, 0);
		return -1;
	}
	if (w.seals == 0) {
		diag_input(d, "ledger has no seal yet");
		diag_at(d, lg->path, 0);
		return -1;
	}
	if (size == 0)
		*seal = w.last;
	else if (w.found)
		*seal = w.want_seal;
	else {
		diag_input(d, "no seal at size %llu (sizes are those of "
		    "appends; the last is %llu)", (unsigned long long)size,
		    (unsigned long long)w.last.size);
		diag_at(d, lg->path, 0);
		return -1;
	}
	memcpy(origin, w.origin, w.origin_len + 1);
	*origin_len = w.origin_len;
	return 0;
}

static int
format_checkpoint(const char *origin, size_t olen, const struct ledger_seal *s,
    char *buf, size_t cap, size_t *len, struct diag *d)
{
	size_t t, l;

	t = ld_seal_text(origin, olen, s->size, s->root, s->chain, buf, cap);
	if (t == (size_t)-1 || t + 2 >= cap)
		return diag_system(d, "checkpoint too long");
	buf[t++] = '\n';
	l = sig_note_line_format(s->key.name, s->key.name_len, s->key.id,
	    s->sig, SIG_ED25519_SIG_LEN, buf + t, cap - t);
	if (l == (size_t)-1)
		return diag_system(d, "checkpoint too long");
	*len = t + l;
	return 0;
}

#define CKPT_MAX	(LEDGER_ORIGIN_MAX + SIG_NAME_MAX + 400)

int
ledger_checkpoint(struct ledger *lg, uint64_t size, char **out, size_t *len,
    struct diag *d)
{
	struct leafvec v;
	struct ledger_seal s;
	char origin[LEDGER_ORIGIN_MAX + 1];
	size_t olen;
	char *buf;
	int rc;

	*out = NULL;
	memset(&v, 0, sizeof(v));
	v.want_index = UINT64_MAX;
	rc = load(lg, size, &v, &s, origin, &olen, d);
	free(v.hash);
	free(v.leaf);
	if (rc != 0)
		return -1;
	if ((buf = malloc(CKPT_MAX)) == NULL)
		return diag_system(d, "out of memory");
	if (format_checkpoint(origin, olen, &s, buf, CKPT_MAX, len, d) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/*
 * The end of a proof, after its first o bytes in buf (cap bytes): the
 * hashes of p in base64, one a line, an empty line and the checkpoint
 * (c2sp.org/tlog-proof); *len is then the whole length.
 */
static int
finish_proof(const struct merkle_proof *p, const char *origin, size_t olen,
    const struct ledger_seal *s, char *buf, size_t cap, size_t o,
    size_t *len, struct diag *d)
{
	size_t cl;

	for (size_t i = 0; i < p->n; i++) {
		o += sig_base64_encode(p->hash[i], 32, buf + o, cap - o);
		buf[o++] = '\n';
	}
	buf[o++] = '\n';
	if (format_checkpoint(origin, olen, s, buf + o, cap - o, &cl, d) != 0)
		return -1;
	*len = o + cl;
	return 0;
}

int
ledger_prove_inclusion(struct ledger *lg, const char *hash_id, uint64_t index,
    uint64_t size, char **out, size_t *len, struct diag *d)
{
	struct leafvec v;
	struct ledger_seal s;
	struct merkle_proof *p = NULL;
	char origin[LEDGER_ORIGIN_MAX + 1], *buf = NULL;
	size_t olen, cap, o;
	int rc = -1, n;

	*out = NULL;
	memset(&v, 0, sizeof(v));
	v.want_id = hash_id;
	v.want_index = index;
	if (load(lg, size, &v, &s, origin, &olen, d) != 0)
		goto out;
	if (hash_id != NULL) {
		if (!v.found) {
			diag_input(d, "no entry with hash id %s", hash_id);
			goto out;
		}
		index = v.found_index;
	}
	if (index >= s.size) {
		diag_input(d, "entry %llu is not in the ledger at size %llu",
		    (unsigned long long)index, (unsigned long long)s.size);
		goto out;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		diag_system(d, "out of memory");
		goto out;
	}
	if (merkle_inclusion_proof(p, leaf_at, &v, lg->h, index, s.size, d) != 0)
		goto out;
	cap = 64 + (v.leaf_len + 2) / 3 * 4 + 64 + p->n * 46 + CKPT_MAX;
	if ((buf = malloc(cap)) == NULL) {
		diag_system(d, "out of memory");
		goto out;
	}
	o = (size_t)snprintf(buf, cap, "c2sp.org/tlog-proof@v1\nextra ");
	o += sig_base64_encode(v.leaf, v.leaf_len, buf + o, cap - o);
	n = snprintf(buf + o, cap - o, "\nindex %llu\n",
	    (unsigned long long)index);
	o += (size_t)n;
	if (finish_proof(p, origin, olen, &s, buf, cap, o, len, d) != 0)
		goto out;
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	if (rc != 0)
		diag_at(d, lg->path, 0);
	free(buf);
	free(p);
	free(v.hash);
	free(v.leaf);
	return rc;
}

int
ledger_prove_consistency(struct ledger *lg, uint64_t m, uint64_t n, char **out,
    size_t *len, struct diag *d)
{
	struct leafvec v;
	struct ledger_seal s;
	struct merkle_proof *p = NULL;
	char origin[LEDGER_ORIGIN_MAX + 1], *buf = NULL;
	size_t olen, cap, o;
	int rc = -1;

	*out = NULL;
	memset(&v, 0, sizeof(v));
	v.want_index = UINT64_MAX;
	if (load(lg, n, &v, &s, origin, &olen, d) != 0)
		goto out;
	if (m == 0 || m > s.size) {
		diag_input(d, "no consistency proof from size %llu to size %llu",
		    (unsigned long long)m, (unsigned long long)s.size);
		goto out;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		diag_system(d, "out of memory");
		goto out;
	}
	if (merkle_consistency_proof(p, leaf_at, &v, lg->h, m, s.size, d) != 0)
		goto out;
	cap = 64 + p->n * 46 + CKPT_MAX;
	if ((buf = malloc(cap)) == NULL) {
		diag_system(d, "out of memory");
		goto out;
	}
	o = (size_t)snprintf(buf, cap, "old %llu\n", (unsigned long long)m);
	if (finish_proof(p, origin, olen, &s, buf, cap, o, len, d) != 0)
		goto out;
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	if (rc != 0)
		diag_at(d, lg->path, 0);
	free(buf);
	free(p);
	free(v.hash);
	free(v.leaf);
	return rc;
}

/* Verify a checkpoint note against the keys; parse it into c. */
static int
open_checkpoint(const char *note, size_t len, const struct sig_vkey *keys,
    size_t nkeys, struct sig_checkpoint *c, char *signer, struct diag *d)
{
	struct sig_note *n = malloc(sizeof(*n));
	bool ok[64];
	int rc = -1;

	if (n == NULL)
		return diag_system(d, "out of memory");
	if (nkeys > 64)
		nkeys = 64;
	if (sig_note_parse(n, note, len, d) == 0 &&
	    sig_note_verify(n, note, keys, nkeys, ok, d) == 0 &&
	    sig_checkpoint_parse(c, note, n->text_len, d) == 0) {
		for (size_t i = 0; i < nkeys; i++)
			if (ok[i]) {
				memcpy(signer, keys[i].name,
				    keys[i].name_len + 1);
				break;
			}
		rc = 0;
	}
	free(n);
	return rc;
}

/* Read "\n"-terminated proof lines of base64 hashes until a blank line. */
static int
read_hashes(const char *s, size_t len, size_t *pos, struct merkle_proof *p,
    struct diag *d)
{
	p->n = 0;
	for (;;) {
		const char *eol = memchr(s + *pos, '\n', len - *pos);
		size_t ll, hl;

		if (eol == NULL)
			return diag_input(d, "proof: no blank line before the "
			    "checkpoint");
		ll = (size_t)(eol - (s + *pos));
		if (ll == 0) {
			*pos += 1;
			return 0;
		}
		if (p->n == MERKLE_PROOF_MAX)
			return diag_input(d, "proof: more than %d hashes",
			    MERKLE_PROOF_MAX);
		if (sig_base64_decode(s + *pos, ll, p->hash[p->n], 32, &hl) != 0 ||
		    hl != 32)
			return diag_input(d, "proof: line %zu is not a base64 "
			    "hash", p->n + 1);
		p->n++;
		*pos += ll + 1;
	}
}

static int
line_value(const char *s, size_t len, size_t *pos, const char *key,
    const char **val, size_t *vlen, struct diag *d)
{
	size_t kl = strlen(key);
	const char *eol = memchr(s + *pos, '\n', len - *pos);

	if (eol == NULL || (size_t)(eol - (s + *pos)) < kl + 1 ||
	    memcmp(s + *pos, key, kl) != 0 || s[*pos + kl] != ' ')
		return diag_input(d, "proof: expected a '%s' line", key);
	*val = s + *pos + kl + 1;
	*vlen = (size_t)(eol - *val);
	*pos = (size_t)(eol - s) + 1;
	return 0;
}

int
ledger_check_proof(const char *proof, size_t len, const char *old,
    size_t old_len, const struct sig_vkey *keys, size_t nkeys,
    struct ledger_proof_result *r, struct diag *d)
{
	static const char incl_magic[] = "c2sp.org/tlog-proof@v1\n";
	struct merkle_proof *p = NULL;
	struct sig_hasher *h = NULL;
	struct sig_checkpoint c, oc;
	const char *v;
	size_t pos = 0, vl;
	uint8_t *leaf = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if ((p = malloc(sizeof(*p))) == NULL)
		return diag_system(d, "out of memory");
	if (sig_hasher_new(&h, d) != 0)
		goto out;
	if (len >= sizeof(incl_magic) - 1 &&
	    memcmp(proof, incl_magic, sizeof(incl_magic) - 1) == 0) {
		struct ledger_entry e;
		uint8_t lh[32];
		size_t ll;

		pos = sizeof(incl_magic) - 1;
		if (line_value(proof, len, &pos, "extra", &v, &vl, d) != 0)
			goto out;
		if ((leaf = malloc(vl / 4 * 3 + 1)) == NULL) {
			diag_system(d, "out of memory");
			goto out;
		}
		if (sig_base64_decode(v, vl, leaf, vl / 4 * 3 + 1, &ll) != 0) {
			diag_input(d, "proof: extra is not base64");
			goto out;
		}
		if (ledger_parse_entry(&e, leaf, ll, d) != 0)
			goto out;
		if (line_value(proof, len, &pos, "index", &v, &vl, d) != 0)
			goto out;
		if (sig_parse_u64(v, vl, &r->index) != 0) {
			diag_input(d, "proof: bad index");
			goto out;
		}
		if (read_hashes(proof, len, &pos, p, d) != 0)
			goto out;
		if (open_checkpoint(proof + pos, len - pos, keys, nkeys, &c,
		    r->signer, d) != 0)
			goto out;
		r->size = c.size;
		r->time_ms = e.time_ms;
		memcpy(r->hash_id, e.hash_id, e.hash_id_len);
		r->hash_id[e.hash_id_len] = '\0';
		if (e.index != r->index) {
			diag_verify(d, "proof index %llu, but the entry says it "
			    "is entry %llu", (unsigned long long)r->index,
			    (unsigned long long)e.index);
			goto out;
		}
		merkle_leaf_hash(h, leaf, ll, lh);
		if (merkle_verify_inclusion(h, r->index, c.size, lh, p, c.root,
		    d) != 0)
			goto out;
		rc = 0;
		goto out;
	}
	r->consistency = true;
	if (line_value(proof, len, &pos, "old", &v, &vl, d) != 0)
		goto out;
	if (sig_parse_u64(v, vl, &r->old_size) != 0) {
		diag_input(d, "proof: bad old size");
		goto out;
	}
	if (read_hashes(proof, len, &pos, p, d) != 0)
		goto out;
	if (open_checkpoint(proof + pos, len - pos, keys, nkeys, &c, r->signer,
	    d) != 0)
		goto out;
	r->size = c.size;
	if (old == NULL) {
		diag_input(d, "a consistency proof needs the old checkpoint");
		goto out;
	}
	{
		char osigner[SIG_NAME_MAX + 1];

		if (open_checkpoint(old, old_len, keys, nkeys, &oc, osigner,
		    d) != 0)
			goto out;
	}
	if (oc.origin_len != c.origin_len ||
	    memcmp(oc.origin, c.origin, c.origin_len) != 0) {
		diag_verify(d, "the checkpoints are of different logs");
		goto out;
	}
	if (oc.size != r->old_size) {
		diag_verify(d, "proof is from size %llu, the old checkpoint has "
		    "size %llu", (unsigned long long)r->old_size,
		    (unsigned long long)oc.size);
		goto out;
	}
	if (merkle_verify_consistency(h, oc.size, c.size, oc.root, c.root, p,
	    d) != 0)
		goto out;
	rc = 0;
out:
	free(leaf);
	free(p);
	sig_hasher_free(h);
	return rc;
}
