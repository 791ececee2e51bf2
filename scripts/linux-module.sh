#!/usr/bin/env bash
# Builds the FF-A peer test module (tests/linux-guest, docs/LINUX-GUESTS.md)
# out of tree against one guest kernel built by scripts/linux-kernel.sh: its
# source tree and its object directory (the .config and Module.symvers the
# module must match). The sources are copied next to the kernel, so that the
# build leaves nothing in the repository.
#   usage: linux-module.sh <version> <kernel dir, i.e. build-linux/kernel-<version>-<hash>>
# Prints the path of the .ko on its last line.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
ver=$1 kdir=$2
bl=$(dirname "$kdir")
hash=${kdir##*-}
src=$bl/src-$ver obj=$bl/obj-$ver-$hash
test -f "$obj/Module.symvers" || { echo "linux-module: no Module.symvers in $obj (kernel built without modules?)" >&2; exit 1; }
grep -qx CONFIG_MODULES=y "$obj/.config" || { echo "linux-module: $obj has CONFIG_MODULES off" >&2; exit 1; }
mdir=$kdir/ffa-peer-test
rm -rf "$mdir" && mkdir -p "$mdir"
cp "$root/tests/linux-guest/Kbuild" "$root/tests/linux-guest/ffa_peer_test.c" "$mdir/"
make -s -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- M="$mdir" \
  -j"${FFAMED_JOBS:-2}" modules >&2
echo "$mdir/ffa_peer_test.ko"
