#!/usr/bin/env bash
# Runs every test of the workspace after installing what the tests need
# (Chromium for the report's browser test). This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo test --workspace --locked "$@"
