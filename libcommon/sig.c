/*
 * sig: SHA-256 (through libcommon/sha256), Ed25519 (RFC 8032) through
 * OpenSSL 3 EVP, and the C2SP
 * text formats built on them: signed notes (c2sp.org/signed-note v1.0.0),
 * verifier keys and key ids (same document, "Verifier keys" and
 * "Signatures"), checkpoints (c2sp.org/tlog-checkpoint v1.0.0) and Ed25519
 * cosignatures (c2sp.org/tlog-cosignature v1.0.1, type 0x04).
 *
 * Rules taken from the Go reference (golang.org/x/mod/sumdb/note), which
 * the C2SP vectors come from: the note text ends at the LAST "\n\n"; the
 * whole note is UTF-8 without control characters other than '\n'; more
 * than 100 signature lines are malformed; lines of unknown keys are ignored;
 * a trusted key whose signature fails rejects the note; each trusted key is
 * checked once.  Base64 is decoded strictly (canonical encodings only):
 * OpenSSL's EVP_DecodeBlock accepts white space and non-zero padding bits
 * and reports padded lengths, so it is not used.
 *
 * Ed25519 through EVP has no streaming interface (EVP_DigestSignUpdate is
 * refused), so every signed message is built in one buffer first.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "diag.h"
#include "sha256.h"
#include "sig.h"

#define KEY_FILE_MAX	16384
#define KEY_FILE_TAG	"dscsa-ledger-key "

/* ---- SHA-256 ---- */

/*
 * libcommon/sha256 (FIPS 180-4, SHA-NI when the CPU has it): no EVP
 * method fetch, no per-call dispatch, and it cannot fail.  OpenSSL is
 * only needed for Ed25519.
 */
struct sig_hasher {
	struct sha256_ctx	 c;
};

int
sig_hasher_new(struct sig_hasher **out, struct diag *d)
{
	struct sig_hasher *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return diag_system(d, "out of memory");
	sha256_init(&h->c);
	*out = h;
	return 0;
}

void
sig_hasher_free(struct sig_hasher *h)
{
	free(h);
}

void
sig_hash_init(struct sig_hasher *h)
{
	sha256_init(&h->c);
}

void
sig_hash_update(struct sig_hasher *h, const void *p, size_t len)
{
	sha256_update(&h->c, p, len);
}

void
sig_hash_final(struct sig_hasher *h, uint8_t out[SIG_HASH_LEN])
{
	sha256_final(&h->c, out);
}

bool
sig_hasher_failed(const struct sig_hasher *h)
{
	(void)h;
	return false;
}

int
sig_sha256(const void *p, size_t len, uint8_t out[SIG_HASH_LEN])
{
	sha256(p, len, out);
	return 0;
}

/* ---- OpenSSL set-up ---- */

int
sig_init(struct diag *d)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ATEXIT, NULL) != 1) {
		errno = 0;
		return diag_system(d, "openssl: cannot initialise");
	}
	return 0;
}

/* ---- base64 ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
sig_base64_encode(const void *p, size_t len, char *out, size_t cap)
{
	const uint8_t *s = p;
	size_t o = 0, i;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 2 || cap < (len + 2) / 3 * 4 + 1)
		return (size_t)-1;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 |
		    s[i + 2];

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
sig_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
	size_t o = 0, pad = 0;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && s[len - 1] == '=')
		pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
	if (len / 4 * 3 - pad > cap)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		uint32_t w;
		size_t take = 3;

		for (int j = 0; j < 4; j++) {
			v[j] = b64_value((unsigned char)s[i + j]);
			if (v[j] < 0) {
				/* '=' only as the last one or two of the input */
				if (s[i + j] != '=' || i + 4 != len ||
				    j < 4 - (int)pad)
					return -1;
				v[j] = 0;
			}
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		if (i + 4 == len) {
			take = 3 - pad;
			/* canonical: the bits the padding hides are zero */
			if ((pad == 1 && (w & 0xff) != 0) ||
			    (pad == 2 && (w & 0xffff) != 0))
				return -1;
		}
		if (take >= 1)
			out[o++] = (uint8_t)(w >> 16);
		if (take >= 2)
			out[o++] = (uint8_t)(w >> 8);
		if (take >= 3)
			out[o++] = (uint8_t)w;
	}
	*outlen = o;
	return 0;
}

