#!/bin/sh
# make bench: dscsa-gs1 validate --profile dscsa over 1,000,000 item lines
# made by dscsa-serial, in bracketed and in ]d2 scan form, reading included
# (target: 2,000,000 lines/s on one core), against a plain read of the same
# file (wc -l).  Prints rates, ratios and peak RSS; never fails on a number.
set -u
BIN=${DSCSA_BIN:?}
N=${VALIDATE_BENCH_N:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$BIN/dscsa-serial" -g 00312345678906 -l A1B2C3 -e 2099-12-31 \
    --today 2060-01-01 -n "$N" > "$tmp/bracketed.txt" ||
    { echo "serial-validate: dscsa-serial failed" >&2; exit 1; }
"$BIN/dscsa-gs1" --to scan "$tmp/bracketed.txt" > "$tmp/scan.txt" ||
    { echo "serial-validate: dscsa-gs1 --to scan failed" >&2; exit 1; }

for form in bracketed scan; do
	f="$tmp/$form.txt"
	/usr/bin/time -f "%e %M %U %S" -o "$tmp/t.v" "$BIN/dscsa-gs1" validate \
	    --profile dscsa --today 2060-01-01 "$f" ||
	    { echo "serial-validate: validate failed" >&2; exit 1; }
	/usr/bin/time -f "%e %M %U %S" -o "$tmp/t.b" wc -l "$f" > /dev/null
	read v_sec v_rss v_u v_s < "$tmp/t.v"
	read b_sec b_rss b_u b_s < "$tmp/t.b"
	awk -v n="$N" -v s="$v_sec" -v r="$v_rss" -v b="$b_sec" -v form="$form" \
	    -v u="$v_u" 'BEGIN {
		printf "validate %s: %d lines in %.2f s = %.0f lines/s (%.0f lines per CPU-user second), peak RSS %d KiB; baseline wc -l %.2f s, ratio %.1f\n",
		    form, n, s, (s > 0 ? n / s : 0), (u > 0 ? n / u : 0), r, b, (b > 0 ? s / b : 0)
	}'
done
