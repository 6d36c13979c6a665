#!/usr/bin/env bash
# Runs every example program of a documentation page: each fenced block that
# opens with ```model is written next to the page (so CSV paths are relative
# to docs/) and run with `bayes` and the flags that follow ```model on the
# same line (```model --method numeric); it must exit 0 and print no error. A block
# opening with ```model-error must fail with exit status 1 and print the
# error line given in its "# expect: ..." comment.
#
# Quoted values: a line of a ```model block that is one `print` statement and
# whose comment starts with a value -- a number or a bracketed list of numbers,
# then the end of the comment or ':', ',', ' =' or ' (' and any explanation --
# states what bayes prints for that statement, and it must be exactly what
# bayes prints after "QUERY = " (without the bracketed note after it):
#     print 2^3^2        # 512: right-associative
#     print map(rate)    # 3.769 = (2 + 48 - 1) / (1 + 12), the closed-form mode
# A comment that starts with a word (# the same as posterior(p)) is only a comment.
set -u
shopt -s extglob
bayes=$1 page=$2
dir=$(dirname "$page")
tmp=$(mktemp "$dir/.doc-example-XXXXXX.model")
trap 'rm -f "$tmp"' EXIT
number='-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?'
quoted="^(${number}|\[[][0-9.,eE+ -]*\])([:,]| =| \(|\$)"

# check_values START BLOCK OUTPUT FLAGS...: compares every quoted value of the
# block (already written to $tmp) with what bayes printed (OUTPUT), counting
# them in $quotes; prints one line per disagreement and fails if there was one.
check_values() {
  local start=$1 block=$2 output=$3
  shift 3
  local -a wants=() lines=() queries=()
  local n=0 i=0 line code comment prints want bad=0
  # The print statements in order; the quoted value of each, if any.
  while IFS= read -r line; do
    i=$((i + 1))
    line=${line//\"*([^\"])\"/\"\"}  # no '#' of a string starts a comment
    code=${line%%#*} comment=""
    [ "$code" != "$line" ] && comment=${line#*#} && comment=${comment##+( )}
    prints=$(grep -oE '(^|;)[[:space:]]*print\b' <<<"$code" | wc -l)
    if [[ $comment =~ $quoted ]] && want=${BASH_REMATCH[1]} &&
      [[ $code =~ ^[[:space:]]*print[[:space:]] ]]; then
      if [ "$prints" -ne 1 ] || [[ $code == *";"* ]]; then
        printf '%s:%d: a quoted value needs a line of one print statement\n' "$page" \
          $((start + i))
        bad=$((bad + 1))
      fi
      wants[n]=$want lines[n]=$((start + i))
    fi
    n=$((n + prints))
  done <<<"$block"
  quotes=$((quotes + ${#wants[@]}))
  [ ${#wants[@]} -eq 0 ] && return $((bad > 0))
  # The query text of each print, as bayes writes it, from the JSON answers.
  local json
  json=$(cd "$dir" && "$bayes" "$(basename "$tmp")" "$@" --json 2>/dev/null)
  mapfile -t queries < <(grep -oE '"query":"([^"\\]|\\.)*"' <<<"$json" |
    sed -e 's/^"query":"//' -e 's/"$//' -e 's/\\"/"/g' -e 's/\\\\/\\/g')
  local k q got seen j
  for k in "${!wants[@]}"; do
    q=${queries[k]-} want=${wants[k]} seen=0
    for ((j = 0; j < k; j++)); do [ "${queries[j]}" = "$q" ] && seen=$((seen + 1)); done
    # The (seen + 1)-th answer line of this query: "QUERY = VALUE[   [note]]".
    got=$(awk -v q="$q = " -v n=$((seen + 1)) \
      'index($0, q) == 1 && ++c == n { s = substr($0, length(q) + 1); sub(/   \[.*$/, "", s); print s; exit }' \
      <<<"$output")
    if [ -z "$q" ] || [ "$got" != "$want" ]; then
      printf '%s:%d: print %s: the comment quotes %s, bayes prints %s\n' "$page" "${lines[k]}" \
        "${q:-?}" "$want" "${got:-nothing}"
      bad=$((bad + 1))
    fi
  done
  return $((bad > 0))
}

failures=0 count=0 quotes=0 kind="" start=0 lineno=0 flags=""
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
  elif [ "$kind" = ok ]; then
    # shellcheck disable=SC2086
    check_values "$start" "$block" "$out" $flags || failures=$((failures + 1))
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
echo "$page: $count examples ($quotes quoted values), $failures failed"
[ $failures -eq 0 ]
