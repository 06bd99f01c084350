/*
 * The property every gs1 fuzz harness checks (STYLE.md section 6): the
 * input is not modified; whatever parses renders in every form that can
 * carry it, and each rendering parses back and renders identically
 * (parse -> render -> parse is stable).  A violation aborts, which the
 * fuzzer and the smoke driver report.
 */
#ifndef DSCSA_FUZZ_GS1_CHECK_H
#define DSCSA_FUZZ_GS1_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1.h"

static void
fuzz_gs1_fail(const char *what, const char *form, const char *s)
{
	fprintf(stderr, "fuzz_gs1: %s (%s): %s\n", what, form, s);
	abort();
}

static void
fuzz_gs1_stable(const struct gs1_msg *m)
{
	static const enum gs1_form forms[] = {
		GS1_FORM_BRACKETED, GS1_FORM_HRI, GS1_FORM_GS, GS1_FORM_CARET,
		GS1_FORM_SCAN, GS1_FORM_DL, GS1_FORM_DL_VRS, GS1_FORM_JSON,
		GS1_FORM_HRI_LINES,
	};
	static char a[GS1_RENDER_MAX], b[GS1_RENDER_MAX];
	static struct gs1_msg back;

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		for (int compact = 0; compact < 2; compact++) {
			struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
			struct diag d = DIAG_INIT;
			size_t alen, blen;

			ro.compact = compact != 0;
			if (gs1_render(m, forms[f], &ro, a, sizeof(a), &alen,
			    &d) != 0)
				continue;	/* the form cannot carry it */
			if (strlen(a) != alen)
				fuzz_gs1_fail("length", gs1_form_name(forms[f]),
				    a);
			if (forms[f] == GS1_FORM_JSON ||
			    forms[f] == GS1_FORM_HRI_LINES)
				continue;	/* output only */
			if (gs1_parse(&back, m->table, a, alen, NULL, &d) != 0)
				fuzz_gs1_fail(d.msg, gs1_form_name(forms[f]),
				    a);
			if (back.n != m->n)
				fuzz_gs1_fail("count", gs1_form_name(forms[f]),
				    a);
			if (gs1_render(&back, forms[f], &ro, b, sizeof(b),
			    &blen, &d) != 0)
				fuzz_gs1_fail(d.msg, gs1_form_name(forms[f]),
				    a);
			if (alen != blen || memcmp(a, b, alen) != 0)
				fuzz_gs1_fail("unstable",
				    gs1_form_name(forms[f]), a);
		}
	}
}

/* Parse `len` bytes at `s` strictly and leniently; check each result. */
static void
fuzz_gs1_one(const char *s, size_t len)
{
	static struct gs1_msg m;
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return;
	memcpy(copy, s, len);
	for (int lenient = 0; lenient < 2; lenient++) {
		struct gs1_parse_opts po = GS1_PARSE_OPTS_INIT;
		struct gs1_validate_opts vo = { GS1_PROFILE_DSCSA,
		    { 2026, 12, 1 } };
		struct diag d = DIAG_INIT;

		po.lenient = lenient != 0;
		if (gs1_parse(&m, NULL, s, len, &po, &d) == 0) {
			fuzz_gs1_stable(&m);
			(void)gs1_validate(&m, &vo, &d);
		} else if (d.msg[0] == '\0') {
			fuzz_gs1_fail("error without a message", "parse", "");
		}
		if (memcmp(copy, s, len) != 0)
			fuzz_gs1_fail("input modified", "parse", "");
	}
	free(copy);
}

/* Prefix the fuzz data with `prefix` and check it. */
static void
fuzz_gs1_prefixed(const char *prefix, const uint8_t *data, size_t len)
{
	size_t pl = strlen(prefix);
	char *buf;

	if (len > GS1_RENDER_MAX)
		len = GS1_RENDER_MAX;
	if ((buf = malloc(pl + len + 1)) == NULL)
		return;
	memcpy(buf, prefix, pl);
	memcpy(buf + pl, data, len);
	fuzz_gs1_one(buf, pl + len);
	free(buf);
}

#endif /* DSCSA_FUZZ_GS1_CHECK_H */
