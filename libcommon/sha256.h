/*
 * sha256: SHA-256 (FIPS 180-4 sections 5.3.3, 6.2) without OpenSSL.
 *
 * Why not sig_sha256(): OpenSSL 3's start-up (provider loading, method
 * fetch) costs a process that only hashes about 3 ms and 2.5 MB of RSS,
 * and EVP's per-call overhead dominates on the short inputs the CBV 2.0
 * event hash id digests (a few hundred bytes to a few KB per event).
 *
 * Two block functions: portable C, and on x86-64 with GCC or Clang the
 * SHA extensions (SHA-NI), taken when CPUID says the CPU has them (SHA,
 * SSSE3, SSE4.1).  Both give the same digests; the tests compare both
 * with OpenSSL.
 *
 * Thread-safety: a context belongs to one thread; the functions are
 * reentrant (the CPU check is done once, atomically).
 */
#ifndef DSCSA_SHA256_H
#define DSCSA_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* digest bytes */
#define SHA256_BLOCK	64	/* block bytes */

struct sha256_ctx {
	uint32_t	 h[8];
	uint64_t	 total;		/* bytes fed so far */
	uint8_t		 buf[SHA256_BLOCK];
	size_t		 nbuf;		/* bytes waiting in buf */
	bool		 portable;	/* forced to the portable code */
};

/* Start a digest (with the fastest block function this CPU has). */
void	sha256_init(struct sha256_ctx *c);

/* Feed `len` bytes at p (may be NULL when len is 0). */
void	sha256_update(struct sha256_ctx *c, const void *p, size_t len);

/* Finish: the digest into out; c must be sha256_init()ed again for reuse. */
void	sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN]);

/* One-shot digest of `len` bytes at p. */
void	sha256(const void *p, size_t len, uint8_t out[SHA256_LEN]);

/*
 * For tests and benches: make c use the portable code (after
 * sha256_init()), or ask whether this CPU and build have the SHA-NI code.
 */
void	sha256_force_portable(struct sha256_ctx *c);
bool	sha256_have_shani(void);

#endif /* DSCSA_SHA256_H */
