#!/usr/bin/env python3
"""Regenerate the `.pth` fixtures of the TorchCheckpoint tests and their `expected.json`.

Run from anywhere with a Python that has torch (the tests themselves never need Python):

    /work/venv/bin/python Tests/Fixtures/checkpoints/generate.py

Every good checkpoint is written twice: in the zip format (`torch.save` default since torch 1.6)
and in the legacy pickle format (`_use_new_zipfile_serialization=False`). The bad ones exercise one
`CheckpointError` case each. `expected.json` records, per good file, every tensor (dtype, shape,
flat row-major values) and, per bad file, the error case the Swift reader must report.
"""

import collections
import io
import json
import os
import pathlib
import random
import zipfile

import torch

TORCH_VERSION = "2.15.0+cu132"  # the version these fixtures were made with (recorded, checked below)
SEED = 0
FORMAT = "ofa-search/checkpoint-fixtures"
FORMAT_VERSION = 1
HERE = pathlib.Path(__file__).resolve().parent


def tensors_dict():
    """A plain dict covering every dtype, a 0-d tensor, strided views and a Parameter."""
    g = torch.Generator().manual_seed(SEED)
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8  # exact in float32
    square = torch.randn(2, 3, generator=g)
    return {
        "f32": torch.randn(2, 3, generator=g),
        "f16": torch.randn(5, generator=g).half(),
        # zero, negative zero, smallest subnormal, largest subnormal, largest finite
        "f16_edges": torch.tensor([0.0, -0.0, 2**-24, 2**-14 - 2**-24, 65504.0], dtype=torch.float16),
        "i64": torch.tensor([-3, 0, 7, 2**40], dtype=torch.int64),
        "u8": torch.tensor([[0, 1, 127], [128, 200, 255]], dtype=torch.uint8),
        "scalar": torch.tensor(2.5),
        "step": torch.tensor(7, dtype=torch.int64),  # 0-d int64 like num_batches_tracked
        "transposed": square.t(),  # non-contiguous view: shape [3,2], stride (1,3)
        "shared.base": base,  # storage shared by the next two entries
        "shared.slice": base[1:, 1:3],  # offset 5, stride (4,1)
        "shared.row": base[2],  # offset 8, contiguous
        "shared.column": base[:, 3],  # offset 3, stride (4,)
        "param": torch.nn.Parameter(torch.randn(2, 2, generator=g)),
        "empty": torch.zeros(0, 3),
    }


def module_state_dict():
    """A real `nn.Module.state_dict()`: an OrderedDict with `_metadata` and num_batches_tracked."""
    torch.manual_seed(SEED)
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 1), torch.nn.BatchNorm2d(3), torch.nn.Linear(3, 2))
    net[1].running_mean.uniform_()
    net[1].num_batches_tracked.fill_(5)
    return net.state_dict()


def save_both(stem, obj, **kwargs):
    torch.save(obj, HERE / f"{stem}_zip.pth", **kwargs)
    torch.save(obj, HERE / f"{stem}_legacy.pth", _use_new_zipfile_serialization=False, **kwargs)
    return [f"{stem}_zip.pth", f"{stem}_legacy.pth"]


def describe(state):
    out = {}
    for name, t in state.items():
        if not isinstance(t, torch.Tensor):
            continue
        t = t.detach()
        dtype = {torch.float32: "float32", torch.float16: "float16", torch.int64: "int64", torch.uint8: "uint8"}[t.dtype]
        values = t.float().flatten().tolist() if t.is_floating_point() else t.flatten().tolist()
        out[name] = {"dtype": dtype, "shape": list(t.shape), "values": values}
    return out


