/*
 * ledger_epcis: where the ledger meets EPCIS (libcommon/epcis.h): reading
 * an EPCIS 1.2 or 2.0 document into ledger events (canonical bytes and CBV
 * 2.0 hash ids, copied out of the reader into large blocks), describing an entry's event for
 * people, and the keyring policy.
 *
 * Policy (dscsa-ledger(5) "POLICY"): only the owner of a GS1 company
 * prefix commissions its GTINs.  A commissioning event (an ObjectEvent with
 * action ADD and CBV bizStep commissioning, in the URN or the web URI
 * form, CBV 2.0 section 7.2) may list only SGTIN EPCs whose company prefix
 * (urn:epc:id:sgtin:<GCP>.<item ref>.<serial>, EPC TDS 6.3.1: the URI
 * carries the prefix explicitly) is one of the submitter's prefixes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "epcis.h"
#include "keyring.h"
#include "ledger.h"
#include "mem.h"

/*
 * What the policy needs of an event, kept from the one parse append does
 * (ledger_event.user): verify has only the canonical bytes and parses
 * them again.
 */
struct epcis_info {
	bool	 commissioning;
	size_t	 n;
	const char **sgtin;	/* the SGTIN EPCs, in items */
	/* the index's items: (kind byte, NUL-terminated string) in a row */
	char	*items;
	size_t	 items_len;
};

/*
 * The events' copies live in blocks of at least EV_BLOCK bytes, chained
 * from ledger_events.blocks: one allocation for some hundred events
 * instead of six each, and one free list walk at the end.  A block never
 * moves, so pointers into it stay valid until ledger_events_free().
 */
#define EV_BLOCK	(256 * 1024)

struct ev_block {
	struct ev_block	*next;
	size_t		 len, cap;
	max_align_t	 data[];
};

/* n bytes aligned for pointers, or NULL (out of memory). */
static void *
ev_alloc(struct ledger_events *b, size_t n)
{
	struct ev_block *k = b->blocks;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (k == NULL || k->cap - k->len < n) {
		size_t cap = n > EV_BLOCK ? n : EV_BLOCK;

		if ((k = malloc(sizeof(*k) + cap)) == NULL)
			return NULL;
		k->next = b->blocks;
		k->len = 0;
		k->cap = cap;
		b->blocks = k;
	}
	p = (char *)k->data + k->len;
	k->len += n;
	return p;
}

static char *
ev_dup(struct ledger_events *b, const void *p, size_t len)
{
	char *s = ev_alloc(b, len + 1);

	if (s != NULL) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

/* Visit the index items of a parsed event (ledger_entry_items order). */
static int
event_items(const struct epcis_event *ev,
    int (*fn)(void *, int, const char *, struct diag *), void *ctx,
    struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < ev->nepc && rc == 0; i++)
		rc = fn(ctx, LEDGER_ITEM_EPC, ev->epcs[i], d);
	if (rc == 0 && ev->parent_id != NULL)
		rc = fn(ctx, LEDGER_ITEM_PARENT, ev->parent_id, d);
	for (size_t i = 0; i < ev->ninput && rc == 0; i++)
		rc = fn(ctx, LEDGER_ITEM_INPUT, ev->inputs[i], d);
	if (rc == 0 && ev->lot != NULL)
		rc = fn(ctx, LEDGER_ITEM_LOT, ev->lot, d);
	return rc;
}

static bool is_commissioning(const struct epcis_event *ev);

/*
 * What the policy and the index need of `ev`, in b's blocks: the items
 * (kind byte, string, NUL) in a row; for a commissioning event its SGTIN
 * EPCs, pointing into that row.
 */
