#!/usr/bin/env bash
# Renders every course example's factor graph (bayes --graph) with Graphviz
# (dot -Tsvg): dot must accept it, and the drawing must fit a slide, at most
# 720 x 540 pt (10 x 7.5 in). Exit 77 (skipped) when dot is not installed.
set -u
bayes=$1 examples=$2
command -v dot >/dev/null || { echo "dot (Graphviz) is not installed"; exit 77; }
status=0
for model in "$examples"/*.model; do
  if ! svg=$(cd "$examples" && "$bayes" --graph "$(basename "$model")" | dot -Tsvg); then
    echo "FAIL $(basename "$model"): dot did not render the graph"
    status=1
    continue
  fi
  size=$(printf '%s' "$svg" | grep -o '<svg width="[0-9]*pt" height="[0-9]*pt"' | tr -dc '0-9 ')
  read -r w h <<<"$size"
  if [ -z "${w:-}" ] || [ "$w" -gt 720 ] || [ "$h" -gt 540 ]; then
    echo "FAIL $(basename "$model"): ${w:-?} x ${h:-?} pt, larger than a slide"
    status=1
  else
    echo "ok   $(basename "$model"): $w x $h pt"
  fi
done
exit $status
