"""Checks that h5py reads an ofa-search/supernet file by PyTorch names, optionally against the .pth it came from.

    python Supernets/check_with_h5py.py <supernet.h5> [<source.pth>]

Prints the root attributes and the number of tensors. With a source checkpoint (an OFA supernet whose
state_dict sits under "state_dict", keys as the reference spells them), every tensor must be present under
the same name and equal to the checkpoint's value (in the file's storage precision). Needs h5py, numpy and,
for the comparison, torch. Not run in CI.
"""
import sys
import h5py, numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    assert attrs["format"] == "ofa-search/supernet", attrs.get("format")
    for k in sorted(attrs):
        if k != "space":
            print(f"{k}: {attrs[k]}")
    names = list(f.keys())
    tensors = {n: f[n][()] for n in names}
    print(f"{len(names)} tensors, dtypes {sorted({str(t.dtype) for t in tensors.values()})}, "
          f"{sum(t.size for t in tensors.values()):,} values")
if len(sys.argv) > 2:
    import torch
    state = torch.load(sys.argv[2], map_location="cpu")
    state = state.get("state_dict", state)
    checked = 0
    for name, value in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        stored = tensors[name]
        expected = value.numpy().astype(stored.dtype)
        assert stored.shape == expected.shape, (name, stored.shape, expected.shape)
        assert np.array_equal(stored, expected), name
        checked += 1
    assert checked == len(tensors), (checked, len(tensors))
    print(f"all {checked} tensors equal to {sys.argv[2]}")
