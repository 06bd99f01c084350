/*
 * bench/label: labels rendered and checked per second, in one process
 * (make bench, bench/label.sh).
 *
 * usage: label N PX [png]
 *        label N list
 *
 * Makes N seeded random DSCSA items (GTIN with its check digit, expiry,
 * CSET 82 lot and serial of 1-20 characters), then times, on one core,
 * zint encoding + rendering to the bitmap + the --check decode of that
 * bitmap (label_encode_raw + label_check), at PX dots per module; with
 * "png" also the PNG written to memory (the file format dscsa-label
 * writes, without the file system).  Prints one line:
 *   "PX px: N labels, S s, R labels/s, C labels per CPU second, F failed"
 * and exits 1 if any label failed its check.  "list" prints the N items
 * instead, one "bracketed<TAB>raw message in hex" line each, for the
 * baselines that run other programs on the same items.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "label.h"

static uint64_t state = 0x2545F4914F6CDD1DULL;

static uint32_t
next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 2685821657736338717ULL) >> 32);
}

static const char cset82[] =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    "abcdefghijklmnopqrstuvwxyz";

static void
value(char *out, size_t maxlen)
{
	size_t n = 1 + next() % maxlen;

	for (size_t i = 0; i < n; i++)
		out[i] = cset82[next() % (sizeof(cset82) - 1)];
	out[n] = '\0';
}

struct item {
	char	br[128];
	char	gs[128];
};

static void
make_item(struct item *it)
{
	char g[15], lot[21], sn[21];
	unsigned sum = 0;

	for (int i = 0; i < 13; i++) {
		g[i] = (char)('0' + next() % 10);
		sum += (unsigned)(g[i] - '0') * (i % 2 == 0 ? 3 : 1);
	}
	g[13] = (char)('0' + (10 - sum % 10) % 10);
	g[14] = '\0';
	value(lot, 20);
	value(sn, 20);
	snprintf(it->br, sizeof(it->br), "[01]%s[17]%02u%02u%02u[10]%s[21]%s",
	    g, 26 + next() % 10, 1 + next() % 12, next() % 29, lot, sn);
	/* the same dates again: parse them back out of br */
	snprintf(it->gs, sizeof(it->gs), "01%s17%.6s10%s\x1d" "21%s", g,
	    it->br + 22, lot, sn);
}

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct label_opts o = LABEL_OPTS_INIT;
	struct label *l;
	struct diag d = DIAG_INIT;
	struct item *items;
	unsigned long n, px, failed = 0;
	bool png;
	double t0, c0, t, c;
	char *buf = NULL;
	size_t blen = 0;
	FILE *mem;

	if (argc == 3 && strcmp(argv[2], "list") == 0 &&
	    (n = strtoul(argv[1], NULL, 10)) > 0) {
		struct item it;

		for (unsigned long i = 0; i < n; i++) {
			make_item(&it);
			printf("%s\t", it.br);
			for (size_t k = 0; it.gs[k] != '\0'; k++)
				printf("%02x", (unsigned char)it.gs[k]);
			putchar('\n');
		}
		return fflush(stdout) != 0;
	}
	if (argc < 3 || (n = strtoul(argv[1], NULL, 10)) == 0 ||
	    (px = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: label N PX [png]\n");
		return 2;
	}
	png = argc > 3 && strcmp(argv[3], "png") == 0;
	items = calloc(n, sizeof(*items));
	if (items == NULL)
		return 3;
	for (unsigned long i = 0; i < n; i++)
		make_item(&items[i]);
	o.module_px = (unsigned)px;
	if (label_new(&l, &o, &d) != 0) {
		fprintf(stderr, "label: %s\n", d.msg);
		return 2;
	}
	mem = open_memstream(&buf, &blen);
	if (mem == NULL)
		return 3;
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (unsigned long i = 0; i < n; i++) {
		diag_clear(&d);
		if (label_encode_raw(l, items[i].br, items[i].gs,
		    strlen(items[i].gs), NULL, 0, &d) != 0 ||
		    label_check(l, &d) != 0) {
			if (failed++ < 5)
				fprintf(stderr, "label: %s: %s\n", items[i].br,
				    d.msg);
			continue;
		}
		if (png) {
			rewind(mem);
			if (label_write(l, mem, &d) != 0 || fflush(mem) != 0)
				failed++;
		}
	}
	t = clock_s(CLOCK_MONOTONIC) - t0;
	c = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	/* CPU time too: on a shared machine wall time includes waiting. */
	printf("%lu px%s: %lu labels, %.3f s, %.0f labels/s, %.0f labels "
	    "per CPU second, %lu failed\n", px, png ? " +png" : "", n, t,
	    n / t, n / c, failed);
	fclose(mem);
	free(buf);
	label_free(l);
	free(items);
	return failed > 0;
}
