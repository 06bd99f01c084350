/*
 * epcis_items: events back to item lines (dscsa-items(5), DESIGN.md
 * section 2): what `dscsa-epcis read` prints.  EPC URIs become bracketed
 * GS1 element strings through their canonical Digital Link form (GS1
 * Digital Link URI Syntax 1.4: path segments are AI/value pairs,
 * percent-encoded); ILMD lot and expiry are put back as (10) and (17).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "epcis.h"
#include "epcis_int.h"
#include "gs1.h"

size_t
epcis_epc_to_bracketed(const char *uri, char *buf, size_t cap)
{
	char dl[512];
	size_t n, o = 0;
	const char *p;

	if (cap == 0)
		return 0;
	/* an SGTIN without escapes, the common case: no Digital Link detour */
	if ((n = epcis_sgtin_bracketed(uri, buf, cap)) != (size_t)-1)
		return n;
	n = epcis_dl_normalise(uri, strlen(uri), dl, sizeof(dl));
	if (n == 0)
		return 0;
	p = dl + 18;			/* after "https://id.gs1.org" */
	while (*p == '/') {
		const char *ai = p + 1, *slash = strchr(ai, '/'), *v, *ve;

		if (slash == NULL)
			return 0;
		v = slash + 1;
		ve = strchr(v, '/');
		if (ve == NULL)
			ve = v + strlen(v);
		if (o + (size_t)(slash - ai) + 3 >= cap)
			return 0;
		buf[o++] = '[';
		memcpy(buf + o, ai, (size_t)(slash - ai));
		o += (size_t)(slash - ai);
		buf[o++] = ']';
		for (const char *q = v; q < ve; q++) {
			char c = *q;
			int hi = q + 2 < ve + 1 ?
			    gs1_hex_value((unsigned char)q[1]) : -1;
			int lo = q + 2 < ve + 1 ?
			    gs1_hex_value((unsigned char)q[2]) : -1;

			if (c == '%' && hi >= 0 && lo >= 0) {
				c = (char)(hi * 16 + lo);
				q += 2;
			}
			if (o + 1 >= cap)
				return 0;
			buf[o++] = c;
		}
		p = ve;
	}
	buf[o] = '\0';
	return o;
}

static const char *
short_vocab(const char *v)
{
	static const char *const prefixes[] = {
		"urn:epcglobal:cbv:bizstep:", "urn:epcglobal:cbv:disp:",
		"urn:epcglobal:cbv:btt:", "urn:epcglobal:cbv:sdt:",
		"urn:epcglobal:cbv:er:",
		"https://ref.gs1.org/cbv/BizStep-", "https://ref.gs1.org/cbv/Disp-",
		"https://ref.gs1.org/cbv/BTT-", "https://ref.gs1.org/cbv/SDT-",
		"https://ref.gs1.org/cbv/ER-",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(v, prefixes[i], strlen(prefixes[i])) == 0)
			return v + strlen(prefixes[i]);
	return v;
}

static void
put_val(struct epcis_buf *b, const char *v)
{
	size_t start = 0, i;

	for (i = 0; v[i] != '\0'; i++) {
		const char *e = v[i] == '%' ? "%25" : v[i] == '\t' ? "%09" :
		    v[i] == '\r' ? "%0D" : v[i] == '\n' ? "%0A" : NULL;

		if (e == NULL)
			continue;
		epcis_buf_add(b, v + start, i - start);
		epcis_buf_adds(b, e);
		start = i + 1;
	}
	epcis_buf_add(b, v + start, i - start);
}

static void
attr(struct epcis_buf *b, const char *key, const char *v)
{
	if (v == NULL)
		return;
	epcis_buf_add(b, "\t", 1);
	epcis_buf_adds(b, key);
	epcis_buf_add(b, "=", 1);
	put_val(b, v);
}

/*
 * What the ILMD adds after the GTIN of an item: (17) from the expiry if it
 * is a YYYY-MM-DD date, and (10) the lot unless the item has a (10) of its
 * own, if the lot is a (10) value (1-20 characters of CSET 82).  Anything
 * else would make the element string unreadable (a TAB splits the line);
 * the lot= and expiry= attributes carry the values as written either way.
 */
static bool
is_date(const char *s)
{
	static const char form[] = "dddd-dd-dd";
	struct gs1_date dt;

	for (size_t i = 0; i < sizeof(form) - 1; i++)
		if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return false;
	dt.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0');
	dt.month = (s[5] - '0') * 10 + (s[6] - '0');
	dt.day = (s[8] - '0') * 10 + (s[9] - '0');
	return s[sizeof(form) - 1] == '\0' && gs1_date_valid(&dt);
}

static bool
is_lot(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (n == 20 || !gs1_is_cset82((unsigned char)s[n]))
			return false;
	return n > 0;
}

