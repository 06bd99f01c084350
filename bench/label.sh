#!/bin/sh
# make bench: dscsa-label's in-line check rate.
#
# In one process (bench/label.c): zint encode + render + the --check decode
# of the bitmap, on seeded random DSCSA items at 4 and 5 dots/module, and
# the same plus the PNG written to memory.  Baseline, in the same run: the
# way a shell pipeline does it today, one `zint` process to write the PNG
# and one `dmtxread` process to read it back, per label, on the same items.
# Then the tool itself end to end (items in, checked PNG files out).
# Prints rates, the ratio, and peak RSS (/usr/bin/time -f %M, KB).
set -u
B=${DSCSA_BUILD:?}/bench/label
BIN=${DSCSA_BIN:?}
N=${LABEL_BENCH_N:-20000}
NSH=${LABEL_BENCH_SHELL_N:-100}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {	# label args...: prints the bench line and "peak RSS"
	/usr/bin/time -f '%M' -o "$tmp/rss" taskset -c 0 "$@" > "$tmp/out" ||
	    echo "(some labels failed)"
	cat "$tmp/out"
	echo "  peak RSS $(cat "$tmp/rss") KB"
}

run "$B" "$N" 4
rate4=$(sed -n 's/.* s, \([0-9]*\) labels\/s.*/\1/p' "$tmp/out")
run "$B" "$N" 5
rate5=$(sed -n 's/.* s, \([0-9]*\) labels\/s.*/\1/p' "$tmp/out")
run "$B" "$((N / 10))" 5 png

# Baseline: zint CLI + dmtxread, one process each per label, 4 px/module.
"$B" "$NSH" list > "$tmp/items"
t0=$(date +%s%N)
bad=0
while IFS="$(printf '\t')" read -r br hex; do
	zint -b 71 --gs1 --square --quietzones --scale=2 -d "$br" \
	    -o "$tmp/one.png" > /dev/null 2>&1 || { bad=$((bad + 1)); continue; }
	got=$(dmtxread -N1 -G 29 "$tmp/one.png" | od -An -tx1 | tr -d ' \n')
	[ "$got" = "1d$hex" ] || bad=$((bad + 1))
done < "$tmp/items"
t1=$(date +%s%N)
shrate=$(awk -v n="$NSH" -v ns="$((t1 - t0))" 'BEGIN { printf "%.1f", n / (ns / 1e9) }')
echo "shell (zint + dmtxread per label): $NSH labels, $shrate labels/s, $bad failed"
awk -v a="$rate4" -v b="$shrate" 'BEGIN { printf "ratio, in-process check at 4 px / shell: %.0fx\n", a / b }'
awk -v a="$rate5" -v b="$shrate" 'BEGIN { printf "ratio, in-process check at 5 px / shell: %.0fx\n", a / b }'

# The tool end to end: item lines in, checked 8-bit PNG files out (fsync each).
if [ -x "$BIN/dscsa-label" ]; then
	"$B" 2000 list | cut -f1 > "$tmp/lines"
	mkdir "$tmp/out.d"
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$tmp/rss" taskset -c 0 "$BIN/dscsa-label" -c \
	    --module-px 4 -o "$tmp/out.d" "$tmp/lines" || echo "(tool failed)"
	t1=$(date +%s%N)
	awk -v ns="$((t1 - t0))" -v f="$(ls "$tmp/out.d" | wc -l)" 'BEGIN {
	    printf "dscsa-label -c -f png -o DIR: %d files, %.0f labels/s\n", f, f / (ns / 1e9) }'
	echo "  peak RSS $(cat "$tmp/rss") KB"
fi
