#!/bin/sh
# Tamper and truncation through the tool, on the sample ledger of
# dscsa-ledger(5) EXAMPLES: flip the first and the last byte of every field
# of every record (the field table of the page) -> verify exits 1, never 0
# and never crashes; cut the file at the first and last byte of every
# record -> verify reports a torn tail, recover succeeds, and verify then
# passes with every sealed entry there.  Every offset of a small ledger is
# flipped and cut through the library in tests/unit/test_ledger.c.
. "$TOP/tests/reliability/ledger-setup.inc"
awk -v tag=ex -v n=1 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/e.xml"
SOURCE_DATE_EPOCH=1767225600 "$B" append -k "$tmp/k" -O example.com/ledger \
    "$tmp/l.dsl" < "$tmp/e.xml" 2>/dev/null || exit 1
size=$(wc -c < "$tmp/l.dsl")
[ "$size" -eq 770 ] || { echo "sample ledger is $size bytes, dscsa-ledger(5) says 770"; exit 1; }
fail=0
flips=0
# first and last byte of each field (dscsa-ledger(5), EXAMPLES)
for off in 0 7 8 11 12 13 14 15 16 17 18 35 36 39 40 43 44 47 48 49 50 57 \
    58 65 66 97 98 101 102 103 114 115 116 117 118 206 207 210 211 370 529 \
    530 533 534 537 538 541 542 543 544 551 552 583 584 615 616 617 628 629 \
    632 633 664 665 728 729 730 761 762 765 766 769; do
	cp "$tmp/l.dsl" "$tmp/t.dsl"
	b=$(od -A n -t u1 -j "$off" -N 1 "$tmp/l.dsl" | tr -d ' ')
	printf "$(printf '\\%03o' $(( (b ^ 1) & 255 )))" |
	    dd of="$tmp/t.dsl" bs=1 seek="$off" conv=notrunc 2>/dev/null
	cmp -s "$tmp/l.dsl" "$tmp/t.dsl" && { echo "offset $off: flip did not change the file"; fail=1; }
	"$B" verify "$tmp/t.dsl" > "$tmp/out" 2>&1
	st=$?
	if [ "$st" -ne 1 ]; then
		echo "flip at offset $off: verify exit $st, want 1:"; cat "$tmp/out"; fail=1
	fi
	flips=$((flips + 1))
done
cuts=0
for off in 1 7 8 43 44 537 538 769; do
	head -c "$off" "$tmp/l.dsl" > "$tmp/c.dsl"
	"$B" verify "$tmp/c.dsl" > "$tmp/out" 2>&1
	st=$?
	if [ "$st" -ne 1 ] || ! grep -q "torn tail" "$tmp/out"; then
		echo "cut at $off: verify exit $st:"; cat "$tmp/out"; fail=1
	fi
	"$B" recover "$tmp/c.dsl" > "$tmp/out" 2>&1 || { echo "cut at $off: recover failed"; cat "$tmp/out"; fail=1; }
	"$B" verify "$tmp/c.dsl" > "$tmp/out" 2>&1 || { echo "cut at $off: verify after recover failed"; cat "$tmp/out"; fail=1; }
	grep -q ": ok: 0 entries" "$tmp/out" || { echo "cut at $off: want 0 entries"; cat "$tmp/out"; fail=1; }
	cuts=$((cuts + 1))
done
[ "$fail" -eq 0 ] && echo "ledger-tamper: $flips flips and $cuts cuts: all caught"
exit "$fail"
