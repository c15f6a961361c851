#!/usr/bin/env bash
# Measures the strong-scaling parallel efficiency of `scalelaw workload mlp` from 1 to 2
# workers with a global batch of 1024: throughput(2) / (2 · throughput(1)).
#
# Runs alternate between 1 and 2 workers so that a change in machine load affects both
# alike. The script prints medians over the repeats and how busy the machine was with
# other processes while it measured. Not part of CI.
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

python3 - "$target_dir/release/scalelaw" "$repeats" "$duration" "$global_batch" <<'PYTHON'
import json, os, resource, statistics, subprocess, sys, time

scalelaw, repeats, duration, global_batch = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

# A repeat counts as quiet when other processes used less than this many cores on average
# during both of its runs.
QUIET_CORES = 0.2


def busy_cpu_seconds():
    """Return the CPU time all processes have used since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(function):
    """Call `function` and return its result and the cores other processes used meanwhile."""
    started, busy_before, own_before = time.monotonic(), busy_cpu_seconds(), own_cpu_seconds()
    result = function()
    wall = time.monotonic() - started
    return result, (busy_cpu_seconds() - busy_before - (own_cpu_seconds() - own_before)) / wall


def run_all():
    runs = {1: [], 2: []}
    for _ in range(repeats):
        for workers in (1, 2):
            report, others_during_run = measure(lambda: run_once(workers))
            report["others"] = others_during_run
            runs[workers].append(report)
    return runs


def run_once(workers):
    command = [scalelaw, "workload", "mlp", "--quiet", "--workers", str(workers),
               "--global-batch", global_batch, "--duration", duration, "--warmup-steps", "50"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


runs, others = measure(run_all)


def median(workers, key):
    return statistics.median(run[key] for run in runs[workers])


print(f"{repeats} alternating runs of {duration} s per worker count, medians; "
      f"global batch {global_batch}, {runs[1][0]['allreduce']} allreduce")
print(f"other processes used {others:.2f} of {os.cpu_count()} cores on average meanwhile; "
      f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
print()
print("| workers | samples/s | step ms | compute ms | allreduce ms |")
print("|---:|---:|---:|---:|---:|")
for workers in (1, 2):
    print(f"| {workers} | {median(workers, 'samples_per_s'):,.0f} | {median(workers, 'step_ms'):.3f} "
          f"| {median(workers, 'compute_ms'):.3f} | {median(workers, 'allreduce_ms'):.3f} |")
efficiency = median(2, "samples_per_s") / (2 * median(1, "samples_per_s"))
best = {workers: max(run["samples_per_s"] for run in runs[workers]) for workers in (1, 2)}
print()
print(f"parallel efficiency at 2 workers: {100 * efficiency:.1f}% from the medians, "
      f"{100 * best[2] / (2 * best[1]):.1f}% from the best runs "
      f"({best[1]:,.0f} and {best[2]:,.0f} samples/s)")
pairs = list(zip(runs[1], runs[2]))
print("per repeat (cores used by other processes during the 1- and 2-worker runs):")
for one, two in pairs:
    print(f"  {100 * two['samples_per_s'] / (2 * one['samples_per_s']):.1f}% "
          f"({one['others']:.2f}, {two['others']:.2f})")
quiet = [two["samples_per_s"] / (2 * one["samples_per_s"]) for one, two in pairs
         if max(one["others"], two["others"]) < QUIET_CORES]
if quiet:
    print(f"median over the {len(quiet)} repeats where other processes used under {QUIET_CORES} "
          f"cores in both runs: {100 * statistics.median(quiet):.1f}%")
else:
    print(f"no repeat had other processes under {QUIET_CORES} cores in both runs")
PYTHON
