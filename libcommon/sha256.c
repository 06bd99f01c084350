/*
 * sha256: FIPS 180-4 SHA-256.  The portable block function is section
 * 6.2.2 as written (message schedule of 64 words, 64 rounds with the
 * constants of section 4.2.2); padding is section 5.1.1 and the initial
 * value section 5.3.3.
 *
 * On x86-64 with GCC or Clang a second block function uses the SHA
 * extensions (Intel SHA-NI: SHA256RNDS2 does two rounds, SHA256MSG1/2 the
 * schedule), compiled with a target attribute so that the rest of the
 * library needs no -msha, and chosen at run time when CPUID leaf 7 reports
 * SHA and leaf 1 SSSE3 and SSE4.1 (for PSHUFB, PALIGNR and PBLENDW).
 * Anywhere else the portable function is the only one.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "sha256.h"

#if defined(__GNUC__) && defined(__x86_64__)
#define SHA256_X86	1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t
ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static inline uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* FIPS 180-4 6.2.2 over n 64-byte blocks. */
static void
blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	uint32_t w[64];

	for (; n > 0; n--, p += SHA256_BLOCK) {
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
		uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];

		for (int t = 0; t < 16; t++)
			w[t] = load_be32(p + 4 * t);
		for (int t = 16; t < 64; t++) {
			uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^
			    w[t - 15] >> 3;
			uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^
			    w[t - 2] >> 10;

			w[t] = w[t - 16] + s0 + w[t - 7] + s1;
		}
		for (int t = 0; t < 64; t++) {
			uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
			    ((e & f) ^ (~e & g)) + K[t] + w[t];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
			    ((a & b) ^ (a & c) ^ (b & c));

			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
}

#ifdef SHA256_X86
/*
 * SHA-NI: the state lives as ABEF and CDGH (the layout SHA256RNDS2 wants);
 * each group of four rounds adds K to four schedule words and runs
 * SHA256RNDS2 twice.  Schedule words W[4g..4g+3] for g >= 4 come from
 * groups g-4, g-3 (MSG1: W[t-16] + sigma0(W[t-15])), g-2 and g-1 (PALIGNR
 * gives W[t-7]; MSG2 adds sigma1(W[t-2])), kept in a ring of four.
 */
__attribute__((target("sha,ssse3,sse4.1")))
static void
blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
	    0x0405060700010203ULL);
	__m128i s0, s1, t, abef, cdgh, m[4];

	t = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
	s1 = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
	t = _mm_shuffle_epi32(t, 0xb1);			/* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1b);		/* EFGH */
	s0 = _mm_alignr_epi8(t, s1, 8);			/* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xf0);		/* CDGH */

	for (; n > 0; n--, p += SHA256_BLOCK) {
		abef = s0;
		cdgh = s1;
#pragma GCC unroll 16
		for (int g = 0; g < 16; g++) {
			__m128i k;

			if (g < 4)
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(const void *)(p + 16 * g)),
				    bswap);
			else {
				t = _mm_sha256msg1_epu32(m[g & 3],
				    m[(g + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(
				    m[(g + 3) & 3], m[(g + 2) & 3], 4));
				m[g & 3] = _mm_sha256msg2_epu32(t,
				    m[(g + 3) & 3]);
			}
			k = _mm_add_epi32(m[g & 3], _mm_loadu_si128(
			    (const __m128i *)(const void *)&K[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, k);
			k = _mm_shuffle_epi32(k, 0x0e);
			s0 = _mm_sha256rnds2_epu32(s0, s1, k);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}

	t = _mm_shuffle_epi32(s0, 0x1b);		/* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xb1);		/* DCHG */
	s0 = _mm_blend_epi16(t, s1, 0xf0);		/* DCBA */
	s1 = _mm_alignr_epi8(s1, t, 8);			/* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&h[0], s0);
	_mm_storeu_si128((__m128i *)(void *)&h[4], s1);
}

/* 0: not known yet, 1: portable only, 2: SHA-NI */
static atomic_int cpu_kind;

static bool
cpu_has_shani(void)
{
	int k = atomic_load_explicit(&cpu_kind, memory_order_relaxed);

	if (k == 0) {
		unsigned a, b, c, d;
		bool ok = false;

		if (__get_cpuid(1, &a, &b, &c, &d) &&
		    (c & bit_SSSE3) != 0 && (c & bit_SSE4_1) != 0 &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d))
			ok = (b & bit_SHA) != 0;
		k = ok ? 2 : 1;
		atomic_store_explicit(&cpu_kind, k, memory_order_relaxed);
	}
	return k == 2;
}
#endif /* SHA256_X86 */

bool
sha256_have_shani(void)
{
#ifdef SHA256_X86
	return cpu_has_shani();
#else
	return false;
#endif
}

static void
blocks(struct sha256_ctx *c, const uint8_t *p, size_t n)
{
#ifdef SHA256_X86
	if (!c->portable) {
		blocks_shani(c->h, p, n);
		return;
	}
#endif
	blocks_portable(c->h, p, n);
}

void
sha256_init(struct sha256_ctx *c)
{
	memcpy(c->h, H0, sizeof(H0));
	c->total = 0;
	c->nbuf = 0;
	c->portable = !sha256_have_shani();
}

void
sha256_force_portable(struct sha256_ctx *c)
{
	c->portable = true;
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len == 0)
		return;
	c->total += len;
	if (c->nbuf > 0) {
		size_t take = SHA256_BLOCK - c->nbuf;

		if (take > len)
			take = len;
		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		len -= take;
		if (c->nbuf < SHA256_BLOCK)
			return;
		blocks(c, c->buf, 1);
		c->nbuf = 0;
	}
	if (len >= SHA256_BLOCK) {
		blocks(c, p, len / SHA256_BLOCK);
		p += len / SHA256_BLOCK * SHA256_BLOCK;
		len %= SHA256_BLOCK;
	}
	if (len > 0) {
		memcpy(c->buf, p, len);
		c->nbuf = len;
	}
}

void
sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN])
{
	uint64_t bits = c->total * 8;	/* FIPS 180-4 5.1.1: length mod 2^64 */

	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > SHA256_BLOCK - 8) {
		memset(c->buf + c->nbuf, 0, SHA256_BLOCK - c->nbuf);
		blocks(c, c->buf, 1);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, SHA256_BLOCK - 8 - c->nbuf);
	for (int i = 0; i < 8; i++)
		c->buf[SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
	blocks(c, c->buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
	c->nbuf = 0;
}

void
sha256(const void *p, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, p, len);
	sha256_final(&c, out);
}
