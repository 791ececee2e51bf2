#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/check-file-cycles.py finds a cycle it is shown, and passes a graph
# without one: two files compiled into a CMake-shaped object tree.
# usage: check_file_cycles.sh <repo root> <cc>
set -eu
root=$1 cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$root/tests/tool/cycles
mk() { # tree a.c b.c
  mkdir -p "$tmp/$1/CMakeFiles/t.dir/tests/tool/cycles"
  "$cc" -c -o "$tmp/$1/CMakeFiles/t.dir/tests/tool/cycles/a.c.o" "$src/$2"
  "$cc" -c -o "$tmp/$1/CMakeFiles/t.dir/tests/tool/cycles/$3.o" "$src/$3"
}
# tests/ objects are left out of real checks: --all keeps them here.
mk loop a.c b_calls_a.c
mk line a.c b_leaf.c
if python3 "$root/scripts/check-file-cycles.py" --all --verbose "$tmp/loop" >"$tmp/out" 2>&1; then
  echo "FAIL: a cycle a.c <-> b.c passed"; cat "$tmp/out"; exit 1
fi
grep -q "cycle of 2 files" "$tmp/out" || { echo "FAIL: no cycle reported"; cat "$tmp/out"; exit 1; }
grep -q "cycles/a.c -> tests/tool/cycles/b_calls_a.c: b" "$tmp/out" || { echo "FAIL: edges not shown"; cat "$tmp/out"; exit 1; }
python3 "$root/scripts/check-file-cycles.py" --all "$tmp/line" >"$tmp/out" 2>&1 ||
  { echo "FAIL: a.c -> b.c (no cycle) failed"; cat "$tmp/out"; exit 1; }
echo "check-file-cycles: a cycle found, a line passed"
