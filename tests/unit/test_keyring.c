/*
 * Unit tests of libcommon/keyring: one row per accepted or refused line,
 * each refusal with its message and line number.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "keyring.h"
#include "testutil.h"

#define PN	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define ER	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define COSIG	"remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"

static void
test_lines(void)
{
	static const struct {
		const char	*text;
		const char	*err;	/* NULL: accepted */
	} cases[] = {
		{ "# only a comment\n\n", NULL },
		{ "party acme gln=0312345000004 role=manufacturer "
		    "prefix=0312345,0312346 key=" PN "\n", NULL },
		{ "  party acme\tgln=0312345000004 role=wholesaler key=" PN
		    " key=" ER "\n", NULL },
		{ "party acme gln=0312345000004 role=manufacturer key=" PN,
		    "x:1: last line does not end with a newline" },
		{ "\nkey acme\n", "x:2: unknown line 'key' (want 'party NAME "
		    "...')" },
		{ "party acme gln=0312345000001 role=manufacturer key=" PN "\n",
		    "x:1: gln '0312345000001': wrong check digit" },
		{ "party acme gln=031234500000 role=manufacturer key=" PN "\n",
		    "x:1: gln '031234500000' is not 13 digits" },
		{ "party acme gln=0312345000004 role=king key=" PN "\n",
		    "x:1: unknown role 'king'" },
		{ "party acme gln=0312345000004 role=3pl color=red key=" PN
		    "\n", "x:1: unknown keyword 'color'" },
		{ "party acme gln=0312345000004 role=3pl prefix=12345 key=" PN
		    "\n", "x:1: company prefix '12345' is not 6 to 12 digits" },
		{ "party acme gln=0312345000004 role=3pl prefix=123456, key="
		    PN "\n", "x:1: empty company prefix" },
		{ "party acme gln=0312345000004 role=3pl\n",
		    "x:1: party acme: no key=" },
		{ "party acme role=3pl key=" PN "\n", "x:1: party acme: no gln=" },
		{ "party acme gln=0312345000004 key=" PN "\n",
		    "x:1: party acme: no role=" },
		{ "party acme gln=0312345000004 role=3pl role=3pl key=" PN "\n",
		    "x:1: role given twice" },
		{ "party acme gln=0312345000004 role=3pl key=PN+0000+AA\n",
		    "x:1: verifier key: key id is not 8 hex digits" },
		{ "party acme gln=0312345000004 role=witness key=" COSIG "\n",
		    "x:1: key remora.n621.de is not an Ed25519 signer key "
		    "(type 0x01)" },
		{ "party acme gln=0312345000004 role=3pl key=" PN "\n"
		  "party acme gln=0312345000004 role=3pl key=" ER "\n",
		    "x:2: party acme already defined at line 1" },
		{ "party acme gln=0312345000004 role=3pl key=" PN "\n"
		  "party beta gln=0312345000004 role=3pl key=" PN "\n",
		    "x:2: key PeterNeumann+c74f20a3 already belongs to another "
		    "party" },
		{ "party acme gln=0312345000004 role=3pl key=" PN " key=" PN
		    "\n", "x:1: key PeterNeumann+c74f20a3 given twice" },
		{ "party ac\x01me\n", "x:1: control character in line" },
		{ "party\n", "x:1: party without a name" },
		{ "party a+b gln=0312345000004 role=3pl key=" PN "\n",
		    "x:1: bad party name 'a+b'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keyring *k = NULL;
		struct diag d = DIAG_INIT;
		char buf[600];
		int rc = keyring_parse(&k, cases[i].text, strlen(cases[i].text),
		    "x", &d);

		TEST_INT_EQ(i, rc, cases[i].err ? -1 : 0);
		if (cases[i].err != NULL) {
			TEST_STR_EQ(i, diag_format(&d, buf, sizeof(buf)),
			    cases[i].err);
			TEST_INT_EQ(i, d.kind, DIAG_INPUT);
			CU_ASSERT_PTR_NULL(k);
		}
		keyring_free(k);
	}
}

static void
test_lookup(void)
{
	static const char text[] =
	    "party acme gln=0312345000004 role=manufacturer prefix=0312345,"
	    "0312346 key=" PN "\n"
	    "party wit gln=0614141000005 role=witness key=" ER "\n";
	struct keyring *k;
	struct diag d = DIAG_INIT;
	const struct keyring_party *p;
	const struct sig_vkey *v;

	CU_ASSERT_EQUAL_FATAL(keyring_parse(&k, text, strlen(text), "x", &d), 0);
	CU_ASSERT_EQUAL(keyring_count(k), 2);
	p = keyring_find_key(k, "PeterNeumann", 12, 0xc74f20a3, &v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->name, "acme");
	CU_ASSERT_STRING_EQUAL(p->gln, "0312345000004");
	CU_ASSERT_EQUAL(v->id, 0xc74f20a3);
	CU_ASSERT(keyring_owns_prefix(p, "0312346", 7));
	CU_ASSERT(!keyring_owns_prefix(p, "031234", 6));
	CU_ASSERT(!keyring_owns_prefix(p, "03123456", 8));
	CU_ASSERT(keyring_may_append(p));
	CU_ASSERT_PTR_NULL(keyring_find_key(k, "PeterNeumann", 12, 0xc74f20a4,
	    NULL));
	CU_ASSERT_PTR_NULL(keyring_find_key(k, "PeterNeuman", 11, 0xc74f20a3,
	    NULL));
	p = keyring_find_key(k, "EnochRoot", 9, 0xaf0cfe78, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(!keyring_may_append(p));
	CU_ASSERT_STRING_EQUAL(keyring_role_name(p->role), "witness");
	keyring_free(k);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "lines", test_lines },
		{ "lookup", test_lookup },
		{ NULL, NULL },
	};

	return test_run("keyring", tests);
}