static struct epcis_info *
info_make(struct ledger_events *b, const struct epcis_event *ev)
{
	static const char sgtin[] = "urn:epc:id:sgtin:";
	struct epcis_info *in = ev_alloc(b, sizeof(*in));
	size_t nsg = 0, len = 0, o = 0;

	if (in == NULL)
		return NULL;
	memset(in, 0, sizeof(*in));
	in->commissioning = is_commissioning(ev);
	for (size_t i = 0; i < ev->nepc; i++)
		len += 2 + strlen(ev->epcs[i]);
	if (ev->parent_id != NULL)
		len += 2 + strlen(ev->parent_id);
	for (size_t i = 0; i < ev->ninput; i++)
		len += 2 + strlen(ev->inputs[i]);
	if (ev->lot != NULL)
		len += 2 + strlen(ev->lot);
	if (len > 0 && (in->items = ev_alloc(b, len)) == NULL)
		return NULL;
	in->items_len = len;
	if (in->commissioning) {
		for (size_t i = 0; i < ev->nepc; i++)
			if (strncmp(ev->epcs[i], sgtin, sizeof(sgtin) - 1) == 0)
				nsg++;
		if (nsg > 0 && (in->sgtin = ev_alloc(b, nsg *
		    sizeof(char *))) == NULL)
			return NULL;
	}
	for (size_t i = 0; i < ev->nepc; i++) {
		size_t n = strlen(ev->epcs[i]) + 1;

		in->items[o] = LEDGER_ITEM_EPC;
		memcpy(in->items + o + 1, ev->epcs[i], n);
		if (in->commissioning &&
		    strncmp(ev->epcs[i], sgtin, sizeof(sgtin) - 1) == 0)
			in->sgtin[in->n++] = in->items + o + 1;
		o += 1 + n;
	}
	if (ev->parent_id != NULL) {
		size_t n = strlen(ev->parent_id) + 1;

		in->items[o] = LEDGER_ITEM_PARENT;
		memcpy(in->items + o + 1, ev->parent_id, n);
		o += 1 + n;
	}
	for (size_t i = 0; i < ev->ninput; i++) {
		size_t n = strlen(ev->inputs[i]) + 1;

		in->items[o] = LEDGER_ITEM_INPUT;
		memcpy(in->items + o + 1, ev->inputs[i], n);
		o += 1 + n;
	}
	if (ev->lot != NULL) {
		size_t n = strlen(ev->lot) + 1;

		in->items[o] = LEDGER_ITEM_LOT;
		memcpy(in->items + o + 1, ev->lot, n);
		o += 1 + n;
	}
	return in;
}

int
ledger_events_read(struct ledger_events *b, FILE *f, const char *name,
    struct diag *d)
{
	struct epcis_reader *r;
	struct epcis_event ev;
	int rc;

	memset(b, 0, sizeof(*b));
	if (epcis_reader_open(&r, f, name, NULL, d) != 0)
		return -1;
	while ((rc = epcis_reader_next(r, &ev, d)) == 1) {
		struct ledger_event *e;

		if ((e = mem_grow(b->ev, &b->cap, b->n + 1, sizeof(*e),
		    1024)) == NULL) {
			rc = diag_system(d, "out of memory");
			break;
		}
		b->ev = e;
		e = &b->ev[b->n];
		e->canon = ev_dup(b, ev.canon, ev.canon_len);
		e->canon_len = ev.canon_len;
		e->hash_id = ev_dup(b, ev.hash_id, strlen(ev.hash_id));
		e->line = ev.line;
		e->user = info_make(b, &ev);
		if (e->canon == NULL || e->hash_id == NULL || e->user == NULL) {
			rc = diag_system(d, "out of memory");
			break;
		}
		b->n++;
	}
	epcis_reader_free(r);
	if (rc != 0) {
		ledger_events_free(b);
		return -1;
	}
	return 0;
}

