#!/usr/bin/env bash
# Runs `bayes compare A B` in the models' folder and compares standard output
# and standard error (merged) with the expected-output file.
set -u
bayes=$1 dir=$2 a=$3 b=$4 expected=$5
cd "$dir"
actual=$("$bayes" compare "$a" "$b" 2>&1)
if ! diff -u "$expected" <(printf '%s\n' "$actual"); then exit 1; fi
