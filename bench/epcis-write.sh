#!/bin/sh
# make bench, epcis writer: bench/epcis_write.c writes 20,000 commissioning
# events x 50 SGTINs (1,000,000 EPCs, EPCIS 1.2, indented) from memory
# with the library's writer, and the same events element by element with
# libxml2's xmlTextWriter in the same run (the baseline: what the writer
# did before it composed events itself); rates per CPU second, the ratio,
# peak RSS.  The two documents must be the same bytes.  The whole tool,
# item lines in, is in bench/epcis.sh ("epcis write").  Never fails on a
# number.
# Env: EPCIS_BENCH_EVENTS (default 20000), EPCIS_BENCH_EPCS (default 50).
set -u
NE=${EPCIS_BENCH_EVENTS:-20000}
NP=${EPCIS_BENCH_EPCS:-50}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$DSCSA_BUILD/bench/epcis_write" "$NE" "$NP" "$tmp/ours.xml" "$tmp/ref.xml" || exit 1
if cmp -s "$tmp/ours.xml" "$tmp/ref.xml"; then
	echo "epcis writer: the same $(wc -c < "$tmp/ours.xml") bytes as xmlTextWriter's"
else
	echo "epcis writer: output differs from xmlTextWriter's" >&2
	exit 1
fi