/* ---- names, key ids, vkeys ---- */

/*
 * Decode one UTF-8 sequence at s[0..len); returns its length and the code
 * point, or 0 for an invalid, overlong or surrogate sequence.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2; c = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3; c = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4; c = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Unicode White_Space, as Go's unicode.IsSpace. */
static bool
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

bool
sig_name_valid(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0, n;
	uint32_t c;

	if (len == 0 || len > SIG_NAME_MAX)
		return false;
	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &c)) == 0)
			return false;
		if (c < 0x20 || c == 0x7f || c == '+' || is_space(c))
			return false;
		i += n;
	}
	return true;
}

uint32_t
sig_key_id(const char *name, size_t name_len, uint8_t type, const uint8_t *pub,
    size_t pub_len)
{
	uint8_t buf[SIG_NAME_MAX + 2 + SIG_ED25519_PUB_LEN], h[SIG_HASH_LEN];

	if (name_len > SIG_NAME_MAX || pub_len > SIG_ED25519_PUB_LEN)
		return 0;
	memcpy(buf, name, name_len);
	buf[name_len] = '\n';
	buf[name_len + 1] = type;
	memcpy(buf + name_len + 2, pub, pub_len);
	if (sig_sha256(buf, name_len + 2 + pub_len, h) != 0)
		return 0;
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
sig_vkey_parse(struct sig_vkey *k, const char *s, size_t len, struct diag *d)
{
	const char *p1, *p2;
	uint8_t raw[1 + SIG_ED25519_PUB_LEN + 3];
	size_t nlen, rawlen;
	uint32_t id = 0;

	memset(k, 0, sizeof(*k));
	p1 = memchr(s, '+', len);
	p2 = p1 ? memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - s)) : NULL;
	if (p2 == NULL)
		return diag_input(d, "verifier key: not name+id+key");
	nlen = (size_t)(p1 - s);
	if (!sig_name_valid(s, nlen))
		return diag_input(d, "verifier key: bad key name");
	if (p2 - p1 - 1 != 8)
		return diag_input(d, "verifier key: key id is not 8 hex digits");
	for (int i = 0; i < 8; i++) {
		int v = hex_nibble(p1[1 + i]);

		if (v < 0)
			return diag_input(d, "verifier key: key id is not 8 "
			    "lower-case hex digits");
		id = id << 4 | (uint32_t)v;
	}
	if (sig_base64_decode(p2 + 1, len - (size_t)(p2 + 1 - s), raw,
	    sizeof(raw), &rawlen) != 0)
		return diag_input(d, "verifier key: key is not base64");
	if (rawlen < 1)
		return diag_input(d, "verifier key: empty key");
	if (raw[0] != SIG_TYPE_ED25519 && raw[0] != SIG_TYPE_COSIG_V1)
		return diag_input(d, "verifier key: unsupported key type 0x%02x",
		    raw[0]);
	if (rawlen != 1 + SIG_ED25519_PUB_LEN)
		return diag_input(d, "verifier key: Ed25519 key is not 32 bytes");
	if (sig_key_id(s, nlen, raw[0], raw + 1, SIG_ED25519_PUB_LEN) != id)
		return diag_input(d, "verifier key: key id does not match the "
		    "key");
	memcpy(k->name, s, nlen);
	k->name[nlen] = '\0';
	k->name_len = nlen;
	k->id = id;
	k->type = raw[0];
	memcpy(k->pub, raw + 1, SIG_ED25519_PUB_LEN);
	return 0;
}

