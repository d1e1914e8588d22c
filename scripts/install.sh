#!/usr/bin/env bash
# Install hipwise and everything it needs into ./.venv (Python 3.11), offline-capable afterwards.
# - mediapipe 0.10.21 is installed without its dependency set (which would pull jax and a second
#   OpenCV build); the packages it needs at run time come with hipwise itself.
# - torch is pinned to the CPU build (2.13.0) so pip never pulls a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet "torch==2.13.0"
python -m pip install --quiet --no-deps "mediapipe==0.10.21"
python -m pip install --quiet -e ".[synth,dev]"
# Debian's chromium runs the browser tests of `hipwise live` and of the HTML report (Playwright
# drives it; never run `playwright install`, which downloads its own browsers).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
# Debian's redis-server is the clinic queue's broker in the tests (scripts/start_redis.sh).
if ! command -v redis-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
fi
# The live page's in-browser pose model: MediaPipe Tasks for Web (Apache-2.0) from npm, pinned
# in web/package-lock.json, copied into the package (not in git); npm is needed only here.
bash scripts/vendor_web.sh
echo "hipwise installed in $(pwd)/.venv"
