/*
 * libFuzzer harness: the ledger reader and verifier (libcommon/ledger) on
 * arbitrary file contents.  Properties: no crash or sanitizer report;
 * verify and scan agree on what is sealed; a file that verifies is left
 * unchanged by recover; the input buffer is not modified.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "ledger.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int
count(void *ctx, const struct ledger_entry *e, struct diag *d)
{
	(void)e;
	(void)d;
	(*(uint64_t *)ctx)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char path[] = "/tmp/fuzz_ledger.XXXXXX";
	struct ledger *lg;
	struct ledger_stats st, st2;
	struct diag d = DIAG_INIT;
	uint8_t *copy = malloc(len ? len : 1);
	uint64_t n = 0, removed, rent;
	int fd = mkstemp(path), ok;

	if (fd < 0 || copy == NULL)
		abort();
	memcpy(copy, data, len);
	if (write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	if (ledger_open(&lg, path, false, &d) != 0)
		abort();
	ok = ledger_verify(lg, NULL, &st, &d) == 0;
	diag_clear(&d);
	if (ok) {
		if (ledger_scan(lg, count, &n, &st2, &d) != 0 ||
		    n != st.entries)
			abort();
	}
	ledger_close(lg);
	if (ok) {
		diag_clear(&d);
		if (ledger_open(&lg, path, true, &d) != 0 ||
		    ledger_recover(lg, &removed, &rent, &st2, &d) != 0 ||
		    removed != 0)
			abort();
		ledger_close(lg);
	}
	if (memcmp(copy, data, len) != 0)
		abort();
	free(copy);
	unlink(path);
	return 0;
}
