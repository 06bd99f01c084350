#!/bin/sh
# kill -9 dscsa-serial in the middle of a registry batch, at growing
# delays (libcommon/serial.h invariants 2 and 3): each batch is in the
# registry completely or not at all; nothing is printed before its commit;
# the registry stays usable and later runs never repeat a serial.
set -eu
BIN=${DSCSA_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
reg="$tmp/reg.db"
n=20000
base="-g 00312345678906 -l L1 -e 2027-12-31 --today 2026-12-01 --registry $reg"

issued() {	# the registry's count, from the capacity refusal's message
	"$BIN/dscsa-serial" $base --alphabet digits --length 1 -n 1 2>&1 |
	    sed -n 's/.*(\([0-9]*\) already issued).*/\1/p'
}

prev=0
killed=0
: > "$tmp/all"
for delay in 0 0.01 0.02 0.05 0.1 0.15 0.2 0.3 0.5 0.8; do
	# The shell opens a background job's redirections in the child: a
	# kill before that would leave no file to count.
	: > "$tmp/out"
	"$BIN/dscsa-serial" $base --alphabet upper --length 10 -n $n \
	    > "$tmp/out" 2> "$tmp/err" &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1)) || true
	wait "$pid" 2>/dev/null || true
	now=$(issued)
	lines=$(wc -l < "$tmp/out")
	if [ -z "$now" ]; then
		echo "FAIL: registry unreadable after kill at $delay s" >&2
		issued >&2 || true
		exit 1
	fi
	if [ "$now" -eq "$prev" ]; then
		if [ "$lines" -ne 0 ]; then
			echo "FAIL: $lines lines printed, batch not committed ($delay s)" >&2
			exit 1
		fi
	elif [ "$now" -ne $((prev + n)) ]; then
		echo "FAIL: registry went from $prev to $now, a partial batch ($delay s)" >&2
		exit 1
	fi
	cat "$tmp/out" >> "$tmp/all"
	prev=$now
done
# A complete run afterwards, then no serial twice anywhere.
"$BIN/dscsa-serial" $base --alphabet upper --length 10 -n $n >> "$tmp/all"
[ "$(issued)" -eq $((prev + n)) ] || { echo "FAIL: last run not registered" >&2; exit 1; }
dups=$(sort "$tmp/all" | uniq -d | wc -l)
[ "$dups" -eq 0 ] || { echo "FAIL: $dups serials repeated" >&2; exit 1; }
echo "serial-kill: $killed kills, registry at $((prev + n)), all batches whole"
