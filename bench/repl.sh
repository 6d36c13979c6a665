#!/usr/bin/env bash
# The piped REPL on 10 000 lines: a regression model typed one statement a
# line (data, parameters, lets, observations), with a query every 500 lines,
# next to the baseline of the same statements in one file answered by
# `bayes FILE` (parse, check and answer once). Timed by farm-bench (medians
# of 5 paired runs). Target: under 5 s for the REPL.
#
#   bash bench/repl.sh [path/to/bayes]     (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
bayes=$(realpath "${1:-build/bayes}")
work=$(mktemp -d "${TMPDIR:-/tmp}/bayes-repl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 10 000 lines: 2 500 groups of a datum, a parameter, a let and an
# observation; a query every 500 lines (20 in all) about the latest group.
awk 'BEGIN {
  for (g = 1; g <= 2500; g++) {
    printf "data y%d = %d\n", g, g % 7
    printf "param m%d ~ Normal(0, 10)\n", g
    printf "let t%d = m%d + 1\n", g, g
    printf "y%d ~ Normal(m%d, 2)\n", g, g
    if (g % 125 == 0) printf "print mean(m%d)\n", g
  }
}' >"$work/session.repl"
cp "$work/session.repl" "$work/session.model"
echo "lines: $(wc -l <"$work/session.repl")"

farm-bench -n 5 --timeout 600 --vs "$bayes $work/session.model" -- \
  sh -c "exec $bayes repl <$work/session.repl"
