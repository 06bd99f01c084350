/*
 * image_isolate: run the decode cascade (and, for files, the PNG loader)
 * in a forked child, so that a hostile or broken image cannot take the
 * calling tool down.
 *
 * libdmtx 0.7.7 is built with live assert()s and has crashed on garbage
 * before (dmtx/libdmtx#5, #16; CacheFillQuad mallocs checked only by
 * assert), and a search can run long.  Invariants:
 *
 *  1. The child gets RLIMIT_CPU (deadline + 1 s, rounded up) and, outside
 *     sanitizer builds, RLIMIT_AS (o->mem_limit); ASan reserves terabytes
 *     of shadow address space, so there the memory limit is left off.
 *  2. The child writes exactly one fixed-size reply to the pipe and leaves
 *     with _exit(), so no stdio buffer or atexit handler of the parent runs
 *     twice.
 *  3. The parent waits for the reply at most deadline + 2 s, then kills
 *     the child with SIGKILL; it always reaps the child.
 *  4. A missing or short reply, or a child that died on a signal, is an
 *     "unreadable image": DIAG_INPUT, status IMAGE_DM_UNREADABLE.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "image.h"
#include "image_int.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN	1
#endif
#endif

struct reply {
	int			rc;
	struct diag		d;
	struct image_dm_result	r;
};

static void
child_limits(const struct image_decode_opts *o)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = (rlim_t)(o->timeout_ms / 1000 + 2);
	setrlimit(RLIMIT_CPU, &rl);
#ifndef UNDER_ASAN
	if (o->mem_limit != 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)o->mem_limit;
		setrlimit(RLIMIT_AS, &rl);
	}
#endif
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What the child does: load (if path) and decode; one reply. */
static void
child_run(int fd, const struct image *im, const char *path,
    const struct image_limits *lim, const struct image_decode_opts *o)
{
	struct reply rep;
	struct image loaded = { NULL, 0, 0, 0 };

	memset(&rep, 0, sizeof(rep));
	diag_clear(&rep.d);
	child_limits(o);
#ifdef UNDER_ASAN
	/*
	 * Failure-injection hook of the sanitizer (test) builds only; it
	 * compiles away in normal builds (STYLE.md 6).  It lets the tests see
	 * a decoder that aborts (as a libdmtx assert does) or hangs.
	 */
	if (getenv("DSCSA_IMAGE_TEST_CHILD") != NULL) {
		if (strcmp(getenv("DSCSA_IMAGE_TEST_CHILD"), "abort") == 0)
			abort();
		if (strcmp(getenv("DSCSA_IMAGE_TEST_CHILD"), "hang") == 0)
			for (volatile unsigned long spin = 0;; spin++)
				;
	}
#endif
	if (path != NULL) {
		rep.rc = image_png_read_file(&loaded, path, lim, &rep.d);
		im = &loaded;
	}
	if (rep.rc == 0)
		rep.rc = dm_cascade(im, o, &rep.r, &rep.d);
	image_free(&loaded);
	_exit(write_all(fd, &rep, sizeof(rep)) == 0 ? 0 : 1);
}

/* Read the reply until EOF or `deadline`; returns bytes read. */
static size_t
read_reply(int fd, struct reply *rep, double deadline)
{
	char *p = (char *)rep;
	size_t got = 0;

	while (got < sizeof(*rep)) {
		double left = deadline - dm_now_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		int pr;

		if (left <= 0)
			break;
		pr = poll(&pfd, 1, (int)left + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			break;
		n = read(fd, p + got, sizeof(*rep) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static int
run_isolated(const struct image *im, const char *path,
    const struct image_limits *lim, const struct image_decode_opts *o,
    struct image_dm_result *r, struct diag *d)
{
	struct reply rep;
	double t0 = dm_now_ms();
	int fds[2], status = 0;
	size_t got;
	pid_t pid;

	if (pipe(fds) != 0)
		return diag_system(d, "cannot make a pipe for the decoder");
	fflush(NULL);		/* invariant 2: nothing buffered is copied */
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return diag_system(d, "cannot fork the decoder");
	}
	if (pid == 0) {
		close(fds[0]);
		child_run(fds[1], im, path, lim, o);
	}
	close(fds[1]);
	memset(&rep, 0, sizeof(rep));
	got = read_reply(fds[0], &rep, t0 + o->timeout_ms + 2000.0);
	close(fds[0]);
	if (got < sizeof(rep))
		kill(pid, SIGKILL);	/* invariant 3 */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got < sizeof(rep) || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		dm_result_clear(r);
		r->status = IMAGE_DM_UNREADABLE;
		r->ms = dm_now_ms() - t0;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
		    got < sizeof(rep))
			diag_input(d, "unreadable image: the decoder did not "
			    "finish in %u ms", o->timeout_ms);
		else if (WIFSIGNALED(status))
			diag_input(d, "unreadable image: the decoder died "
			    "(signal %d)", WTERMSIG(status));
		else
			diag_input(d, "unreadable image: the decoder failed "
			    "(exit %d)", WIFEXITED(status) ?
			    WEXITSTATUS(status) : -1);
		if (path != NULL)
			diag_at(d, path, 0);
		return -1;
	}
	*r = rep.r;
	if (rep.rc != 0) {
		*d = rep.d;
		if (path != NULL)
			diag_at(d, path, 0);
		return -1;
	}
	r->ms = dm_now_ms() - t0;
	return 0;
}

int
image_dm_decode(const struct image *im, const struct image_decode_opts *o,
    struct image_dm_result *r, struct diag *d)
{
	static const struct image_decode_opts defo = IMAGE_DECODE_OPTS_INIT;

	if (o == NULL)
		o = &defo;
	if (im == NULL || im->px == NULL || im->w == 0 || im->h == 0) {
		dm_result_clear(r);
		return diag_input(d, "empty image");
	}
	if (!o->isolate)
		return dm_cascade(im, o, r, d);
	return run_isolated(im, NULL, NULL, o, r, d);
}

int
image_dm_decode_file(const char *path, const struct image_limits *lim,
    const struct image_decode_opts *o, struct image_dm_result *r,
    struct diag *d)
{
	static const struct image_decode_opts defo = IMAGE_DECODE_OPTS_INIT;
	struct image im;
	int rc;

	if (o == NULL)
		o = &defo;
	if (o->isolate)
		return run_isolated(NULL, path, lim, o, r, d);
	dm_result_clear(r);
	if (image_png_read_file(&im, path, lim, d) != 0)
		return -1;
	rc = dm_cascade(&im, o, r, d);
	image_free(&im);
	if (rc != 0)
		diag_at(d, path, 0);
	return rc;
}
