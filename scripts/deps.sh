#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only if missing.
set -eu
need=()
# clang-14 + libclang-rt-14-dev + libfuzzer-14-dev: the libFuzzer harnesses
# (scripts/fuzz.sh); clang-tidy, valgrind: static and memcheck steps.
for p in cmake make gcc pkg-config libcmocka-dev cppcheck clang-format spin \
         clang-14 libclang-rt-14-dev libfuzzer-14-dev clang-tidy valgrind; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
