/*
 * merkle: RFC 6962 Merkle tree hashes and RFC 9162 inclusion and consistency
 * proofs over SHA-256, and a compact accumulator (the "frontier": at most
 * 64 subtree hashes) that grows a tree one leaf at a time in O(log n) space.
 *
 * The module knows nothing of GS1, EPCIS or ledgers: a leaf is bytes, a
 * tree is a sequence of leaf hashes that the caller hands out by index.
 * Hashing goes through a sig_hasher (libcommon/sig.h), the one wrapper of
 * OpenSSL.
 *
 * Thread-safety: every function is reentrant; a sig_hasher and an
 * accumulator belong to one thread.
 */
#ifndef DSCSA_MERKLE_H
#define DSCSA_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sig.h"

#define MERKLE_HASH_LEN	32
#define MERKLE_FRONTIER_MAX 64	/* one subtree per bit of a uint64 size */
/*
 * A consistency proof for 64-bit sizes never needs more than 2 * 64 hashes;
 * an inclusion proof never more than 64 (RFC 9162 2.1.3, 2.1.4).
 */
#define MERKLE_PROOF_MAX	128

/* A proof: `n` hashes, in RFC 9162 order (the leaf's sibling first). */
struct merkle_proof {
	size_t	n;
	uint8_t	hash[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
};

/*
 * The compact accumulator: for a tree of `size` leaves, one hash per 1 bit
 * of `size`, the root of each maximal complete subtree, largest (leftmost)
 * first.  Invariants: (1) n == popcount(size); (2) hash[i] is MTH of the
 * i-th complete subtree from the left, of 2^k leaves, k the i-th highest
 * set bit of size.  A value; copy it freely.
 */
struct merkle_frontier {
	uint64_t	size;
	size_t		n;
	uint8_t		hash[MERKLE_FRONTIER_MAX][MERKLE_HASH_LEN];
};

/* RFC 6962 2.1: leaf hash SHA-256(0x00 || data). */
void	merkle_leaf_hash(struct sig_hasher *h, const void *data, size_t len,
	    uint8_t out[MERKLE_HASH_LEN]);

/* RFC 6962 2.1: node hash SHA-256(0x01 || left || right). */
void	merkle_node_hash(struct sig_hasher *h, const uint8_t left[MERKLE_HASH_LEN],
	    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN]);

/* MTH({}) = SHA-256(""), the root of the empty tree. */
void	merkle_empty_root(uint8_t out[MERKLE_HASH_LEN]);

/* The empty frontier (size 0). */
void	merkle_frontier_init(struct merkle_frontier *f);

/*
 * Add one leaf (its leaf hash) to the frontier.  Returns 0, or -1 with
 * DIAG_INPUT if the tree already holds 2^64 - 1 leaves.
 */
int	merkle_frontier_push(struct merkle_frontier *f, struct sig_hasher *h,
	    const uint8_t leaf_hash[MERKLE_HASH_LEN], struct diag *d);

/* The root MTH of the tree the frontier stands for. */
void	merkle_frontier_root(const struct merkle_frontier *f,
	    struct sig_hasher *h, uint8_t out[MERKLE_HASH_LEN]);

/* How many hashes the frontier of a tree of `size` leaves holds: popcount. */
unsigned merkle_frontier_len(uint64_t size);

/*
 * Check the shape invariant (1) of a frontier read from outside: n equals
 * merkle_frontier_len(size).  Returns true if it holds.
 */
bool	merkle_frontier_valid(const struct merkle_frontier *f);

/*
 * How the caller hands out leaf hashes: write the leaf hash of leaf `index`
 * to `out`; return 0, or -1 after filling `d`.
 */
typedef int (*merkle_leaf_fn)(void *ctx, uint64_t index,
	    uint8_t out[MERKLE_HASH_LEN], struct diag *d);

/*
 * MTH(D[lo:hi]) (RFC 6962 2.1) of the leaves lo .. hi-1, with the
 * accumulator: O(hi - lo) hashes, O(log) memory.  lo <= hi.
 */
int	merkle_subtree_root(merkle_leaf_fn leaf, void *ctx, struct sig_hasher *h,
	    uint64_t lo, uint64_t hi, uint8_t out[MERKLE_HASH_LEN],
	    struct diag *d);

/*
 * The audit path of leaf `index` in the tree of the first `size` leaves
 * (RFC 6962 2.1.1 PATH).  DIAG_INPUT unless index < size.
 */
int	merkle_inclusion_proof(struct merkle_proof *p, merkle_leaf_fn leaf,
	    void *ctx, struct sig_hasher *h, uint64_t index, uint64_t size,
	    struct diag *d);

/*
 * The consistency proof between the trees of the first `m` and `n`
 * leaves (RFC 6962 2.1.2 PROOF).  0 < m <= n; m == n gives an empty proof.
 * DIAG_INPUT for other sizes.
 */
int	merkle_consistency_proof(struct merkle_proof *p, merkle_leaf_fn leaf,
	    void *ctx, struct sig_hasher *h, uint64_t m, uint64_t n,
	    struct diag *d);

/*
 * Verify an inclusion proof (RFC 9162 2.1.3.2): leaf `index` with leaf
 * hash `leaf_hash` is in the tree of `size` leaves whose root is `root`.
 * The proof must have exactly the length the sizes call for.  Returns 0 if
 * it holds, -1 if not (and fills `d`, DIAG_VERIFY, if d is not NULL).
 */
int	merkle_verify_inclusion(struct sig_hasher *h, uint64_t index,
	    uint64_t size, const uint8_t leaf_hash[MERKLE_HASH_LEN],
	    const struct merkle_proof *p, const uint8_t root[MERKLE_HASH_LEN],
	    struct diag *d);

/*
 * Verify a consistency proof (RFC 9162 2.1.4.2): the tree of `m` leaves
 * with root `root_m` is a prefix of the tree of `n` leaves with `root_n`.
 * Edge cases, which the RFC leaves to the caller, decided as tlog-witness
 * does: m > n fails; m == 0 holds with an empty proof (every tree extends
 * the empty tree); m == n holds iff the proof is empty and the roots are
 * equal.  Returns 0 if it holds, -1 if not (DIAG_VERIFY in `d`, may be NULL).
 */
int	merkle_verify_consistency(struct sig_hasher *h, uint64_t m, uint64_t n,
	    const uint8_t root_m[MERKLE_HASH_LEN],
	    const uint8_t root_n[MERKLE_HASH_LEN], const struct merkle_proof *p,
	    struct diag *d);

#endif /* DSCSA_MERKLE_H */
