#!/usr/bin/env bash
# Checks tests/doc_examples.sh itself on two small pages: a quoted value that
# bayes prints passes, one that it does not print fails and is named.
set -u
bayes=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
page() {
  printf '```model\nprint 2^3^2   # %s: right-associative\nprint [1, 2] * 2  # [2, 4]\n```\n' "$1" \
    >"$dir/page.md"
}
page 512
if ! out=$(bash "$here/doc_examples.sh" "$bayes" "$dir/page.md"); then
  printf 'a right quoted value failed:\n%s\n' "$out"
  exit 1
fi
page 511
if out=$(bash "$here/doc_examples.sh" "$bayes" "$dir/page.md"); then
  printf 'a wrong quoted value passed:\n%s\n' "$out"
  exit 1
fi
if ! grep -qF 'page.md:2: print 2^3^2: the comment quotes 511, bayes prints 512' <<<"$out"; then
  printf 'a wrong quoted value was not named:\n%s\n' "$out"
  exit 1
fi
echo "doc_examples.sh compares quoted values"
