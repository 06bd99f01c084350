/*
 * libFuzzer harness: the keyring parser (libcommon/keyring).  Properties:
 * no crash; a refusal names a line within the input; every party of an
 * accepted keyring has a valid GLN length, a name, at least one key, and
 * is found again by each of its keys; the input is not modified.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "keyring.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct keyring *k = NULL;
	struct diag d = DIAG_INIT;
	uint8_t *copy = malloc(len ? len : 1);
	size_t lines = 1;

	if (copy == NULL)
		abort();
	memcpy(copy, data, len);
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	if (keyring_parse(&k, (const char *)data, len, "fuzz", &d) != 0) {
		if (k != NULL || d.kind == DIAG_OK ||
		    (d.kind == DIAG_INPUT && (d.line == 0 || d.line > lines)))
			abort();
	} else {
		for (size_t i = 0; i < keyring_count(k); i++) {
			const struct keyring_party *p = keyring_party_at(k, i);

			if (strlen(p->gln) != 13 || p->name[0] == '\0' ||
			    p->nkey == 0)
				abort();
			for (size_t j = 0; j < p->nkey; j++)
				if (keyring_find_key(k, p->key[j].name,
				    p->key[j].name_len, p->key[j].id, NULL) != p)
					abort();
		}
		keyring_free(k);
	}
	if (memcmp(copy, data, len) != 0)
		abort();
	free(copy);
	return 0;
}
