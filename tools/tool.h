/*
 * tool: what every dscsa-* main shares, and nothing else (STYLE.md 1):
 * the program name, --help/--version/usage text, stderr messages, exit
 * codes, and stdin/stdout handling.  Linked into every tool, never into
 * libcommon.
 */
#ifndef DSCSA_TOOL_H
#define DSCSA_TOOL_H

#include <stdio.h>

#include "diag.h"

enum {
	TOOL_OK = 0,
	TOOL_VERIFY = 1,	/* a verification found a problem */
	TOOL_INPUT = 2,		/* usage or input error */
	TOOL_SYSTEM = 3,	/* system error */
};

#define DSCSA_VERSION	"0.1.0"

/*
 * Remember the program name and its help text.  `help_text` starts with the
 * SYNOPSIS lines of the tool's man page ("usage: ..."), verbatim, then a
 * blank line and one line per option.  Also makes sure fds 0-2 are open and
 * ignores SIGPIPE (a closed pipe becomes a write error, reported as such).
 */
void	tool_init(const char *progname, const char *help_text);

const char *tool_name(void);

/* Print the help text to stdout; returns TOOL_OK (or TOOL_SYSTEM if stdout fails). */
int	tool_help(void);

/*
 * Print "progname version (libraries...)" to stdout.  `libs` is an extra
 * line of linked library versions the tool wants to show, or NULL.
 */
int	tool_version(const char *libs);

/*
 * A usage error: print "progname: message" (if fmt is not NULL) and the
 * usage lines (the help text up to its first blank line) to stderr; returns
 * TOOL_INPUT.
 */
int	tool_usage(const char *fmt, ...) DIAG_PRINTF(1, 2);

/* Print the diag as one line, "progname: where:line: msg"; returns its kind. */
int	tool_fail(const struct diag *d);

/* Same line as tool_fail but returns nothing: for per-item tools that go on. */
void	tool_report(const struct diag *d);

/* "progname: warning: ..." on stderr. */
void	tool_warn(const char *fmt, ...) DIAG_PRINTF(1, 2);

/*
 * Open `path` for reading ("-" is stdin, a directory is refused).  Returns
 * NULL and fills `d` (DIAG_INPUT for a missing file or directory,
 * DIAG_SYSTEM otherwise).  Close with tool_close_input(), which accepts
 * NULL and stdin.
 */
FILE	*tool_open_input(const char *path, struct diag *d);
void	 tool_close_input(FILE *f);

/* Display name for an input path: "<stdin>" for "-", else the path. */
const char *tool_input_name(const char *path);

/*
 * Flush and close stdout, catching ENOSPC, EPIPE and friends.  Returns 0, or
 * -1 with a DIAG_SYSTEM diag naming "<stdout>".
 */
int	tool_close_stdout(struct diag *d);

/*
 * Parse a decimal number in [min, max] for option `opt`; on error prints a
 * usage message and returns -1.
 */
int	tool_parse_ulong(const char *opt, const char *s, unsigned long min,
	    unsigned long max, unsigned long *out);

#endif /* DSCSA_TOOL_H */
