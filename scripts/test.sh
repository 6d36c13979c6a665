#!/usr/bin/env bash
# Second command of the README (and what .ci/run runs): build and run the
# whole test suite with ctest, then again built with AddressSanitizer and
# UndefinedBehaviorSanitizer, then fuzz the parser for 60 seconds.
#   --quick   only the Release build and its tests
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
jobs=$(nproc)

bash scripts/install-deps.sh

echo "=== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

[ $quick -eq 1 ] && exit 0

echo "=== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBAYES_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

if [ -f tests/fuzz/run.sh ]; then
  echo "=== libFuzzer on the parser, 60 s"
  bash tests/fuzz/run.sh 60
fi

echo "=== all tests passed"
