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

#endif /* DSCSA_COMPAT_H */