static void
ilmd_ais(struct epcis_buf *b, const struct epcis_event *ev, bool lot)
{
	if (ev->expiry != NULL && is_date(ev->expiry)) {
		char yymmdd[7];

		memcpy(yymmdd, ev->expiry + 2, 2);
		memcpy(yymmdd + 2, ev->expiry + 5, 2);
		memcpy(yymmdd + 4, ev->expiry + 8, 2);
		yymmdd[6] = '\0';
		epcis_buf_adds(b, "[17]");
		epcis_buf_adds(b, yymmdd);
	}
	if (lot && ev->lot != NULL && is_lot(ev->lot)) {
		epcis_buf_adds(b, "[10]");
		epcis_buf_adds(b, ev->lot);
	}
}

static void
item(struct epcis_buf *b, const char *epc, const struct epcis_event *ev,
    bool ilmd)
{
	char g[512];
	size_t n = epcis_epc_to_bracketed(epc, g, sizeof(g));

	if (n == 0) {
		epcis_buf_adds(b, epc);
		return;
	}
	if (ilmd && strncmp(g, "[01]", 4) == 0 && n >= 18) {
		epcis_buf_add(b, g, 18);
		ilmd_ais(b, ev, strncmp(g + 18, "[10]", 4) != 0);
		epcis_buf_add(b, g + 18, n - 18);
		return;
	}
	epcis_buf_add(b, g, n);
}

static const char *
party_key(const char *type, bool source, char *buf, size_t cap)
{
	const char *t = type != NULL ? short_vocab(type) : "party";

	if (strcmp(t, "owning_party") == 0)
		t = "party";
	else if (strcmp(t, "possessing_party") == 0)
		t = "possessor";
	snprintf(buf, cap, "%s_%s", source ? "from" : "to", t);
	return buf;
}

/*
 * The last simple SGTIN converted: its "urn:epc:id:sgtin:CP.IR." and
 * "[01]" GTIN-14.  The EPCs of one event usually share them, and then only
 * the serial needs looking at.
 */
struct sgtin_memo {
	char		 prefix[48];
	size_t		 plen;		/* 0: none */
	char		 gtin[18];
};

/*
 * Is `s` a serial that epcis_sgtin_bracketed() copies as it is: 1 to 20
 * of the characters an EPC URI carries unescaped (EPC TDS section 5,
 * Table 5-1, as epc_chars() in epcis_hash.c checks them), no escape?
 * Its length, or 0.
 */
static size_t
plain_serial(const char *s)
{
	static const char plain[] = "!')(*+,.:;=_-";
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (n == 20 || !((c >= '0' && c <= '9') || (c >= 'A' &&
		    c <= 'Z') || (c >= 'a' && c <= 'z') || strchr(plain, c)))
			return 0;
	}
	return n;
}

