/*
 * gen-aitable: turn the GS1 Barcode Syntax Dictionary into the embedded AI
 * table, build/gen/gs1_aitable.inc, which libcommon/gs1_table.c includes.
 *
 * usage: gen-aitable DICTIONARY > gs1_aitable.inc
 *
 * It parses the file with the run-time loader (libcommon/gs1_dict.c), so
 * the embedded table is exactly what loading the same file at run time
 * gives, index included, and a dictionary the loader refuses fails the
 * build with "file:line: ...".  The table holds no pointers but the three
 * of struct gs1_table: the entries name their strings by offsets into one
 * char array (the pool) and their compiled pairing rules (struct gs1_pat)
 * by indices into an array of their own, so that all of it is read-only
 * data that a position-independent program does not relocate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "gs1_int.h"

static void
put_str(const char *s)
{
	if (s == NULL) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\%03o", c);
		else
			putchar(c);
	}
	putchar('"');
}

/*
 * The string pool as a char array, one dictionary string a line (a
 * string literal this long would exceed what ISO C promises to compile).
 */
static void
put_pool(const struct gs1_table *t)
{
	printf("\nstatic const char gs1_embedded_pool[%zu] = {\n",
	    t->poollen);
	for (size_t i = 0; i < t->poollen;) {
		size_t k = strlen(t->pool + i);

		printf("\t/* %5zu ", i);
		put_str(t->pool + i);
		printf(" */");
		for (size_t j = 0; j <= k; j++) {
			unsigned char c = (unsigned char)t->pool[i + j];

			if (j % 12 == 0)
				printf("\n\t   ");
			if (c == '\'' || c == '\\')
				printf(" '\\%c',", c);
			else if (c >= 0x20 && c < 0x7f)
				printf(" '%c',", c);
			else
				printf(" %u,", c);
		}
		putchar('\n');
		i += k + 1;
	}
	printf("};\n");
}

static void
put_u16s(const char *name, const uint16_t *v, size_t n, size_t used)
{
	printf("%s = {", name);
	for (size_t i = 0; i < n; i++)
		printf("%s %u", i ? "," : "", i < used ? v[i] : 0);
	printf(" }");
}

/* The "# Release: YYYY-MM-DD" line of the dictionary's header, if any. */
static void
release_of(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[512];

	snprintf(out, cap, "unknown release");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "# Release: ");

		if (p != NULL && p == line) {
			size_t n = strcspn(p + 11, "\r\n");

			snprintf(out, cap, "release %.*s", (int)n, p + 11);
			break;
		}
	}
	fclose(f);
}

