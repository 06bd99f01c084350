#!/bin/sh
# dscsa-label --check catches a symbol that does not carry the data.
#
# A shim preloaded in front of libzint (built here from a few lines of C)
# lets zint encode as usual, then damages the bitmap of every symbol whose
# data holds "[21]BAD": for the first such item it blanks the solid left
# edge of the finder pattern (no symbol any more), for the second it makes
# zint encode a serial one letter off (a clean symbol with the wrong
# data: an encoder bug).  (Damage to a few data modules would not do:
# Reed-Solomon corrects it, and the data is still right.)  The run must
# print one SUSPECT line for each of those items (file:line), write no file
# for them, write the good items' files, and exit 1.  Without --check the
# same run exits 0 and writes all the files: only the check can tell.
set -u
BIN=${DSCSA_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

cat > "$tmp/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
#include <zint.h>

static int nbad;

int
ZBarcode_Encode_and_Buffer(struct zint_symbol *s, const unsigned char *src,
    int len, int rot)
{
	int (*real)(struct zint_symbol *, const unsigned char *, int, int) =
	    (int (*)(struct zint_symbol *, const unsigned char *, int, int))
	    dlsym(RTLD_NEXT, "ZBarcode_Encode_and_Buffer");
	char other[512];
	size_t n = len > 0 ? (size_t)len : strlen((const char *)src);
	const char *bad;
	int rc, w, h, p;

	if (n >= sizeof(other))
		return real(s, src, len, rot);
	memcpy(other, src, n);
	other[n] = '\0';
	if ((bad = strstr(other, "[21]BAD")) == NULL)
		return real(s, src, len, rot);
	if (nbad++ % 2 == 1) {
		other[bad - other + 4] = 'C';	/* BAD2 -> CAD2 */
		return real(s, (const unsigned char *)other, (int)n, rot);
	}
	rc = real(s, src, len, rot);
	w = s->bitmap_width;
	h = s->bitmap_height;
	p = w / (s->width + 2);
	for (int y = p; rc == 0 && y < h - p; y++)
		memset(s->bitmap + y * w + p, '0', (size_t)p);
	return rc;
}
C
cc -shared -fPIC -o "$tmp/shim.so" "$tmp/shim.c" -ldl || { echo "cannot build the shim" >&2; exit 1; }

cat > "$tmp/items" <<'I'
[01]00312345678906[17]271231[10]A1[21]GOOD1
[01]00312345678906[17]271231[10]A1[21]BAD1
[01]00312345678906[17]271231[10]A1[21]GOOD2
[01]00312345678906[17]271231[10]A1[21]BAD2
I
mkdir "$tmp/a" "$tmp/b"
# ASan wants to be first in the library list; the shim must be first here.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
LD_PRELOAD="$tmp/shim.so" "$BIN/dscsa-label" -c -f svg -o "$tmp/a" \
    "$tmp/items" 2> "$tmp/err"
st=$?
[ "$st" -eq 1 ] || { echo "status $st, want 1" >&2; fail=1; }
cat "$tmp/err"
grep -c "SUSPECT" "$tmp/err" | grep -qx 2 || { echo "want 2 SUSPECT lines" >&2; fail=1; }
grep -q "^dscsa-label: $tmp/items:2: SUSPECT " "$tmp/err" || fail=1
grep -q "^dscsa-label: $tmp/items:4: SUSPECT " "$tmp/err" || fail=1
[ "$(ls "$tmp/a" | tr '\n' ' ')" = "GOOD1.svg GOOD2.svg " ] ||
    { echo "files: $(ls "$tmp/a")" >&2; fail=1; }

ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
LD_PRELOAD="$tmp/shim.so" "$BIN/dscsa-label" -f svg -o "$tmp/b" "$tmp/items" ||
    { echo "without --check the damage goes unnoticed, yet the run failed" >&2; fail=1; }
[ "$(ls "$tmp/b" | wc -l)" -eq 4 ] || fail=1
exit $fail
