#!/bin/sh
# Golden tests of the tools: each directory tests/cli/<tool>/<case>/ holds
#
#   cmd      a shell script, run with sh in an empty temporary directory
#   stdin    its standard input (optional; default /dev/null)
#   stdout   the exact expected standard output (optional; default empty)
#   stderr   the exact expected standard error (optional; default empty)
#   status   the expected exit status (optional; default 0)
#
# cmd sees PATH with the tools under test first, and CASE (the case
# directory), DATA (tests/data) and TOP (the repository), all absolute.
# UPDATE=1 rewrites the expected files from what the tools do: read the
# diff before committing it (STYLE.md section 6).
set -u
TOP=${TOP:-$(pwd)}
BIN=${DSCSA_BIN:-$TOP/build/check/bin}
pass=0
fail=0
for c in "$TOP"/tests/cli/*/*/; do
	[ -f "$c/cmd" ] || continue
	c=${c%/}
	name=${c#"$TOP"/tests/cli/}
	tmp=$(mktemp -d)
	in=/dev/null
	[ -f "$c/stdin" ] && in="$c/stdin"
	(cd "$tmp" && PATH="$BIN:$PATH" CASE="$c" DATA="$TOP/tests/data" \
	    TOP="$TOP" LC_ALL=C TZ=UTC sh "$c/cmd" < "$in" > "$tmp/.out" 2> "$tmp/.err")
	st=$?
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/.out" "$c/stdout"; cp "$tmp/.err" "$c/stderr"
		echo "$st" > "$c/status"
		for f in stdout stderr; do [ -s "$c/$f" ] || rm -f "$c/$f"; done
		[ "$st" -eq 0 ] && rm -f "$c/status"
	fi
	want_st=0
	[ -f "$c/status" ] && want_st=$(cat "$c/status")
	ok=1
	[ "$st" -eq "$want_st" ] || { echo "$name: status $st, expected $want_st" >&2; ok=0; }
	for f in stdout stderr; do
		exp=/dev/null
		[ -f "$c/$f" ] && exp="$c/$f"
		got="$tmp/.out"
		[ $f = stderr ] && got="$tmp/.err"
		if ! cmp -s "$exp" "$got"; then
			echo "$name: $f differs:" >&2
			diff "$exp" "$got" | head -n 20 >&2
			ok=0
		fi
	done
	rm -rf "$tmp"
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
