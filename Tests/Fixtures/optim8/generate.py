"""Golden fixtures for 8-bit block-wise Adam (Dettmers et al., "8-bit Optimizers
via Block-wise Quantization"), produced with the reference implementation,
bitsandbytes (bnb), running on CPU.

Outputs (next to this file):
  adam8.json                  -- dynamic maps, a block-wise quantisation case and
                                 a 4-step bnb.optim.Adam8bit trajectory, all produced
                                 by bitsandbytes itself on CPU ("source": "bnb-cpu").

Regenerate (venv lives outside the repo):
    python3 -m venv /work/venv
    /work/venv/bin/pip install torch bitsandbytes      # bnb 0.50.2 was used
    /work/venv/bin/python Tests/Fixtures/optim8/generate.py

Encoding: large arrays are base64 strings so the file stays < 300 KB:
  "*_f32_b64": little-endian IEEE float32 bytes, base64 (RFC 4648, with padding)
  "*_u8_b64" : raw uint8 bytes, base64
Small arrays (maps, absmax) are plain JSON number lists.  Every float in a plain
list is the shortest decimal that round-trips to the float32 value.

The script also re-implements bnb's CPU algorithm in numpy and asserts bit-exact
agreement with bnb (so the documented algorithm is known to be the one that ran).
"""

import base64
import json
import math
import os
import sys

import numpy as np
import torch

import bitsandbytes as bnb
import bitsandbytes.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
f32 = np.float32


# ----------------------------------------------------------------------------- encoding
def b64f32(a):
    return base64.b64encode(np.ascontiguousarray(np.asarray(a, dtype="<f4")).tobytes()).decode("ascii")


def b64u8(a):
    return base64.b64encode(np.ascontiguousarray(np.asarray(a, dtype=np.uint8)).tobytes()).decode("ascii")


def flist(a):
    # shortest repr that round-trips to float32
    return [float(np.format_float_scientific(f32(x), unique=True)) if x != 0 else 0.0 for x in np.asarray(a, f32)]


# ----------------------------------------------------------------------------- numpy emulation of bnb CPU
# csrc/cpu_ops.cpp (bnb 0.50.2): build_quantize_lut / norm_to_lut_index / quantize_cpu_impl
LUT_SIZE = 65536


def build_lut(code):
    code = np.asarray(code, f32)
    mid = (f32(0.5) * (code[:-1] + code[1:])).astype(f32)  # midpoints[i] = 0.5f*(c[i]+c[i+1])
    i = np.arange(LUT_SIZE, dtype=np.int64)
    val = (f32(-1.0) + (f32(2.0) * i.astype(f32)) / f32(LUT_SIZE - 1)).astype(f32)
    # lut[i] = number of midpoints strictly below val (code_idx advances while midpoints[code_idx] < val)
    return np.searchsorted(mid, val, side="left").astype(np.uint8)


