#!/usr/bin/env python3
"""Regenerates the Flowers-102 and MATLAB v5 fixtures for DatasetsTests (MATLABTests, Flowers102Tests):

    /work/venv/bin/python Tests/Fixtures/datasets/flowers102-mini/generate.py

Writes, beside this script:
- a mini Flowers-102 tree in the official layout: `jpg/image_00001.jpg` … `image_00006.jpg` (copies of the
  small JPEG fixtures in Tests/Fixtures/images), `imagelabels.mat` (`labels` 1x6 double, compressed, as
  MATLAB's own file but with miDOUBLE storage) and `setid.mat` (`trnid` [2 1], `valid` [4 3], `tstid` [6 5],
  uint16, uncompressed);
- `bad/`: label files that must be refused (`label-103/imagelabels.mat`, `id-beyond/setid.mat` with id 7,
  `overlap/setid.mat` with id 1 in two splits);
- `mat/`: reader fixtures, written by scipy.io.savemat except where said: `types.mat` and
  `types-compressed.mat` (one variable per storage type, see TYPES), `nested.mat` (hand-made: an
  miCOMPRESSED element inside another), `bigendian.mat` (hand-made, endian indicator 'MI': a double-class
  array stored as miUINT16 and one stored in a small element), `truncated.mat` (types-compressed.mat cut
  to half) and `not-a-mat.mat` (text);
- `manifest.json`: generator, versions and the md5 of every file.
"""
import hashlib
import json
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import scipy
import scipy.io as sio

HERE = Path(__file__).resolve().parent
IMAGES = HERE.parents[1] / "images"
FORMAT, FORMAT_VERSION = "ofa-search/flowers102-mini-fixtures", 1

JPEGS = ["chelsea.jpg", "chelsea-444.jpg", "chelsea-gray.jpg", "chelsea-progressive.jpg", "chelsea-cmyk.jpg", "chelsea.jpg"]
LABELS = [1, 102, 5, 1, 102, 5]
SPLITS = {"trnid": [2, 1], "valid": [4, 3], "tstid": [6, 5]}

TYPES = {
    "i8": np.array([[-128, -1, 0, 1, 127]], dtype=np.int8),
    "u8": np.array([[0, 1, 255]], dtype=np.uint8),
    "i16": np.array([[-32768, 32767]], dtype=np.int16),
    "u16": np.array([[0, 65535]], dtype=np.uint16),
    "i32": np.array([[-2147483648, 2147483647]], dtype=np.int32),
    "u32": np.array([[0, 4294967295]], dtype=np.uint32),
    "i64": np.array([[-9223372036854775808, 9223372036854775807]], dtype=np.int64),
    "u64": np.array([[0, 9223372036854775807]], dtype=np.uint64),
    "u64big": np.array([[18446744073709551615]], dtype=np.uint64),
    "f32": np.array([[1.5, -0.25, 3.0e38]], dtype=np.float32),
    "f64": np.array([[0.1, -2.5, 1e300]], dtype=np.float64),
    "matrix": np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float64),
    "flags": np.array([[True, False, True]]),
    "empty": np.zeros((0, 0)),
    "text": "hello",
    "cell": np.array([np.array([1.0]), "a"], dtype=object),
    "record": {"a": 1.0},
    "z": np.array([[1 + 2j]]),
}


def savemat(path, variables, compress):
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.savemat(path, variables, do_compression=compress, oned_as="row")


def header(text, big_endian=False):
    text = text.encode().ljust(116, b" ")
    return text + b"\0" * 8 + (b"\x01\x00MI" if big_endian else b"\x00\x01IM")


def element(fmt, dtype, payload):
    """A data element with an 8-byte tag, padded to 8 bytes."""
    pad = (-len(payload)) % 8
    return struct.pack(fmt + "II", dtype, len(payload)) + payload + b"\0" * pad


def small_element(fmt, dtype, payload):
    assert len(payload) <= 4
    return struct.pack(fmt + "I", (len(payload) << 16) | dtype) + payload.ljust(4, b"\0")


