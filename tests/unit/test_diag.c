/*
 * Unit tests of libcommon/diag: messages, the innermost-wins rule, where and
 * line, and the one-line guarantee.
 */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "testutil.h"

static void
test_format(void)
{
	static const struct {
		const char	*where;
		unsigned long	 line;
		long long	 offset;
		const char	*want;
	} cases[] = {
		{ "vials.txt", 42, -1, "vials.txt:42: bad thing" },
		{ "ledger.dsl", 0, 81920, "ledger.dsl: offset 81920: bad thing" },
		{ "<stdout>", 0, -1, "<stdout>: bad thing" },
		{ NULL, 0, -1, "bad thing" },
	};
	char buf[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag d = DIAG_INIT;

		CU_ASSERT_EQUAL(diag_input(&d, "bad %s", "thing"), -1);
		if (cases[i].offset >= 0)
			diag_at_offset(&d, cases[i].where, cases[i].offset);
		else
			diag_at(&d, cases[i].where, cases[i].line);
		TEST_STR_EQ(i, diag_format(&d, buf, sizeof(buf)), cases[i].want);
		CU_ASSERT_EQUAL(d.kind, DIAG_INPUT);
	}
}

static void
test_innermost_wins(void)
{
	struct diag d = DIAG_INIT;

	diag_verify(&d, "inner");
	diag_input(&d, "outer");
	diag_at(&d, "a.txt", 3);
	diag_at(&d, "b.txt", 9);
	CU_ASSERT_EQUAL(d.kind, DIAG_VERIFY);
	CU_ASSERT_STRING_EQUAL(d.msg, "inner");
	CU_ASSERT_STRING_EQUAL(d.where, "a.txt");
	CU_ASSERT_EQUAL(d.line, 3);
	diag_clear(&d);
	CU_ASSERT_EQUAL(d.kind, DIAG_OK);
	CU_ASSERT_EQUAL(d.msg[0], '\0');
}

static void
test_system_and_one_line(void)
{
	struct diag d = DIAG_INIT;
	char big[2000];

	errno = ENOSPC;
	diag_system(&d, "cannot write");
	CU_ASSERT_EQUAL(d.kind, DIAG_SYSTEM);
	CU_ASSERT_EQUAL(d.sys_errno, ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "cannot write: "));

	diag_clear(&d);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '\n';
	diag_input(&d, "%s", big);
	CU_ASSERT_EQUAL(strlen(d.msg), sizeof(d.msg) - 1);
	CU_ASSERT_PTR_NULL(strchr(d.msg, '\n'));
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "format", test_format },
		{ "innermost wins", test_innermost_wins },
		{ "system errno and one line", test_system_and_one_line },
		{ NULL, NULL },
	};

	return test_run("diag", tests);
}
