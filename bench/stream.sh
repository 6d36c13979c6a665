#!/usr/bin/env bash
# Streaming benchmark: a conjugate model over a 10^7-row CSV
# column (about 91 MB), solved from sufficient statistics in one pass. Reports
# wall time and peak memory of the whole bayes process next to the baseline
# measured in the same run: the simplest C++ loop that reads and sums the same
# file (bench/sum_column.cpp, built here with c++ -O2).
#
#   bash bench/stream.sh [path/to/bayes]      (from the repository root)
#
# The data file is generated once (seeded awk) in ${BENCH_DIR:-/tmp/bayes-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
bayes=$(realpath "${1:-build/bayes}")
dir=${BENCH_DIR:-/tmp/bayes-bench}
mkdir -p "$dir"
csv=$dir/column.csv
if [ ! -f "$csv" ]; then
  echo "generating $csv (10^7 Normal(3, 2) values)"
  awk 'BEGIN { srand(1); print "y";
               for (i = 0; i < 10000000; i++) {
                 u = rand(); v = rand(); if (u < 1e-300) u = 1e-300;
                 printf "%.6f\n", 3 + 2 * sqrt(-2 * log(u)) * cos(6.283185307179586 * v) } }' >"$csv"
fi
c++ -O2 -o "$dir/sum_column" bench/sum_column.cpp
cat >"$dir/stream.model" <<'MODEL'
data y from "column.csv"
param mu ~ Normal(0, 10)
y ~ Normal(mu, 2)
print posterior(mu)
MODEL

measure() {  # prints "seconds kilobytes" of the best of 3 runs
  local best="" line
  for _ in 1 2 3; do
    line=$( { /usr/bin/time -f "%e %M" "$@" >/dev/null; } 2>&1 | tail -n 1)
    if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN { split(a, x); split(b, y); exit !(x[1] < y[1]) }'; then
      best=$line
    fi
  done
  echo "$best"
}

cat "$csv" >/dev/null  # into the page cache for both
read -r base_s base_kb < <(measure "$dir/sum_column" "$csv")
read -r bayes_s bayes_kb < <(cd "$dir" && measure "$bayes" stream.model)
ls -l "$csv" | awk '{ printf "file: %.1f MB, 10^7 rows\n", $5 / 1e6 }'
printf '%-34s %8s %10s\n' "" "wall s" "peak MB"
printf '%-34s %8.2f %10.1f\n' "baseline: read + sum (iostreams)" "$base_s" "$(awk -v k="$base_kb" 'BEGIN { print k / 1024 }')"
printf '%-34s %8.2f %10.1f\n' "bayes stream.model" "$bayes_s" "$(awk -v k="$bayes_kb" 'BEGIN { print k / 1024 }')"
awk -v a="$bayes_s" -v b="$base_s" 'BEGIN { printf "bayes / baseline wall time: %.2fx\n", a / b }'
(cd "$dir" && "$bayes" stream.model)
