#!/usr/bin/env bash
# Installs what the build, the demo and the tests need beyond the Rust toolchain:
# clippy and rustfmt, Debian's Chromium for the report's browser test, and the DejaVu
# fonts that plot text needs. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
    rustup component add clippy rustfmt
fi
sh scripts/install-chromium.sh
