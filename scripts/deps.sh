#!/bin/sh
# Install the Debian packages dscsa-tools needs, if any are missing.
#
# Called by the make targets that build or test (make, check, demo, bench).
# As root: one non-interactive "apt-get update" and install of what is
# missing.  Not root: one line naming the missing packages, exit 3.
# Every issue that adds a dependency adds its package to PACKAGES, with the
# reason in the commit.
set -eu

PACKAGES="
gcc
libc6-dev
make
pkg-config
libxml2-dev
libxml2-utils
libssl-dev
libpng-dev
libsqlite3-dev
libzint-dev
libdmtx-dev
libcunit1-dev
groff-base
dmtx-utils
time
python3-zxing-cpp
python3-numpy
ghostscript
librsvg2-bin
"

missing=""
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages (run as root, or: apt-get install$missing)" >&2
	exit 3
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
