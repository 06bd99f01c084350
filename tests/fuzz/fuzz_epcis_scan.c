/*
 * libFuzzer harness: the own XML scanner (libcommon/epcis_scan.c) against
 * libxml2's parser, both behind the same reader (epcis_read.c, option
 * libxml2).  Properties, on any input:
 *
 *  1. whatever libxml2 rejects as not well-formed, the scanner rejects
 *     too (it may reject more: only UTF-8, no DOCTYPE with content);
 *  2. the events both deliver agree in every field, the canonical bytes,
 *     the pre-hash, the hash id and the line;
 *  3. when both read the whole input, they deliver the same number of
 *     events.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "epcis.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int
str_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b);
}

static int
list_cmp(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return 1;
	for (size_t i = 0; i < na; i++)
		if (str_cmp(a[i], b[i]) != 0)
			return 1;
	return 0;
}

static int
refs_cmp(const struct epcis_ref *a, size_t na, const struct epcis_ref *b,
    size_t nb)
{
	if (na != nb)
		return 1;
	for (size_t i = 0; i < na; i++)
		if (str_cmp(a[i].type, b[i].type) || str_cmp(a[i].id, b[i].id))
			return 1;
	return 0;
}

static void
same_event(const struct epcis_event *a, const struct epcis_event *b)
{
	if (a->type != b->type || a->version != b->version ||
	    str_cmp(a->action, b->action) || str_cmp(a->biz_step, b->biz_step) ||
	    str_cmp(a->disposition, b->disposition) ||
	    str_cmp(a->event_time, b->event_time) ||
	    str_cmp(a->event_time_zone_offset, b->event_time_zone_offset) ||
	    str_cmp(a->record_time, b->record_time) ||
	    str_cmp(a->event_id, b->event_id) ||
	    str_cmp(a->read_point, b->read_point) ||
	    str_cmp(a->biz_location, b->biz_location) ||
	    str_cmp(a->parent_id, b->parent_id) ||
	    str_cmp(a->transformation_id, b->transformation_id) ||
	    str_cmp(a->lot, b->lot) || str_cmp(a->expiry, b->expiry) ||
	    str_cmp(a->error_time, b->error_time) ||
	    str_cmp(a->error_reason, b->error_reason))
		abort();
	if (list_cmp(a->epcs, a->nepc, b->epcs, b->nepc) ||
	    list_cmp(a->inputs, a->ninput, b->inputs, b->ninput) ||
	    list_cmp(a->corrective, a->ncorrective, b->corrective,
	    b->ncorrective) ||
	    refs_cmp(a->biz_tx, a->nbiz_tx, b->biz_tx, b->nbiz_tx) ||
	    refs_cmp(a->sources, a->nsource, b->sources, b->nsource) ||
	    refs_cmp(a->dests, a->ndest, b->dests, b->ndest))
		abort();
	if (a->nattr != b->nattr)
		abort();
	for (size_t i = 0; i < a->nattr; i++)
		if (str_cmp(a->attrs[i].epc, b->attrs[i].epc) ||
		    str_cmp(a->attrs[i].key, b->attrs[i].key) ||
		    str_cmp(a->attrs[i].value, b->attrs[i].value))
			abort();
	if (a->canon_len != b->canon_len ||
	    memcmp(a->canon, b->canon, a->canon_len) != 0)
		abort();
	if (a->prehash_len != b->prehash_len ||
	    memcmp(a->prehash, b->prehash, a->prehash_len) != 0)
		abort();
	if (strcmp(a->hash_id, b->hash_id) != 0 || a->line != b->line)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct epcis_read_opts ox = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *rs, *rx;
	struct epcis_event es, ex;
	struct diag ds = DIAG_INIT, dx = DIAG_INIT;
	int rcs = 1, rcx = 1, n = 0;

	if (len > 1 << 20)
		return 0;
	ox.libxml2 = true;
	ox.xml = &epcis_read_libxml2;
	if (epcis_reader_open_mem(&rs, data, len, "scan", NULL, &ds) != 0 ||
	    epcis_reader_open_mem(&rx, data, len, "libxml2", &ox, &dx) != 0)
		abort();
	while (n < 1000) {
		rcs = epcis_reader_next(rs, &es, &ds);
		rcx = epcis_reader_next(rx, &ex, &dx);
		if (rcs != 1 || rcx != 1)
			break;
		same_event(&es, &ex);	/* property 2 */
		n++;
	}
	/* property 1: libxml2 refused, so must the scanner, now or later */
	if (rcx < 0 && dx.kind == DIAG_INPUT) {
		while (rcs == 1)
			rcs = epcis_reader_next(rs, &es, &ds);
		if (rcs != -1)
			abort();
	}
	/* property 3 */
	if (rcs == 0 && rcx == 1)
		abort();
	epcis_reader_free(rs);
	epcis_reader_free(rx);
	return 0;
}
