/*
 * Unit tests of libcommon/serial: rejection sampling (exact counts over
 * every byte value), alphabets, the capacity rule, uniqueness within a
 * batch, and the registry (uniqueness across runs, refusing foreign files,
 * nothing stored on error).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "serial.h"
#include "testutil.h"

/* A byte source that plays back a fixed sequence, cyclically. */
struct playback {
	const unsigned char	*bytes;
	size_t			 n, pos;
};

static int
playback_fill(void *ctx, unsigned char *buf, size_t len, struct diag *d)
{
	struct playback *p = ctx;

	(void)d;
	for (size_t i = 0; i < len; i++) {
		buf[i] = p->bytes[p->pos];
		p->pos = (p->pos + 1) % p->n;
	}
	return 0;
}

static int
failing_fill(void *ctx, unsigned char *buf, size_t len, struct diag *d)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return diag_system(d, "no entropy");
}

static void
test_rejection_exact(void)
{
	static const unsigned sizes[] = { 2, 10, 31, 36, 62, 82, 100, 255, 256 };
	unsigned char all[256];

	for (unsigned i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (size_t row = 0; row < sizeof(sizes) / sizeof(sizes[0]); row++) {
		unsigned n = sizes[row], limit = 256 - 256 % n;
		struct playback p = { all, 256, 0 };
		struct serial_rng *r;
		struct diag d = DIAG_INIT;
		unsigned count[256] = { 0 }, v;

		CU_ASSERT_EQUAL_FATAL(serial_rng_open_source(&r, playback_fill,
		    &p, &d), 0);
		/*
		 * Each pass over all 256 bytes yields `limit` draws, each
		 * symbol exactly limit / n times; a biased reduction would
		 * drift after the first pass.
		 */
		for (unsigned k = 0; k < 3 * limit; k++) {
			CU_ASSERT_EQUAL(serial_rng_uniform(r, n, &v, &d), 0);
			CU_ASSERT(v < n);
			count[v]++;
		}
		for (unsigned s = 0; s < n; s++)
			TEST_INT_EQ(row * 1000 + s, count[s], 3 * limit / n);
		serial_rng_free(r);
	}
}

static void
test_rejection_skips(void)
{
	static const unsigned char seq[] = { 250, 255, 3, 252, 249 };
	struct playback p = { seq, sizeof(seq), 0 };
	struct serial_rng *r;
	struct diag d = DIAG_INIT;
	unsigned v;

	CU_ASSERT_EQUAL_FATAL(serial_rng_open_source(&r, playback_fill, &p,
	    &d), 0);
	CU_ASSERT_EQUAL(serial_rng_uniform(r, 10, &v, &d), 0);
	CU_ASSERT_EQUAL(v, 3);
	CU_ASSERT_EQUAL(serial_rng_uniform(r, 10, &v, &d), 0);
	CU_ASSERT_EQUAL(v, 9);
	serial_rng_free(r);

	CU_ASSERT_EQUAL_FATAL(serial_rng_open_source(&r, failing_fill, NULL,
	    &d), 0);
	CU_ASSERT_EQUAL(serial_rng_uniform(r, 10, &v, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_SYSTEM);
	CU_ASSERT_STRING_EQUAL(d.msg, "no entropy");
	serial_rng_free(r);
}

static void
test_test_seed(void)
{
	struct serial_rng *a, *b, *c;
	struct diag d = DIAG_INIT;
	unsigned char x[64], y[64], z[64];

	CU_ASSERT_EQUAL_FATAL(serial_rng_open_test_seed(&a, "s1", &d), 0);
	CU_ASSERT_EQUAL_FATAL(serial_rng_open_test_seed(&b, "s1", &d), 0);
	CU_ASSERT_EQUAL_FATAL(serial_rng_open_test_seed(&c, "s2", &d), 0);
	CU_ASSERT_EQUAL(serial_rng_bytes(a, x, sizeof(x), &d), 0);
	CU_ASSERT_EQUAL(serial_rng_bytes(b, y, sizeof(y), &d), 0);
	CU_ASSERT_EQUAL(serial_rng_bytes(c, z, sizeof(z), &d), 0);
	CU_ASSERT(memcmp(x, y, sizeof(x)) == 0);
	CU_ASSERT(memcmp(x, z, sizeof(x)) != 0);
	serial_rng_free(a);
	serial_rng_free(b);
	serial_rng_free(c);
}

static void
test_system_rng(void)
{
	struct serial_rng *r;
	struct diag d = DIAG_INIT;
	unsigned char x[200000];
	unsigned count[256] = { 0 };

	/* More than one buffer: refills work; no value absent from 200k bytes. */
	CU_ASSERT_EQUAL_FATAL(serial_rng_open(&r, &d), 0);
	CU_ASSERT_EQUAL(serial_rng_bytes(r, x, sizeof(x), &d), 0);
	for (size_t i = 0; i < sizeof(x); i++)
		count[x[i]]++;
	for (unsigned v = 0; v < 256; v++)
		TEST_INT_EQ(v, count[v] > 0, 1);
	serial_rng_free(r);
}

static void
test_alphabets(void)
{
	static const struct {
		const char	*spec;
		int		 rc;
		size_t		 n;
		const char	*want;	/* name, or the error message */
	} cases[] = {
		{ "digits", 0, 10, "digits" },
		{ "upper", 0, 36, "upper" },
		{ "alnum", 0, 62, "alnum" },
		{ "safe", 0, 31, "safe" },
		{ "ABC", 0, 3, "custom" },
		{ "!%&()*+,-./:;<=>?_", 0, 18, "custom" },
		{ "AB", 0, 2, "custom" },
		{ "A", -1, 0, "alphabet 'A': not a name (digits, upper, alnum, "
		    "safe) and fewer than 2 symbols" },
		{ "", -1, 0, "alphabet '': not a name (digits, upper, alnum, "
		    "safe) and fewer than 2 symbols" },
		{ "ABA", -1, 0, "alphabet: 'A' appears twice" },
		{ "AB C", -1, 0, "alphabet: character 3 (0x20) is not in GS1 "
		    "CSET 82" },
		{ "AB#", -1, 0, "alphabet: character 3 (0x23) is not in GS1 "
		    "CSET 82" },
		{ "\xc3\xa9X", -1, 0, "alphabet: character 1 (0xc3) is not in "
		    "GS1 CSET 82" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct serial_alphabet a;
		struct diag d = DIAG_INIT;
		int rc = serial_alphabet_parse(&a, cases[i].spec, &d);

		TEST_INT_EQ(i, rc, cases[i].rc);
		if (rc == 0) {
			TEST_STR_EQ(i, a.name, cases[i].want);
			TEST_INT_EQ(i, a.n, cases[i].n);
			TEST_INT_EQ(i, strlen(a.chars), cases[i].n);
		} else {
			TEST_STR_EQ(i, d.msg, cases[i].want);
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		}
	}
}

static void
test_min_length(void)
{
	static const struct {
		size_t			n;
		unsigned long		margin;
		unsigned long long	total;
		size_t			want;
	} cases[] = {
		{ 10, 10000, 1, 4 },
		{ 10, 10000, 2, 5 },
		{ 10, 10000, 10, 5 },
		{ 10, 10000, 11, 6 },
		{ 36, 10000, 10000000, 8 },	/* 36^8 = 2.8e12 >= 1e11 */
		{ 2, 10000, 1000, 0 },		/* would need 24 */
		{ 2, 10000, 100, 20 },
		{ 2, 1, 1, 1 },
		{ 10, 10, 100000000, 9 },
		{ 10, 10000, 10000000000000000ULL, 20 },
		{ 10, 10000, 100000000000000000ULL, 0 },
		{ 1, 1, 1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TEST_INT_EQ(i, serial_min_length(cases[i].n, cases[i].margin,
		    cases[i].total), cases[i].want);
}

static struct serial_request
request(const struct serial_alphabet *a, size_t len, size_t count)
{
	struct serial_request rq = { a, len, count, SERIAL_MARGIN_AI21,
	    "00312345678906", "", false };

	return rq;
}

static void
test_capacity_messages(void)
{
	static const struct {
		const char	*alphabet;
		size_t		 len, count;
		bool		 sscc;
		const char	*want;
	} cases[] = {
		{ "digits", 4, 2, false, "2 serials (0 already issued) do not "
		    "fit alphabet 'digits' (10 symbols) at length 4 with margin "
		    "10000: length 5 would" },
		{ "AB", 20, 200, false, "200 serials (0 already issued) do not "
		    "fit alphabet 'custom' (2 symbols) at any length up to 20 "
		    "with margin 10000: use a larger alphabet" },
		{ "digits", 9, 100000001, false, "serial request out of range" },
		{ "digits", 21, 1, false, "serial request out of range" },
		{ "digits", 4, 2000, true, "2000 SSCCs (0 already issued) do "
		    "not fit 4-digit serial references with margin 10: a GS1 "
		    "Company Prefix of 11 digits or fewer would" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct serial_alphabet a;
		struct serial_rng *r;
		struct serial_batch *b = (struct serial_batch *)&a;
		struct diag d = DIAG_INIT;
		struct serial_request rq;

		CU_ASSERT_EQUAL_FATAL(serial_alphabet_parse(&a,
		    cases[i].alphabet, &d), 0);
		CU_ASSERT_EQUAL_FATAL(serial_rng_open_test_seed(&r, "x", &d),
		    0);
		rq = request(&a, cases[i].len, cases[i].count);
		if (cases[i].sscc) {
			rq.sscc = true;
			rq.margin = SERIAL_MARGIN_SSCC;
		}
		TEST_INT_EQ(i, serial_generate(&b, r, NULL, &rq, &d), -1);
		CU_ASSERT_PTR_NULL(b);
		TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		TEST_STR_EQ(i, d.msg, cases[i].want);
		serial_rng_free(r);
	}
}

static void
test_unique_in_batch(void)
{
	/* Digits: 1,2,3,4 then 1,2,3,4 again then 5,6,7,8: the repeat is dropped. */
	static const unsigned char seq[] = { 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct playback p = { seq, sizeof(seq), 0 };
	struct serial_alphabet a;
	struct serial_rng *r;
	struct serial_batch *b;
	struct diag d = DIAG_INIT;
	struct serial_request rq;

	CU_ASSERT_EQUAL_FATAL(serial_alphabet_parse(&a, "digits", &d), 0);
	CU_ASSERT_EQUAL_FATAL(serial_rng_open_source(&r, playback_fill, &p,
	    &d), 0);
	rq = request(&a, 4, 2);
	rq.margin = 1;
	CU_ASSERT_EQUAL_FATAL(serial_generate(&b, r, NULL, &rq, &d), 0);
	CU_ASSERT_EQUAL(serial_batch_count(b), 2);
	CU_ASSERT_EQUAL(serial_batch_length(b), 4);
	CU_ASSERT(memcmp(serial_batch_get(b, 0), "1234", 4) == 0);
	CU_ASSERT(memcmp(serial_batch_get(b, 1), "5678", 4) == 0);
	serial_batch_free(b);
	serial_rng_free(r);
}

static int
cmp4(const void *a, const void *b)
{
	return memcmp(a, b, 4);
}

static void
test_full_space(void)
{
	/* All 10^4 four-digit serials: only possible if duplicates are redrawn. */
	struct serial_alphabet a;
	struct serial_rng *r;
	struct serial_batch *b;
	struct diag d = DIAG_INIT;
	struct serial_request rq;
	char *all;

	CU_ASSERT_EQUAL_FATAL(serial_alphabet_parse(&a, "digits", &d), 0);
	CU_ASSERT_EQUAL_FATAL(serial_rng_open_test_seed(&r, "full", &d), 0);
	rq = request(&a, 4, 10000);
	rq.margin = 1;
	CU_ASSERT_EQUAL_FATAL(serial_generate(&b, r, NULL, &rq, &d), 0);
	CU_ASSERT_EQUAL_FATAL(serial_batch_count(b), 10000);
	all = malloc(40000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	memcpy(all, serial_batch_get(b, 0), 40000);
	qsort(all, 10000, 4, cmp4);
	for (size_t i = 0; i < 10000; i++) {
		char want[5];

		snprintf(want, sizeof(want), "%04zu", i);
		if (memcmp(all + 4 * i, want, 4) != 0) {
			TEST_INT_EQ(i, 0, 1);
			break;
		}
	}
	/* Not sequential: the first serials are not 0000, 0001, ... */
	CU_ASSERT(memcmp(serial_batch_get(b, 0), "0000", 4) != 0 ||
	    memcmp(serial_batch_get(b, 1), "0001", 4) != 0);
	free(all);
	serial_batch_free(b);
	serial_rng_free(r);
}

static char tmpdir[64];

static void
tmp_path(char *buf, size_t cap, const char *name)
{
	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_serial.XXXXXX");
		if (mkdtemp(tmpdir) == NULL)
			CU_FAIL_FATAL("mkdtemp");
	}
	snprintf(buf, cap, "%s/%s", tmpdir, name);
}

static void
test_registry_across_runs(void)
{
	struct serial_alphabet a;
	struct serial_registry *g;
	struct serial_rng *r;
	struct serial_batch *b1, *b2;
	struct diag d = DIAG_INIT;
	struct serial_request rq;
	unsigned long long n;
	char path[128];

	tmp_path(path, sizeof(path), "runs.db");
	CU_ASSERT_EQUAL_FATAL(serial_alphabet_parse(&a, "digits", &d), 0);
	rq = request(&a, 3, 400);
	rq.margin = 1;
	/* Same seed twice: the second run must redraw all the first's serials. */
	for (int run = 0; run < 2; run++) {
		CU_ASSERT_EQUAL_FATAL(serial_registry_open(&g, path, &d), 0);
		CU_ASSERT_EQUAL_FATAL(serial_rng_open_test_seed(&r, "same", &d),
		    0);
		CU_ASSERT_EQUAL_FATAL(serial_generate(run ? &b2 : &b1, r, g,
		    &rq, &d), 0);
		serial_rng_free(r);
		serial_registry_free(g);
	}
	for (size_t i = 0; i < 400; i++)
		for (size_t j = 0; j < 400; j++)
			if (memcmp(serial_batch_get(b1, i),
			    serial_batch_get(b2, j), 3) == 0)
				TEST_INT_EQ(i * 1000 + j, 0, 1);

	serial_batch_free(b2);
	/* 800 of 1000 issued: 201 more do not fit ... */
	CU_ASSERT_EQUAL_FATAL(serial_registry_open(&g, path, &d), 0);
	CU_ASSERT_EQUAL(serial_registry_count(g, rq.key, "", &n, &d), 0);
	CU_ASSERT_EQUAL(n, 800);
	CU_ASSERT_EQUAL(serial_registry_count(g, "00312345678913", "", &n,
	    &d), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL_FATAL(serial_rng_open_test_seed(&r, "more", &d), 0);
	rq.count = 201;
	CU_ASSERT_EQUAL(serial_generate(&b2, r, g, &rq, &d), -1);
	CU_ASSERT_STRING_EQUAL(d.msg, "1001 serials (800 already issued) do "
	    "not fit alphabet 'digits' (10 symbols) at length 3 with margin 1: "
	    "length 4 would");
	/* ... and the refused request stored nothing. */
	CU_ASSERT_EQUAL(serial_registry_count(g, rq.key, "", &n, &d), 0);
	CU_ASSERT_EQUAL(n, 800);
	/* Another GTIN has its own namespace. */
	diag_clear(&d);
	rq.key = "00312345678913";
	rq.count = 1000;
	CU_ASSERT_EQUAL(serial_generate(&b2, r, g, &rq, &d), 0);
	serial_batch_free(b2);
	serial_rng_free(r);
	serial_registry_free(g);
	serial_batch_free(b1);
}

static void
test_registry_foreign(void)
{
	struct serial_registry *g = NULL;
	struct diag d = DIAG_INIT;
	char path[128];
	FILE *f;

	tmp_path(path, sizeof(path), "text.db");
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("this is not a database, just some text long enough to be "
	    "checked by SQLite as a header .......................\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(serial_registry_open(&g, path, &d), -1);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "not a dscsa-serial registry"));
	CU_ASSERT_STRING_EQUAL(d.where, path);

	diag_clear(&d);
	tmp_path(path, sizeof(path), "missingdir/x.db");
	CU_ASSERT_EQUAL(serial_registry_open(&g, path, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_SYSTEM);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "rejection sampling: exact counts", test_rejection_exact },
		{ "rejection sampling: skipped bytes", test_rejection_skips },
		{ "test seed is deterministic", test_test_seed },
		{ "getrandom source", test_system_rng },
		{ "alphabets", test_alphabets },
		{ "minimum length", test_min_length },
		{ "capacity messages", test_capacity_messages },
		{ "unique within a batch", test_unique_in_batch },
		{ "whole space, redrawing duplicates", test_full_space },
		{ "registry: unique across runs", test_registry_across_runs },
		{ "registry: foreign files", test_registry_foreign },
		{ NULL, NULL },
	};
	int rc = test_run("serial", tests);
	char path[128];

	if (tmpdir[0] != '\0') {
		const char *names[] = { "runs.db", "text.db" };

		for (size_t i = 0; i < 2; i++) {
			tmp_path(path, sizeof(path), names[i]);
			unlink(path);
		}
		rmdir(tmpdir);
	}
	return rc;
}
