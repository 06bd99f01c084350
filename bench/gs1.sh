#!/bin/sh
# make bench, gs1: validate 1,000,000 DSCSA element strings in bracketed
# and ]d2 scan form (parse + DSCSA profile, one core, reading included),
# against a plain read of the same file in the same run.  Prints rates,
# the ratio validate/read and peak RSS; then the same file through the
# tool, dscsa-gs1 validate --profile dscsa (item-line reader included;
# CPU time from /usr/bin/time, 10 ms resolution).  Never fails on a number.
set -eu
B=${DSCSA_BUILD:-build/bench}/bench/gs1_bench
T=${DSCSA_BIN:-build/bench/bin}/dscsa-gs1
N=${GS1_BENCH_N:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for form in bracketed scan; do
	"$B" gen "$N" "$form" > "$tmp/$form.txt"
	r=$(/usr/bin/time -f '%M' -o "$tmp/rss.r" "$B" read "$tmp/$form.txt")
	v=$(/usr/bin/time -f '%M' -o "$tmp/rss.v" "$B" validate "$tmp/$form.txt")
	rr=$(echo "$r" | awk '{print $6}' | sed 's|/s-cpu||')
	vr=$(echo "$v" | awk '{print $6}' | sed 's|/s-cpu||')
	echo "gs1 $form: $v; peak RSS $(cat "$tmp/rss.v") KB"
	echo "gs1 $form: baseline $r; peak RSS $(cat "$tmp/rss.r") KB"
	awk -v a="$vr" -v b="$rr" 'BEGIN { printf "gs1 %s: validate/read rate ratio %.3f (target: validate >= 2000000/s-cpu)\n", "'"$form"'", a / b }'
	/usr/bin/time -f '%U %S %M' -o "$tmp/time.t" "$T" validate \
	    --profile dscsa --today 2026-12-01 "$tmp/$form.txt"
	awk -v n="$N" -v f="$form" '{ c = $1 + $2; printf "gs1 %s: dscsa-gs1 validate %d lines %.2f s-cpu %.0f/s-cpu; peak RSS %d KB\n", f, n, c, (c > 0 ? n / c : 0), $3 }' "$tmp/time.t"
done
