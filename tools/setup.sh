#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine with Node 20:
# npm packages (from the lockfile) and, for the eval tests, Debian's PyTorch (the tiny test
# model is built and checked with it; it loads only under /usr/bin/python3) and Chromium (the
# HTML report is checked in it).
# Usage: bash tools/setup.sh [--no-system]    (--no-system: npm packages only)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--no-system" ]]; then
  need=()
  /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
  # The eval app's report test opens report.html in Debian's Chromium (headless, playwright-core).
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  if (( ${#need[@]} > 0 )); then
    echo "setup: installing Debian packages: ${need[*]}"
    SUDO=""
    if [[ "$(id -u)" != "0" ]]; then SUDO="sudo -n"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

# onnxruntime-node's install script would download CUDA libraries; package.json's
# allowScripts turns it off, and this makes sure for older npm versions too.
export ONNXRUNTIME_NODE_INSTALL=skip
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
echo "setup: building apps and tools"
node tools/build/build.mjs >/dev/null
echo "setup: done"
