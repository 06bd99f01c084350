/*
 * merkle: RFC 6962 section 2.1 Merkle Tree Hash, proofs and the compact
 * accumulator.
 *
 * Leaves are hashed as SHA-256(0x00 || data) and interior nodes as
 * SHA-256(0x01 || left || right): the different prefix bytes keep a leaf
 * from ever being taken for a node (a second-preimage defence, RFC 6962
 * 2.1).  Proof generation follows RFC 6962 2.1.1 (PATH) and 2.1.2
 * (PROOF/SUBPROOF); verification follows RFC 9162 2.1.3.2 and 2.1.4.2,
 * with the exact-length checks that transparency-dev/merkle makes.
 *
 * The frontier keeps these invariants (tests refer to them by number):
 *  1. n == popcount(size), hash[0] belongs to the highest set bit;
 *  2. hash[i] is MTH of a complete subtree of 2^k leaves, k the i-th
 *     highest set bit of size, the subtrees adjacent and in leaf order;
 *  3. the root is hash[n-1] folded leftwards: node(hash[i], acc).
 */
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "merkle.h"
#include "sig.h"

static const uint8_t empty_root[MERKLE_HASH_LEN] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8,
	0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

void
merkle_leaf_hash(struct sig_hasher *h, const void *data, size_t len,
    uint8_t out[MERKLE_HASH_LEN])
{
	static const uint8_t zero = 0x00;

	sig_hash_init(h);
	sig_hash_update(h, &zero, 1);
	sig_hash_update(h, data, len);
	sig_hash_final(h, out);
}

void
merkle_node_hash(struct sig_hasher *h, const uint8_t left[MERKLE_HASH_LEN],
    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t buf[1 + 2 * MERKLE_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, MERKLE_HASH_LEN);
	memcpy(buf + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
	sig_hash_init(h);
	sig_hash_update(h, buf, sizeof(buf));
	sig_hash_final(h, out);
}

void
merkle_empty_root(uint8_t out[MERKLE_HASH_LEN])
{
	memcpy(out, empty_root, MERKLE_HASH_LEN);
}

void
merkle_frontier_init(struct merkle_frontier *f)
{
	f->size = 0;
	f->n = 0;
}

int
merkle_frontier_push(struct merkle_frontier *f, struct sig_hasher *h,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], struct diag *d)
{
	uint8_t carry[MERKLE_HASH_LEN];

	if (f->size == UINT64_MAX)
		return diag_input(d, "merkle tree is full");
	memcpy(carry, leaf_hash, MERKLE_HASH_LEN);
	/* Invariant 2: each trailing 1 bit merges with the new subtree. */
	for (uint64_t s = f->size; s & 1; s >>= 1) {
		merkle_node_hash(h, f->hash[f->n - 1], carry, carry);
		f->n--;
	}
	memcpy(f->hash[f->n], carry, MERKLE_HASH_LEN);
	f->n++;
	f->size++;
	return 0;
}

void
merkle_frontier_root(const struct merkle_frontier *f, struct sig_hasher *h,
    uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t acc[MERKLE_HASH_LEN];

	if (f->n == 0) {
		merkle_empty_root(out);
		return;
	}
	memcpy(acc, f->hash[f->n - 1], MERKLE_HASH_LEN);
	for (size_t i = f->n - 1; i > 0; i--)		/* invariant 3 */
		merkle_node_hash(h, f->hash[i - 1], acc, acc);
	memcpy(out, acc, MERKLE_HASH_LEN);
}

unsigned
merkle_frontier_len(uint64_t size)
{
	unsigned n = 0;

	for (; size != 0; size &= size - 1)	/* clears the lowest set bit */
		n++;
	return n;
}

bool
merkle_frontier_valid(const struct merkle_frontier *f)
{
	return f->n == merkle_frontier_len(f->size);
}

int
merkle_subtree_root(merkle_leaf_fn leaf, void *ctx, struct sig_hasher *h,
    uint64_t lo, uint64_t hi, uint8_t out[MERKLE_HASH_LEN], struct diag *d)
{
	struct merkle_frontier f;
	uint8_t lh[MERKLE_HASH_LEN];

	merkle_frontier_init(&f);
	for (uint64_t i = lo; i < hi; i++) {
		if (leaf(ctx, i, lh, d) != 0)
			return -1;
		if (merkle_frontier_push(&f, h, lh, d) != 0)
			return -1;
	}
	merkle_frontier_root(&f, h, out);
	return 0;
}

/* The largest power of two smaller than n (n > 1). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)	/* k * 2 < n without overflow */
		k <<= 1;
	return k;
}

static int
append_hash(struct merkle_proof *p, struct diag *d)
{
	if (p->n >= MERKLE_PROOF_MAX)
		return diag_input(d, "merkle proof too long");
	p->n++;
	return 0;
}

/* RFC 6962 2.1.1 PATH(m, D[lo:lo+n]). */
static int
path(struct merkle_proof *p, merkle_leaf_fn leaf, void *ctx,
    struct sig_hasher *h, uint64_t m, uint64_t lo, uint64_t n, struct diag *d)
{
	uint64_t k;

