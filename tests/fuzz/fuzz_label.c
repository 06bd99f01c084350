/*
 * libFuzzer harness: GS1 data through the label module (zint in GS1 mode,
 * the writers, the in-line check, file names).
 * Properties: no crash or sanitizer report; every message the gs1 parser
 * accepts is either refused by label_encode() with DIAG_INPUT, or encoded
 * into a symbol that label_check() reads back exactly (square, same
 * size, same bytes); every format writes; a file name made from any
 * serial holds no '/', does not start with '.', and is never handed out
 * twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "label.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const enum label_format fmts[] = { LABEL_SVG, LABEL_EPS,
	    LABEL_ZPL, LABEL_PNG };
	struct gs1_parse_opts po = GS1_PARSE_OPTS_INIT;
	struct label_opts lo = LABEL_OPTS_INIT;
	struct label_names *names;
	struct label_info li;
	struct gs1_msg *m;
	struct label *l;
	struct diag d = DIAG_INIT;
	char a[LABEL_NAME_MAX], b[LABEL_NAME_MAX], *buf = NULL;
	size_t n = 0;
	FILE *f;

	/* Names: from the raw bytes, twice; the second must differ. */
	if (label_names_new(&names, &d) != 0)
		abort();
	if (len > 0 && len <= 20) {
		if (label_names_next_raw(names, (const char *)data, len,
		    LABEL_PNG, a, &d) != 0 ||
		    label_names_next_raw(names, (const char *)data, len,
		    LABEL_PNG, b, &d) != 0)
			abort();
		if (strchr(a, '/') != NULL || a[0] == '.' ||
		    strcmp(a, b) == 0 || strlen(a) >= LABEL_NAME_MAX)
			abort();
	}
	label_names_free(names);

	if ((m = malloc(sizeof(*m))) == NULL)
		abort();
	if (gs1_parse(m, gs1_table_embedded(), (const char *)data, len, &po,
	    &d) != 0) {
		free(m);
		return 0;
	}
	lo.module_px = 1 + len % 4;
	lo.hri = (enum label_hri)(len % 3);
	for (size_t k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++) {
		diag_clear(&d);
		lo.format = fmts[k];
		lo.zpl_mode = (enum label_zpl_mode)(k % 2);
		if (label_new(&l, &lo, &d) != 0)
			abort();
		if (label_encode(l, m, &d) != 0) {
			if (d.kind != DIAG_INPUT || d.msg[0] == '\0')
				abort();
			label_free(l);
			break;
		}
		label_info(l, &li);
		if (li.rows != li.cols || li.rows < 10 || li.rows > 144)
			abort();
		if (label_check(l, &d) != 0)
			abort();
		if ((f = open_memstream(&buf, &n)) == NULL)
			abort();
		if (label_write(l, f, &d) != 0)
			abort();
		fclose(f);
		if (n == 0)
			abort();
		free(buf);
		buf = NULL;
		label_free(l);
	}
	free(m);
	return 0;
}
