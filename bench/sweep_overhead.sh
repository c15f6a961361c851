#!/usr/bin/env bash
# Measures the overhead per run of `scalelaw sweep` against `hyperfine -N`, on `true`.
#
# Both tools run `true` RUNS times without a shell. An outer hyperfine times each whole
# invocation, and the median divided by RUNS is the cost per run. That cost covers the
# spawn, the wait, the tool's bookkeeping and the run of `true` itself, which is the same
# for both. scalelaw also journals every
# run and writes its CSV, which is part of its overhead.
#
# Usage: bench/sweep_overhead.sh [RUNS]   (default 2000; needs root to install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-2000}"

if ! command -v hyperfine >/dev/null; then
    apt-get update && apt-get install -y hyperfine
fi

cargo build --release -p scalelaw-cli
scalelaw="$PWD/target/release/scalelaw"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

hyperfine --version
"$scalelaw" --version
echo "cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"

hyperfine -N --warmup 1 --runs 7 \
    --export-json "$work/outer.json" \
    -n scalelaw "$scalelaw sweep --runs $runs --force -o $work/sweep.csv -- true" \
    -n hyperfine "hyperfine -N --runs $runs --style none --export-json $work/inner.json true"

python3 - "$work/outer.json" "$runs" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
runs = int(sys.argv[2])
per_run = {name: results[name]["median"] / runs * 1e6 for name in ("scalelaw", "hyperfine")}
for name, micros in per_run.items():
    print(f"{name}: median {results[name]['median']:.3f} s for {runs} runs = {micros:.1f} us per run")
print(f"ratio scalelaw / hyperfine: {per_run['scalelaw'] / per_run['hyperfine']:.2f}")
PY
