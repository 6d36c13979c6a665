#!/usr/bin/env bash
# Builds the libFuzzer target and fuzzes the parser and checker.
#
#   bash tests/fuzz/run.sh [SECONDS]      (from the repository root; default 60)
#
# Configures build-fuzz/ with clang, runs fuzz_parser for SECONDS on a copy of
# tests/fuzz/corpus (so the seed corpus in the repository is never modified)
# with tests/fuzz/model.dict, and exits non-zero on any crash, sanitizer
# report, leak, timeout (hang) or out-of-memory. The failing input is kept in
# build-fuzz/fuzz-artifacts/<date>/ and printed; reproduce it with
#   build-fuzz/tests/fuzz/fuzz_parser build-fuzz/fuzz-artifacts/<date>/crash-...
# Extra libFuzzer flags may be passed in FUZZ_FLAGS (e.g. FUZZ_FLAGS=-seed=1);
# BUILD_DIR overrides the build directory.
set -euo pipefail

seconds=${1:-60}
case $seconds in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=${BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DBAYES_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target fuzz_parser -j "$(nproc 2>/dev/null || echo 2)"

fuzzer=$build/tests/fuzz/fuzz_parser
artifacts=$build/fuzz-artifacts/$(date +%Y%m%d-%H%M%S)
mkdir -p "$artifacts"

work=$(mktemp -d "${TMPDIR:-/tmp}/bayes-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp tests/fuzz/corpus/* "$work/corpus/"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
# shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
"$fuzzer" "$work/corpus" \
  -dict=tests/fuzz/model.dict \
  -max_len=4096 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
  -max_total_time="$seconds" -print_final_stats=1 -print_funcs=0 \
  -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} || status=$?

if [ "$status" -ne 0 ]; then
  echo "fuzz_parser failed (exit status $status); failing inputs:" >&2
  for f in "$artifacts"/*; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    od -c "$f" | head -40 >&2
  done
  exit "$status"
fi
rmdir "$artifacts" 2>/dev/null || true
echo "fuzz_parser: no failures in ${seconds}s"
