#!/usr/bin/env bash
# Installs what the build and tests need beyond the Rust toolchain. Safe to run again.
set -euo pipefail

if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
    rustup component add clippy rustfmt
fi
