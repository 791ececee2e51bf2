#!/usr/bin/env bash
# Every build type with gcc and clang builds warning-free under -Werror:
# the libraries and the ffamed command in each; gcc Release also builds the
# tests (optimisation finds warnings the default build does not, e.g. gcc's
# -Wdangling-pointer). gcc RelWithDebInfo is the main build of
# scripts/test.sh (everything, tests included), so it is not repeated here.
# Build trees: build-types/<cc>-<type>.
#   scripts/check-build-types.sh [JOBS]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${1:-$(nproc)}
status=0
mkdir -p "$root/build-types"
for cc in gcc clang; do
  command -v "$cc" >/dev/null || { echo "check-build-types: $cc not found: install $cc"; exit 1; }
  for type in Debug Release RelWithDebInfo MinSizeRel; do
    [ "$cc-$type" = gcc-RelWithDebInfo ] && continue
    tests=OFF
    [ "$cc-$type" = gcc-Release ] && tests=ON
    b="$root/build-types/$cc-$type"
    if CC=$cc cmake -S "$root" -B "$b" -DCMAKE_BUILD_TYPE=$type -DFFAMED_BUILD_TESTS=$tests \
         -DFFAMED_WERROR=ON >/dev/null &&
       cmake --build "$b" -j"$jobs" >"$b.log" 2>&1; then
      echo "$cc $type (tests $tests): ok"
    else
      echo "$cc $type (tests $tests): FAILED"; grep -E 'error|warning' "$b.log" | head -20
      status=1
    fi
  done
done
exit $status