	if (n == 1)
		return 0;
	k = split_point(n);
	if (m < k) {
		if (path(p, leaf, ctx, h, m, lo, k, d) != 0 ||
		    append_hash(p, d) != 0)
			return -1;
		return merkle_subtree_root(leaf, ctx, h, lo + k, lo + n,
		    p->hash[p->n - 1], d);
	}
	if (path(p, leaf, ctx, h, m - k, lo + k, n - k, d) != 0 ||
	    append_hash(p, d) != 0)
		return -1;
	return merkle_subtree_root(leaf, ctx, h, lo, lo + k, p->hash[p->n - 1],
	    d);
}

int
merkle_inclusion_proof(struct merkle_proof *p, merkle_leaf_fn leaf, void *ctx,
    struct sig_hasher *h, uint64_t index, uint64_t size, struct diag *d)
{
	p->n = 0;
	if (index >= size)
		return diag_input(d, "leaf %llu is not in a tree of size %llu",
		    (unsigned long long)index, (unsigned long long)size);
	return path(p, leaf, ctx, h, index, 0, size, d);
}

/* RFC 6962 2.1.2 SUBPROOF(m, D[lo:lo+n], b). */
static int
subproof(struct merkle_proof *p, merkle_leaf_fn leaf, void *ctx,
    struct sig_hasher *h, uint64_t m, uint64_t lo, uint64_t n, bool b,
    struct diag *d)
{
	uint64_t k;

	if (m == n) {
		if (b)
			return 0;
		if (append_hash(p, d) != 0)
			return -1;
		return merkle_subtree_root(leaf, ctx, h, lo, lo + n,
		    p->hash[p->n - 1], d);
	}
	k = split_point(n);
	if (m <= k) {
		if (subproof(p, leaf, ctx, h, m, lo, k, b, d) != 0 ||
		    append_hash(p, d) != 0)
			return -1;
		return merkle_subtree_root(leaf, ctx, h, lo + k, lo + n,
		    p->hash[p->n - 1], d);
	}
	if (subproof(p, leaf, ctx, h, m - k, lo + k, n - k, false, d) != 0 ||
	    append_hash(p, d) != 0)
		return -1;
	return merkle_subtree_root(leaf, ctx, h, lo, lo + k, p->hash[p->n - 1],
	    d);
}

int
merkle_consistency_proof(struct merkle_proof *p, merkle_leaf_fn leaf,
    void *ctx, struct sig_hasher *h, uint64_t m, uint64_t n, struct diag *d)
{
	p->n = 0;
	if (m == 0 || m > n)
		return diag_input(d, "no consistency proof from size %llu to "
		    "size %llu", (unsigned long long)m, (unsigned long long)n);
	if (m == n)
		return 0;
	return subproof(p, leaf, ctx, h, m, 0, n, true, d);
}

static int
fail(struct diag *d, const char *what)
{
	if (d != NULL)
		diag_verify(d, "%s", what);
	return -1;
}

int
merkle_verify_inclusion(struct sig_hasher *h, uint64_t index, uint64_t size,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], const struct merkle_proof *p,
    const uint8_t root[MERKLE_HASH_LEN], struct diag *d)
{
	uint64_t fn, sn;
	uint8_t r[MERKLE_HASH_LEN];

	if (index >= size)
		return fail(d, "inclusion proof: index not below the tree size");
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, MERKLE_HASH_LEN);
	for (size_t i = 0; i < p->n; i++) {
		if (sn == 0)
			return fail(d, "inclusion proof too long");
		if ((fn & 1) == 1 || fn == sn) {
			merkle_node_hash(h, p->hash[i], r, r);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(h, r, p->hash[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return fail(d, "inclusion proof too short");
	if (memcmp(r, root, MERKLE_HASH_LEN) != 0)
		return fail(d, "inclusion proof does not lead to the root");
	return 0;
}

int
merkle_verify_consistency(struct sig_hasher *h, uint64_t m, uint64_t n,
    const uint8_t root_m[MERKLE_HASH_LEN],
    const uint8_t root_n[MERKLE_HASH_LEN], const struct merkle_proof *p,
    struct diag *d)
{
	uint64_t fn, sn;
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	size_t i = 0;

	if (m > n)
		return fail(d, "consistency proof: first size above second");
	if (m == 0)
		return fail(d, "consistency proof from the empty tree");
	if (m == n) {
		if (p->n != 0)
			return fail(d, "consistency proof not empty for equal "
			    "sizes");
		if (memcmp(root_m, root_n, MERKLE_HASH_LEN) != 0)
			return fail(d, "roots differ at equal sizes");
		return 0;
	}
	if (p->n == 0)
		return fail(d, "consistency proof empty");
	/* If m is a power of two, the old root is the proof's first node. */
	if ((m & (m - 1)) == 0) {
		memcpy(fr, root_m, MERKLE_HASH_LEN);
	} else {
		memcpy(fr, p->hash[0], MERKLE_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASH_LEN);
	fn = m - 1;
	sn = n - 1;
	while ((fn & 1) == 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < p->n; i++) {
		if (sn == 0)
			return fail(d, "consistency proof too long");
		if ((fn & 1) == 1 || fn == sn) {
			merkle_node_hash(h, p->hash[i], fr, fr);
			merkle_node_hash(h, p->hash[i], sr, sr);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(h, sr, p->hash[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return fail(d, "consistency proof too short");
	if (memcmp(fr, root_m, MERKLE_HASH_LEN) != 0)
		return fail(d, "consistency proof does not lead to the old root");
	if (memcmp(sr, root_n, MERKLE_HASH_LEN) != 0)
		return fail(d, "consistency proof does not lead to the new root");
	return 0;
}
