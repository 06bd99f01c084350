/*
 * epcis_hash: the CBV 2.0 event hash id pre-hash string (CBV 2.0 section
 * 8.9), computed exactly as the reference implementation
 * RalphTro/epcis-event-hash-generator does, because its published vectors
 * are what other parties check against (tests/data/epcis/hash/).
 *
 * The event is first turned into the reference's model: a tree of (name,
 * text, children), where name is the local name or "{namespace}local",
 * text is the element's leading text, stripped, attributes are children
 * without children, EPCIS 1.2 <extension>/<baseExtension> wrappers are
 * removed (the reference also sorts every child list, which no output
 * can show: see build()).  Values
 * starting "gs1:" or "cbv:" are expanded (CURIEs).  Then:
 *
 *  1. the fields of a fixed property order are rendered in that order
 *     (`name=value`, containers as `name` then their children in their own
 *     order; same-name siblings sorted by their rendered strings); a child
 *     is consumed once all its own children are;
 *  2. inside containers (not at the event level), extension children whose
 *     namespace ends in '/' are appended after the ordered ones;
 *  3. everything left over (bizTransactionList, sourceList,
 *     destinationList, ilmd, user extensions, unconsumed remainders), except
 *     recordTime, eventID, errorDeclaration and type, is rendered
 *     generically and sorted by rendered string; bizTransaction, source and
 *     destination items render as `type=T` then `name=V`.
 *
 * Values are canonised: CBV 1.2 URNs become CBV 2.0 web URIs, numbers lose
 * trailing zeros (Python float syntax and repr), EPC URIs and Digital Link
 * URIs become canonical https://id.gs1.org/ URIs (epcis_dl_normalise());
 * fields whose name contains "time" (not "offset") become UTC with
 * milliseconds.  The differences to the written rule (destination before
 * source, certificationInfo and parentID before epcList, numbers in every
 * field) are the reference's, documented in dscsa-epcis(1).
 */
#include <math.h>
#include <strings.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "epcis.h"
#include "epcis_int.h"

/* ---------------------------------------------------------------------- */
/* The Python-like model */

/*
 * Strings with their lengths.  Texts in the model are NUL-terminated as
 * well (the value canonisers read them as C strings); rendered strings
 * need not be.  No string can hold a NUL (XML 1.0 section 2.2), so
 * comparing with memcmp() then by length orders them as strcmp() and
 * Python do.
 */
struct str {
	const char	*p;
	size_t		 n;
};

/*
 * The names the rendering rules name, as small integers: a child matches
 * a rule by id, not by strcmp().  A name with a namespace ("{uri}local")
 * is none of them (N_NONE).  With each, its F_* flags (below), which
 * name_flags() would compute; epcis_prehash_selfcheck() checks that.
 */
#define KNOWN_NAMES(X)							\
	X(eventTime, F_TOP|F_TIME) \
	X(eventTimeZoneOffset, F_TOP) \
	X(certificationInfo, 0) \
	X(parentID, 0) \
	X(epcList, 0) \
	X(inputEPCList, 0) \
	X(childEPCs, 0) \
	X(quantityList, 0) \
	X(childQuantityList, 0) \
	X(inputQuantityList, 0) \
	X(outputEPCList, 0) \
	X(outputQuantityList, 0) \
	X(action, F_TOP) \
	X(transformationID, 0) \
	X(bizStep, 0) \
	X(disposition, 0) \
	X(persistentDisposition, 0) \
	X(readPoint, 0) \
	X(bizLocation, 0) \
	X(sensorElementList, 0) \
	X(epcClass, 0) \
	X(quantity, 0) \
	X(uom, 0) \
	X(quantityElement, 0) \
	X(epc, 0) \
	X(id, 0) \
	X(set, 0) \
	X(unset, 0) \
	X(time, F_TIME) \
	X(startTime, F_TIME) \
	X(endTime, F_TIME) \
	X(deviceID, 0) \
	X(deviceMetadata, 0) \
	X(rawData, 0) \
	X(dataProcessingMethod, 0) \
	X(bizRules, 0) \
	X(type, 0) \
	X(exception, 0) \
	X(microorganism, 0) \
	X(chemicalSubstance, 0) \
	X(value, 0) \
	X(component, 0) \
	X(stringValue, 0) \
	X(booleanValue, 0) \
	X(hexBinaryValue, 0) \
	X(uriValue, 0) \
	X(minValue, 0) \
	X(maxValue, 0) \
	X(meanValue, 0) \
	X(sDev, 0) \
	X(percRank, 0) \
	X(percValue, 0) \
	X(coordinateReferenceSystem, 0) \
	X(sensorMetadata, 0) \
	X(sensorReport, 0) \
	X(sensorElement, 0) \
	X(recordTime, F_TIME) \
	X(eventID, 0) \
	X(errorDeclaration, 0) \
	X(bizTransaction, F_TOP|F_REF) \
	X(source, F_REF) \
	X(destination, F_REF)

#define NAME_ENUM(x, f)	N_##x,
#define NAME_STR(x, f)	{ #x, sizeof(#x) - 1 },
#define NAME_FLAGS(x, f)	(f),
enum name_id { N_NONE, KNOWN_NAMES(NAME_ENUM) N_COUNT };
static const struct str known_names[] = {
	{ "", 0 }, KNOWN_NAMES(NAME_STR)
};
#undef NAME_ENUM
#undef NAME_STR
_Static_assert(N_COUNT <= 64, "name ids must fit a 64-bit mask");

/* What the rules ask of a name, computed once per name and event. */
#define F_TOP	0x1	/* contains "eventTime" or "action": event level */
#define F_EXT	0x2	/* has '{' and "/}": a user extension */
#define F_TIME	0x4	/* contains "time", not "offset" (any case) */
#define F_REF	0x8	/* bizTransaction, source or destination */

static const unsigned char known_flags[] = {
	0, KNOWN_NAMES(NAME_FLAGS)
};
#undef NAME_FLAGS

/*
 * Which known name a local name is: open addressing over KNOWN_SLOTS
 * slots by known_hash(), a collision moves on to the next slot (at most
 * one step for these names).  Made by hand from KNOWN_NAMES;
 * epcis_prehash_selfcheck() checks that every name is found.  Slot 0
 * of the enum (N_NONE) marks an empty slot.
 */
#define KNOWN_SLOTS	128
static const unsigned char known_slot[KNOWN_SLOTS] = {
	[0] = N_inputEPCList, [2] = N_errorDeclaration,
	[3] = N_coordinateReferenceSystem, [6] = N_readPoint,
	[10] = N_exception, [11] = N_time, [12] = N_id,
	[15] = N_sensorMetadata, [18] = N_bizStep,
	[20] = N_inputQuantityList, [23] = N_deviceMetadata,
	[24] = N_destination, [25] = N_bizRules,
	[26] = N_dataProcessingMethod, [27] = N_sensorReport,
	[30] = N_sensorElement, [31] = N_childEPCs,
	[32] = N_persistentDisposition, [33] = N_bizLocation,
	[41] = N_certificationInfo, [42] = N_parentID,
	[44] = N_eventTimeZoneOffset, [45] = N_bizTransaction,
	[46] = N_sensorElementList, [47] = N_source, [48] = N_disposition,
	[49] = N_chemicalSubstance, [51] = N_maxValue, [54] = N_sDev,
	[55] = N_epc, [59] = N_uom, [60] = N_hexBinaryValue,
	[61] = N_endTime, [63] = N_booleanValue, [64] = N_childQuantityList,
	[68] = N_unset, [74] = N_component, [76] = N_eventID,
	[79] = N_meanValue, [80] = N_transformationID, [83] = N_rawData,
	[88] = N_epcList, [89] = N_startTime, [90] = N_uriValue,
	[91] = N_epcClass, [94] = N_outputEPCList, [95] = N_quantity,
	[96] = N_action, [97] = N_stringValue, [98] = N_deviceID,
	[99] = N_minValue, [103] = N_percValue, [105] = N_percRank,
	[106] = N_quantityList, [107] = N_type, [111] = N_value,
	[114] = N_outputQuantityList, [117] = N_eventTime,
	[118] = N_quantityElement, [119] = N_set, [123] = N_recordTime,
	[127] = N_microorganism,
};

/* n >= 2 */
static inline size_t
known_hash(const char *s, size_t n)
{
	return (n * 4 + (unsigned char)s[0] * 8 + (unsigned char)s[1] * 6 +
	    (unsigned char)s[n - 1]) % KNOWN_SLOTS;
}

/* The enum name_id of the local name s (n bytes), N_NONE if none. */
static unsigned
known_id(const char *s, size_t n)
{
	size_t i;
	unsigned id;

	if (n < 2)
		return N_NONE;
	for (i = known_hash(s, n); (id = known_slot[i]) != N_NONE;
	    i = (i + 1) % KNOWN_SLOTS)
		if (known_names[id].n == n && known_names[id].p[0] == s[0] &&
		    memcmp(known_names[id].p, s, n) == 0)
			return id;
	return N_NONE;
}

struct pnode {
	struct str	 name;
	struct str	 text;		/* stripped for elements, raw for
					 * attributes; NUL-terminated */
	struct pnode	**kids;
	size_t		 nkids;
	unsigned	 id;		/* enum name_id */
	unsigned	 flags;		/* F_* */
	bool		 gone;		/* consumed ("removed from the list") */
	bool		 raw;		/* an attribute: text not stripped */
};

struct order {
	unsigned		 id;	/* N_NONE ends a list */
	const struct order	*sub;
};

