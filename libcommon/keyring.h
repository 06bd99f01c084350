/*
 * keyring: the text file that says who may write to a ledger
 * (dscsa-ledger(5), "KEYRING FILE"): one party a line, with its name, GLN,
 * role, the GS1 company prefixes it owns and its C2SP verifier keys.
 *
 *	# comment
 *	party acme gln=0312345000001 role=manufacturer prefix=0312345 key=acme+...
 *
 * Unknown keywords, malformed values, duplicate parties or duplicate keys
 * are errors naming file:line.  A loaded keyring is immutable and may be
 * shared between threads.
 */
#ifndef DSCSA_KEYRING_H
#define DSCSA_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sig.h"

#define KEYRING_FILE_MAX	(4 * 1024 * 1024)
#define KEYRING_LINE_MAX	4096
#define KEYRING_NAME_MAX	64
#define KEYRING_PREFIXES_MAX	32	/* company prefixes per party */
#define KEYRING_KEYS_MAX	8	/* keys per party (rotation) */

enum keyring_role {
	KEYRING_MANUFACTURER,
	KEYRING_REPACKAGER,
	KEYRING_WHOLESALER,
	KEYRING_DISPENSER,
	KEYRING_3PL,
	KEYRING_WITNESS,	/* cosigns checkpoints, appends nothing */
};

struct keyring_party {
	char		 name[KEYRING_NAME_MAX + 1];
	char		 gln[14];		/* 13 digits, check digit valid */
	enum keyring_role role;
	size_t		 nprefix;
	char		 prefix[KEYRING_PREFIXES_MAX][13];	/* 6-12 digits */
	size_t		 nkey;
	struct sig_vkey	 key[KEYRING_KEYS_MAX];
	unsigned long	 line;			/* where it was defined */
};

struct keyring;			/* opaque */

/*
 * Parse a keyring from memory; `name` is used in messages.  Ownership:
 * *out is the caller's, freed with keyring_free().  Errors: DIAG_INPUT
 * with where = name and the line, DIAG_SYSTEM for memory.
 */
int	keyring_parse(struct keyring **out, const char *buf, size_t len,
	    const char *name, struct diag *d);

/* Read and parse the file `path` (at most KEYRING_FILE_MAX bytes). */
int	keyring_load(struct keyring **out, const char *path, struct diag *d);

void	keyring_free(struct keyring *k);

size_t	keyring_count(const struct keyring *k);
const struct keyring_party *keyring_party_at(const struct keyring *k,
	    size_t i);

/*
 * The party holding the key (name, id), and the key itself in *key (may be
 * NULL); NULL if no party has it.  Borrowed until keyring_free().
 */
const struct keyring_party *keyring_find_key(const struct keyring *k,
	    const char *name, size_t name_len, uint32_t id,
	    const struct sig_vkey **key);

/* Whether the party owns the GS1 company prefix `gcp` (exact match). */
bool	keyring_owns_prefix(const struct keyring_party *p, const char *gcp,
	    size_t len);

/* Whether the party's role may append events (every role but witness). */
bool	keyring_may_append(const struct keyring_party *p);

const char *keyring_role_name(enum keyring_role r);

#endif /* DSCSA_KEYRING_H */
