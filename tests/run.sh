#!/bin/sh
# Run every test of `make check` against the tools in $BUILD and print one
# summary.  Fails if any part fails.  Missing test data is a failure.
set -u
BUILD=${BUILD:-build/check}
TOP=$(pwd)
export TOP
export DSCSA_BIN="$TOP/$BUILD/bin"
export DSCSA_BUILD="$TOP/$BUILD"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"

pass=0
fail=0
failed=""

result() {	# name status
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $1"
		echo "FAIL: $1" >&2
	fi
}

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# 1. Unit tests (CUnit).
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	if "$t" > "$log/$n" 2>&1; then result "unit/$n" 0
	else cat "$log/$n" >&2; result "unit/$n" 1; fi
done

# 2. Golden CLI tests.
sh tests/cli/run.sh; result cli $?

# 3. --help against the man pages' SYNOPSIS, and --version.
sh tests/cli/help.sh; result help-synopsis $?

# 4. Reliability tests.
for t in tests/reliability/*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	if sh "$t" > "$log/$n" 2>&1; then result "reliability/$n" 0
	else tail -n 30 "$log/$n" >&2; result "reliability/$n" 1; fi
done

# 5. Fuzz harnesses over their committed corpora.
for f in "$BUILD"/fuzz-smoke/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f")
	if "$f" "tests/fuzz/corpus/${n#fuzz_}" > "$log/$n" 2>&1; then
		result "fuzz/$n" 0
	else tail -n 30 "$log/$n" >&2; result "fuzz/$n" 1; fi
done

# 6. Man pages lint clean.
out=$(for m in man/man*/*.[1-9]; do
	[ -f "$m" ] || continue
	groff -mdoc -ww -z "$m" 2>&1 | sed "s|^|$m: |"
done)
if [ -n "$out" ]; then echo "$out" >&2; result manlint 1; else result manlint 0; fi

# 7. Banned functions.
sh scripts/check-banned.sh; result banned $?

echo "make check: $pass passed, $fail failed${failed:+ (}${failed# }${failed:+)}"
[ "$fail" -eq 0 ]
