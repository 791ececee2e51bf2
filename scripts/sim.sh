#!/usr/bin/env bash
# Builds ffamed and runs the simulator on its built-in default system.
# Extra arguments go to `ffamed sim` (try --help, --json).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# Only a C compiler and cmake are needed here (the test dependencies come
# with scripts/test.sh, or scripts/deps.sh on request).
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v "${CC:-cc}" >/dev/null || need+=(gcc)
command -v make >/dev/null || command -v ninja >/dev/null || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  echo "sim.sh: missing ${need[*]}: install them (Debian: apt-get install ${need[*]})" >&2
  exit 1
fi
cmake -S "$root" -B "$root/build" >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target ffamed >/dev/null
exec "$root/build/ffamed" sim "$@"
