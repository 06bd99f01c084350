#!/bin/sh
# make bench, image: read rates of the decode cascade on seeded degraded
# labels (bench/degrade.c), per category, beside dmtxread (dmtx-utils, one
# process per image, as a shell pipeline uses it) and zxing-cpp (Debian's
# python3-zxing-cpp 1.4, through /usr/bin/python3) on the same images,
# the union of those two, and the wrong payloads each accepted (must be 0
# for ours).  Also the known-geometry fast path's rate against a libdmtx
# search on the same clean labels (bench/image_fast.c).
#
# Env: IMAGE_BENCH_N images per category (default 15), IMAGE_BENCH_SEED
# (default 1), IMAGE_BENCH_MS per-image time limit for ours and dmtxread
# (default 1000).
set -u
BUILD=${DSCSA_BUILD:-build/bench}
N=${IMAGE_BENCH_N:-15}
SEED=${IMAGE_BENCH_SEED:-1}
MS=${IMAGE_BENCH_MS:-1000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$BUILD/bench/degrade" -o "$dir" -n "$N" -s "$SEED" || exit 1
echo "degraded labels: $N per category, seed $SEED, ${MS} ms per image"

/usr/bin/time -f %M -o "$dir/rss" "$BUILD/bench/image_read" -t "$MS" "$dir" \
    > "$dir/ours.tsv" || exit 1

# dmtxread: GS1 mode with FNC1 shown as GS; the leading one is dropped.
while IFS="$(printf '\t')" read -r f cat hex; do
	got=$(dmtxread -N1 -G 29 -m "$MS" "$dir/$f" 2>/dev/null |
	    od -An -tx1 | tr -d ' \n')
	got=${got#1d}
	if [ -z "$got" ]; then v=miss
	elif [ "$got" = "$hex" ]; then v=ok
	else v=wrong; fi
	printf '%s\t%s\t%s\n' "$f" "$cat" "$v"
done < "$dir/manifest.tsv" > "$dir/dmtx.tsv"

if /usr/bin/python3 -c 'import zxingcpp, numpy' 2>/dev/null; then
	/usr/bin/python3 bench/image_zxing.py "$dir" > "$dir/zxing.tsv"
else
	echo "zxing-cpp: python3-zxing-cpp not installed, column empty"
	: > "$dir/zxing.tsv"
fi

awk -F'\t' -v rss="$(cat "$dir/rss")" '
FILENAME ~ /ours/ { cat[$1] = $2; o[$1] = $3; ms += $4; n++
	if (!($2 in seen)) { seen[$2] = 1; order[++nc] = $2 } }
FILENAME ~ /dmtx/ { d[$1] = $3 }
FILENAME ~ /zxing/ { z[$1] = $3 }
END {
	printf "%-14s %5s %6s %9s %9s %6s %s\n", "category", "n", "ours",
	    "dmtxread", "zxing-cpp", "union", "wrong(ours/dmtx/zxing)"
	for (f in cat) {
		c = cat[f]; tot[c]++
		if (o[f] == "ok") ok[c]++
		if (d[f] == "ok") dk[c]++
		if (z[f] == "ok") zk[c]++
		if (d[f] == "ok" || z[f] == "ok") un[c]++
		if (o[f] == "wrong") ow[c]++
		if (d[f] == "wrong") dw[c]++
		if (z[f] == "wrong") zw[c]++
	}
	for (i = 1; i <= nc; i++) {
		c = order[i]
		printf "%-14s %5d %6d %9d %9d %6d %d/%d/%d\n", c, tot[c],
		    ok[c], dk[c], zk[c], un[c], ow[c], dw[c], zw[c]
		T += tot[c]; O += ok[c]; D += dk[c]; Z += zk[c]; U += un[c]
		OW += ow[c]; DW += dw[c]; ZW += zw[c]
	}
	printf "%-14s %5d %6d %9d %9d %6d %d/%d/%d\n", "all", T, O, D, Z, U,
	    OW, DW, ZW
	printf "read rate: ours %.1f%%, dmtxread %.1f%%, zxing-cpp %.1f%%, " \
	    "union %.1f%%; ours/union %.2f\n", 100 * O / T, 100 * D / T,
	    100 * Z / T, 100 * U / T, U ? O / U : 0
	printf "ours: %.1f ms per image on average, peak RSS %d KB " \
	    "(parent; each decode runs in a forked child)\n", ms / n, rss
}' "$dir/ours.tsv" "$dir/dmtx.tsv" "$dir/zxing.tsv"

if [ -x "$BUILD/bench/image_fast" ]; then
	/usr/bin/time -f "image_fast peak RSS %M KB" "$BUILD/bench/image_fast"
fi
