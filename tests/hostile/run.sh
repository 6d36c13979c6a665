#!/usr/bin/env bash
# Runs the hostile-input corpus (tests/hostile/README.md).
#
#   bash tests/hostile/run.sh BAYES_EXE [CATEGORY...]
#
# Every input runs in a fresh temporary directory holding copies of its
# files, with a wall-time limit (2 s) and a memory limit (500 MB of address
# space beyond the 512 MiB bayes reserves at start); with
# BAYES_HOSTILE_SANITIZED=1 (an ASan/UBSan build) the limit is 20 s and there
# is no memory limit. An input fails when its exit status or
# output is not what its directives say, when bayes is killed by a signal,
# hangs or prints a sanitizer report, when it changes or removes a file it
# was given, leaves a temporary file behind, or changes anything in
# tests/hostile. Inputs named in PENDING are known bugs: they run, a failure
# is reported as pending, and a pass fails the run ("now passes, remove from
# PENDING"). Exit status 0 when every input passed, 1 otherwise, 2 usage.
set -u
# Patterns and outputs are compared byte by byte (a stray \xff is a byte);
# bayes does not read the locale.
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
all_categories="syntax csv type dist repl sizes numeric fs plot cli"

if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: $0 BAYES_EXE [CATEGORY...]  (categories: $all_categories)" >&2
  exit 2