def rewrite_zip(src, dst, drop=(), replace=None, compress=()):
    """Copy a torch zip, dropping or replacing members; `compress` members are deflated."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if any(info.filename.endswith(d) for d in drop):
                continue
            data = zin.read(info.filename)
            for suffix, new in replace.items():
                if info.filename.endswith(suffix):
                    data = new
            method = zipfile.ZIP_DEFLATED if any(info.filename.endswith(c) for c in compress) else zipfile.ZIP_STORED
            zout.writestr(zipfile.ZipInfo(info.filename), data, compress_type=method)


class Exploit:
    """Pickles as a call to os.system: exactly what a checkpoint must never be able to do."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def main():
    assert torch.__version__ == TORCH_VERSION, f"fixtures pinned to torch {TORCH_VERSION}, found {torch.__version__}"
    random.seed(SEED)
    for old in HERE.glob("*.pth"):
        old.unlink()
    expected = {
        "generator": "Tests/Fixtures/checkpoints/generate.py",
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "torch_version": torch.__version__,
        "seed": SEED,
        "good": {},
        "bad": {},
    }
    good = expected["good"]

    tensors = tensors_dict()
    for name in save_both("tensors", tensors):
        good[name] = {"tensors": describe(tensors), "skipped": []}

    module = module_state_dict()
    for name in save_both("module", module):
        good[name] = {"tensors": describe(module), "skipped": []}
    # Protocol 4 brings FRAME, SHORT_BINUNICODE, MEMOIZE and STACK_GLOBAL.
    torch.save(module, HERE / "module_protocol4_zip.pth", pickle_protocol=4)
    good["module_protocol4_zip.pth"] = {"tensors": describe(module), "skipped": []}
    # Saved through a buffer, the archive root is `archive/` rather than the file stem.
    buffer = io.BytesIO()
    torch.save(module, buffer)
    (HERE / "module_buffer_zip.pth").write_bytes(buffer.getvalue())
    good["module_buffer_zip.pth"] = {"tensors": describe(module), "skipped": []}

    nested = {"epoch": 3, "arch": "tiny", "state_dict": module, "best_acc": 0.5}
    for name in save_both("nested", nested):
        good[name] = {"tensors": describe(module), "skipped": []}
    model_key = {"model": module, "optimizer": {"lr": 0.1, "momentum": [0.9, None]}}
    for name in save_both("model_key", model_key):
        good[name] = {"tensors": describe(module), "skipped": []}
    mixed = {"weight": tensors["f32"], "note": "hello", "count": 3, "flags": (True, False, None)}
    for name in save_both("mixed", mixed):
        good[name] = {"tensors": describe(mixed), "skipped": ["note", "count", "flags"]}

    bad = expected["bad"]
    small = {"w": torch.ones(2)}
    for name in save_both("malicious", {"w": torch.ones(2), "payload": Exploit()}):
        bad[name] = {"error": "refusedGlobal", "global": "posix.system"}
    # A hand-written pickle naming os.system directly, placed into a torch zip.
    torch.save(small, HERE / "_tmp.pth")
    evil = b"\x80\x02cos\nsystem\nX\x0a\x00\x00\x00echo pwned\x85R."
    rewrite_zip(HERE / "_tmp.pth", HERE / "os_system_zip.pth", replace={"/data.pkl": evil})
    bad["os_system_zip.pth"] = {"error": "refusedGlobal", "global": "os.system"}
    rewrite_zip(HERE / "_tmp.pth", HERE / "no_data_pkl_zip.pth", drop=["/data.pkl"])
    bad["no_data_pkl_zip.pth"] = {"error": "missingEntry"}
    rewrite_zip(HERE / "_tmp.pth", HERE / "missing_storage_zip.pth", drop=["/data/0"])
    bad["missing_storage_zip.pth"] = {"error": "missingStorage"}
    rewrite_zip(HERE / "_tmp.pth", HERE / "compressed_zip.pth", compress=["/data.pkl"])
    bad["compressed_zip.pth"] = {"error": "compressedEntry"}
    rewrite_zip(HERE / "_tmp.pth", HERE / "big_endian_zip.pth", replace={"/byteorder": b"big"})
    bad["big_endian_zip.pth"] = {"error": "bigEndian"}
    whole = (HERE / "_tmp.pth").read_bytes()
    (HERE / "truncated_zip.pth").write_bytes(whole[: len(whole) // 2])
    bad["truncated_zip.pth"] = {"error": "truncated"}
    (HERE / "_tmp.pth").unlink()

    torch.save(small, HERE / "_tmp.pth", _use_new_zipfile_serialization=False)
    whole = (HERE / "_tmp.pth").read_bytes()
    (HERE / "_tmp.pth").unlink()
    (HERE / "truncated_legacy.pth").write_bytes(whole[:-3])  # cut inside the storage bytes
    bad["truncated_legacy.pth"] = {"error": "truncated"}
    marker = b"little_endian\x94\x88" if b"little_endian\x94" in whole else b"little_endian\x71\x02\x88"
    assert marker in whole, "sys_info layout changed"
    (HERE / "big_endian_legacy.pth").write_bytes(whole.replace(marker, marker[:-1] + b"\x89", 1))
    bad["big_endian_legacy.pth"] = {"error": "bigEndian"}

    torch.save([torch.ones(2)], HERE / "list_zip.pth")
    bad["list_zip.pth"] = {"error": "notADict"}
    torch.save({"w": torch.ones(2), "tags": {"a"}}, HERE / "set_protocol4_zip.pth", pickle_protocol=4)
    bad["set_protocol4_zip.pth"] = {"error": "unsupportedOpcode", "opcode": "EMPTY_SET"}
    torch.save({"w": torch.ones(2, dtype=torch.float64)}, HERE / "float64_zip.pth")
    bad["float64_zip.pth"] = {"error": "refusedGlobal", "global": "torch.DoubleStorage"}

    rng = random.Random(SEED)
    noise = bytes(rng.randrange(256) for _ in range(256))
    noise = b"\x17" + noise[1:]  # never starts like a zip (PK) or a pickle (0x80)
    (HERE / "random.pth").write_bytes(noise)
    bad["random.pth"] = {"error": "notACheckpoint"}
    (HERE / "empty.pth").write_bytes(b"")
    bad["empty.pth"] = {"error": "notACheckpoint"}

    with open(HERE / "expected.json", "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    sizes = {p.name: p.stat().st_size for p in sorted(HERE.glob("*.pth"))}
    print(json.dumps(sizes, indent=1))


if __name__ == "__main__":
    main()
