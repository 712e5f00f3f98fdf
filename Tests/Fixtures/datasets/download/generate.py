#!/usr/bin/env python3
"""Regenerates the archive and download fixtures for DatasetsTests (ArchiveTests, DownloadTests, MD5Tests):

    /work/venv/bin/python Tests/Fixtures/datasets/download/generate.py

Archives are made with Python's `tarfile` and `gzip`, with fixed times and owners so they are
byte-for-byte reproducible:
- `102flowers-mini.tgz`: `jpg/` and the six JPEGs of ../flowers102-mini/jpg, as the official 102flowers.tgz
  holds `jpg/image_%05d.jpg` (ustar format);
- `truncated.tgz`: the first 60% of it;
- `evil.tgz`: `ok.txt` then `../evil`; `absolute.tgz`: `/tmp/ofa-search-absolute-evil`;
- `symlink.tgz`: a symbolic link member;
- `longnames.tar` (GNU format, not compressed: a GNU `L` long-name member) and `pax.tgz` (pax format: a
  `path` record), both for a file whose name has a 122-byte component; `prefix.tgz`: a 144-byte path that
  ustar splits into its `prefix` and `name` fields;
- `concatenated.tgz`: two gzip members, each a part of one tar stream (what `cat a.gz b.gz` gives);
- `manifest.json`: md5 and size of every file, read by the tests.
"""
import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINI = HERE.parent / "flowers102-mini"
FORMAT, FORMAT_VERSION = "ofa-search/download-fixtures", 1
LONG = "deep/" + "a-rather-long-folder-name-for-testing/" * 3 + "file-with-a-long-name.txt"  # 144 bytes
LONGEST = "deep/" + "a-file-name-longer-than-the-100-bytes-of-a-tar-name-field-" * 2 + ".txt"  # one 122-byte component


def info(name, data=b"", kind=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    ti.mtime = 1_600_000_000
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    ti.linkname = link
    return ti


def tar_bytes(members, fmt=tarfile.USTAR_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, data, kind, link in members:
            tar.addfile(info(name, data, kind, link), io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return buf.getvalue()


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def file(name, data):
    return (name, data, tarfile.REGTYPE, "")


def main():
    jpgs = sorted((MINI / "jpg").glob("*.jpg"))
    flowers = tar_bytes([("jpg", b"", tarfile.DIRTYPE, "")] + [file(f"jpg/{p.name}", p.read_bytes()) for p in jpgs])
    out = {
        "102flowers-mini.tgz": gz(flowers),
        "evil.tgz": gz(tar_bytes([file("ok.txt", b"fine\n"), file("../evil", b"escaped\n")])),
        "absolute.tgz": gz(tar_bytes([file("/tmp/ofa-search-absolute-evil", b"escaped\n")])),
        "symlink.tgz": gz(tar_bytes([("link", b"", tarfile.SYMTYPE, "/etc/passwd")])),
        "longnames.tar": tar_bytes([file(LONGEST, b"long gnu\n")], fmt=tarfile.GNU_FORMAT),
        "pax.tgz": gz(tar_bytes([file(LONGEST, b"long pax\n")], fmt=tarfile.PAX_FORMAT)),
        "prefix.tgz": gz(tar_bytes([file(LONG, b"ustar prefix\n")])),
    }
    out["truncated.tgz"] = out["102flowers-mini.tgz"][: len(out["102flowers-mini.tgz"]) * 6 // 10]
    half = len(flowers) // 2
    out["concatenated.tgz"] = gz(flowers[:half]) + gz(flowers[half:])
    for name, data in out.items():
        (HERE / name).write_bytes(data)
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "generator": "Tests/Fixtures/datasets/download/generate.py",
        "long_name": LONG,
        "longest_name": LONGEST,
        "files": {name: {"md5": hashlib.md5(data).hexdigest(), "size": len(data)} for name, data in sorted(out.items())},
        "flowers_members": [f"jpg/{p.name}" for p in jpgs],
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} archives")


if __name__ == "__main__":
    main()
