/*
 * Unit tests of libcommon/ledger through its API, with synthetic entries
 * (opaque canonical bytes and hash ids): append, verify, the tamper rule
 * (every byte flipped, and every byte flipped with the record checksum
 * fixed up, so that the semantic checks are reached), truncation at every
 * offset and recovery, proofs checked against checkpoints.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "ledger.h"
#include "ledger_int.h"
#include "sig.h"
#include "testutil.h"

static char dir[64];
static struct sig_key *KEY;

static const char *
tpath(const char *name)
{
	static char buf[2][300];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void
make_events(struct ledger_event *ev, char (*ids)[64], char (*canon)[64],
    size_t n, size_t base)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(ids[i], 64, "ni:///sha-256;%08zx?ver=CBV2.0", base + i);
		snprintf(canon[i], 64, "<ObjectEvent n=\"%zu\"/>", base + i);
		ev[i].canon = canon[i];
		ev[i].canon_len = strlen(canon[i]);
		ev[i].hash_id = ids[i];
		ev[i].line = i + 1;
		ev[i].user = NULL;
	}
}

/* A small ledger: 3 appends of 2, 1 and 3 events; fixed time. */
static void
make_ledger(const char *path)
{
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	struct ledger_opts o = { 0 };
	struct ledger_event ev[3];
	char ids[3][64], canon[3][64];
	size_t sizes[] = { 2, 1, 3 }, base = 0;

	unlink(path);
	o.origin = "example.com/ledger";
	o.time_ms = 1767225600000ULL;
	CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, path, true, &d), 0);
	for (size_t a = 0; a < 3; a++) {
		struct ledger_stats st;

		make_events(ev, ids, canon, sizes[a], base);
		CU_ASSERT_EQUAL(ledger_append(lg, ev, sizes[a], KEY, &o, &st,
		    &d), 0);
		CU_ASSERT_EQUAL(st.appended, sizes[a]);
		base += sizes[a];
	}
	ledger_close(lg);
}

