#!/bin/sh
# scripts/deps.sh: install what satori needs to build and test on Debian 12
# (only what is missing; busybox-static, cpio and linux-image-amd64 are for
# the real-guest tests in testsuite/satori.linux/, tmux for the typing
# test there), then configure and build in ./build.
set -e
need=""
for pkg in autoconf automake libtool pkg-config make gcc libcapstone-dev zlib1g-dev \
           libsdl2-dev dejagnu expect qemu-system-x86 binutils bc acpica-tools \
           busybox-static cpio linux-image-amd64 tmux; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
cd "$(dirname "$0")/.."
[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -j2
