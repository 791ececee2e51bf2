#!/usr/bin/env bash
# The installed freestanding core for a cross toolchain (docs/PORTING.md,
# "Linking the core"): configure with FFAMED_FREESTANDING=ON, build, install,
# and check that the library needs from the host nothing but the C memory
# functions (and compiler support routines). Build tree: build-freestanding/.
#   scripts/check-freestanding-lib.sh [TOOLCHAIN_FILE] [JOBS]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tc=${1:-$root/cmake/toolchain-aarch64-linux-gnu.cmake}
jobs=${2:-$(nproc)}
b="$root/build-freestanding"
rm -rf "$b"
cmake -S "$root" -B "$b" -DCMAKE_TOOLCHAIN_FILE="$tc" -DFFAMED_FREESTANDING=ON \
  -DCMAKE_BUILD_TYPE=Release >"$b.log" 2>&1 &&
cmake --build "$b" -j"$jobs" >>"$b.log" 2>&1 &&
cmake --install "$b" --prefix "$b/prefix" >>"$b.log" 2>&1 ||
  { echo "freestanding core: build/install FAILED"; tail -20 "$b.log"; exit 1; }
lib="$b/prefix/lib/libffamed-freestanding.a"
[ -f "$lib" ] || { echo "freestanding core: $lib not installed"; exit 1; }
nm=$(grep -E '^CMAKE_NM:' "$b/CMakeCache.txt" | cut -d= -f2)
[ -x "$nm" ] || nm=nm
# Defined somewhere in the archive: not needed from outside.
defined=$("$nm" --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
undef=$("$nm" -u "$lib" 2>/dev/null | awk 'NF==2 {print $2}' | sort -u | comm -23 - <(echo "$defined"))
bad=$(echo "$undef" | grep -vE '^(memcpy|memmove|memset|memcmp|__.*)$' | grep . || true)
if [ -n "$bad" ]; then
  echo "freestanding core: needs from the host more than memcpy/memmove/memset/memcmp:"
  echo "$bad"; exit 1
fi
echo "freestanding core: $(basename "$lib") installed; needs: $(echo $undef)"
