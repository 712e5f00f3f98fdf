#!/usr/bin/env python3
"""The README's table of committed searches: per run directory, the winner beside the obvious choices it must beat.

usage: python3 Scripts/search-table.py Searches/flowers5-16MB Searches/flowers5-32MB Searches/flowers5-64MB

Reads each run's summary.json and history.sqlite (phase times); prints Markdown. Test accuracies with their 95 %
Wilson score interval over the n test images (as `ofa-search` prints them). Every finalist (the best of each method and the obvious choices)
trained --final-epochs on search-train in its own certified process; the best on validation won if it was an obvious
choice or beat the best obvious choice image by image (McNemar, summary's "selection"), else that obvious choice won,
as the selection line after the first table says. Last, how well
shared-weight validation ranks the finalists against their accuracy after their own training (Kendall's tau over
each run's finalists, against validation and against test; runs are not pooled, their accuracies are not on one
scale).
"""
import json, math, os, sqlite3, sys

from scipy.stats import kendalltau


def wilson(p, n, z=1.959963984540054):
    """The 95 % Wilson score interval of accuracy p over n images (scipy's binomtest(...).proportion_ci)."""
    k = round(p * n) / n
    center = (k + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(k * (1 - k) / n + z * z / (4 * n * n))
    return max(0.0, center - half), min(1.0, center + half)


def pct(p, n):
    lo, hi = wilson(p, n)
    return f"{100 * p:.2f} % [{100 * lo:.1f}, {100 * hi:.1f}]"


def arch_object(arch):
    """summary.json's architecture: an object (a string holding one in summaries before 0.3)."""
    return json.loads(arch) if isinstance(arch, str) else arch


def adaptation(arch):
    a = arch_object(arch)
    m = a.get("method", "?")
    lr = a.get("lr")
    return f"{m} ({sum(lr)} blocks)" if lr else m


print("| budget | what | arch | test top-1 [95 % CI] (n) | planned | measured |")
print("|---|---|---|---|---|---|")
for run in sys.argv[1:]:
    s = json.load(open(os.path.join(run, "summary.json")))
    w, n = s["winner"], s["winner"]["test_images"]
    budget = f"{s['budget_bytes'] / 1e6:g} MB"
    a = arch_object(w["arch"])
    print(f"| {budget} | **winner** #{w['candidate']} (val {100 * w['val_top1']:.1f} %) | {adaptation(w['arch'])}, "
          f"d {','.join(map(str, a['d']))}, {w['resolution']} px | **{pct(w['test_top1'], n)}** ({n}) | "
          f"{w['planned_bytes'] / 1e6:.2f} MB | {w['measured_bytes'] / 1e6:.2f} MB |")
    for b in s["baselines"]:
        print(f"| {budget} | {b['name']} | {b['resolution']} px | {pct(b['test_top1'], n)} | "
              f"{b['planned_bytes'] / 1e6:.2f} MB | {b['measured_bytes'] / 1e6:.2f} MB |")
print()
for run in sys.argv[1:]:
    s = json.load(open(os.path.join(run, "summary.json")))
    c = s.get("selection")
    if c and c["leader"] != c["reference"]:
        kept = c["p_value"] >= c["significance"]
        print(f"Selection, {s['budget_bytes'] / 1e6:g} MB: #{c['leader']} led on validation; against the best obvious "
              f"choice #{c['reference']} it was right on {c['wins']} images the other missed and wrong on "
              f"{c['losses']} (McNemar one-sided p {c['p_value']:.3f}, {'not ' if kept else ''}below "
              f"{c['significance']:g}): #{c['reference'] if kept else c['leader']} won.")
    elif c:
        print(f"Selection, {s['budget_bytes'] / 1e6:g} MB: the best on validation was the obvious choice "
              f"#{c['leader']}.")
    else:
        print(f"Selection, {s['budget_bytes'] / 1e6:g} MB: the best on validation won (run without a selection rule).")
print()
print("| budget | finalist | shared-weight val | val after its own training | test |")
print("|---|---|---|---|---|")
for run in sys.argv[1:]:
    s = json.load(open(os.path.join(run, "summary.json")))
    for f in s.get("finalists", []):
        a = arch_object(f["arch"])
        test = f"{100 * f['test_top1']:.2f} %" if "test_top1" in f else "–"
        print(f"| {s['budget_bytes'] / 1e6:g} MB | #{f['candidate']} {adaptation(f['arch'])}, d {','.join(map(str, a['d']))}, "
              f"{a['r'][0]} px | {100 * f['shared_val_top1']:.1f} % | {100 * f['trained_val_top1']:.2f} % "
              f"({f['epochs']} epochs) | {test} |")
print()
phases = ["lr", "adapt", "search", "finalists"]
print("| budget | " + " | ".join(["learning rates", "adapt", "search", "finalists", "total"]) + " | evaluated / rejected |")
print("|---|---|---|---|---|---|---|")
for run in sys.argv[1:]:
    s = json.load(open(os.path.join(run, "summary.json")))
    db = sqlite3.connect(f"file:{os.path.join(run, 'history.sqlite')}?mode=ro", uri=True)
    t = {}
    for name, start, end in db.execute("select name, started_at, ended_at from phases"):
        t[name] = t.get(name, 0) + ((end or start) - start)
    fmt = lambda x: f"{int(x // 60)} min {int(x % 60):02d} s" if x else "–"
    print(f"| {s['budget_bytes'] / 1e6:g} MB | " + " | ".join(fmt(t.get(k, 0)) for k in phases)
          + f" | {fmt(sum(t.get(k, 0) for k in phases))} | {s['candidates_evaluated']} / {s['candidates_over_budget']} |")

print()
for run in sys.argv[1:]:
    s = json.load(open(os.path.join(run, "summary.json")))
    shared = [f["shared_val_top1"] for f in s.get("finalists", [])]
    for name, trained in [("val", [f["trained_val_top1"] for f in s.get("finalists", [])]),
                          ("test", [f.get("test_top1") for f in s.get("finalists", [])])]:
        if len(shared) >= 2 and None not in trained:
            t = kendalltau(shared, trained)
            print(f"Kendall tau, {os.path.basename(run.rstrip('/'))} finalists: shared-weight val vs {name} after their "
                  f"own training: {t.statistic:.2f} (p {t.pvalue:.2f}, n {len(shared)})")
