#!/usr/bin/env bash
# Runs `bayes MODEL` (with the flags of a "# flags: ..." line, if any) and
# compares standard output with the expected-output file.
set -u
bayes=$1 model=$2 expected=$3
flags=$(sed -n 's/^# flags: //p' "$model" | head -n 1)
cd "$(dirname "$model")"
# shellcheck disable=SC2086
actual=$("$bayes" "$(basename "$model")" $flags 2>&1)
if ! diff -u "$expected" <(printf '%s\n' "$actual"); then exit 1; fi
