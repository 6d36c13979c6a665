#!/usr/bin/env bash
# Builds one libFuzzer target and fuzzes it.
#
#   bash tests/fuzz/run.sh [SECONDS] [TARGET]   (from the repository root)
#
# SECONDS defaults to 60, TARGET to fuzz_parser (the parser and checker);
# the others are fuzz_engine (queries answered, reports rendered) and
# fuzz_repl (a piped REPL session): tests/fuzz/README.md.
# Configures build-fuzz/ with clang, builds TARGET, runs it for SECONDS on a
# copy of its seeds (so the seed corpora in the repository are never
# modified) with tests/fuzz/model.dict, and exits non-zero on any crash,
# sanitizer report, leak, timeout (hang) or out-of-memory. The seeds:
# tests/fuzz/corpus for every target; for fuzz_engine also examples/*.model
# and tests/models/*.model; for fuzz_repl those and tests/repl/*.repl and
# tests/fuzz/corpus_repl. The failing input is kept in
# build-fuzz/fuzz-artifacts/<date>/ and printed; reproduce it with
#   build-fuzz/tests/fuzz/TARGET build-fuzz/fuzz-artifacts/<date>/crash-...
# Extra libFuzzer flags may be passed in FUZZ_FLAGS (e.g. FUZZ_FLAGS=-seed=1);
# BUILD_DIR overrides the build directory.
set -euo pipefail

seconds=${1:-60}
target=${2:-fuzz_parser}
case $seconds in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS] [fuzz_parser|fuzz_engine|fuzz_repl]" >&2; exit 2 ;;
esac
# The longest input generated: the engine and the REPL skip inputs above
# 2048 bytes (their caps, tests/fuzz/README.md).
case $target in
  fuzz_parser) max_len=4096 ;;
  fuzz_engine | fuzz_repl) max_len=2048 ;;
  *) echo "usage: $0 [SECONDS] [fuzz_parser|fuzz_engine|fuzz_repl]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=${BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DBAYES_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target "$target" -j "$(nproc 2>/dev/null || echo 2)"

fuzzer=$build/tests/fuzz/$target
artifacts=$build/fuzz-artifacts/$(date +%Y%m%d-%H%M%S)
mkdir -p "$artifacts"

work=$(mktemp -d "${TMPDIR:-/tmp}/bayes-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp tests/fuzz/corpus/* "$work/corpus/"
# The same name in two seed folders (coin.model) is kept twice.
seed() {
  local f
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$work/corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  return 0
}
case $target in
  fuzz_engine) seed examples/*.model tests/models/*.model ;;
  fuzz_repl) seed examples/*.model tests/models/*.model tests/repl/*.repl tests/fuzz/corpus_repl/* ;;
esac

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
# shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
"$fuzzer" "$work/corpus" \
  -dict=tests/fuzz/model.dict \
  -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
  -max_total_time="$seconds" -print_final_stats=1 -print_funcs=0 \
  -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} || status=$?

if [ "$status" -ne 0 ]; then
  echo "$target failed (exit status $status); failing inputs:" >&2
  for f in "$artifacts"/*; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    od -c "$f" | head -40 >&2
  done
  exit "$status"
fi
rmdir "$artifacts" 2>/dev/null || true
echo "$target: no failures in ${seconds}s"
