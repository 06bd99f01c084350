/*
 * Unit tests of libcommon/merkle against the RFC 6962 vectors copied in
 * tests/data/ledger/merkle/ (transparency-dev/merkle, sigsum-rs,
 * litewitness; see its SOURCES.md), and a randomized comparison with a
 * naive recursive implementation of RFC 6962 2.1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "merkle.h"
#include "sig.h"
#include "testutil.h"
#include "ledger_data.h"

static struct sig_hasher *H;

struct leaves {
	size_t	n;
	uint8_t	hash[600][MERKLE_HASH_LEN];
};

static int
leaf_at(void *ctx, uint64_t i, uint8_t out[MERKLE_HASH_LEN], struct diag *d)
{
	struct leaves *l = ctx;

	if (i >= l->n)
		return diag_input(d, "no leaf %llu", (unsigned long long)i);
	memcpy(out, l->hash[i], MERKLE_HASH_LEN);
	return 0;
}

/* A 32-byte hash from hex; shorter vectors (deliberately bad) are padded. */
static void
hash_hex(const char *s, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t tmp[64];
	size_t n = ld_hex(s, strlen(s), tmp, sizeof(tmp));

	memset(out, 0, MERKLE_HASH_LEN);
	if (n != (size_t)-1)
		memcpy(out, tmp, n < MERKLE_HASH_LEN ? n : MERKLE_HASH_LEN);
}

static bool
hex_is_hash(const char *s)
{
	return strlen(s) == 2 * MERKLE_HASH_LEN;
}

/* A proof from a comma list; false if an element is not a 32-byte hash. */
static bool
proof_hex(const char *s, struct merkle_proof *p)
{
	bool ok = true;

	p->n = 0;
	if (strcmp(s, "-") == 0)
		return true;
	for (;;) {
		const char *c = strchr(s, ',');
		size_t len = c ? (size_t)(c - s) : strlen(s);
		char tmp[200];

		if (p->n == MERKLE_PROOF_MAX)
			return false;
		snprintf(tmp, sizeof(tmp), "%.*s", (int)len, s);
		ok = ok && hex_is_hash(tmp);
		hash_hex(tmp, p->hash[p->n++]);
		if (c == NULL)
			return ok;
		s = c + 1;
	}
}

static void
load_tree8(struct leaves *l)
{
	size_t len;
	char *buf = ld_read("merkle/tree8-leaves.tsv", &len), *cur = buf, *f[4];
	uint8_t in[64];

	l->n = 0;
	while (ld_tsv_next(&cur, f, 4) == 3) {
		size_t n = ld_hex(f[1], strlen(f[1]), in, sizeof(in));
		uint8_t want[MERKLE_HASH_LEN];

		merkle_leaf_hash(H, in, n, l->hash[l->n]);
		hash_hex(f[2], want);
		CU_ASSERT(memcmp(l->hash[l->n], want, MERKLE_HASH_LEN) == 0);
		l->n++;
	}
	CU_ASSERT_EQUAL(l->n, 8);
	free(buf);
}

static void
test_hashes(void)
{
	size_t len, row = 0;
	char *buf = ld_read("merkle/hashes.tsv", &len), *cur = buf, *f[6];

	while (ld_tsv_next(&cur, f, 6) == 6) {
		uint8_t a[64], b[64], want[32], got[32];
		size_t an = ld_hex(f[2], strlen(f[2]), a, sizeof(a));
		size_t bn = ld_hex(f[3], strlen(f[3]), b, sizeof(b));
		uint8_t la[32], lb[32];

		hash_hex(f[4], want);
		if (strcmp(f[1], "empty") == 0)
			merkle_empty_root(got);
		else if (strcmp(f[1], "leaf") == 0)
			merkle_leaf_hash(H, a, an, got);
		else {
			/* node vectors give the two children as raw bytes */
			memset(la, 0, 32);
			memset(lb, 0, 32);
			sig_hash_init(H);
			sig_hash_update(H, "\x01", 1);
			sig_hash_update(H, a, an);
			sig_hash_update(H, b, bn);
			sig_hash_final(H, got);
			if (an == 32 && bn == 32) {
				merkle_node_hash(H, a, b, la);
				CU_ASSERT(memcmp(la, got, 32) == 0);
			}
			(void)lb;
		}
		if (memcmp(got, want, 32) != 0)
			fprintf(stderr, "hashes.tsv row %zu (%s) differs\n",
			    row, f[0]);
		TEST_INT_EQ(row, memcmp(got, want, 32) == 0, 1);
		row++;
	}
	CU_ASSERT(row >= 5);
	free(buf);
}

