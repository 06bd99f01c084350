#!/bin/sh
# make bench: dscsa-ledger append (batches of 1,000 events, one fsync per
# batch) and verify, beside sha256sum of the same ledger file in the same
# run; peak RSS.  Rates are given per CPU second (user + system) and per
# wall second: on a shared machine the wall clock measures the neighbours.
# Each group of appends runs under one time(1), whose CPU figures are
# rusage totals of its children (one time(1) per 45 ms process rounded each
# to 10 ms).  The first and last 10 appends side by side show whether
# append slows as the ledger grows (it should not: duplicates go through
# the hash-id table LEDGER.idx.keys).  Then the same batches in one
# process (dscsa-ledger append LEDGER FILE...: each document its own batch,
# sealed and fsynced), the same with random serials (12 characters of
# [0-9A-Z], as a serialization line issues them: the index's B-tree then
# takes every batch's rows all over its pages, where the sequential bench
# serials land next to each other), and what a process start costs
# (dscsa-ledger --version).  Then bench/ledger_append.c: the library alone, with events
# in memory, and the one-process form phase by phase (EPCIS read, append,
# the index's share, one signature, the key load).
set -u
B="$DSCSA_BIN/dscsa-ledger"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$TOP/tests/data/ledger/keys/PeterNeumann.key" "$tmp/k"
chmod 600 "$tmp/k"
batches=${BATCHES:-100}
[ "$batches" -ge 20 ] || batches=20
for i in $(seq 1 "$batches"); do
	awk -v tag="b$i" -v n=1000 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in-$i.xml"
	awk -v tag="b$i" -v n=1000 -v random="$i" -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/rnd-$i.xml"
done
export B tmp
appends() {	# first last: append batches first..last under one time(1)
	/usr/bin/time -a -o "$tmp/times-append" -f "%e %U %S %M $1 $2" sh -c '
	for i in $(seq "$1" "$2"); do
		"$B" append -k "$tmp/k" "$tmp/l.dsl" < "$tmp/in-$i.xml" 2>/dev/null || exit 1
	done' sh "$1" "$2" || exit 1
}
: > "$tmp/times-append"
appends 1 10
appends 11 $((batches - 10))
appends $((batches - 9)) "$batches"
files=$(for i in $(seq 1 "$batches"); do echo "$tmp/in-$i.xml"; done)
# shellcheck disable=SC2086
/usr/bin/time -o "$tmp/times-one" -f "%e %U %S %M" "$B" append -k "$tmp/k" "$tmp/one.dsl" $files 2>/dev/null || exit 1
rfiles=$(for i in $(seq 1 "$batches"); do echo "$tmp/rnd-$i.xml"; done)
# shellcheck disable=SC2086
/usr/bin/time -o "$tmp/times-rnd" -f "%e %U %S %M" "$B" append -k "$tmp/k" "$tmp/rnd.dsl" $rfiles 2>/dev/null || exit 1
/usr/bin/time -o "$tmp/times-start" -f "%e %U %S %M" sh -c '
for i in $(seq 1 "$1"); do "$B" --version > /dev/null || exit 1; done' sh "$batches" || exit 1
/usr/bin/time -o "$tmp/times-verify" -f "%e %U %S %M" "$B" verify "$tmp/l.dsl" > /dev/null || exit 1
/usr/bin/time -o "$tmp/times-sha" -f "%e %U %S %M" sha256sum "$tmp/l.dsl" > /dev/null || exit 1
n=$((batches * 1000))
size=$(wc -c < "$tmp/l.dsl")
isize=$(cat "$tmp/l.dsl.idx" "$tmp/l.dsl.idx-wal" 2>/dev/null | wc -c)
ksize=$(wc -c < "$tmp/l.dsl.idx.keys")
risize=$(cat "$tmp/rnd.dsl.idx" "$tmp/rnd.dsl.idx-wal" 2>/dev/null | wc -c)
awk -v n="$n" -v s="$size" -v b="$batches" -v is="$isize" -v ks="$ksize" -v ris="$risize" '
FILENAME ~ /times-append$/ { aw += $1; ac += $2 + $3; if ($4 > ar) ar = $4
	if ($5 == 1) fc = $2 + $3; if ($6 == b) lc = $2 + $3 }
FILENAME ~ /times-one$/ { ow = $1; oc = $2 + $3; orss = $4 }
FILENAME ~ /times-rnd$/ { rw = $1; rc = $2 + $3; rrss = $4; ru = $2; rs = $3 }
FILENAME ~ /times-start$/ { sw = $1; sc = $2 + $3 }
FILENAME ~ /times-verify$/ { vw = $1; vc = $2 + $3; vr = $4 }
FILENAME ~ /times-sha$/ { hw = $1; hc = $2 + $3 }
END {
	if (ac == 0) ac = 0.01; if (vc == 0) vc = 0.01; if (hc == 0) hc = 0.01;
	printf "dscsa-ledger append: %d events, %d batches of 1000 (fsync each): %.0f events/s CPU, %.0f events/s wall, peak RSS %d KiB\n", n, b, n / ac, n / aw, ar;
	if (fc == 0) fc = 0.01; if (lc == 0) lc = 0.01;
	printf "dscsa-ledger append, first 10 batches: %.0f events/s CPU; last 10: %.0f events/s CPU (index: LEDGER.idx %d bytes, LEDGER.idx.keys %d bytes)\n", 10000 / fc, 10000 / lc, is, ks;
	if (oc == 0) oc = 0.01;
	printf "dscsa-ledger append, one process for all %d batches of 1000 (each its own seal and fsync): %.0f events/s CPU, %.0f events/s wall, peak RSS %d KiB\n", b, n / oc, n / ow, orss;
	if (rc == 0) rc = 0.01;
	printf "the same with random serials: %.0f events/s CPU (user %.2f s, system %.2f s), %.0f events/s wall, peak RSS %d KiB (LEDGER.idx %d bytes)\n", n / rc, ru, rs, n / rw, rrss, ris;
	printf "process start (dscsa-ledger --version, %d times): %.2f ms CPU each\n", b, sc * 1000 / b;
	printf "dscsa-ledger verify: %d entries, %d bytes: %.0f entries/s CPU (%.0f MB/s), %.0f entries/s wall, peak RSS %d KiB\n", n, s, n / vc, s / vc / 1e6, n / vw, vr;
	printf "sha256sum of the same file: %.0f MB/s CPU, %.0f MB/s wall; verify/sha256sum: %.2f (CPU), %.2f (wall)\n", s / hc / 1e6, s / hw / 1e6, vc / hc, vw / hw;
}' "$tmp/times-append" "$tmp/times-one" "$tmp/times-rnd" "$tmp/times-start" "$tmp/times-verify" "$tmp/times-sha"
# shellcheck disable=SC2086
"$DSCSA_BUILD/bench/ledger_append" "$tmp/lib.dsl" "$batches" "$tmp/k" $files
