#!/usr/bin/env bash
# Builds the page in web/ (bayes in the browser) into web/dist/:
#   1. liblbfgs's Debian source package, fetched and checked against the
#      checksum its .dsc gives, for the WebAssembly build of the optimiser;
#   2. the interpreter compiled by Emscripten (emcmake, the same CMake project
#      with -DBAYES_WEB=ON) into bayes.js + bayes.wasm;
#   3. the page's JavaScript (CodeMirror and the Graphviz module from npm)
#      bundled by esbuild, with the course's examples.
# Needs Debian's emscripten and Node.js with npm (scripts/install-deps.sh --web
# installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD_WEB_DIR:-build-web}
jobs=$(nproc)

# Debian's emscripten runs its JavaScript tools with the machine's node; they
# need Debian's own node modules (acorn) wherever node came from.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
# (Debian's emscripten ships its C and C++ libraries prebuilt, in a frozen
# cache: nothing is built into it, so no user needs to write there.)

echo "=== liblbfgs from its Debian source package"
version=$(dpkg-query -W -f='${source:Version}' liblbfgs-dev)
upstream=${version%-*}
deps=$build/deps
lbfgs=$deps/liblbfgs-$upstream
if [ ! -f "$lbfgs/lib/lbfgs.c" ]; then
  mkdir -p "$deps"
  pool=http://deb.debian.org/debian/pool/main/libl/liblbfgs
  dsc=$deps/liblbfgs_$version.dsc
  tarball=$deps/liblbfgs_$upstream.orig.tar.gz
  curl -fsS -o "$dsc" "$pool/liblbfgs_$version.dsc"
  curl -fsS -o "$tarball" "$pool/liblbfgs_$upstream.orig.tar.gz"
  want=$(awk -v f="liblbfgs_$upstream.orig.tar.gz" \
    '/^Checksums-Sha256:/ {s = 1; next} /^[^ ]/ {s = 0} s && $3 == f {print $1}' "$dsc")
  got=$(sha256sum "$tarball" | cut -d' ' -f1)
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    echo "build-web: $tarball does not match the checksum in $dsc" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$deps"
fi

echo "=== the interpreter in WebAssembly (Emscripten)"
emcmake cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBAYES_WEB=ON \
  -DLIBLBFGS_SOURCE_DIR="$root/$lbfgs" >/dev/null
cmake --build "$build" -j"$jobs" --target bayes

echo "=== the page"
dist=web/dist
mkdir -p "$dist"
cp "$build/bayes.js" "$build/bayes.wasm" "$dist/"
(cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] ||
  npm ci --no-audit --no-fund --loglevel=error; } && node build.mjs)
echo "built $dist/ (serve it with: python3 -m http.server -d $dist)"
