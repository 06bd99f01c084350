/*
 * libFuzzer harness for the EPCIS writer (libcommon/epcis_write.c), which
 * composes events and escapes their values itself.  The input is split at
 * NUL bytes into the strings of one ObjectEvent: the first byte chooses
 * the version and the indentation, then epc values, the lot, a business
 * transaction type and id, and attribute key/value pairs.  Properties:
 * the input is not modified; when every string is XML 1.0 character data
 * (valid UTF-8, XML Chars only), the document is well-formed and libxml2
 * reads back every value exactly (text and attribute values, escaping,
 * character references and all); otherwise the writer does not crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include "diag.h"
#include "epcis.h"

#define MAXS	32

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/*
 * Is s valid UTF-8 (RFC 3629: no overlong forms, no surrogates) of XML 1.0
 * Chars (section 2.2) only?  Written out because libxml2 2.9's
 * xmlGetUTF8Char() takes a continuation byte as a lead byte.
 */
static int
xml_text(const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	while (*p != '\0') {
		unsigned long c;
		size_t n;

		if (*p < 0x80) {
			if (*p < 0x20 && *p != 0x9 && *p != 0xA && *p != 0xD)
				return 0;
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF) {
			n = 2;
			c = *p & 0x1F;
		} else if (*p >= 0xE0 && *p <= 0xEF) {
			n = 3;
			c = *p & 0x0F;
		} else if (*p >= 0xF0 && *p <= 0xF4) {
			n = 4;
			c = *p & 0x07;
		} else
			return 0;
		for (size_t k = 1; k < n; k++) {
			if ((p[k] & 0xC0) != 0x80)
				return 0;	/* also stops at the NUL */
			c = c << 6 | (p[k] & 0x3F);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) ||
		    c == 0xFFFE || c == 0xFFFF)
			return 0;
		p += n;
	}
	return 1;
}

static void
same(const xmlChar *got, const char *want)
{
	if (got == NULL || strcmp((const char *)got, want) != 0)
		abort();
}

/* Walk the document and compare every value with what was written. */
static void
check(const char *buf, size_t len, const struct epcis_event *ev)
{
	xmlDocPtr doc = xmlReadMemory(buf, (int)len, "fuzz", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr n;
	size_t epc = 0, attr = 0;

	if (doc == NULL)
		abort();		/* not well-formed */
	n = xmlDocGetRootElement(doc);
	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;
			xmlChar *v = NULL;

			if (strcmp(name, "epc") == 0) {
				if (epc >= ev->nepc)
					abort();
				same(v = xmlNodeGetContent(n), ev->epcs[epc++]);
			} else if (strcmp(name, "lotNumber") == 0)
				same(v = xmlNodeGetContent(n), ev->lot);
			else if (strcmp(name, "bizTransaction") == 0) {
				same(v = xmlNodeGetContent(n), ev->biz_tx[0].id);
				xmlFree(v);
				same(v = xmlGetProp(n, (const xmlChar *)"type"),
				    ev->biz_tx[0].type);
			} else if (strcmp(name, "item") == 0) {
				/* a group of attributes: its first one's epc */
				if (attr >= ev->nattr)
					abort();
				same(v = xmlGetProp(n, (const xmlChar *)"epc"),
				    ev->attrs[attr].epc);
			} else if (strcmp(name, "attr") == 0) {
				if (attr >= ev->nattr)
					abort();
				same(v = xmlGetProp(n, (const xmlChar *)"name"),
				    ev->attrs[attr].key);
				xmlFree(v);
				same(v = xmlNodeGetContent(n),
				    ev->attrs[attr++].value);
			}
			xmlFree(v);
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		while (n != NULL && n->next == NULL)
			n = n->parent;
		if (n != NULL)
			n = n->next;
	}
	if (epc != ev->nepc || attr != ev->nattr)
		abort();
	xmlFreeDoc(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *s[MAXS], *epcs[MAXS];
	struct epcis_item_attr attrs[MAXS / 2];
	struct epcis_ref bt;
	struct epcis_doc_opts o = { 0 };
	struct epcis_event ev;
	struct epcis_writer *w = NULL;
	struct diag d = DIAG_INIT;
	char *copy, *text, *out = NULL;
	size_t ns = 0, outlen = 0, nepc;
	int ok = 1, rc;
	FILE *f;

	if (len < 1 || len > 1 << 16 || (copy = malloc(len)) == NULL)
		return 0;
	memcpy(copy, data, len);
	if ((text = malloc(len)) == NULL) {
		free(copy);
		return 0;
	}
	memcpy(text, data + 1, len - 1);
	text[len - 1] = '\0';
	for (size_t i = 0; ns < MAXS; ) {
		s[ns++] = text + i;
		i += strlen(text + i) + 1;
		if (i >= len)
			break;
	}
	for (size_t i = 0; i < ns; i++)
		ok &= xml_text(s[i]);
	/* strings: epcs (a quarter of them), lot, bt type, bt id, pairs */
	nepc = ns > 3 ? 1 + (ns - 3) / 4 : 1;
	memset(&ev, 0, sizeof(ev));
	ev.type = EPCIS_OBJECT;
	ev.action = "ADD";
	ev.event_time = "2026-12-01T08:00:00Z";
	ev.nepc = nepc;
	for (size_t i = 0; i < nepc; i++)
		epcs[i] = s[i < ns ? i : 0];
	ev.epcs = epcs;
	ev.lot = nepc < ns ? s[nepc] : s[0];
	bt.type = nepc + 1 < ns ? s[nepc + 1] : s[0];
	bt.id = nepc + 2 < ns ? s[nepc + 2] : s[0];
	ev.nbiz_tx = 1;
	ev.biz_tx = &bt;
	for (size_t i = nepc + 3; i + 1 < ns && ev.nattr < MAXS / 2; i += 2) {
		attrs[ev.nattr].epc = epcs[ev.nattr % nepc];
		attrs[ev.nattr].key = s[i];
		attrs[ev.nattr++].value = s[i + 1];
	}
	ev.attrs = attrs;
	o.version = data[0] & 1 ? EPCIS_V2_0 : EPCIS_V1_2;
	o.indent = (data[0] & 2) != 0;
	o.creation_date = "2026-12-01T08:00:00Z";
	if ((f = open_memstream(&out, &outlen)) == NULL)
		abort();
	rc = epcis_writer_open(&w, f, "fuzz", &o, &d);
	if (rc == 0)
		rc = epcis_writer_event(w, &ev, &d);
	if (rc == 0)
		rc = epcis_writer_close(w, &d);
	epcis_writer_free(w);
	fclose(f);
	if (rc != 0)
		abort();		/* nothing here is a refusal */
	if (ok)
		check(out, outlen, &ev);
	free(out);
	free(text);
	if (memcmp(copy, data, len) != 0)
		abort();
	free(copy);
	return 0;
}
