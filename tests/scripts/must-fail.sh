#!/usr/bin/env bash
# Runs a script that must fail and checks HOW it fails: the exit status
# ("# expect-exit: N") and, for mismatches, exactly the failing lines
# ("# expect-fail-lines: L..."). Usage: must-fail.sh SCRIPT FFAMED...
# (FFAMED may be several words: an emulator, then the binary.)
set -u
script=$1
shift
want_exit=$(sed -n 's/^# expect-exit: *//p' "$script")
want_lines=$(sed -n 's/^# expect-fail-lines: *//p' "$script")
out=$("$@" script "$script" 2>&1)
rc=$?
echo "$out"
if [ "$rc" != "$want_exit" ]; then
  echo "must-fail: exit status $rc, expected $want_exit"
  exit 1
fi
got_lines=$(echo "$out" | sed -n 's/^.*\.ffs:\([0-9]*\): FAIL:.*/\1/p' | tr '\n' ' ' | sed 's/ $//')
if [ "$got_lines" != "$want_lines" ]; then
  echo "must-fail: failing lines '$got_lines', expected '$want_lines'"
  exit 1
fi
echo "must-fail: failed as expected"
