/*
 * Unit tests of libcommon/sig: strict base64, vkeys and key ids, signed
 * notes, checkpoints and cosignatures against the C2SP and Go vectors in
 * tests/data/ledger/{notes,checkpoints,cosignatures}/, and key files.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "sig.h"
#include "testutil.h"
#include "ledger_data.h"

static void
test_base64(void)
{
	static const struct {
		const char	*in;
		int		 ok;
		const char	*hex;
	} cases[] = {
		{ "", 1, "-" },
		{ "KgQ=", 1, "2a04" },
		{ "Kgx=", 0, NULL },		/* non-zero padding bits */
		{ " KgQ=", 0, NULL },		/* white space */
		{ "KgQ", 0, NULL },		/* length */
		{ "Kg==", 1, "2a" },
		{ "Kh==", 0, NULL },
		{ "Zm9vYg==", 1, "666f6f62" },
		{ "Zm9v", 1, "666f6f" },
		{ "Zm=v", 0, NULL },		/* padding in the middle */
		{ "Zm9v====", 0, NULL },
		{ "Zm9-", 0, NULL },		/* URL alphabet */
		{ "====", 0, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[16], want[16];
		size_t n = 0;
		int rc = sig_base64_decode(cases[i].in, strlen(cases[i].in), out,
		    sizeof(out), &n);

		TEST_INT_EQ(i, rc == 0, cases[i].ok);
		if (cases[i].ok && rc == 0) {
			size_t wn = ld_hex(cases[i].hex, strlen(cases[i].hex),
			    want, sizeof(want));
			char enc[32];

			TEST_INT_EQ(i, n, wn);
			TEST_INT_EQ(i, memcmp(out, want, n), 0);
			sig_base64_encode(out, n, enc, sizeof(enc));
			TEST_STR_EQ(i, enc, cases[i].in);
		}
	}
}

/* A private key from a keys.tsv cell: PRIVATE+KEY+name+id+b64, or seed:hex. */
static struct sig_key *
key_from_cell(const char *name, const char *cell)
{
	struct sig_key *k = NULL;
	struct diag d = DIAG_INIT;
	uint8_t raw[64];
	size_t n = 0;

	if (strncmp(cell, "seed:", 5) == 0) {
		if (ld_hex(cell + 5, strlen(cell + 5), raw + 1, 32) != 32)
			return NULL;
	} else if (strncmp(cell, "PRIVATE+KEY+", 12) == 0) {
		const char *b = strrchr(cell, '+');
		/* the base64 part has no '+' in these vectors but may: find it */
		const char *p = cell + 12;

		p = strchr(p, '+');		/* after the name */
		p = p ? strchr(p + 1, '+') : NULL;	/* after the id */
		(void)b;
		if (p == NULL || sig_base64_decode(p + 1, strlen(p + 1), raw,
		    sizeof(raw), &n) != 0 || n != 33 || raw[0] != 1)
			return NULL;
	} else
		return NULL;
	if (sig_key_from_seed(&k, name, raw + 1, &d) != 0)
		return NULL;
	return k;
}

static void
test_vkeys(void)
{
	size_t len, row = 0, good = 0, bad = 0, derived = 0;
	char *buf = ld_read("notes/keys.tsv", &len), *cur = buf, *f[6];

	while (ld_tsv_next(&cur, f, 6) >= 3) {
		struct sig_vkey k;
		struct diag d = DIAG_INIT;
		int rc = sig_vkey_parse(&k, f[1], strlen(f[1]), &d);

		if (strcmp(f[0], "BAD") == 0) {
			TEST_INT_EQ(row, rc, -1);
			TEST_INT_EQ(row, d.kind, DIAG_INPUT);
			bad++;
		} else {
			char out[SIG_VKEY_MAX];

			if (rc != 0)
				fprintf(stderr, "keys.tsv row %zu: %s\n", row,
				    d.msg);
			TEST_INT_EQ(row, rc, 0);
			CU_ASSERT_EQUAL(sig_vkey_format(&k, out, sizeof(out)), 0);
			TEST_STR_EQ(row, out, f[1]);
			good++;
			if (strcmp(f[2], "-") != 0) {
				struct sig_key *sk = key_from_cell(k.name, f[2]);

				CU_ASSERT_PTR_NOT_NULL(sk);
				if (sk != NULL) {
					sig_vkey_format(sig_key_public(sk), out,
					    sizeof(out));
					/* a cosigner vkey has another type */
					if (k.type == SIG_TYPE_ED25519)
						TEST_STR_EQ(row, out, f[1]);
					derived++;
				}
				sig_key_free(sk);
			}
		}
		row++;
	}
	CU_ASSERT(good >= 15);
	CU_ASSERT_EQUAL(bad, 4);
	CU_ASSERT(derived >= 10);
	free(buf);

	/* one key, two ids: TEST as signer 7997405c, as cosigner fdd2dbc7 */
	{
		struct sig_vkey k;
		struct diag d = DIAG_INIT;
		const char *s = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigC"
		    "XlVtGe6RIr6";

		CU_ASSERT_EQUAL(sig_vkey_parse(&k, s, strlen(s), &d), 0);
		CU_ASSERT_EQUAL(sig_key_id(k.name, k.name_len,
		    SIG_TYPE_COSIG_V1, k.pub, 32), 0xfdd2dbc7);
	}
}

