#!/usr/bin/env bash
# Runs a script that passes and expects refusals, and checks that nothing
# reached stderr: refusals a script expects are quiet. Usage: quiet.sh
# SCRIPT FFAMED... (FFAMED may be several words: an emulator, then the binary.)
set -u
script=$1
shift
err=$("$@" script "$script" 2>&1 >/dev/null)
rc=$?
if [ "$rc" != 0 ]; then
  echo "quiet: exit status $rc, expected 0"
  exit 1
fi
if [ -n "$err" ]; then
  echo "quiet: stderr was not empty:"
  echo "$err"
  exit 1
fi
echo "quiet: nothing on stderr"
