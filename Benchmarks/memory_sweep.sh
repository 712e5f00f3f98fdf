#!/usr/bin/env bash
# Validation sweep of the memory predictors (issue 6 item 3): random subnets of the shipped supernet
# × resolutions × batches × {bias, lite-residual+bias}, each trained for a few real steps (Adam, 8-bit frozen
# weights, 102 classes) in one ofa-bench process; the process's peak resident growth during those steps against
# the planner's peak and TinyTL's formula. Prints a table and writes Benchmarks/memory-sweep-results.json.
#   bash Benchmarks/memory_sweep.sh     (SUBNETS=50 RESOLUTIONS=128,160,224 BATCHES=1,8 STEPS=2 THREADS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
subnets="${SUBNETS:-50}"; resolutions="${RESOLUTIONS:-128,160,224}"; batches="${BATCHES:-1,8}"
steps="${STEPS:-2}"; threads="${THREADS:-2}"
swift build -c release --scratch-path .build-bench --product ofa-bench >&2
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
.build-bench/release/ofa-bench --memory-sweep --subnets "$subnets" --resolutions "$resolutions" --batches "$batches" \
    --steps "$steps" --threads "$threads" > "$rows"
ROWS="$rows" SUBNETS="$subnets" STEPS="$steps" THREADS="$threads" python3 - <<'PY'
import json, os, subprocess, datetime, statistics
lines = [json.loads(l) for l in open(os.environ["ROWS"]) if l.strip()]
first = next(l for l in lines if "first_run_overhead_mb" in l)
rows = [l for l in lines if "measured_bytes" in l]
for r in rows:
    r["planner_error"] = (r["plan_arena_bytes"] - r["measured_bytes"]) / r["measured_bytes"]
    r["live_peak_error"] = (r["plan_peak_bytes"] - r["measured_bytes"]) / r["measured_bytes"]
    r["formula_error"] = (r["formula_bytes"] - r["measured_bytes"]) / r["measured_bytes"]
def stats(sel):
    p = [abs(r["planner_error"]) for r in sel]; f = [abs(r["formula_error"]) for r in sel]
    return dict(runs=len(sel), planner_mean_abs=statistics.mean(p), planner_max_abs=max(p),
                planner_mean_signed=statistics.mean(r["planner_error"] for r in sel),
                formula_mean_abs=statistics.mean(f), formula_max_abs=max(f),
                formula_mean_signed=statistics.mean(r["formula_error"] for r in sel),
                measured_mb_mean=statistics.mean(r["measured_bytes"] for r in sel) / 1e6)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"{os.environ['SUBNETS']} random subnets of effnet-lite0-elastic, {os.environ['STEPS']} training steps per run, Adam, 8-bit frozen weights, {cpu}")
print("error = (predicted − measured) / measured; measured = peak resident growth from just before the Trainer (MB = 10^6 B);")
print("planner = MemoryPlan.arenaBytes (what the trainer allocates); its live-tensor lower bound peakBytes is summarised at the end")
hdr = f"{'method':<26} {'res':>4} {'batch':>5} {'runs':>4} | {'measured MB':>11} | {'planner mean|err|':>17} {'max|err|':>8} | {'formula mean|err|':>17} {'max|err|':>8} {'mean err':>8}"
print(hdr); print("-" * len(hdr))
summary = []
for m in sorted({r["method"] for r in rows}):
    for res in sorted({r["res"] for r in rows}):
        for b in sorted({r["batch"] for r in rows}):
            sel = [r for r in rows if r["method"] == m and r["res"] == res and r["batch"] == b]
            if not sel: continue
            s = stats(sel); s.update(method=m, res=res, batch=b); summary.append(s)
            print(f"{m:<26} {res:>4} {b:>5} {s['runs']:>4} | {s['measured_mb_mean']:>11.1f} | {100*s['planner_mean_abs']:>16.2f}% {100*s['planner_max_abs']:>7.2f}% | "
                  f"{100*s['formula_mean_abs']:>16.1f}% {100*s['formula_max_abs']:>7.1f}% {100*s['formula_mean_signed']:>+7.1f}%")
total = stats(rows)
print("-" * len(hdr))
print(f"{'all':<26} {'':>4} {'':>5} {total['runs']:>4} | {total['measured_mb_mean']:>11.1f} | {100*total['planner_mean_abs']:>16.2f}% {100*total['planner_max_abs']:>7.2f}% | "
      f"{100*total['formula_mean_abs']:>16.1f}% {100*total['formula_max_abs']:>7.1f}% {100*total['formula_mean_signed']:>+7.1f}%")
live = [r["live_peak_error"] for r in rows]
frag = [r["plan_arena_bytes"] / r["plan_peak_bytes"] - 1 for r in rows]
total["live_peak_mean_signed"] = statistics.mean(live); total["live_peak_min"] = min(live)
total["fragmentation_mean"] = statistics.mean(frag); total["fragmentation_max"] = max(frag)
print(f"live-tensor peak (peakBytes) vs measured: mean {100*statistics.mean(live):+.2f}%, lowest {100*min(live):+.2f}%; arena above it by {100*statistics.mean(frag):.2f}% on average, {100*max(frag):.2f}% at most (first-fit fragmentation)")
print(f"planner signed mean error {100*total['planner_mean_signed']:+.2f}%; first (untimed) run's one-time growth above its plan: {first['first_run_overhead_mb']:.2f} MB (code pages, OpenBLAS buffers)")
json.dump({"benchmark": "memory-sweep", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "commit": commit, "cpu": cpu, "threads": int(os.environ["THREADS"]), "steps": int(os.environ["STEPS"]),
           "build": "swift build -c release --product ofa-bench", "first_run": first, "all": total, "summary": summary, "results": rows},
          open("Benchmarks/memory-sweep-results.json", "w"), indent=1)
print("wrote Benchmarks/memory-sweep-results.json")
PY
