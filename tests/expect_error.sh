#!/usr/bin/env bash
# Runs `bayes check MODEL` (or `bayes MODEL` when the file says "# run: full")
# and compares the first line bayes writes to stderr with the "# expect: ..."
# line of the model. The model must also fail with exit status 1.
set -u
bayes=$1 model=$2
expected=$(sed -n 's/^# expect: //p' "$model" | head -n 1)
if [ -z "$expected" ]; then echo "no '# expect:' line in $model"; exit 1; fi
cd "$(dirname "$model")"
file=$(basename "$model")
if grep -q '^# run: full' "$file"; then
  "$bayes" "$file" >/dev/null 2>stderr.$$; status=$?
else
  "$bayes" check "$file" >/dev/null 2>stderr.$$; status=$?
fi
actual=$(head -n 1 stderr.$$)
all=$(cat stderr.$$); rm -f stderr.$$
if [ "$actual" != "$expected" ]; then
  printf 'expected: %s\nactual:   %s\nfull stderr:\n%s\n' "$expected" "$actual" "$all"; exit 1
fi
if [ "$status" != 1 ]; then echo "expected exit status 1, got $status"; exit 1; fi
