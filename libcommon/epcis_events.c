/*
 * epcis_events: item lines (dscsa-items(5)) to EPCIS events, the DSCSA
 * lifecycle of `dscsa-epcis EVENT`.  Each command is one row of a table
 * (event type, action, CBV bizStep and disposition: CBV 1.2 sections 7.1,
 * 7.2; GS1 US DSCSA guideline R1.3 for commissioning, packing, shipping).
 *
 * Checked against the CBV 2.0 vocabulary (GS1's CBV ontology, gs1/EPCIS
 * Ontology/CBV.ttl, which gives for each disposition the business steps
 * it goes with): destroyed with destroying; returned with receiving
 * (also holding, shipping); recalled with holding (also staging_outbound,
 * storing); inactive with decommissioning; dispensed with dispensing.
 * Destroying ends an object's life ("should not be the subject of
 * subsequent events"), so its action is DELETE, as for decommissioning.
 * void_shipping names no disposition in CBV 2.0; without one, the
 * presumed disposition would stay in_transit (EPCIS, DispositionID: "the
 * disposition is assumed to hold true until another event indicates a
 * change"), so void-shipping writes in_progress, which is also what the
 * TraceLink network requires of an EPCIS 1.2 void shipment (its "Void
 * Shipment (EPCIS v1.2)" errors: action OBSERVE, bizStep void_shipping,
 * disposition in_progress).
 *
 * Invariants:
 *
 *  1. Memory is one event: items are gathered into a batch of at most
 *     o->batch EPCs, written, and forgotten (the arena is reset), so any
 *     number of items streams through.
 *  2. An event holds items that share what the event says about all of
 *     them: commissioning events share lot and expiry (ILMD), packing and
 *     unpacking events share the parent.  A change starts a new event.
 *  3. All or nothing: the first bad item stops the run and the document is
 *     left unterminated (epcis_writer_close() is not reached).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "epc.h"
#include "epcis.h"
#include "epcis_int.h"
#include "gs1.h"
#include "items.h"

#define BT	"urn:epcglobal:cbv:bt:"
#define BIZSTEP	"urn:epcglobal:cbv:bizstep:"
#define DISP	"urn:epcglobal:cbv:disp:"
#define SDT	"urn:epcglobal:cbv:sdt:"

enum group { G_NONE, G_ILMD, G_PARENT };

static const struct kind {
	const char	*name;
	enum epcis_event_type type;
	const char	*action, *biz_step, *disposition;
	enum group	 group;
	bool		 biz_location;	/* ship: readPoint only (R1.3) */
} kinds[] = {
	{ "commission", EPCIS_OBJECT, "ADD", "commissioning", "active",
	    G_ILMD, true },
	{ "pack", EPCIS_AGGREGATION, "ADD", "packing", "in_progress",
	    G_PARENT, true },
	{ "unpack", EPCIS_AGGREGATION, "DELETE", "unpacking", "in_progress",
	    G_PARENT, true },
	{ "ship", EPCIS_OBJECT, "OBSERVE", "shipping", "in_transit", G_NONE,
	    false },
	{ "receive", EPCIS_OBJECT, "OBSERVE", "receiving", "in_progress",
	    G_NONE, true },
	{ "decommission", EPCIS_OBJECT, "DELETE", "decommissioning",
	    "inactive", G_NONE, true },
	{ "destroy", EPCIS_OBJECT, "DELETE", "destroying", "destroyed",
	    G_NONE, true },
	{ "dispense", EPCIS_OBJECT, "OBSERVE", "dispensing", "dispensed",
	    G_NONE, true },
	{ "recall", EPCIS_OBJECT, "OBSERVE", "holding", "recalled", G_NONE,
	    true },
	{ "return", EPCIS_OBJECT, "OBSERVE", "receiving", "returned", G_NONE,
	    true },
	{ "void-shipping", EPCIS_OBJECT, "OBSERVE", "void_shipping",
	    "in_progress", G_NONE, true },
};

static const struct kind *
find_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

bool
epcis_items_command(const char *name)
{
	return find_kind(name) != NULL;
}

struct run {
	const struct epcis_items_opts *o;
	const struct kind *k;
	struct epc_gcp	*gcp;
	struct epcis_writer *w;
	struct epcis_arena a;
	struct gs1_date	 today;

