/*
 * gs1_table: the embedded AI table and lookups.
 *
 * The table itself is generated at build time from the GS1 Barcode Syntax
 * Dictionary (schemas/gs1/gs1-syntax-dictionary.txt) by
 * scripts/gen-aitable.c into gs1_aitable.inc; nothing here is hand-copied.
 * Lookup is O(1): the first four digits of an AI, zero-padded, index
 * idx[] directly (gs1_int.h explains why that key is unique).
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "gs1.h"
#include "gs1_int.h"

#include "gs1_aitable.inc"

const struct gs1_table *
gs1_table_embedded(void)
{
	return &gs1_embedded;
}

const char *
gs1_table_source(const struct gs1_table *t)
{
	return t->source;
}

const struct gs1_ai *
gs1_table_find(const struct gs1_table *t, const char *ai, size_t len)
{
	if (len < 2 || len > GS1_AI_LEN_MAX)
		return NULL;
	for (size_t k = 0; k < len; k++)
		if (ai[k] < '0' || ai[k] > '9')
			return NULL;
	return gs1_table_find_digits(t, ai, len);
}

size_t
gs1_table_ai_len(const struct gs1_table *t, const char *digits)
{
	if (digits[0] < '0' || digits[0] > '9' || digits[1] < '0' ||
	    digits[1] > '9')
		return 0;
	return t->plen[(digits[0] - '0') * 10 + (digits[1] - '0')];
}

const char *
gs1_ai_title(const struct gs1_table *t, const struct gs1_ai *a)
{
	return t->pool + a->title;
}

const char *
gs1_ai_code(const struct gs1_ai *a)
{
	return a->ai;
}

bool
gs1_ai_needs_fnc1(const struct gs1_ai *a)
{
	return a->fnc1;
}

size_t
gs1_ai_max_len(const struct gs1_ai *a)
{
	return a->maxlen;
}

size_t
gs1_ai_min_len(const struct gs1_ai *a)
{
	return a->minlen;
}

bool
gs1_ai_is_fixed_len(const struct gs1_ai *a)
{
	return a->minlen == a->maxlen;
}

bool
gs1_ai_is_dl_attr(const struct gs1_ai *a)
{
	return a->dlattr;
}

bool
gs1_ai_is_dl_key(const struct gs1_ai *a)
{
	return a->dlkey;
}

static const char *const form_names[] = {
	[GS1_FORM_BRACKETED] = "bracketed",
	[GS1_FORM_HRI] = "hri",
	[GS1_FORM_GS] = "gs",
	[GS1_FORM_CARET] = "caret",
	[GS1_FORM_SCAN] = "scan",
	[GS1_FORM_DL] = "dl",
	[GS1_FORM_JSON] = "json",
	[GS1_FORM_HRI_LINES] = "hri-lines",
	[GS1_FORM_DL_VRS] = "dl-vrs",
};

int
gs1_form_from_name(const char *name, enum gs1_form *out)
{
	for (size_t i = 0; i < sizeof(form_names) / sizeof(form_names[0]);
	    i++)
		if (form_names[i] != NULL && strcmp(form_names[i], name) == 0) {
			*out = (enum gs1_form)i;
			return 0;
		}
	return -1;
}

const char *
gs1_form_name(enum gs1_form f)
{
	if ((size_t)f >= sizeof(form_names) / sizeof(form_names[0]) ||
	    form_names[f] == NULL)
		return "unknown";
	return form_names[f];
}
