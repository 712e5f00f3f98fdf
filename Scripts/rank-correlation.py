#!/usr/bin/env python3
"""How well a search's shared-weight validation accuracy ranks candidates against their accuracy after their own
training: Kendall's tau-b over a sample of the run's evaluated candidates.

usage: python3 Scripts/rank-correlation.py <run dir> [--count 12] [--epochs N] [--tool .build/release/ofa-search]

The sample spans methods and sizes: the run's evaluated candidates sorted by planned memory within each method, the
methods taking turns and each contributing evenly spaced candidates, the best of each method always included. Each
is trained by `ofa-search train` as a search trains its finalists (the run's supernet, dataset, validation
hold-out, batch, seed, optimizer, its method's learning rate from learning-rates.json, --final-epochs unless
--epochs; --threads overrides the run's) and scored on validation and test. Writes <run dir>/rank-correlation.json
(every candidate with its accuracies, tau against validation and against test, p-values) and prints it; a finished
candidate is not trained again when the script is re-run, nor is one the search trained as a finalist with the same
epochs (its finalist-<id>.json holds what that training reported).
"""
import argparse, json, math, os, sqlite3, subprocess, sys, tempfile


def tau_b(x, y):
    """Kendall's tau-b and its two-sided p-value under the normal approximation without tie correction."""
    n, concordant, discordant, ties_x, ties_y = len(x), 0, 0, 0, 0
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif dx * dy > 0:
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    tau = (concordant - discordant) / denominator if denominator else float("nan")
    z = 3 * tau * math.sqrt(n * (n - 1)) / math.sqrt(2 * (2 * n + 5))
    return tau, math.erfc(abs(z) / math.sqrt(2))


def sample(rows, count):
    by_method = {}
    for r in rows:
        by_method.setdefault(json.loads(r["arch"]).get("method", "?"), []).append(r)
    picked = []
    for method, group in by_method.items():
        group.sort(key=lambda r: r["planned"])
        share = max(1, round(count * len(group) / len(rows)))
        step = (len(group) - 1) / max(share - 1, 1)
        chosen = {group[round(k * step)]["id"] for k in range(min(share, len(group)))}
        chosen.add(max(group, key=lambda r: r["val"])["id"])
        picked += [r for r in group if r["id"] in chosen]
    return picked


def main():
    p = argparse.ArgumentParser()
    p.add_argument("run"); p.add_argument("--count", type=int, default=12); p.add_argument("--epochs", type=int)
    p.add_argument("--tool", default=".build/release/ofa-search"); p.add_argument("--threads", type=int)
    a = p.parse_args()
    db = sqlite3.connect(f"file:{os.path.join(a.run, 'history.sqlite')}?mode=ro", uri=True)
    settings = json.loads(db.execute("select settings_json from run").fetchone()[0])
    rows = [dict(id=i, arch=arch, planned=planned, val=val) for i, arch, planned, val in
            db.execute("select id, arch_json, planned_bytes, val_top1 from candidates where status = 'evaluated'")]
    rates = json.load(open(os.path.join(a.run, "learning-rates.json")))
    out_path = os.path.join(a.run, "rank-correlation.json")
    done = {c["candidate"]: c for c in json.load(open(out_path))["candidates"]} if os.path.exists(out_path) else {}
    epochs = a.epochs or settings["final_epochs"]
    for r in rows:
        path = os.path.join(a.run, f"finalist-{r['id']}.json")
        if r["id"] not in done and epochs == settings["final_epochs"] and os.path.exists(path):
            f = json.load(open(path))
            done[r["id"]] = dict(candidate=r["id"], method=json.loads(r["arch"])["method"], planned_bytes=r["planned"],
                                 shared_val_top1=r["val"], trained_val_top1=f["validationTop1"],
                                 trained_test_top1=f["testTop1"], test_images=f["testImages"], epochs=epochs)
    results = []
    for r in sample(rows, a.count):
        if r["id"] in done and done[r["id"]]["epochs"] == epochs and "trained_val_top1" in done[r["id"]]:
            results.append(done[r["id"]]); continue
        method = json.loads(r["arch"])["method"]
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [a.tool, "train", "--supernet", settings["supernet"], "--arch", r["arch"], "--dataset", settings["dataset"],
                   "--epochs", str(epochs), "--batch", str(settings["batch"]), "--lr", str(rates[method]),
                   "--optimizer", settings.get("optimizer", "adam"), "--seed", str(settings["seed"]),
                   "--holdout", str(settings["validation_fraction"]),
                   "--label-smoothing", str(settings["adaptation"]["labelSmoothing"]),
                   "--frozen-bits", str(settings["frozen_bits"]),
                   "--threads", str(a.threads or settings["threads"]), "--json", "-o", os.path.join(tmp, "net.h5")]
            cmd += ["--split-ratios", settings["split"]] if settings.get("split") else []
            cmd += ["--data-root", settings["data_root"]] if settings.get("data_root") else []
            print(f"#{r['id']} {method} {r['planned'] / 1e6:.2f} MB: training", file=sys.stderr)
            trained = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        results.append(dict(candidate=r["id"], method=method, planned_bytes=r["planned"], shared_val_top1=r["val"],
                            trained_val_top1=trained["validation_top1"], trained_test_top1=trained["top1"],
                            test_images=trained["eval_images"], epochs=epochs))
        json.dump(dict(candidates=results), open(out_path, "w"), indent=1)
    shared = [c["shared_val_top1"] for c in results]
    tau_val, p_val = tau_b(shared, [c["trained_val_top1"] for c in results])
    tau_test, p_test = tau_b(shared, [c["trained_test_top1"] for c in results])
    json.dump(dict(candidates=results, kendall_tau_b_validation=tau_val, p_value_validation=p_val,
                   kendall_tau_b_test=tau_test, p_value_test=p_test), open(out_path, "w"), indent=1)
    for c in results:
        print(f"#{c['candidate']:>3} {c['method']:<20} {c['planned_bytes'] / 1e6:6.2f} MB  shared val "
              f"{100 * c['shared_val_top1']:5.1f} %  trained val {100 * c['trained_val_top1']:5.1f} %  "
              f"test {100 * c['trained_test_top1']:5.1f} %")
    print(f"Kendall's tau-b against trained validation = {tau_val:.3f}, against test = {tau_test:.3f} "
          f"over {len(results)} candidates (p = {p_val:.3g}, {p_test:.3g})")


if __name__ == "__main__":
    main()
