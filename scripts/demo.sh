#!/usr/bin/env bash
# Installs what is missing, builds sloe, and runs the demo on the shipped configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target sloe
exec build/sloe demo --config . "$@"
