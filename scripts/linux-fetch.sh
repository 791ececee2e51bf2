#!/usr/bin/env bash
# Fetches what the Linux guest test needs that is not an installed package,
# into the download cache $dl (default build-linux/dl):
#   busybox-static:arm64 (bookworm)         -> $dl/busybox/bin/busybox
#   linux-source-7.3     (trixie-backports) -> $dl/linux-source-7.3/usr/src/linux-source-7.3.tar.xz
# (linux-source-6.1 is an installed package: /usr/src/linux-source-6.1.tar.xz.)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dl=${FFAMED_LINUX_DL:-${FFAMED_LINUX_BUILD:-$root/build-linux}/dl}
"$root/scripts/apt-fetch.sh" "$dl/apt" bookworm arm64 "$dl/busybox" busybox-static
test -x "$dl/busybox/bin/busybox"
if [[ " ${FFAMED_E2E_KERNELS:-6.1 7.3} " == *" 7.3 "* ]]; then
  "$root/scripts/apt-fetch.sh" "$dl/apt" trixie-backports amd64 "$dl/linux-source-7.3" linux-source-7.3
  test -f "$dl/linux-source-7.3/usr/src/linux-source-7.3.tar.xz"
fi
