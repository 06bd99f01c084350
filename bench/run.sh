#!/bin/sh
# make bench: run every bench/*.sh against the -O2 build in $BUILD.  Each
# job prints its rates, a ratio against a baseline measured in the same run,
# and peak RSS.  Never fails on a number.
set -u
BUILD=${BUILD:-build/bench}
TOP=$(pwd)
export TOP DSCSA_BIN="$TOP/$BUILD/bin" DSCSA_BUILD="$TOP/$BUILD"
rc=0
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || rc=1
done
exit $rc