static int
verify_file(const char *path, struct ledger_stats *st, struct diag *d)
{
	struct ledger *lg;
	int rc;

	if (ledger_open(&lg, path, false, d) != 0)
		return -2;
	rc = ledger_verify(lg, NULL, st, d);
	ledger_close(lg);
	return rc;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static void
spit(const char *path, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(b, 1, len, f);
	fclose(f);
}

static void
test_append_verify(void)
{
	struct ledger_stats st;
	struct diag d = DIAG_INIT;
	struct ledger *lg;
	struct ledger_event ev[3];
	char ids[3][64], canon[3][64];

	make_ledger(tpath("a.dsl"));
	CU_ASSERT_EQUAL(verify_file(tpath("a.dsl"), &st, &d), 0);
	CU_ASSERT_EQUAL(st.entries, 6);
	CU_ASSERT_EQUAL(st.seals, 3);
	/* duplicates: refused, reported, nothing written when all are */
	CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, tpath("a.dsl"), true, &d), 0);
	make_events(ev, ids, canon, 3, 4);	/* 4, 5 exist; 6 is new */
	CU_ASSERT_EQUAL(ledger_append(lg, ev, 3, KEY, NULL, &st, &d), 0);
	CU_ASSERT_EQUAL(st.appended, 1);
	CU_ASSERT_EQUAL(st.duplicates, 2);
	CU_ASSERT_EQUAL(st.entries, 7);
	CU_ASSERT_EQUAL(ledger_append(lg, ev, 3, KEY, NULL, &st, &d), 0);
	CU_ASSERT_EQUAL(st.appended, 0);
	CU_ASSERT_EQUAL(st.duplicates, 3);
	/* a copy inside one batch */
	make_events(ev, ids, canon, 2, 100);
	ev[1] = ev[0];
	CU_ASSERT_EQUAL(ledger_append(lg, ev, 2, KEY, NULL, &st, &d), 0);
	CU_ASSERT_EQUAL(st.appended, 1);
	CU_ASSERT_EQUAL(st.duplicates, 1);
	/* a bad event in the middle: nothing of the batch is written */
	make_events(ev, ids, canon, 3, 200);
	ev[1].hash_id = "has space";
	CU_ASSERT_EQUAL(ledger_append(lg, ev, 3, KEY, NULL, &st, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	ledger_close(lg);
	diag_clear(&d);
	CU_ASSERT_EQUAL(verify_file(tpath("a.dsl"), &st, &d), 0);
	CU_ASSERT_EQUAL(st.entries, 8);
}

/* Recompute a record's checksum after an edit at `at`. */
static void
fix_crc(uint8_t *b, size_t len, size_t at)
{
	size_t off = LEDGER_MAGIC_LEN;

	while (off + 12 <= len) {
		uint32_t rl = ld_get32(b + off);
		size_t end = off + rl + 12;

		if (rl < 2 || end > len)
			return;
		if (at < end) {
			ld_put32(b + off + 4 + rl, ledger_crc32c(0, b + off,
			    rl + 4));
			return;
		}
		off = end;
	}
}

static void
test_tamper(void)
{
	size_t len;
	uint8_t *b, *t;
	struct diag d = DIAG_INIT;
	size_t passed = 0, passed_fixed = 0;

	make_ledger(tpath("t.dsl"));
	b = slurp(tpath("t.dsl"), &len);
	t = malloc(len);
	for (size_t i = 0; i < len; i++) {
		memcpy(t, b, len);
		t[i] ^= 0x01;
		spit(tpath("x.dsl"), t, len);
		diag_clear(&d);
		if (verify_file(tpath("x.dsl"), NULL, &d) == 0) {
			fprintf(stderr, "flip at %zu passed verify\n", i);
			passed++;
		}
		/* the same flip with a valid checksum: semantics must catch it */
		fix_crc(t, len, i);
		spit(tpath("x.dsl"), t, len);
		diag_clear(&d);
		if (memcmp(t, b, len) != 0 &&
		    verify_file(tpath("x.dsl"), NULL, &d) == 0) {
			fprintf(stderr, "flip at %zu with fixed crc passed\n", i);
			passed_fixed++;
		}
	}
	TEST_INT_EQ(0, passed, 0);
	TEST_INT_EQ(0, passed_fixed, 0);
	free(t);
	free(b);
}

static void
test_truncate_recover(void)
{
	size_t len;
	uint8_t *b;
	struct diag d = DIAG_INIT;
	size_t ns = 0, bad = 0;
	struct ledger_stats st;
	uint64_t sealed_entries = 0;

	make_ledger(tpath("r.dsl"));
	b = slurp(tpath("r.dsl"), &len);
	/* sealed ends: find them by verifying prefixes */
	for (size_t cut = 0; cut < len; cut++) {
		struct ledger *lg;
		uint64_t removed, rent;
		int v;

		spit(tpath("y.dsl"), b, cut);
		diag_clear(&d);
		v = verify_file(tpath("y.dsl"), &st, &d);
		if (v == 0) {
			if (st.entries > sealed_entries)
				ns++;
			sealed_entries = st.entries;
			continue;
		}
		if (strstr(d.msg, "torn tail") == NULL) {
			fprintf(stderr, "cut %zu: %s\n", cut, d.msg);
			bad++;
		}
		diag_clear(&d);
		CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, tpath("y.dsl"), true,
		    &d), 0);
		if (ledger_recover(lg, &removed, &rent, &st, &d) != 0) {
			fprintf(stderr, "cut %zu: recover: %s\n", cut, d.msg);
			bad++;
		}
		ledger_close(lg);
		diag_clear(&d);
		if (verify_file(tpath("y.dsl"), &st, &d) != 0) {
			fprintf(stderr, "cut %zu: after recover: %s\n", cut,
			    d.msg);
			bad++;
		}
		/* every sealed entry before the cut is intact */
		if (st.entries != sealed_entries) {
			fprintf(stderr, "cut %zu: %llu entries, want %llu\n",
			    cut, (unsigned long long)st.entries,
			    (unsigned long long)sealed_entries);
			bad++;
		}
	}
	TEST_INT_EQ(0, bad, 0);
	TEST_INT_EQ(0, ns, 2);		/* the 2 complete seals before the end */
	free(b);
}

static void
test_recover_refuses_damage(void)
{
	size_t len;
	uint8_t *b;
	struct diag d = DIAG_INIT;
	struct ledger *lg;
	uint64_t removed, rent;

	make_ledger(tpath("z.dsl"));
	b = slurp(tpath("z.dsl"), &len);
	b[40] ^= 0xff;		/* inside the first entry */
	spit(tpath("z.dsl"), b, len);
	CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, tpath("z.dsl"), true, &d), 0);
	CU_ASSERT_EQUAL(ledger_recover(lg, &removed, &rent, NULL, &d), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "not a torn tail"));
	ledger_close(lg);
	free(b);
}

