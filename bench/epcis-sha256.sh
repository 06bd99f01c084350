#!/bin/sh
# make bench, SHA-256: bench/epcis_sha256.c hashes 64-byte, 1 KB and 4 KB
# inputs with the own SHA-256 (libcommon/sha256.c: SHA-NI where the CPU
# has it, and the portable code) and with OpenSSL's EVP in the same run;
# MB/s per CPU second and the ratio own/OpenSSL (target: >= 1 on 4 KB), the
# first digest's cost in a process, and peak RSS of a process that only
# hashes.  Never fails on a number.
# Env: SHA256_BENCH_MB (default 200 MB per size and implementation).
set -u
MB=${SHA256_BENCH_MB:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -f '%M' -o "$tmp/time" "$DSCSA_BUILD/bench/epcis_sha256" "$MB" || exit 1
echo "sha256 bench peak RSS $(cat "$tmp/time") KB (links OpenSSL for the baseline)"