fi
bayes=$1
shift
case $bayes in /*) ;; *) bayes=$PWD/$bayes ;; esac
if [ ! -x "$bayes" ] || [ -d "$bayes" ]; then
  echo "$0: '$bayes' is not an executable" >&2
  exit 2
fi
categories=${*:-$all_categories}
for c in $categories; do
  if [ ! -d "$here/$c" ] || [[ " $all_categories " != *" $c "* ]]; then
    echo "$0: unknown category '$c' (categories: $all_categories)" >&2
    exit 2
  fi
done

if [ "${BAYES_HOSTILE_SANITIZED:-0}" = 1 ]; then
  time_limit=20 mem_limit_kb=unlimited
else
  # 500 MB, plus the 512 MiB of address space bayes reserves for its heap at
  # start (src/cli/memory.cpp: address space, not memory, until written).
  time_limit=2 mem_limit_kb=$((512000 + 524288))
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bayes-hostile.XXXXXX")
chmod 711 "$work"
cleanup() {
  chmod -R u+rwx "$work" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The state of tests/hostile: every file's checksum and every other entry.
tree_state() {
  (
    cd "$here" || exit 1
    find . -type f -print0 | sort -z | xargs -0 md5sum
    find . ! -type f ! -type d -printf '%y %p\n' | sort
  ) | md5sum
}
tree_before=$(tree_state)
# After each input, anything in tests/hostile newer than this stamp is a
# change (a deleted entry changes its directory); the checksums of every
# file are compared again at the end.
stamp=$work/stamp
touch "$stamp"

# As root, bayes runs as nobody: an input that writes a plot to /dev/null
# must not be able to replace it when a check regresses.
as_user=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
  setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$bayes" 2>/dev/null; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
# The system files an input names, checked after every input all the same.
system_state() { stat -c '%F %t %T %N' /dev/null /dev/zero /dev/stdout 2>&1; }
system_before=$(system_state)

# PENDING: "category/name reason", one a line; '#' starts a comment.
declare -A pending=()
if [ -f "$here/PENDING" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    read -r id reason <<<"$line"
    [ -n "${id:-}" ] && pending[$id]=${reason:-pending}
  done <"$here/PENDING"
fi

passed=0 failed=0 still_pending=0 now_passing=0 skips=0 skipped=0
failures=""

# Whether any line of text $1 matches the extended regular expression $2.
matches() {
  local line
  while IFS= read -r line; do
    [[ $line =~ $2 ]] && return 0
  done <<<"$1"
  return 1
}

runs=0

# Prints a file's first lines, indented, for a report.
show() {
  local label=$1 file=$2
  [ -s "$file" ] || return 0
  echo "  $label:"
  head -c 1200 "$file" | head -n 12 | sed 's/^/    | /'
}

# Runs one input; sets `why` (empty when it passed) and writes its report
# to $work/report.
run_one() {
  local cat=$1 input=$2
  local dir=$here/$cat name=${input##*/}
  local base=${name%.*} ext=${name##*.}
  local spec=$input
  [ "$ext" = repl ] && spec=$dir/$base.expect
  why="" skipped=0
  : >"$work/report"
  if [ ! -f "$spec" ]; then why="no directives file ${spec##*/}"; return; fi
  local size
  size=$(stat -c %s "$input")
  if [ "$size" -ge 1024 ]; then why="the input is $size bytes (at most 1023)"; return; fi

  # Directives: lines "# KEY: VALUE" (a CR before the newline is dropped).
  local -a expect=() expect_re=() reject=() reject_re=() setup=() copy=() files=() nofiles=()
  local -a changes=() expect_out=() reject_out=()
  local exit_codes="" run="" stdin_file="" unlocated=0 memory=$mem_limit_kb key value
  while IFS= read -r line; do
    line=${line%$'\r'}
    key=${line#\# }
    key=${key%%:*}
    value=${line#\# "$key":}
    value=${value# }
    case $key in
      expect-exit) exit_codes=$value ;;
      expect) expect+=("$value") ;;
      expect-re) expect_re+=("$value") ;;
      reject) reject+=("$value") ;;
      reject-re) reject_re+=("$value") ;;
      run) run=$value ;;
      args) run="\"\$MODEL\" $value" ;;
      setup) setup+=("$value") ;;
      copy) copy+=("$value") ;;
      stdin) stdin_file=$value ;;
      expect-file) files+=("$value") ;;
      expect-no-file) nofiles+=("$value") ;;
      unlocated) unlocated=1 ;;
      changes) changes+=("$value") ;;
      expect-stdout-re) expect_out+=("$value") ;;
      reject-stdout-re) reject_out+=("$value") ;;
      memory-kb)
        # An address-space limit means nothing under ASan: the input is skipped.
        if [ "$mem_limit_kb" = unlimited ]; then skipped=1; else memory=$value; fi
        ;;
    esac
  done < <(grep -a -E '^# (expect-exit|expect|expect-re|reject|reject-re|run|args|setup|copy|stdin|expect-file|expect-no-file|unlocated|changes|memory-kb|expect-stdout-re|reject-stdout-re):' "$spec")
  if [ -z "$exit_codes" ]; then why="no '# expect-exit:' directive"; return; fi
  [ "$skipped" = 0 ] || return 0

  local tmp=$work/run.$((++runs))
  mkdir -p "$tmp/.home" "$tmp/.tmp"
  # The input and the files named like it (NAME.csv, NAME.b.json, ...).
  local f
  local -a siblings=()
  for f in "$dir/$base".*; do
    [ -f "$f" ] && [[ $f != *.expect ]] && siblings+=("$f")
  done
  cp "${siblings[@]}" "$tmp/"
  local item src dst
  for item in "${copy[@]+"${copy[@]}"}"; do
    read -r src dst <<<"$item"
    [ -n "${dst:-}" ] || dst=${src##*/}
    if ! cp -r "$dir/$src" "$tmp/$dst"; then why="cannot copy '$src'"; return; fi
  done
  local cmd
  for cmd in "${setup[@]+"${setup[@]}"}"; do
    if ! (cd "$tmp" && SRC=$dir HOSTILE=$here MODEL=$name timeout 5 bash -c "$cmd") \
      >"$work/setup.out" 2>&1; then
      why="setup failed: $cmd: $(head -c 300 "$work/setup.out")"
      return
    fi
  done
  # What the input was given: regular files by checksum, other entries by type and target.
  # An entry named in '# changes:' may be replaced (a plot written over a link).
  local -a skip=()
  for f in "${changes[@]+"${changes[@]}"}"; do skip+=(! -path "./$f"); done
  (cd "$tmp" && find . -path ./.home -prune -o -path ./.tmp -prune -o -type f "${skip[@]+"${skip[@]}"}" -print0 |
    xargs -0 -r md5sum >"$work/given.md5")
  (cd "$tmp" && find . -mindepth 1 ! -type f ! -type d "${skip[@]+"${skip[@]}"}" -printf '%y %p %l\n' | sort) >"$work/given.other"

  local -a args=()
  if [ -z "$run" ]; then
    if [ "$ext" = repl ]; then args=(); else args=("$name"); fi
  else
    if ! args=$(cd "$tmp" && MODEL=$name bash -c "printf '%s\0' $run" 2>&1 | tr '\0' '\036'); then
      why="bad '# run:' directive: $run"
      return
    fi
    local IFS=$'\036'
    # shellcheck disable=SC2206  # split on the separator written above
    args=($args)
    unset IFS
  fi
  [ "$ext" = repl ] && stdin_file=$name
  local stdin_path=/dev/null
  [ -n "$stdin_file" ] && stdin_path=$tmp/$stdin_file

  [ ${#as_user[@]} = 0 ] || chown -R -h 65534:65534 "$tmp"
  # A known bug (PENDING) that hangs costs the Release limit, also under the
  # sanitizers: the Release run is the one that notices it fixed.
  local limit=$time_limit
  [ -n "${pending[$cat/$base]+x}" ] && [ "$limit" -gt 2 ] && limit=2
  local status problems=""
  add() { problems+="${problems:+; }$1"; }
  (
    cd "$tmp" || exit 99
    [ "$memory" = unlimited ] || ulimit -v "$memory"
    HOME=$tmp/.home TMPDIR=$tmp/.tmp NO_COLOR=1 exec timeout -k 1 "$limit" \
      "${as_user[@]+"${as_user[@]}"}" "$bayes" "${args[@]+"${args[@]}"}" <"$stdin_path" >"$work/stdout" 2>"$work/stderr"
  )
  status=$?
  # The outputs as text (a NUL byte dropped), unless they are huge.
  local sizes out="" err="" both
  sizes=$(stat -c %s "$work/stdout" "$work/stderr")
  sizes=${sizes//$'\n'/ }
  if [ "${sizes% *}" -gt 4194304 ] || [ "${sizes#* }" -gt 4194304 ]; then
    add "writes too much (stdout and stderr: $sizes bytes)"
  else
    { out=$(<"$work/stdout") err=$(<"$work/stderr"); } 2>/dev/null
  fi
  both=$out$'\n'$err

  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    add "did not finish within $limit s (a hang)"
  elif [ "$status" -ge 128 ]; then
    add "killed by signal $((status - 128)) (a crash)"
  fi
  if [[ $err =~ runtime\ error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|MemorySanitizer|terminate\ called ]]; then
    add "a sanitizer report or abort message in stderr"
  fi
  if [[ "|$exit_codes|" != *"|$status|"* ]]; then add "exit status $status, expected $exit_codes"; fi
  # Regular expressions are POSIX extended ones, matched against each line
  # (^ and $ anchor lines), as grep -E does.
  local s
  for s in "${expect[@]+"${expect[@]}"}"; do
    [[ $both == *"$s"* ]] || add "no '$s' in the output"
  done
  for s in "${expect_re[@]+"${expect_re[@]}"}"; do
    matches "$both" "$s" || add "nothing matching /$s/ in the output"
  done
  for s in "${reject[@]+"${reject[@]}"}"; do
    [[ $both != *"$s"* ]] || add "'$s' in the output"
  done
  for s in "${reject_re[@]+"${reject_re[@]}"}"; do
    ! matches "$both" "$s" || add "output matches /$s/"
  done
  for s in "${expect_out[@]+"${expect_out[@]}"}"; do
    matches "$out" "$s" || add "nothing matching /$s/ in stdout"
  done
  for s in "${reject_out[@]+"${reject_out[@]}"}"; do
    ! matches "$out" "$s" || add "stdout matches /$s/"
  done
  # Bad input gives a located error: FILE:LINE:COL: error: ...
  if [ "$exit_codes" = 1 ] && [ "$status" = 1 ] && [ "$ext" = model ] && [ "$unlocated" = 0 ] &&
    ! matches "$err" '[^ ]:[0-9]+:[0-9]+: error: '; then
    add "the error is not located (FILE:LINE:COL: error:)"
  fi
  for f in "${files[@]+"${files[@]}"}"; do
    [ -f "$tmp/$f" ] && [ ! -L "$tmp/$f" ] && [ -s "$tmp/$f" ] || add "no file '$f' written"
  done
  for f in "${nofiles[@]+"${nofiles[@]}"}"; do
    [ -e "$tmp/$f" ] || [ -L "$tmp/$f" ] && add "'$f' exists, and must not"
  done
  # Nothing given may change; nothing half-written may stay.
  if ! (cd "$tmp" && md5sum --quiet -c "$work/given.md5" >"$work/md5.out" 2>&1); then
    add "a file it was given changed: $(tr '\n' ' ' <"$work/md5.out" | head -c 200)"
  fi
  local other
  other=$(cd "$tmp" && find . -mindepth 1 ! -type f ! -type d "${skip[@]+"${skip[@]}"}" -printf '%y %p %l\n' | sort)
  [ "$other" = "$(<"$work/given.other")" ] || add "a link, FIFO or device it was given changed"
  local leftover
  leftover=$(cd "$tmp" && find . -path ./.home -prune -o -path ./.tmp -prune -o -newer "$work/given.md5" \
    -regextype posix-extended -regex '.*\.[^/.]+\.[A-Za-z0-9]{6}' -printf '%p ')
  [ -z "$leftover" ] || add "a temporary file left behind: $leftover"
  if [ "$(system_state)" != "$system_before" ]; then
    add "/dev/null, /dev/zero or /dev/stdout changed: $(system_state | tr '\n' ' ')"
    system_before=$(system_state)
  fi
  local newer
  newer=$(find "$here" -newer "$stamp" -print -quit)
  if [ -n "$newer" ]; then
    add "tests/hostile changed outside the temporary directory ($newer)"
    touch "$stamp"
  fi

  rm -rf "$tmp"
  if [ -n "$problems" ]; then
    why=$problems
    {
      local shown=""
      [ ${#args[@]} = 0 ] || shown=$(printf ' %q' "${args[@]}")
      echo "  command:  (cd TMP && bayes$shown${stdin_file:+ < $stdin_file})"
      echo "  expected: exit $exit_codes$(for s in "${expect[@]+"${expect[@]}"}"; do printf "; '%s'" "$s"; done)$(for s in "${expect_re[@]+"${expect_re[@]}"}"; do printf '; /%s/' "$s"; done)"
      echo "  actual:   exit $status"
      show stdout "$work/stdout"
      show stderr "$work/stderr"
    } >"$work/report"
  fi
}

for cat in $categories; do
  shopt -s nullglob
  inputs=("$here/$cat"/*.model "$here/$cat"/*.repl "$here/$cat"/*.cli)
  shopt -u nullglob
  count=0
  for input in "${inputs[@]}"; do
    name=${input##*/}
    id=$cat/${name%.*}
    started=${EPOCHREALTIME/[.,]/}
    run_one "$cat" "$input"
    [ "${BAYES_HOSTILE_VERBOSE:-0}" = 1 ] &&
      echo "ran $id in $(((${EPOCHREALTIME/[.,]/} - started) / 1000)) ms${why:+: $why}"
    count=$((count + 1))
    if [ "$skipped" = 1 ]; then
      echo "skipped $id (a memory limit, not under the sanitizers)"
      skips=$((skips + 1))
    elif [ -n "${pending[$id]+x}" ]; then
      if [ -z "$why" ]; then
        echo "FAIL $id: now passes, remove from PENDING"
        now_passing=$((now_passing + 1))
        failures+="$id "
      else
        echo "pending $id: ${pending[$id]}"
        still_pending=$((still_pending + 1))
      fi
    elif [ -z "$why" ]; then
      passed=$((passed + 1))
    else
      echo "FAIL $id: $why"
      cat "$work/report"
      failed=$((failed + 1))
      failures+="$id "
    fi
  done
  [ "$count" -gt 0 ] || { echo "FAIL $cat: no inputs"; failed=$((failed + 1)); }
done

if [ "$(tree_state)" != "$tree_before" ]; then
  echo "FAIL tests/hostile changed during the run (checksums differ)"
  failed=$((failed + 1))
fi
echo "hostile ($categories): $passed passed, $failed failed, $still_pending pending, $now_passing pending now passing$([ "$skips" = 0 ] || echo ", $skips skipped")"
[ -z "$failures" ] || echo "failed: $failures"
[ "$failed" = 0 ] && [ "$now_passing" = 0 ]
