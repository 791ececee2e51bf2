#!/usr/bin/env bash
# Builds everything and runs the whole test suite:
#   1. the normal build: every cmocka test under ctest, `ffamed sim`, and
#      `ffamed bench --quick` with the trace writers (smoke: no timing);
#   2. the same suite built with ASan+UBSan;
#   3. the concurrent tests (label "concurrent") built with TSan;
#   4. the aarch64 cross build (gcc-aarch64-linux-gnu): the same suite run
#      under qemu-user, `ffamed sim` too, and the freestanding core linked
#      into the bare-metal EL2 port with -nostdlib;
#   5. real Linux guests (6.1 and 7.3) booted through the EL2 port under QEMU
#      (scripts/linux-e2e.sh; FFAMED_E2E=off skips it, saying so;
#      FFAMED_E2E_REQUIRE picks how strict it is, default below);
#   6. OP-TEE's regression suite (xtest, fast subset) in a 7.3 guest on the
#      real TF-A + OP-TEE firmware, through ffamed and with no hypervisor,
#      every case passing on the latter required on the former
#      (scripts/optee-xtest.sh --fast; FFAMED_E2E=off skips it too; skipped
#      with a message when FFAMED_OPTEE_TEST or FFAMED_FIRMWARE is missing,
#      a failure under CI=true);
#   7. valgrind memcheck over the normal build's tests (scripts/valgrind.sh);
#   8. static checks: cppcheck, clang-tidy (scripts/clang-tidy.sh), clang-format;
#   packaging: the exports list, the public headers next to a host FF-A
#      header and from C++, the examples against the installed core (both
#      ways), the compile-time switches, every build type with gcc and clang,
#      the installed freestanding core for aarch64;
#   9. each libFuzzer harness for FFAMED_FUZZ_SECONDS (default 60; 0 skips),
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
  cmake -S "$root" -B "$root/$1" -DFFAMED_SANITIZE="$2" -DFFAMED_BUILD_TESTS=ON >/dev/null &&
  cmake --build "$root/$1" -j"$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^-- ' ; return "${PIPESTATUS[0]}"
}

step "build" build build ""
step "tests" ctest --test-dir "$root/build" --output-on-failure -j"$jobs"
step "ffamed sim" "$root/build/ffamed" sim
step "ffamed --version" "$root/build/ffamed" --version
# Packaging (docs/BUILDING.md).
step "exports: shared libraries against scripts/exports/" "$root/scripts/check-exports.sh" "$root/build"
step "public headers: host FF-A names, C++" ctest --test-dir "$root/build" -L headers --output-on-failure
step "examples: installed core through pkg-config and find_package" "$root/scripts/check-examples.sh" "$jobs"
step "compile-time switches: each off, mediator tests" "$root/scripts/check-config-switches.sh" "$jobs"
step "build types x {gcc, clang}, warning-free" "$root/scripts/check-build-types.sh" "$jobs"
step "freestanding core for aarch64, installed" "$root/scripts/check-freestanding-lib.sh" \
     "$root/cmake/toolchain-aarch64-linux-gnu.cmake" "$jobs"
# Benchmarks and traces as smoke tests: every call must answer as expected,
# and the files must be well formed. No timing is asserted anywhere.
smoke_bench_trace() {
  local tmp rc=0; tmp=$(mktemp -d)
  "$root/build/ffamed" bench --quick >/dev/null &&
  "$root/build/ffamed" bench --quick --json >"$tmp/bench.json" &&
  python3 -m json.tool "$tmp/bench.json" >/dev/null &&
  python3 "$root/scripts/plot-bench.py" "$tmp/bench.json" "$tmp/plots" &&
  "$root/build/ffamed" sim --trace "$tmp/trace.json" --mermaid "$tmp/seq.md" >/dev/null &&
  python3 -m json.tool "$tmp/trace.json" >/dev/null &&
  # A .md gets the diagram fenced, so that Markdown renders it.
  head -1 "$tmp/seq.md" | grep -qx '```mermaid' &&
  sed -n 2p "$tmp/seq.md" | grep -qx sequenceDiagram &&
  tail -1 "$tmp/seq.md" | grep -qx '```' || rc=1
  rm -rf "$tmp"; return $rc
}
step "ffamed bench --quick, traces" smoke_bench_trace
step "valgrind memcheck" "$root/scripts/valgrind.sh" "$root/build" "$jobs"

