#!/usr/bin/env bash
# Measures `scalelaw plan` as a whole process: a 32-point throughput data set, 1000
# bootstrap resamples, a p99 latency goal. Uses hyperfine when installed (Debian
# package `hyperfine`), otherwise a timed loop of 50 runs.
#
# Usage: bench/plan_process.sh [extra plan flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -q -p scalelaw-cli
binary="$PWD/target/release/scalelaw"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 32 points of X(N) = 100N/(1 + 0.03(N-1) + 0.0004N(N-1)) with +-2% deterministic noise.
data="$work/runs32.csv"
echo "workers,throughput" > "$data"
for n in $(seq 1 32); do
    awk -v n="$n" 'BEGIN {
        x = 100 * n / (1 + 0.03 * (n - 1) + 0.0004 * n * (n - 1));
        noise = 0.02 * sin(n * 12.9898);
        printf "%d,%.4f\n", n, x * (1 + noise);
    }' >> "$data"
done

command=("$binary" plan "$data" --bootstrap 1000 --cost-per-unit 0.5 --fixed-cost 2 \
    --arrival-rate 800 --latency-slo p99=100ms "$@")
"${command[@]}" > /dev/null || status=$?
if [ "${status:-0}" -gt 3 ] || [ "${status:-0}" -eq 1 ] || [ "${status:-0}" -eq 2 ]; then
    echo "plan failed with exit status $status" >&2
    exit 1
fi

echo "command: scalelaw plan runs32.csv --bootstrap 1000 --cost-per-unit 0.5 --fixed-cost 2 --arrival-rate 800 --latency-slo p99=100ms $*"
if command -v hyperfine > /dev/null; then
    hyperfine --warmup 3 --runs 30 -N -i --export-json "$work/result.json" "${command[*]}"
    grep -o '"median": *[0-9.e-]*' "$work/result.json" |
        awk '{ printf "median: %.1f ms\n", $2 * 1000 }'
else
    start=$(date +%s%N)
    for _ in $(seq 1 50); do "${command[@]}" > /dev/null || true; done
    end=$(date +%s%N)
    echo "mean over 50 runs: $(( (end - start) / 50000000 )) ms"
fi
