#!/usr/bin/env bash
# What an adopter does: build and install only the core (no development kit,
# no tests, so no test dependency), then build examples/minimal-port against
# the installed package both ways, through pkg-config and through
# find_package(ffamed), and run it. Build trees: build-examples/.
#   scripts/check-examples.sh [JOBS]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${1:-$(nproc)}
b="$root/build-examples"
prefix="$b/prefix" # not the build's CMAKE_INSTALL_PREFIX: the .pc files must follow
for tool in cmake pkg-config make; do
  command -v $tool >/dev/null || { echo "check-examples: $tool not found: install $tool"; exit 1; }
done
rm -rf "$b" && mkdir -p "$b"
cmake -S "$root" -B "$b/core" -DFFAMED_BUILD_DEVKIT=OFF -DFFAMED_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Release >"$b/core.log" 2>&1 &&
cmake --build "$b/core" -j"$jobs" >>"$b/core.log" 2>&1 &&
cmake --install "$b/core" --prefix "$prefix" >>"$b/core.log" 2>&1 ||
  { echo "check-examples: core build/install FAILED"; tail -20 "$b/core.log"; exit 1; }
# The core alone: no development kit, no threads library.
if [ -e "$prefix/lib/libffamed-devkit.so" ] || grep -q pthread "$prefix/lib/pkgconfig/ffamed.pc"; then
  echo "check-examples: the core install carries the development kit"; exit 1
fi
status=0
export LD_LIBRARY_PATH="$prefix/lib"
# pkg-config
cp -r "$root/examples/minimal-port" "$b/pc"
if PKG_CONFIG_PATH="$prefix/lib/pkgconfig" make -s -C "$b/pc" >"$b/pc.log" 2>&1 &&
   "$b/pc/minimal_port" >>"$b/pc.log" 2>&1; then
  echo "examples (pkg-config): $(tail -1 "$b/pc.log")"
else
  echo "examples (pkg-config): FAILED"; tail -10 "$b/pc.log"; status=1
fi
# find_package
if cmake -S "$root/examples/minimal-port" -B "$b/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
     >"$b/cmake.log" 2>&1 && cmake --build "$b/cmake" >>"$b/cmake.log" 2>&1 &&
   "$b/cmake/minimal_port" >>"$b/cmake.log" 2>&1; then
  echo "examples (find_package): $(tail -1 "$b/cmake.log")"
else
  echo "examples (find_package): FAILED"; tail -10 "$b/cmake.log"; status=1
fi
exit $status
