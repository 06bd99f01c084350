/*
 * tool: shared helpers of the dscsa-* mains (see tool.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "tool.h"

static const char *progname = "dscsa";
static const char *helptext = "";

void
tool_init(const char *name, const char *help_text)
{
	struct sigaction sa;

	progname = name;
	helptext = help_text;
	/* Make sure 0, 1 and 2 are open, so no file we open lands there. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
				exit(TOOL_SYSTEM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

const char *
tool_name(void)
{
	return progname;
}

int
tool_help(void)
{
	struct diag d = DIAG_INIT;

	fputs(helptext, stdout);
	return tool_close_stdout(&d) == 0 ? TOOL_OK : tool_fail(&d);
}

int
tool_version(const char *libs)
{
	struct diag d = DIAG_INIT;

	printf("%s %s\n", progname, DSCSA_VERSION);
	if (libs != NULL)
		printf("%s\n", libs);
	return tool_close_stdout(&d) == 0 ? TOOL_OK : tool_fail(&d);
}

int
tool_usage(const char *fmt, ...)
{
	const char *end;
	va_list ap;

	if (fmt != NULL) {
		fprintf(stderr, "%s: ", progname);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	end = strstr(helptext, "\n\n");
	if (end == NULL)
		end = helptext + strlen(helptext);
	fprintf(stderr, "%.*s\n", (int)(end - helptext), helptext);
	return TOOL_INPUT;
}

void
tool_report(const struct diag *d)
{
	char buf[sizeof(d->where) + sizeof(d->msg) + 64];

	fprintf(stderr, "%s: %s\n", progname, diag_format(d, buf, sizeof(buf)));
}

int
tool_fail(const struct diag *d)
{
	tool_report(d);
	return d->kind == DIAG_OK ? TOOL_SYSTEM : (int)d->kind;
}

void
tool_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
tool_input_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

FILE *
tool_open_input(const char *path, struct diag *d)
{
	struct stat st;
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdin;
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			diag_input(d, "cannot open: %s", strerror(errno));
		else
			diag_system(d, "cannot open");
		diag_at(d, path, 0);
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		diag_input(d, "is a directory");
		diag_at(d, path, 0);
		return NULL;
	}
	return f;
}

void
tool_close_input(FILE *f)
{
	if (f != NULL && f != stdin)
		fclose(f);
}

int
tool_close_stdout(struct diag *d)
{
	int bad;

	errno = 0;
	bad = fflush(stdout) != 0 || ferror(stdout);

	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		if (errno == 0)
			errno = EIO;
		diag_system(d, "write error");
		diag_at(d, "<stdout>", 0);
		return -1;
	}
	return 0;
}

int
tool_parse_ulong(const char *opt, const char *s, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9') {
		tool_usage("%s: not a number: '%s'", opt, s);
		return -1;
	}
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		tool_usage("%s: '%s' is not a number from %lu to %lu", opt, s,
		    min, max);
		return -1;
	}
	*out = v;
	return 0;
}
