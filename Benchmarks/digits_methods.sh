#!/usr/bin/env bash
# Far from photos, which trainable set learns: `ofa-search train` of the max subnet of the shipped supernet on
# scikit-learn's digits (Scripts/make-digits-dataset.py, default /work/digits) at 128 px, batch 8, 2 epochs,
# lr 1.5e-3 (what the search's range test chose there), seed 0, for each method in METHODS. Prints the test top-1
# after each epoch and writes Benchmarks/digits-methods-results.json.
#   bash Benchmarks/digits_methods.sh            (DIGITS=/work/digits METHODS="last bn+last")
set -euo pipefail
cd "$(dirname "$0")/.."
digits="${DIGITS:-/work/digits}"; methods="${METHODS:-last bn+last}"
swift build -c release --product ofa-search >&2
out=$(mktemp -d)
rows=""
for m in $methods; do
    echo "method $m" >&2
    log=$(.build/release/ofa-search train --supernet Supernets/effnet-lite0-elastic.h5 --arch max --method "$m" \
        --dataset "$digits" --epochs 2 --batch 8 --resolution 128 --lr 1.5e-3 --no-chunking -o "$out/net.h5" 2>&1 >/dev/null)
    rows+="$(LOG="$log" METHOD="$m" python3 -c '
import json, os, re
tops = [float(x) / 100 for x in re.findall(r"^epoch \d+/\d+ .* test top-1 ([0-9.]+)%", os.environ["LOG"], re.M)]
print(json.dumps({"method": os.environ["METHOD"], "test_top1_per_epoch": tops}))')"$'\n'
done
rm -rf "$out"
ROWS="$rows" python3 - <<'PY'
import json, os, subprocess, datetime
rows = [json.loads(l) for l in os.environ["ROWS"].splitlines() if l.strip()]
for r in rows:
    print(f"{r['method']:<10} " + "  ".join(f"epoch {i + 1}: {100 * t:.2f} %" for i, t in enumerate(r["test_top1_per_epoch"])))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
json.dump({"date": datetime.date.today().isoformat(), "commit": commit, "dataset": "sklearn digits (make-digits-dataset.py)",
           "arch": "max", "resolution": 128, "batch": 8, "epochs": 2, "lr": 1.5e-3, "seed": 0, "rows": rows},
          open("Benchmarks/digits-methods-results.json", "w"), indent=1)
PY