	/* the event being gathered (invariant 1) */
	struct epcis_event ev;
	const char	**epcs;
	struct epcis_item_attr *attrs;
	size_t		 nattr, attrcap;
	char		*lot, *expiry, *parent;

	char		 bizstep[64], disp[64];
	struct epcis_ref bt[3], src[2], dst[2];
	char		 btbuf[3][256];
	char		 rp[256], loc[256], fp[256], fl[256], tp[256], tl[256];
	char		 time[64], tz[8];
	unsigned long	 nevents;
	/* the last (17) seen and its xsd:date: items of a lot share it */
	char		 yymmdd[7], date[11];
};

/* An SGLN/PGLN URI from an option: a URI as given, or a GS1 string. */
static int
loc_uri(struct run *r, const char *opt, const char *s, char *buf, size_t cap,
    struct diag *d)
{
	struct gs1_msg m;
	int n;

	if (s == NULL) {
		buf[0] = '\0';
		return 0;
	}
	if (strncmp(s, "urn:", 4) == 0) {
		n = snprintf(buf, cap, "%s", s);
		return n < 0 || (size_t)n >= cap ? diag_input(d, "%s: too long",
		    opt) : 0;
	}
	if (gs1_parse(&m, gs1_table_embedded(), s, strlen(s), NULL, d) != 0 ||
	    epc_render_uri(&m, EPC_SCHEME_SGLN, r->gcp, buf, cap, NULL, d) != 0) {
		char msg[DIAG_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", d->msg);
		diag_clear(d);
		return diag_input(d, "%s '%s': %s", opt, s, msg);
	}
	return 0;
}

/* The GLN-13 of an SGLN or PGLN URI, for a CBV bt URN (CBV 1.2 8.5). */
static int
gln_of(const char *uri, char gln[14])
{
	char g[128];
	size_t n = epcis_epc_to_bracketed(uri, g, sizeof(g));

	if (n < 18 || (strncmp(g, "[414]", 5) != 0 &&
	    strncmp(g, "[417]", 5) != 0))
		return -1;
	memcpy(gln, g + 5, 13);
	gln[13] = '\0';
	return 0;
}

static int
add_bt(struct run *r, const char *type, const char *id, const char *party,
    const char *whose, const char *opt, struct diag *d)
{
	size_t i = r->ev.nbiz_tx;
	char gln[14];
	int n;

	if (id == NULL)
		return 0;
	if (strncmp(id, "urn:", 4) == 0)
		n = snprintf(r->btbuf[i], sizeof(r->btbuf[i]), "%s", id);
	else {
		/* GS1 US R1.3: po by the buyer's GLN, desadv by ship-from's */
		if (party[0] == '\0' || gln_of(party, gln) != 0)
			return diag_input(d, "%s needs %s (an SGLN) to qualify "
			    "the bt URN, or give the whole URN", opt, whose);
		n = snprintf(r->btbuf[i], sizeof(r->btbuf[i]), BT "%s:%s", gln,
		    id);
	}
	if (n < 0 || (size_t)n >= sizeof(r->btbuf[i]))
		return diag_input(d, "%s: too long", opt);
	r->bt[i].type = type;
	r->bt[i].id = r->btbuf[i];
	r->ev.nbiz_tx++;
	return 0;
}

static int
now_time(struct run *r)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(r->time, sizeof(r->time), "%Y-%m-%dT%H:%M:%S.000Z",
	    &tm) == 0)
		return -1;
	return 0;
}