static const struct order quantity_element[] = {
	{ N_epcClass, NULL }, { N_quantity, NULL }, { N_uom, NULL },
	{ N_NONE, NULL },
};
static const struct order quantity_list[] = {
	{ N_quantityElement, quantity_element }, { N_NONE, NULL },
};
static const struct order epc_list[] = { { N_epc, NULL }, { N_NONE, NULL } };
static const struct order id_only[] = { { N_id, NULL }, { N_NONE, NULL } };
static const struct order persistent[] = {
	{ N_set, NULL }, { N_unset, NULL }, { N_NONE, NULL },
};
static const struct order sensor_metadata[] = {
	{ N_time, NULL }, { N_startTime, NULL }, { N_endTime, NULL },
	{ N_deviceID, NULL }, { N_deviceMetadata, NULL }, { N_rawData, NULL },
	{ N_dataProcessingMethod, NULL }, { N_bizRules, NULL },
	{ N_NONE, NULL },
};
static const struct order sensor_report[] = {
	{ N_type, NULL }, { N_exception, NULL }, { N_deviceID, NULL },
	{ N_deviceMetadata, NULL }, { N_rawData, NULL },
	{ N_dataProcessingMethod, NULL }, { N_time, NULL },
	{ N_microorganism, NULL }, { N_chemicalSubstance, NULL },
	{ N_value, NULL }, { N_component, NULL }, { N_stringValue, NULL },
	{ N_booleanValue, NULL }, { N_hexBinaryValue, NULL },
	{ N_uriValue, NULL }, { N_minValue, NULL }, { N_maxValue, NULL },
	{ N_meanValue, NULL }, { N_sDev, NULL }, { N_percRank, NULL },
	{ N_percValue, NULL }, { N_uom, NULL },
	{ N_coordinateReferenceSystem, NULL }, { N_NONE, NULL },
};
static const struct order sensor_element[] = {
	{ N_sensorMetadata, sensor_metadata },
	{ N_sensorReport, sensor_report }, { N_NONE, NULL },
};
static const struct order sensor_list[] = {
	{ N_sensorElement, sensor_element }, { N_NONE, NULL },
};
static const struct order event_order[] = {
	{ N_eventTime, NULL },
	{ N_eventTimeZoneOffset, NULL },
	{ N_certificationInfo, NULL },
	{ N_parentID, NULL },
	{ N_epcList, epc_list },
	{ N_inputEPCList, epc_list },
	{ N_childEPCs, epc_list },
	{ N_quantityList, quantity_list },
	{ N_childQuantityList, quantity_list },
	{ N_inputQuantityList, quantity_list },
	{ N_outputEPCList, epc_list },
	{ N_outputQuantityList, quantity_list },
	{ N_action, NULL },
	{ N_transformationID, NULL },
	{ N_bizStep, NULL },
	{ N_disposition, NULL },
	{ N_persistentDisposition, persistent },
	{ N_readPoint, id_only },
	{ N_bizLocation, id_only },
	{ N_sensorElementList, sensor_list },
	{ N_NONE, NULL },
};

/*
 * Names of one event: the tree builder interns local names and URIs per
 * event, so (uri, local) pointers identify a name; a miss (or a name the
 * builder did not intern) only costs the lookup again.
 */
#define NAME_CACHE	64
struct nameinfo {
	const char	*uri, *local;	/* the key; local NULL: empty slot */
	struct str	 name;
	unsigned	 id, flags;
};

/* pool blocks: the first small (small events), doubling up to the last */
#define POOL_FIRST	1024
#define POOL_LAST	8192

/*
 * Consecutive SGTINs of an event mostly share their company prefix and
 * item reference: the Digital Link start of the last one is kept.
 */
#define SGTIN_IN_MAX	48
#define SGTIN_OUT_LEN	40	/* "https://id.gs1.org/01/" GTIN-14 "/21/" */

/*
 * What one event's pre-hash learns that holds for the next (a reader's
 * events mostly share their names and vocabulary values): each name's
 * rendered form, id and flags, each value's canonical form, keyed by
 * their bytes, and the SGTIN prefix.  Entries and their strings live in
 * `pool` and are only added during an event, never moved or removed, so
 * that the pnodes of the event may point into it; a full cache is
 * emptied before an event, never during one.  Bounded: HC_POOL bytes of
 * strings, HC_SLOTS * 3 / 4 entries of each kind.
 */
#define HC_SLOTS	64
#define HC_POOL		8192
#define HC_VALUE_MAX	256	/* longer values (and results) are not kept */

struct hc_name {
	const char	*uri, *local;	/* local NULL: empty slot */
	size_t		 ulen, llen;
	struct str	 name;
	unsigned	 id, flags;
};

struct hc_value {
	const char	*in;		/* NULL: empty slot */
	size_t		 n;
	bool		 same;		/* the canonical form is the input */
	struct str	 out;
};

struct epcis_prehash_cache {
	struct hc_name	 names[HC_SLOTS];
	struct hc_value	 values[HC_SLOTS];
	size_t		 nnames, nvalues, used;
	char		 sgtin_in[SGTIN_IN_MAX];
	size_t		 sgtin_in_len;
	char		 sgtin_out[SGTIN_OUT_LEN];
	char		 pool[HC_POOL];
};

struct hctx {
	struct epcis_arena *a;
	struct epcis_prehash_cache *c;	/* NULL: none */
	bool		 nomem;
	char		*sp, *se;	/* string pool: unaligned bump */
	char		*np, *ne;	/* node pool: pointer-aligned bump */
	size_t		 sblock, nblock;	/* their next block sizes */
	struct nameinfo	 names[NAME_CACHE];
	char		 sgtin_in[SGTIN_IN_MAX];	/* "urn:...:CP.REF." */
	size_t		 sgtin_in_len;			/* 0: none */
	char		 sgtin_out[SGTIN_OUT_LEN];
};

static const struct str empty = { "", 0 };

/* A new block of at least n bytes for a pool; NULL: no memory */
static char *
pool_block(struct hctx *h, size_t n, size_t *block, char **end)
{
	size_t cap = n > *block ? n : *block;
	char *p;

	if (*block < POOL_LAST)
		*block *= 2;
	if ((p = epcis_arena_alloc(h->a, cap)) == NULL) {
		*end = NULL;
		h->nomem = true;
		return NULL;
	}
	*end = p + cap;
	return p;
}

/*
 * n bytes of string space (not NUL-terminated by itself); NULL: no
 * memory.  Inline, as halloc(): the pre-hash asks for some with every
 * EPC; a new block is pool_block()'s.
 */
static inline char *
salloc(struct hctx *h, size_t n)
{
	char *p;

	if ((size_t)(h->se - h->sp) < n &&
	    (h->sp = pool_block(h, n, &h->sblock, &h->se)) == NULL)
		return NULL;
	p = h->sp;
	h->sp += n;
	return p;
}

/* n bytes for nodes and arrays (aligned for pointers); NULL: no memory */
static inline void *
halloc(struct hctx *h, size_t n)
{
	char *p;

	n = (n + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
	if ((size_t)(h->ne - h->np) < n &&
	    (h->np = pool_block(h, n, &h->nblock, &h->ne)) == NULL)
		return NULL;
	p = h->np;
	h->np += n;
	return p;
}

static struct str
sdup(struct hctx *h, const char *s, size_t n)
{
	char *p = salloc(h, n + 1);

	if (p == NULL)
		return empty;
	memcpy(p, s, n);
	p[n] = '\0';
	return (struct str){ p, n };
}

static int
str_cmp(struct str a, struct str b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);

	if (c != 0)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

/* Does s (n bytes left) start with lower (len bytes), in any case? */
static bool
starts_ci(const char *s, size_t n, const char *lower, size_t len)
{
	if (n < len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lower[i])
			return false;
	}
	return true;
}

/* The first bytes of the patterns name_flags() looks for */
static const bool name_flag_start[256] = {
	['e'] = true, ['a'] = true, ['{'] = true, ['/'] = true,
	['t'] = true, ['T'] = true, ['o'] = true, ['O'] = true,
};

/*
 * The F_* flags of a name, from its bytes, in one pass: each pattern
 * starts with its own byte ('e', 'a', '{', '/', 't' or 'T', 'o' or 'O'),
 * so one look at each position finds them all.
 */
static unsigned
name_flags(struct str name, unsigned id)
{
	const char *p = name.p, *e = name.p + name.n;
	bool top = false, brace = false, slash = false, time = false;
	bool offset = false;
	unsigned f = 0;

	for (; p < e; p++) {
		if (!name_flag_start[(unsigned char)*p])
			continue;
		switch (*p) {
		case 'e':
			top = top || ((size_t)(e - p) >= 9 &&
			    memcmp(p, "eventTime", 9) == 0);
			break;
		case 'a':
			top = top || ((size_t)(e - p) >= 6 &&
			    memcmp(p, "action", 6) == 0);
			break;
		case '{':
			brace = true;
			break;
		case '/':
			slash = slash || (e - p >= 2 && p[1] == '}');
			break;
		case 't':
		case 'T':
			time = time || starts_ci(p, (size_t)(e - p), "time", 4);
			break;
		case 'o':
		case 'O':
			offset = offset ||
			    starts_ci(p, (size_t)(e - p), "offset", 6);
			break;
		default:
			break;
		}
	}
	if (top)
		f |= F_TOP;
	if (brace && slash)
		f |= F_EXT;
	if (time && !offset)
		f |= F_TIME;
	if (id == N_bizTransaction || id == N_source || id == N_destination)
		f |= F_REF;
	return f;
}

int
epcis_prehash_selfcheck(void)
{
	int bad = 0;

	for (unsigned i = 1; i < N_COUNT; i++) {
		bad += known_flags[i] != name_flags(known_names[i], i);
		bad += known_id(known_names[i].p, known_names[i].n) != i;
	}
	return bad;
}

/* The cache's bytes for n more (pool space); NULL: full */
static char *
hc_alloc(struct epcis_prehash_cache *c, size_t n)
{
	char *p;

	if (HC_POOL - c->used < n)
		return NULL;
	p = c->pool + c->used;
	c->used += n;
	return p;
}

static size_t
hc_name_slot(const char *local, size_t ll, size_t ul)
{
	return (ll * 31 + (unsigned char)local[0] * 7 +
	    (unsigned char)local[ll - 1] + ul * 13) % HC_SLOTS;
}

/* The cache's entry for (uri, local), or where it would go (local NULL) */
static struct hc_name *
hc_name_find(struct epcis_prehash_cache *c, const char *uri, size_t ul,
    const char *local, size_t ll)
{
	size_t i = hc_name_slot(local, ll, ul);
	struct hc_name *e;

	for (;; i = (i + 1) % HC_SLOTS) {	/* never full: 3/4 at most */
		e = &c->names[i];
		if (e->local == NULL)
			return e;
		if (e->llen == ll && e->ulen == ul &&
		    (e->uri == NULL) == (uri == NULL) &&
		    memcmp(e->local, local, ll) == 0 &&
		    (uri == NULL || memcmp(e->uri, uri, ul) == 0))
			return e;
	}
}

static const struct nameinfo *name_compute(struct hctx *h,
    struct nameinfo *ni, const char *uri, const char *local, size_t ll);

/*
 * A name not in its slot of the event's cache (ni): from the cache
 * across events, or computed (and kept there too, if there is room).
 */
