/*
 * keyring: parser of the keyring text file (dscsa-ledger(5), "KEYRING
 * FILE").  GLNs are checked with the GS1 mod-10 check digit (GS1 General
 * Specifications 7.9.1); company prefixes are 6 to 12 digits, the range an
 * SGTIN EPC URI can carry (EPC TDS 6.3.1); verifier keys are C2SP vkeys
 * of type 0x01 (libcommon/sig.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "keyring.h"
#include "mem.h"
#include "sig.h"

struct keyring {
	size_t			 n;
	size_t			 cap;
	struct keyring_party	*party;
};

static const char *const role_names[] = {
	[KEYRING_MANUFACTURER] = "manufacturer",
	[KEYRING_REPACKAGER] = "repackager",
	[KEYRING_WHOLESALER] = "wholesaler",
	[KEYRING_DISPENSER] = "dispenser",
	[KEYRING_3PL] = "3pl",
	[KEYRING_WITNESS] = "witness",
};

const char *
keyring_role_name(enum keyring_role r)
{
	return (size_t)r < sizeof(role_names) / sizeof(role_names[0]) ?
	    role_names[r] : "?";
}

static bool
all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 0;
}

/* GS1 GenSpecs 7.9.1: weights 3,1,3,... from the right, excluding the check digit. */
static bool
gs1_check_digit_ok(const char *s, size_t len)
{
	int sum = 0;

	for (size_t i = 0; i + 1 < len; i++) {
		int v = s[len - 2 - i] - '0';

		sum += i % 2 == 0 ? 3 * v : v;
	}
	return (10 - sum % 10) % 10 == s[len - 1] - '0';
}

static int
parse_field(struct keyring_party *p, const char *f, size_t flen,
    struct diag *d)
{
	const char *eq = memchr(f, '=', flen);
	size_t klen, vlen;
	const char *v;

	if (eq == NULL)
		return diag_input(d, "unexpected '%.*s' (want key=value)",
		    (int)flen, f);
	klen = (size_t)(eq - f);
	v = eq + 1;
	vlen = flen - klen - 1;
	if (klen == 3 && memcmp(f, "gln", 3) == 0) {
		if (p->gln[0] != '\0')
			return diag_input(d, "gln given twice");
		if (vlen != 13 || !all_digits(v, vlen))
			return diag_input(d, "gln '%.*s' is not 13 digits",
			    (int)vlen, v);
		if (!gs1_check_digit_ok(v, vlen))
			return diag_input(d, "gln '%.*s': wrong check digit",
			    (int)vlen, v);
		memcpy(p->gln, v, 13);
		p->gln[13] = '\0';
		return 0;
	}
	if (klen == 4 && memcmp(f, "role", 4) == 0) {
		for (size_t r = 0; r < sizeof(role_names) / sizeof(role_names[0]);
		    r++)
			if (strlen(role_names[r]) == vlen &&
			    memcmp(role_names[r], v, vlen) == 0) {
				p->role = (enum keyring_role)r;
				return 1;	/* seen */
			}
		return diag_input(d, "unknown role '%.*s'", (int)vlen, v);
	}
	if (klen == 6 && memcmp(f, "prefix", 6) == 0) {
		while (vlen > 0) {
			const char *c = memchr(v, ',', vlen);
			size_t n = c ? (size_t)(c - v) : vlen;

			if (n < 6 || n > 12 || !all_digits(v, n))
				return diag_input(d, "company prefix '%.*s' is "
				    "not 6 to 12 digits", (int)n, v);
			if (p->nprefix == KEYRING_PREFIXES_MAX)
				return diag_input(d, "more than %d company "
				    "prefixes", KEYRING_PREFIXES_MAX);
			memcpy(p->prefix[p->nprefix], v, n);
			p->prefix[p->nprefix++][n] = '\0';
			if (c == NULL)
				break;
			vlen -= n + 1;
			v = c + 1;
			if (vlen == 0)
				return diag_input(d, "empty company prefix");
		}
		return 0;
	}
	if (klen == 3 && memcmp(f, "key", 3) == 0) {
		struct sig_vkey *k;

		if (p->nkey == KEYRING_KEYS_MAX)
			return diag_input(d, "more than %d keys",
			    KEYRING_KEYS_MAX);
		k = &p->key[p->nkey];
		if (sig_vkey_parse(k, v, vlen, d) != 0)
			return -1;
		if (k->type != SIG_TYPE_ED25519)
			return diag_input(d, "key %s is not an Ed25519 signer "
			    "key (type 0x01)", k->name);
		p->nkey++;
		return 0;
	}
	return diag_input(d, "unknown keyword '%.*s'", (int)klen, f);
}

static int
parse_line(struct keyring *kr, const char *s, size_t len, unsigned long line,
    struct diag *d)
{
	struct keyring_party p, *np;
	size_t i = 0, nf = 0;
	bool have_role = false;