def matrix(fmt, name, dims, data_element, klass=6):
    body = element(fmt, 6, struct.pack(fmt + "II", klass, 0))          # array flags: class, no flags
    body += element(fmt, 5, struct.pack(fmt + "i" * len(dims), *dims))  # dimensions, miINT32
    nm = name.encode()
    body += small_element(fmt, 1, nm) if len(nm) <= 4 else element(fmt, 1, nm)
    body += data_element
    return element(fmt, 14, body)


def write_bigendian(path):
    fmt = ">"
    ids = matrix(fmt, "ids", [1, 4], element(fmt, 4, struct.pack(">4H", 1, 2, 102, 7000)))      # double class, miUINT16
    tiny = matrix(fmt, "x", [1, 2], small_element(fmt, 2, bytes([3, 250])))                    # double class, small miUINT8
    path.write_bytes(header("MATLAB 5.0 MAT-file, hand-made big-endian fixture", big_endian=True) + ids + tiny)


def write_nested(path):
    fmt = "<"
    inner = matrix(fmt, "deep", [1, 3], element(fmt, 9, struct.pack("<3d", 1.0, 2.0, 3.0)))
    once = zlib.compress(inner)
    once_el = struct.pack("<II", 15, len(once)) + once
    twice = zlib.compress(once_el)
    path.write_bytes(header("MATLAB 5.0 MAT-file, hand-made nested compression") + struct.pack("<II", 15, len(twice)) + twice)


def main():
    jpg = HERE / "jpg"
    shutil.rmtree(jpg, ignore_errors=True)
    jpg.mkdir()
    for i, name in enumerate(JPEGS, 1):
        shutil.copyfile(IMAGES / name, jpg / f"image_{i:05d}.jpg")
    savemat(HERE / "imagelabels.mat", {"labels": np.array([LABELS], dtype=np.float64)}, compress=True)
    savemat(HERE / "setid.mat", {k: np.array([v], dtype=np.uint16) for k, v in SPLITS.items()}, compress=False)

    bad = HERE / "bad"
    shutil.rmtree(bad, ignore_errors=True)
    savemat(bad / "label-103/imagelabels.mat", {"labels": np.array([[1, 2, 103, 4, 5, 6]], dtype=np.uint8)}, compress=True)
    savemat(bad / "id-beyond/setid.mat", {"trnid": np.array([[1, 7]], dtype=np.uint16), "valid": np.array([[2]], dtype=np.uint16),
                                          "tstid": np.array([[3]], dtype=np.uint16)}, compress=True)
    savemat(bad / "overlap/setid.mat", {"trnid": np.array([[1, 2]], dtype=np.uint16), "valid": np.array([[3]], dtype=np.uint16),
                                        "tstid": np.array([[1]], dtype=np.uint16)}, compress=True)

    mat = HERE / "mat"
    shutil.rmtree(mat, ignore_errors=True)
    savemat(mat / "types.mat", TYPES, compress=False)
    savemat(mat / "types-compressed.mat", TYPES, compress=True)
    write_nested(mat / "nested.mat")
    write_bigendian(mat / "bigendian.mat")
    data = (mat / "types-compressed.mat").read_bytes()
    (mat / "truncated.mat").write_bytes(data[: len(data) // 2])
    (mat / "not-a-mat.mat").write_bytes(b"this is not a MATLAB file\n")

    files = sorted(p for p in HERE.rglob("*") if p.is_file() and p.suffix in (".mat", ".jpg"))
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "generator": "Tests/Fixtures/datasets/flowers102-mini/generate.py",
        "numpy_version": np.__version__, "scipy_version": scipy.__version__,
        "labels": LABELS, "splits": SPLITS,
        "md5": {str(p.relative_to(HERE)): hashlib.md5(p.read_bytes()).hexdigest() for p in files},
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(files)} files")


if __name__ == "__main__":
    main()
