#!/usr/bin/env bash
# Runs examples/data/check_examples.py, the independent check of the course's
# numbers (numpy, scipy and scikit-learn), against the bayes binary given.
# Exit 77 (skipped) when there is no python3; a python3 without the modules
# fails and says what to install.
set -u
bayes=$1 script=$2
python=""
# The Debian interpreter first: scripts/install-deps.sh installs the modules for it.
for p in /usr/bin/python3 "$(command -v python3 || true)"; do
  if [ -n "$p" ] && [ -x "$p" ]; then
    python=$p
    "$p" -c 'import numpy, scipy, sklearn' 2>/dev/null && break
  fi
done
if [ -z "$python" ]; then
  echo "skipped: no python3 to run $script"
  exit 77
fi
if ! "$python" -c 'import numpy, scipy, sklearn' 2>/dev/null; then
  echo "$python lacks numpy, scipy or scikit-learn:" \
    "install python3-numpy python3-scipy python3-sklearn (bash scripts/install-deps.sh)"
  exit 1
fi
exec "$python" "$script" "$bayes"
