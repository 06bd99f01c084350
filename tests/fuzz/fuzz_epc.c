/*
 * libFuzzer harness for libcommon/epc: EPC URI parsing and Table A-1
 * escaping.  Properties: the input is not modified; unescape(escape(x)) is
 * x for any bytes; a URI that parses renders back (with the company prefix
 * length it was written with) to a URI that parses to the same element
 * string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "epc.h"
#include "gs1.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void
render(const struct gs1_msg *m, char *buf, size_t cap)
{
	struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
	struct diag d = DIAG_INIT;

	if (gs1_render(m, GS1_FORM_BRACKETED, &ro, buf, cap, NULL, &d) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct gs1_msg a, b;
	const char *s = (const char *)data;
	char *copy, esc[3 * 256 + 1], back[257], ra[GS1_RENDER_MAX],
	    rb[GS1_RENDER_MAX], uri[EPC_URI_MAX];
	struct diag d = DIAG_INIT;
	struct epc_gcp *g;
	enum epc_scheme sc;
	size_t n, gcp = 0, p = 0;

	if (len > 4096)
		return 0;
	if ((copy = malloc(len + 1)) == NULL)
		return 0;
	memcpy(copy, data, len);

	/* Escaping round trip over the first 256 bytes. */
	n = len < 256 ? len : 256;
	if (epc_escape(s, n, esc, sizeof(esc)) == (size_t)-1 ||
	    epc_unescape(esc, strlen(esc), back, sizeof(back), NULL,
	    NULL) != n || memcmp(back, s, n) != 0)
		abort();

	if (epc_parse_uri(&a, gs1_table_embedded(), s, len, &d) == 0) {
		/* After "urn:epc:id:sgtin:" or "urn:epc:class:lgtin:". */
		for (int colons = 0; colons < 4; p++)
			if (s[p] == ':')
				colons++;
		while (p + gcp < len && s[p + gcp] != '.')
			gcp++;
		sc = strncmp(s, "urn:epc:class:", 14) == 0 ? EPC_SCHEME_LGTIN :
		    EPC_SCHEME_AUTO;
		if (gs1_msg_find(&a, "21") != NULL)
			sc = EPC_SCHEME_SGTIN;
		if (epc_gcp_fixed(&g, (unsigned)gcp, &d) != 0)
			abort();
		if (epc_render_uri(&a, sc, g, uri, sizeof(uri), NULL, &d) != 0) {
			/* Only an SGLN extension "0" written escaped may fail. */
			if (gs1_msg_find(&a, "254") == NULL)
				abort();
		} else {
			if (epc_parse_uri(&b, gs1_table_embedded(), uri,
			    strlen(uri), &d) != 0)
				abort();
			render(&a, ra, sizeof(ra));
			render(&b, rb, sizeof(rb));
			if (strcmp(ra, rb) != 0)
				abort();
		}
		epc_gcp_free(g);
	}
	if (memcmp(copy, data, len) != 0)
		abort();
	free(copy);
	return 0;
}