static int
setup(struct run *r, struct diag *d)
{
	const struct epcis_items_opts *o = r->o;
	const struct kind *k = r->k;
	struct epcis_event *ev = &r->ev;
	time_t t = time(NULL);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	r->today.year = tm.tm_year + 1900;
	r->today.month = tm.tm_mon + 1;
	r->today.day = tm.tm_mday;
	if (o->time != NULL) {
		n = strlen(o->time);
		if (n >= sizeof(r->time) || n < 20 || o->time[10] != 'T')
			return diag_input(d, "--time '%s' is not an xsd:dateTime "
			    "with a zone", o->time);
		memcpy(r->time, o->time, n + 1);
	} else if (now_time(r) != 0)
		return diag_system(d, "cannot read the clock");
	n = strlen(r->time);
	if (o->tz != NULL) {
		if (strlen(o->tz) != 6 || (o->tz[0] != '+' && o->tz[0] != '-') ||
		    o->tz[3] != ':')
			return diag_input(d, "--tz '%s' is not +hh:mm or -hh:mm",
			    o->tz);
		memcpy(r->tz, o->tz, 7);
	} else if (r->time[n - 1] == 'Z')
		memcpy(r->tz, "+00:00", 7);
	else if (n > 6 && (r->time[n - 6] == '+' || r->time[n - 6] == '-') &&
	    r->time[n - 3] == ':')
		memcpy(r->tz, r->time + n - 6, 7);
	else
		return diag_input(d, "--time '%s' has no zone (Z or +hh:mm)",
		    o->time);

	if (loc_uri(r, "--read-point", o->read_point, r->rp, sizeof(r->rp), d) ||
	    loc_uri(r, "--location", o->location, r->loc, sizeof(r->loc), d) ||
	    loc_uri(r, "--from", o->from_party, r->fp, sizeof(r->fp), d) ||
	    loc_uri(r, "--from-location", o->from_location, r->fl,
	    sizeof(r->fl), d) ||
	    loc_uri(r, "--to", o->to_party, r->tp, sizeof(r->tp), d) ||
	    loc_uri(r, "--to-location", o->to_location, r->tl, sizeof(r->tl),
	    d))
		return -1;
	snprintf(r->bizstep, sizeof(r->bizstep), BIZSTEP "%s", k->biz_step);
	if (k->disposition != NULL)
		snprintf(r->disp, sizeof(r->disp), DISP "%s", k->disposition);
	ev->type = k->type;
	ev->action = k->action;
	ev->biz_step = r->bizstep;
	ev->disposition = k->disposition != NULL ? r->disp : NULL;
	ev->event_time = r->time;
	ev->event_time_zone_offset = r->tz;
	ev->read_point = r->rp[0] != '\0' ? r->rp : r->loc[0] != '\0' ?
	    r->loc : NULL;
	ev->biz_location = k->biz_location && r->loc[0] != '\0' ? r->loc : NULL;
	if (add_bt(r, "urn:epcglobal:cbv:btt:po", o->po, r->tp, "--to",
	    "--po", d) != 0 ||
	    add_bt(r, "urn:epcglobal:cbv:btt:desadv", o->desadv,
	    r->fl[0] != '\0' ? r->fl : r->fp, "--from-location or --from",
	    "--desadv", d) != 0 ||
	    add_bt(r, "urn:epcglobal:cbv:btt:inv", o->inv, r->fp, "--from",
	    "--inv", d) != 0)
		return -1;
	ev->biz_tx = r->bt;
	if (r->fp[0] != '\0') {
		r->src[ev->nsource].type = SDT "owning_party";
		r->src[ev->nsource++].id = r->fp;
	}
	if (r->fl[0] != '\0') {
		r->src[ev->nsource].type = SDT "location";
		r->src[ev->nsource++].id = r->fl;
	}
	if (r->tp[0] != '\0') {
		r->dst[ev->ndest].type = SDT "owning_party";
		r->dst[ev->ndest++].id = r->tp;
	}
	if (r->tl[0] != '\0') {
		r->dst[ev->ndest].type = SDT "location";
		r->dst[ev->ndest++].id = r->tl;
	}
	ev->sources = r->src;
	ev->dests = r->dst;
	if ((r->epcs = malloc(o->batch * sizeof(*r->epcs))) == NULL)
		return diag_system(d, "out of memory");
	ev->epcs = r->epcs;
	return 0;
}

