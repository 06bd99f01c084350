/*
 * sig: every use of OpenSSL in dscsa-tools: SHA-256, Ed25519 keys (RFC 8032
 * through the OpenSSL 3 EVP interface), C2SP signed notes
 * (c2sp.org/signed-note v1.0.0): verifier key strings and key ids, note
 * parsing and verification, C2SP checkpoints (c2sp.org/tlog-checkpoint
 * v1.0.0) and Ed25519 cosignatures (c2sp.org/tlog-cosignature v1.0.1,
 * type 0x04).  Base64 is RFC 4648 section 4, decoded strictly (OpenSSL's
 * decoder is lax).
 *
 * Secrets: private keys live only inside struct sig_key, are read from files
 * opened with O_NOFOLLOW, written 0600 with O_EXCL, and wiped with
 * OPENSSL_cleanse() before their memory is freed.  No message names key
 * material.
 *
 * Thread-safety: a sig_hasher and a sig_key belong to one thread; the other
 * functions are reentrant.
 */
#ifndef DSCSA_SIG_H
#define DSCSA_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define SIG_HASH_LEN		32
#define SIG_NAME_MAX		255	/* bytes in a key name (our cap) */
#define SIG_ED25519_PUB_LEN	32
#define SIG_ED25519_SIG_LEN	64
#define SIG_ED25519_SEED_LEN	32

/* Signature types of C2SP signed-note (key id input, vkey first byte). */
#define SIG_TYPE_ED25519	0x01
#define SIG_TYPE_COSIG_V1	0x04	/* tlog-cosignature Ed25519 */

/* A vkey string: name '+' 8 hex '+' base64(type || 32-byte key), plus NUL. */
#define SIG_VKEY_MAX		(SIG_NAME_MAX + 1 + 8 + 1 + 44 + 1)

/* ---- SHA-256 ---- */

/*
 * A reusable SHA-256 context over libcommon/sha256 (no OpenSSL).
 * Ownership: *out is the caller's, freed with sig_hasher_free().
 * Errors: DIAG_SYSTEM if it cannot be allocated.
 */
struct sig_hasher;
int	sig_hasher_new(struct sig_hasher **out, struct diag *d);
void	sig_hasher_free(struct sig_hasher *h);

/*
 * Begin, feed, finish one digest.  They cannot fail; sig_hasher_failed()
 * stays for callers written when the digest came from OpenSSL, and is
 * always false.
 */
void	sig_hash_init(struct sig_hasher *h);
void	sig_hash_update(struct sig_hasher *h, const void *p, size_t len);
void	sig_hash_final(struct sig_hasher *h, uint8_t out[SIG_HASH_LEN]);
bool	sig_hasher_failed(const struct sig_hasher *h);

/* One-shot SHA-256.  Returns 0. */
int	sig_sha256(const void *p, size_t len, uint8_t out[SIG_HASH_LEN]);

/* ---- base64, RFC 4648 section 4 with padding ---- */

/*
 * Encode `len` bytes into `out` (NUL-terminated).  Returns the length
 * written without the NUL, or (size_t)-1 if `cap` is too small
 * (it needs 4 * ceil(len / 3) + 1).
 */
size_t	sig_base64_encode(const void *p, size_t len, char *out, size_t cap);

/*
 * Decode strictly: length a multiple of 4, standard alphabet, padding only
 * at the end, zero unused bits, no white space.  Writes at most `cap`
 * bytes.  Returns 0 and sets *outlen, or -1 if the input is not canonical
 * base64 or does not fit.
 */
int	sig_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap,
	    size_t *outlen);

/* ---- verifier keys (c2sp.org/signed-note "Verifier keys") ---- */

struct sig_vkey {
	char		name[SIG_NAME_MAX + 1];	/* NUL-terminated */
	size_t		name_len;
	uint32_t	id;			/* key id */
	uint8_t		type;			/* SIG_TYPE_* */
	uint8_t		pub[SIG_ED25519_PUB_LEN];
};

