#!/usr/bin/env python3
"""Regenerates the image fixtures for ImagesTests (run from anywhere):

    /work/venv/bin/python Tests/Fixtures/images/generate.py [--shared ../shared]

Inputs are small crops of the CC0 scikit-image photographs `coffee.png` and `chelsea.png`
(taken from `<shared>/images`). Expected outputs are what Pillow produces, written as raw bytes:
`*.rgb` = uint8 interleaved RGB, row-major (HWC); `*.f32` = float32 little-endian. Shapes, sources and
versions are in `manifest.json`, which the Swift tests read first (format `ofa-search/image-fixtures` v1).

torchvision is not installed in the venv, so its `Resize(256)`, `CenterCrop(224)`, `ToTensor()` and
`Normalize()` are reproduced below line for line from torchvision 0.2x (`transforms/functional.py`,
`_functional_pil.py`): Resize on a PIL image calls `img.resize((w, h), Image.BILINEAR)`.
"""
import argparse
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import PIL
import torch
from PIL import Image, PngImagePlugin, features

FORMAT = "ofa-search/image-fixtures"
FORMAT_VERSION = 1
HERE = Path(__file__).resolve().parent
JPEG_TOLERANCE = 2  # max |diff| allowed between Debian's libjpeg-turbo 2.1 and Pillow's bundled 3.x
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def fnv1a64(data: bytes) -> str:
    """FNV-1a 64-bit of `data` as 16 hex digits (the Swift test computes the same)."""
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def png16(path: Path, arr: np.ndarray) -> None:
    """Writes a 16-bit PNG (gray HxW, RGB or RGBA HxWxC) by hand: Pillow cannot save 48/64-bit colour."""
    h, w = arr.shape[:2]
    color_type = {2: 0, 3: 2}[arr.ndim] if arr.ndim == 2 or arr.shape[2] == 3 else 6
    raw = b"".join(b"\x00" + arr[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9))
                     + chunk(b"IEND", b""))


