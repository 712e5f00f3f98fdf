#!/usr/bin/env bash
# TinyTL training memory and speed ("memory truth"): lite-residual+bias on OFA-ProxylessNAS w1.3 ks5 e4 d3
# (random weights, 5 classes as the reference script), 2 threads, at 128 px batch 8 and 1, 160 px and 224 px batch 8.
# For each case, ofa-search
# (ofa-bench --train, its own process) and, in the same run, PyTorch's reference TinyTL
# (../shared/tools/torch_tinytl_bench.py) when a Python with torch, torchvision, ofa, tqdm and scikit-learn
# ($TORCH_PYTHON, default python3) and the tinyml checkout's tinytl/ folder ($TINYTL_SRC) are available.
# Each case runs REPEATS times, the two engines alternating; each engine's row is its run of median speed (all
# speeds are listed), so that a minutes-long slow phase of the machine hitting one engine's run does not decide
# the ratio. Prints a table and writes Benchmarks/train-results.json.
#   TORCH_PYTHON=/work/venv/bin/python TINYTL_SRC=/tmp/tinyml/tinytl bash Benchmarks/train_memory.sh
#   (THREADS=2 STEPS=10 REPEATS=3 CASES="128x8 128x1 160x8 224x8" by default)
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${THREADS:-2}"; steps="${STEPS:-10}"; repeats="${REPEATS:-3}"; cases="${CASES:-128x8 128x1 160x8 224x8}"
python="${TORCH_PYTHON:-python3}"; tinytl="${TINYTL_SRC:-}"; shared="${SHARED_DIR:-../shared}"

swift build -c release --scratch-path .build-bench --product ofa-bench >&2
bench=".build-bench/release/ofa-bench"

torch_ok=0
if [ -n "$tinytl" ] && [ -d "$tinytl/tinytl" ] && [ -f "$shared/tools/torch_tinytl_bench.py" ] \
    && "$python" -c "import torch, torchvision, ofa, tqdm, sklearn" 2>/dev/null; then
    torch_ok=1
else
    echo "PyTorch baseline skipped: needs TINYTL_SRC (tinyml's tinytl/ folder, now '${tinytl}'), $shared/tools/torch_tinytl_bench.py" \
         "and $python with torch, torchvision, ofa, tqdm, scikit-learn (set TORCH_PYTHON)" >&2
fi

rows=""
for c in $cases; do
    res="${c%x*}"; batch="${c#*x}"
    for run in $(seq "$repeats"); do
        echo "case ${res} px, batch ${batch}, run ${run}/${repeats}: ofa-search" >&2
        rows+="$("$bench" --train --resolution "$res" --batches "$batch" --steps "$steps" --threads "$threads")"$'\n'
        if [ "$torch_ok" = 1 ]; then
            echo "case ${res} px, batch ${batch}, run ${run}/${repeats}: PyTorch" >&2
            line=$(OMP_NUM_THREADS="$threads" THREADS="$threads" ARCH=mid TINYTL_SRC="$tinytl" \
                "$python" "$shared/tools/torch_tinytl_bench.py" lb "$res" "$batch" "$steps" 2>/dev/null | grep '^{' || true)
            if [ -n "$line" ]; then rows+="$line"$'\n'; else echo "PyTorch failed for $c" >&2; fi
        fi
    done
done