/* Remember the prefix and GTIN of `epc`, whose bracketed form is g. */
static void
memo_set(struct sgtin_memo *m, const char *epc, const char *g, size_t n)
{
	const char *d1, *d2;
	size_t plen;

	m->plen = 0;
	if (n < 22 || strncmp(epc, "urn:epc:id:sgtin:", 17) != 0 ||
	    strncmp(g, "[01]", 4) != 0 || strncmp(g + 18, "[21]", 4) != 0 ||
	    (d1 = strchr(epc + 17, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL)
		return;
	plen = (size_t)(d2 + 1 - epc);
	if (plen > sizeof(m->prefix) || strcmp(d2 + 1, g + 22) != 0)
		return;
	memcpy(m->prefix, epc, plen);
	memcpy(m->gtin, g, 18);
	m->plen = plen;
}

/*
 * The item of one EPC: its bracketed form with `mid` ((17) and (10) from
 * the ILMD, or "") after the GTIN, or the URI if it has none.
 */
static void
item_fast(struct epcis_buf *b, struct sgtin_memo *m, const char *epc,
    const struct epcis_event *ev, bool ilmd, const char *mid, size_t midlen)
{
	char g[512];
	size_t n;

	if (m->plen > 0 && strncmp(epc, m->prefix, m->plen) == 0 &&
	    (n = plain_serial(epc + m->plen)) > 0) {
		epcis_buf_add(b, m->gtin, 18);
		epcis_buf_add(b, mid, midlen);
		epcis_buf_add(b, "[21]", 4);
		epcis_buf_add(b, epc + m->plen, n);
		return;
	}
	n = epcis_epc_to_bracketed(epc, g, sizeof(g));
	memo_set(m, epc, g, n);
	if (m->plen > 0) {
		epcis_buf_add(b, g, 18);
		epcis_buf_add(b, mid, midlen);
		epcis_buf_add(b, g + 18, n - 18);
		return;
	}
	item(b, epc, ev, ilmd);
}

/*
 * Write the lines in b once the next common line could take them to this
 * many bytes (and at the end): b stays in one allocation of this size.
 */
#define LINES_FLUSH	(16 * 1024)

int
epcis_event_write_items(FILE *out, const char *name,
    const struct epcis_event *ev, struct diag *d)
{
	struct epcis_buf b = { NULL, 0, 0, false }, tail = { NULL, 0, 0, false };
	struct epcis_buf hash = { NULL, 0, 0, false };
	struct sgtin_memo memo;
	const char *tname = epcis_event_type_name(ev->type);
	struct epcis_buf mid = { NULL, 0, 0, false };
	char key[128], parent[512];
	bool ilmd = ev->lot != NULL || ev->expiry != NULL;
	size_t k0 = 0, line;
	int rc = 0;

	memo.plen = 0;
	/* what every line of the event says, once */
	attr(&tail, "event", tname);
	attr(&tail, "action", ev->action);
	attr(&tail, "biz_step", ev->biz_step ? short_vocab(ev->biz_step) : NULL);
	attr(&tail, "disposition", ev->disposition ?
	    short_vocab(ev->disposition) : NULL);
	attr(&tail, "time", ev->event_time);
	attr(&tail, "read_point", ev->read_point);
	attr(&tail, "location", ev->biz_location);
	if (ev->parent_id != NULL) {
		size_t n = epcis_epc_to_bracketed(ev->parent_id, parent,
		    sizeof(parent));

		attr(&tail, "parent", n > 0 ? parent : ev->parent_id);
	}
	attr(&tail, "lot", ev->lot);
	attr(&tail, "expiry", ev->expiry);
	for (size_t k = 0; k < ev->nsource; k++)
		attr(&tail, party_key(ev->sources[k].type, true, key,
		    sizeof(key)), ev->sources[k].id);
	for (size_t k = 0; k < ev->ndest; k++)
		attr(&tail, party_key(ev->dests[k].type, false, key,
		    sizeof(key)), ev->dests[k].id);
	for (size_t k = 0; k < ev->nbiz_tx; k++)
		attr(&tail, ev->biz_tx[k].type != NULL ?
		    short_vocab(ev->biz_tx[k].type) : "bt", ev->biz_tx[k].id);
	if (ev->error_time != NULL)
		attr(&tail, "error_reason", ev->error_reason != NULL ?
		    short_vocab(ev->error_reason) : "");
	/* and the hash id, which ends every line: escaped once too */
	if (ev->hash_id[0] != '\0')
		attr(&hash, "hash", ev->hash_id);
	epcis_buf_add(&hash, "\n", 1);
	/* the ILMD AIs of an SGTIN item, once */
	if (ilmd)
		ilmd_ais(&mid, ev, true);
	if (tail.failed || hash.failed || mid.failed)
		goto nomem;
	/*
	 * The lines of the event (up to a flush) in one allocation, not in a
	 * chain of reallocations that copy them: a common line is about this
	 * long (a serial of up to 20 characters).
	 */
	line = 18 + mid.len + 4 + 20 + tail.len + hash.len;
	if (ev->nepc > 0) {
		size_t est = ev->nepc < LINES_FLUSH / line ?
		    ev->nepc * line : LINES_FLUSH - 1;

		if (epcis_buf_reserve(&b, est) == NULL)
			goto nomem;
		b.len = 0;
	}
	for (size_t i = 0; i < ev->nepc; i++) {
		const char *epc = ev->epcs[i];
		size_t n;
		char *p;

		/* the common line: a remembered GTIN, no per-item attributes */
		if (ev->nattr == 0 && memo.plen > 0 &&
		    strncmp(epc, memo.prefix, memo.plen) == 0 &&
		    (n = plain_serial(epc + memo.plen)) > 0) {
			if ((p = epcis_buf_reserve(&b, 18 + mid.len + 4 + n +
			    tail.len + hash.len)) == NULL)
				goto nomem;
			memcpy(p, memo.gtin, 18);
			p += 18;
			if (mid.len > 0)
				memcpy(p, mid.data, mid.len);
			p += mid.len;
			memcpy(p, "[21]", 4);
			memcpy(p + 4, epc + memo.plen, n);
			p += 4 + n;
			if (tail.len > 0)
				memcpy(p, tail.data, tail.len);
			memcpy(p + tail.len, hash.data, hash.len);
			goto written;
		}
		item_fast(&b, &memo, epc, ev, ilmd, mid.data != NULL ?
		    mid.data : "", mid.len);
		epcis_buf_add(&b, tail.data != NULL ? tail.data : "", tail.len);
		/* attributes are grouped by EPC in document order */
		for (size_t k = k0; k < ev->nattr; k++)
			if (strcmp(ev->attrs[k].epc, epc) == 0) {
				attr(&b, ev->attrs[k].key, ev->attrs[k].value);
				if (k == k0)
					k0++;
			}
		epcis_buf_add(&b, hash.data, hash.len);
written:
		if (b.failed)
			goto nomem;
		if ((b.len + line >= LINES_FLUSH || i + 1 == ev->nepc) &&
		    fwrite(b.data, 1, b.len, out) != b.len) {
			diag_system(d, "write error");
			diag_at(d, name, 0);
			rc = -1;
			goto out;
		}
		if (b.len + line >= LINES_FLUSH)
			b.len = 0;
	}
	goto out;
nomem:
	rc = diag_system(d, "out of memory");
out:
	epcis_buf_free(&b);
	epcis_buf_free(&tail);
	epcis_buf_free(&hash);
	epcis_buf_free(&mid);
	return rc;
}