static const struct nameinfo *
name_miss(struct hctx *h, struct nameinfo *ni, const char *uri,
    const char *local)
{
	struct epcis_prehash_cache *c = h->c;
	size_t ll = strlen(local), ul;
	struct hc_name *e;
	char *p;

	if (c == NULL || ll == 0)
		return name_compute(h, ni, uri, local, ll);
	ul = uri != NULL ? strlen(uri) : 0;
	e = hc_name_find(c, uri, ul, local, ll);
	if (e->local != NULL) {
		ni->uri = uri;
		ni->local = local;
		ni->name = e->name;
		ni->id = e->id;
		ni->flags = e->flags;
		return ni;
	}
	name_compute(h, ni, uri, local, ll);
	if (h->nomem || c->nnames >= HC_SLOTS * 3 / 4 ||
	    (p = hc_alloc(c, ul + ll + ni->name.n + 3)) == NULL)
		return ni;
	/* local, uri, then the name: NUL-terminated, in the pool */
	memcpy(p, local, ll + 1);
	e->local = p;
	e->llen = ll;
	e->ulen = ul;
	e->uri = NULL;
	if (uri != NULL) {
		memcpy(p + ll + 1, uri, ul + 1);
		e->uri = p + ll + 1;
	}
	p += ll + 1 + (uri != NULL ? ul + 1 : 0);
	memcpy(p, ni->name.p, ni->name.n);
	p[ni->name.n] = '\0';
	e->name = (struct str){ p, ni->name.n };
	e->id = ni->id;
	e->flags = ni->flags;
	c->nnames++;
	/* the event's slot may point at the pool's copy as well */
	ni->name = e->name;
	return ni;
}

/* What name_miss() finds out about a name, into ni. */
static const struct nameinfo *
name_compute(struct hctx *h, struct nameinfo *ni, const char *uri,
    const char *local, size_t ll)
{
	ni->uri = uri;
	ni->local = local;
	ni->id = N_NONE;
	if (uri == NULL) {
		ni->name = (struct str){ local, ll };
		if ((ni->id = known_id(local, ll)) != N_NONE) {
			ni->flags = known_flags[ni->id];
			return ni;
		}
	} else {
		size_t hl = strlen(uri);
		char *p = salloc(h, hl + ll + 3);

		if (p == NULL) {
			ni->local = NULL;
			ni->name = empty;
			ni->flags = 0;
			return ni;
		}
		p[0] = '{';
		memcpy(p + 1, uri, hl);
		p[hl + 1] = '}';
		memcpy(p + hl + 2, local, ll + 1);
		ni->name = (struct str){ p, hl + ll + 2 };
	}
	ni->flags = name_flags(ni->name, ni->id);
	return ni;
}

/* The cache hit inline: the builder asks this of every element. */
static inline const struct nameinfo *
name_info(struct hctx *h, const char *uri, const char *local)
{
	size_t slot = (((uintptr_t)local >> 3) ^ ((uintptr_t)uri >> 5)) %
	    NAME_CACHE;
	struct nameinfo *ni = &h->names[slot];

	if (ni->local == local && ni->uri == uri)
		return ni;
	return name_miss(h, ni, uri, local);
}

static bool
is_pyspace(unsigned char c)
{
	/* str.strip() white space, ASCII part: \t \n \v \f \r, 0x1c-0x1f, ' ' */
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
}

/* str.strip() of the n bytes at s (s[n] readable); NUL-terminated result */
static inline struct str
strip_dup(struct hctx *h, const char *s, size_t n)
{
	while (n > 0 && is_pyspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_pyspace((unsigned char)s[n - 1]))
		n--;
	if (s[n] == '\0')
		return (struct str){ s, n };	/* nothing cut at the end */
	return sdup(h, s, n);
}

/* Count the element children (through wrappers) and attributes of n. */
static size_t
count_kids(const struct epcis_xnode *n)
{
	size_t k = n->nattr;

	for (const struct epcis_xnode *c = n->kids; c != NULL; c = c->next) {
		if (!epcis_x_is_elem(c))
			continue;
		k += epcis_x_is_wrapper(c) ? count_kids(c) : 1;
	}
	return k;
}

static struct pnode *build(struct hctx *h, const struct epcis_xnode *n);

static inline struct str expand_curie(struct hctx *h, struct str s);

/*
 * An element without attributes whose content is one text node, or none,
 * or its own text (a compact leaf, epcis_int.h)
 */
static inline bool
is_leaf(const struct epcis_xnode *n)
{
	return n->nattr == 0 && (n->kids == NULL ||
	    (n->kids->next == NULL && !epcis_x_is_elem(n->kids)));
}

/* The pnode of a leaf n (is_leaf()) named ni; NULL: no memory. */
static inline struct pnode *
leaf_node(struct hctx *h, const struct epcis_xnode *n,
    const struct nameinfo *ni)
{
	struct pnode *p = halloc(h, sizeof(*p));

	if (p == NULL) {
		h->nomem = true;
		return NULL;
	}
	p->name = ni->name;
	p->id = ni->id;
	p->flags = ni->flags;
	if (n->kids != NULL)
		n = n->kids;	/* else a compact leaf, or an empty one */
	p->text = n->text == NULL || n->len == 0 ? empty :
	    expand_curie(h, strip_dup(h, n->text, n->len));
	p->kids = NULL;
	p->nkids = 0;
	p->gone = false;
	p->raw = false;
	return p;
}

static void
add_kids(struct hctx *h, struct pnode *p, const struct epcis_xnode *n)
{
	struct nameinfo last = { NULL, NULL, { "", 0 }, 0, 0 };

	for (const struct epcis_xnode *c = n->kids; c != NULL; c = c->next) {
		struct pnode *k;

		if (!epcis_x_is_elem(c))
			continue;
		if (epcis_x_is_wrapper(c)) {
			add_kids(h, p, c);
			continue;
		}
		if (is_leaf(c)) {
			/*
			 * Inline, with the name of the leaf before (a copy:
			 * the cache slot may change): a list is leaves of
			 * one name.
			 */
			if (last.local != c->local || last.uri != c->uri)
				last = *name_info(h, c->uri, c->local);
			k = leaf_node(h, c, &last);
		} else
			k = build(h, c);
		if (k != NULL)
			p->kids[p->nkids++] = k;
	}
}

/* ElementTree's .text: the character data before the first child element. */
static struct str
lead_text(struct hctx *h, const struct epcis_xnode *n)
{
	const struct epcis_xnode *c;
	size_t len = 0;
	char *p, *q;

	for (c = n->kids; c != NULL && !epcis_x_is_elem(c); c = c->next)
		len += c->len;
	if (len == 0)
		return empty;
	if (n->kids->next == NULL || epcis_x_is_elem(n->kids->next))
		return strip_dup(h, n->kids->text, len);
	if ((p = salloc(h, len + 1)) == NULL)
		return empty;
	q = p;
	for (c = n->kids; c != NULL && !epcis_x_is_elem(c); c = c->next) {
		memcpy(q, c->text, c->len);
		q += c->len;
	}
	p[len] = '\0';
	return strip_dup(h, p, len);
}

/* Every `from` in s replaced by `to` (NUL-terminated strings). */
static struct str
replace_all(struct hctx *h, struct str s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0, len;
	const char *p, *r = s.p;
	char *out, *q;

	for (p = s.p; (p = strstr(p, from)) != NULL; p += fl)
		n++;
	if (n == 0)
		return s;
	if (tl < fl)
		len = s.n - n * (fl - tl);
	else
		len = s.n + n * (tl - fl);
	if ((out = salloc(h, len + 1)) == NULL)
		return s;
	q = out;
	while ((p = strstr(r, from)) != NULL) {
		memcpy(q, r, (size_t)(p - r));
		q += p - r;
		memcpy(q, to, tl);
		q += tl;
		r = p + fl;
	}
	memcpy(q, r, (size_t)(s.p + s.n - r) + 1);
	return (struct str){ out, len };
}

/* xml_to_py's _expand_value_prefix: CURIE values, checked in this order. */
static inline struct str
expand_curie(struct hctx *h, struct str s)
{
	if (s.n < 4 || (s.p[0] != 'g' && s.p[0] != 'c'))
		return s;
	if (memcmp(s.p, "gs1:", 4) == 0)
		s = replace_all(h, s, "gs1:", "https://gs1.org/voc/");
	if (s.n >= 4 && memcmp(s.p, "cbv:", 4) == 0)
		s = replace_all(h, s, "cbv:", "https://ref.gs1.org/cbv/");
	return s;
}

static struct pnode *
build(struct hctx *h, const struct epcis_xnode *n)
{
	struct pnode *p;
	size_t k;
	const struct nameinfo *ni;

	/* a leaf (<epc>): what the general case below makes of it */
	if (is_leaf(n))
		return leaf_node(h, n, name_info(h, n->uri, n->local));
	p = halloc(h, sizeof(*p));
	k = count_kids(n);

	if (p == NULL || (k > 0 && (p->kids = halloc(h,
	    k * sizeof(*p->kids))) == NULL)) {
		h->nomem = true;
		return NULL;
	}
	ni = name_info(h, n->uri, n->local);
	p->name = ni->name;
	p->id = ni->id;
	p->flags = ni->flags;
	p->text = expand_curie(h, lead_text(h, n));
	p->nkids = 0;
	p->gone = false;
	p->raw = false;
	if (k == 0)
		p->kids = NULL;
	for (size_t i = 0; i < n->nattr; i++) {
		const struct epcis_xattr *at = &n->attrs[i];
		struct pnode *c = halloc(h, sizeof(*c));

		if (c == NULL) {
			h->nomem = true;
			return NULL;
		}
		ni = name_info(h, at->uri, at->local);
		c->name = ni->name;
		c->id = ni->id;
		c->flags = ni->flags;
		c->text = expand_curie(h, (struct str){ at->value, at->len });
		c->kids = NULL;
		c->nkids = 0;
		c->gone = false;
		c->raw = true;
		p->kids[p->nkids++] = c;
	}
	add_kids(h, p, n);
	/*
	 * The reference sorts every child list here.  No output can show
	 * that order: siblings of one name (rules), user extensions and the
	 * generic rest are each sorted by their rendered strings, and a
	 * child is consumed by its name alone.  So the lists stay in document
	 * order.
	 */
	return p;
}

/* ---------------------------------------------------------------------- */
/* Value canonisation */

#define DL_MAX	512		/* a canonical Digital Link URI */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Python float() syntax: [sign] (digits [. [digits]] | . digits)
 * [e [sign] digits], '_' allowed between digits; or inf, infinity, nan.
 * Writes the number without '_' into buf.  Returns 1 for a finite number,
 * 2 for inf/nan, 0 if not a float.
 */
static int
py_float_syntax(const char *s, char *buf, size_t cap)
{
	size_t o = 0, nd = 0;
	const char *p = s;

	if (*p == '+' || *p == '-')
		buf[o++] = *p++;
	if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0 ||
	    strcasecmp(p, "nan") == 0)
		return 2;
