#!/usr/bin/env bash
# What each optimizer costs in accuracy and saves in memory: `ofa-search train` of the max subnet of the shipped
# supernet on flowers5, batch 8, seed 0, the same epochs for every case METHOD:OPTIMIZER[:LR] (LR default 3e-4).
# Prints a table (test top-1, optimizer state, budgeted bytes as `search --mem` counts them) and writes
# Benchmarks/optimizer-results.json (each row also goes to Benchmarks/optimizer-rows.partial as its case finishes,
# so a stopped run keeps them).
#   bash Benchmarks/optimizers.sh
#   (EPOCHS=3 RESOLUTION=160 CASES="lite-residual+bias:adam lite-residual+bias:adam8 bias:adam bias:adam8 bias:sgd:0.01")
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED_DIR:-../shared}"; epochs="${EPOCHS:-3}"; res="${RESOLUTION:-160}"
cases="${CASES:-lite-residual+bias:adam lite-residual+bias:adam8 bias:adam bias:adam8 bias:sgd:0.01}"
swift build -c release --product ofa-search >&2
tool=.build/release/ofa-search
out=$(mktemp -d)
rm -f Benchmarks/optimizer-rows.partial
rows=""
for c in $cases; do
    IFS=: read -r method optimizer lr <<< "$c"; lr="${lr:-3e-4}"
    echo "case $method, $optimizer, lr $lr" >&2
    memory=$("$tool" memory --supernet Supernets/effnet-lite0-elastic.h5 --arch max --method "$method" --resolution "$res" \
        --batch 8 --optimizer "$optimizer" --dataset "$shared/datasets/flowers5" --json)
    result=$("$tool" train --supernet Supernets/effnet-lite0-elastic.h5 --arch max --method "$method" --resolution "$res" \
        --dataset "$shared/datasets/flowers5" --epochs "$epochs" --batch 8 --optimizer "$optimizer" --lr "$lr" \
        --output "$out/net.h5" --json)
    row="$(MEMORY="$memory" RESULT="$result" METHOD="$method" OPTIMIZER="$optimizer" LR="$lr" python3 -c '
import json, os
m, r = json.loads(os.environ["MEMORY"]), json.loads(os.environ["RESULT"])
print(json.dumps({"method": os.environ["METHOD"], "optimizer": os.environ["OPTIMIZER"], "lr": float(os.environ["LR"]),
                  "test_top1": r["top1"], "test_images": r["eval_images"], "optimizer_state_bytes": m["planner"]["ledger_at_peak"]["optimizer state"],
                  "budgeted_bytes": m["budgeted_bytes"], "images_per_second": r["images_per_second"]}))')"
    rows+="$row"$'\n'
    echo "$row" >> Benchmarks/optimizer-rows.partial
done
rm -f Benchmarks/optimizer-rows.partial
rm -rf "$out"
ROWS="$rows" EPOCHS="$epochs" RES="$res" python3 - <<'PY'
import json, os, subprocess, datetime
rows = [json.loads(l) for l in os.environ["ROWS"].splitlines() if l.strip()]
print(f"flowers5, max subnet, {os.environ['RES']} px, batch 8, {os.environ['EPOCHS']} epochs, seed 0")
print(f"{'method':<20} {'optimizer':<9} {'lr':>7} {'test top-1':>10} {'opt. state':>11} {'budgeted':>10}")
for r in rows:
    print(f"{r['method']:<20} {r['optimizer']:<9} {r['lr']:>7g} {100 * r['test_top1']:>9.2f}% "
          f"{r['optimizer_state_bytes'] / 1e6:>8.2f} MB {r['budgeted_bytes'] / 1e6:>7.2f} MB")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
json.dump({"date": datetime.date.today().isoformat(), "commit": commit, "dataset": "flowers5", "arch": "max",
           "resolution": int(os.environ["RES"]), "batch": 8, "epochs": int(os.environ["EPOCHS"]), "seed": 0, "rows": rows},
          open("Benchmarks/optimizer-results.json", "w"), indent=1)
PY
