#!/bin/sh
# make bench: dscsa-ledger append (batches of 1,000 events, one fsync per
# batch) and verify, beside sha256sum of the same ledger file; peak RSS.
set -u
B="$DSCSA_BIN/dscsa-ledger"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$TOP/tests/data/ledger/keys/PeterNeumann.key" "$tmp/k"
chmod 600 "$tmp/k"
batches=${BATCHES:-100}
for i in $(seq 1 "$batches"); do
	awk -v tag="b$i" -v n=1000 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in-$i.xml"
done
now() { date +%s.%N; }
t0=$(now)
for i in $(seq 1 "$batches"); do
	/usr/bin/time -f %M -o "$tmp/rss-append" "$B" append -k "$tmp/k" "$tmp/l.dsl" < "$tmp/in-$i.xml" 2>/dev/null || exit 1
done
t1=$(now)
/usr/bin/time -f %M -o "$tmp/rss-verify" "$B" verify "$tmp/l.dsl" > /dev/null || exit 1
t2=$(now)
sha256sum "$tmp/l.dsl" > /dev/null
t3=$(now)
n=$((batches * 1000))
size=$(wc -c < "$tmp/l.dsl")
awk -v n="$n" -v s="$size" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" \
    -v ra="$(cat "$tmp/rss-append")" -v rv="$(cat "$tmp/rss-verify")" 'BEGIN {
	a = t1 - t0; v = t2 - t1; h = t3 - t2;
	printf "append: %d events in %d batches: %.0f events/s (incl. EPCIS parsing), peak RSS %d KiB\n", n, n / 1000, n / a, ra;
	printf "verify: %.0f entries/s, %.1f MB/s, peak RSS %d KiB\n", n / v, s / v / 1e6, rv;
	printf "sha256sum of the same %d-byte file: %.1f MB/s; verify/sha256sum time ratio %.2f\n", s, s / h / 1e6, v / h;
}'