#define DIGITS(count) do {						\
		while (is_digit(*p)) {					\
			if (o + 2 >= cap)				\
				return 0;				\
			buf[o++] = *p++;				\
			count++;					\
			if (*p == '_' && is_digit(p[1]))		\
				p++;					\
		}							\
	} while (0)
	DIGITS(nd);
	if (*p == '.') {
		buf[o++] = *p++;
		DIGITS(nd);
	}
	if (nd == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		size_t ne = 0;

		buf[o++] = *p++;
		if (*p == '+' || *p == '-')
			buf[o++] = *p++;
		DIGITS(ne);
		if (ne == 0)
			return 0;
	}
#undef DIGITS
	if (*p != '\0' || o >= cap)
		return 0;
	buf[o] = '\0';
	return 1;
}

/* _try_format_numeric: str(int(x)) if x is integral, else repr(x). */
static const char *
canon_number(struct hctx *h, const char *s)
{
	char num[400], out[400];
	double v;
	int kind, n = 0;

	if (strlen(s) >= sizeof(num) / 2)
		return s;
	kind = py_float_syntax(s, num, sizeof(num));
	if (kind != 1)
		return s;		/* not a number; nan, inf left as written */
	v = strtod(num, NULL);
	if (!isfinite(v))
		return s;
	if (v == floor(v)) {
		/* %.0f prints the exact integer value of a double (glibc) */
		n = snprintf(out, sizeof(out), "%.0f", v);
		if (strcmp(out, "-0") == 0)
			n = snprintf(out, sizeof(out), "0");
	} else {
		/* repr(): the shortest string that reads back as v */
		for (int prec = 1; prec <= 17; prec++) {
			n = snprintf(out, sizeof(out), "%.*g", prec, v);
			if (strtod(out, NULL) == v)
				break;
		}
	}
	if (n <= 0 || (size_t)n >= sizeof(out))
		return s;
	return epcis_arena_strndup(h->a, out, (size_t)n);
}

static const struct {
	const char	*urn, *web;
} web_vocab[] = {
	{ "urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-" },
	{ "urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-" },
	{ "urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-" },
	{ "urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-" },
	{ "urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-" },
};

/*
 * The CBV 1.2 vocabulary URNs in s as CBV 2.0 web URIs: each prefix of
 * web_vocab replaced everywhere, in that order.  The common value is one
 * URN that starts s, and then nothing else can match (the web URIs hold
 * no "urn:"): one copy.
 */
static bool	has_cbv_urn(struct str s);

static struct str
cbv_web(struct hctx *h, struct str s)
{
	if (memcmp(s.p, "urn:epcglobal:cbv:", 18) == 0 &&
	    (s.n < 19 || !has_cbv_urn((struct str){ s.p + 1, s.n - 1 }))) {
		for (size_t i = 0; i < sizeof(web_vocab) / sizeof(web_vocab[0]);
		    i++) {
			size_t ul = strlen(web_vocab[i].urn);
			size_t wl = strlen(web_vocab[i].web);
			char *p;

			if (s.n < ul || memcmp(s.p, web_vocab[i].urn, ul) != 0)
				continue;
			if ((p = salloc(h, wl + s.n - ul + 1)) == NULL)
				return s;
			memcpy(p, web_vocab[i].web, wl);
			memcpy(p + wl, s.p + ul, s.n - ul + 1);
			return (struct str){ p, wl + s.n - ul };
		}
		return s;
	}
	for (size_t i = 0; i < sizeof(web_vocab) / sizeof(web_vocab[0]); i++)
		if (strstr(s.p, web_vocab[i].urn) != NULL)
			s = replace_all(h, s, web_vocab[i].urn, web_vocab[i].web);
	return s;
}

/* Does s contain "urn:epcglobal:cbv:"? */
static bool
has_cbv_urn(struct str s)
{
	const char *p = s.p, *e = s.p + s.n;

	/* an EPC URI: "urn:epc:" holds no second 'u' */
	if (s.n >= 8 && memcmp(p, "urn:epc:", 8) == 0)
		p += 8;

	while ((size_t)(e - p) >= 18 && (p = memchr(p, 'u',
	    (size_t)(e - p) - 17)) != NULL) {
		/* "urn:epc:" fails at the eighth byte: compare 8 first */
		if (memcmp(p, "urn:epcg", 8) == 0 &&
		    memcmp(p + 8, "lobal:cbv:", 10) == 0)
			return true;
		p++;
	}
	return false;
}

static const unsigned char epc_class[256];
static size_t	dl_web_into(char *buf, size_t cap, const char *s, size_t n);

/*
 * canon_sgtin() of an SGTIN URI s whose company prefix and item reference
 * are those of the last one (h->sgtin_in): true with the result in *out,
 * false if they are not.  With stop_colon, false as well if the serial
 * holds a ':' or an escape (only then might the URI hold a CBV URN).
 */
static bool
sgtin_again(struct hctx *h, struct str s, char *dl, bool stop_colon,
    struct str *out)
{
	const char *p, *e = s.p + s.n, *q;
	size_t k, w;
	bool esc = false;

	if (h->sgtin_in_len == 0 || s.n <= h->sgtin_in_len ||
	    memcmp(s.p, h->sgtin_in, h->sgtin_in_len) != 0)
		return false;
	/* epc_chars() and "does dl_web() change it?" in one pass */
	p = s.p + h->sgtin_in_len;
	/* most serials are all plain characters: those first */
	for (q = p; q < e && epc_class[(unsigned char)*q] == 1; q++)
		;
	for (k = (size_t)(q - p); q < e; k++) {
		unsigned c = epc_class[(unsigned char)*q];

		if (stop_colon && (*q == ':' || c == 3))
			return false;
		if (c == 0 || (c == 3 && e - q < 3)) {
			*out = s;
			return true;
		}
		q += c == 3 ? 3 : 1;
		esc = esc || c == 2;
	}
	*out = s;
	if (k < 1 || k > 20 || (size_t)(e - p) > DL_MAX - SGTIN_OUT_LEN)
		return true;
	memcpy(dl, h->sgtin_out, SGTIN_OUT_LEN);
	if (!esc) {
		memcpy(dl + SGTIN_OUT_LEN, p, (size_t)(e - p));
		*out = (struct str){ dl, SGTIN_OUT_LEN + (size_t)(e - p) };
		return true;
	}
	w = dl_web_into(dl + SGTIN_OUT_LEN, DL_MAX - SGTIN_OUT_LEN,
	    p, (size_t)(e - p));
	if (w != (size_t)-1)
		*out = (struct str){ dl, SGTIN_OUT_LEN + w };
	return true;
}

/*
 * An urn:epc:id:sgtin: URI (NUL-terminated) as canonical Digital Link,
 * exactly as epcis_dl_normalise() makes it, but the part for the company
 * prefix and item reference is reused from the last SGTIN when they are
 * the same bytes: split_cp() and the GTIN check digit depend on nothing
 * else (EPC TDS section 6.3.1).
 */
static struct str
canon_sgtin(struct hctx *h, struct str s, char *dl)
{
	struct str r;
	size_t n, k;
	const char *p;

	if (sgtin_again(h, s, dl, false, &r))
		return r;
	if ((n = epcis_dl_normalise(s.p, s.n, dl, DL_MAX)) == 0)
		return s;
	/* remember "urn:epc:id:sgtin:CP.REF." and its Digital Link start */
	p = s.p + 17;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ == '.') {
		while (*p >= '0' && *p <= '9')
			p++;
		k = (size_t)(p + 1 - s.p);
		if (*p == '.' && k <= SGTIN_IN_MAX && n > SGTIN_OUT_LEN &&
		    memcmp(dl + 36, "/21/", 4) == 0) {
			memcpy(h->sgtin_in, s.p, k);
			h->sgtin_in_len = k;
			memcpy(h->sgtin_out, dl, SGTIN_OUT_LEN);
		}
	}
	return (struct str){ dl, n };
}

/*
 * The canonical value of s (NUL-terminated): CBV 1.2 URNs to web URIs,
 * numbers as Python prints them, EPC URIs and Digital Link URIs as
 * canonical Digital Link (written into dl, DL_MAX bytes).  canon_rest():
 * all of it but the sgtin_again() that canon_value() tries first.
 */
static struct str
canon_work(struct hctx *h, struct str s, char *dl)
{
	size_t n;

	if (has_cbv_urn(s))
		s = cbv_web(h, s);
	/* only these can start a Python float other than inf and nan */
	if ((s.p[0] >= '0' && s.p[0] <= '9') || s.p[0] == '+' ||
	    s.p[0] == '-' || s.p[0] == '.') {
		const char *c = canon_number(h, s.p);

		if (c == NULL) {
			h->nomem = true;
			return empty;
		}
		if (c != s.p)
			s = (struct str){ c, strlen(c) };
	}
	if (s.n > 17 && memcmp(s.p, "urn:epc:id:sgtin:", 17) == 0)
		return canon_sgtin(h, s, dl);
	if ((n = epcis_dl_normalise(s.p, s.n, dl, DL_MAX)) > 0)
		return (struct str){ dl, n };
	return s;
}

static size_t
hc_value_slot(const char *s, size_t n)
{
	return (n * 31 + (unsigned char)s[n - 1] * 7 +
	    (unsigned char)s[n / 2] * 3) % HC_SLOTS;
}

/* The cache's entry for the n bytes at s, or where it would go (in NULL) */
static struct hc_value *
hc_value_find(struct epcis_prehash_cache *c, const char *s, size_t n)
{
	size_t i = hc_value_slot(s, n);
	struct hc_value *e;

	for (;; i = (i + 1) % HC_SLOTS) {	/* never full: 3/4 at most */
		e = &c->values[i];
		if (e->in == NULL || (e->n == n && memcmp(e->in, s, n) == 0))
			return e;
	}
}

/*
 * canon_work() through the cache across events.  SGTINs are not kept
 * (they are all different; sgtin_again() has their common part), and
 * for every other value canon_work() depends on the bytes alone.
 */
