/*
 * Unit tests of libcommon/sha256.c: the FIPS 180-4 / NIST CSRC example
 * vectors (empty, "abc", the 448-bit and 896-bit messages, one million
 * 'a'), then both block functions (portable and SHA-NI, where the CPU has
 * it) against OpenSSL's EVP SHA-256 on every length 0..1100 and on random
 * splits of the input over sha256_update() calls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>

#include "sha256.h"
#include "testutil.h"

static void
hex(const uint8_t md[SHA256_LEN], char out[2 * SHA256_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * SHA256_LEN] = '\0';
}

/* xorshift64: a fixed, portable sequence (rand() is banned, STYLE 8) */
static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The digest with the portable code (portable) or the default choice. */
static void
digest(bool portable, const void *p, size_t len, uint8_t md[SHA256_LEN])
{
	struct sha256_ctx c;

	sha256_init(&c);
	if (portable)
		sha256_force_portable(&c);
	sha256_update(&c, p, len);
	sha256_final(&c, md);
}

static void
test_nist(void)
{
	static const struct {
		const char	*msg;
		size_t		 repeat;
		const char	*want;
	} cases[] = {
		{ "", 1,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", 1,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
		{ "a", 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int portable = 0; portable < 2; portable++) {
			struct sha256_ctx c;
			uint8_t md[SHA256_LEN];
			char got[2 * SHA256_LEN + 1];
			size_t len = strlen(cases[i].msg);

			sha256_init(&c);
			if (portable)
				sha256_force_portable(&c);
			for (size_t k = 0; k < cases[i].repeat; k++)
				sha256_update(&c, cases[i].msg, len);
			sha256_final(&c, md);
			hex(md, got);
			TEST_STR_EQ(2 * i + (size_t)portable, got, cases[i].want);
			if (cases[i].repeat == 1) {
				sha256(cases[i].msg, len, md);
				hex(md, got);
				TEST_STR_EQ(i, got, cases[i].want);
			}
		}
}

static void
openssl_digest(const void *p, size_t len, uint8_t md[SHA256_LEN])
{
	unsigned int n = 0;

	CU_ASSERT_EQUAL_FATAL(EVP_Digest(p, len, md, &n, EVP_sha256(), NULL), 1);
	CU_ASSERT_EQUAL_FATAL(n, SHA256_LEN);
}

#define MAXLEN	1100

static void
test_lengths(void)
{
	static uint8_t msg[MAXLEN + 1];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t bad = 0;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)next_random(&seed);
	for (size_t len = 0; len <= MAXLEN; len++) {
		uint8_t want[SHA256_LEN], got[SHA256_LEN];

		openssl_digest(msg, len, want);
		for (int portable = 0; portable < 2; portable++) {
			digest(portable, msg, len, got);
			if (memcmp(got, want, SHA256_LEN) != 0 && bad++ < 5)
				printf("\nlength %zu (%s) differs from OpenSSL",
				    len, portable ? "portable" : "default");
		}
		/* unaligned input */
		digest(false, msg + 1, len, got);
		openssl_digest(msg + 1, len, want);
		if (memcmp(got, want, SHA256_LEN) != 0 && bad++ < 5)
			printf("\nlength %zu at offset 1 differs", len);
	}
	TEST_INT_EQ(0, (long long)bad, 0);
}

static void
test_splits(void)
{
	static uint8_t msg[4 * MAXLEN];
	uint64_t seed = 12345;
	size_t bad = 0;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)next_random(&seed);
	for (int round = 0; round < 400; round++) {
		size_t len = (size_t)(next_random(&seed) % sizeof(msg));
		uint8_t want[SHA256_LEN];

		openssl_digest(msg, len, want);
		for (int portable = 0; portable < 2; portable++) {
			struct sha256_ctx c;
			uint8_t got[SHA256_LEN];
			size_t off = 0;

			sha256_init(&c);
			if (portable)
				sha256_force_portable(&c);
			while (off < len) {
				/* pieces of 0..130 bytes: within, across and
				 * over whole blocks */
				size_t piece = (size_t)(next_random(&seed) % 131);

				if (piece > len - off)
					piece = len - off;
				sha256_update(&c, msg + off, piece);
				off += piece;
			}
			sha256_final(&c, got);
			if (memcmp(got, want, SHA256_LEN) != 0 && bad++ < 5)
				printf("\nround %d, length %zu (%s) differs",
				    round, len, portable ? "portable" : "default");
		}
	}
	TEST_INT_EQ(0, (long long)bad, 0);
}

static void
test_reuse(void)
{
	/* a context is reusable after sha256_init(): no state leaks over */
	struct sha256_ctx c;
	uint8_t a[SHA256_LEN], b[SHA256_LEN];

	sha256_init(&c);
	sha256_update(&c, "something else entirely, longer than a block? no", 48);
	sha256_final(&c, a);
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, a);
	sha256("abc", 3, b);
	CU_ASSERT_EQUAL(memcmp(a, b, SHA256_LEN), 0);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "NIST example vectors, both code paths", test_nist },
		{ "every length 0..1100 against OpenSSL", test_lengths },
		{ "random update() splits against OpenSSL", test_splits },
		{ "context reuse", test_reuse },
		{ NULL, NULL },
	};

	printf("sha256: SHA-NI %s\n", sha256_have_shani() ? "used" :
	    "not available (portable code only)");
	return test_run("sha256", tests);
}
