#!/usr/bin/env bash
# The shared libraries export exactly the public API: the dynamic symbols of
# each must equal its committed list in scripts/exports/ (docs/ABI.md). A
# symbol added to the API is added to the list in the same commit; one that
# disappears is an ABI break.
#   scripts/check-exports.sh BUILD_DIR [--update]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=${1:?usage: check-exports.sh BUILD_DIR [--update]}
command -v nm >/dev/null || { echo "check-exports: nm not found: install binutils"; exit 1; }
status=0
for lib in libffamed libffamed-devkit; do
  so="$bdir/$lib.so"
  list="$root/scripts/exports/$lib.txt"
  if [ ! -f "$so" ]; then
    [ "$lib" = libffamed ] && { echo "check-exports: no $so"; exit 1; }
    continue # built without the development kit
  fi
  got=$(nm -D --defined-only "$so" | awk '{print $3}' | LC_ALL=C sort)
  if [ "${2:-}" = --update ]; then
    printf '%s\n' "$got" >"$list"
    continue
  fi
  if ! diff -u "$list" <(printf '%s\n' "$got") >/tmp/check-exports.$$ 2>&1; then
    echo "check-exports: $lib.so exports differ from scripts/exports/$lib.txt (- list, + library):"
    grep -E '^[-+][^-+]' /tmp/check-exports.$$ || true
    status=1
  else
    echo "check-exports: $lib.so: $(printf '%s\n' "$got" | wc -l) symbols, as listed"
  fi
  rm -f /tmp/check-exports.$$
done
exit $status
