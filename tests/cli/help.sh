#!/bin/sh
# Each tool's --help starts with its man page's SYNOPSIS, verbatim up to
# white space (STYLE.md section 7); --version exits 0; a bad option exits 2.
set -u
TOP=${TOP:-$(pwd)}
BIN=${DSCSA_BIN:-$TOP/build/check/bin}
fail=0
norm() { tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }
for t in "$BIN"/dscsa-*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	page="$TOP/man/man1/$n.1"
	if [ ! -f "$page" ]; then echo "$n: no man page" >&2; fail=1; continue; fi
	want=$(groff -mdoc -Tascii -P-cbou -rLL=250n "$page" 2>/dev/null |
	    awk '/^SYNOPSIS/ {on=1; next} /^[A-Z][A-Z ]*$/ {on=0} on' | norm)
	got=$("$t" --help | awk 'NR==1 {sub(/^usage: /, "")} /^$/ {exit} {print}' | norm)
	if [ "$want" != "$got" ]; then
		echo "$n: --help does not match the SYNOPSIS of $n.1:" >&2
		echo "  man:  $want" >&2
		echo "  help: $got" >&2
		fail=1
	fi
	"$t" --version > /dev/null || { echo "$n: --version failed" >&2; fail=1; }
	"$t" --no-such-option > /dev/null 2>&1
	[ $? -eq 2 ] || { echo "$n: a bad option does not exit 2" >&2; fail=1; }
done
exit $fail