/* Roots of sizes 0..8 and every complete-subtree node of the 8-leaf tree. */
static void
test_tree8(void)
{
	struct leaves l;
	struct merkle_frontier fr;
	struct diag d = DIAG_INIT;
	size_t len, row = 0;
	char *buf = ld_read("merkle/tree8-roots.tsv", &len), *cur = buf, *f[3];

	load_tree8(&l);
	while (ld_tsv_next(&cur, f, 3) == 2) {
		uint64_t size = strtoull(f[0], NULL, 10);
		uint8_t want[32], got[32];

		hash_hex(f[1], want);
		CU_ASSERT_EQUAL(merkle_subtree_root(leaf_at, &l, H, 0, size, got,
		    &d), 0);
		TEST_INT_EQ(row, memcmp(got, want, 32), 0);
		merkle_frontier_init(&fr);
		for (uint64_t i = 0; i < size; i++)
			merkle_frontier_push(&fr, H, l.hash[i], &d);
		CU_ASSERT(merkle_frontier_valid(&fr));	/* invariant 1 */
		merkle_frontier_root(&fr, H, got);
		TEST_INT_EQ(row, memcmp(got, want, 32), 0);
		row++;
	}
	TEST_INT_EQ(0, row, 9);
	free(buf);

	buf = ld_read("merkle/tree8-nodes.tsv", &len);
	cur = buf;
	row = 0;
	while (ld_tsv_next(&cur, f, 3) == 3) {
		uint64_t level = strtoull(f[0], NULL, 10);
		uint64_t idx = strtoull(f[1], NULL, 10);
		uint8_t want[32], got[32];

		hash_hex(f[2], want);
		merkle_subtree_root(leaf_at, &l, H, idx << level,
		    (idx + 1) << level, got, &d);
		TEST_INT_EQ(row, memcmp(got, want, 32), 0);
		row++;
	}
	TEST_INT_EQ(0, row, 15);
	free(buf);
}

/* Inclusion vectors: columns differ per file, given by index. */
static void
run_inclusion(const char *file, int c_idx, int c_size, int c_leaf, int c_root,
    int c_proof, int c_expect, int nf, size_t min_rows)
{
	size_t len, row = 0;
	char *buf = ld_read(file, &len), *cur = buf, *f[10];
	int n;

	while ((n = ld_tsv_next(&cur, f, 10)) > 0) {
		struct merkle_proof p;
		uint8_t leaf[32], root[32];
		uint64_t idx = strtoull(f[c_idx], NULL, 10);
		uint64_t size = strtoull(f[c_size], NULL, 10);
		bool want = c_expect < 0 || strcmp(f[c_expect], "ok") == 0;
		bool got;

		CU_ASSERT_EQUAL(n, nf);
		hash_hex(f[c_leaf], leaf);
		hash_hex(f[c_root], root);
		got = proof_hex(f[c_proof], &p) &&
		    merkle_verify_inclusion(H, idx, size, leaf, &p, root,
		    NULL) == 0 && hex_is_hash(f[c_leaf]) &&
		    hex_is_hash(f[c_root]);
		if (got != want)
			fprintf(stderr, "%s row %zu (%s): got %d want %d\n",
			    file, row, f[0], got, want);
		TEST_INT_EQ(row, got, want);
		row++;
	}
	CU_ASSERT(row >= min_rows);
	free(buf);
}

static void
test_inclusion_vectors(void)
{
	run_inclusion("merkle/tdm-inclusion.tsv", 1, 2, 3, 4, 5, 6, 8, 98);
	run_inclusion("merkle/sigsum-rs-inclusion.tsv", 1, 2, 3, 4, 5, 6, 8, 8);
	run_inclusion("merkle/derived-tree8-inclusion-all.tsv", 0, 1, 2, 3, 4,
	    -1, 5, 36);
}

