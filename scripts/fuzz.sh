#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang-14, ASan+UBSan, build-fuzz/) and runs
# each for a bounded time from the committed seed corpus (fuzz/corpus/<h>).
# New inputs go to build-fuzz/corpus/<h>, never into the committed corpus;
# crashes to build-fuzz/artifacts/. Exits non-zero on any crash or leak.
#   scripts/fuzz.sh [SECONDS_PER_HARNESS] [HARNESS...]   (default 60, all)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(fuzz_mediator fuzz_script)
bdir="$root/build-fuzz"

CC=clang-14 cmake -S "$root" -B "$bdir" -DFFAMED_FUZZ=ON -DFFAMED_BUILD_TESTS=OFF >/dev/null || exit 1
cmake --build "$bdir" -j"$(nproc)" --target "${harnesses[@]}" 2>&1 | grep -vE '^\[ *[0-9]+%\]' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for h in "${harnesses[@]}"; do
  mkdir -p "$bdir/corpus/$h" "$bdir/artifacts"
  log="$bdir/$h.log"
  echo "=== $h: ${secs}s"
  # -dict-free, single process: deterministic enough to reproduce a crash
  # from its artifact with `$bdir/fuzz/$h ARTIFACT`.
  "$bdir/fuzz/$h" -max_total_time="$secs" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$bdir/artifacts/$h-" \
    "$bdir/corpus/$h" "$root/fuzz/corpus/$h" >"$log" 2>&1
  rc=$?
  grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|cov:' "$log" | tail -3
  if [ $rc -ne 0 ]; then
    echo "=== $h: FAILED (rc $rc), see $log"
    grep -E 'ERROR|SUMMARY|leak' "$log" | head -10
    status=1
  else
    echo "=== $h: ok"
  fi
done
exit $status