step "build asan+ubsan" build build-asan asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "tests asan+ubsan" ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"
step "ffamed sim asan+ubsan" "$root/build-asan/ffamed" sim
step "ffamed bench asan+ubsan" "$root/build-asan/ffamed" bench --quick

step "build tsan" build build-tsan tsan
# ASLR off: TSan needs its fixed shadow layout on high-entropy kernels.
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
step "tests tsan (concurrent)" setarch "$(uname -m)" -R ctest --test-dir "$root/build-tsan" \
     -L concurrent --output-on-failure -j"$jobs"

build_aarch64() {
  "$root/scripts/apt-fetch.sh" "$root/build-aarch64/apt" bookworm arm64 \
    "$root/build-aarch64/sysroot" libcmocka0 libcmocka-dev &&
  cmake -S "$root" -B "$root/build-aarch64" \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64-linux-gnu.cmake" -DFFAMED_BUILD_TESTS=ON >/dev/null &&
  cmake --build "$root/build-aarch64" -j"$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^-- ' ; return "${PIPESTATUS[0]}"
}
step "build aarch64 (cross; freestanding core; EL2 port)" build_aarch64
# The Promela model is architecture-independent: the native run covers it.
step "tests aarch64 (qemu-user)" ctest --test-dir "$root/build-aarch64" -E '^model_' \
     --output-on-failure -j"$jobs"
step "ffamed sim aarch64 (qemu-user)" qemu-aarch64 -L /usr/aarch64-linux-gnu \
     "$root/build-aarch64/ffamed" sim

# Every check of the issue, MEM_SHARE/MEM_RECLAIM from Linux included.
export FFAMED_E2E_REQUIRE=${FFAMED_E2E_REQUIRE:-all}
step "linux guests e2e (6.1, 7.3 through the EL2 port; require=$FFAMED_E2E_REQUIRE)" \
     "$root/scripts/linux-e2e.sh"
# Two guests at once (docs/LINUX-GUESTS.md, "Multi-guest"): the peer test
# module's VM-to-VM counts exact, each guest's OP-TEE, clean teardown.
step "two linux guests VM-to-VM (6.1, 7.3; software SPMC and OP-TEE nsvirt)" \
     env FFAMED_E2E_MULTI=all FFAMED_E2E_TIMEOUT=180 "$root/scripts/linux-e2e.sh"
step "two linux guests the policy keeps apart: refusals (6.1, 7.3)" \
     env FFAMED_E2E_MULTI=1 FFAMED_E2E_MULTI_DENY=1 FFAMED_E2E_TIMEOUT=180 "$root/scripts/linux-e2e.sh"
# Three guests: VMs 1 and 2 talk while each of them and VM 3 are refused.
step "three linux guests: one pair talks, the policy refuses the others (6.1, 7.3)" \
     env FFAMED_E2E_MULTI=three FFAMED_E2E_TIMEOUT=180 "$root/scripts/linux-e2e.sh"
step "OP-TEE xtest, fast subset (7.3 guest, real firmware: through ffamed vs no hypervisor)" \
     "$root/scripts/optee-xtest.sh" --fast

# The layering rule over the host build and the EL2 port's: no call cycle
# between files (docs/ARCHITECTURE.md).
cycles() {
  local dirs=("$root/build"); [ -d "$root/build-el2" ] && dirs+=("$root/build-el2")
  python3 "$root/scripts/check-file-cycles.py" "${dirs[@]}"
}
step "file-level call cycles" cycles
step "cppcheck" cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
     --enable=warning,performance,portability -I "$root/include" \
     "$root/src" "$root/tools" "$root/fuzz"
step "clang-tidy" "$root/scripts/clang-tidy.sh" "$root/build"
# tests/linux-guest is a Linux kernel module: it follows the kernel's style.
fmt_check() {
  local files; files=$(cd "$root" && git ls-files '*.c' '*.h' ':!tests/linux-guest/*' 2>/dev/null ||
    find src include tools tests -name '*.[ch]' -not -path 'tests/linux-guest/*')
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
