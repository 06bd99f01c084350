/*
 * compat: compiler hints with a portable fallback (STYLE.md: no
 * compiler-specific trick without one).  Each is a hint only: without
 * GCC or Clang it does nothing and the code is just as correct.
 */
#ifndef DSCSA_COMPAT_H
#define DSCSA_COMPAT_H

/* Start loading the cache line at p (read); never faults, even if p is bad. */
#if defined(__GNUC__) || defined(__clang__)
#define DSCSA_PREFETCH(p)	__builtin_prefetch(p)
#else
#define DSCSA_PREFETCH(p)	((void)(p))
#endif

/*
 * DSCSA_SSE2: the SSE2 intrinsics (<emmintrin.h>, part of x86-64) and
 * __builtin_ctz() may be used; without it the code takes its portable
 * path.
 */
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define DSCSA_SSE2	1
#endif

#endif /* DSCSA_COMPAT_H */
