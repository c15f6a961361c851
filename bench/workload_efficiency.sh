#!/usr/bin/env bash
# Measures the strong-scaling parallel efficiency of `scalelaw workload mlp` from 1 to 2
# workers with a global batch of 1024: throughput(2) / (2 · throughput(1)).
#
# Runs alternate between 1 and 2 workers so that a change in machine load affects both
# alike. The script prints medians over the repeats and the load average before and after.
# Not part of CI.
#
# Usage: bench/workload_efficiency.sh [REPEATS [SECONDS_PER_RUN [GLOBAL_BATCH]]]
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=${1:-7}
duration=${2:-2}
global_batch=${3:-1024}

cargo build --release --locked -p scalelaw-cli
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
scalelaw="$target_dir/release/scalelaw"

results=$(mktemp)
trap 'rm -f "$results"' EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$repeats"); do
    for workers in 1 2; do
        "$scalelaw" workload mlp --quiet --workers "$workers" --global-batch "$global_batch" \
            --duration "$duration" --warmup-steps 50 >> "$results"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" "$repeats" "$duration" <<'PYTHON'
import json, statistics, sys

path, repeats, duration = sys.argv[1], sys.argv[2], sys.argv[3]
runs = [json.loads(line) for line in open(path)]
by_workers = {}
for run in runs:
    by_workers.setdefault(run["workers"], []).append(run)

def median(workers, key):
    return statistics.median(run[key] for run in by_workers[workers])

print(f"{repeats} alternating runs of {duration} s per worker count; medians; "
      f"global batch {runs[0]['global_batch']}, {runs[0]['allreduce']} allreduce")
print()
print("| workers | samples/s | step ms | compute ms | allreduce ms |")
print("|---:|---:|---:|---:|---:|")
for workers in sorted(by_workers):
    print(f"| {workers} | {median(workers, 'samples_per_s'):,.0f} | {median(workers, 'step_ms'):.3f} "
          f"| {median(workers, 'compute_ms'):.3f} | {median(workers, 'allreduce_ms'):.3f} |")
efficiency = median(2, "samples_per_s") / (2 * median(1, "samples_per_s"))
print()
print(f"parallel efficiency at 2 workers: {100 * efficiency:.1f}%")
per_repeat = [two["samples_per_s"] / (2 * one["samples_per_s"])
              for one, two in zip(by_workers[1], by_workers[2])]
print("per repeat: " + ", ".join(f"{100 * e:.1f}%" for e in per_repeat))
PYTHON