def cpu_quantize(A, code, blocksize):
    """Bit-exact numpy model of bnb's CPU quantize_blockwise (fp32, x86 scalar path)."""
    A = np.asarray(A, f32)
    lut = build_lut(code)
    n = A.size
    nb = -(-n // blocksize)
    absmax = np.zeros(nb, f32)
    out = np.zeros(n, np.uint8)
    for b in range(nb):
        blk = A[b * blocksize:(b + 1) * blocksize]
        am = f32(np.max(np.abs(blk)))
        absmax[b] = am
        if am == 0:
            continue  # codes stay 0
        inv = f32(f32(1.0) / am)
        v = np.clip((blk * inv).astype(f32), f32(-1), f32(1))
        idx = ((v + f32(1.0)) * f32(0.5) * f32(LUT_SIZE - 1) + f32(0.5)).astype(f32).astype(np.uint16)
        out[b * blocksize:(b + 1) * blocksize] = lut[idx]
    return out, absmax


def fma32(a, b, c):
    """float32 fused multiply-add a*b+c (product exact in float64; single rounding to f32 modulo
    a negligible double-rounding chance)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)).astype(f32)


def cpu_dequantize(q, absmax, code, blocksize):
    code = np.asarray(code, f32)
    sc = np.repeat(np.asarray(absmax, f32), blocksize)[: q.size]
    return (code[q.astype(np.int64)] * sc).astype(f32)


def nearest_codes(x, code):
    """Exact nearest code (ties -> lower index) for already-normalised x in [-1, 1]."""
    code = np.asarray(code, f32)
    mid = (f32(0.5) * (code[:-1] + code[1:])).astype(f32)
    return np.searchsorted(mid, np.asarray(x, f32), side="left").astype(np.uint8)


# ----------------------------------------------------------------------------- data
def quant_input(rng, n=5000):
    mag = 10.0 ** rng.uniform(-6.0, math.log10(3.0), n)
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    x = (sign * mag).astype(f32)
    x[17] = 0.0            # exact zero
    x[3000] = -3.0         # block 1 absmax is a negative value
    x[4100] = 1e-6         # smallest magnitude
    return x


def main():
    print("bitsandbytes", bnb.__version__, "torch", torch.__version__, file=sys.stderr)
    signed = F.create_dynamic_map(signed=True)
    unsigned = F.create_dynamic_map(signed=False)
    signed_np, unsigned_np = signed.numpy().astype(f32), unsigned.numpy().astype(f32)

    # ---- block-wise quantisation case (signed map, blocksize 2048)
    rng = np.random.default_rng(20240611)
    x = quant_input(rng)
    BS_Q = 2048
    q, st = F.quantize_blockwise(torch.from_numpy(x.copy()), code=signed, blocksize=BS_Q)
    deq = F.dequantize_blockwise(q, st).numpy()
    codes = q.numpy().astype(np.uint8)
    absmax = st.absmax.numpy().astype(f32)
    eq, eabs = cpu_quantize(x, signed_np, BS_Q)
    assert np.array_equal(eq, codes) and np.array_equal(eabs, absmax), "CPU LUT emulation disagrees with bnb"
    assert np.array_equal(cpu_dequantize(codes, absmax, signed_np, BS_Q), deq)
    # exact nearest-code quantisation (CUDA kQuantizeBlockwise / paper semantics) for comparison
    norm = np.concatenate([
        np.clip((x[b * BS_Q:(b + 1) * BS_Q] * (f32(1) / absmax[b])).astype(f32), -1, 1)
        for b in range(absmax.size)])
    near = nearest_codes(norm, signed_np)
    diff = [[int(i), int(near[i])] for i in np.nonzero(near != codes)[0]]

    # ---- optimizer trajectory
    lr, betas, eps = 1e-2, (0.9, 0.999), 1e-8
    sizes = [3000, 37]
    trng = np.random.default_rng(7)
    init = [trng.standard_normal(s).astype(f32) for s in sizes]
    grads = []
    for step in range(4):
        gs = []
        for s in sizes:
            scale = 10.0 ** trng.uniform(-4.0, 0.0, s)       # varied magnitudes inside each block
            g = (trng.standard_normal(s) * scale).astype(f32)
            g[trng.integers(0, s, max(1, s // 100))] = 0.0   # some exact-zero gradients
            gs.append(g)
        grads.append(gs)

    params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]
    opt = bnb.optim.Adam8bit(params, lr=lr, betas=betas, eps=eps, weight_decay=0, min_8bit_size=0)
    steps = []
    # numpy model of the bnb CPU step (backends/cpu/ops.py _optimizer_update_8bit_blockwise_cpu)
    emu = [dict(p=a.copy(), c1=np.zeros(a.size, np.uint8), c2=np.zeros(a.size, np.uint8),
                a1=np.zeros(-(-a.size // 256), f32), a2=np.zeros(-(-a.size // 256), f32)) for a in init]
    emu_exact = True
    for k in range(4):
        for p, g in zip(params, grads[k]):
            p.grad = torch.from_numpy(g.copy())
        opt.step()
        rec = []
        for t, p in enumerate(params):
            s = opt.state[p]
            assert s["state1"].dtype == torch.uint8 and s["state2"].dtype == torch.uint8
            rec.append(dict(
                params_f32_b64=b64f32(p.detach().numpy()),
                state1_u8_b64=b64u8(s["state1"].numpy()),
                state2_u8_b64=b64u8(s["state2"].numpy()),
                absmax1=flist(s["absmax1"].numpy()),
                absmax2=flist(s["absmax2"].numpy()),
            ))
            # emulation
            e = emu[t]; g = grads[k][t]; step = k + 1
            m = cpu_dequantize(e["c1"], e["a1"], signed_np, 256)
            v = cpu_dequantize(e["c2"], e["a2"], unsigned_np, 256)
            # state1.mul_(beta1).add_(grad, alpha=1-beta1): torch's vectorised add-with-alpha is an FMA
            m = fma32(g, f32(1 - betas[0]), (m * f32(betas[0])).astype(f32))
            # state2.mul_(beta2).addcmul_(grad, grad, value=1-beta2): fma((1-beta2)*g, g, v*beta2)
            v = fma32((f32(1 - betas[1]) * g).astype(f32), g, (v * f32(betas[1])).astype(f32))
            c1_ = 1.0 - betas[0] ** step          # python double
            c2_ = math.sqrt(1.0 - betas[1] ** step)
            # denom = (state2.sqrt() / correction2).add_(eps); torch's CPU sqrt is NOT always correctly
            # rounded (1 ulp off for ~1% of inputs), so use torch.sqrt itself here
            sq = torch.sqrt(torch.from_numpy(v.copy())).numpy()
            denom = ((sq / f32(c2_)).astype(f32) + f32(eps)).astype(f32)
            # p.addcdiv_(m, denom, value=-lr/correction1) == p + ((value*m)/denom), each op rounded to f32
            e["p"] = (e["p"] + ((f32(-lr / c1_) * m).astype(f32) / denom).astype(f32)).astype(f32)
            e["c1"], e["a1"] = cpu_quantize(m, signed_np, 256)
            e["c2"], e["a2"] = cpu_quantize(v, unsigned_np, 256)
            same = (np.array_equal(e["c1"], s["state1"].numpy()) and np.array_equal(e["c2"], s["state2"].numpy())
                    and np.array_equal(e["a1"], s["absmax1"].numpy()) and np.array_equal(e["a2"], s["absmax2"].numpy()))
            pdiff = np.max(np.abs(e["p"] - p.detach().numpy()))
            if not same or pdiff != 0:
                emu_exact = False
                print(f"step {step} tensor {t}: emulation states equal={same}, max|dp|={pdiff}", file=sys.stderr)
                # continue from bnb's values so later steps are compared like-for-like
                e["p"] = p.detach().numpy().copy()
                e["c1"], e["c2"] = s["state1"].numpy().copy(), s["state2"].numpy().copy()
                e["a1"], e["a2"] = s["absmax1"].numpy().copy(), s["absmax2"].numpy().copy()
        steps.append(rec)
    print("numpy emulation of bnb CPU optimizer bit-exact:", emu_exact, file=sys.stderr)

    common_traj = dict(
        optimizer="bnb.optim.Adam8bit",
        lr=lr, betas=list(betas), eps=eps, weight_decay=0.0, min_8bit_size=0,
        blocksize=256,
        blocksize_note="blocksize is hard-coded to 256 in bnb >= 0.44 (Optimizer2State.init_state, "
                       "csrc/ops.cu BLOCKSIZE_2STATE); it is not configurable, so 2048 could not be used",
        state1_map="signed_map", state2_map="unsigned_map",
        initial_state="codes all 0, absmax all 0 (so dequantised m = v = 0 at step 1)",
        tensors=[dict(numel=s, blocks=-(-s // 256)) for s in sizes],
        initial_params_f32_b64=[b64f32(a) for a in init],
        grads_f32_b64=[[b64f32(g) for g in gs] for gs in grads],   # [step][tensor]
    )

    out = dict(
        description="8-bit block-wise Adam golden data from bitsandbytes on CPU. See README.md.",
        bitsandbytes_version=bnb.__version__,
        torch_version=torch.__version__,
        encoding={"*_f32_b64": "base64 of little-endian float32 array",
                  "*_u8_b64": "base64 of uint8 array",
                  "plain lists": "float32 values written as shortest round-trip decimals"},
        signed_map=flist(signed_np),
        unsigned_map=flist(unsigned_np),
        quantize_blockwise=dict(
            source="bnb-cpu",
            function="bitsandbytes.functional.quantize_blockwise(A, code=signed_map, blocksize=2048)",
            blocksize=BS_Q, n=int(x.size), map="signed_map",
            input_f32_b64=b64f32(x),
            codes=[int(c) for c in codes],
            absmax=flist(absmax),
            dequantized_f32_b64=b64f32(deq),
            nearest_code_differences=diff,
            nearest_code_differences_note="[index, code] where exact nearest-code rounding of "
                                          "clamp(x*(1/absmax),-1,1) (ties to lower index; CUDA/paper semantics) "
                                          "differs from bnb's CPU 65536-entry LUT result",
        ),
        trajectory=dict(source="bnb-cpu", emulation_bit_exact=emu_exact, **common_traj,
                        steps=steps),  # steps[k][tensor] = state after step k+1
    )
    path = os.path.join(HERE, "adam8.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(path, os.path.getsize(path), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
