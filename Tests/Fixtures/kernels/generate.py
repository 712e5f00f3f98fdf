"""Reference outputs of PyTorch ops for the Tensors kernel tests (kernels.json).

Every tensor is stored NHWC (our layout) as a flat list with its shape, so the Swift test feeds inputs
as they are and compares outputs element by element. Regenerate with a Python that has torch:
    python Tests/Fixtures/kernels/generate.py
"""
import json, pathlib
import torch
import torch.nn.functional as F

torch.manual_seed(0)
cases = []

def nhwc(t):  # (N,C,H,W) -> flat NHWC list and NHWC shape
    t = t.permute(0, 2, 3, 1).contiguous()
    return {"shape": list(t.shape), "values": [float(v) for v in t.flatten()]}

def flat(t):
    return {"shape": list(t.shape), "values": [float(v) for v in t.flatten()]}

for (n, c, h, w, groups) in [(2, 6, 5, 7, 3), (1, 8, 4, 4, 2), (1, 5, 3, 3, 1)]:
    x = torch.randn(n, c, h, w) * 3 + 1
    gamma, beta = torch.randn(c), torch.randn(c)
    y = F.group_norm(x, groups, gamma, beta, eps=1e-5)
    cases.append({"op": "group_norm", "groups": groups, "eps": 1e-5, "x": nhwc(x), "gamma": flat(gamma), "beta": flat(beta), "y": nhwc(y)})

for (n, c, h, w, k, s, p, include) in [(1, 3, 6, 6, 2, 2, 0, True), (2, 4, 7, 5, 3, 2, 1, True), (1, 3, 7, 5, 3, 2, 1, False), (1, 2, 9, 9, 3, 1, 1, False)]:
    x = torch.randn(n, c, h, w)
    y = F.avg_pool2d(x, k, s, p, count_include_pad=include)
    cases.append({"op": "avg_pool2d", "kernel": k, "stride": s, "padding": p, "count_include_pad": include, "x": nhwc(x), "y": nhwc(y)})

for (n, c, h, w, oh, ow) in [(1, 3, 4, 5, 8, 10), (2, 2, 7, 7, 14, 14), (1, 3, 9, 6, 4, 5), (1, 1, 3, 3, 3, 3)]:
    x = torch.randn(n, c, h, w)
    y = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)
    cases.append({"op": "bilinear", "x": nhwc(x), "y": nhwc(y)})

for (n, c, h, w, mid) in [(2, 16, 3, 4, 4), (1, 24, 5, 5, 8)]:
    x = torch.randn(n, c, h, w)
    wr, br, we, be = torch.randn(mid, c) * 0.3, torch.randn(mid), torch.randn(c, mid) * 0.3, torch.randn(c)
    s = x.mean((2, 3), keepdim=True)
    z = F.relu(F.conv2d(s, wr[:, :, None, None], br))
    e = F.hardsigmoid(F.conv2d(z, we[:, :, None, None], be))
    y = x * e
    cases.append({"op": "squeeze_excite", "x": nhwc(x), "reduce_weight": flat(wr), "reduce_bias": flat(br),
                  "expand_weight": flat(we), "expand_bias": flat(be), "y": nhwc(y)})

x = torch.linspace(-8, 8, 161)
for name, fn in [("relu", F.relu), ("relu6", F.relu6), ("hswish", F.hardswish), ("hsigmoid", F.hardsigmoid), ("sigmoid", torch.sigmoid)]:
    cases.append({"op": "activation", "activation": name, "x": flat(x), "y": flat(fn(x))})

out = pathlib.Path(__file__).with_name("kernels.json")
out.write_text(json.dumps({"format": "ofa-search/kernel-fixtures", "format_version": 1,
                           "generator": "Tests/Fixtures/kernels/generate.py", "torch_version": torch.__version__,
                           "cases": cases}))
print(f"wrote {out} ({out.stat().st_size} bytes, {len(cases)} cases) with torch {torch.__version__}")
