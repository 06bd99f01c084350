#!/bin/sh
# dscsa-label: a label file is written whole or not at all.
#
# Start a run of 20,000 labels into a directory, kill -9 it while it
# writes, then check every label file that made it: each must be a whole
# PNG (signature first, IEND chunk last) that decodes back, in memory, to
# the item it is named after (dscsa-label -c on its item gives the same
# bytes).  Leftover temporary files are hidden (".NAME.XXXXXX") and never
# carry a label's name.  Then an uninterrupted run over the first 2,000
# items into a fresh directory must write all of them and leave nothing
# hidden behind.
set -u
BIN=${DSCSA_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "[01]00312345678906[17]271231[10]LOT%d[21]S%06d\n", i % 7, i }' \
	> "$tmp/items"
mkdir "$tmp/a" "$tmp/b"
"$BIN/dscsa-label" --module-px 3 -o "$tmp/a" "$tmp/items" &
pid=$!
# Wait until some labels are there, then kill in the middle of the run.
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	n=$(ls "$tmp/a" | wc -l)
	[ "$n" -ge 50 ] && break
	sleep 0.1
done
if ! kill -9 "$pid" 2>/dev/null; then
	echo "the run ended before it could be killed" >&2
	fail=1
fi
wait "$pid" 2>/dev/null
n=$(ls "$tmp/a" | wc -l)
echo "killed after $n labels"
[ "$n" -ge 1 ] || { echo "no label written before the kill" >&2; fail=1; }
for f in "$tmp"/a/*.png; do
	head=$(od -An -tx1 -N8 "$f" | tr -d ' \n')
	tail=$(tail -c 12 "$f" | od -An -tx1 | tr -d ' \n')
	if [ "$head" != 89504e470d0a1a0a ] || [ "$tail" != 0000000049454e44ae426082 ]; then
		echo "$f: not a whole PNG" >&2
		fail=1
	fi
done
# The files that exist are right: redo the last few and compare bytes.
for f in $(ls "$tmp"/a/*.png | tail -n 5); do
	s=$(basename "$f" .png)
	grep "\[21\]$s\$" "$tmp/items" |
	    "$BIN/dscsa-label" -c --module-px 3 -o - > "$tmp/one.png" || fail=1
	cmp -s "$f" "$tmp/one.png" || { echo "$f differs from a fresh render" >&2; fail=1; }
done
head -n 2000 "$tmp/items" > "$tmp/items2k"
"$BIN/dscsa-label" --module-px 3 -o "$tmp/b" "$tmp/items2k" || fail=1
n=$(ls "$tmp/b" | wc -l)
[ "$n" -eq 2000 ] || { echo "uninterrupted run wrote $n of 2000" >&2; fail=1; }
hidden=$(ls -A "$tmp/b" | grep -c '^\.' )
[ "$hidden" -eq 0 ] || { echo "temporary files left after a clean run" >&2; fail=1; }
exit $fail
