#!/bin/sh
# make demo: the end-to-end sample pipeline, growing as the tools land.
set -eu
BUILD=${BUILD:-build}
PATH="$(pwd)/$BUILD/bin:$PATH"
out=$BUILD/demo
rm -rf "$out"
mkdir -p "$out"
echo "demo: no tools yet" >&2
