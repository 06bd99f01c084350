/*
 * gs1_bench: throughput of the gs1 engine on DSCSA element strings.
 *
 *   gs1_bench gen N bracketed|scan   write N random DSCSA lines to stdout
 *   gs1_bench read FILE              baseline: read the lines, do nothing
 *   gs1_bench validate FILE          parse + DSCSA-validate each line
 *
 * read and validate print "<mode> <lines> lines <s> s-cpu <rate>/s-cpu"
 * on stdout: the rate per second of this process's CPU time (one core,
 * reading included; the machine may be shared, so CPU time is the fair
 * clock), then the wall time.  bench/gs1.sh runs them and adds the ratio
 * and the peak RSS.  The generator is a fixed-seed xorshift: the
 * same file every run (not for secrets).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gs1.h"

static unsigned long long state = 0x9E3779B97F4A7C15ULL;

static unsigned
rnd(unsigned n)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (unsigned)(state % n);
}

static double
now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
gen(unsigned long n, int scan)
{
	static const char al[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	char gtin[15], ser[21];

	/* NDC-form GTINs: indicator, "03", labeler + product, check digit. */
	for (unsigned long i = 0; i < n; i++) {
		unsigned sl = 8 + rnd(13);

		gtin[0] = (char)('0' + rnd(4));
		gtin[1] = '0';
		gtin[2] = '3';
		for (int k = 3; k < 13; k++)
			gtin[k] = (char)('0' + rnd(10));
		gtin[13] = gs1_check_digit(gtin, 13);
		gtin[14] = '\0';
		for (unsigned k = 0; k < sl; k++)
			ser[k] = al[rnd(sizeof(al) - 1)];
		ser[sl] = '\0';
		if (scan)
			printf("]d201%s17%02u%02u%02u10LOT%04u\x1d" "21%s\n",
			    gtin, 27 + rnd(10), 1 + rnd(12), 1 + rnd(28),
			    rnd(10000), ser);
		else
			printf("[01]%s[17]%02u%02u%02u[10]LOT%04u[21]%s\n",
			    gtin, 27 + rnd(10), 1 + rnd(12), 1 + rnd(28),
			    rnd(10000), ser);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
run(const char *path, int validate)
{
	static struct gs1_msg m;
	struct gs1_validate_opts vo = { GS1_PROFILE_DSCSA, { 2026, 12, 1 } };
	const struct gs1_table *t = gs1_table_embedded();
	char line[1024];
	struct diag d = DIAG_INIT;
	unsigned long n = 0, bad = 0, bytes = 0;
	FILE *f = fopen(path, "r");
	double t0, t1, c0, c1;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		n++;
		bytes += len;
		if (!validate)
			continue;
		if (gs1_parse(&m, t, line, len, NULL, &d) != 0 ||
		    gs1_validate(&m, &vo, &d) != 0) {
			if (bad++ == 0)
				fprintf(stderr, "line %lu: %s\n", n, d.msg);
			diag_clear(&d);
		}
	}
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	fclose(f);
	printf("%s %lu lines %.3f s-cpu %.0f/s-cpu (%.3f s wall, %lu bytes, "
	    "%lu invalid)\n", validate ? "validate" : "read", n, c1 - c0,
	    (double)n / (c1 - c0), t1 - t0, bytes, bad);
	return bad == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(strtoul(argv[2], NULL, 10),
		    strcmp(argv[3], "scan") == 0);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return run(argv[2], 0);
	if (argc == 3 && strcmp(argv[1], "validate") == 0)
		return run(argv[2], 1);
	fprintf(stderr, "usage: gs1_bench gen N bracketed|scan | read FILE | "
	    "validate FILE\n");
	return 2;
}
