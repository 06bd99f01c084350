/*
 * Helpers for the CUnit tests (see testutil.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "testutil.h"

int
test_run(const char *suite, const struct test_case *tests)
{
	CU_pSuite s;
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 3;
	s = CU_add_suite(suite, NULL, NULL);
	if (s == NULL)
		return 3;
	for (; tests->name != NULL; tests++)
		if (CU_add_test(s, tests->name, tests->fn) == NULL)
			return 3;
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}

void
test_str_eq(size_t row, const char *got, const char *want, const char *file,
    int line)
{
	int ok = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;

	if (!ok)
		fprintf(stderr, "%s:%d: row %zu: got '%s', want '%s'\n", file,
		    line, row, got ? got : "(null)", want ? want : "(null)");
	CU_assertImplementation(ok, (unsigned)line, "string mismatch", file,
	    "", CU_FALSE);
}

void
test_int_eq(size_t row, long long got, long long want, const char *file,
    int line)
{
	if (got != want)
		fprintf(stderr, "%s:%d: row %zu: got %lld, want %lld\n", file,
		    line, row, got, want);
	CU_assertImplementation(got == want, (unsigned)line, "int mismatch",
	    file, "", CU_FALSE);
}

int
test_unmark(const char *marked, char *out, size_t cap, size_t *off,
    size_t *len)
{
	const char *a = strchr(marked, '|');
	const char *b = a ? strchr(a + 1, '|') : NULL;
	size_t n = strlen(marked);

	if (n >= cap)
		return -1;
	if (a == NULL) {
		memcpy(out, marked, n + 1);
		*off = *len = (size_t)-1;
		return 0;
	}
	if (b == NULL || strchr(b + 1, '|') != NULL)
		return -1;
	*off = (size_t)(a - marked);
	*len = (size_t)(b - a - 1);
	memcpy(out, marked, *off);
	memcpy(out + *off, a + 1, *len);
	memcpy(out + *off + *len, b + 1, n - (size_t)(b - marked));
	return 0;
}

unsigned char *
test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}
