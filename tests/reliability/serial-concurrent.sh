#!/bin/sh
# Concurrent dscsa-serial runs on one registry never hand out the same
# serial (dscsa-serial(1), libcommon/serial.h invariants 1-3).
#
# Every run uses the same test seed, so without the registry they would
# all draw the very same serials: each run after the first must redraw
# every serial the others committed.  A second round uses the real
# generator.  Then: every line is there, no serial twice, and a run on the
# registry afterwards still avoids all of them.
set -eu
BIN=${DSCSA_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
reg="$tmp/reg.db"
runs=4
n=1500
args="-g 00312345678906 -l L1 -e 2027-12-31 --today 2026-12-01 --alphabet digits --length 10 --registry $reg"

round() {	# seed-or-empty round-name
	i=0
	pids=""
	while [ $i -lt $runs ]; do
		if [ -n "$1" ]; then
			DSCSA_SERIAL_TEST_SEED=$1 "$BIN/dscsa-serial" $args -n $n \
			    > "$tmp/$2.$i" 2> "$tmp/$2.$i.err" &
		else
			"$BIN/dscsa-serial" $args -n $n > "$tmp/$2.$i" \
			    2> "$tmp/$2.$i.err" &
		fi
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do
		if ! wait "$p"; then
			echo "FAIL: a run failed:" >&2
			cat "$tmp"/$2.*.err >&2
			exit 1
		fi
	done
}

round same seeded
round "" random

all=$(cat "$tmp"/seeded.? "$tmp"/random.? | wc -l)
want=$((2 * runs * n))
if [ "$all" -ne "$want" ]; then
	echo "FAIL: $all lines, expected $want" >&2
	exit 1
fi
dups=$(cat "$tmp"/seeded.? "$tmp"/random.? | sort | uniq -d | wc -l)
if [ "$dups" -ne 0 ]; then
	echo "FAIL: $dups serials handed out twice" >&2
	cat "$tmp"/seeded.? "$tmp"/random.? | sort | uniq -d | head >&2
	exit 1
fi
# The seeded runs really raced for the same serials: the first to take the
# lock drew the unregistered sequence, every other run had to redraw.
DSCSA_SERIAL_TEST_SEED=same "$BIN/dscsa-serial" $(echo "$args" |
    sed 's/ --registry .*//') -n $n > "$tmp/alone" 2>/dev/null
hit=0
for i in 0 1 2 3; do
	cmp -s "$tmp/alone" "$tmp/seeded.$i" && hit=$((hit + 1))
done
if [ "$hit" -ne 1 ]; then
	echo "FAIL: expected exactly one seeded run to get the unregistered sequence, got $hit" >&2
	exit 1
fi
# And afterwards the registry still refuses all of them.
DSCSA_SERIAL_TEST_SEED=same "$BIN/dscsa-serial" $args -n $n \
    > "$tmp/after" 2>/dev/null
dups=$(cat "$tmp"/seeded.? "$tmp"/random.? "$tmp/after" | sort | uniq -d |
    wc -l)
if [ "$dups" -ne 0 ]; then
	echo "FAIL: a later run repeated $dups serials" >&2
	exit 1
fi
echo "serial-concurrent: $((want + n)) serials from $((2 * runs + 1)) runs, none twice"
