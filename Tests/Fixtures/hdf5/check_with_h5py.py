#!/usr/bin/env python3
"""Prints everything h5py sees in an HDF5 file: every group and dataset path, each dataset's dtype,
shape, chunks and compression, a few values, and every attribute with its Python type.

Used to prove that files written by the Swift HDF5 module read back in h5py (not run in CI):
    /work/venv/bin/python Tests/Fixtures/hdf5/check_with_h5py.py /tmp/ofa-search-hdf5-interop.h5
Exits 1 if the file cannot be opened or an object cannot be read.
"""
import sys

import h5py
import numpy as np


def show_attrs(obj, indent: str) -> None:
    for name in sorted(obj.attrs):
        value = obj.attrs[name]
        kind = type(value).__name__
        if isinstance(value, np.ndarray):
            kind = f"ndarray {value.dtype} {value.shape}"
        elif isinstance(value, np.generic):
            kind = f"{value.dtype}"
        print(f"{indent}@{name} = {value!r}  [{kind}]")


def main(path: str) -> int:
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        print(f"cannot open {path}: {error}", file=sys.stderr)
        return 1
    with f:
        print(f"/ (file, libhdf5 {h5py.version.hdf5_version}, h5py {h5py.__version__})")
        show_attrs(f, "  ")
        failures = []

        def visit(name: str, obj) -> None:
            if isinstance(obj, h5py.Dataset):
                try:
                    data = obj[()]
                except Exception as error:  # noqa: BLE001 - report and go on
                    failures.append(f"{name}: {error}")
                    return
                flat = np.asarray(data).reshape(-1)
                print(f"/{name} dataset dtype={obj.dtype} shape={obj.shape} chunks={obj.chunks} "
                      f"compression={obj.compression}({obj.compression_opts}) shuffle={obj.shuffle} "
                      f"first={flat[:6].tolist()}")
            else:
                print(f"/{name} group")
            show_attrs(obj, "  ")

        f.visititems(visit)
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check_with_h5py.py FILE.h5", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
