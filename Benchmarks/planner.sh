#!/usr/bin/env bash
# Planning speed: Planner.plan on random subnets of the shipped supernet (Supernets/effnet-lite0-elastic.h5),
# training plans (Adam, batch 8, 8-bit frozen weights) for bias and lite-residual+bias, release build.
# Prints one JSON line per method and writes Benchmarks/planner-results.json.
#   bash Benchmarks/planner.sh            (SUBNETS=100 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
subnets="${SUBNETS:-100}"
swift build -c release --scratch-path .build-bench --product ofa-bench >&2
rows=$(.build-bench/release/ofa-bench --planner --subnets "$subnets")
echo "$rows"
ROWS="$rows" python3 - <<'PY'
import json, os, subprocess, datetime
rows = [json.loads(l) for l in os.environ["ROWS"].splitlines() if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
json.dump({"benchmark": "planner", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "commit": commit, "cpu": cpu, "build": "swift build -c release --product ofa-bench", "target_ms": 1.0,
           "results": rows}, open("Benchmarks/planner-results.json", "w"), indent=2)
print("wrote Benchmarks/planner-results.json")
PY