static void
run_consistency(const char *file, int off, int c_expect, int nf,
    size_t min_rows)
{
	size_t len, row = 0;
	char *buf = ld_read(file, &len), *cur = buf, *f[10];
	int n;

	while ((n = ld_tsv_next(&cur, f, 10)) > 0) {
		struct merkle_proof p;
		uint8_t r1[32], r2[32];
		uint64_t m = strtoull(f[off], NULL, 10);
		uint64_t sz = strtoull(f[off + 1], NULL, 10);
		bool want = c_expect < 0 || strcmp(f[c_expect], "ok") == 0;
		bool got;

		CU_ASSERT_EQUAL(n, nf);
		hash_hex(f[off + 2], r1);
		hash_hex(f[off + 3], r2);
		got = proof_hex(f[off + 4], &p) &&
		    merkle_verify_consistency(H, m, sz, r1, r2, &p, NULL) == 0;
		if (got != want)
			fprintf(stderr, "%s row %zu (%s): got %d want %d\n",
			    file, row, f[0], got, want);
		TEST_INT_EQ(row, got, want);
		row++;
	}
	CU_ASSERT(row >= min_rows);
	free(buf);
}

static void
test_consistency_vectors(void)
{
	run_consistency("merkle/tdm-consistency.tsv", 1, 6, 8, 98);
	run_consistency("merkle/litewitness-consistency.tsv", 0, -1, 5, 3);
	run_consistency("merkle/derived-tree8-consistency-all.tsv", 0, -1, 5,
	    36);
}

/* Generated proofs for the 8-leaf tree equal the published ones. */
static void
test_generate_tree8(void)
{
	struct leaves l;
	struct diag d = DIAG_INIT;
	size_t len, row = 0;
	char *buf, *cur, *f[6];

	load_tree8(&l);
	buf = ld_read("merkle/derived-tree8-inclusion-all.tsv", &len);
	cur = buf;
	while (ld_tsv_next(&cur, f, 6) == 5) {
		struct merkle_proof got, want;

		proof_hex(f[4], &want);
		CU_ASSERT_EQUAL(merkle_inclusion_proof(&got, leaf_at, &l, H,
		    strtoull(f[0], NULL, 10), strtoull(f[1], NULL, 10), &d), 0);
		TEST_INT_EQ(row, got.n, want.n);
		TEST_INT_EQ(row, memcmp(got.hash, want.hash, want.n * 32), 0);
		row++;
	}
	free(buf);
	buf = ld_read("merkle/derived-tree8-consistency-all.tsv", &len);
	cur = buf;
	while (ld_tsv_next(&cur, f, 6) == 5) {
		struct merkle_proof got, want;

		proof_hex(f[4], &want);
		CU_ASSERT_EQUAL(merkle_consistency_proof(&got, leaf_at, &l, H,
		    strtoull(f[0], NULL, 10), strtoull(f[1], NULL, 10), &d), 0);
		TEST_INT_EQ(row, got.n, want.n);
		TEST_INT_EQ(row, memcmp(got.hash, want.hash, want.n * 32), 0);
		row++;
	}
	free(buf);
	CU_ASSERT(row >= 72);
}

