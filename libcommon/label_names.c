/*
 * label_names: file names for labels, from the serial, safe on any file
 * system and collision-free within a run (see label.h for the rule).
 *
 * Why each rule: CSET 82 (GenSpecs 7.11, figure 7.11-1) lets a serial
 * hold '/', '"', '*', ':', '<', '>', '?', '%' and '.', which are path
 * separators, forbidden on FAT/NTFS, or make hidden and relative names;
 * all but [A-Za-z0-9_-] become %XX, so the mapping is injective and
 * reversible.  FAT, NTFS and APFS (default) fold case, so names are kept in
 * a set by their case-folded form and a repeat gets "~N", a character the
 * escaping never produces.  Windows reserves device names whatever the
 * extension (CON, PRN, AUX, NUL, COM0-9, LPT0-9).
 */
#include <stdlib.h>
#include <string.h>

#include "gs1.h"
#include "label.h"

#define NAMES_MAX	(16UL * 1024 * 1024)	/* names in one run */

struct label_names {
	char	**slot;		/* open addressing, folded names */
	size_t	  cap;		/* power of two */
	size_t	  n;
};

static const char hexdig[] = "0123456789ABCDEF";

int
label_names_new(struct label_names **out, struct diag *d)
{
	struct label_names *n = calloc(1, sizeof(*n));

	*out = NULL;
	if (n == NULL || (n->slot = calloc(1024, sizeof(char *))) == NULL) {
		free(n);
		return diag_system(d, "cannot allocate the file name set");
	}
	n->cap = 1024;
	*out = n;
	return 0;
}

void
label_names_free(struct label_names *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->cap; i++)
		free(n->slot[i]);
	free(n->slot);
	free(n);
}

static size_t
hash(const char *s)
{
	size_t h = 14695981039346656037ULL & (size_t)-1;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * (1099511628211ULL & (size_t)-1);
	return h;
}

static char **
find_slot(char **slot, size_t cap, const char *s)
{
	size_t i = hash(s) & (cap - 1);

	while (slot[i] != NULL && strcmp(slot[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

static int
grow(struct label_names *n, struct diag *d)
{
	size_t cap = n->cap * 2;
	char **slot = calloc(cap, sizeof(char *));

	if (slot == NULL)
		return diag_system(d, "cannot grow the file name set");
	for (size_t i = 0; i < n->cap; i++)
		if (n->slot[i] != NULL)
			*find_slot(slot, cap, n->slot[i]) = n->slot[i];
	free(n->slot);
	n->slot = slot;
	n->cap = cap;
	return 0;
}

static void
fold(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static bool
is_safe(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* CON, PRN, AUX, NUL, COM0-9, LPT0-9, compared case-folded. */
static bool
is_device(const char *s, size_t len)
{
	static const char *const dev[] = { "con", "prn", "aux", "nul" };
	char f[5];

	if (len != 3 && len != 4)
		return false;
	for (size_t i = 0; i < len; i++)
		f[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	f[len] = '\0';
	if (len == 3) {
		for (size_t i = 0; i < 4; i++)
			if (memcmp(f, dev[i], 3) == 0)
				return true;
		return false;
	}
	return (memcmp(f, "com", 3) == 0 || memcmp(f, "lpt", 3) == 0) &&
	    f[3] >= '0' && f[3] <= '9';
}

int
label_names_next_raw(struct label_names *n, const char *serial, size_t len,
    enum label_format fmt, char buf[LABEL_NAME_MAX], struct diag *d)
{
	char base[96], key[120];	/* 96 + "~" + 20 digits; + ".png" */
	const char *ext = label_format_ext(fmt);
	size_t o = 0;
	bool dev;
	char **s;

	/* 20 bytes (the longest (21)) x 3 fit with room to spare. */
	if (len == 0 || len * 3 + 1 > sizeof(base))
		return diag_input(d, "serial of %zu bytes cannot name a file",
		    len);
	dev = is_device(serial, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)serial[i];

		if (is_safe(c) && !(dev && i == 0))
			base[o++] = (char)c;
		else {
			base[o++] = '%';
			base[o++] = hexdig[c >> 4];
			base[o++] = hexdig[c & 15];
		}
	}
	base[o] = '\0';
	if (n->n >= NAMES_MAX)
		return diag_input(d, "more than %lu labels in one run",
		    NAMES_MAX);
	if ((n->n + 1) * 2 > n->cap && grow(n, d) != 0)
		return -1;
	for (unsigned long k = 1;; k++) {
		if (k == 1)
			snprintf(key, sizeof(key), "%s", base);
		else
			snprintf(key, sizeof(key), "%s~%lu", base, k);
		snprintf(buf, LABEL_NAME_MAX, "%s.%s", key, ext);
		fold(key);
		s = find_slot(n->slot, n->cap, key);
		if (*s == NULL)
			break;
	}
	*s = strdup(key);
	if (*s == NULL)
		return diag_system(d, "cannot allocate a file name");
	n->n++;
	return 0;
}