static int
flush_event(struct run *r, struct diag *d)
{
	struct epcis_event *ev = &r->ev;

	if (ev->nepc == 0)
		return 0;
	ev->lot = r->lot;
	ev->expiry = r->expiry;
	ev->parent_id = r->parent;
	ev->attrs = r->attrs;
	ev->nattr = r->nattr;
	if (epcis_writer_event(r->w, ev, d) != 0)
		return -1;
	r->nevents++;
	ev->nepc = 0;
	r->nattr = 0;
	r->attrcap = 0;
	r->attrs = NULL;
	r->lot = r->expiry = r->parent = NULL;
	epcis_arena_reset(&r->a);
	return 0;
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

static char *
adup(struct run *r, const char *s, size_t n)
{
	return s == NULL ? NULL : epcis_arena_strndup(&r->a, s, n);
}

static int
item(struct run *r, const struct items_item *it, const char *name,
    struct diag *d)
{
	char epc[EPC_URI_MAX], puri[EPC_URI_MAX];
	const struct gs1_element *lot = NULL, *exp = NULL;
	const char *pv = NULL;
	char *elot = NULL, *eexp = NULL, *epar = NULL;
	size_t plen = 0;

	if (epc_render_uri(&it->msg, EPC_SCHEME_AUTO, r->gcp, epc,
	    sizeof(epc), NULL, d) != 0)
		goto bad;
	if (r->k->group == G_ILMD) {
		/* one pass over the few elements for both AIs */
		for (size_t i = 0; i < it->msg.n; i++) {
			const struct gs1_element *e = &it->msg.el[i];

			if (e->ai[0] == '1' && e->ai[2] == '\0') {
				if (e->ai[1] == '0' && lot == NULL)
					lot = e;
				else if (e->ai[1] == '7' && exp == NULL)
					exp = e;
			}
		}
		if (exp != NULL && (exp->len != 6 ||
		    memcmp(exp->value, r->yymmdd, 6) != 0)) {
			struct gs1_date dt;
			bool day00;

			if (exp->len != 6 || gs1_date_from_yymmdd(exp->value,
			    &r->today, &dt, &day00) != 0) {
				diag_input(d, "AI (17): not a date: %s", exp->value);
				goto bad;
			}
			/* day 00 is the last day of the month (GenSpecs 7.12) */
			snprintf(r->date, sizeof(r->date), "%04d-%02d-%02d",
			    dt.year, dt.month, dt.day);
			memcpy(r->yymmdd, exp->value, 6);
		}
	}
	if (r->k->group == G_PARENT) {
		struct gs1_msg pm;

		pv = items_attr_get(it, "parent", &plen);
		if (pv == NULL) {
			diag_input(d, "no parent= attribute (%s packs items "
			    "into their parent)", r->k->name);
			goto bad;
		}
		if (gs1_parse(&pm, gs1_table_embedded(), pv, plen, NULL, d) != 0 ||
		    epc_render_uri(&pm, EPC_SCHEME_AUTO, r->gcp, puri,
		    sizeof(puri), NULL, d) != 0)
			goto bad;
	}
	/* invariant 2: a new event when what the event says changes */
	if (r->ev.nepc > 0 && (r->ev.nepc == r->o->batch ||
	    (lot != NULL) != (r->lot != NULL) ||
	    (lot != NULL && strcmp(lot->value, r->lot) != 0) ||
	    (exp != NULL) != (r->expiry != NULL) ||
	    (exp != NULL && strcmp(r->date, r->expiry) != 0) ||
	    (pv != NULL && !same(puri, r->parent))))
		if (flush_event(r, d) != 0)
			return -1;
	if (r->ev.nepc == 0) {
		if (lot != NULL && (elot = adup(r, lot->value, lot->len)) == NULL)
			return diag_system(d, "out of memory");
		if (exp != NULL && (eexp = adup(r, r->date, 10)) == NULL)
			return diag_system(d, "out of memory");
		if (pv != NULL && (epar = adup(r, puri, strlen(puri))) == NULL)
			return diag_system(d, "out of memory");
		r->lot = elot;
		r->expiry = eexp;
		r->parent = epar;
	}
	if ((r->epcs[r->ev.nepc] = adup(r, epc, strlen(epc))) == NULL)
		return diag_system(d, "out of memory");
	/* per-item attributes other than parent= travel with the EPC */
	for (size_t i = 0; i < it->nattr; i++) {
		const struct items_attr *at = &it->attr[i];

		if (at->klen == 6 && memcmp(at->key, "parent", 6) == 0 &&
		    r->k->group == G_PARENT)
			continue;
		if (r->nattr == r->attrcap) {
			size_t cap = r->attrcap ? r->attrcap * 2 : 64;
			struct epcis_item_attr *p = epcis_arena_alloc(&r->a,
			    cap * sizeof(*p));

			if (p == NULL)
				return diag_system(d, "out of memory");
			if (r->nattr > 0)
				memcpy(p, r->attrs, r->nattr * sizeof(*p));
			r->attrs = p;
			r->attrcap = cap;
		}
		r->attrs[r->nattr].epc = r->epcs[r->ev.nepc];
		r->attrs[r->nattr].key = adup(r, at->key, at->klen);
		r->attrs[r->nattr].value = adup(r, at->val, at->vlen);
		if (r->attrs[r->nattr].key == NULL ||
		    r->attrs[r->nattr].value == NULL)
			return diag_system(d, "out of memory");
		r->nattr++;
	}
	r->ev.nepc++;
	return 0;
bad:
	diag_at(d, name, it->line);
	return -1;
}

/* Master data product ids given as GTIN-14: the EPC class pattern. */
static int
gtin_to_idpat(const char *gtin, char *buf, size_t cap, void *arg,
    struct diag *d)
{
	struct run *r = arg;
	struct gs1_msg m;
	char uri[EPC_URI_MAX];
	size_t n;

	gs1_msg_init(&m, gs1_table_embedded());
	if (gs1_msg_add(&m, "01", gtin, strlen(gtin), d) != 0 ||
	    gs1_msg_add(&m, "21", "0", 1, d) != 0 ||
	    epc_render_uri(&m, EPC_SCHEME_SGTIN, r->gcp, uri, sizeof(uri),
	    &n, d) != 0)
		return -1;
	/* urn:epc:id:sgtin:CP.REF.0 -> urn:epc:idpat:sgtin:CP.REF.* */
	if (n < 19 || snprintf(buf, cap, "urn:epc:idpat:sgtin:%.*s*",
	    (int)(n - 18), uri + 17) >= (int)cap)
		return diag_input(d, "product %s: too long", gtin);
	return 0;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int
epcis_write_items(FILE *out, FILE *const *in, const char *const *names,
    size_t nin, const struct epcis_items_opts *o, struct diag *d)
{
	struct run r;
	struct epcis_doc_opts dop = { 0 };
	struct epcis_masterdata *md = NULL;
	char docid[80];
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.o = o;
	if ((r.k = find_kind(o->command)) == NULL)
		return diag_input(d, "unknown event '%s'", o->command);
	if (o->batch == 0)
		return diag_input(d, "--batch must be at least 1");
	if (o->gcp == NULL)
		return diag_input(d, "EPC URIs need the GS1 Company Prefix "
		    "length: --gcp length or --gcp file");
	if (all_digits(o->gcp)) {
		if (epc_gcp_fixed(&r.gcp, (unsigned)strtoul(o->gcp, NULL, 10),
		    d) != 0)
			return -1;
	} else if (epc_gcp_load(&r.gcp, o->gcp, d) != 0)
		return -1;
	if (setup(&r, d) != 0)
		goto done;
	if (o->masterdata != NULL && epcis_masterdata_load(&md, o->masterdata,
	    gtin_to_idpat, &r, d) != 0)
		goto done;
	dop.version = o->version;
	dop.creation_date = r.time;
	dop.sender = o->sender != NULL ? o->sender : r.fp[0] ? r.fp : NULL;
	dop.receiver = o->receiver != NULL ? o->receiver : r.tp[0] ? r.tp :
	    NULL;
	if (dop.sender == NULL || dop.receiver == NULL)
		dop.sender = dop.receiver = NULL;
	snprintf(docid, sizeof(docid), "%s-%s", o->command, r.time);
	dop.document_id = docid;
	dop.md = md;
	dop.statement = o->statement;
	dop.indent = true;
	if (epcis_writer_open(&r.w, out, "<stdout>", &dop, d) != 0)
		goto done;
	for (size_t i = 0; i < nin; i++) {
		struct items_reader *ir;
		struct items_item it;
		int got;

		if (items_reader_open(&ir, in[i], names[i], NULL, d) != 0)
			goto done;
		while ((got = items_next(ir, &it, d)) == 1)
			if (item(&r, &it, names[i], d) != 0) {
				got = -1;
				break;
			}
		items_reader_free(ir);
		if (got < 0)
			goto done;	/* invariant 3 */
	}
	if (flush_event(&r, d) != 0 || epcis_writer_close(r.w, d) != 0)
		goto done;
	rc = 0;
done:
	epcis_writer_free(r.w);
	epcis_masterdata_free(md);
	epc_gcp_free(r.gcp);
	epcis_arena_free(&r.a);
	free(r.epcs);
	return rc;
}