/*
 * A key name is non-empty, valid UTF-8 of printable characters, without
 * spaces and without '+' (c2sp.org/signed-note).  We also cap it at
 * SIG_NAME_MAX bytes.
 */
bool	sig_name_valid(const char *name, size_t len);

/* key id = SHA-256(name || 0x0A || type || pub)[0:4], big-endian. */
uint32_t sig_key_id(const char *name, size_t name_len, uint8_t type,
	    const uint8_t *pub, size_t pub_len);

/*
 * Parse "name+hexid+base64(type || key)": split at the first two '+', the
 * id must be 8 lower-case hex digits equal to the recomputed key id, the
 * type 0x01 or 0x04 with a 32-byte Ed25519 key.  `s` need not be
 * NUL-terminated.  Errors: DIAG_INPUT, saying what is wrong.
 */
int	sig_vkey_parse(struct sig_vkey *k, const char *s, size_t len,
	    struct diag *d);

/* Format as a vkey string into buf (SIG_VKEY_MAX bytes suffice). */
int	sig_vkey_format(const struct sig_vkey *k, char *buf, size_t cap);

/*
 * Verify an Ed25519 signature of `msg` by `k` (either type: the caller
 * builds the message the type calls for).  Returns 0 if it verifies,
 * -1 if not (or if OpenSSL fails: a verifier never says yes in doubt).
 */
int	sig_verify(const struct sig_vkey *k, const void *msg, size_t len,
	    const uint8_t sig[SIG_ED25519_SIG_LEN]);

/* ---- private keys ---- */

struct sig_key;			/* opaque: name, Ed25519 private key */

/*
 * Set OpenSSL up for this process, once, from main (STYLE.md section 4:
 * third-party global setup): without reading openssl.cnf (no providers or
 * engines from the system configuration: the built-in default provider
 * has Ed25519, and the configuration load costs ~0.5 ms per process).
 * Optional: without it OpenSSL sets itself up on first use, with the
 * configuration.  Errors: DIAG_SYSTEM.
 */
int	sig_init(struct diag *d);

/*
 * Make a new Ed25519 key named `name` (sig_name_valid) from the system's
 * random source, or from a given 32-byte RFC 8032 seed (tests, vectors).
 * Ownership: *out is the caller's, freed with sig_key_free().
 * Errors: DIAG_INPUT for a bad name, DIAG_SYSTEM if OpenSSL fails.
 */
int	sig_key_generate(struct sig_key **out, const char *name, struct diag *d);
int	sig_key_from_seed(struct sig_key **out, const char *name,
	    const uint8_t seed[SIG_ED25519_SEED_LEN], struct diag *d);

/*
 * Write the private key to a new file `path`: created with
 * O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, fsync(2)ed; a line
 * "dscsa-ledger-key <name>" followed by the PKCS#8 PEM block
 * (dscsa-ledger(5), "Key files").  Never replaces a file.
 * Errors: DIAG_INPUT if the file exists, DIAG_SYSTEM for I/O.  On failure
 * no file is left behind.
 */
int	sig_key_save(const struct sig_key *k, const char *path, struct diag *d);

/*
 * Read a key file written by sig_key_save (O_NOFOLLOW; at most 16 KiB).
 * Ownership: *out is the caller's.  Errors: DIAG_INPUT for a missing or
 * malformed file or a key that is not Ed25519, DIAG_SYSTEM for I/O.
 */
int	sig_key_load(struct sig_key **out, const char *path, struct diag *d);

/* Wipes and frees; accepts NULL. */
void	sig_key_free(struct sig_key *k);

/* The public half, type 0x01.  Borrowed: valid until sig_key_free(k). */
const struct sig_vkey *sig_key_public(const struct sig_key *k);

/* Sign `msg` (Ed25519, deterministic).  Errors: DIAG_SYSTEM. */
int	sig_sign(const struct sig_key *k, const void *msg, size_t len,
	    uint8_t sig[SIG_ED25519_SIG_LEN], struct diag *d);

/* ---- signed notes (c2sp.org/signed-note) ---- */