/* Naive RFC 6962 2.1 recursion, the oracle of the randomized test. */
static void
naive_mth(const struct leaves *l, size_t lo, size_t n, uint8_t out[32])
{
	uint8_t a[32], b[32];
	size_t k = 1;

	if (n == 0) {
		merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, l->hash[lo], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_mth(l, lo, k, a);
	naive_mth(l, lo + k, n - k, b);
	merkle_node_hash(H, a, b, out);
}

static void
test_random(void)
{
	static struct leaves l;
	struct diag d = DIAG_INIT;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct merkle_frontier fr;
	uint8_t roots[600][32];

	l.n = 600;
	for (size_t i = 0; i < l.n; i++) {
		uint64_t v = ld_rand(&seed);

		merkle_leaf_hash(H, &v, sizeof(v), l.hash[i]);
	}
	merkle_frontier_init(&fr);
	merkle_frontier_root(&fr, H, roots[0]);
	for (size_t n = 1; n < l.n; n++) {
		uint8_t want[32];

		merkle_frontier_push(&fr, H, l.hash[n - 1], &d);
		merkle_frontier_root(&fr, H, roots[n]);
		naive_mth(&l, 0, n, want);
		TEST_INT_EQ(n, memcmp(roots[n], want, 32), 0);
	}
	for (int r = 0; r < 300; r++) {
		uint64_t n = 1 + ld_rand(&seed) % (l.n - 1);
		uint64_t i = ld_rand(&seed) % n;
		uint64_t m = 1 + ld_rand(&seed) % n;
		struct merkle_proof p;
		uint8_t bad[32];

		CU_ASSERT_EQUAL_FATAL(merkle_inclusion_proof(&p, leaf_at, &l, H,
		    i, n, &d), 0);
		TEST_INT_EQ(r, merkle_verify_inclusion(H, i, n, l.hash[i], &p,
		    roots[n], NULL), 0);
		/*
		 * A wrong leaf or root fails.  (A wrong size may not: the
		 * verifier sees only the shape; the signed checkpoint binds
		 * the size to the root.)
		 */
		TEST_INT_EQ(r, merkle_verify_inclusion(H, i, n,
		    l.hash[(i + 1) % l.n], &p, roots[n], NULL), -1);
		TEST_INT_EQ(r, merkle_verify_inclusion(H, i, n, l.hash[i], &p,
		    roots[n - 1], NULL), -1);
		CU_ASSERT_EQUAL_FATAL(merkle_consistency_proof(&p, leaf_at, &l,
		    H, m, n, &d), 0);
		TEST_INT_EQ(r, merkle_verify_consistency(H, m, n, roots[m],
		    roots[n], &p, NULL), 0);
		if (p.n > 0) {
			memcpy(bad, roots[m], 32);
			bad[r % 32] ^= 1;
			TEST_INT_EQ(r, merkle_verify_consistency(H, m, n, bad,
			    roots[n], &p, NULL), -1);
			p.hash[p.n - 1][0] ^= 0x80;
			TEST_INT_EQ(r, merkle_verify_consistency(H, m, n,
			    roots[m], roots[n], &p, NULL), -1);
		}
	}
	CU_ASSERT(!sig_hasher_failed(H));
}

static void
test_errors(void)
{
	struct leaves l;
	struct merkle_proof p;
	struct merkle_frontier fr;
	struct diag d = DIAG_INIT;
	uint8_t z[32] = { 0 };

	load_tree8(&l);
	CU_ASSERT_EQUAL(merkle_inclusion_proof(&p, leaf_at, &l, H, 8, 8, &d),
	    -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	diag_clear(&d);
	CU_ASSERT_EQUAL(merkle_consistency_proof(&p, leaf_at, &l, H, 0, 8, &d),
	    -1);
	diag_clear(&d);
	CU_ASSERT_EQUAL(merkle_consistency_proof(&p, leaf_at, &l, H, 9, 8, &d),
	    -1);
	diag_clear(&d);
	/* the leaf source's error comes through */
	CU_ASSERT_EQUAL(merkle_inclusion_proof(&p, leaf_at, &l, H, 0, 9, &d),
	    -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "no leaf 8");
	diag_clear(&d);
	fr.size = UINT64_MAX;
	fr.n = 64;
	CU_ASSERT_EQUAL(merkle_frontier_push(&fr, H, z, &d), -1);
	fr.n = 3;
	CU_ASSERT(!merkle_frontier_valid(&fr));
	p.n = 0;
	diag_clear(&d);
	CU_ASSERT_EQUAL(merkle_verify_inclusion(H, 0, 2, l.hash[0], &p,
	    l.hash[0], &d), -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "inclusion proof too short");
}

/* The frontier of a tree holds one hash per set bit of its size. */
static void
test_frontier_len(void)
{
	static const struct {
		uint64_t	size;
		unsigned	want;
	} cases[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 1 }, { 7, 3 }, { 8, 1 }, { 1000, 6 },
		{ 1ULL << 63, 1 }, { UINT64_MAX, 64 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TEST_INT_EQ(i, merkle_frontier_len(cases[i].size),
		    cases[i].want);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "hashes", test_hashes },
		{ "frontier length", test_frontier_len },
		{ "tree8 roots and nodes", test_tree8 },
		{ "inclusion vectors", test_inclusion_vectors },
		{ "consistency vectors", test_consistency_vectors },
		{ "generated proofs = vectors", test_generate_tree8 },
		{ "random vs naive", test_random },
		{ "errors", test_errors },
		{ NULL, NULL },
	};
	struct diag d = DIAG_INIT;
	int rc;

	if (sig_hasher_new(&H, &d) != 0)
		return 3;
	rc = test_run("merkle", tests);
	sig_hasher_free(H);
	return rc;
}
