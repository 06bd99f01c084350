#!/bin/sh
# make bench, epcis: a generated EPCIS 1.2 document of 20,000 commissioning
# events x 50 SGTINs (1,000,000 EPCs): write it from item lines, read it
# (item lines out, canonical form and hash id of every event), read it with
# --validate, hash it; each beside `xmllint --stream --noout --schema` on
# the same document in the same run (rate ratio ours/xmllint), with peak
# RSS.  Rates are per CPU second (user + system): the machine is shared, so
# wall time says more about the neighbours than about the code; wall time
# is printed too.  Never fails on a number.
# Each step runs EPCIS_BENCH_RUNS times (default 5), each run followed by
# one of xmllint: the least CPU time and the median peak RSS of each are
# reported, and the ratio is the median of the pairs' CPU time ratios.
# Env: EPCIS_BENCH_EVENTS (default 20000), EPCIS_BENCH_EPCS (default 50),
# EPCIS_BENCH_RUNS.
set -u
BIN=${DSCSA_BIN:-build/bench/bin}
NE=${EPCIS_BENCH_EVENTS:-20000}
NP=${EPCIS_BENCH_EPCS:-50}
RUNS=${EPCIS_BENCH_RUNS:-5}
TOP=${TOP:-$(pwd)}
export DSCSA_SCHEMAS="$TOP/schemas"
XSD="$TOP/schemas/epcis-1.2/EPCglobal-epcis-1_2.xsd"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=$((NE * NP))
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
    printf "[01]00312345678906[17]271231[10]A1B2C3[21]S%09d\n", i }' > "$tmp/items"

XMLLINT="xmllint --stream --noout --nonet --schema $XSD $tmp/doc.xml"
: > "$tmp/xtimes"
: > "$tmp/results"

least() {	# times file: "least-CPU wall" and the median peak RSS
	awk '{ c = $2 + $3; if (NR == 1 || c < best) { best = c; w = $1 } }
	    END { printf "%.2f %s ", best, w }' "$1"
	cut -d' ' -f4 "$1" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

run() {	# name command...: "name cpu wall kb xcpu xkb" in results
	# RUNS runs, each followed by a run of xmllint, so that both see the
	# same minutes (this VM's speed swings by half within a minute): the
	# least CPU time of each (the neighbours only ever add to it), ours
	# with its wall time, and the median peak RSS of each (ASLR moves the
	# 64 KB fault-around windows of the file mappings, so it varies both
	# ways by a few hundred KB); the ratio is the median of the pairs'
	# (xmllint's CPU time over ours)
	name=$1
	shift
	: > "$tmp/times"
	: > "$tmp/xstep"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" || {
			echo "epcis $name: failed" >&2
			return 1
		}
		cat "$tmp/time" >> "$tmp/times"
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" $XMLLINT \
		    2> /dev/null || {
			echo "epcis xmllint: failed" >&2
			return 1
		}
		cat "$tmp/time" >> "$tmp/xtimes"
		cat "$tmp/time" >> "$tmp/xstep"
		i=$((i + 1))
	done
	ratio=$(paste -d' ' "$tmp/times" "$tmp/xstep" | awk '{
		c = $2 + $3; x = $6 + $7; if (c <= 0) c = 0.005
		print x / c }' | sort -n | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }')
	set -- $(least "$tmp/xstep")
	echo "$name $(least "$tmp/times") $1 $3 $ratio" >> "$tmp/results"
}

write="'$BIN/dscsa-epcis' commission --gcp 7 --batch $NP \
    --time 2026-12-01T08:00:00.000Z --location urn:epc:id:sgln:0312345.00000.0 \
    < '$tmp/items' > '$tmp/doc.xml'"
sh -c "$write" || exit 1
run write sh -c "$write" || exit 1
run read sh -c "'$BIN/dscsa-epcis' read '$tmp/doc.xml' > /dev/null" || exit 1
run read+validate sh -c "'$BIN/dscsa-epcis' read --validate '$tmp/doc.xml' > /dev/null" || exit 1
run hash sh -c "'$BIN/dscsa-epcis' hash '$tmp/doc.xml' > /dev/null" || exit 1
run canon sh -c "'$BIN/dscsa-epcis' canon '$tmp/doc.xml' > /dev/null" || exit 1
set -- $(least "$tmp/xtimes")
echo "xmllint $* $1 $3 1" >> "$tmp/results"
size=$(wc -c < "$tmp/doc.xml")
echo "epcis: $NE events x $NP EPCs = $n EPCs, $size bytes of EPCIS 1.2; least CPU and median RSS of $RUNS runs each, each followed by an xmllint run; ratio: the median of those pairs"
while read -r nm s w kb xsecs xkb ratio; do
	awk -v nm="$nm" -v s="$s" -v w="$w" -v kb="$kb" -v e="$NE" -v p="$NP" -v xs="$xsecs" -v xkb="$xkb" -v r="$ratio" 'BEGIN {
		if (s <= 0) s = 0.005; if (xs <= 0) xs = 0.005;
		printf "epcis %-13s %6.2f s-cpu (%6.2f s wall) %8.0f events/s-cpu %9.0f EPCs/s-cpu  peak RSS %6d KB  ratio %.2f (xmllint %.0f events/s-cpu, %d KB)\n",
		    nm, s, w, e / s, e * p / s, kb, r, e / xs, xkb }'
done < "$tmp/results"
echo "epcis targets: write >= 1000000 EPCs/s; read+validate ratio >= 1 with no more RSS; hash >= 80000 events/s"
