#!/usr/bin/env bash
# Builds scalelaw and runs `scalelaw demo` on the built-in workload, after installing
# the fonts its report needs. Extra arguments go to `scalelaw demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh >&2
cargo run --release --locked -- demo "$@"