static struct str
canon_rest(struct hctx *h, struct str s, char *dl)
{
	struct epcis_prehash_cache *c = h->c;
	struct hc_value *e;
	struct str r;
	char *p;

	if (c == NULL || s.n == 0 || s.n > HC_VALUE_MAX ||
	    (s.n > 17 && memcmp(s.p, "urn:epc:id:sgtin:", 17) == 0))
		return canon_work(h, s, dl);
	if ((e = hc_value_find(c, s.p, s.n))->in != NULL)
		return e->same ? s : e->out;
	r = canon_work(h, s, dl);
	if (h->nomem || c->nvalues >= HC_SLOTS * 3 / 4 ||
	    r.n > HC_VALUE_MAX)
		return r;
	e->same = r.p == s.p && r.n == s.n;
	if ((p = hc_alloc(c, s.n + 1 + (e->same ? 0 : r.n + 1))) == NULL)
		return r;
	memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	if (!e->same) {
		memcpy(p + s.n + 1, r.p, r.n);
		p[s.n + 1 + r.n] = '\0';
		e->out = (struct str){ p + s.n + 1, r.n };
	}
	e->in = p;
	e->n = s.n;
	c->nvalues++;
	return r;
}

static struct str
canon_value(struct hctx *h, struct str s, char *dl)
{
	struct str r;

	/*
	 * The SGTINs of a list first: "urn:epc:id:sgtin:CP.REF." holds no
	 * 'u' after its first byte, so "urn:epcglobal:cbv:" could only start
	 * in the serial and would put a ':' there; without one, the steps
	 * of canon_rest() come to canon_sgtin() with s as it is.
	 */
	if (sgtin_again(h, s, dl, true, &r))
		return r;
	return canon_rest(h, s, dl);
}

static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void
civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

