#!/usr/bin/env bash
# valgrind memcheck over every test executable of the normal build, plus
# `ffamed sim` and `ffamed script` on the committed scripts: any memcheck
# error or definite/indirect leak fails. Runs N at a time (default 2).
#   scripts/valgrind.sh [BUILD_DIR] [JOBS]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=${1:-$root/build}
jobs=${2:-2}
logdir="$bdir/valgrind"
mkdir -p "$logdir"
rm -f "$logdir"/*.log

run_one() { # name, command...
  local name=$1; shift
  local log="$logdir/$name.log"
  if FFAMED_LOG=error valgrind --quiet --error-exitcode=1 --leak-check=full \
       --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
       --track-origins=no --log-file="$log.vg" "$@" >"$log" 2>&1; then
    echo "ok   $name"
  else
    echo "FAIL $name (see $log.vg)"
    tail -30 "$log.vg"
    return 1
  fi
}
export -f run_one
export logdir

list() {
  for t in "$bdir"/tests/*_test_*; do
    [ -x "$t" ] && echo "$(basename "$t") $t"
  done
  echo "ffamed_sim $bdir/ffamed sim"
  for s in "$root"/tests/scripts/*.ffs; do
    echo "script_$(basename "$s" .ffs) $bdir/ffamed script $s"
  done
  for s in "$root"/tests/conformance/*.ffs; do
    echo "script_conformance_$(basename "$s" .ffs) $bdir/ffamed script $s"
  done
}
start=$(date +%s)
list | xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ > "$logdir/summary.txt"
status=$?
cat "$logdir/summary.txt"
n=$(wc -l < "$logdir/summary.txt")
f=$(grep -c '^FAIL' "$logdir/summary.txt")
echo "valgrind: $n programs, $f failed, $(( $(date +%s) - start )) s"
[ "$status" -eq 0 ] && [ "$f" -eq 0 ]