int
sig_vkey_format(const struct sig_vkey *k, char *buf, size_t cap)
{
	uint8_t raw[1 + SIG_ED25519_PUB_LEN];
	char enc[64];
	int n;

	raw[0] = k->type;
	memcpy(raw + 1, k->pub, SIG_ED25519_PUB_LEN);
	if (sig_base64_encode(raw, sizeof(raw), enc, sizeof(enc)) == (size_t)-1)
		return -1;
	n = snprintf(buf, cap, "%.*s+%08x+%s", (int)k->name_len, k->name,
	    (unsigned)k->id, enc);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int
sig_verify(const struct sig_vkey *k, const void *msg, size_t len,
    const uint8_t sig[SIG_ED25519_SIG_LEN])
{
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx;
	int ok = 0;

	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->pub,
	    SIG_ED25519_PUB_LEN);
	ctx = EVP_MD_CTX_new();
	if (pk != NULL && ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1)
		ok = EVP_DigestVerify(ctx, sig, SIG_ED25519_SIG_LEN, msg, len) ==
		    1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok ? 0 : -1;
}

/* ---- private keys ---- */

struct sig_key {
	EVP_PKEY	*pkey;
	struct sig_vkey	 pub;
};

static int
key_wrap(struct sig_key **out, EVP_PKEY *pk, const char *name, size_t nlen,
    struct diag *d)
{
	struct sig_key *k;
	size_t plen = SIG_ED25519_PUB_LEN;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pk);
		return diag_system(d, "out of memory");
	}
	k->pkey = pk;
	if (EVP_PKEY_get_raw_public_key(pk, k->pub.pub, &plen) != 1 ||
	    plen != SIG_ED25519_PUB_LEN) {
		sig_key_free(k);
		errno = 0;
		return diag_system(d, "openssl: cannot read the public key");
	}
	memcpy(k->pub.name, name, nlen);
	k->pub.name[nlen] = '\0';
	k->pub.name_len = nlen;
	k->pub.type = SIG_TYPE_ED25519;
	k->pub.id = sig_key_id(name, nlen, SIG_TYPE_ED25519, k->pub.pub,
	    SIG_ED25519_PUB_LEN);
	*out = k;
	return 0;
}

int
sig_key_generate(struct sig_key **out, const char *name, struct diag *d)
{
	EVP_PKEY_CTX *pc;
	EVP_PKEY *pk = NULL;
	size_t nlen = strlen(name);

	*out = NULL;
	if (!sig_name_valid(name, nlen))
		return diag_input(d, "bad key name '%s': it must be printable "
		    "UTF-8 without spaces or '+'", name);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "ED25519", NULL);
	if (pc == NULL || EVP_PKEY_keygen_init(pc) != 1 ||
	    EVP_PKEY_keygen(pc, &pk) != 1) {
		EVP_PKEY_CTX_free(pc);
		errno = 0;
		return diag_system(d, "openssl: cannot make an Ed25519 key");
	}
	EVP_PKEY_CTX_free(pc);
	return key_wrap(out, pk, name, nlen, d);
}

int
sig_key_from_seed(struct sig_key **out, const char *name,
    const uint8_t seed[SIG_ED25519_SEED_LEN], struct diag *d)
{
	EVP_PKEY *pk;
	size_t nlen = strlen(name);

	*out = NULL;
	if (!sig_name_valid(name, nlen))
		return diag_input(d, "bad key name '%s'", name);
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    SIG_ED25519_SEED_LEN);
	if (pk == NULL) {
		errno = 0;
		return diag_system(d, "openssl: cannot load an Ed25519 seed");
	}
	return key_wrap(out, pk, name, nlen, d);
}