def rgb_of(path: Path) -> np.ndarray:
    """What torchvision's loaders do: `Image.open(path).convert('RGB')`."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def tv_resize_short(im: Image.Image, size: int) -> Image.Image:
    """torchvision `Resize(size)` for an int size on a PIL image (`_compute_resized_output_size`)."""
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    if (new_w, new_h) == (w, h):
        return im
    return im.resize((new_w, new_h), Image.BILINEAR)


def tv_center_crop(im: Image.Image, size: int) -> Image.Image:
    """torchvision `CenterCrop(size)` when the image is at least `size` on both sides."""
    w, h = im.size
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    return im.crop((left, top, left + size, top + size))


def tv_to_tensor_normalize(arr: np.ndarray) -> torch.Tensor:
    """torchvision `ToTensor()` then `Normalize(MEAN, STD)`: CHW float32."""
    t = torch.from_numpy(arr.copy()).permute((2, 0, 1)).contiguous()
    t = t.to(dtype=torch.float32).div(255)
    mean = torch.as_tensor(MEAN, dtype=torch.float32).view(-1, 1, 1)
    std = torch.as_tensor(STD, dtype=torch.float32).view(-1, 1, 1)
    return t.sub_(mean).div_(std)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=HERE.parents[3] / "shared")
    args = ap.parse_args()
    src_dir = args.shared / "images"
    rng = np.random.RandomState(20261126)
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "generator": "Tests/Fixtures/images/generate.py",
        "pillow_version": PIL.__version__, "pillow_libjpeg_turbo": features.version("libjpeg_turbo"),
        "numpy_version": np.__version__, "torch_version": torch.__version__,
        "decode": [], "resize": [], "pipeline": [], "normalize": [], "errors": [], "shared": [],
    }

    def expect_decode(name: str, tolerance: int) -> None:
        arr = rgb_of(HERE / name)
        out = Path(name).stem + ".rgb"
        (HERE / out).write_bytes(arr.tobytes())
        manifest["decode"].append({"input": name, "expected": out, "width": arr.shape[1],
                                   "height": arr.shape[0], "tolerance": tolerance})

    with Image.open(src_dir / "coffee.png") as im:
        coffee = im.convert("RGB").crop((262, 118, 262 + 64, 118 + 48))
    with Image.open(src_dir / "chelsea.png") as im:
        chelsea_full = im.convert("RGB")
    chelsea = chelsea_full.crop((170, 70, 170 + 62, 70 + 46))  # not a multiple of the 16x16 MCU

    # PNG variants: every one must decode exactly as Pillow's convert('RGB').
    coffee.save(HERE / "coffee-rgb.png")
    alpha = Image.fromarray(rng.randint(0, 256, (48, 64)).astype(np.uint8))
    rgba = coffee.copy()
    rgba.putalpha(alpha)
    rgba.save(HERE / "coffee-rgba.png")
    hi = np.asarray(coffee).astype(np.uint16) << 8
    png16(HERE / "coffee-rgb16.png", hi | rng.randint(0, 256, hi.shape).astype(np.uint16))
    alpha16 = rng.randint(4096, 65536, (48, 64, 1)).astype(np.uint16)  # premultiplied by libpng: alpha >= 1/16
    png16(HERE / "coffee-rgba16.png", np.concatenate([hi | rng.randint(0, 256, hi.shape).astype(np.uint16), alpha16], axis=2))
    coffee.quantize(256).save(HERE / "coffee-palette.png")
    coffee.quantize(16).save(HERE / "coffee-palette4-trns.png", bits=4, transparency=3)
    coffee.convert("L").save(HERE / "coffee-gray.png")
    la = coffee.convert("L")
    la.putalpha(alpha)
    la.save(HERE / "coffee-gray-alpha.png")
    png16(HERE / "coffee-gray16.png", np.asarray(coffee.convert("L")).astype(np.uint16) * 2)
    info = PngImagePlugin.PngInfo()
    info.add(b"gAMA", struct.pack(">I", 100000))  # linear gamma: libpng would re-encode, Pillow ignores it
    coffee.save(HERE / "coffee-gamma1.png", pnginfo=info)
    for name in ["coffee-rgb.png", "coffee-rgba.png", "coffee-rgb16.png", "coffee-rgba16.png", "coffee-palette.png",
                 "coffee-palette4-trns.png", "coffee-gray.png", "coffee-gray-alpha.png", "coffee-gray16.png",
                 "coffee-gamma1.png"]:
        expect_decode(name, tolerance=1 if name == "coffee-rgba16.png" else 0)

    # JPEG variants: Pillow bundles libjpeg-turbo 3.x, Debian ships 2.1.5, so tests allow a tolerance.
    chelsea.save(HERE / "chelsea.jpg", quality=90)
    chelsea.save(HERE / "chelsea-444.jpg", quality=90, subsampling=0)
    chelsea.save(HERE / "chelsea-progressive.jpg", quality=85, progressive=True)
    chelsea.convert("L").save(HERE / "chelsea-gray.jpg", quality=90)
    chelsea.convert("CMYK").save(HERE / "chelsea-cmyk.jpg", quality=90)
    data = (HERE / "chelsea.jpg").read_bytes()
    sos = data.index(b"\xff\xda")
    # Junk before SOS: libjpeg warns "extraneous bytes before marker 0xda"; Pillow decodes normally.
    (HERE / "chelsea-extraneous.jpg").write_bytes(data[:sos] + b"\x00\x01\x02\x03" + data[sos:])
    for name in ["chelsea.jpg", "chelsea-444.jpg", "chelsea-progressive.jpg", "chelsea-gray.jpg",
                 "chelsea-cmyk.jpg", "chelsea-extraneous.jpg"]:
        expect_decode(name, tolerance=JPEG_TOLERANCE)

    # Inputs that must fail with a typed error.
    data = (HERE / "chelsea.jpg").read_bytes()
    (HERE / "truncated.jpg").write_bytes(data[: len(data) * 6 // 10])
    data = (HERE / "coffee-rgb.png").read_bytes()
    (HERE / "truncated.png").write_bytes(data[: len(data) // 2])
    (HERE / "random.jpg").write_bytes(rng.randint(0, 256, 512).astype(np.uint8).tobytes())
    manifest["errors"] = [{"input": "truncated.jpg", "error": "corruptJPEG"},
                          {"input": "truncated.png", "error": "corruptPNG"},
                          {"input": "random.jpg", "error": "notAnImage"}]

    # Resizes of the decoded coffee crop (64x48): non-integer downscales, one-axis, upscales.
    for filt, size in [("bilinear", (37, 29)), ("bilinear", (16, 16)), ("bilinear", (224, 224)),
                       ("bilinear", (64, 20)), ("bilinear", (101, 48)), ("bilinear", (7, 5)),
                       ("bicubic", (37, 29)), ("bicubic", (99, 70)), ("box", (37, 29)), ("hamming", (37, 29)),
                       ("lanczos", (37, 29)), ("lanczos", (99, 70))]:
        out = coffee.resize(size, {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "box": Image.BOX,
                                   "hamming": Image.HAMMING, "lanczos": Image.LANCZOS}[filt])
        name = f"coffee-{filt}-{size[0]}x{size[1]}.rgb"
        (HERE / name).write_bytes(np.asarray(out).tobytes())
        manifest["resize"].append({"input": "coffee-rgb.png", "filter": filt, "width": size[0],
                                   "height": size[1], "expected": name})

    # The ImageNet evaluation pipeline on a 300x200 photo: Resize(256) (-> 384x256), CenterCrop(224).
    chelsea300 = chelsea_full.crop((75, 50, 375, 250))
    chelsea300.save(HERE / "chelsea-300x200.png")
    out = tv_center_crop(tv_resize_short(chelsea300, 256), 224)
    (HERE / "chelsea-300x200-resize256-crop224.rgb").write_bytes(np.asarray(out).tobytes())
    manifest["pipeline"].append({"input": "chelsea-300x200.png", "resize_shorter": 256, "crop": 224,
                                 "width": 224, "height": 224,
                                 "expected": "chelsea-300x200-resize256-crop224.rgb"})

    # ToTensor + Normalize (CHW float32) of the 37x29 bilinear resize.
    small = np.asarray(coffee.resize((37, 29), Image.BILINEAR))
    (HERE / "coffee-37x29-normalized-chw.f32").write_bytes(tv_to_tensor_normalize(small).numpy().astype("<f4").tobytes())
    manifest["normalize"].append({"input": "coffee-bilinear-37x29.rgb", "width": 37, "height": 29,
                                  "mean": MEAN, "std": STD, "expected": "coffee-37x29-normalized-chw.f32"})

    # Full-size shared photographs: not committed (size; sklearn-flower.jpg is CC-BY), so keep only a
    # hash of Pillow's pixels, per-channel sums and 256 pixels at seeded random positions.
    for name in ["coffee.png", "chelsea.png", "sklearn-flower.jpg"]:
        arr = rgb_of(src_dir / name)
        h, w = arr.shape[:2]
        ys, xs = rng.randint(0, h, 256), rng.randint(0, w, 256)
        samples = [[int(x), int(y)] + arr[y, x].tolist() for x, y in zip(xs, ys)]
        manifest["shared"].append({"input": f"images/{name}", "width": w, "height": h,
                                   "fnv1a64": fnv1a64(arr.tobytes()),
                                   "channel_sums": arr.reshape(-1, 3).sum(axis=0, dtype=np.int64).tolist(),
                                   "samples_xyrgb": samples, "exact": name.endswith(".png")})

    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in HERE.iterdir() if p.is_file())
    print(f"wrote {len(list(HERE.iterdir()))} files, {total / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
