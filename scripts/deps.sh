#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only if missing.
# The Linux guest end-to-end test (scripts/linux-e2e.sh) needs more; they are
# installed unless FFAMED_E2E=off. Files that are not installed as packages
# (busybox-static:arm64, linux-source-7.3 from trixie-backports) are fetched
# by scripts/linux-fetch.sh into the build tree, never by touching /etc/apt.
set -eu
pkgs=(cmake make gcc pkg-config libcmocka-dev cppcheck clang-format spin)
# valgrind: callgrind and its client-request header (ffamed bench --callgrind);
# python3: scripts/plot-bench.py and the trace JSON check.
pkgs+=(valgrind python3)
# aarch64 cross build, unit tests under qemu-user, the EL2 port under QEMU.
pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user qemu-system-arm)
if [ "${FFAMED_E2E:-on}" != off ]; then
  # Kernel builds and the initramfs.
  pkgs+=(device-tree-compiler linux-source-6.1 flex bison bc libssl-dev libelf-dev cpio
         xz-utils kmod)
fi
need=()
# clang-14 + libclang-rt-14-dev + libfuzzer-14-dev: the libFuzzer harnesses
# (scripts/fuzz.sh); clang-tidy: the static step.
pkgs+=(clang-14 libclang-rt-14-dev libfuzzer-14-dev clang-tidy)
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
