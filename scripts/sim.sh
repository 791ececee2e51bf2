#!/usr/bin/env bash
# Builds ffamed and runs the simulator on its built-in default system.
# Extra arguments go to `ffamed sim` (try --help, --json).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
cmake -S "$root" -B "$root/build" -DFFAMED_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target ffamed >/dev/null
exec "$root/build/ffamed" sim "$@"
