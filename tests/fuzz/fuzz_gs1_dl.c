/*
 * libFuzzer harness: gs1_parse() of data after "https://id.gs1.org/", with the
 * stability property of fuzz_gs1_check.h.  Seed corpus:
 * tests/fuzz/corpus/gs1_dl/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_gs1_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_gs1_prefixed("https://id.gs1.org/", data, len);
	return 0;
}
