/*
 * epcis_util: what the epcis_*.c files share: the per-event arena, the
 * growable buffer, the schema lookup, event type names and the hash id
 * (RFC 6920 "ni" URI over SHA-256, CBV 2.0 section 8.9.4).  Nothing here
 * calls libxml2 (epcis_xml.c does): the reader without validation needs
 * this file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlIO.h>

#include "epcis.h"
#include "epcis_int.h"
#include "sha256.h"

#ifndef EPCIS_SCHEMA_DIR
#define EPCIS_SCHEMA_DIR	"/usr/local/share/dscsa-tools/schemas"
#endif

#define ARENA_CHUNK	(16 * 1024)

struct epcis_arena_chunk {
	struct epcis_arena_chunk *next;
	size_t		 used, cap;
	max_align_t	 data[];
};

void *
epcis_arena_alloc(struct epcis_arena *a, size_t n)
{
	struct epcis_arena_chunk *c = a->head;
	size_t al = sizeof(max_align_t), cap;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + al - 1) / al * al;
	if (c == NULL || c->cap - c->used < n) {
		/* small first chunks for arenas that hold one small event */
		cap = a->chunk != 0 && a->chunk < ARENA_CHUNK ? a->chunk :
		    ARENA_CHUNK;
		if (a->chunk != 0 && a->chunk < ARENA_CHUNK)
			a->chunk *= 2;
		if (n > cap)
			cap = n;
		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
		a->total += cap;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

char *
epcis_arena_strndup(struct epcis_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || (p = epcis_arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
epcis_arena_reset(struct epcis_arena *a)
{
	struct epcis_arena_chunk *c = a->head, *next;

	if (c == NULL)
		return;
	/* Keep the most recent chunk (the biggest a steady stream needs). */
	for (next = c->next; next != NULL; next = c->next) {
		c->next = next->next;
		a->total -= next->cap;
		free(next);
	}
	c->used = 0;
}

void
epcis_arena_free(struct epcis_arena *a)
{
	struct epcis_arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->total = 0;
}

void
epcis_buf_add(struct epcis_buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return;
	if (n >= SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		/* small: most hold one value, and share their pages */
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->data, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

char *
epcis_buf_reserve(struct epcis_buf *b, size_t n)
{
	size_t len = b->len;

	epcis_buf_add(b, NULL, 0);	/* allocated, NUL-terminated */
	if (b->failed || n >= SIZE_MAX / 2 - b->len)
		return NULL;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->data, cap)) == NULL) {
			b->failed = true;
			return NULL;
		}
		b->data = p;
		b->cap = cap;
	}
	b->len += n;
	b->data[b->len] = '\0';
	return b->data + len;
}

void
epcis_buf_adds(struct epcis_buf *b, const char *s)
{
	epcis_buf_add(b, s, strlen(s));
}

void
epcis_buf_free(struct epcis_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

bool
epcis_text_run(size_t *run, const char *buf, size_t n, size_t max)
{
	const char *p = buf, *end = buf + n, *q;

	while ((q = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (*run + (size_t)(q - p) > max)
			return false;
		*run = 0;
		p = q + 1;
	}
	*run += (size_t)(end - p);
	return *run <= max;
}

bool
epcis_is_wrapper(const xmlNode *n)
{
	/*
	 * EPCIS 1.2 nests the fields added after 1.0 in <extension> and
	 * <baseExtension> elements (1.2 XSD, EPCISEventType and each event
	 * type); 2.0 made them direct children in the same order (EPCIS 2.0
	 * section 9.3).  Only unqualified wrappers without attributes count,
	 * as in the reference hash implementation, which removes exactly the
	 * tags "<extension>" and "<baseExtension>".
	 */
	if (n->type != XML_ELEMENT_NODE || n->ns != NULL ||
	    n->properties != NULL)
		return false;
	return strcmp((const char *)n->name, "extension") == 0 ||
	    strcmp((const char *)n->name, "baseExtension") == 0;
}

static const char *const type_names[] = {
	NULL, "ObjectEvent", "AggregationEvent", "TransactionEvent",
	"TransformationEvent", "AssociationEvent", "QuantityEvent",
};

const char *
epcis_event_type_name(enum epcis_event_type t)
{
	if ((int)t <= 0 || (size_t)t >= sizeof(type_names) / sizeof(type_names[0]))
		return NULL;
	return type_names[t];
}

enum epcis_event_type
epcis_event_type_of(const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE || n->ns != NULL)
		return 0;
	for (size_t i = 1; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp((const char *)n->name, type_names[i]) == 0)
			return (enum epcis_event_type)i;
	return 0;
}

const char *
epcis_schema_dir(void)
{
	const char *e = getenv("DSCSA_SCHEMAS");

	return e != NULL && e[0] != '\0' ? e : EPCIS_SCHEMA_DIR;
}

int
epcis_schema_path(enum epcis_version v, bool query, const char *dir,
    char *buf, size_t cap, struct diag *d)
{
	/* not snprintf(): the only caller of its code in read --validate */
	const char *file = v == EPCIS_V2_0 ? (query ?
	    "/epcis-2.0/EPCglobal-epcis-query-2_0.xsd" :
	    "/epcis-2.0/EPCglobal-epcis-2_0.xsd") : query ?
	    "/epcis-1.2/EPCglobal-epcis-query-1_2.xsd" :
	    "/epcis-1.2/EPCglobal-epcis-1_2.xsd";
	size_t dlen, flen = strlen(file);

	if (dir == NULL)
		dir = epcis_schema_dir();
	dlen = strlen(dir);
	if (dlen >= cap || flen >= cap - dlen)
		return diag_system(d, "schema path too long");
	memcpy(buf, dir, dlen);
	memcpy(buf + dlen, file, flen + 1);
	return 0;
}

int
epcis_hash_id(const char *s, size_t len, char out[EPCIS_HASH_ID_MAX],
    struct diag *d)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t md[SHA256_LEN];
	char *p;

	(void)d;		/* the own SHA-256 cannot fail */
	sha256(s, len, md);
	memcpy(out, "ni:///sha-256;", 14);
	p = out + 14;
	for (size_t i = 0; i < sizeof(md); i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 15];
	}
	memcpy(p, "?ver=CBV2.0", 12);
	return 0;
}
