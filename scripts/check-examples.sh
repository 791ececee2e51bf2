#!/usr/bin/env bash
# What an adopter does: build and install only the core (no development kit,
# no tests, so no test dependency), then build examples/minimal-port against
# the installed package both ways, through pkg-config and through
# find_package(ffamed), and run it; then the same example with ffamed as a
# subproject (add_subdirectory), checking that none of ffamed's warning
# flags or -Werror reach the parent's target and that no tests are built.
# Build trees: build-examples/.
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
# add_subdirectory
mkdir -p "$b/sub"
cp "$root/examples/minimal-port/minimal_port.c" "$b/sub/"
cat >"$b/sub/CMakeLists.txt" <<EOF2
cmake_minimum_required(VERSION 3.20)
project(parent LANGUAGES C)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(FFAMED_BUILD_DEVKIT OFF)
add_subdirectory("$root" ffamed)
add_executable(minimal_port minimal_port.c)
target_link_libraries(minimal_port PRIVATE ffamed::ffamed)
EOF2
if cmake -S "$b/sub" -B "$b/sub/build" >"$b/sub.log" 2>&1 &&
   cmake --build "$b/sub/build" -j"$jobs" >>"$b/sub.log" 2>&1 &&
   LD_LIBRARY_PATH="$b/sub/build/ffamed" "$b/sub/build/minimal_port" >>"$b/sub.log" 2>&1; then
  cc_line=$(grep -E '"command".*minimal_port\.c' "$b/sub/build/compile_commands.json")
  if echo "$cc_line" | grep -qE -- '-Werror|-Wshadow|-Wmissing-prototypes'; then
    echo "examples (add_subdirectory): ffamed's flags leak into the parent: $cc_line"; status=1
  elif grep -qE -- '-Werror' "$b/sub/build/compile_commands.json"; then
    echo "examples (add_subdirectory): -Werror on ffamed as a subproject"; status=1
  elif [ -d "$b/sub/build/ffamed/tests" ]; then
    echo "examples (add_subdirectory): tests built for a parent project"; status=1
  else
    echo "examples (add_subdirectory): $(tail -1 "$b/sub.log")"
  fi
else
  echo "examples (add_subdirectory): FAILED"; tail -10 "$b/sub.log"; status=1
fi
exit $status
