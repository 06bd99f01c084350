#!/bin/sh
# Concurrency (invariant 3): 4 appenders at once on one ledger, 10 appends
# of 25 events each; then every entry is present and the chain verifies,
# and the sidecar index (caught up by each appender) refuses repeats.
. "$TOP/tests/reliability/ledger-setup.inc"
for w in 1 2 3 4; do
	for j in $(seq 1 10); do
		awk -v tag="w$w-$j" -v n=25 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in-$w-$j.xml"
	done
done
for w in 1 2 3 4; do
	(
		for j in $(seq 1 10); do
			"$B" append -k "$tmp/k" "$L" < "$tmp/in-$w-$j.xml" 2>/dev/null ||
			    { echo "appender $w: append $j failed"; exit 1; }
		done
	) > "$tmp/out-$w" 2>&1 &
	pids="${pids:-} $!"
done
fail=0
for p in $pids; do wait "$p" || fail=1; done
cat "$tmp"/out-* 
[ "$fail" -eq 0 ] || exit 1
"$B" verify "$L" > "$tmp/v" || { cat "$tmp/v"; exit 1; }
cat "$tmp/v"
grep -q ": ok: 1000 entries, 40 seals" "$tmp/v" || { echo "want 1000 entries, 40 seals"; exit 1; }
n=$("$B" show "$L" | grep -c commissioning)
[ "$n" -eq 1000 ] || { echo "show lists $n entries, want 1000"; exit 1; }
# the index, caught up by each appender in turn, refuses them all again
"$B" append -k "$tmp/k" "$L" < "$tmp/in-3-7.xml" 2> "$tmp/dup"
grep -q ": 0 appended, 25 refused as duplicates, 1000 entries" "$tmp/dup" ||
    { echo "index after concurrent appends:"; tail -n 1 "$tmp/dup"; exit 1; }
echo "ledger-concurrency: ok"
