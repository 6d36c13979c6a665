#!/usr/bin/env bash
# Installs the Debian packages bayes needs that are not installed yet.
# Uses sudo when not root. Safe to run again: does nothing when all are present.
#   --web   also what the browser build and its check need (scripts/build-web.sh):
#           Emscripten, Chromium, and npm when node has none
set -euo pipefail
web=0
[ "${1:-}" = "--web" ] && web=1

packages=(
  cmake ninja-build make g++ pkg-config        # toolchain
  tao-pegtl-dev libboost-math-dev libeigen3-dev doctest-dev  # core libraries
  liblbfgspp-dev liblbfgs-dev                  # optimisers
  nlohmann-json3-dev libcli11-dev libfmt-dev libedit-dev libfast-float-dev
  clang libclang-rt-14-dev clang-format        # libFuzzer and sanitizer runtimes, formatting check
  python3-numpy python3-scipy python3-sklearn  # examples/data/check_examples.py, the independent check
  graphviz                                     # dot renders the factor graphs in a test
)

if [ $web -eq 1 ]; then
  packages+=(emscripten chromium curl)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
