/*
 * libFuzzer harness: gs1_parse() of scan data ("]" then the fuzz data: an AIM id and what follows), with the
 * stability property of fuzz_gs1_check.h.  Seed corpus:
 * tests/fuzz/corpus/gs1_scan/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_gs1_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_gs1_prefixed("]", data, len);
	return 0;
}