static int
write_all(int fd, const void *p, size_t len)
{
	const char *s = p;

	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sig_key_save(const struct sig_key *k, const char *path, struct diag *d)
{
	BIO *bio;
	char *pem = NULL;
	long pemlen;
	int fd, rc = -1;

	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL || PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0,
	    NULL, NULL) != 1 || (pemlen = BIO_get_mem_data(bio, &pem)) <= 0) {
		BIO_free(bio);
		errno = 0;
		return diag_system(d, "openssl: cannot encode the private key");
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		BIO_free(bio);
		if (errno == EEXIST)
			return diag_input(d, "%s: file exists; not replacing a "
			    "key", path);
		return diag_system(d, "%s: cannot create", path);
	}
	if (write_all(fd, KEY_FILE_TAG, strlen(KEY_FILE_TAG)) != 0 ||
	    write_all(fd, k->pub.name, k->pub.name_len) != 0 ||
	    write_all(fd, "\n", 1) != 0 ||
	    write_all(fd, pem, (size_t)pemlen) != 0 || fsync(fd) != 0)
		diag_system(d, "%s: cannot write", path);
	else
		rc = 0;
	BIO_free(bio);		/* secmem: cleansed on free */
	if (close(fd) != 0 && rc == 0)
		rc = diag_system(d, "%s: cannot write", path);
	if (rc != 0)
		unlink(path);
	return rc;
}

/*
 * The PEM that sig_key_save writes, read without OpenSSL's decoder
 * framework (which costs milliseconds a process): the RFC 8410 section 7
 * PKCS#8 form of an Ed25519 key is a fixed 16-byte DER prefix and the
 * 32-byte seed, PEM-armoured as RFC 7468 "PRIVATE KEY" in one base64 line.
 * Anything else (another layout, attributes, a public key inside) is left
 * to PEM_read_bio_PrivateKey.  Returns the key or NULL.
 */
static EVP_PKEY *
ed25519_pem_fast(const char *p, size_t len)
{
	static const char begin[] = "-----BEGIN PRIVATE KEY-----\n",
	    end[] = "\n-----END PRIVATE KEY-----\n";
	static const uint8_t prefix[16] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30,
	    0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
	const size_t blen = sizeof(begin) - 1, elen = sizeof(end) - 1;
	uint8_t der[48];
	size_t n;
	EVP_PKEY *pk = NULL;

	if (len != blen + 64 + elen || memcmp(p, begin, blen) != 0 ||
	    memcmp(p + blen + 64, end, elen) != 0)
		return NULL;
	if (sig_base64_decode(p + blen, 64, der, sizeof(der), &n) == 0 &&
	    n == sizeof(der) && memcmp(der, prefix, sizeof(prefix)) == 0)
		pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
		    der + sizeof(prefix), SIG_ED25519_SEED_LEN);
	OPENSSL_cleanse(der, sizeof(der));
	return pk;
}

