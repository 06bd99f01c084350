#!/bin/sh
# Hostile and broken XML against dscsa-epcis read, hash, canon and convert,
# through both front ends (the own scanner, and libxml2 with --validate;
# epcis_read.c invariants 1-4, epcis_scan.c invariants 1-6): XXE, billion
# laughs, parameter entities, external DTDs, 10,000-deep nesting, a huge
# text node, and the DSCSA example truncated at 40 places.  Each must be
# refused with exit 2 (1 for a validity error), within 20 seconds, without
# a crash or sanitizer report, and must not touch the network or the files
# it names.  Writing to a full disk must give exit 3.  Env: DSCSA_BIN
# (tools), TOP (the repository).
set -u
BIN=${DSCSA_BIN:-$TOP/build/check/bin}
E="$BIN/dscsa-epcis"
export DSCSA_SCHEMAS="$TOP/schemas"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

expect() {	# name want-status file [command...]
	name=$1 want=$2 f=$3
	shift 3
	[ $# -eq 0 ] && set -- read
	n=$((n + 1))
	timeout 20 "$E" "$@" "$f" > "$tmp/out" 2> "$tmp/err"
	st=$?
	if [ "$st" -ne "$want" ]; then
		echo "FAIL $name ($*): status $st, want $want" >&2
		head -c 300 "$tmp/err" >&2
		fail=1
	elif grep -q "root:" "$tmp/out"; then
		echo "FAIL $name: file content leaked into the output" >&2
		fail=1
	elif [ "$want" -ne 0 ] && ! grep -q "^dscsa-epcis: .*: " "$tmp/err"; then
		echo "FAIL $name: no 'dscsa-epcis: file: message' line" >&2
		fail=1
	fi
}

head='<?xml version="1.0"?>'
doc_open='<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2026-12-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>'
doc_close='<eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>ADD</action></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>'

# XXE: an external entity naming a local file, and one naming a URL
printf '%s\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n%s<eventTime>&x;</eventTime>%s\n' \
    "$head" "$doc_open" "$doc_close" > "$tmp/xxe.xml"
printf '%s\n<!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>\n%s<eventTime>&x;</eventTime>%s\n' \
    "$head" "$doc_open" "$doc_close" > "$tmp/xxe-net.xml"
# billion laughs
{
	printf '%s\n<!DOCTYPE d [\n<!ENTITY l0 "lol">\n' "$head"
	i=1
	while [ $i -le 12 ]; do
		p=$((i - 1))
		printf '<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">\n' \
		    $i $p $p $p $p $p $p $p $p $p $p
		i=$((i + 1))
	done
	printf ']>\n%s<eventTime>&l12;</eventTime>%s\n' "$doc_open" "$doc_close"
} > "$tmp/laughs.xml"
# parameter entities and an external DTD
printf '%s\n<!DOCTYPE d [<!ENTITY %% p SYSTEM "file:///etc/passwd"> %%p;]>\n<d/>\n' \
    "$head" > "$tmp/pe.xml"
printf '%s\n<!DOCTYPE d SYSTEM "http://127.0.0.1:9/epcis.dtd">\n%s<eventTime>2026-12-01T00:00:00Z</eventTime>%s\n' \
    "$head" "$doc_open" "$doc_close" > "$tmp/extdtd.xml"
printf '%s\n<!DOCTYPE d PUBLIC "-//X//DTD X//EN" "file:///etc/passwd">\n<d/>\n' \
    "$head" > "$tmp/pubdtd.xml"
# an undeclared entity
printf '%s%s<eventTime>&nope;</eventTime>%s\n' "$head" "$doc_open" "$doc_close" \
    > "$tmp/undeclared.xml"
# 10,000-deep nesting, inside an event and at the top
awk -v o="$doc_open" 'BEGIN { printf "%s", o; for (i = 0; i < 10000; i++) printf "<x>"; \
    for (i = 0; i < 10000; i++) printf "</x>"; print "</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>" }' \
    > "$tmp/deep.xml"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "<x>"; for (i = 0; i < 10000; i++) printf "</x>"; print "" }' \
    > "$tmp/deep-top.xml"
# a 12 MB text node (over libxml2's 10 MB limit without XML_PARSE_HUGE)
{
	printf '%s%s<eventTime>' "$head" "$doc_open"
	head -c 12000000 /dev/zero | tr '\0' 'a'
	printf '</eventTime>%s\n' "$doc_close"
} > "$tmp/huge.xml"
# binary junk and a wrong encoding
head -c 4096 /dev/urandom > "$tmp/junk.xml" 2>/dev/null || printf '\001\002' > "$tmp/junk.xml"
printf '<?xml version="1.0" encoding="x-no-such"?>\n<d/>\n' > "$tmp/enc.xml"

for f in xxe xxe-net laughs pe extdtd pubdtd undeclared deep deep-top huge junk enc; do
	expect "$f" 2 "$tmp/$f.xml" read
	expect "$f" 2 "$tmp/$f.xml" hash
	expect "$f" 2 "$tmp/$f.xml" convert --to 1.2
done
# the same through the libxml2 SAX2 + XSD path
for f in xxe xxe-net laughs pe extdtd pubdtd undeclared deep-top huge junk enc; do
	expect "$f validate" 2 "$tmp/$f.xml" read --validate
	expect "$f validate" 2 "$tmp/$f.xml" hash --validate
done
# an element where the XSD has none: the validator says so first
expect "deep validate" 1 "$tmp/deep.xml" read --validate

# the DSCSA example truncated at 40 places: always refused, never a crash
ex="$TOP/tests/data/epcis/examples/dscsa-1.2/GS1_US_Pharma_Example_2_2_1_1.xml"
size=$(wc -c < "$ex")
i=1
while [ $i -le 40 ]; do
	cut=$((size * i / 41))
	head -c "$cut" "$ex" > "$tmp/trunc.xml"
	expect "truncated at $cut" 2 "$tmp/trunc.xml" read
	expect "truncated at $cut" 2 "$tmp/trunc.xml" canon
	i=$((i + 1))
done
expect "whole example" 0 "$ex" read --validate

# a full disk is a system error
if [ -w /dev/full ]; then
	n=$((n + 1))
	"$E" read "$ex" > /dev/full 2> "$tmp/err"
	st=$?
	if [ $st -ne 3 ]; then
		echo "FAIL /dev/full: status $st, want 3" >&2
		fail=1
	fi
fi
echo "epcis-hostile: $n runs"
exit $fail
