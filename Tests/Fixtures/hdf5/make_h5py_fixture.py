#!/usr/bin/env python3
"""Writes h5py_written.h5 next to this script: a small file written by h5py that
Tests/HDF5Tests/H5pyFixtureTests.swift reads back value for value.

Run from the repository root (needs h5py and numpy; made with h5py 3.16, numpy 2.4, HDF5 2.0):
    /work/venv/bin/python Tests/Fixtures/hdf5/make_h5py_fixture.py
The values are deterministic (no random numbers) and every float is exactly representable in its
stored type, so the Swift test compares with ==. If you change a value here, change the test too.
"""
import json
import pathlib

import h5py
import numpy as np

OUT = pathlib.Path(__file__).with_name("h5py_written.h5")
GZIP = dict(compression="gzip", compression_opts=4, shuffle=True)


def main() -> None:
    # libver upper bound v110: the file must open with Debian's libhdf5 1.10.
    with h5py.File(OUT, "w", libver=("earliest", "v110")) as f:
        f.attrs["generator"] = "Tests/Fixtures/hdf5/make_h5py_fixture.py"
        f.attrs["format"] = "ofa-search/hdf5-test"
        f.attrs["format_version"] = 1
        f.attrs["h5py_version"] = h5py.__version__
        f.attrs["numpy_version"] = np.__version__
        f.attrs["title"] = "Größe µ — 花 🌸"          # VL UTF-8 str
        f.attrs["count"] = 42                          # int64 scalar
        f.attrs["scale"] = 0.125                       # float64 scalar
        f.attrs["mean"] = np.array([0.5, 0.25, -1.75], dtype=np.float32)
        f.attrs["config"] = json.dumps({"name": "tiny", "depths": [2, 3, 4], "ratio": 0.5, "ok": True},
                                       sort_keys=True)
        f.attrs["fixed"] = np.bytes_(b"fixed-ascii")   # fixed-length string

        w = (np.arange(24, dtype=np.float32) * 0.25 - 3.0).reshape(4, 3, 2)
        d = f.create_dataset("model/features/0/weight", data=w, **GZIP)
        d.attrs["layout"] = "OIHW"
        d.attrs["note"] = "naïve café"
        d.attrs["fan_in"] = 6

        half = np.array([[0.0, -0.0, 1.0, -2.5, 0.099975586],
                         [65504.0, -65504.0, 2.0 ** -14, 2.0 ** -24, 1024.0],
                         [3.140625, -0.5, 0.75, 7.0, -1.0]], dtype=np.float16)
        f.create_dataset("model/features/0/weight_half", data=half, **GZIP)

        f.create_dataset("model/head/bias", data=np.array([0.5, -0.5, 1.5, -1.5, 2.0, 0.0, 8.0],
                                                          dtype=np.float32))
        f["model/head"].attrs["classes"] = 7

        labels = np.array([[0, 1, -1, 2 ** 40, -(2 ** 40)], [7, 8, 9, 10, 11]], dtype=np.int64)
        f.create_dataset("labels", data=labels, **GZIP)

        pixels = (np.arange(18, dtype=np.int64) * 13 % 256).astype(np.uint8).reshape(2, 3, 3)
        f.create_dataset("pixels", data=pixels, **GZIP)

        f.create_dataset("extras/scalar_int32", data=np.int32(-7))
        f.create_dataset("extras/doubles", data=np.array([0.1, 1e-300, -2.5], dtype=np.float64))
        f["extras/dangling"] = h5py.SoftLink("/nowhere")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
