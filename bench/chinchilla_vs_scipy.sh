#!/usr/bin/env bash
# Times the replication's Chinchilla fit in scipy (bench/chinchilla_scipy.py: L-BFGS-B
# from 4,500 starts) against scalelaw's global fit on the same 240 runs, and prints
# both objectives, both times and the speed ratio. Not part of CI.
#
# Usage: bench/chinchilla_vs_scipy.sh [REPEATS]   (REPEATS of the scalelaw fit, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."

repeats="${1:-20}"
data=data/chinchilla/chinchilla_epoch_tidy.csv

if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
bench/.venv/bin/pip install --quiet numpy scipy
cargo build --release --quiet -p scalelaw-cli

echo "scipy: L-BFGS-B from 4,500 starts (one run)..."
# scipy's L-BFGS-B calls BLAS on 5-element vectors, where OpenBLAS threads only
# contend (ten times slower on a busy 2-core machine), so scipy runs single-threaded.
# The OPENBLAS_CORETYPE settings some machines carry slow numpy without changing results.
scipy_json="$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
    bench/.venv/bin/python bench/chinchilla_scipy.py "$data")"

echo "scalelaw: global fit, best of $repeats runs of the release binary..."
best_ns=""
scalelaw_json=""
for _ in $(seq "$repeats"); do
    start_ns="$(date +%s%N)"
    scalelaw_json="$(target/release/scalelaw neural fit "$data" \
        --where excluded_in_epoch_fit=False --bootstrap 0 --format json)"
    elapsed_ns=$(( $(date +%s%N) - start_ns ))
    if [ -z "$best_ns" ] || [ "$elapsed_ns" -lt "$best_ns" ]; then
        best_ns="$elapsed_ns"
    fi
done

SCIPY_JSON="$scipy_json" SCALELAW_JSON="$scalelaw_json" BEST_NS="$best_ns" \
    bench/.venv/bin/python - <<'PY'
import json
import os

scipy = json.loads(os.environ["SCIPY_JSON"])
scalelaw = json.loads(os.environ["SCALELAW_JSON"])["chinchilla"]
seconds = int(os.environ["BEST_NS"]) / 1e9
objective = scalelaw["estimate"]["objective"]
params = {p["name"]: p["value"] for p in scalelaw["params"]}
print(f"scipy    objective {scipy['objective']:.12e}  time {scipy['seconds']:.2f} s  "
      f"({scipy['reached_best']} of {scipy['starts']} starts reached its best)")
print(f"scalelaw objective {objective:.12e}  time {seconds * 1000:.1f} ms "
      f"(whole process: start, CSV, fit on 2 threads)")
print(f"speed ratio {scipy['seconds'] / seconds:.0f}x; objective difference "
      f"(scalelaw - scipy) {objective - scipy['objective']:.3e}")
for name in ["E", "A", "B", "alpha", "beta"]:
    print(f"  {name:5s} scipy {scipy[name]:.6g}  scalelaw {params[name]:.6g}")
PY
