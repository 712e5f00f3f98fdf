"""Reference trajectories of torch.optim.Adam and torch.optim.SGD for the Transfer optimiser tests (optim.json).

Two float32 tensors (shapes (2, 3) and (4,)) start from fixed values; for 5 steps each gets a fixed gradient
(listed in the fixture) and the optimiser steps with the learning rate listed for that step (constant, or
TinyTL's cosine 0.5*lr0*(1 + cos(pi*t/T)) with T = 5). After every step the parameters and the optimiser
state (exp_avg / exp_avg_sq / momentum_buffer) are saved. Gradients include an exact zero, sign changes
and magnitudes from 1e-3 to 3. Regenerate with a Python that has torch (CPU):
    /work/venv/bin/python Tests/Fixtures/optim/generate.py
"""
import json, math, pathlib
import torch

torch.manual_seed(0)
shapes = [(2, 3), (4,)]
initial = [torch.tensor([[0.8, -1.2, 1.5], [-0.6, 2.0, 1.1]]), torch.tensor([0.9, -1.7, 0.7, 1.3])]
steps = 5
gradients = []
for s in range(steps):
    g = [torch.randn(shape) * torch.tensor([3.0, 1.0, 1e-3, 0.2, 1.0, 0.5])[: math.prod(shape)].reshape(shape) for shape in shapes]
    g[0][1, 2] = 0.0 if s % 2 == 0 else g[0][1, 2]   # an exact zero on alternate steps
    gradients.append(g)

def cosine(lr0, t, T):
    return 0.5 * lr0 * (1 + math.cos(math.pi * t / T))

cases = [
    ("adam-defaults-lr0.1", "adam", dict(), [0.1] * steps),
    ("adam-cosine-lr0.05", "adam", dict(), [cosine(0.05, t, steps) for t in range(steps)]),
    ("adam-betas-eps-wd", "adam", dict(betas=(0.8, 0.99), eps=1e-3, weight_decay=0.05), [0.02] * steps),
    ("sgd-momentum0.9-lr0.1", "sgd", dict(momentum=0.9), [0.1] * steps),
    ("sgd-nesterov-wd", "sgd", dict(momentum=0.9, nesterov=True, weight_decay=0.01), [cosine(0.2, t, steps) for t in range(steps)]),
    ("sgd-plain", "sgd", dict(momentum=0.0), [0.05] * steps),
]

def flat(t):
    return [float(v) for v in t.detach().flatten()]

out = []
for name, kind, hyper, lrs in cases:
    params = [torch.nn.Parameter(p.clone()) for p in initial]
    opt = (torch.optim.Adam if kind == "adam" else torch.optim.SGD)(params, lr=lrs[0], **hyper)
    trajectory = []
    for s in range(steps):
        for group in opt.param_groups:
            group["lr"] = lrs[s]
        for p, g in zip(params, gradients[s]):
            p.grad = g.clone()
        opt.step()
        state = []
        for p in params:
            st = opt.state[p]
            if kind == "adam":
                state.append({"step": int(st["step"]), "m": flat(st["exp_avg"]), "v": flat(st["exp_avg_sq"])})
            else:
                buf = st.get("momentum_buffer")
                state.append({"momentum_buffer": flat(buf) if buf is not None else []})
        trajectory.append({"params": [flat(p) for p in params], "state": state})
    h = {"momentum": hyper.get("momentum", 0.0), "nesterov": hyper.get("nesterov", False),
         "weight_decay": hyper.get("weight_decay", 0.0)}
    if kind == "adam":
        b1, b2 = hyper.get("betas", (0.9, 0.999))
        h = {"beta1": b1, "beta2": b2, "eps": hyper.get("eps", 1e-8), "weight_decay": hyper.get("weight_decay", 0.0)}
    out.append({"name": name, "optimizer": kind, "hyper": h, "lrs": lrs, "trajectory": trajectory})

doc = {"format": "ofa-search/optim-fixtures", "format_version": 1, "generator": "Tests/Fixtures/optim/generate.py",
       "torch_version": torch.__version__, "shapes": [list(s) for s in shapes],
       "initial": [flat(p) for p in initial], "gradients": [[flat(g) for g in step] for step in gradients],
       "cases": out}
path = pathlib.Path(__file__).with_name("optim.json")
path.write_text(json.dumps(doc) + "\n")
print(f"wrote {path} ({path.stat().st_size} bytes, {len(out)} cases)")