ROWS="$rows" STEPS="$steps" THREADS="$threads" python3 - <<'PY'
import json, os, platform, subprocess, datetime
runs = [json.loads(l) for l in os.environ["ROWS"].splitlines() if l.strip()]
for r in runs: r.setdefault("engine", "pytorch")
# One row per engine and case: its run of median speed, with every run's speed beside it.
rows = []
for key in dict.fromkeys((r["engine"], r["res"], r["batch"]) for r in runs):
    same = sorted((r for r in runs if (r["engine"], r["res"], r["batch"]) == key), key=lambda r: r["img_per_s"])
    row = dict(same[(len(same) - 1) // 2])
    row["img_per_s_runs"] = [r["img_per_s"] for r in runs if (r["engine"], r["res"], r["batch"]) == key]
    rows.append(row)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
dirty = bool(subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip())
print(f"TinyTL lite-residual+bias, OFA-Proxyless w1.3 ks5 e4 d3, {os.environ['THREADS']} threads, {os.environ['STEPS']} timed steps, {cpu}")
print("img/s = each engine's median run of the case (all runs under the table)")
print("ours MB = growth of VmHWM over VmRSS from before the Trainer exists (everything: 8-bit frozen and trainable weights, optimiser state, activations, scratch, runtime);")
print("  w/o weights = the same minus the weights in the arena (PyTorch's accounting: its window opens with the model resident); plan = arena + runtime allowance;")
print("  PyTorch MB = train_peak_extra_MB (growth over the resting process with the model loaded)")
hdr = (f"{'res':>4} {'batch':>5} | {'ours img/s':>10} {'torch img/s':>11} {'speed':>6} | {'ours MB':>8} {'plan MB':>8} {'meas/plan':>9} {'w/o weights':>11} | "
       f"{'torch MB':>8} {'torch/ours':>10} {'w/o weights':>11} {'tinytl formula MB':>17}")
print(hdr); print("-" * len(hdr))
summary = []
for o in (r for r in rows if r["engine"] == "ofa-search"):
    t = next((r for r in rows if r["engine"] == "pytorch" and r["res"] == o["res"] and r["batch"] == o["batch"]), None)
    speed = o["img_per_s"] / t["img_per_s"] if t else None
    mem = t["train_peak_extra_MB"] / o["growth_from_before_trainer_mb"] if t and o["growth_from_before_trainer_mb"] > 0 else None
    like = t["train_peak_extra_MB"] / o["growth_without_parameters_mb"] if t and o["growth_without_parameters_mb"] > 0 else None
    f = lambda v, fmt: format(v, fmt) if v is not None else "-"
    print(f"{o['res']:>4} {o['batch']:>5} | {o['img_per_s']:>10.1f} {f(t and t['img_per_s'], '11.1f'):>11} {f(speed, '5.2f') + 'x' if speed else '-':>6} | "
          f"{o['growth_from_before_trainer_mb']:>8.1f} {o['planned_mb']:>8.1f} {o['measured_over_plan']:>9.3f} {o['growth_without_parameters_mb']:>11.1f} | "
          f"{f(t and t['train_peak_extra_MB'], '8.1f'):>8} {f(mem, '9.2f') + 'x' if mem else '-':>10} {f(like, '10.2f') + 'x' if like else '-':>11} "
          f"{f(t and t['tinytl_pred_MB'], '17.2f'):>17}")
    summary.append(dict(res=o["res"], batch=o["batch"], speed_ratio=speed and round(speed, 3), memory_ratio=mem and round(mem, 3),
                        memory_ratio_without_weights=like and round(like, 3), measured_over_plan=o["measured_over_plan"],
                        targets=dict(measured_le_1_05x_plan=o["measured_over_plan"] <= 1.05,
                                     torch_memory_ge_8x=None if mem is None else mem >= 8,
                                     torch_memory_ge_8x_without_weights=None if like is None else like >= 8,
                                     speed_ge_3x=None if speed is None else speed >= 3)))
for r in rows:
    print(f"  {r['engine']:>10} {r['res']} px × {r['batch']}: img/s over the runs " + ", ".join(f"{v:.1f}" for v in r["img_per_s_runs"]))
json.dump({"benchmark": "tinytl-train-memory", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "commit": commit + ("-dirty" if dirty else ""), "cpu": cpu, "cores": os.cpu_count(), "threads": int(os.environ["THREADS"]),
           "build": "swift build -c release --product ofa-bench (-Ounchecked -target-cpu haswell for kernels)",
           "notes": "both 5 classes; ours: frozen-BN (folded) graph, fused Adam updates, automatic sample-chunked prefix; PyTorch reference: BN replaced by GroupNorm (TinyTL's setting)",
           "results": rows, "summary": summary}, open("Benchmarks/train-results.json", "w"), indent=2)
print("wrote Benchmarks/train-results.json")
PY
