/*
 * libFuzzer harness: gs1_parse() of any input form (bracketed, HRI, caret, GS), with the
 * stability property of fuzz_gs1_check.h.  Seed corpus:
 * tests/fuzz/corpus/gs1_ais/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_gs1_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_gs1_prefixed("", data, len);
	return 0;
}
