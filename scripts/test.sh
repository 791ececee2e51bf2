#!/usr/bin/env bash
# Builds everything and runs the whole test suite:
#   1. the normal build: every cmocka test under ctest, and `ffamed sim`;
#   2. the same suite built with ASan+UBSan;
#   3. the concurrent tests (label "concurrent") built with TSan;
#   4. valgrind memcheck over the normal build's tests (scripts/valgrind.sh);
#   5. static checks: cppcheck, clang-tidy (scripts/clang-tidy.sh), clang-format;
#   6. each libFuzzer harness for FFAMED_FUZZ_SECONDS (default 60; 0 skips),
#      clang-14 with ASan+UBSan (scripts/fuzz.sh).
# Exits non-zero if anything fails.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/deps.sh" || exit 1

started=$(date +%s)
failed=0
steps_passed=0
steps_failed=0
step() { # name, command...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then steps_passed=$((steps_passed + 1)); echo "=== $name: ok"
  else steps_failed=$((steps_failed + 1)); failed=1; echo "=== $name: FAILED"; fi
}

build() { # dir, sanitizer
  cmake -S "$root" -B "$root/$1" -DFFAMED_SANITIZE="$2" >/dev/null &&
  cmake --build "$root/$1" -j"$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^-- ' ; return "${PIPESTATUS[0]}"
}

step "build" build build ""
step "tests" ctest --test-dir "$root/build" --output-on-failure -j"$jobs"
step "ffamed sim" "$root/build/ffamed" sim
step "valgrind memcheck" "$root/scripts/valgrind.sh" "$root/build" "$jobs"

step "build asan+ubsan" build build-asan asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "tests asan+ubsan" ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"
step "ffamed sim asan+ubsan" "$root/build-asan/ffamed" sim

step "build tsan" build build-tsan tsan
# ASLR off: TSan needs its fixed shadow layout on high-entropy kernels.
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
step "tests tsan (concurrent)" setarch "$(uname -m)" -R ctest --test-dir "$root/build-tsan" \
     -L concurrent --output-on-failure -j"$jobs"

step "cppcheck" cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
     --enable=warning,performance,portability -I "$root/include" \
     "$root/src" "$root/tools" "$root/fuzz"
step "clang-tidy" "$root/scripts/clang-tidy.sh" "$root/build"
fmt_check() {
  local files; files=$(cd "$root" && git ls-files '*.c' '*.h' 2>/dev/null || find src include tools tests -name '*.[ch]')
  (cd "$root" && clang-format --dry-run -Werror $files)
}
step "clang-format" fmt_check

fuzz_secs=${FFAMED_FUZZ_SECONDS:-60}
if [ "$fuzz_secs" -gt 0 ]; then
  step "fuzz (${fuzz_secs}s per harness)" "$root/scripts/fuzz.sh" "$fuzz_secs"
fi

echo
echo "wall time: $(( $(date +%s) - started )) s"
echo "test steps: $steps_passed passed, $steps_failed failed"
exit $failed
