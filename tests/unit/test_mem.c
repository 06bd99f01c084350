/*
 * Unit tests of libcommon/mem: the capacities mem_grow() picks, that the
 * elements survive a move, and that an overflowing size fails with the
 * array and its capacity as they were.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "mem.h"
#include "testutil.h"

static void
test_capacities(void)
{
	static const struct {
		size_t	cap, need, first, want;
	} cases[] = {
		{ 0, 1, 16, 16 },	/* from first */
		{ 0, 17, 16, 32 },	/* doubled from first until it fits */
		{ 0, 1, 0, 1 },		/* first 0: from 1 */
		{ 0, 5, 0, 8 },
		{ 8, 8, 16, 8 },	/* room already: untouched */
		{ 8, 9, 16, 16 },	/* doubled from cap, not first */
		{ 8, 100, 2, 128 },
		{ 3, 4, 1024, 6 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t cap = cases[i].cap;
		char *p = cap > 0 ? malloc(cap) : NULL;
		char *q = mem_grow(p, &cap, cases[i].need, 1, cases[i].first);

		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		TEST_INT_EQ(i, cap, cases[i].want);
		if (cases[i].need <= cases[i].cap)
			CU_ASSERT_PTR_EQUAL(q, p);
		free(q);
	}
}

static void
test_keeps_elements(void)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	for (uint32_t i = 0; i < 5000; i++) {
		uint32_t *q = mem_grow(v, &cap, (size_t)i + 1, sizeof(*v), 7);

		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_FATAL(cap > i);
		v = q;
		v[i] = i * 2654435761u;
	}
	for (uint32_t i = 0; i < 5000; i++)
		if (v[i] != i * 2654435761u)
			CU_FAIL("an element changed in a move");
	free(v);
}

static void
test_overflow(void)
{
	char *p = malloc(16);
	size_t cap = 16;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* SIZE_MAX / 8 + 1 elements of 8 bytes do not fit a size_t */
	CU_ASSERT_PTR_NULL(mem_grow(p, &cap, SIZE_MAX / 8 + 1, 8, 16));
	TEST_INT_EQ(0, cap, 16);
	/* nor does the doubling past SIZE_MAX / 2 */
	CU_ASSERT_PTR_NULL(mem_grow(p, &cap, SIZE_MAX, 2, 16));
	TEST_INT_EQ(1, cap, 16);
	p[15] = 'x';	/* still the caller's, still 16 bytes */
	free(p);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "capacities", test_capacities },
		{ "elements survive a move", test_keeps_elements },
		{ "overflow fails, array kept", test_overflow },
		{ NULL, NULL },
	};

	return test_run("mem", tests);
}
