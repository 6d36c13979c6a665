#!/usr/bin/env bash
# Start-up benchmark: a small model answered, process start
# to exit. Runs each command N times (default 300) in the same shell loop and
# reports the mean wall time per run, next to two baselines measured in the
# same run: /bin/true (the cost of fork + exec alone) and `bayes --version`
# (loading the bayes executable and its shared libraries, no model).
#
#   bash bench/startup.sh [path/to/bayes]     (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
bayes=${1:-build/bayes}
n=${N:-300}

per_run_us() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo $(((end - start) / n / 1000))
}

per_run_us "$bayes" examples/coin.model >/dev/null  # warm the page cache
base=$(per_run_us /bin/true)
version=$(per_run_us "$bayes" --version)
check=$(per_run_us "$bayes" check examples/coin.model)
coin=$(per_run_us "$bayes" examples/coin.model)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
printf '%-36s %9s %14s\n' "command ($n runs each)" "wall/run" "vs /bin/true"
printf '%-36s %7d us %14s\n' "/bin/true" "$base" "1.0x"
printf '%-36s %7d us %13sx\n' "bayes --version" "$version" "$(ratio "$version" "$base")"
printf '%-36s %7d us %13sx\n' "bayes check examples/coin.model" "$check" "$(ratio "$check" "$base")"
printf '%-36s %7d us %13sx\n' "bayes examples/coin.model" "$coin" "$(ratio "$coin" "$base")"
if [ "$coin" -lt 5000 ]; then
  echo "coin.model answered in $coin us: under the 5 ms target"
else
  echo "coin.model answered in $coin us: OVER the 5 ms target"
fi
