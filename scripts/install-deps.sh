#!/usr/bin/env bash
# Installs the Debian packages bayes needs that are not installed yet.
# Uses sudo when not root. Safe to run again: does nothing when all are present.
set -euo pipefail

packages=(
  cmake ninja-build make g++ pkg-config        # toolchain
  tao-pegtl-dev libboost-math-dev libeigen3-dev doctest-dev  # core libraries
  liblbfgspp-dev liblbfgs-dev                  # optimisers
  nlohmann-json3-dev libcli11-dev libfmt-dev libedit-dev libfast-float-dev
  clang libclang-rt-14-dev clang-format        # libFuzzer and sanitizer runtimes, formatting check
  python3-numpy python3-scipy python3-sklearn  # examples/data/check_examples.py, the independent check
  graphviz                                     # dot renders the factor graphs in a test
)

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
