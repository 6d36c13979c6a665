#!/usr/bin/env bash
# Runs `bayes compare MODEL...` in the models' folder and compares standard
# output and standard error (merged), and the exit status, with the
# expected-output file.
set -u
bayes=$1 dir=$2 expected=$3
shift 3
cd "$dir"
actual=$("$bayes" compare "$@" 2>&1; echo "exit status $?")
if ! diff -u "$expected" <(printf '%s\n' "$actual"); then exit 1; fi
