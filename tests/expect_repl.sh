#!/usr/bin/env bash
# Pipes a .repl script into `bayes` (no terminal: no prompts) and compares
# standard output and standard error, merged, plus the exit status, with the
# expected file.
set -u
bayes=$1 script=$2 expected=$3
cd "$(dirname "$script")"
actual=$("$bayes" < "$(basename "$script")" 2>&1; echo "exit status $?")
if ! diff -u "$expected" <(printf '%s\n' "$actual"); then exit 1; fi
