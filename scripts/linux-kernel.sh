#!/usr/bin/env bash
# Builds one guest kernel for the EL2 port: arm64 allnoconfig plus
# scripts/linux-guest.config, cached by a hash of everything that decides the
# result (fragment, source tarball, compiler), so a rerun is instant.
#   usage: linux-kernel.sh <version> <source .tar.xz>
# Prints the path of the Image on its last line.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
ver=$1 tarball=$2
bl=${FFAMED_LINUX_BUILD:-$root/build-linux}
frag=$root/scripts/linux-guest.config
jobs=${FFAMED_JOBS:-$(nproc)}
cross=aarch64-linux-gnu-
hash=$( { cat "$frag"; echo "$ver"; stat -c '%s %Y' "$tarball"; basename "$tarball";
          ${cross}gcc --version | head -1; } | sha256sum | cut -c1-12)
out=$bl/kernel-$ver-$hash
if [ -f "$out/Image" ]; then echo "$out/Image"; exit 0; fi

src=$bl/src-$ver
if [ ! -f "$src/.extracted" ]; then
  echo "extracting $(basename "$tarball")" >&2
  rm -rf "$src" && mkdir -p "$src"
  tar -xf "$tarball" -C "$src" --strip-components=1
  touch "$src/.extracted"
fi
obj=$bl/obj-$ver-$hash
mkdir -p "$obj"
mk() { make -s -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE=$cross "$@"; }
start=$(date +%s)
echo "configuring Linux $ver ($hash)" >&2
mk allnoconfig >/dev/null
(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" .config "$frag" >/dev/null)
mk olddefconfig >/dev/null
missing=0
while read -r line; do
  case $line in CONFIG_*=y) grep -qx "$line" "$obj/.config" || { echo "not set: $line" >&2; missing=1; } ;; esac
done <"$frag"
[ $missing = 0 ] || exit 1
echo "building Linux $ver Image (-j$jobs)" >&2
mk -j"$jobs" Image >&2
# Module.symvers, which out-of-tree modules (scripts/linux-module.sh) link against.
mk -j"$jobs" modules >&2
mkdir -p "$out"
cp "$obj/arch/arm64/boot/Image" "$obj/.config" "$out/"
echo "Linux $ver built in $(( $(date +%s) - start )) s" >&2
echo "$out/Image"
