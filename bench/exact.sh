#!/usr/bin/env bash
# Exact posteriors beyond the conjugate table: each model answered from
# process start to exit (median of farm-bench's runs), next to two baselines
# measured in the same run, pair by pair: `bayes check` of the same model
# (parse and check only) and `--method numeric` (the Laplace answer the exact
# one replaced).
#
#   bash bench/exact.sh [path/to/bayes]     (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
bayes=$(readlink -f "${1:-build/bayes}")
runs=${RUNS:-10}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The models: the quadrature fixtures' texts (one posterior of the outer
# scale each), the discrete sums' (a change point, an unknown n: the posterior
# of the discrete unknown), and two flat-prior regressions.
/usr/bin/python3 - "$dir" <<'PY'
import json, sys
out = sys.argv[1]
for f in ("quadrature_reference.json", "more_quadrature_reference.json"):
    for c in json.load(open("tests/fixtures/quadrature/" + f)):
        q = c.get("outer") or ("tau" if "tau" in c["model"] else
                               "sigma" if "param sigma" in c["model"] else "s")
        open(f"{out}/{c['name']}.model", "w").write(c["model"] + f"print posterior({q})\n")
for c in json.load(open("tests/fixtures/discrete/discrete_reference.json")):
    open(f"{out}/{c['name']}.model", "w").write(c["model"] + f"print posterior({c['discrete']})\n")
PY
cp tests/fixtures/regression/{diabetes,stackloss}.{model,csv} "$dir/"

median() { awk -v key="$1" '$1 == "A" && $2 == key && $3 == "s" {print $5}'; }
ratio() { awk -v key="$1" '$1 == "A/B" && $2 == key {print $4}'; }
printf '%-26s %10s %14s %16s\n' model "wall (s)" "vs check" "vs numeric"
for m in "$dir"/*.model; do
  name=$(basename "$m" .model)
  a=$(cd "$dir" && farm-bench -n "$runs" --vs "$bayes check $m" -- "$bayes" "$m" 2>&1)
  b=$(cd "$dir" && farm-bench -n "$runs" --vs "$bayes $m --method numeric" -- "$bayes" "$m" 2>&1)
  printf '%-26s %10s %13sx %15sx\n' "$name" "$(echo "$a" | median wall)" \
    "$(echo "$a" | ratio wall)" "$(echo "$b" | ratio wall)"
done
