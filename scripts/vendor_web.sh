#!/usr/bin/env bash
# Vendor MediaPipe Tasks for Web (@mediapipe/tasks-vision, Apache-2.0, version pinned in
# web/package-lock.json) into src/hipwise/web/static/vendor/tasks-vision/, so the live page runs
# the pose model in the browser with nothing fetched from the internet at run time. npm is used
# only here (install time); the copied files are not in git (.gitignore), ~9.9 MB.
# Without npm the live page still works: it uses the server-side pose model.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/hipwise/web/static/vendor/tasks-vision
if ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm
  else
    echo "npm not found: the live page will use server-side pose (install npm, rerun $0)" >&2
    exit 0
  fi
fi
(cd web && npm ci --no-audit --no-fund --ignore-scripts --silent)
src=web/node_modules/@mediapipe/tasks-vision
rm -rf "$dest"
mkdir -p "$dest/wasm"
cp "$src/vision_bundle.mjs" "$src/package.json" "$dest/"
# only the SIMD build: browsers without WebAssembly SIMD use the server-side pose path
cp "$src/wasm/vision_wasm_internal.js" "$src/wasm/vision_wasm_internal.wasm" "$dest/wasm/"
cp web/LICENSE-tasks-vision.txt "$dest/LICENSE"
cp web/NOTICE-tasks-vision.txt "$dest/NOTICE"
echo "vendored @mediapipe/tasks-vision $(node -p "require('./$src/package.json').version" 2>/dev/null || echo '?') into $dest"
