/*
 * Helpers of the ledger-area unit tests (test_merkle, test_sig,
 * test_keyring, test_ledger): reading the vectors in tests/data/ledger/,
 * hex, and the TSV convention of tests/data/ledger/SOURCES.md.  Header-only
 * (static inline), so that other test programs do not link them.
 */
#ifndef DSCSA_LEDGER_DATA_H
#define DSCSA_LEDGER_DATA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

/* Path of a file under tests/data/ledger, from $TOP (default "."). */
static inline const char *
ld_path(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("TOP");

	snprintf(buf, sizeof(buf), "%s/tests/data/ledger/%s", top ? top : ".",
	    rel);
	return buf;
}

/* Read a whole file (malloc'd, NUL-terminated); NULL and a CUnit failure if missing. */
static inline char *
ld_read(const char *rel, size_t *len)
{
	const char *p = ld_path(rel);
	FILE *f = fopen(p, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	*len = 0;
	if (f == NULL) {
		fprintf(stderr, "missing test data %s\n", p);
		CU_FAIL_FATAL("missing test data");
		return NULL;
	}
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Decode hex ("-" is empty) into out; returns the length or (size_t)-1. */
static inline size_t
ld_hex(const char *s, size_t slen, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (slen == 1 && s[0] == '-')
		return 0;
	if (slen % 2 != 0 || slen / 2 > cap)
		return (size_t)-1;
	for (size_t i = 0; i < slen; i += 2) {
		unsigned v;

		if (sscanf(s + i, "%2x", &v) != 1)
			return (size_t)-1;
		out[n++] = (uint8_t)v;
	}
	return n;
}

/*
 * Split the next data line of a TSV buffer (comments and blank lines
 * skipped) into at most `max` fields, NUL-terminating them in place.
 * Returns the number of fields, 0 at the end.
 */
static inline int
ld_tsv_next(char **cursor, char **field, int max)
{
	char *line, *nl;
	int n = 0;

	for (;;) {
		line = *cursor;
		if (*line == '\0')
			return 0;
		nl = strchr(line, '\n');
		if (nl != NULL) {
			*nl = '\0';
			*cursor = nl + 1;
		} else
			*cursor = line + strlen(line);
		if (line[0] != '#' && line[0] != '\0')
			break;
	}
	field[n++] = line;
	for (char *p = line; *p != '\0' && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			field[n++] = p + 1;
		}
	return n;
}

/* A small deterministic generator (xorshift64*), for randomized tests. */
static inline uint64_t
ld_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

#endif /* DSCSA_LEDGER_DATA_H */
