#!/usr/bin/env bash
# Second command of the README (and what .ci/run runs): builds and runs the
# whole test suite.
#   1. the Release build (g++, -Wall -Wextra -Werror) and every ctest test;
#   2. the same suite built by clang with AddressSanitizer and
#      UndefinedBehaviorSanitizer (any report fails the test);
#   3. 60 seconds of libFuzzer on the parser and checker (same build).
#   --quick   only step 1
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

echo "=== AddressSanitizer + UndefinedBehaviorSanitizer build (clang) and tests"
CC=clang CXX=clang++ cmake -S . -B build-san -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DBAYES_SANITIZE=ON -DBAYES_FUZZ=ON >/dev/null
cmake --build build-san -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-san --output-on-failure -j"$jobs" -E '^clang-format$'

echo "=== libFuzzer on the parser and checker, 60 s"
BUILD_DIR=build-san bash tests/fuzz/run.sh 60

echo "=== all tests passed"
