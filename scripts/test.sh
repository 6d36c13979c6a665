#!/usr/bin/env bash
# Second command of the README (and what .ci/run runs): builds and runs the
# whole test suite.
#   1. the Release build (g++, -Wall -Wextra -Werror) and every ctest test;
#   2. the same suite built by clang with AddressSanitizer and
#      UndefinedBehaviorSanitizer (any report fails the test);
#   3. 60 seconds of libFuzzer on the parser and checker, the engines and the
#      REPL (same build, run beside the tests of step 2);
#   4. the browser build (scripts/build-web.sh) and its check in headless
#      Chromium (web/test/check.mjs: the course's answers in the page equal
#      the native binary's byte for byte; its screenshot is in
#      build-web/browser-check/).
#   --quick   only step 1
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
jobs=$(nproc)
# A new build directory uses Ninja (an existing one keeps its generator).
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}

if [ $quick -eq 1 ]; then bash scripts/install-deps.sh; else bash scripts/install-deps.sh --web; fi

echo "=== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

[ $quick -eq 1 ] && exit 0

echo "=== the browser build (WebAssembly) and its check in headless Chromium"
bash scripts/build-web.sh
node web/test/check.mjs build/bayes build-web/browser-check

echo "=== AddressSanitizer + UndefinedBehaviorSanitizer build (clang)"
CC=clang CXX=clang++ cmake -S . -B build-san -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DBAYES_SANITIZE=ON -DBAYES_FUZZ=ON >/dev/null
cmake --build build-san -j"$jobs"

# libFuzzer is one process: it runs beside the sanitizer suite, which runs at
# a lower priority, so the fuzzer keeps a core to itself for its 60 s while
# the tests share the other (and take both once it is done). Its output is
# printed after the tests'.
echo "=== the same suite under the sanitizers, beside 60 s of libFuzzer (parser, engines, REPL)"
# The three targets in turn (tests/fuzz/README.md): the parser and checker
# (the fastest, 25 s), the engines and reports (20 s: its seeds replay in
# about 3 s) and the piped REPL (15 s, mostly a replay of its seeds).
fuzz_log=build-san/fuzz.log
{
  s=0
  BUILD_DIR=build-san bash tests/fuzz/run.sh 25 fuzz_parser || s=1
  BUILD_DIR=build-san bash tests/fuzz/run.sh 20 fuzz_engine || s=1
  BUILD_DIR=build-san bash tests/fuzz/run.sh 15 fuzz_repl || s=1
  exit $s
} >"$fuzz_log" 2>&1 &
fuzz_pid=$!
trap 'kill "$fuzz_pid" 2>/dev/null || true' EXIT
tests_status=0
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  nice -n 10 ctest --test-dir build-san --output-on-failure -j"$jobs" -E '^clang-format$' ||
  tests_status=$?
fuzz_status=0
wait "$fuzz_pid" || fuzz_status=$?
trap - EXIT
echo "=== libFuzzer on the parser, the engines and the REPL, 60 s"
cat "$fuzz_log"
if [ "$tests_status" -ne 0 ] || [ "$fuzz_status" -ne 0 ]; then
  echo "=== failed: sanitizer suite exit status $tests_status, libFuzzer $fuzz_status" >&2
  exit 1
fi

echo "=== all tests passed"