/* Trusted keys by label, from keys.tsv. */
static size_t
trusted_keys(const char *labels, struct sig_vkey *out, size_t cap)
{
	size_t len, n = 0;
	char *buf = ld_read("notes/keys.tsv", &len), *cur = buf, *f[6];
	char want[512];

	snprintf(want, sizeof(want), ",%s,", labels);
	while (ld_tsv_next(&cur, f, 6) >= 3 && n < cap) {
		char lab[300];
		struct diag d = DIAG_INIT;

		snprintf(lab, sizeof(lab), ",%s,", f[0]);
		if (strstr(want, lab) != NULL &&
		    sig_vkey_parse(&out[n], f[1], strlen(f[1]), &d) == 0)
			n++;
	}
	free(buf);
	return n;
}

static void
test_notes(void)
{
	size_t len, row = 0;
	char *buf = ld_read("notes/index.tsv", &len), *cur = buf, *f[7];
	static struct sig_note note;

	while (ld_tsv_next(&cur, f, 7) >= 4) {
		struct sig_vkey keys[8];
		size_t nk = strcmp(f[1], "-") == 0 ? 0 :
		    trusted_keys(f[1], keys, 8);
		char path[300], *nb;
		size_t nlen;
		struct diag d = DIAG_INIT;
		const char *got;

		snprintf(path, sizeof(path), "notes/%s", f[0]);
		nb = ld_read(path, &nlen);
		if (sig_note_parse(&note, nb, nlen, &d) != 0)
			got = "malformed";
		else if (sig_note_verify(&note, nb, keys, nk, NULL, &d) == 0)
			got = "ok";
		else if (strstr(d.msg, "does not verify") != NULL)
			got = "badsig";
		else
			got = "unverified";
		if (strcmp(got, f[2]) != 0)
			fprintf(stderr, "index.tsv row %zu %s: %s (%s)\n", row,
			    f[0], got, d.msg);
		TEST_STR_EQ(row, got, f[2]);
		free(nb);
		row++;
	}
	CU_ASSERT_EQUAL(row, 16);
	free(buf);
}