int
sig_key_load(struct sig_key **out, const char *path, struct diag *d)
{
	struct stat st;
	char *buf = NULL, *nl;
	size_t len = 0, nlen, taglen = strlen(KEY_FILE_TAG);
	BIO *bio = NULL;
	EVP_PKEY *pk = NULL;
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ELOOP)
			return diag_input(d, "%s: cannot open key: %s", path,
			    errno == ENOENT ? "no such file" :
			    "is a symbolic link");
		return diag_system(d, "%s: cannot open key", path);
	}
	if (fstat(fd, &st) != 0) {
		diag_system(d, "%s: cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KEY_FILE_MAX) {
		diag_input(d, "%s: not a key file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		diag_input(d, "%s: key file is accessible by others (mode %03o; "
		    "chmod 600)", path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	if ((buf = OPENSSL_secure_zalloc(KEY_FILE_MAX + 1)) == NULL) {
		diag_system(d, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, KEY_FILE_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diag_system(d, "%s: cannot read", path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == KEY_FILE_MAX) {
			diag_input(d, "%s: not a key file", path);
			goto out;
		}
	}
	if (len < taglen || memcmp(buf, KEY_FILE_TAG, taglen) != 0 ||
	    (nl = memchr(buf, '\n', len)) == NULL) {
		diag_input(d, "%s: not a dscsa-ledger key file", path);
		goto out;
	}
	nlen = (size_t)(nl - buf) - taglen;
	if (!sig_name_valid(buf + taglen, nlen)) {
		diag_input(d, "%s:1: bad key name", path);
		goto out;
	}
	if ((pk = ed25519_pem_fast(nl + 1, len - (size_t)(nl + 1 - buf))) !=
	    NULL) {
		rc = key_wrap(out, pk, buf + taglen, nlen, d);
		goto out;
	}
	bio = BIO_new_mem_buf(nl + 1, (int)(len - (size_t)(nl + 1 - buf)));
	if (bio == NULL) {
		diag_system(d, "out of memory");
		goto out;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (pk == NULL || EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pk);
		diag_input(d, "%s: no Ed25519 private key in PEM form", path);
		goto out;
	}
	rc = key_wrap(out, pk, buf + taglen, nlen, d);
out:
	BIO_free(bio);
	if (buf != NULL)
		OPENSSL_secure_clear_free(buf, KEY_FILE_MAX + 1);
	close(fd);
	return rc;
}

void
sig_key_free(struct sig_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);		/* OpenSSL cleanses key material */
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

const struct sig_vkey *
sig_key_public(const struct sig_key *k)
{
	return &k->pub;
}

int
sig_sign(const struct sig_key *k, const void *msg, size_t len,
    uint8_t sig[SIG_ED25519_SIG_LEN], struct diag *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t slen = SIG_ED25519_SIG_LEN;
	int ok;

	ok = ctx != NULL &&
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &slen, msg, len) == 1 &&
	    slen == SIG_ED25519_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		errno = 0;
		return diag_system(d, "openssl: cannot sign");
	}
	return 0;
}

/* ---- signed notes ---- */

static const char em_dash_sp[] = "\xe2\x80\x94 ";

int
sig_note_parse(struct sig_note *n, const char *buf, size_t len, struct diag *d)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i, split = (size_t)-1, pos;

	n->text_len = 0;
	n->n = 0;
	if (len > SIG_NOTE_MAX)
		return diag_input(d, "malformed note: longer than %d bytes",
		    SIG_NOTE_MAX);
	for (i = 0; i < len;) {
		uint32_t c;
		size_t k = utf8_decode(s + i, len - i, &c);

		if (k == 0)
			return diag_input(d, "malformed note: invalid UTF-8 at "
			    "byte %zu", i);
		if (c < 0x20 && c != '\n')
			return diag_input(d, "malformed note: control character "
			    "at byte %zu", i);
		i += k;
	}
	if (len == 0 || buf[len - 1] != '\n')
		return diag_input(d, "malformed note: does not end with a "
		    "newline");
	for (i = len - 1; i > 0; i--)
		if (buf[i] == '\n' && buf[i - 1] == '\n') {
			split = i - 1;
			break;
		}
	if (split == (size_t)-1)
		return diag_input(d, "malformed note: no signature block");
	n->text_len = split + 1;
	pos = split + 2;
	if (pos >= len)
		return diag_input(d, "malformed note: no signatures");
	while (pos < len) {
		const char *eol = memchr(buf + pos, '\n', len - pos);
		const char *sp;
		struct sig_note_line *l;
		size_t llen = (size_t)(eol - (buf + pos)), b64len;
		uint8_t tmp[4096];

		if (llen < 4 || memcmp(buf + pos, em_dash_sp, 4) != 0)
			return diag_input(d, "malformed note: line at byte %zu "
			    "is not a signature", pos);
		if (n->n == SIG_NOTE_MAX_SIGS)
			return diag_input(d, "malformed note: more than %d "
			    "signatures", SIG_NOTE_MAX_SIGS);
		l = &n->line[n->n];
		sp = memchr(buf + pos + 4, ' ', llen - 4);
		if (sp == NULL)
			return diag_input(d, "malformed note: signature line "
			    "without a key name");
		l->name_off = pos + 4;
		l->name_len = (size_t)(sp - (buf + pos + 4));
		if (!sig_name_valid(buf + l->name_off, l->name_len))
			return diag_input(d, "malformed note: bad key name in "
			    "a signature line");
		b64len = (size_t)(eol - (sp + 1));
		if (b64len / 4 * 3 <= sizeof(tmp)) {
			if (sig_base64_decode(sp + 1, b64len, tmp, sizeof(tmp),
			    &l->blob_len) != 0)
				return diag_input(d, "malformed note: signature "
				    "is not base64");
		} else {
			/* A long (post-quantum) signature: check the syntax only. */
			size_t idlen;

			if (b64len % 4 != 0)
				return diag_input(d, "malformed note: signature "
				    "is not base64");
			for (size_t j = 0; j < b64len; j++)
				if (b64_value((unsigned char)sp[1 + j]) < 0 &&
				    (sp[1 + j] != '=' || j + 2 < b64len))
					return diag_input(d, "malformed note: "
					    "signature is not base64");
			if (sig_base64_decode(sp + 1, 8, tmp, sizeof(tmp),
			    &idlen) != 0)
				return diag_input(d, "malformed note: signature "
				    "is not base64");
			l->blob_len = b64len / 4 * 3;
		}
		if (l->blob_len < 5)
			return diag_input(d, "malformed note: signature shorter "
			    "than 5 bytes");
		l->id = (uint32_t)tmp[0] << 24 | (uint32_t)tmp[1] << 16 |
		    (uint32_t)tmp[2] << 8 | tmp[3];
		memset(l->blob, 0, sizeof(l->blob));
		if (l->blob_len <= SIG_NOTE_BLOB_MAX)
			memcpy(l->blob, tmp, l->blob_len);
		n->n++;
		pos += llen + 1;
	}
	return 0;
}

size_t
sig_cosig_message(uint64_t timestamp, const char *text, size_t len, char *buf,
    size_t cap)
{
	int n = snprintf(buf, cap, "cosignature/v1\ntime %llu\n",
	    (unsigned long long)timestamp);

	if (n < 0 || (size_t)n >= cap || len > cap - (size_t)n)
		return (size_t)-1;
	memcpy(buf + n, text, len);
	return (size_t)n + len;
}

static int
verify_line(const struct sig_vkey *k, const struct sig_note_line *l,
    const char *text, size_t text_len)
{
	if (k->type == SIG_TYPE_ED25519) {
		if (l->blob_len != 4 + SIG_ED25519_SIG_LEN)
			return -1;
		return sig_verify(k, text, text_len, l->blob + 4);
	}
	if (k->type == SIG_TYPE_COSIG_V1) {
		uint64_t t = 0;
		size_t mlen, cap = text_len + 64;
		char *msg;
		int rc;

		if (l->blob_len != 4 + 8 + SIG_ED25519_SIG_LEN)
			return -1;
		for (int i = 0; i < 8; i++)
			t = t << 8 | l->blob[4 + i];
		if (t > INT64_MAX || (msg = malloc(cap)) == NULL)
			return -1;
		mlen = sig_cosig_message(t, text, text_len, msg, cap);
		rc = mlen == (size_t)-1 ? -1 :
		    sig_verify(k, msg, mlen, l->blob + 12);
		free(msg);
		return rc;
	}
	return -1;
}

int
sig_note_verify(const struct sig_note *n, const char *buf,
    const struct sig_vkey *keys, size_t nkeys, bool *ok, struct diag *d)
{
	size_t good = 0;

	for (size_t k = 0; k < nkeys; k++) {
		if (ok != NULL)
			ok[k] = false;
		for (size_t i = 0; i < n->n; i++) {
			const struct sig_note_line *l = &n->line[i];

			if (l->id != keys[k].id || l->name_len !=
			    keys[k].name_len || memcmp(buf + l->name_off,
			    keys[k].name, l->name_len) != 0)
				continue;
			if (verify_line(&keys[k], l, buf, n->text_len) != 0)
				return diag_verify(d, "signature by %s+%08x does "
				    "not verify", keys[k].name,
				    (unsigned)keys[k].id);
			if (ok != NULL)
				ok[k] = true;
			good++;
			break;	/* each trusted key once */
		}
	}
	if (good == 0)
		return diag_verify(d, "note has no signature by a trusted key");
	return 0;
}

size_t
sig_note_line_format(const char *name, size_t name_len, uint32_t id,
    const uint8_t *sig, size_t sig_len, char *buf, size_t cap)
{
	uint8_t blob[4 + 128];
	size_t o, e;

	if (sig_len > 128 || cap < 4 + name_len + 2)
		return (size_t)-1;
	blob[0] = (uint8_t)(id >> 24);
	blob[1] = (uint8_t)(id >> 16);
	blob[2] = (uint8_t)(id >> 8);
	blob[3] = (uint8_t)id;
	memcpy(blob + 4, sig, sig_len);
	memcpy(buf, em_dash_sp, 4);
	memcpy(buf + 4, name, name_len);
	o = 4 + name_len;
	buf[o++] = ' ';
	e = sig_base64_encode(blob, 4 + sig_len, buf + o, cap - o);
	if (e == (size_t)-1 || o + e + 1 >= cap)
		return (size_t)-1;
	o += e;
	buf[o++] = '\n';
	buf[o] = '\0';
	return o;
}

/* ---- checkpoints ---- */

int
sig_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
sig_checkpoint_parse(struct sig_checkpoint *c, const char *text, size_t len,
    struct diag *d)
{
	const char *line[3], *eol;
	size_t llen[3], pos = 0, rlen;

	memset(c, 0, sizeof(*c));
	/* note text (c2sp.org/signed-note): no control characters but '\n' */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
			return diag_input(d, "checkpoint: control character");
	for (int i = 0; i < 3; i++) {
		if (pos >= len || (eol = memchr(text + pos, '\n', len - pos)) ==
		    NULL)
			return diag_input(d, "checkpoint: fewer than three lines");
		line[i] = text + pos;
		llen[i] = (size_t)(eol - line[i]);
		pos += llen[i] + 1;
	}
	if (llen[0] == 0)
		return diag_input(d, "checkpoint: empty origin");
	if (sig_parse_u64(line[1], llen[1], &c->size) != 0)
		return diag_input(d, "checkpoint: tree size is not a decimal "
		    "number without leading zeros");
	if (sig_base64_decode(line[2], llen[2], c->root, sizeof(c->root),
	    &rlen) != 0 || rlen != SIG_HASH_LEN)
		return diag_input(d, "checkpoint: root is not base64 of 32 "
		    "bytes");
	c->origin = line[0];
	c->origin_len = llen[0];
	c->ext = text + pos;
	c->ext_len = len - pos;
	while (pos < len) {
		eol = memchr(text + pos, '\n', len - pos);
		if (eol == NULL)
			return diag_input(d, "checkpoint: last line does not end "
			    "with a newline");
		if (eol == text + pos)
			return diag_input(d, "checkpoint: empty extension line");
		pos = (size_t)(eol - text) + 1;
	}
	return 0;
}

size_t
sig_checkpoint_format(const char *origin, size_t origin_len, uint64_t size,
    const uint8_t root[SIG_HASH_LEN], const char *ext, size_t ext_len,
    char *buf, size_t cap)
{
	char enc[48];
	int n;

	sig_base64_encode(root, SIG_HASH_LEN, enc, sizeof(enc));
	n = snprintf(buf, cap, "%.*s\n%llu\n%s\n", (int)origin_len, origin,
	    (unsigned long long)size, enc);
	if (n < 0 || (size_t)n >= cap || ext_len >= cap - (size_t)n)
		return (size_t)-1;
	if (ext_len > 0)
		memcpy(buf + n, ext, ext_len);
	buf[(size_t)n + ext_len] = '\0';
	return (size_t)n + ext_len;
}
