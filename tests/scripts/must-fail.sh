#!/usr/bin/env bash
# Runs a script that must fail and checks HOW it fails: the exit status
# ("# expect-exit: N") and, for mismatches, exactly the failing lines
# ("# expect-fail-lines: L..."); for a script error, where it is reported
# ("# expect-error-at: FILE:LINE", FILE relative to the script's directory,
# or "# expect-error-line: LINE" in the script itself). Usage: must-fail.sh SCRIPT FFAMED...
# (FFAMED may be several words: an emulator, then the binary.)
set -u
script=$1
shift
want_exit=$(sed -n 's/^# expect-exit: *//p' "$script")
want_lines=$(sed -n 's/^# expect-fail-lines: *//p' "$script")
want_at=$(sed -n 's/^# expect-error-at: *//p' "$script")
want_line=$(sed -n 's/^# expect-error-line: *//p' "$script")
if [ -n "$want_line" ]; then
  want_at="$(basename "$script"):$want_line"
fi
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
if [ -n "$want_at" ] && ! echo "$out" | grep -q "$want_at: error: "; then
  echo "must-fail: no error reported at $want_at"
  exit 1
fi
if [ "$want_exit" = 2 ] && [ -z "$want_at" ]; then
  echo "must-fail: an exit-2 script must say where its error is (expect-error-line)"
  exit 1
fi
echo "must-fail: failed as expected"
