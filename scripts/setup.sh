#!/usr/bin/env bash
# First command of the README: install what is missing, build (Release) and
# run the coin example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# A new build directory uses Ninja (an existing one keeps its generator).
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
echo "--- bayes examples/coin.model"
./build/bayes examples/coin.model
