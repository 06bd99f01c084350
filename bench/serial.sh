#!/bin/sh
# make bench: dscsa-serial.  10,000,000 serials without a registry (target:
# under 3 s), against a baseline of reading the same number of bytes from
# /dev/urandom; then serials through an SQLite registry.  Prints rates,
# ratios and peak RSS; never fails on a number.
set -u
BIN=${DSCSA_BIN:?}
N=${SERIAL_BENCH_N:-10000000}
NREG=${SERIAL_BENCH_REGISTRY_N:-200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args="-g 00312345678906 -l A1B2C3 -e 2099-12-31 --today 2060-01-01"

timed() {	# out-file command...: "seconds peak-KiB" into out-file
	out=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$out" "$@"
}

# One line is "[01]...[21]" (42 bytes), 12 symbols and '\n'.
bytes=$((N * 55))
timed "$tmp/t.serial" sh -c "'$BIN/dscsa-serial' $args -n $N > /dev/null" ||
    { echo "serial: dscsa-serial failed" >&2; exit 1; }
timed "$tmp/t.base" sh -c "head -c $bytes /dev/urandom > /dev/null"
read s_sec s_rss s_u s_s < "$tmp/t.serial"
read b_sec b_rss b_u b_s < "$tmp/t.base"
awk -v n="$N" -v s="$s_sec" -v r="$s_rss" -v b="$b_sec" -v by="$bytes" \
    -v cpu="$s_u $s_s" 'BEGIN {
	split(cpu, c, " ")
	printf "serial: %d serials in %.2f s = %.0f serials/s (CPU %.2f s user + %.2f s sys), peak RSS %d KiB\n",
	    n, s, (s > 0 ? n / s : 0), c[1], c[2], r
	printf "serial: baseline head -c %d /dev/urandom: %.2f s; ratio %.2f\n",
	    by, b, (b > 0 ? s / b : 0)
}'

timed "$tmp/t.reg" sh -c "'$BIN/dscsa-serial' $args -n $NREG --registry '$tmp/reg.db' > /dev/null" ||
    { echo "serial: dscsa-serial --registry failed" >&2; exit 1; }
timed "$tmp/t.reg0" sh -c "'$BIN/dscsa-serial' $args -n $NREG > /dev/null"
read g_sec g_rss g_u g_s < "$tmp/t.reg"
read z_sec z_rss z_u z_s < "$tmp/t.reg0"
awk -v n="$NREG" -v s="$g_sec" -v r="$g_rss" -v b="$z_sec" 'BEGIN {
	printf "serial: %d serials with --registry in %.2f s = %.0f serials/s, peak RSS %d KiB; ratio %.1f against the same count without\n",
	    n, s, (s > 0 ? n / s : 0), r, (b > 0 ? s / b : 0)
}'
