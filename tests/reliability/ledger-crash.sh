#!/bin/sh
# Crash safety (dscsa-ledger(5) invariants 1, 2, 8): 200 rounds of an
# appender killed with SIGKILL at a random moment; after each, recover
# must succeed; every append that reported success must still be there,
# and verify must pass at the end.
set -u
B="$DSCSA_BIN/dscsa-ledger"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$TOP/tests/data/ledger/keys/PeterNeumann.key" "$tmp/k"
chmod 600 "$tmp/k"
L="$tmp/l.dsl"
ok=0
rounds=${ROUNDS:-200}
seed=${SEED:-42}
for i in $(seq 1 "$rounds"); do
	awk -v tag="r$i" -v n=20 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in.xml"
	delay=$(awk -v s="$seed" -v i="$i" 'BEGIN { srand(s + i); printf "%.3f", rand() * 0.06 }')
	( "$B" append -k "$tmp/k" "$L" < "$tmp/in.xml" 2>/dev/null && echo "r$i" >> "$tmp/acked" ) &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	pkill -9 -P "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! "$B" recover "$L" > "$tmp/rec" 2>&1; then
		echo "round $i: recover failed:"; cat "$tmp/rec"; exit 1
	fi
done
if ! "$B" verify "$L"; then echo "verify failed after $rounds rounds"; exit 1; fi
"$B" show "$L" > "$tmp/show" || exit 1
acked=0
if [ -f "$tmp/acked" ]; then
	while read -r tag; do
		acked=$((acked + 1))
		n=$(grep -c "\.$tag-" "$tmp/show")
		if [ "$n" -ne 20 ]; then
			echo "acknowledged append $tag: $n of 20 entries present"; exit 1
		fi
	done < "$tmp/acked"
fi
echo "ledger-crash: $rounds rounds, $acked acknowledged appends all present, verify ok"
[ "$acked" -gt 0 ] || { echo "no append ever completed: delays too short"; exit 1; }
