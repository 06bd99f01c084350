/*
 * gen-aitable: turn the GS1 Barcode Syntax Dictionary into the embedded AI
 * table, build/gen/gs1_aitable.inc, which libcommon/gs1_table.c includes.
 *
 * usage: gen-aitable DICTIONARY > gs1_aitable.inc
 *
 * It parses the file with the run-time loader (libcommon/gs1_dict.c), so
 * the embedded table is exactly what loading the same file at run time
 * gives, index included, and a dictionary the loader refuses fails the
 * build with "file:line: ...".  The compiled pairing rules (struct gs1_pat)
 * are written as an array of their own that the entries point into.
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

/* A pointer into the compiled patterns, as an expression. */
static void
put_pat(const struct gs1_table *t, const char *sep, const struct gs1_pat *p)
{
	if (p == NULL)
		printf("%sNULL", sep);
	else
		printf("%sgs1_embedded_pat + %zu", sep, (size_t)(p - t->pat));
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
	release_of(argv[1], rel, sizeof(rel));
	base = strrchr(argv[1], '/');
	base = base ? base + 1 : argv[1];

	printf("/* generated from %s by scripts/gen-aitable.c; do not edit */\n",
	    argv[1]);
	if (t->npat > 0) {
		printf("\nstatic const struct gs1_pat gs1_embedded_pat[%zu] = {\n",
		    t->npat);
		for (size_t i = 0; i < t->npat; i++) {
			const struct gs1_pat *p = &t->pat[i];

			printf("\t{ %u, %u, ", p->lo, p->hi);
			put_str(p->pat);
			printf(", %s, %s },\n", p->exact ? "true" : "false",
			    p->last ? "true" : "false");
		}
		printf("};\n");
	}
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
		printf(" },\n\t  .req = {%s", a->nreq ? "" : " NULL");
		for (size_t r = 0; r < a->nreq; r++) {
			printf(r ? ", " : " ");
			put_str(a->req[r]);
		}
		printf(" },\n\t  .ex = {%s", a->nex ? "" : " NULL");
		for (size_t r = 0; r < a->nex; r++) {
			printf(r ? ", " : " ");
			put_str(a->ex[r]);
		}
		printf(" },\n\t  .nreqp = {");
		for (size_t r = 0; r < GS1_REQ_MAX; r++)
			printf("%s %u", r ? "," : "", a->nreqp[r]);
		printf(" }, .reqp = {");
		for (size_t r = 0; r < GS1_REQ_MAX; r++)
			put_pat(t, r ? ", " : " ", a->reqp[r]);
		printf(" },\n\t  .nexpat = %u, .expat =", a->nexpat);
		put_pat(t, " ", a->expat);
		printf(",\n\t  .dlpkey = ");
		put_str(a->dlpkey);
		printf(", .title = ");
		put_str(a->title);
		printf(", .line = %u },\n", a->line);
	}
	printf("};\n\nstatic const struct gs1_table gs1_embedded = {\n");
	printf("\t.ai = gs1_embedded_ai,\n\t.n = %zu,\n", t->n);
	printf("\t.pat = %s,\n\t.npat = %zu,\n\t.plen = {",
	    t->npat > 0 ? "gs1_embedded_pat" : "NULL", t->npat);
	for (size_t i = 0; i < 100; i++)
		printf("%s%u,", i % 20 ? " " : "\n\t    ", t->plen[i]);
	printf("\n\t},\n\t.idx = {");
	for (size_t i = 0; i < GS1_IDX_SIZE; i++)
		printf("%s%d,", i % 16 ? " " : "\n\t    ", t->idx[i]);
	printf("\n\t},\n\t.source = \"embedded %s %s\",\n\t.mem = NULL,\n};\n",
	    base, rel);
	gs1_table_free(t);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "gen-aitable: write error\n");
		return 3;
	}
	return 0;
}
