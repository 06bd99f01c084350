/*
 * Small helpers shared by the CUnit tests: one suite per program, a table
 * of named test functions, and assertions that name the failing row.
 */
#ifndef DSCSA_TESTUTIL_H
#define DSCSA_TESTUTIL_H

#include <stddef.h>

#include <CUnit/CUnit.h>

struct test_case {
	const char	*name;
	void		(*fn)(void);
};

/* Run the NULL-terminated table as one suite; returns the exit status. */
int	test_run(const char *suite, const struct test_case *tests);

/*
 * Compare strings; on a mismatch, print the row index and both values and
 * fail the current test.
 */
void	test_str_eq(size_t row, const char *got, const char *want,
	    const char *file, int line);
#define TEST_STR_EQ(row, got, want) \
	test_str_eq((row), (got), (want), __FILE__, __LINE__)

/* Same for integers. */
void	test_int_eq(size_t row, long long got, long long want,
	    const char *file, int line);
#define TEST_INT_EQ(row, got, want) \
	test_int_eq((row), (got), (want), __FILE__, __LINE__)

/*
 * Split a |..|-marked string (STYLE.md section 6): copy it without the two
 * bars into `out` (cap bytes) and return the offset and length of the marked
 * bytes.  Returns 0, or -1 if the markup is malformed or does not fit.
 * Without bars, *off = *len = (size_t)-1.
 */
int	test_unmark(const char *marked, char *out, size_t cap, size_t *off,
	    size_t *len);

/*
 * The whole file at `path` in a malloc'd buffer, NUL-terminated (the NUL
 * not counted in *len); NULL if it cannot be read.
 */
unsigned char *test_slurp(const char *path, size_t *len);

#endif /* DSCSA_TESTUTIL_H */
