#!/bin/sh
# Crash safety through the tool (dscsa-ledger(5) invariants 1, 2, 8):
# rounds of a dscsa-ledger append killed with SIGKILL at a random moment
# within the time one append takes (measured first); after each, recover
# must succeed; every append that reported success must still be there,
# and verify must pass at the end; the sidecar index must still refuse
# every acknowledged event.  tests/unit/test_ledger_crash.c runs
# 200 such rounds in-process (fork, no exec), where they are cheap.
. "$TOP/tests/reliability/ledger-setup.inc"
now() { date +%s%N; }
awk -v tag=first -v n=200 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in.xml"
t0=$(now)
"$B" append -k "$tmp/k" "$L" < "$tmp/in.xml" 2>/dev/null || exit 1
t1=$(now)
ms=$(( (t1 - t0) / 1000000 + 1 ))
rounds=${ROUNDS:-30}
seed=${SEED:-42}
for i in $(seq 1 "$rounds"); do
	awk -v tag="r$i" -v n=200 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in.xml"
	delay=$(awk -v s="$seed" -v i="$i" -v ms="$ms" 'BEGIN { srand(s + i); printf "%.3f", rand() * ms * 1.5 / 1000 }')
	"$B" append -k "$tmp/k" "$L" < "$tmp/in.xml" 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	# the exit status says whether the append reported success
	if wait "$pid"; then echo "r$i" >> "$tmp/acked"; fi
	if ! "$B" recover "$L" > "$tmp/rec" 2>&1; then
		echo "round $i: recover failed:"; cat "$tmp/rec"; exit 1
	fi
done
# One append left to finish, so that the check below always has an
# acknowledged append to look for, however the kills fell on a loaded machine.
awk -v tag=final -v n=200 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in.xml"
"$B" append -k "$tmp/k" "$L" < "$tmp/in.xml" 2>/dev/null || { echo "final append failed"; exit 1; }
echo final >> "$tmp/acked"
if ! "$B" verify "$L"; then echo "verify failed after $rounds rounds"; exit 1; fi
"$B" show "$L" > "$tmp/show" || exit 1
acked=0
if [ -f "$tmp/acked" ]; then
	while read -r tag; do
		acked=$((acked + 1))
		n=$(grep -c "\.$tag-" "$tmp/show")
		if [ "$n" -ne 200 ]; then
			echo "acknowledged append $tag: $n of 200 entries present"; exit 1
		fi
	done < "$tmp/acked"
fi
# The sidecar index (LEDGER.idx) went through the same kills: every
# acknowledged append must be refused as duplicates through it, and a
# rebuild from the ledger must agree with it on the entry count.
if [ -f "$tmp/acked" ]; then
	tag=$(tail -n 1 "$tmp/acked")
	awk -v tag="$tag" -v n=200 -f "$TOP/tests/data/ledger/gen-events.awk" > "$tmp/in.xml"
	"$B" append -k "$tmp/k" "$L" < "$tmp/in.xml" 2> "$tmp/dup"
	grep -q ": 0 appended, 200 refused as duplicates" "$tmp/dup" ||
	    { echo "index after the kills:"; tail -n 2 "$tmp/dup"; exit 1; }
	"$B" index -u "$L" > "$tmp/iu" || { cat "$tmp/iu"; exit 1; }
	"$B" index "$L" > "$tmp/ir" || { cat "$tmp/ir"; exit 1; }
	[ "$(sed 's/.*: \([0-9]*\) entries.*/\1/' "$tmp/iu")" = \
	  "$(sed 's/.*: \([0-9]*\) entries.*/\1/' "$tmp/ir")" ] ||
	    { echo "index disagrees with its rebuild:"; cat "$tmp/iu" "$tmp/ir"; exit 1; }
fi
echo "ledger-crash: $rounds rounds (one append: $ms ms), $acked acknowledged appends all present, verify ok"