	memset(&p, 0, sizeof(p));
	p.line = line;
	while (i < len) {
		size_t st, flen;
		int rc;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		st = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		flen = i - st;
		if (nf == 0) {
			if (flen != 5 || memcmp(s + st, "party", 5) != 0)
				return diag_input(d, "unknown line '%.*s' (want "
				    "'party NAME ...')", (int)flen, s + st);
		} else if (nf == 1) {
			if (flen > KEYRING_NAME_MAX ||
			    !sig_name_valid(s + st, flen) ||
			    memchr(s + st, '=', flen) != NULL)
				return diag_input(d, "bad party name '%.*s'",
				    (int)flen, s + st);
			memcpy(p.name, s + st, flen);
			p.name[flen] = '\0';
		} else {
			if ((rc = parse_field(&p, s + st, flen, d)) < 0)
				return -1;
			if (rc == 1) {
				if (have_role)
					return diag_input(d, "role given twice");
				have_role = true;
			}
		}
		nf++;
	}
	if (nf < 2)
		return diag_input(d, "party without a name");
	if (p.gln[0] == '\0')
		return diag_input(d, "party %s: no gln=", p.name);
	if (!have_role)
		return diag_input(d, "party %s: no role=", p.name);
	if (p.nkey == 0)
		return diag_input(d, "party %s: no key=", p.name);
	for (size_t j = 0; j < kr->n; j++) {
		if (strcmp(kr->party[j].name, p.name) == 0)
			return diag_input(d, "party %s already defined at line "
			    "%lu", p.name, kr->party[j].line);
		for (size_t a = 0; a < p.nkey; a++)
			if (keyring_find_key(kr, p.key[a].name,
			    p.key[a].name_len, p.key[a].id, NULL) != NULL)
				return diag_input(d, "key %s+%08x already "
				    "belongs to another party", p.key[a].name,
				    (unsigned)p.key[a].id);
	}
	for (size_t a = 0; a < p.nkey; a++)
		for (size_t b = a + 1; b < p.nkey; b++)
			if (p.key[a].id == p.key[b].id &&
			    strcmp(p.key[a].name, p.key[b].name) == 0)
				return diag_input(d, "key %s+%08x given twice",
				    p.key[a].name, (unsigned)p.key[a].id);
	if ((np = mem_grow(kr->party, &kr->cap, kr->n + 1, sizeof(*np),
	    8)) == NULL)
		return diag_system(d, "out of memory");
	kr->party = np;
	kr->party[kr->n++] = p;
	return 0;
}

int
keyring_parse(struct keyring **out, const char *buf, size_t len,
    const char *name, struct diag *d)
{
	struct keyring *kr;
	size_t pos = 0;
	unsigned long line = 0;

	*out = NULL;
	if ((kr = calloc(1, sizeof(*kr))) == NULL)
		return diag_system(d, "out of memory");
	while (pos < len) {
		const char *eol = memchr(buf + pos, '\n', len - pos);
		size_t llen = eol ? (size_t)(eol - (buf + pos)) : len - pos;
		const char *s = buf + pos;
		size_t i;

		line++;
		if (eol == NULL) {
			diag_input(d, "last line does not end with a newline");
			goto fail;
		}
		if (llen >= KEYRING_LINE_MAX) {
			diag_input(d, "line longer than %d bytes",
			    KEYRING_LINE_MAX);
			goto fail;
		}
		for (i = 0; i < llen; i++)
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t') {
				diag_input(d, "control character in line");
				goto fail;
			}
		for (i = 0; i < llen && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		if (i < llen && s[i] != '#' &&
		    parse_line(kr, s, llen, line, d) != 0)
			goto fail;
		pos += llen + 1;
	}
	*out = kr;
	return 0;
fail:
	diag_at(d, name, line);
	keyring_free(kr);
	return -1;
}

int
keyring_load(struct keyring **out, const char *path, struct diag *d)
{
	FILE *f;
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		diag_input(d, "cannot open keyring");
		diag_at(d, path, 0);
		return -1;
	}
	if ((buf = malloc(KEYRING_FILE_MAX + 1)) == NULL) {
		fclose(f);
		return diag_system(d, "out of memory");
	}
	len = fread(buf, 1, KEYRING_FILE_MAX + 1, f);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		diag_system(d, "cannot read");
		diag_at(d, path, 0);
		return -1;
	}
	fclose(f);
	if (len > KEYRING_FILE_MAX) {
		free(buf);
		diag_input(d, "keyring larger than %d bytes", KEYRING_FILE_MAX);
		diag_at(d, path, 0);
		return -1;
	}
	rc = keyring_parse(out, buf, len, path, d);
	free(buf);
	return rc;
}

void
keyring_free(struct keyring *k)
{
	if (k == NULL)
		return;
	free(k->party);
	free(k);
}

size_t
keyring_count(const struct keyring *k)
{
	return k->n;
}

const struct keyring_party *
keyring_party_at(const struct keyring *k, size_t i)
{
	return i < k->n ? &k->party[i] : NULL;
}

const struct keyring_party *
keyring_find_key(const struct keyring *k, const char *name, size_t name_len,
    uint32_t id, const struct sig_vkey **key)
{
	for (size_t i = 0; i < k->n; i++)
		for (size_t j = 0; j < k->party[i].nkey; j++) {
			const struct sig_vkey *v = &k->party[i].key[j];

			if (v->id == id && v->name_len == name_len &&
			    memcmp(v->name, name, name_len) == 0) {
				if (key != NULL)
					*key = v;
				return &k->party[i];
			}
		}
	return NULL;
}

bool
keyring_owns_prefix(const struct keyring_party *p, const char *gcp, size_t len)
{
	for (size_t i = 0; i < p->nprefix; i++)
		if (strlen(p->prefix[i]) == len &&
		    memcmp(p->prefix[i], gcp, len) == 0)
			return true;
	return false;
}

bool
keyring_may_append(const struct keyring_party *p)
{
	return p->role != KEYRING_WITNESS;
}