#define SIG_NOTE_MAX_SIGS	100	/* as Go: more lines are malformed */
#define SIG_NOTE_BLOB_MAX	128	/* bigger (ML-DSA) blobs are skipped */
#define SIG_NOTE_MAX		(1024 * 1024)	/* bytes in a note we read */

struct sig_note_line {
	size_t		name_off;	/* the key name, in the note buffer */
	size_t		name_len;
	uint32_t	id;		/* first 4 bytes of the blob */
	size_t		blob_len;	/* decoded length, id included */
	uint8_t		blob[SIG_NOTE_BLOB_MAX]; /* if blob_len <= BLOB_MAX */
};

struct sig_note {
	size_t			text_len;	/* signed text, final '\n' included */
	size_t			n;
	struct sig_note_line	line[SIG_NOTE_MAX_SIGS];
};

/*
 * Parse a signed note: valid UTF-8, no control characters but '\n', the
 * text ends at the last "\n\n", then one or more lines
 * "\u2014 name base64\n" with a decoded blob of at least 5 bytes.
 * Errors: DIAG_INPUT "malformed note: ...".
 */
int	sig_note_parse(struct sig_note *n, const char *buf, size_t len,
	    struct diag *d);

/*
 * Verify a parsed note `buf` against the trusted keys `keys[0..nkeys)`:
 * lines whose (name, id) match no key are ignored; each matching key is
 * verified once (type 0x01: the text; type 0x04: the cosignature/v1
 * message).  If `ok` is not NULL, ok[i] says whether keys[i] verified.
 * Returns 0 if at least one key verified and none failed; -1 with
 * DIAG_VERIFY otherwise.
 */
int	sig_note_verify(const struct sig_note *n, const char *buf,
	    const struct sig_vkey *keys, size_t nkeys, bool *ok, struct diag *d);

/*
 * Format one signature line "\u2014 name base64(id || sig)\n" into buf.
 * `sig` is the bytes after the key id (64 for type 0x01, 72 for 0x04).
 * Returns the length written, or (size_t)-1 if cap is too small.
 */
size_t	sig_note_line_format(const char *name, size_t name_len, uint32_t id,
	    const uint8_t *sig, size_t sig_len, char *buf, size_t cap);

/*
 * The tlog-cosignature/v1 message: "cosignature/v1\ntime <t>\n" then the
 * note text.  Writes into buf; returns its length, or (size_t)-1 if it
 * does not fit.
 */
size_t	sig_cosig_message(uint64_t timestamp, const char *text, size_t len,
	    char *buf, size_t cap);

/* ---- checkpoints (c2sp.org/tlog-checkpoint) ---- */

struct sig_checkpoint {
	const char	*origin;	/* borrowed from the parsed text */
	size_t		 origin_len;
	uint64_t	 size;
	uint8_t		 root[SIG_HASH_LEN];
	const char	*ext;		/* extension lines, each with '\n' */
	size_t		 ext_len;
};

/*
 * Parse checkpoint note text strictly: no control characters but '\n',
 * origin line (non-empty), size in
 * decimal without sign or leading zeros, base64 of exactly 32 bytes, then
 * zero or more non-empty extension lines; every line ends with '\n'.
 * Borrowed: the result points into `text`.  Errors: DIAG_INPUT.
 */
int	sig_checkpoint_parse(struct sig_checkpoint *c, const char *text,
	    size_t len, struct diag *d);

/*
 * Format checkpoint text: "origin\nsize\nbase64(root)\n" followed by `ext`
 * (already '\n'-terminated lines, may be NULL).  Returns the length, or
 * (size_t)-1 if cap is too small.
 */
size_t	sig_checkpoint_format(const char *origin, size_t origin_len,
	    uint64_t size, const uint8_t root[SIG_HASH_LEN], const char *ext,
	    size_t ext_len, char *buf, size_t cap);

/*
 * Strict decimal: digits only, no sign, no leading zero except "0",
 * fits in uint64.  Returns 0 or -1.
 */
int	sig_parse_u64(const char *s, size_t len, uint64_t *out);

#endif /* DSCSA_SIG_H */