static int
take_num(const char **pp, int ndig, long *out)
{
	long v = 0;

	for (int i = 0; i < ndig; i++) {
		if (!is_digit((*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += ndig;
	*out = v;
	return 0;
}

/*
 * _fix_time_stamp_format: an xsd:dateTime to UTC, microseconds rounded to
 * milliseconds half to even (Python round(us, -3)), "YYYY-MM-DDTHH:MM:SS.mmmZ".
 * A time without zone is taken as UTC (the reference would use the local
 * zone of the machine).  NULL if it is not a date-time.
 */
static const char *
canon_time(struct hctx *h, const char *s)
{
	const char *p = s;
	long y, mo, d, hh, mi, ss = 0, us = 0, oh = 0, om = 0, sign = 0;
	long long days, secs, ms;
	unsigned um, ud;
	long long uy;
	char out[64];
	int n;

	if (take_num(&p, 4, &y) || *p++ != '-' || take_num(&p, 2, &mo) ||
	    *p++ != '-' || take_num(&p, 2, &d) || (*p != 'T' && *p != 't' &&
	    *p != ' '))
		return NULL;
	p++;
	if (take_num(&p, 2, &hh) || *p++ != ':' || take_num(&p, 2, &mi))
		return NULL;
	if (*p == ':') {
		p++;
		if (take_num(&p, 2, &ss))
			return NULL;
		if (*p == '.' || *p == ',') {
			int nd = 0;

			p++;
			if (!is_digit(*p))
				return NULL;
			for (; is_digit(*p); p++, nd++)
				if (nd < 6)
					us = us * 10 + (*p - '0');
			for (; nd < 6; nd++)
				us *= 10;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (take_num(&p, 2, &oh))
			return NULL;
		if (*p == ':')
			p++;
		if (*p != '\0' && take_num(&p, 2, &om))
			return NULL;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 24 ||
	    mi > 59 || ss > 60 || oh > 23 || om > 59)
		return NULL;
	/* round(us, -3): half to even */
	ms = us / 1000;
	if (us % 1000 > 500 || (us % 1000 == 500 && ms % 2 == 1))
		ms++;
	days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	secs = days * 86400 + hh * 3600 + mi * 60 + ss -
	    sign * (oh * 3600 + om * 60);
	secs += ms / 1000;
	ms %= 1000;
	days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	secs -= days * 86400;
	civil_from_days(days, &uy, &um, &ud);
	if (uy >= 0 && uy <= 9999) {
		/* what the snprintf() below prints, without its cost */
		const long long f[7] = { uy, um, ud, secs / 3600,
		    secs / 60 % 60, secs % 60, ms };
		static const int width[7] = { 4, 2, 2, 2, 2, 2, 3 };
		static const char sep[7] = { '-', '-', 'T', ':', ':', '.', 'Z' };
		char *q = out;

		for (int i = 0; i < 7; i++) {
			long long v = f[i];

			for (int k = width[i] - 1; k >= 0; k--) {
				q[k] = (char)('0' + v % 10);
				v /= 10;
			}
			q += width[i];
			*q++ = sep[i];
		}
		n = (int)(q - out);
	} else
		n = snprintf(out, sizeof(out),
		    "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
		    uy, um, ud, secs / 3600, secs / 60 % 60, secs % 60, ms);
	if (n <= 0 || (size_t)n >= sizeof(out))
		return NULL;
	return epcis_arena_strndup(h->a, out, (size_t)n);
}

/* ---------------------------------------------------------------------- */
/* Rendering */

static size_t
live_kids(const struct pnode *p)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nkids; i++)
		k += !p->kids[i]->gone;
	return k;
}

static int
str_qcmp(const void *a, const void *b)
{
	return str_cmp(*(const struct str *)a, *(const struct str *)b);
}

static void
sort_strings(struct str *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (str_cmp(v[i - 1], v[i]) > 0) {
			qsort(v, n, sizeof(*v), str_qcmp);
			return;
		}
}

/* The n strings of v, one after the other. */
static struct str
join(struct hctx *h, const struct str *v, size_t n)
{
	size_t len = 0;
	char *out, *q;

	if (n == 1)
		return v[0];
	for (size_t i = 0; i < n; i++)
		len += v[i].n;
	if (len == 0 || (out = salloc(h, len)) == NULL)
		return empty;
	q = out;
	for (size_t i = 0; i < n; i++) {
		memcpy(q, v[i].p, v[i].n);
		q += v[i].n;
	}
	return (struct str){ out, len };
}

/*
 * The npre strings of pre, then the n of v: join() of both, but empty if
 * the strings of v are (a node whose children render to nothing).  The
 * strings of v are rendered children: in the pools, never written once
 * made; when they already lie one after the other (the leaves of a list,
 * made in turn) and nothing goes before them, they are the result as
 * they are.
 */
static struct str
join_after(struct hctx *h, const struct str *pre, size_t npre,
    const struct str *v, size_t n)
{
	size_t len = 0, vlen = 0;
	char *out, *q;
	bool adjacent = true;

	for (size_t i = 0; i < n; i++) {
		vlen += v[i].n;
		if (i > 0 && v[i - 1].p + v[i - 1].n != v[i].p)
			adjacent = false;
	}
	if (vlen == 0)
		return empty;
	if (npre == 0 && adjacent)
		return (struct str){ v[0].p, vlen };
	if (npre == 1 && adjacent && pre[0].p + pre[0].n == v[0].p)
		return (struct str){ pre[0].p, pre[0].n + vlen };
	if (npre == 0)
		return join(h, v, n);
	for (size_t i = 0; i < npre; i++)
		len += pre[i].n;
	if ((out = salloc(h, len + vlen)) == NULL)
		return empty;
	q = out;
	for (size_t i = 0; i < npre; i++) {
		memcpy(q, pre[i].p, pre[i].n);
		q += pre[i].n;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(q, v[i].p, v[i].n);
		q += v[i].n;
	}
	return (struct str){ out, len + vlen };
}

static struct str recurse(struct hctx *h, struct pnode **kids, size_t n,
    const struct order *o, const struct str *pre, size_t npre);
static struct str generic(struct hctx *h, struct pnode **kids, size_t n);

/* _generic_child_list_to_prehash_string over the live nodes of kids. */
static struct str
generic(struct hctx *h, struct pnode **kids, size_t n)
{
	struct str *v;
	size_t k = 0;
	bool refs = false;

	if (n == 0)
		return empty;
	if ((v = halloc(h, n * sizeof(*v))) == NULL) {
		h->nomem = true;
		return empty;
	}
	for (size_t i = 0; i < n; i++)
		if (!kids[i]->gone && (kids[i]->flags & F_REF) != 0)
			refs = true;
	for (size_t i = 0; i < n; i++) {
		struct pnode *c = kids[i];
		struct str sub, t, parts[4];
		char dl[DL_MAX];

		if (c->gone)
			continue;
		sub = generic(h, c->kids, c->nkids);
		/* `=value` of the node, nothing if its text is empty */
		t = c->raw ? strip_dup(h, c->text.p, c->text.n) : c->text;
		if (t.n > 0)
			t = canon_value(h, t, dl);
		if (refs && (c->flags & F_REF) != 0) {
			/* CBV 2.0: "type=<type>" first, then "<name>=<id>" */
			parts[0] = sub;
			parts[1] = c->name;
			parts[2] = t.n > 0 ? (struct str){ "=", 1 } : empty;
			parts[3] = t;
		} else {
			parts[0] = c->name;
			parts[1] = t.n > 0 ? (struct str){ "=", 1 } : empty;
			parts[2] = t;
			parts[3] = sub;
		}
		v[k++] = join(h, parts, 4);
	}
	if (k > 1)
		sort_strings(v, k);
	return join(h, v, k);
}

static struct str
child_string(struct hctx *h, struct pnode *c, const struct order *sub)
{
	struct str grand = empty, text = empty, parts[3];
	char dl[DL_MAX];

	if (sub == NULL && c->text.n > 0 && !c->raw &&
	    (c->flags & F_TIME) == 0 && h->sgtin_in_len > 0) {
		/*
		 * A leaf that may be an SGTIN of the list's prefix (the EPCs
		 * of an epcList): sgtin_again() writes its Digital Link
		 * straight behind "name=" in the string pool, where the
		 * general path below would copy it from dl.  Nothing is
		 * taken from the pool unless that string is the result.
		 */
		size_t pre = c->name.n + 1;
		struct str r;
		char *o;

		if ((size_t)(h->se - h->sp) < pre + DL_MAX &&
		    (h->sp = pool_block(h, pre + DL_MAX, &h->sblock,
		    &h->se)) == NULL)
			return empty;
		o = h->sp + pre;
		if (sgtin_again(h, c->text, o, true, &r)) {
			if (r.p == o) {
				char *p = h->sp;

				memcpy(p, c->name.p, c->name.n);
				p[c->name.n] = '=';
				h->sp += pre + r.n;
				return (struct str){ p, pre + r.n };
			}
			text = r;
		} else
			text = canon_rest(h, c->text, dl);
	} else if (c->text.n > 0) {
		/* element text is stripped already (lead_text()) */
		struct str t = c->raw ? strip_dup(h, c->text.p, c->text.n) :
		    c->text;

		if ((c->flags & F_TIME) != 0) {
			const char *f = canon_time(h, t.p);

			if (f != NULL)
				t = (struct str){ f, strlen(f) };
		} else
			t = canon_value(h, t, dl);
		text = t;
	}
	if (sub != NULL) {
		/*
		 * name, "=" and text in the string pool, where the strings
		 * of the grandchildren (leaves, mostly: an epcList) go next,
		 * in a block with room for all of them if there are many:
		 * then their join is the bytes as they lie.
		 */
		size_t pl = c->name.n + (text.n > 0 ? 1 + text.n : 0);
		char *p;

		if (c->nkids >= 8) {
			size_t want = DL_MAX + pl;

			for (size_t i = 0; i < c->nkids; i++)
				want += c->kids[i]->name.n + 1 +
				    c->kids[i]->text.n + 16;
			if ((size_t)(h->se - h->sp) < want &&
			    (h->sp = pool_block(h, want, &h->sblock,
			    &h->se)) == NULL)
				return empty;
		}
		if ((p = salloc(h, pl)) == NULL)
			return empty;
		memcpy(p, c->name.p, c->name.n);
		if (text.n > 0) {
			p[c->name.n] = '=';
			memcpy(p + c->name.n + 1, text.p, text.n);
		}
		parts[0] = (struct str){ p, pl };
		grand = recurse(h, c->kids, c->nkids, sub, parts, 1);
		if (grand.n > 0)
			return grand;
		/* a leaf after all: name=text, as below */
		return text.n > 0 ? parts[0] : empty;
	}
	if (text.n == 0)
		return empty;
	{
		/* a leaf: name=text */
		char *p = salloc(h, c->name.n + 1 + text.n);

		if (p == NULL)
			return empty;
		memcpy(p, c->name.p, c->name.n);
		p[c->name.n] = '=';
		memcpy(p + c->name.n + 1, text.p, text.n);
		return (struct str){ p, c->name.n + 1 + text.n };
	}
}

/*
 * _recurse_through_children_in_order: the strings of kids, *vp[0] to
 * *vp[k - 1] (in h's pools), in the order they go; returns k.
 */
static size_t
render(struct hctx *h, struct pnode **kids, size_t n, const struct order *o,
    struct str **vp)
{
	struct pnode **ext = NULL;
	struct str *v;
	size_t next = 0, live = 0, k = 0;
	uint64_t ids = 0;	/* the name ids of the live kids */
	bool top = false;

	*vp = NULL;
	if (n == 0)
		return 0;
	/* _gather_user_extensions: not at the event level */
	for (size_t i = 0; i < n; i++) {
		if (kids[i]->gone)
			continue;
		live++;
		ids |= (uint64_t)1 << kids[i]->id;
		if ((kids[i]->flags & F_TOP) != 0)
			top = true;
	}
	if (live > 1 && !top) {
		if ((ext = halloc(h, n * sizeof(*ext))) == NULL) {
			h->nomem = true;
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			if (!kids[i]->gone && (kids[i]->flags & F_EXT) != 0) {
				ext[next++] = kids[i];
				kids[i]->gone = true;
			}
	}
	/* each kid matches one rule at most: n + 1 strings in all */
	if ((v = halloc(h, (n + 1) * sizeof(*v))) == NULL) {
		h->nomem = true;
		return 0;
	}
	for (; o->id != N_NONE; o++) {
		size_t first = k;

		if ((ids & (uint64_t)1 << o->id) == 0)
			continue;	/* no kid of that name (or it is gone) */
		for (size_t i = 0; i < n; i++) {
			struct pnode *c = kids[i];
			struct str s;

			if (c->gone || c->id != o->id)
				continue;
			s = child_string(h, c, o->sub);
			if (s.n > 0)
				v[k++] = s;
			if (live_kids(c) == 0)
				c->gone = true;
		}
		if (k - first > 1)
			sort_strings(v + first, k - first);
	}
	if (next > 0) {
		for (size_t i = 0; i < next; i++)
			ext[i]->gone = false;
		v[k++] = generic(h, ext, next);
		for (size_t i = 0; i < next; i++)
			ext[i]->gone = true;
	}
	*vp = v;
	return k;
}

/*
 * The same after the npre strings of pre, as one string (nothing at all
 * if the children render to nothing).
 */
static struct str
recurse(struct hctx *h, struct pnode **kids, size_t n, const struct order *o,
    const struct str *pre, size_t npre)
{
	struct str *v;
	size_t k = render(h, kids, n, o, &v);

	return k == 0 ? empty : join_after(h, pre, npre, v, k);
}

static void
hc_clear(struct epcis_prehash_cache *c)
{
	for (size_t i = 0; i < HC_SLOTS; i++) {
		c->names[i].local = NULL;
		c->values[i].in = NULL;
	}
	c->nnames = c->nvalues = c->used = 0;
	c->sgtin_in_len = 0;
}

static int	prehash(struct hctx *h, const struct epcis_xnode *ev,
		    struct epcis_buf *out, struct diag *d);

struct epcis_prehash_cache *
epcis_prehash_cache_new(void)
{
	struct epcis_prehash_cache *c = malloc(sizeof(*c));

	if (c != NULL)
		hc_clear(c);
	return c;
}

void
epcis_prehash_cache_free(struct epcis_prehash_cache *c)
{
	free(c);
}

int
epcis_prehash_tree(const struct epcis_xnode *ev, struct epcis_arena *a,
    struct epcis_buf *out, struct diag *d)
{
	return epcis_prehash_tree_cached(ev, a, NULL, out, d);
}

int
epcis_prehash_tree_cached(const struct epcis_xnode *ev, struct epcis_arena *a,
    struct epcis_prehash_cache *c, struct epcis_buf *out, struct diag *d)
{
	struct hctx hc, *h = &hc;
	int rc;

	out->len = 0;
	h->a = a;
	h->c = c;
	h->nomem = false;
	h->sp = h->se = h->np = h->ne = NULL;
	h->sblock = h->nblock = POOL_FIRST;
	h->sgtin_in_len = 0;
	if (c != NULL) {
		/*
		 * Emptied between events only (the pnodes point into it),
		 * names and values alike, when the strings or the values
		 * fill it: a new working set comes in.
		 */
		if (HC_POOL - c->used < HC_POOL / 4 ||
		    c->nvalues >= HC_SLOTS * 3 / 4)
			hc_clear(c);
		if ((h->sgtin_in_len = c->sgtin_in_len) > 0) {
			memcpy(h->sgtin_in, c->sgtin_in, h->sgtin_in_len);
			memcpy(h->sgtin_out, c->sgtin_out, SGTIN_OUT_LEN);
		}
	}
	for (size_t i = 0; i < NAME_CACHE; i++)
		h->names[i].local = NULL;
	rc = prehash(h, ev, out, d);
	if (c != NULL && h->sgtin_in_len > 0) {
		c->sgtin_in_len = h->sgtin_in_len;
		memcpy(c->sgtin_in, h->sgtin_in, h->sgtin_in_len);
		memcpy(c->sgtin_out, h->sgtin_out, SGTIN_OUT_LEN);
	}
	return rc;
}

static int
prehash(struct hctx *h, const struct epcis_xnode *ev, struct epcis_buf *out,
    struct diag *d)
{
	struct pnode *root;
	struct str *ordered, rest;
	size_t k;

	if ((root = build(h, ev)) == NULL || h->nomem)
		return diag_system(d, "out of memory");
	/* the event's children go straight to out: no join of them */
	k = render(h, root->kids, root->nkids, event_order, &ordered);
	for (size_t i = 0; i < root->nkids; i++) {
		unsigned id = root->kids[i]->id;

		if (id == N_recordTime || id == N_eventID || id == N_type ||
		    id == N_errorDeclaration)
			root->kids[i]->gone = true;
	}
	rest = generic(h, root->kids, root->nkids);
	epcis_buf_add(out, "eventType=", 10);
	epcis_buf_add(out, root->name.p, root->name.n);
	for (size_t i = 0; i < k; i++)
		epcis_buf_add(out, ordered[i].p, ordered[i].n);
	epcis_buf_add(out, rest.p, rest.n);
	if (h->nomem || out->failed)
		return diag_system(d, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* EPC URI and Digital Link normalisation (CBV 2.0 section 8.9.2 rule 10) */

static char
check_digit(const char *digits, size_t len)
{
	/* GS1 General Specifications 7.9.1: weights 3,1,3,... from the right */
	unsigned odd = 0, even = 0;	/* positions from the right, 1-based */
	size_t i = len;

	while (i >= 2) {
		odd += (unsigned)(digits[i - 1] - '0');
		even += (unsigned)(digits[i - 2] - '0');
		i -= 2;
	}
	if (i == 1)
		odd += (unsigned)(digits[0] - '0');
	return (char)('0' + (10 - (3 * odd + even) % 10) % 10);
}

static size_t
count_digits(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

/*
 * EPC URI characters (EPC TDS section 5, GS3A3 and the escapes), and
 * which of them Digital Link percent-encodes: 1 allowed, 2 allowed and
 * encoded ("!()*+,:"), 3 '%' (an escape).
 */
static const unsigned char epc_class[256] = {
	['!'] = 2, ['\''] = 1, ['('] = 2, [')'] = 2, ['*'] = 2, ['+'] = 2,
	[','] = 2, ['-'] = 1, ['.'] = 1, [':'] = 2, [';'] = 1, ['='] = 1,
	['_'] = 1, ['%'] = 3,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/*
 * EPC URI "GS3A3" characters with TDS escapes: each %xx counts as one.
 * Returns the number of characters up to `end`, or (size_t)-1.
 */
static size_t
epc_chars(const char *s, const char *end)
{
	size_t n = 0;

	while (s < end) {
		unsigned k = epc_class[(unsigned char)*s];

		if (k == 0)
			return (size_t)-1;
		if (k == 3) {
			if (end - s < 3)
				return (size_t)-1;
			s += 3;
		} else
			s++;
		n++;
	}
	return n;
}

struct dlout {
	char	*buf;
	size_t	 cap, len;
	bool	 bad;
};

static void
dl_add(struct dlout *o, const char *s, size_t n)
{
	if (o->bad || o->len + n + 1 > o->cap) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
dl_adds(struct dlout *o, const char *s)
{
	dl_add(o, s, strlen(s));
}

/* The digits plus their check digit. */
static void
dl_key(struct dlout *o, const char *digits, size_t n)
{
	if (o->bad || o->len + n + 2 > o->cap) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->len, digits, n);
	o->buf[o->len + n] = check_digit(digits, n);
	o->len += n + 1;
	o->buf[o->len] = '\0';
}

/* Digital Link percent-encoding of what EPC URIs allow unescaped. */
static void
dl_web(struct dlout *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		char e[3];

		if (epc_class[(unsigned char)s[i]] != 2)
			continue;
		dl_add(o, s + start, i - start);
		e[0] = '%';
		e[1] = hex[(unsigned char)s[i] >> 4];
		e[2] = hex[(unsigned char)s[i] & 15];
		dl_add(o, e, 3);
		start = i + 1;
	}
	dl_add(o, s + start, n - start);
}

/* dl_web() into buf: the bytes written, or (size_t)-1 if cap is short. */
static size_t
dl_web_into(char *buf, size_t cap, const char *s, size_t n)
{
	struct dlout o = { buf, cap, 0, false };

	dl_web(&o, s, n);
	return o.bad ? (size_t)-1 : o.len;
}

/*
 * Split "CP.REF[.REST]" where CP has 6-12 digits and REF `reflen(cp)`
 * digits.  Returns the position after REF (at '.' or the end), or NULL.
 */
static const char *
split_cp(const char *p, int total, size_t *cplen)
{
	size_t cp = count_digits(p), ref;

	if (cp < 6 || cp > 12 || p[cp] != '.')
		return NULL;
	ref = count_digits(p + cp + 1);
	if (total >= 0 && ref != (size_t)total - cp)
		return NULL;
	*cplen = cp;
	return p + cp + 1 + ref;
}

/* GTIN-14 from CP and the item reference with its indicator digit. */
static void
dl_gtin(struct dlout *o, const char *p, size_t cp)
{
	char raw[13];

	raw[0] = p[cp + 1];
	memcpy(raw + 1, p, cp);
	memcpy(raw + 1 + cp, p + cp + 2, 12 - cp);
	dl_key(o, raw, 13);
}

static void
dl_concat_key(struct dlout *o, const char *lead, const char *p, size_t cp,
    size_t reflen)
{
	char raw[32];
	size_t n = strlen(lead);

	memcpy(raw, lead, n);
	memcpy(raw + n, p, cp);
	memcpy(raw + n + cp, p + cp + 1, reflen);
	dl_key(o, raw, n + cp + reflen);
}

static size_t
dl_from_epc(const char *uri, const char *end, struct dlout *o)
{
	const char *p, *q;
	size_t cp, n;

#define SCHEME(s)	((size_t)(end - uri) >= sizeof(s) - 1 &&		\
	    memcmp(uri, s, sizeof(s) - 1) == 0 && (p = uri + sizeof(s) - 1))
	if (SCHEME("urn:epc:id:sgtin:") || SCHEME("urn:epc:id:upui:")) {
		bool upui = uri[11] == 'u';

		if ((q = split_cp(p, 13, &cp)) == NULL || *q != '.' ||
		    (n = epc_chars(q + 1, end)) == (size_t)-1 || n < 1 ||
		    n > (upui ? 28u : 20u))
			return 0;
		dl_adds(o, "https://id.gs1.org/01/");
		dl_gtin(o, p, cp);
		dl_adds(o, upui ? "/235/" : "/21/");
		dl_web(o, q + 1, (size_t)(end - q - 1));
	} else if (SCHEME("urn:epc:class:lgtin:")) {
		if ((q = split_cp(p, 13, &cp)) == NULL || *q != '.' ||
		    (n = epc_chars(q + 1, end)) == (size_t)-1 || n < 1 || n > 20)
			return 0;
		dl_adds(o, "https://id.gs1.org/01/");
		dl_gtin(o, p, cp);
		dl_adds(o, "/10/");
		dl_web(o, q + 1, (size_t)(end - q - 1));
	} else if (SCHEME("urn:epc:idpat:sgtin:") || SCHEME("urn:epc:idpat:upui:")) {
		if ((q = split_cp(p, 13, &cp)) == NULL || strcmp(q, ".*") != 0)
			return 0;
		dl_adds(o, "https://id.gs1.org/01/");
		dl_gtin(o, p, cp);
	} else if (SCHEME("urn:epc:id:sscc:")) {
		if ((q = split_cp(p, 17, &cp)) == NULL || q != end)
			return 0;
		char raw[17];

		raw[0] = p[cp + 1];	/* extension digit, CP, serial reference */
		memcpy(raw + 1, p, cp);
		memcpy(raw + 1 + cp, p + cp + 2, 16 - cp);
		dl_adds(o, "https://id.gs1.org/00/");
		dl_key(o, raw, 17);
	} else if (SCHEME("urn:epc:id:sgln:")) {
		if ((q = split_cp(p, 12, &cp)) == NULL || *q != '.' ||
		    (n = epc_chars(q + 1, end)) == (size_t)-1 || n < 1 || n > 20)
			return 0;
		dl_adds(o, "https://id.gs1.org/414/");
		dl_concat_key(o, "", p, cp, 12 - cp);
		if (end - q - 1 != 1 || q[1] != '0') {
			dl_adds(o, "/254/");
			dl_web(o, q + 1, (size_t)(end - q - 1));
		}
	} else if (SCHEME("urn:epc:id:pgln:")) {
		if ((q = split_cp(p, 12, &cp)) == NULL || q != end)
			return 0;
		dl_adds(o, "https://id.gs1.org/417/");
		dl_concat_key(o, "", p, cp, 12 - cp);
	} else if (SCHEME("urn:epc:id:grai:") || SCHEME("urn:epc:idpat:grai:")) {
		bool pat = uri[8] == 'i' && uri[9] == 'd' && uri[10] == 'p';

		if ((q = split_cp(p, 12, &cp)) == NULL || *q != '.')
			return 0;
		if (pat ? strcmp(q, ".*") != 0 :
		    ((n = epc_chars(q + 1, end)) == (size_t)-1 || n < 1 || n > 16))
			return 0;
		dl_adds(o, "https://id.gs1.org/8003/");
		dl_concat_key(o, "0", p, cp, 12 - cp);
		if (!pat)
			dl_web(o, q + 1, (size_t)(end - q - 1));
	} else if (SCHEME("urn:epc:id:giai:") || SCHEME("urn:epc:id:ginc:")) {
		bool ginc = uri[12] == 'n';

		cp = count_digits(p);
		if (cp < 6 || cp > 12 || p[cp] != '.' ||
		    (n = epc_chars(p + cp + 1, end)) == (size_t)-1 || n < 1 ||
		    n > 30 - cp)
			return 0;
		dl_adds(o, ginc ? "https://id.gs1.org/401/" :
		    "https://id.gs1.org/8004/");
		dl_add(o, p, cp);
		dl_web(o, p + cp + 1, (size_t)(end - p - cp - 1));
	} else if (SCHEME("urn:epc:id:gsrn:") || SCHEME("urn:epc:id:gsrnp:")) {
		bool gsrnp = uri[15] == 'p';

		if ((q = split_cp(p, 17, &cp)) == NULL || q != end)
			return 0;
		dl_adds(o, gsrnp ? "https://id.gs1.org/8017/" :
		    "https://id.gs1.org/8018/");
		dl_concat_key(o, "", p, cp, 17 - cp);
	} else if (SCHEME("urn:epc:id:gsin:")) {
		if ((q = split_cp(p, 16, &cp)) == NULL || q != end)
			return 0;
		dl_adds(o, "https://id.gs1.org/402/");
		dl_concat_key(o, "", p, cp, 16 - cp);
	} else if (SCHEME("urn:epc:id:gdti:") || SCHEME("urn:epc:id:sgcn:") ||
	    SCHEME("urn:epc:idpat:gdti:") || SCHEME("urn:epc:idpat:sgcn:")) {
		bool pat = uri[8] == 'i' && uri[9] == 'd' && uri[10] == 'p';
		bool sgcn = strstr(uri, ":sgcn:") != NULL;

		if ((q = split_cp(p, 12, &cp)) == NULL || *q != '.')
			return 0;
		if (pat ? strcmp(q, ".*") != 0 : sgcn ?
		    (count_digits(q + 1) < 1 || count_digits(q + 1) > 12 ||
		    q + 1 + count_digits(q + 1) != end) :
		    ((n = epc_chars(q + 1, end)) == (size_t)-1 || n > 17))
			return 0;
		dl_adds(o, sgcn ? "https://id.gs1.org/255/" :
		    "https://id.gs1.org/253/");
		dl_concat_key(o, "", p, cp, 12 - cp);
		if (!pat)
			dl_web(o, q + 1, (size_t)(end - q - 1));
	} else if (SCHEME("urn:epc:id:itip:") || SCHEME("urn:epc:idpat:itip:")) {
		bool pat = uri[8] == 'i' && uri[9] == 'd' && uri[10] == 'p';

		if ((q = split_cp(p, 13, &cp)) == NULL || *q != '.' ||
		    count_digits(q + 1) != 2 || q[3] != '.' ||
		    count_digits(q + 4) != 2 || (q[6] != '.' && q[6] != '\0'))
			return 0;
		if (pat ? strcmp(q + 6, ".*") != 0 :
		    (q[6] != '.' || (n = epc_chars(q + 7, end)) == (size_t)-1 ||
		    n < 1 || n > 20))
			return 0;
		dl_adds(o, "https://id.gs1.org/8006/");
		dl_gtin(o, p, cp);
		dl_add(o, q + 1, 2);
		dl_add(o, q + 4, 2);
		if (!pat) {
			dl_adds(o, "/21/");
			dl_web(o, q + 7, (size_t)(end - q - 7));
		}
	} else if (SCHEME("urn:epc:id:cpi:") || SCHEME("urn:epc:idpat:cpi:")) {
		bool pat = uri[8] == 'i' && uri[9] == 'd' && uri[10] == 'p';
		const char *dot = end;

		cp = count_digits(p);
		if (cp < 6 || cp > 12 || p[cp] != '.')
			return 0;
		while (dot > p + cp + 1 && dot[-1] != '.')
			dot--;
		if (dot <= p + cp + 1)
			return 0;
		dot--;		/* the last '.' */
		for (q = p + cp + 1; q < dot; q++)
			if (!(is_digit(*q) || (*q >= 'A' && *q <= 'Z') ||
			    *q == '-' || *q == '%'))
				return 0;
		if (pat ? strcmp(dot, ".*") != 0 :
		    (count_digits(dot + 1) < 1 || count_digits(dot + 1) > 12 ||
		    dot + 1 + count_digits(dot + 1) != end))
			return 0;
		dl_adds(o, "https://id.gs1.org/8010/");
		dl_web(o, p, cp);
		dl_web(o, p + cp + 1, (size_t)(dot - p - cp - 1));
		if (!pat) {
			dl_adds(o, "/8011/");
			dl_add(o, dot + 1, (size_t)(end - dot - 1));
		}
	} else
		return 0;
#undef SCHEME
	return o->bad ? 0 : o->len;
}

size_t
epcis_sgtin_bracketed(const char *uri, char *buf, size_t cap)
{
	const char *p, *q, *end;
	size_t cp, n;
	struct dlout o = { buf, cap, 0, false };

	if (strncmp(uri, "urn:epc:id:sgtin:", 17) != 0 ||
	    strchr(uri + 17, '%') != NULL)
		return (size_t)-1;
	p = uri + 17;
	end = p + strlen(p);
	/* the checks of dl_from_epc() for urn:epc:id:sgtin: */
	if ((q = split_cp(p, 13, &cp)) == NULL || *q != '.' ||
	    (n = epc_chars(q + 1, end)) == (size_t)-1 || n < 1 || n > 20)
		return 0;
	dl_adds(&o, "[01]");
	dl_gtin(&o, p, cp);
	dl_adds(&o, "[21]");
	dl_add(&o, q + 1, (size_t)(end - q - 1));
	return o.bad ? 0 : o.len;
}

/* Digital Link value characters the reference's final check accepts. */
static bool
dl_xchar(char c)
{
	return c == '"' || c == '\'' || c == '-' || c == '.' || is_digit(c) ||
	    (c >= ';' && c <= '?') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (c >= 'a' && c <= 'z');
}

static bool
all_x(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (!dl_xchar(*s) || n >= max)
			return false;
	return true;
}

/* The final syntax check of the reference normaliser on "https://id.gs1.org". */
static bool
dl_valid(const char *u)
{
	const char *p;
	size_t n;

	if (strncmp(u, "https://id.gs1.org/", 19) != 0)
		return false;
	u += 19;
#define KEY(k)	(strncmp(u, k "/", strlen(k) + 1) == 0 && (p = u + strlen(k) + 1))
	if (KEY("00"))
		return count_digits(p) == 18 && p[18] == '\0';
	if (KEY("01")) {
		if (count_digits(p) != 14)
			return false;
		p += 14;
		if (*p == '\0')
			return true;
		if (strncmp(p, "/21/", 4) == 0 || strncmp(p, "/10/", 4) == 0)
			return all_x(p + 4, 20);
		if (strncmp(p, "/235/", 5) == 0)
			return all_x(p + 5, 28);
		return false;
	}
	if (KEY("253"))
		return count_digits(p) >= 13 && all_x(p + 13, 17);
	if (KEY("255"))
		return (n = count_digits(p)) >= 13 && n <= 25 && p[n] == '\0';
	if (KEY("401") || KEY("8004"))
		return all_x(p, 30);
	if (KEY("402"))
		return count_digits(p) == 17 && p[17] == '\0';
	if (KEY("414")) {
		if (count_digits(p) != 13)
			return false;
		p += 13;
		return *p == '\0' || (strncmp(p, "/254/", 5) == 0 &&
		    all_x(p + 5, 20));
	}
	if (KEY("417"))
		return count_digits(p) == 13 && p[13] == '\0';
	if (KEY("8003"))
		return count_digits(p) >= 14 && all_x(p + 14, 16);
	if (KEY("8006")) {
		if (count_digits(p) != 18)
			return false;
		p += 18;
		return *p == '\0' || ((strncmp(p, "/21/", 4) == 0 ||
		    strncmp(p, "/10/", 4) == 0) && all_x(p + 4, 20));
	}
	if (KEY("8010")) {
		const char *s = strstr(p, "/8011/");
		size_t len = s != NULL ? (size_t)(s - p) : strlen(p);

		if (len > 30)
			return false;
		for (size_t i = 0; i < len; i++)
			if (!(p[i] == '#' || p[i] == '-' || p[i] == '/' ||
			    is_digit(p[i]) || (p[i] >= 'A' && p[i] <= 'Z')))
				return false;
		return s == NULL || ((n = count_digits(s + 6)) <= 12 &&
		    s[6 + n] == '\0');
	}
	if (KEY("8017") || KEY("8018"))
		return count_digits(p) == 18 && p[18] == '\0';
#undef KEY
	return false;
}

static const char *const dl_keys[] = {
	"01", "gtin", "8006", "itip", "8010", "cpid", "414", "gln", "417",
	"party", "8017", "gsrnp", "8018", "gsrn", "255", "gcn", "00", "sscc",
	"253", "gdti", "401", "ginc", "402", "gsin", "8003", "grai", "8004",
	"giai",
};

static const struct {
	const char	*from, *to;
} dl_short[] = {
	{ "/gtin/", "/01/" }, { "/itip/", "/8006/" }, { "/cpid/", "/8010/" },
	{ "/gln/", "/414/" }, { "/party/", "/417/" }, { "/gsrnp/", "/8017/" },
	{ "/gsrn/", "/8018/" }, { "/gcn/", "/255/" }, { "/sscc/", "/00/" },
	{ "/gdti/", "/253/" }, { "/ginc/", "/401/" }, { "/gsin/", "/402/" },
	{ "/grai/", "/8003/" }, { "/giai/", "/8004/" }, { "/cpv/", "/22/" },
	{ "/lot/", "/10/" }, { "/ser/", "/21/" },
};

static const char *const dl_prefix_order[] = {
	"/00/", "/01/", "/253/", "/255/", "/401/", "/402/", "/414/", "/417/",
	"/8003/", "/8004/", "/8006/", "/8010/", "/8017/", "/8018/",
};

/* Replace every `from` by `to` in place (buf has cap bytes). */
static bool
str_replace_all(char *buf, size_t cap, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p = buf;

	while ((p = strstr(p, from)) != NULL) {
		size_t rest = strlen(p + fl);

		if ((size_t)(p - buf) + tl + rest + 1 > cap)
			return false;
		memmove(p + tl, p + fl, rest + 1);
		memcpy(p, to, tl);
		p += tl;
	}
	return true;
}

static void
cut_segment(char *at)
{
	/* remove "/xx/value" at `at`, keeping what follows the value */
	char *v = strchr(at + 1, '/');
	char *next;

	if (v == NULL)
		return;
	next = strchr(v + 1, '/');
	if (next == NULL)
		*at = '\0';
	else
		memmove(at, next, strlen(next) + 1);
}

static size_t
dl_from_web(const char *uri, size_t len, char *buf, size_t cap)
{
	const char *path, *p;
	bool found = false;
	char *q;

	if (strncmp(uri, "https://", 8) == 0)
		path = uri + 8;
	else if (strncmp(uri, "http://", 7) == 0)
		path = uri + 7;
	else
		return 0;
	/* the reference's first pattern: some "/KEY/" then 4 digits and more */
	for (p = path; *p != '\0' && *p != '?' && *p != '#'; p++) {
		const char *g = p + 1;
		size_t sl;

		if (*p != '/')
			continue;
		/* a key is a whole segment: find it, then compare */
		while (*g != '\0' && *g != '/' && *g != '?' && *g != '#')
			g++;
		if (*g != '/')
			break;		/* the path ends before another '/' */
		sl = (size_t)(g - p - 1);
		if (sl >= 2 && sl <= 5 && count_digits(g + 1) >= 4 &&
		    g[5] != '\0' && g[5] != '/')
			for (size_t i = 0; i < sizeof(dl_keys) /
			    sizeof(dl_keys[0]); i++)
				if (strlen(dl_keys[i]) == sl &&
				    memcmp(p + 1, dl_keys[i], sl) == 0) {
					found = true;
					break;
				}
		if (found)
			break;
		p = g - 1;	/* on to the next '/' */
	}
	if (!found || len + 1 > cap)
		return 0;
	memcpy(buf, uri, len + 1);
	if ((q = strchr(buf, '?')) != NULL)
		*q = '\0';
	for (size_t i = 0; i < sizeof(dl_short) / sizeof(dl_short[0]); i++)
		if (!str_replace_all(buf, cap, dl_short[i].from, dl_short[i].to))
			return 0;
	if (strncmp(buf, "https://id.gs1.org/", 19) != 0 || !dl_valid(buf)) {
		for (size_t i = 0; i < sizeof(dl_prefix_order) /
		    sizeof(dl_prefix_order[0]); i++) {
			char *at = strstr(buf, dl_prefix_order[i]);

			if (at != NULL) {
				size_t rest = strlen(at);

				if (18 + rest + 1 > cap)
					return 0;
				memmove(buf + 18, at, rest + 1);
				memcpy(buf, "https://id.gs1.org", 18);
				break;
			}
		}
	}
	if (strncmp(buf, "https://id.gs1.org/01/", 22) == 0) {
		size_t nd = count_digits(buf + 22);
		static const char zeros[] = "000000";
		size_t pad = nd == 13 ? 1 : nd == 12 ? 2 : nd == 8 ? 6 : 0;

		if (nd < 14 && pad > 0) {
			size_t rest = strlen(buf + 22);

			if (22 + pad + rest + 1 > cap)
				return 0;
			memmove(buf + 22 + pad, buf + 22, rest + 1);
			memcpy(buf + 22, zeros, pad);
		}
	}
	if ((strncmp(buf, "https://id.gs1.org/01/", 22) == 0 &&
	    count_digits(buf + 22) == 14 && strncmp(buf + 36, "/22/", 4) == 0))
		cut_segment(buf + 36);
	else if (strncmp(buf, "https://id.gs1.org/8006/", 24) == 0 &&
	    count_digits(buf + 24) == 18 && strncmp(buf + 42, "/22/", 4) == 0)
		cut_segment(buf + 42);
	/* only the finest level: a serial makes the lot redundant */
	{
		size_t at = strncmp(buf, "https://id.gs1.org/01/", 22) == 0 ? 36 :
		    strncmp(buf, "https://id.gs1.org/8006/", 24) == 0 ? 42 : 0;

		if (at > 0 && strlen(buf) > at + 4 &&
		    strncmp(buf + at, "/10/", 4) == 0) {
			char *ser = strstr(buf + at + 4, "/21/");

			if (ser != NULL && strchr(buf + at + 4, '/') == ser &&
			    all_x(ser + 4, 20))
				memmove(buf + at, ser, strlen(ser) + 1);
		}
	}
	if (!dl_valid(buf))
		return 0;
	return strlen(buf);
}

size_t
epcis_dl_normalise(const char *uri, size_t len, char *buf, size_t cap)
{
	struct dlout o = { buf, cap, 0, false };

	if (cap == 0 || memchr(uri, '\0', len) != NULL)
		return 0;
	if (len > 8 && strncmp(uri, "urn:epc:", 8) == 0) {
		if (uri[len] != '\0')
			return 0;	/* callers pass NUL-terminated strings */
		return dl_from_epc(uri, uri + len, &o);
	}
	if (uri[len] != '\0')
		return 0;
	return dl_from_web(uri, len, buf, cap);
}