static void
test_proofs(void)
{
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	char *ck = NULL, *ck1 = NULL, *pr = NULL;
	size_t cklen, ck1len, prlen;
	struct ledger_proof_result r;
	const struct sig_vkey *k = sig_key_public(KEY);

	make_ledger(tpath("p.dsl"));
	CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, tpath("p.dsl"), false, &d), 0);
	CU_ASSERT_EQUAL(ledger_checkpoint(lg, 0, &ck, &cklen, &d), 0);
	CU_ASSERT_EQUAL(ledger_checkpoint(lg, 2, &ck1, &ck1len, &d), 0);
	CU_ASSERT_EQUAL(ledger_checkpoint(lg, 4, &pr, &prlen, &d), -1);
	diag_clear(&d);
	for (uint64_t i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(ledger_prove_inclusion(lg, NULL, i, 0, &pr,
		    &prlen, &d), 0);
		CU_ASSERT_EQUAL(ledger_check_proof(pr, prlen, NULL, 0, k, 1, &r,
		    &d), 0);
		CU_ASSERT_EQUAL(r.index, i);
		CU_ASSERT_EQUAL(r.size, 6);
		/* a flipped proof byte fails (or is malformed) */
		pr[prlen / 2] ^= 1;
		CU_ASSERT_EQUAL(ledger_check_proof(pr, prlen, NULL, 0, k, 1, &r,
		    &d), -1);
		diag_clear(&d);
		free(pr);
	}
	CU_ASSERT_EQUAL(ledger_prove_inclusion(lg, "ni:///sha-256;00000004?ver="
	    "CBV2.0", 0, 0, &pr, &prlen, &d), 0);
	CU_ASSERT_EQUAL(ledger_check_proof(pr, prlen, NULL, 0, k, 1, &r, &d), 0);
	CU_ASSERT_EQUAL(r.index, 4);
	free(pr);
	CU_ASSERT_EQUAL(ledger_prove_consistency(lg, 2, 0, &pr, &prlen, &d), 0);
	CU_ASSERT_EQUAL(ledger_check_proof(pr, prlen, ck1, ck1len, k, 1, &r, &d),
	    0);
	CU_ASSERT_EQUAL(r.old_size, 2);
	/* against the wrong old checkpoint */
	CU_ASSERT_EQUAL(ledger_check_proof(pr, prlen, ck, cklen, k, 1, &r, &d),
	    -1);
	free(pr);
	free(ck);
	free(ck1);
	ledger_close(lg);
}

/*
 * The dedupe key of a hash id: a CBV 2.0 id's first 16 hash bytes, or
 * the first 16 bytes of SHA-256 of anything else (upper-case hex, a
 * non-hex digit anywhere in the 64, another length or form).
 */
static void
test_dup_key(void)
{
	static const char hex64[] =
	    "0123456789abcdeffedcba9876543210a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5";
	static const struct {
		const char	*name;
		int		 at;	/* digit replaced, -1 none */
		char		 with;
		bool		 cbv;	/* decoded, not hashed */
	} cases[] = {
		{ "lower-case CBV 2.0", -1, 0, true },
		{ "upper-case digit in the key half", 3, 'A', false },
		{ "'g' in the key half", 31, 'g', false },
		{ "'/' in the other half", 40, '/', false },
		{ "':' last", 63, ':', false },
		{ "'f' stays hex", 63, 'f', true },
	};
	static const uint8_t want[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	    0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	struct diag d = DIAG_INIT;
	struct sig_hasher *h;

	CU_ASSERT_EQUAL_FATAL(sig_hasher_new(&h, &d), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char id[128];
		uint8_t key[16], full[32];
		int n = snprintf(id, sizeof(id), "ni:///sha-256;%s?ver=CBV2.0",
		    hex64);

		if (cases[c].at >= 0)
			id[14 + cases[c].at] = cases[c].with;
		ld_dup_key(h, id, (size_t)n, key);
		sig_sha256(id, (size_t)n, full);
		if (memcmp(key, cases[c].cbv ? want : full, 16) != 0)
			fprintf(stderr, "dup key: %s\n", cases[c].name);
		CU_ASSERT_EQUAL(memcmp(key, cases[c].cbv ? want : full, 16), 0);
	}
	sig_hasher_free(h);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "append and verify", test_append_verify },
		{ "tamper every byte", test_tamper },
		{ "truncate every offset, recover", test_truncate_recover },
		{ "recover refuses damage", test_recover_refuses_damage },
		{ "proofs", test_proofs },
		{ "dedupe key of a hash id", test_dup_key },
		{ NULL, NULL },
	};
	struct diag d = DIAG_INIT;
	uint8_t seed[32] = { 7 };
	int rc;

	/* thousands of fsyncs: a RAM file system keeps the test fast */
	snprintf(dir, sizeof(dir), "%s/test_ledger.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL ||
	    sig_key_from_seed(&KEY, "example.com/mfr", seed, &d) != 0)
		return 3;
	rc = test_run("ledger", tests);
	sig_key_free(KEY);
	{
		const char *names[] = { "a.dsl", "t.dsl", "x.dsl", "r.dsl",
		    "y.dsl", "z.dsl", "p.dsl" };

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			unlink(tpath(names[i]));
	}
	rmdir(dir);
	return rc;
}