/* Ed25519 is deterministic: re-signing a vector reproduces it. */
static void
test_resign(void)
{
	size_t nlen, len;
	char *nb = ld_read("notes/go-peterneumann.note", &nlen);
	struct sig_key *k = key_from_cell("PeterNeumann",
	    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09"
	    "iUvxdXHKDFz");
	const struct sig_vkey *pub;
	static struct sig_note note;
	struct diag d = DIAG_INIT;
	uint8_t sig[64];
	char line[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	pub = sig_key_public(k);
	CU_ASSERT_EQUAL(pub->id, 0xc74f20a3);
	CU_ASSERT_EQUAL_FATAL(sig_note_parse(&note, nb, nlen, &d), 0);
	CU_ASSERT_EQUAL(sig_sign(k, nb, note.text_len, sig, &d), 0);
	len = sig_note_line_format(pub->name, pub->name_len, pub->id, sig, 64,
	    line, sizeof(line));
	CU_ASSERT_EQUAL_FATAL(len, nlen - note.text_len - 1);
	CU_ASSERT(memcmp(line, nb + note.text_len + 1, len) == 0);
	CU_ASSERT_EQUAL(sig_verify(pub, nb, note.text_len, sig), 0);
	sig[10] ^= 4;
	CU_ASSERT_EQUAL(sig_verify(pub, nb, note.text_len, sig), -1);
	sig_key_free(k);
	free(nb);
}

static void
test_checkpoint_parse(void)
{
	size_t len, row = 0;
	char *buf = ld_read("checkpoints/parse/index.tsv", &len), *cur = buf;
	char *f[6];

	while (ld_tsv_next(&cur, f, 6) >= 3) {
		char path[300], *t;
		size_t tlen;
		struct sig_checkpoint c;
		struct diag d = DIAG_INIT;
		int rc;

		snprintf(path, sizeof(path), "checkpoints/parse/%s", f[0]);
		t = ld_read(path, &tlen);
		rc = sig_checkpoint_parse(&c, t, tlen, &d);
		if ((rc == 0) != (strcmp(f[2], "ok") == 0))
			fprintf(stderr, "parse/%s: %d %s\n", f[0], rc, d.msg);
		TEST_INT_EQ(row, rc == 0, strcmp(f[2], "ok") == 0);
		if (rc == 0) {
			char again[1024];
			size_t alen = sig_checkpoint_format(c.origin,
			    c.origin_len, c.size, c.root, c.ext, c.ext_len,
			    again, sizeof(again));

			/* print(parse(x)) == x */
			TEST_INT_EQ(row, alen, tlen);
			TEST_INT_EQ(row, memcmp(again, t, tlen), 0);
		} else
			TEST_INT_EQ(row, d.kind, DIAG_INPUT);
		free(t);
		row++;
	}
	CU_ASSERT_EQUAL(row, 16);
	free(buf);
}

static int
open_checkpoint(const char *file, const char *vkey, struct sig_checkpoint *c,
    char **text)
{
	static struct sig_note note;
	struct sig_vkey k;
	struct diag d = DIAG_INIT;
	size_t len;
	char *nb = ld_read(file, &len);
	int rc = -1;

	*text = nb;
	if (sig_vkey_parse(&k, vkey, strlen(vkey), &d) == 0 &&
	    sig_note_parse(&note, nb, len, &d) == 0 &&
	    sig_note_verify(&note, nb, &k, 1, NULL, &d) == 0 &&
	    sig_checkpoint_parse(c, nb, note.text_len, &d) == 0)
		rc = 0;
	return rc;
}

static void
test_checkpoints(void)
{
	static const char sumdb[] = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJy"
	    "k9SxEdh+s3Ux18htTTAD8OuAn8";
	static const char sigsum[] = "sigsum.org/v1/tree/e796172b92befd62d9dc67"
	    "e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69+809da1a3+AWbguFjkYqYJ5"
	    "m/nE3DIFtiEb/ED1UmaIqf+w3/bxCSn";
	struct sig_checkpoint c;
	char *t;

	CU_ASSERT_EQUAL(open_checkpoint("checkpoints/sumdb-35225469.checkpoint",
	    sumdb, &c, &t), 0);
	CU_ASSERT_EQUAL(c.size, 35225469);
	CU_ASSERT(c.origin_len == 20 && memcmp(c.origin, "go.sum database tree",
	    20) == 0);
	free(t);
	CU_ASSERT_EQUAL(open_checkpoint(
	    "checkpoints/derived-sumdb-20852163.checkpoint", sumdb, &c, &t), 0);
	CU_ASSERT_EQUAL(c.size, 20852163);
	free(t);
	/* the spec's edited example must not verify */
	CU_ASSERT_EQUAL(open_checkpoint(
	    "checkpoints/c2sp-example-behind-the-sofa.checkpoint", sumdb, &c,
	    &t), -1);
	free(t);
	CU_ASSERT_EQUAL(open_checkpoint(
	    "checkpoints/sigsum-go-test-size10.checkpoint", sigsum, &c, &t), 0);
	CU_ASSERT_EQUAL(c.size, 10);
	free(t);
}

/* Eight real witness cosignatures (type 0x04) on a Sigsum checkpoint. */
static void
test_cosignatures(void)
{
	size_t len, wlen, nk = 0;
	char *nb = ld_read("cosignatures/derived-sigsum-381382.cosigned."
	    "checkpoint", &len);
	char *wb = ld_read("cosignatures/sigsum-test-2025-3-witnesses.tsv",
	    &wlen), *cur = wb, *f[7];
	static struct sig_note note;
	struct sig_vkey keys[16];
	bool ok[16];
	struct diag d = DIAG_INIT;
	size_t verified = 0;

	while (ld_tsv_next(&cur, f, 7) >= 6 && nk < 16)
		if (strncmp(f[5], "yes", 3) == 0) {
			CU_ASSERT_EQUAL(sig_vkey_parse(&keys[nk], f[4],
			    strlen(f[4]), &d), 0);
			CU_ASSERT_EQUAL(keys[nk].type, SIG_TYPE_COSIG_V1);
			nk++;
		}
	CU_ASSERT_EQUAL(nk, 8);
	CU_ASSERT_EQUAL_FATAL(sig_note_parse(&note, nb, len, &d), 0);
	CU_ASSERT_EQUAL(note.n, 9);
	CU_ASSERT_EQUAL(sig_note_verify(&note, nb, keys, nk, ok, &d), 0);
	for (size_t i = 0; i < nk; i++)
		verified += ok[i];
	CU_ASSERT_EQUAL(verified, 8);
	/* flip one bit of the text: every cosignature fails */
	nb[30] ^= 1;
	CU_ASSERT_EQUAL(sig_note_verify(&note, nb, keys, nk, ok, &d), -1);
	free(nb);
	free(wb);
}

static void
test_key_files(void)
{
	char dir[] = "/tmp/test_sig.XXXXXX", path[300], link[300];
	struct sig_key *k = NULL, *k2 = NULL;
	struct diag d = DIAG_INIT;
	struct stat st;
	uint8_t sig[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.key", dir);
	snprintf(link, sizeof(link), "%s/link.key", dir);
	CU_ASSERT_EQUAL_FATAL(sig_key_generate(&k, "mfr.example.com", &d), 0);
	CU_ASSERT_EQUAL(sig_key_save(k, path, &d), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	/* never replaces a file */
	CU_ASSERT_EQUAL(sig_key_save(k, path, &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	diag_clear(&d);
	CU_ASSERT_EQUAL_FATAL(sig_key_load(&k2, path, &d), 0);
	CU_ASSERT_EQUAL(memcmp(sig_key_public(k), sig_key_public(k2),
	    sizeof(struct sig_vkey)), 0);
	CU_ASSERT_EQUAL(sig_sign(k2, "x", 1, sig, &d), 0);
	CU_ASSERT_EQUAL(sig_verify(sig_key_public(k), "x", 1, sig), 0);
	sig_key_free(k2);
	k2 = NULL;
	/* a symbolic link is refused (O_NOFOLLOW) */
	CU_ASSERT_EQUAL(symlink(path, link), 0);
	CU_ASSERT_EQUAL(sig_key_load(&k2, link, &d), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "symbolic link"));
	diag_clear(&d);
	/* a key others can read is refused */
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT_EQUAL(sig_key_load(&k2, path, &d), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "accessible by others"));
	diag_clear(&d);
	CU_ASSERT_EQUAL(sig_key_generate(&k2, "bad name", &d), -1);
	CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	unlink(link);
	unlink(path);
	rmdir(dir);
	sig_key_free(k);
}

/*
 * Key files in the forms a user may hold: the one sig_key_save writes
 * (read without OpenSSL's decoders) and others PEM allows (read through
 * them), all the same key; keys of another type or damaged DER refused.
 * The seed is PeterNeumann's (tests/data/ledger/keys/).
 */
static void
test_key_forms(void)
{
	static const char b64[] =
	    "MC4CAQAwBQYDK2VwBCIEIIEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
	static const char beg[] = "-----BEGIN PRIVATE KEY-----",
	    end[] = "-----END PRIVATE KEY-----";
	static const struct {
		const char	*b64;	/* NULL: PeterNeumann's */
		const char	*nl;	/* line ending */
		int		 fold;	/* base64 on two lines */
		const char	*tail;	/* after the END line */
		int		 ok;
	} cases[] = {
		{ NULL, "\n", 0, "", 1 },	/* as sig_key_save writes it */
		/* CRLF, folded base64, a trailing blank line: through OpenSSL */
		{ NULL, "\r\n", 0, "", 1 },
		{ NULL, "\n", 1, "", 1 },
		{ NULL, "\n", 0, "\n", 1 },
		/* X25519 (OID 1.3.101.110), same seed: not a signing key */
		{ "MC4CAQAwBQYDK2VuBCIEIIEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUv"
		  "xdXHKDFz", "\n", 0, "", 0 },
		/* DER length byte changed */
		{ "MC8CAQAwBQYDK2VwBCIEIIEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUv"
		  "xdXHKDFz", "\n", 0, "", 0 },
		/* seed cut short */
		{ "MC4CAQAwBQYDK2VwBCIEIIEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUv"
		  "xdXHKA==", "\n", 0, "", 0 },
	};
	char dir[] = "/tmp/test_sig.XXXXXX", path[300];
	uint8_t der[48];
	size_t n;
	struct sig_key *want = NULL;
	struct diag d = DIAG_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL_FATAL(sig_base64_decode(b64, 64, der, sizeof(der), &n),
	    0);
	CU_ASSERT_EQUAL_FATAL(n, 48);
	CU_ASSERT_EQUAL_FATAL(sig_key_from_seed(&want, "PeterNeumann", der + 16,
	    &d), 0);
	snprintf(path, sizeof(path), "%s/k", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sig_key *k = NULL;
		FILE *f = fopen(path, "w");
		int rc;
		const char *b = cases[i].b64 ? cases[i].b64 : b64, *nl =
		    cases[i].nl;

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fprintf(f, "dscsa-ledger-key PeterNeumann\n%s%s", beg, nl);
		if (cases[i].fold)
			fprintf(f, "%.32s%s%s%s", b, nl, b + 32, nl);
		else
			fprintf(f, "%s%s", b, nl);
		fprintf(f, "%s%s%s", end, nl, cases[i].tail);
		CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
		CU_ASSERT_EQUAL_FATAL(chmod(path, 0600), 0);
		diag_clear(&d);
		rc = sig_key_load(&k, path, &d);
		TEST_INT_EQ(i, rc, cases[i].ok ? 0 : -1);
		if (rc == 0)
			TEST_INT_EQ(i, memcmp(sig_key_public(k),
			    sig_key_public(want), sizeof(struct sig_vkey)), 0);
		else
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		sig_key_free(k);
	}
	sig_key_free(want);
	unlink(path);
	rmdir(dir);
}

static void
test_names_and_numbers(void)
{
	static const struct {
		const char	*name;
		int		 ok;
	} names[] = {
		{ "example.com/log", 1 }, { "", 0 }, { "a b", 0 }, { "a+b", 0 },
		{ "caf\xc3\xa9", 1 }, { "nb\xc2\xa0sp", 0 }, { "bad\xff", 0 },
		{ "tab\t", 0 }, { "\xc0\xaf", 0 },
	};
	static const struct {
		const char	*s;
		int		 ok;
		uint64_t	 v;
	} nums[] = {
		{ "0", 1, 0 }, { "18446744073709551615", 1, UINT64_MAX },
		{ "18446744073709551616", 0, 0 }, { "01", 0, 0 }, { "-1", 0, 0 },
		{ "", 0, 0 }, { "1x", 0, 0 }, { "+1", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		TEST_INT_EQ(i, sig_name_valid(names[i].name,
		    strlen(names[i].name)), names[i].ok);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint64_t v = 0;
		int rc = sig_parse_u64(nums[i].s, strlen(nums[i].s), &v);

		TEST_INT_EQ(i, rc == 0, nums[i].ok);
		if (rc == 0)
			CU_ASSERT_EQUAL(v, nums[i].v);
	}
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "base64", test_base64 },
		{ "vkeys and key ids", test_vkeys },
		{ "notes index", test_notes },
		{ "re-sign a vector", test_resign },
		{ "checkpoint parse vectors", test_checkpoint_parse },
		{ "checkpoint signatures", test_checkpoints },
		{ "cosignatures", test_cosignatures },
		{ "key files", test_key_files },
		{ "key file forms", test_key_forms },
		{ "names and numbers", test_names_and_numbers },
		{ NULL, NULL },
	};

	return test_run("sig", tests);
}
