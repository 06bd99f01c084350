#!/bin/sh
# usage: sh scripts/ccflags.sh CC
# Prints two lines for config.mk: the size-saving compile and link flags
# that CC and its linker accept (tried on a small program, warnings fatal),
# so that a compiler or linker without them still builds.
#   -ffunction-sections -fdata-sections + --gc-sections: code of a library
#       object that a tool never calls is left out of that tool;
#   -z pack-relative-relocs: relative relocations as a bitmap (RELR), so a
#       PIE tool maps about 70 KB less at start-up (GNU ld >= 2.38 with
#       glibc >= 2.36).
set -u
cc=${1:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'static int unused(void) { return 1; }\nint main(void) { return 0; }\n' \
    > "$tmp/t.c"
try() {	# compile-flags link-flags: does a program build and run with them?
	$cc $1 -Werror -c -o "$tmp/t.o" "$tmp/t.c" 2>/dev/null &&
	    $cc $2 -Wl,--fatal-warnings -o "$tmp/t" "$tmp/t.o" 2>/dev/null &&
	    "$tmp/t"
}
cflags= ldflags=
if try "-ffunction-sections -fdata-sections" "-Wl,--gc-sections"; then
	cflags="-ffunction-sections -fdata-sections"
	ldflags="-Wl,--gc-sections"
fi
if try "" "-Wl,-z,pack-relative-relocs"; then
	ldflags="$ldflags -Wl,-z,pack-relative-relocs"
fi
echo "SIZE_CFLAGS = $cflags"
echo "SIZE_LDFLAGS = $ldflags"
