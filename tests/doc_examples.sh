#!/usr/bin/env bash
# Runs every example program of a documentation page: each fenced block that
# opens with ```model is written next to the page (so CSV paths are relative
# to docs/) and run with `bayes` and the flags that follow ```model on the
# same line (```model --method numeric); it must exit 0 and print no error. A block
# opening with ```model-error must fail with exit status 1 and print the
# error line given in its "# expect: ..." comment.
set -u
bayes=$1 page=$2
dir=$(dirname "$page")
tmp=$(mktemp "$dir/.doc-example-XXXXXX.model")
trap 'rm -f "$tmp"' EXIT
failures=0 count=0 kind="" start=0 lineno=0 flags=""
block=""
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  if [ -z "$kind" ]; then
    case $line in
      '```model-error') kind=error start=$lineno block="" flags="" ;;
      '```model' | '```model '*) kind=ok start=$lineno block="" flags=${line#'```model'} ;;
    esac
    continue
  fi
  if [ "$line" != '```' ]; then
    block+="$line"$'\n'
    continue
  fi
  count=$((count + 1))
  printf '%s' "$block" >"$tmp"
  # shellcheck disable=SC2086  # flags is a list
  out=$(cd "$dir" && "$bayes" "$(basename "$tmp")" $flags 2>&1)
  status=$?
  if [ "$kind" = ok ] && { [ $status -ne 0 ] || grep -q 'error:' <<<"$out"; }; then
    printf '%s:%d: the example failed (exit %d):\n%s\n' "$page" "$start" "$status" "$out"
    failures=$((failures + 1))
  elif [ "$kind" = error ]; then
    expected=$(sed -n 's/^# expect: //p' <<<"$block" | head -n 1)
    actual=$(head -n 1 <<<"$out" | sed "s|^$(basename "$tmp")|example.model|")
    if [ $status -ne 1 ] || [ "$actual" != "$expected" ]; then
      printf '%s:%d: expected exit 1 and\n  %s\ngot exit %d and\n  %s\n' "$page" "$start" \
        "$expected" "$status" "$actual"
      failures=$((failures + 1))
    fi
  fi
  kind=""
done <"$page"
if [ -n "$kind" ]; then echo "$page:$start: unclosed example"; exit 1; fi
if [ $count -eq 0 ]; then echo "$page: no examples"; exit 1; fi
echo "$page: $count examples, $failures failed"
[ $failures -eq 0 ]
