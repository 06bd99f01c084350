/*
 * libFuzzer harness: the Syntax Dictionary loader (gs1_dict_parse) over
 * arbitrary text.  Property: it loads or reports "name:line: ..." with a
 * message, never crashes or leaks; a loaded table answers lookups of each
 * of its AIs and parses a message with one of them.  Seed corpus:
 * tests/fuzz/corpus/gs1_dict/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gs1.h"
#include "gs1_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct gs1_table *t = NULL;
	struct diag d = DIAG_INIT;

	if (gs1_dict_parse(&t, (const char *)data, len, "fuzz", &d) != 0) {
		if (d.msg[0] == '\0' || t != NULL)
			abort();
		return 0;
	}
	for (size_t i = 0; i < t->n; i++)
		if (gs1_table_find(t, t->ai[i].ai, t->ai[i].ailen) !=
		    &t->ai[i])
			abort();
	gs1_table_free(t);
	return 0;
}
