#!/bin/sh
# dscsa-label: labels read back by decoders and renderers that are not ours.
#
# 30 seeded random DSCSA items (CSET 82 serials and lots, any valid date,
# written in a non-compact AI order) are rendered with --check as
#   a  8-bit PNG, 4 dots/module;
#   b  1-bit PNG, 2 dots/module, HRI block beside the symbol (not below:
#      Debian's zxing-cpp 1.4.0 only finds a Data Matrix that crosses the
#      image's centre lines, and a small symbol above four lines does not);
#   c  ZPL ^GFA, 3 dots/module (turned into a PGM by label-oracle.py);
# and, for every third item,
#   d  SVG, HRI below, rasterised by rsvg-convert (librsvg) at the
#      SVG's own physical size, 300 dpi;
#   e  EPS, HRI beside, rasterised by Ghostscript at 300 dpi.
# Every label must be read back, to the exact GS1 raw message in compact
# order, by dmtxread (dmtx-utils: libdmtx's own scan, ImageMagick
# loading); a, b, c and e also by zxing-cpp (python3-zxing-cpp, with a PNG
# reader of its own).  A missing decoder or renderer fails the test.
set -u
BIN=${DSCSA_BIN:?}
TOP=${TOP:?}
PY=/usr/bin/python3	# Debian's, which has the zxing-cpp module
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

command -v dmtxread > /dev/null || { echo "dmtxread missing" >&2; exit 1; }
command -v gs > /dev/null || { echo "ghostscript missing" >&2; exit 1; }
command -v rsvg-convert > /dev/null || { echo "rsvg-convert missing" >&2; exit 1; }
$PY -c 'import zxingcpp, numpy' || { echo "python3-zxing-cpp missing" >&2; exit 1; }

# items.txt: item lines; want.txt: the expected raw message in hex.
cd "$tmp" || exit 1
awk -v n=30 'BEGIN {
	srand(42)
	cs = "!\"%&'\''()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
	for (i = 0; i < 256; i++) ord[sprintf("%c", i)] = i
	for (k = 0; k < n; k++) {
		g = ""; sum = 0
		for (i = 0; i < 13; i++) {
			dg = int(rand() * 10); g = g dg
			sum += dg * (i % 2 == 0 ? 3 : 1)
		}
		g = g ((10 - sum % 10) % 10)
		lot = ""; len = 1 + int(rand() * 20)
		for (i = 0; i < len; i++) lot = lot substr(cs, 1 + int(rand() * length(cs)), 1)
		sn = ""; len = 1 + int(rand() * 20)
		for (i = 0; i < len; i++) sn = sn substr(cs, 1 + int(rand() * length(cs)), 1)
		ex = sprintf("%02d%02d%02d", 26 + int(rand() * 10), 1 + int(rand() * 12), int(rand() * 29))
		print "[01]" g "[10]" lot "[17]" ex "[21]" sn > "items.txt"
		raw = "01" g "17" ex "10" lot "\035" "21" sn
		h = ""
		for (i = 1; i <= length(raw); i++) h = h sprintf("%02x", ord[substr(raw, i, 1)])
		print h > "want.txt"
	}
}' </dev/null || { echo "awk failed" >&2; exit 1; }

i=0
nd=0
: > "$tmp/list"
while IFS= read -r item; do
	i=$((i + 1))
	want=$(sed -n "${i}p" "$tmp/want.txt")
	printf '%s\n' "$item" > "$tmp/one"
	cfgs="a b c"
	[ $((i % 3)) -eq 0 ] && cfgs="a b c d e"
	for cfg in $cfgs; do
		case $cfg in
		a) opts="-f png --module-px 4"; ext=png ;;
		b) opts="-f png --png-bits 1 --module-px 2 --hri right"; ext=png ;;
		c) opts="-f zpl --zpl-mode graphic --module-px 3"; ext=zpl ;;
		d) opts="-f svg --module-px 4 --hri below"; ext=svg ;;
		e) opts="-f eps --module-px 4 --hri right"; ext=eps ;;
		esac
		f="$tmp/$i$cfg.$ext"
		# shellcheck disable=SC2086
		if ! "$BIN/dscsa-label" -c $opts -o - < "$tmp/one" > "$f"; then
			echo "item $i ($cfg): dscsa-label failed: $item" >&2
			fail=1
			continue
		fi
		img=$f
		case $ext in
		zpl)	img="$tmp/$i$cfg.pgm"
			$PY "$TOP/tests/reliability/label-oracle.py" pgm "$f" "$img" ||
			    fail=1 ;;
		svg)	img="$tmp/$i$cfg.png"
			rsvg-convert -b white -d 300 -p 300 -o "$img" "$f" ||
			    fail=1 ;;
		eps)	img="$tmp/$i$cfg.png"
			gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pnggray -r300 \
			    -dEPSCrop -sOutputFile="$img" "$f" || fail=1 ;;
		esac
		case $ext in
		zpl)	printf '%s\t%s\n' "$f" "$want" >> "$tmp/list" ;;
		png|eps) printf '%s\t%s\n' "$img" "$want" >> "$tmp/list" ;;
		esac
		nd=$((nd + 1))
		got=$(dmtxread -N1 -G 29 -r 300 "$img" | od -An -tx1 | tr -d ' \n')
		if [ "$got" != "1d$want" ]; then
			echo "item $i ($cfg): dmtxread gave '$got', want '1d$want'" >&2
			fail=1
		fi
	done
done < "$tmp/items.txt"
[ "$i" -eq 30 ] || { echo "only $i items" >&2; fail=1; }
echo "dmtxread: $nd labels checked"
$PY "$TOP/tests/reliability/label-oracle.py" zxing "$tmp/list" || fail=1
exit $fail
