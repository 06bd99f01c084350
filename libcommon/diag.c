/*
 * diag: error reports carried up to main (see diag.h and STYLE.md section 3).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

static void
clean_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int	diag_set(struct diag *, enum diag_kind, const char *, va_list)
		    DIAG_PRINTF(3, 0);

static int
diag_set(struct diag *d, enum diag_kind kind, const char *fmt, va_list ap)
{
	if (d->kind != DIAG_OK && d->msg[0] != '\0')
		return -1;
	d->kind = kind;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	clean_line(d->msg);
	return -1;
}

int
diag_input(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_set(d, DIAG_INPUT, fmt, ap);
	va_end(ap);
	return -1;
}

int
diag_verify(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_set(d, DIAG_VERIFY, fmt, ap);
	va_end(ap);
	return -1;
}

int
diag_system(struct diag *d, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	if (d->kind != DIAG_OK && d->msg[0] != '\0')
		return -1;
	va_start(ap, fmt);
	diag_set(d, DIAG_SYSTEM, fmt, ap);
	va_end(ap);
	d->sys_errno = saved;
	n = strlen(d->msg);
	if (saved != 0 && n < sizeof(d->msg))
		snprintf(d->msg + n, sizeof(d->msg) - n, ": %s",
		    strerror(saved));
	errno = saved;
	return -1;
}

void
diag_at(struct diag *d, const char *where, unsigned long line)
{
	if (where != NULL && d->where[0] == '\0') {
		snprintf(d->where, sizeof(d->where), "%s", where);
		clean_line(d->where);
	}
	if (line != 0 && d->line == 0)
		d->line = line;
}

void
diag_at_offset(struct diag *d, const char *where, long long offset)
{
	diag_at(d, where, 0);
	if (d->offset < 0)
		d->offset = offset;
}

void
diag_clear(struct diag *d)
{
	static const struct diag init = DIAG_INIT;

	*d = init;
}

char *
diag_format(const struct diag *d, char *buf, size_t len)
{
	const char *msg = d->msg[0] != '\0' ? d->msg : "unknown error";

	if (len == 0)
		return buf;
	if (d->where[0] != '\0' && d->line != 0)
		snprintf(buf, len, "%s:%lu: %s", d->where, d->line, msg);
	else if (d->where[0] != '\0' && d->offset >= 0)
		snprintf(buf, len, "%s: offset %lld: %s", d->where, d->offset,
		    msg);
	else if (d->where[0] != '\0')
		snprintf(buf, len, "%s: %s", d->where, msg);
	else
		snprintf(buf, len, "%s", msg);
	return buf;
}