int
main(int argc, char *argv[])
{
	struct diag d = DIAG_INIT;
	struct gs1_table *t;
	const char *base;
	char rel[64], buf[DIAG_MSG_MAX + 300];

	if (argc != 2) {
		fprintf(stderr, "usage: gen-aitable DICTIONARY\n");
		return 2;
	}
	if (gs1_table_load(&t, argv[1], &d) != 0) {
		fprintf(stderr, "gen-aitable: %s\n",
		    diag_format(&d, buf, sizeof(buf)));
		return d.kind == DIAG_SYSTEM ? 3 : 2;
	}
	/*
	 * The loader refuses what would not fit the entries' 16-bit
	 * offsets and indices; say it again here, so that the build fails
	 * if that check is ever lost, and again at compile time below.
	 */
	if (t->poollen > GS1_POOL_MAX || t->npat > GS1_PAT_MAX ||
	    t->n > GS1_TABLE_MAX) {
		fprintf(stderr, "gen-aitable: %s: %zu string bytes (max %d), "
		    "%zu patterns (max %d), %zu AIs (max %d)\n", argv[1],
		    t->poollen, GS1_POOL_MAX, t->npat, GS1_PAT_MAX, t->n,
		    GS1_TABLE_MAX);
		gs1_table_free(t);
		return 2;
	}
	release_of(argv[1], rel, sizeof(rel));
	base = strrchr(argv[1], '/');
	base = base ? base + 1 : argv[1];

	printf("/* generated from %s by scripts/gen-aitable.c; do not edit */\n",
	    argv[1]);
	/* At least one pattern, so that t->pat + 0 is valid (gs1_int.h). */
	printf("\nstatic const struct gs1_pat gs1_embedded_pat[%zu] = {\n",
	    t->npat > 0 ? t->npat : 1);
	if (t->npat == 0)
		printf("\t{ 0, 0, \"\", false, false },\n");
	for (size_t i = 0; i < t->npat; i++) {
		const struct gs1_pat *p = &t->pat[i];

		printf("\t{ %u, %u, ", p->lo, p->hi);
		put_str(p->pat);
		printf(", %s, %s },\n", p->exact ? "true" : "false",
		    p->last ? "true" : "false");
	}
	printf("};\n");
	put_pool(t);
	printf("\nstatic const struct gs1_ai gs1_embedded_ai[%zu] = {\n", t->n);
	for (size_t i = 0; i < t->n; i++) {
		const struct gs1_ai *a = &t->ai[i];

		printf("\t{ .ai = \"%s\", .ailen = %u, .fnc1 = %s, "
		    ".dlattr = %s,\n", a->ai, a->ailen,
		    a->fnc1 ? "true" : "false", a->dlattr ? "true" : "false");
		printf("\t  .ncomp = %u, .nreq = %u, .nex = %u, "
		    ".minlen = %u, .maxlen = %u,\n", a->ncomp, a->nreq, a->nex,
		    a->minlen, a->maxlen);
		printf("\t  .comp = {");
		for (size_t c = 0; c < a->ncomp; c++) {
			const struct gs1_comp *k = &a->comp[c];

			printf("%s\n\t    { '%c', %u, %u, %s, %u, {", c ? "," : "",
			    k->cset, k->min, k->max,
			    k->optional ? "true" : "false", k->nlint);
			if (k->nlint == 0)
				printf(" 0");
			for (size_t l = 0; l < k->nlint; l++)
				printf("%s %s", l ? "," : "",
				    gs1_linter_enums[k->lint[l]]);
			printf(" } }");
		}
		printf(" },\n\t  ");
		put_u16s(".req", a->req, GS1_REQ_MAX, a->nreq);
		printf(", ");
		put_u16s(".ex", a->ex, GS1_EX_MAX, a->nex);
		printf(",\n\t  .dlkey = %s, .dlpkey = %u, .title = %u,\n\t  ",
		    a->dlkey ? "true" : "false", a->dlkey ? a->dlpkey : 0,
		    a->title);
		printf(".reqp = %u, ", a->reqp);
		put_u16s(".nreqp", a->nreqp, GS1_REQ_MAX, a->nreq);
		printf(",\n\t  .expat = %u, .nexpat = %u, .line = %u },\n",
		    a->expat, a->nexpat, a->line);
	}
	printf("};\n\nstatic const struct gs1_table gs1_embedded = {\n");
	printf("\t.ai = gs1_embedded_ai,\n\t.n = %zu,\n", t->n);
	printf("\t.pat = gs1_embedded_pat,\n\t.npat = %zu,\n", t->npat);
	printf("\t.pool = gs1_embedded_pool,\n\t.poollen = %zu,\n\t.plen = {",
	    t->poollen);
	for (size_t i = 0; i < 100; i++)
		printf("%s%u,", i % 20 ? " " : "\n\t    ", t->plen[i]);
	printf("\n\t},\n\t.idx = {");
	for (size_t i = 0; i < GS1_IDX_SIZE; i++)
		printf("%s%d,", i % 16 ? " " : "\n\t    ", t->idx[i]);
	printf("\n\t},\n\t.source = \"embedded %s %s\",\n\t.mem = NULL,\n};\n",
	    base, rel);
	printf("\n_Static_assert(sizeof(gs1_embedded_pool) <= GS1_POOL_MAX,\n"
	    "    \"string pool too large for 16-bit offsets\");\n");
	gs1_table_free(t);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "gen-aitable: write error\n");
		return 3;
	}
	return 0;
}
