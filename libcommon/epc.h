/*
 * epc: EPC Tag Data Standard pure-identity and class URIs, both ways.
 *
 *   SGTIN  urn:epc:id:sgtin:<GCP>.<indicator><item ref>.<serial>   (01)+(21)
 *   SSCC   urn:epc:id:sscc:<GCP>.<extension><serial ref>           (00)
 *   SGLN   urn:epc:id:sgln:<GCP>.<location ref>.<extension>        (414)[+(254)]
 *   LGTIN  urn:epc:class:lgtin:<GCP>.<indicator><item ref>.<lot>   (01)+(10)
 *
 * (EPC TDS 1.13 sections 6.3.1 SGTIN, 6.3.2 SSCC, 6.3.3 SGLN, 6.4.1 LGTIN;
 * escaping of serials, lots and extensions: TDS Table A-1, where exactly
 * the seven characters " % & / < > ? are written %22 %25 %26 %2F %3C %3E
 * %3F and every other CSET 82 character is literal.  This is not the GS1
 * Digital Link escaping, which is gs1's.)
 *
 * A URI parses into a gs1_msg with no other knowledge: the check digit is
 * recomputed.  The other way needs the length of the GS1 Company Prefix,
 * which the digits alone do not tell (a 0312345... GTIN may have a 6- or
 * 7-digit prefix): struct epc_gcp gives it, from one fixed length or from a
 * prefix-length file (dscsa-gs1(1), "GCP FILES"):
 *
 *   # comment
 *   0312345 7
 *   03000   6
 *
 * one "prefix length" pair a line; the longest prefix matching the digits
 * that follow the indicator (GTIN, SSCC) or start the GLN wins.
 *
 * Thread-safety: an epc_gcp is immutable once made and may be shared.
 */
#ifndef DSCSA_EPC_H
#define DSCSA_EPC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "gs1.h"

#define EPC_GCP_MIN	6
#define EPC_GCP_MAX	12
#define EPC_URI_MAX	(32 + 3 * GS1_MAX_VALUE + 32)	/* any URI we make */

enum epc_scheme {
	EPC_SCHEME_AUTO,	/* from the message: 00, 414, 01+21, 01+10 */
	EPC_SCHEME_SGTIN,
	EPC_SCHEME_SSCC,
	EPC_SCHEME_SGLN,
	EPC_SCHEME_LGTIN,
};

/*
 * Table A-1 escaping of `len` bytes into buf (cap bytes, NUL-terminated).
 * Returns the length without the NUL, or (size_t)-1 if it does not fit.
 * Bytes outside CSET 82 are escaped too (callers validate first).
 */
size_t	epc_escape(const char *s, size_t len, char *buf, size_t cap);

/*
 * Undo Table A-1 escaping.  Every %hh (either hex case) is decoded; a '%'
 * not followed by two hex digits is an error, as is a literal character
 * Table A-1 requires escaped.  Returns the decoded length, or (size_t)-1
 * with *err_off / *err_len (may be NULL) blaming the bad bytes, or if the
 * result does not fit cap.  Pure: no allocation.
 */
size_t	epc_unescape(const char *s, size_t len, char *buf, size_t cap,
	    size_t *err_off, size_t *err_len);

/* Is this string an EPC URI we parse ("urn:epc:id:" or "urn:epc:class:")? */
bool	epc_is_uri(const char *s, size_t len);

/*
 * Parse an SGTIN, SSCC or SGLN pure-identity URI or an LGTIN class URI into
 * `m` (initialised here over table `t`): (01)+(21), (00), (414)[+(254)] or
 * (01)+(10), check digits recomputed.
 * Errors: DIAG_INPUT ("EPC URI: ..." with the bad part marked |..|).
 */
int	epc_parse_uri(struct gs1_msg *m, const struct gs1_table *t,
	    const char *s, size_t len, struct diag *d);

struct epc_gcp;			/* opaque */

/* Every prefix has length `len` (EPC_GCP_MIN..EPC_GCP_MAX).  Errors: DIAG_INPUT, DIAG_SYSTEM. */
int	epc_gcp_fixed(struct epc_gcp **out, unsigned len, struct diag *d);

/*
 * Load a prefix-length file (format above; prefixes 1-12 digits, lengths
 * 6-12, no prefix twice).  Errors: DIAG_INPUT naming file:line,
 * DIAG_SYSTEM.  Ownership: *out is the caller's, freed with epc_gcp_free().
 */
int	epc_gcp_load(struct epc_gcp **out, const char *path, struct diag *d);
void	epc_gcp_free(struct epc_gcp *g);

/*
 * The company prefix length for `digits` (the digits after a GTIN's or
 * SSCC's indicator, or a GLN's first digits).  Errors: DIAG_INPUT "no GS1
 * Company Prefix length known for ...".
 */
int	epc_gcp_length(const struct epc_gcp *g, const char *digits,
	    size_t len, unsigned *out, struct diag *d);

/*
 * Render `m` as an EPC URI of `scheme` into buf (cap bytes, NUL-terminated;
 * EPC_URI_MAX is always enough); *outlen (may be NULL) gets the length.
 * AUTO picks SSCC for (00), SGLN for (414), SGTIN for (01)+(21), LGTIN for
 * (01)+(10).  AIs the URI cannot carry (17, ...) are left out: an EPC names
 * the object, it does not describe it.
 * Errors: DIAG_INPUT (the message lacks what the scheme needs, the prefix
 * length is unknown, or does not fit the identifier).
 */
int	epc_render_uri(const struct gs1_msg *m, enum epc_scheme scheme,
	    const struct epc_gcp *g, char *buf, size_t cap, size_t *outlen,
	    struct diag *d);

#endif /* DSCSA_EPC_H */
