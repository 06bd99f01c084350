/*
 * libFuzzer harness: signed notes, checkpoints and proofs (libcommon/sig,
 * ledger_check_proof).  Properties: no crash; a parsed note's text ends in
 * a newline and its signature lines lie inside the input; a parsed
 * checkpoint prints back to the same bytes (print(parse(x)) == x); a proof
 * never checks out against a key that did not sign it; the input is not
 * modified.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ledger.h"
#include "sig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* A key nobody has the private half of: all-0x5a "public key". */
static struct sig_vkey
stranger(void)
{
	struct sig_vkey k;

	memset(&k, 0, sizeof(k));
	memcpy(k.name, "PeterNeumann", 12);
	k.name_len = 12;
	k.type = SIG_TYPE_ED25519;
	memset(k.pub, 0x5a, sizeof(k.pub));
	k.id = sig_key_id(k.name, k.name_len, k.type, k.pub, 32);
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct sig_note n;
	const char *s = (const char *)data;
	struct sig_checkpoint c;
	struct ledger_proof_result r;
	struct sig_vkey k = stranger();
	struct diag d = DIAG_INIT;
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, data, len);
	if (sig_note_parse(&n, s, len, &d) == 0) {
		if (n.text_len == 0 || s[n.text_len - 1] != '\n' || n.n == 0)
			abort();
		for (size_t i = 0; i < n.n; i++)
			if (n.line[i].name_off + n.line[i].name_len > len)
				abort();
	}
	diag_clear(&d);
	if (sig_checkpoint_parse(&c, s, len, &d) == 0) {
		char *again = malloc(len + 64);
		size_t alen = sig_checkpoint_format(c.origin, c.origin_len,
		    c.size, c.root, c.ext, c.ext_len, again, len + 64);

		if (alen != len || memcmp(again, s, len) != 0)
			abort();
		free(again);
	}
	diag_clear(&d);
	if (ledger_check_proof(s, len, s, len, &k, 1, &r, &d) == 0)
		abort();	/* nobody holds the stranger's key */
	if (memcmp(copy, data, len) != 0)
		abort();
	free(copy);
	return 0;
}
