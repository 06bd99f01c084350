#!/bin/sh
# Prove the README's two commands on a fresh Debian 12: debootstrap a
# minbase root file system with only git and make added, using this
# machine's Debian mirror, clone this repository into it, and run
# `make check` and `make demo` there as root (they install the rest).
#
# usage: scripts/fresh-debian.sh [CACHE]      (as root; needs debootstrap)
# CACHE (default build/fresh-debian/pristine) keeps the untouched
# debootstrap between runs; every run works in a new copy of it, so each
# run starts from git and make only.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$repo/build/fresh-debian/pristine}
root=$(dirname "$cache")/run
mirror=$(sed -n 's/^URIs: *//p; s/^deb \(http[^ ]*\) bookworm .*/\1/p' \
    /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

if [ "$(id -u)" -ne 0 ]; then
	echo "fresh-debian.sh: must run as root" >&2; exit 3
fi
if [ ! -x "$cache/usr/bin/git" ]; then
	command -v debootstrap > /dev/null ||
	    { echo "fresh-debian.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 3; }
	rm -rf "$cache"
	debootstrap --variant=minbase --include=git,make,ca-certificates \
	    bookworm "$cache" "$mirror"
fi
rm -rf "$root"
cp -a "$cache" "$root"
# The chroot gets this machine's apt sources, so it uses the same mirror.
cp /etc/apt/sources.list "$root/etc/apt/" 2>/dev/null || true
mkdir -p "$root/etc/apt/sources.list.d"
cp /etc/apt/sources.list.d/* "$root/etc/apt/sources.list.d/" 2>/dev/null || true

cleanup() {
	umount "$root/proc" 2>/dev/null || true
	umount "$root/dev" 2>/dev/null || true
}
trap cleanup EXIT
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"

rm -rf "$root/src"
git clone -q "$repo" "$root/src/dscsa-tools"
chroot "$root" /bin/sh -c '
	set -e
	cd /src/dscsa-tools
	echo "fresh-debian: installed before: $(dpkg -l | grep -c ^ii) packages"
	make check
	make demo
	echo "fresh-debian: make check and make demo passed"
'
