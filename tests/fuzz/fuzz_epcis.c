/*
 * libFuzzer harness for the EPCIS reader (libcommon/epcis_read.c,
 * epcis_c14n.c, epcis_hash.c).  Properties: the input is not modified;
 * every error names the input and is DIAG_INPUT, DIAG_VERIFY or (never
 * for memory input) DIAG_SYSTEM only on allocation failure; after an error
 * the reader stays dead (invariant 4); the canonical form of every event,
 * read back as a bare event, gives exactly one event with the same
 * canonical bytes and the same hash id (the canonical form is a fixpoint).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "epcis.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void
check_canon(const struct epcis_event *ev)
{
	struct epcis_reader *r;
	struct epcis_event again;
	struct diag d = DIAG_INIT;
	unsigned char *c = malloc(ev->canon_len + 1);
	char hash[EPCIS_HASH_ID_MAX];

	if (c == NULL)
		return;
	memcpy(c, ev->canon, ev->canon_len);
	memcpy(hash, ev->hash_id, sizeof(hash));
	if (epcis_reader_open_mem(&r, c, ev->canon_len, "canon", NULL, &d) != 0)
		abort();
	if (epcis_reader_next(r, &again, &d) != 1)
		abort();		/* canonical bytes must read */
	if (again.canon_len != ev->canon_len ||
	    memcmp(again.canon, c, ev->canon_len) != 0)
		abort();		/* not a fixpoint */
	if (strcmp(again.hash_id, hash) != 0)
		abort();		/* the hash changed */
	if (epcis_reader_next(r, &again, &d) != 0)
		abort();
	epcis_reader_free(r);
	free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct epcis_reader *r;
	struct epcis_event ev;
	struct diag d = DIAG_INIT;
	uint8_t *copy;
	int rc, events = 0;

	if (len > 1 << 20 || (copy = malloc(len + 1)) == NULL)
		return 0;
	memcpy(copy, data, len);
	if (epcis_reader_open_mem(&r, data, len, "fuzz", NULL, &d) != 0)
		abort();
	while ((rc = epcis_reader_next(r, &ev, &d)) == 1 && events++ < 1000) {
		/* the canonical bytes, copied before the reader moves on */
		check_canon(&ev);
	}
	if (rc < 0) {
		if (strncmp(d.where, "fuzz", 4) != 0 || (d.kind != DIAG_INPUT &&
		    d.kind != DIAG_VERIFY && d.kind != DIAG_SYSTEM))
			abort();
		if (epcis_reader_next(r, &ev, &d) != -1)
			abort();	/* invariant 4 */
	}
	epcis_reader_free(r);
	if (memcmp(copy, data, len) != 0)
		abort();
	free(copy);
	return 0;
}