void
ledger_events_free(struct ledger_events *b)
{
	struct ev_block *k = b->blocks, *next;

	for (; k != NULL; k = next) {
		next = k->next;
		free(k);
	}
	free(b->ev);
	memset(b, 0, sizeof(*b));
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static bool
is_commissioning(const struct epcis_event *ev)
{
	return ev->type == EPCIS_OBJECT && ev->action != NULL &&
	    strcmp(ev->action, "ADD") == 0 && ev->biz_step != NULL &&
	    (strcmp(ev->biz_step, "urn:epcglobal:cbv:bizstep:commissioning") ==
	    0 || ends_with(ev->biz_step, "/BizStep-commissioning") ||
	    strcmp(ev->biz_step, "commissioning") == 0);
}

static int
check_sgtin(const struct ledger_entry *e, const struct keyring_party *party,
    const char *epc, struct diag *d)
{
	static const char sgtin[] = "urn:epc:id:sgtin:";
	const char *u = epc + sizeof(sgtin) - 1, *dot = strchr(u, '.');

	if (dot != NULL && keyring_owns_prefix(party, u, (size_t)(dot - u)))
		return 0;
	return diag_verify(d, "event %.*s commissions %s, but company prefix "
	    "%.*s is not owned by party %s (rule: only the owner of a company "
	    "prefix commissions its GTINs)", (int)e->hash_id_len, e->hash_id,
	    epc, dot ? (int)(dot - u) : (int)strlen(u), u, party->name);
}

int
ledger_epcis_policy(void *ctx, const struct ledger_entry *e,
    const struct keyring_party *party, struct diag *d)
{
	static const char sgtin[] = "urn:epc:id:sgtin:";
	struct epcis_read_opts ro = EPCIS_READ_OPTS_INIT;
	const struct epcis_info *in = e->user;
	struct epcis_reader *r;
	struct epcis_event ev;
	struct diag pd = DIAG_INIT;
	int rc = 0;

	(void)ctx;
	if (party == NULL)
		return 0;	/* unknown signers are the seal check's business */
	if (in != NULL) {	/* append: parsed already */
		for (size_t i = 0; in->commissioning && i < in->n && rc == 0; i++)
			rc = check_sgtin(e, party, in->sgtin[i], d);
		return rc;
	}
	ro.no_canon = true;
	ro.no_hash = true;
	if (epcis_reader_open_mem(&r, e->content, e->content_len, "entry", &ro,
	    &pd) != 0)
		return diag_verify(d, "event %.*s: cannot read its canonical "
		    "form: %s", (int)e->hash_id_len, e->hash_id, pd.msg);
	if (epcis_reader_next(r, &ev, &pd) != 1) {
		epcis_reader_free(r);
		return diag_verify(d, "event %.*s: no event in its canonical "
		    "form: %s", (int)e->hash_id_len, e->hash_id, pd.msg);
	}
	if (is_commissioning(&ev))
		for (size_t i = 0; i < ev.nepc && rc == 0; i++)
			if (strncmp(ev.epcs[i], sgtin, sizeof(sgtin) - 1) == 0)
				rc = check_sgtin(e, party, ev.epcs[i], d);
	epcis_reader_free(r);
	return rc;
}

int
ledger_describe(const struct ledger_entry *e, char *event, size_t ecap,
    char *items, size_t icap, struct diag *d)
{
	struct epcis_read_opts ro = EPCIS_READ_OPTS_INIT;
	struct epcis_reader *r;
	struct epcis_event ev;
	size_t o = 0;
	const char *bs;
	int n;

	ro.no_canon = true;
	ro.no_hash = true;
	if (epcis_reader_open_mem(&r, e->content, e->content_len, "entry", &ro,
	    d) != 0)
		return -1;
	if (epcis_reader_next(r, &ev, d) != 1) {
		epcis_reader_free(r);
		return diag_input(d, "entry %llu holds no event",
		    (unsigned long long)e->index);
	}
	bs = ev.biz_step ? ev.biz_step : "-";
	if (strrchr(bs, ':') != NULL)
		bs = strrchr(bs, ':') + 1;
	if (strncmp(bs, "BizStep-", 8) == 0 || strstr(bs, "/BizStep-")) {
		const char *p = strstr(bs, "BizStep-");

		bs = p + 8;
	}
	n = snprintf(event, ecap, "%s %s %s", epcis_event_type_name(ev.type) ?
	    epcis_event_type_name(ev.type) : "?", ev.action ? ev.action : "-",
	    bs);
	if (n < 0 || (size_t)n >= ecap)
		event[ecap - 1] = '\0';
	items[0] = '\0';
	if (ev.parent_id != NULL) {
		n = snprintf(items, icap, "%s", ev.parent_id);
		o = n > 0 && (size_t)n < icap ? (size_t)n : 0;
	}
	for (size_t i = 0; i < ev.nepc; i++) {
		n = snprintf(items + o, icap - o, "%s%s", o ? " " : "",
		    ev.epcs[i]);
		if (n < 0 || (size_t)n >= icap - o) {
			items[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
	epcis_reader_free(r);
	return 0;
}

int
ledger_entry_items(const struct ledger_entry *e,
    int (*fn)(void *ctx, int kind, const char *item, struct diag *d),
    void *ctx, struct diag *d)
{
	struct epcis_read_opts ro = EPCIS_READ_OPTS_INIT;
	const struct epcis_info *in = e->user;
	struct epcis_reader *r;
	struct epcis_event ev;
	int rc;

	if (in != NULL) {	/* append: parsed already */
		for (size_t o = 0; o < in->items_len; ) {
			const char *item = in->items + o + 1;

			if ((rc = fn(ctx, (unsigned char)in->items[o], item, d)) != 0)
				return rc;
			o += 1 + strlen(item) + 1;
		}
		return 0;
	}
	ro.no_canon = true;
	ro.no_hash = true;
	if (epcis_reader_open_mem(&r, e->content, e->content_len, "entry", &ro,
	    d) != 0)
		return -1;
	if ((rc = epcis_reader_next(r, &ev, d)) != 1) {
		epcis_reader_free(r);
		if (rc == 0)
			return diag_input(d, "entry %llu holds no event",
			    (unsigned long long)e->index);
		return -1;
	}
	rc = event_items(&ev, fn, ctx, d);
	epcis_reader_free(r);
	return rc;
}
