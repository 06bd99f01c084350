/*
 * epcis_md: master data files (dscsa-epcis(1), MASTER DATA FILES): the
 * products and locations that DSCSA transaction information names (FD&C
 * Act 581(26); GS1 US DSCSA guideline R1.3: EPCClass and Location
 * vocabularies with CBV 1.2 section 8 master data attributes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis.h"
#include "epcis_int.h"
#include "mem.h"

#define MDA	"urn:epcglobal:cbv:mda#"
#define LINE_MAX_MD	4096

static const struct {
	bool		 location;
	const char	*key, *id;
} md_keys[] = {
	{ false, "ndc", MDA "additionalTradeItemIdentification" },
	{ false, "name", MDA "regulatedProductName" },
	{ false, "dosage_form", MDA "dosageFormType" },
	{ false, "strength", MDA "strengthDescription" },
	{ false, "container_size", MDA "netContentDescription" },
	{ false, "manufacturer", MDA "manufacturerOfTradeItemPartyName" },
	{ true, "name", MDA "name" },
	{ true, "street1", MDA "streetAddressOne" },
	{ true, "street2", MDA "streetAddressTwo" },
	{ true, "street3", MDA "streetAddressThree" },
	{ true, "city", MDA "city" },
	{ true, "state", MDA "state" },
	{ true, "postal_code", MDA "postalCode" },
	{ true, "country", MDA "countryCode" },
};

struct md_store {
	struct epcis_arena a;
	size_t		 cap;
};

static int
add_attr(struct epcis_masterdata *md, struct md_store *st,
    struct epcis_md_element *e, const char *id, const char *v, size_t vlen)
{
	struct epcis_md_attr *na;

	(void)md;
	na = epcis_arena_alloc(&st->a, (e->nattr + 1) * sizeof(*na));
	if (na == NULL)
		return -1;
	if (e->nattr > 0)
		memcpy(na, e->attrs, e->nattr * sizeof(*na));
	na[e->nattr].id = epcis_arena_strndup(&st->a, id, strlen(id));
	na[e->nattr].value = epcis_arena_strndup(&st->a, v, vlen);
	if (na[e->nattr].id == NULL || na[e->nattr].value == NULL)
		return -1;
	e->attrs = na;
	e->nattr++;
	return 0;
}

static int
parse_line(struct epcis_masterdata *md, struct md_store *st, char *s,
    epcis_gtin_to_idpat_fn conv, void *arg, unsigned long lineno,
    struct diag *d)
{
	bool indented = s[0] == ' ' || s[0] == '\t';
	char *key, *val, idbuf[256];
	size_t klen, vlen;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	key = s;
	klen = strcspn(s, " \t");
	val = s + klen;
	while (*val == ' ' || *val == '\t')
		val++;
	vlen = strlen(val);
	while (vlen > 0 && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t'))
		vlen--;
	if (vlen == 0)
		return diag_input(d, "'%.*s' without a value", (int)klen, key);
	if (!indented) {
		struct epcis_md_element *e;
		bool loc;

		if (klen == 7 && memcmp(key, "product", 7) == 0)
			loc = false;
		else if (klen == 8 && memcmp(key, "location", 8) == 0)
			loc = true;
		else
			return diag_input(d, "expected 'product ID' or "
			    "'location ID', not '%.*s'", (int)klen, key);
		val[vlen] = '\0';
		if (!loc && val[0] >= '0' && val[0] <= '9') {
			if (conv == NULL)
				return diag_input(d, "product '%s': give an "
				    "EPC class pattern URI", val);
			if (conv(val, idbuf, sizeof(idbuf), arg, d) != 0)
				return -1;
			val = idbuf;
			vlen = strlen(val);
		} else if (strncmp(val, "urn:", 4) != 0)
			return diag_input(d, "'%s' is not a URI", val);
		if ((e = mem_grow(md->el, &st->cap, md->n + 1, sizeof(*e),
		    16)) == NULL)
			return diag_system(d, "out of memory");
		md->el = e;
		e = &md->el[md->n++];
		memset(e, 0, sizeof(*e));
		e->location = loc;
		e->line = lineno;
		if ((e->id = epcis_arena_strndup(&st->a, val, vlen)) == NULL)
			return diag_system(d, "out of memory");
		return 0;
	}
	if (md->n == 0)
		return diag_input(d, "attribute before any product or location");
	{
		struct epcis_md_element *e = &md->el[md->n - 1];
		char id[256];

		if (klen > 4 && strncmp(key, "urn:", 4) == 0) {
			if (klen >= sizeof(id))
				return diag_input(d, "attribute id too long");
			memcpy(id, key, klen);
			id[klen] = '\0';
		} else {
			size_t i;

			for (i = 0; i < sizeof(md_keys) / sizeof(md_keys[0]); i++)
				if (md_keys[i].location == e->location &&
				    strlen(md_keys[i].key) == klen &&
				    memcmp(md_keys[i].key, key, klen) == 0)
					break;
			if (i == sizeof(md_keys) / sizeof(md_keys[0]))
				return diag_input(d, "unknown %s key '%.*s'",
				    e->location ? "location" : "product",
				    (int)klen, key);
			snprintf(id, sizeof(id), "%s", md_keys[i].id);
		}
		if (add_attr(md, st, e, id, val, vlen) != 0)
			return diag_system(d, "out of memory");
		/* CBV 1.2 section 8.3: the NDC says what kind of number it is */
		if (!e->location && klen == 3 && memcmp(key, "ndc", 3) == 0 &&
		    add_attr(md, st, e, MDA
		    "additionalTradeItemIdentificationTypeCode", "US_FDA_NDC",
		    10) != 0)
			return diag_system(d, "out of memory");
	}
	return 0;
}

int
epcis_masterdata_load(struct epcis_masterdata **out, const char *path,
    epcis_gtin_to_idpat_fn conv, void *arg, struct diag *d)
{
	struct epcis_masterdata *md;
	struct md_store *st;
	char line[LINE_MAX_MD];
	unsigned long lineno = 0;
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			diag_input(d, "cannot open: %s", strerror(errno));
		else
			diag_system(d, "cannot open");
		diag_at(d, path, 0);
		return -1;
	}
	md = calloc(1, sizeof(*md));
	st = calloc(1, sizeof(*st));
	if (md == NULL || st == NULL) {
		free(md);
		free(st);
		fclose(f);
		return diag_system(d, "out of memory");
	}
	md->priv = st;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(f)) {
			diag_input(d, "line too long");
			goto bad;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (parse_line(md, st, line, conv, arg, lineno, d) != 0)
			goto bad;
	}
	if (ferror(f)) {
		diag_system(d, "read error");
		goto bad;
	}
	fclose(f);
	*out = md;
	return 0;
bad:
	diag_at(d, path, lineno);
	fclose(f);
	epcis_masterdata_free(md);
	return -1;
}

void
epcis_masterdata_free(struct epcis_masterdata *md)
{
	struct md_store *st;

	if (md == NULL)
		return;
	st = md->priv;
	if (st != NULL) {
		epcis_arena_free(&st->a);
		free(st);
	}
	free(md->el);
	free(md);
}
