/*
 * libFuzzer harness for libcommon/items: the item-line reader.
 * Properties: the input is not modified; every good item, written back
 * (bracketed, attributes as read), reads again as the same element string
 * with the same attributes; errors always carry a line number.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "items.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void
bracketed(const struct gs1_msg *m, char *buf, size_t cap)
{
	struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
	struct diag d = DIAG_INIT;

	if (gs1_render(m, GS1_FORM_BRACKETED, &ro, buf, cap, NULL, &d) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct items_item it, again;
	static char ra[GS1_RENDER_MAX], rb[GS1_RENDER_MAX];
	struct items_reader *r;
	struct diag d = DIAG_INIT;
	char *copy;
	FILE *f;
	int rc;

	if (len == 0 || len > 200000 || (copy = malloc(len)) == NULL)
		return 0;
	memcpy(copy, data, len);
	if ((f = fmemopen(copy, len, "r")) == NULL) {
		free(copy);
		return 0;
	}
	if (items_reader_open(&r, f, "fuzz", NULL, &d) != 0)
		abort();
	while ((rc = items_next(r, &it, &d)) != 0) {
		char *out = NULL;
		size_t outlen = 0;
		struct items_reader *r2;
		FILE *w, *f2;

		if (rc < 0) {
			if (d.line == 0 || d.kind != DIAG_INPUT)
				abort();
			diag_clear(&d);
			continue;
		}
		if ((w = open_memstream(&out, &outlen)) == NULL)
			abort();
		if (items_write(w, &it.msg, GS1_FORM_BRACKETED, NULL,
		    it.attrs_raw, it.attrs_raw_len, &d) != 0)
			abort();
		fclose(w);
		if ((f2 = fmemopen(out, outlen, "r")) == NULL ||
		    items_reader_open(&r2, f2, "again", NULL, &d) != 0 ||
		    items_next(r2, &again, &d) != 1)
			abort();
		bracketed(&it.msg, ra, sizeof(ra));
		bracketed(&again.msg, rb, sizeof(rb));
		if (strcmp(ra, rb) != 0 || again.nattr != it.nattr ||
		    again.attrs_raw_len != it.attrs_raw_len ||
		    memcmp(again.attrs_raw, it.attrs_raw, it.attrs_raw_len) != 0)
			abort();
		items_reader_free(r2);
		fclose(f2);
		free(out);
	}
	items_reader_free(r);
	fclose(f);
	if (memcmp(copy, data, len) != 0)
		abort();
	free(copy);
	return 0;
}
