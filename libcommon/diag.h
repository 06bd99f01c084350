/*
 * diag: the one error report that travels from where a problem is found up
 * to the tool's main, which prints it as "dscsa-xxx: file:line: message".
 *
 * The library never prints; every fallible function takes a `struct diag *`
 * last and returns -1 after filling it (STYLE.md section 3).  The innermost
 * layer writes the message, the layer that knows the file and line adds them
 * with diag_at(); nobody overwrites a message on its way up.
 *
 * Thread-safety: a diag belongs to one thread.
 */
#ifndef DSCSA_DIAG_H
#define DSCSA_DIAG_H

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define DIAG_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#else
#define DIAG_PRINTF(f, a)
#endif

enum diag_kind {			/* the values are the exit codes */
	DIAG_OK = 0,
	DIAG_VERIFY = 1,		/* well-formed, but a check failed */
	DIAG_INPUT = 2,			/* malformed input or option value */
	DIAG_SYSTEM = 3,		/* I/O, memory, OS or library failure */
};

#define DIAG_MSG_MAX	512

struct diag {
	enum diag_kind	kind;
	int		sys_errno;	/* DIAG_SYSTEM: errno at the failure */
	unsigned long	line;		/* 1-based text line; 0 if none */
	long long	offset;		/* byte offset in binary input; -1 if none */
	char		where[256];	/* file name, "<stdin>", "<stdout>" */
	char		msg[DIAG_MSG_MAX]; /* one line, lower case, no period */
};

#define DIAG_INIT	{ DIAG_OK, 0, 0, -1, "", "" }

/*
 * Set the kind and the message (printf format).  Each returns -1, so that a
 * failing path reads `return diag_input(d, "...")`.  If `d` already holds a
 * message, it is kept (the innermost report wins) and only -1 is returned.
 * diag_system() records errno at the time of the call in d->sys_errno and
 * appends ": strerror(errno)" to the message when errno is not 0.
 * A message longer than DIAG_MSG_MAX - 1 bytes is cut, never overflowed;
 * control characters in it are written as '?', so that it stays one line.
 */
int	diag_input(struct diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
int	diag_verify(struct diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
int	diag_system(struct diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);

/*
 * Add where the problem is: a file name (may be NULL: keep what is there)
 * and a 1-based line (0: keep).  Does not touch a where or line that an inner
 * layer has already set.
 */
void	diag_at(struct diag *d, const char *where, unsigned long line);

/* Record a byte offset (binary inputs such as the ledger); keeps an earlier one. */
void	diag_at_offset(struct diag *d, const char *where, long long offset);

/* Forget everything: back to DIAG_INIT. */
void	diag_clear(struct diag *d);

/*
 * Format the report as one line without the program name and without a
 * newline: "where:line: msg", "where: offset N: msg", "where: msg" or "msg".
 * Returns `buf`.  Never fails; cuts at `len`.
 */
char	*diag_format(const struct diag *d, char *buf, size_t len);

#endif /* DSCSA_DIAG_H */
