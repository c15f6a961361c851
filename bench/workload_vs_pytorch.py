"""Compare one-worker training throughput of `scalelaw workload mlp` with PyTorch on CPU.

Both train the same MLP (100 -> 128 (ReLU) -> 10, softmax cross-entropy) with Adam
(learning rate 1e-3) in float32 on one thread, on batches sliced from a pre-generated
data set labelled by a random teacher network. Runs alternate between the two so that a
change in machine load affects both alike, and the medians of the repeats are compared.

Run through bench/workload_vs_pytorch.sh, which sets up the virtual environment.
"""

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

import torch
from torch import nn
from torch.nn import functional


INPUTS, HIDDEN, CLASSES = 100, 128, 10
DATASET_SIZE = 65_536
LEARNING_RATE = 1e-3


def make_dataset(seed):
    """Return Gaussian inputs labelled by a random teacher MLP with 32 hidden units."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(DATASET_SIZE, INPUTS, generator=generator)
    first = torch.randn(INPUTS, 32, generator=generator) / math.sqrt(INPUTS)
    second = torch.randn(32, CLASSES, generator=generator) / math.sqrt(32)
    hidden = torch.relu(inputs @ first)
    labels = ((hidden - hidden.mean(dim=0)) @ second).argmax(dim=1)
    return inputs.contiguous(), labels.contiguous()


def torch_samples_per_s(inputs, labels, batch, duration, warmup_steps, optimizer_kind):
    """Train for about `duration` seconds after warm-up.

    Return samples per second of wall-clock time and CPU seconds per step.
    """
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(INPUTS, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CLASSES))
    options = {"lr": LEARNING_RATE}
    if optimizer_kind == "fused":
        options["fused"] = True
    elif optimizer_kind == "foreach":
        options["foreach"] = True
    optimizer = torch.optim.Adam(model.parameters(), **options)
    batches = DATASET_SIZE // batch

    def step(index):
        start = (index % batches) * batch
        optimizer.zero_grad(set_to_none=True)
        loss = functional.cross_entropy(model(inputs[start : start + batch]), labels[start : start + batch])
        loss.backward()
        optimizer.step()
        return loss

    for index in range(warmup_steps):
        step(index)
    steps = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        # Check the clock every 10 steps so that reading it costs nothing measurable.
        for _ in range(10):
            loss = step(warmup_steps + steps)
            steps += 1
        elapsed = time.perf_counter() - started
        if elapsed >= duration:
            break
    cpu_per_step = (time.process_time() - cpu_started) / steps
    if not math.isfinite(loss.item()):
        raise RuntimeError("PyTorch training diverged")
    return batch * steps / elapsed, cpu_per_step


def run_scalelaw(binary, batch, warmup_steps, stop):
    """Run `scalelaw workload mlp` on one worker; return its report and its CPU seconds."""
    command = [
        binary, "workload", "mlp", "--quiet", "--workers", "1", "--global-batch", str(batch),
        "--warmup-steps", str(warmup_steps), "--lr", str(LEARNING_RATE), *stop,
    ]
    cpu_before = children_cpu_seconds()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout), children_cpu_seconds() - cpu_before


def scalelaw_samples_per_s(binary, batch, duration, warmup_steps, baseline_cpu):
    """Return samples per second of wall-clock time and CPU seconds per timed step.

    `baseline_cpu` is the CPU time of a run with one timed step, so the difference is the
    CPU time of the other timed steps, without start-up, data generation and warm-up.
    """
    report, cpu = run_scalelaw(binary, batch, warmup_steps, ["--duration", str(duration)])
    return report["samples_per_s"], (cpu - baseline_cpu) / (report["steps"] - 1)


def busy_cpu_seconds():
    """Return the CPU time all processes have used since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu_seconds():
    """Return the CPU time of this process and its finished children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalelaw", required=True, help="path of the scalelaw binary")
    parser.add_argument("--batches", default="32,256,1024", help="comma-separated batch sizes")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side per batch size")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per run")
    parser.add_argument("--warmup-steps", type=int, default=50)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    inputs, labels = make_dataset(seed=0)

    # Pick PyTorch's fastest Adam implementation on this machine, so the peer is strong.
    kinds = ["default", "foreach", "fused"]
    probe = {kind: torch_samples_per_s(inputs, labels, 256, 1.0, 20, kind)[0] for kind in kinds}
    optimizer_kind = max(probe, key=probe.get)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, "
          f"Adam implementation: {optimizer_kind} "
          f"(probe at batch 256: {', '.join(f'{k} {v:,.0f}' for k, v in probe.items())} samples/s)")
    print(f"{args.repeats} alternating runs of {args.duration} s per side and batch size; "
          "samples/s are medians")
    print()
    print("| batch | scalelaw samples/s | PyTorch samples/s | ratio of medians | ratio of best runs "
          "| scalelaw CPU µs/step | PyTorch CPU µs/step | CPU ratio PyTorch/scalelaw |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    started, busy_before, own_before = time.monotonic(), busy_cpu_seconds(), own_cpu_seconds()
    for batch in (int(b) for b in args.batches.split(",")):
        baseline_cpu = statistics.median(
            run_scalelaw(args.scalelaw, batch, args.warmup_steps, ["--steps", "1"])[1]
            for _ in range(3)
        )
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(scalelaw_samples_per_s(args.scalelaw, batch, args.duration,
                                               args.warmup_steps, baseline_cpu))
            theirs.append(torch_samples_per_s(inputs, labels, batch, args.duration,
                                              args.warmup_steps, optimizer_kind))
        ours_rate, ours_cpu = (statistics.median(values) for values in zip(*ours))
        theirs_rate, theirs_cpu = (statistics.median(values) for values in zip(*theirs))
        best_ratio = max(rate for rate, _ in ours) / max(rate for rate, _ in theirs)
        print(f"| {batch} | {ours_rate:,.0f} | {theirs_rate:,.0f} | {ours_rate / theirs_rate:.2f} "
              f"| {best_ratio:.2f} | {ours_cpu * 1e6:,.1f} | {theirs_cpu * 1e6:,.1f} "
              f"| {theirs_cpu / ours_cpu:.2f} |", flush=True)
    wall = time.monotonic() - started
    others = (busy_cpu_seconds() - busy_before - (own_cpu_seconds() - own_before)) / wall
    print()
    print(f"other processes used {others:.2f} of {os.cpu_count()} cores on average meanwhile; "
          f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
