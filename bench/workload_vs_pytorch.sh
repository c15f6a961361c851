#!/usr/bin/env bash
# Compares the one-worker throughput of `scalelaw workload mlp` with PyTorch on CPU, one
# thread each, at batch sizes 32, 256 and 1024, and prints the ratio per batch size.
#
# On first use it creates bench/.venv and installs torch and numpy from PyPI into it. The
# default Linux x86-64 torch wheel bundles CUDA libraries, a download of several GB.
# Not part of CI.
#
# Usage: bench/workload_vs_pytorch.sh [--repeats N] [--duration SECONDS] [--batches 32,256]
set -euo pipefail
cd "$(dirname "$0")/.."

venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import torch, numpy' 2>/dev/null; then
    "$venv/bin/pip" install --progress-bar off torch numpy
fi

cargo build --release --locked -p scalelaw-cli
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

"$venv/bin/python" bench/workload_vs_pytorch.py --scalelaw "$target_dir/release/scalelaw" "$@"
