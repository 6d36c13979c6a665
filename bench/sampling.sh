#!/usr/bin/env bash
# The sampler against Stan: for each non-conjugate model of
# tests/fixtures/sampling, bayes's default answer (importance sampling or
# NUTS, 4 chains of 1000 + 1000) timed from process start to exit (median of
# farm-bench's runs, on the idle machine and again with one core held by a
# busy loop), the smallest bulk ESS over its parameters, and the ESS per
# second; beside it Stan's (rstan, the same settings, chains two at a time,
# the sampling call's wall time, compilation excluded: bench/stan_ess.R), and
# the ratio of the two rates. Also checks each answer against the long Stan
# references (means within 4 combined Monte Carlo errors).
#
#   bash bench/sampling.sh [path/to/bayes]     (from the repository root; about 15 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
bayes=$(readlink -f "${1:-build/bayes}")
runs=${RUNS:-5}
dir=tests/fixtures/sampling
models=$(/usr/bin/python3 -c "import json; print(' '.join(m['name'] for m in json.load(open('$dir/stan_reference.json'))))")

median() { awk '$1 == "A" && $2 == "wall" && $3 == "s" {print $5}'; }
stan=$(Rscript bench/stan_ess.R $models 2>/dev/null)
printf '%-22s %-10s %8s %8s %9s %9s %8s %8s %8s %9s %7s\n' model method "wall (s)" "busy (s)" "min ESS" "ESS/s" \
  "Stan (s)" "chains" "Stan ESS" "ESS/s" "ratio"
for name in $models; do
  wall=$(cd "$dir" && farm-bench -n "$runs" --timeout 600 -- "$bayes" "$name.model" 2>&1 | median)
  sh -c 'while :; do :; done' &
  busy_pid=$!
  busy=$(cd "$dir" && farm-bench -n "$runs" --timeout 600 -- "$bayes" "$name.model" 2>&1 | median)
  kill "$busy_pid"
  json=$(cd "$dir" && "$bayes" "$name.model" --json)
  read -r method ess <<<"$(echo "$json" | /usr/bin/python3 -c '
import json, sys
rs = json.load(sys.stdin)["results"]
ess = []
for r in rs:
    v = r["diagnostics"]["ess_bulk"]
    ess += v if isinstance(v, list) else [v]
print(rs[0]["method"], min(ess))')"
  echo "$json" | /usr/bin/python3 tests/fixtures/sampling/check_against_stan.py "$name" >&2
  read -r _ stan_wall stan_ess stan_chains <<<"$(echo "$stan" | awk -v n="$name" '$1 == n')"
  # Stan's rate from its chains' own time (no process start-up): the fairer to Stan.
  printf '%-22s %-10s %8s %8s %9.0f %9.0f %8.2f %8.2f %8.0f %9.0f %6.2fx\n' "$name" "$method" "$wall" "$busy" \
    "$ess" "$(echo "$ess / $wall" | bc -l)" "$stan_wall" "$stan_chains" "$stan_ess" \
    "$(echo "$stan_ess / $stan_chains" | bc -l)" "$(echo "($ess / $wall) / ($stan_ess / $stan_chains)" | bc -l)"
done
