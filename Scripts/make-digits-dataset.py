"""A far-domain dataset from data a package ships: scikit-learn's handwritten digits (UCI optdigits, 1,797 images
of 8x8 pixels with 17 grey levels, 10 classes), written as class folders of PNGs for `ofa-search`.

Nothing like ImageNet's photos of objects: tiny, binary-looking strokes. Each image is scaled to 32x32 by pixel
repetition (grey levels 0..16 mapped to 0..255, white digit on black) and stored as RGB. 80 % of each class goes to
train/, 20 % to test/ (seeded shuffle). Needs numpy and scikit-learn; no network.

    python3 Scripts/make-digits-dataset.py <out-dir>      # e.g. /tmp/digits
"""
import os, struct, sys, zlib
import numpy as np
from sklearn.datasets import load_digits


def png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main(out):
    digits = load_digits()
    rng = np.random.default_rng(0)
    for label in range(10):
        indices = np.flatnonzero(digits.target == label)
        rng.shuffle(indices)
        cut = int(round(0.8 * len(indices)))
        for split, part in (("train", indices[:cut]), ("test", indices[cut:])):
            folder = os.path.join(out, split, str(label))
            os.makedirs(folder, exist_ok=True)
            for i in part:
                grey = np.round(digits.images[i] * 255 / 16).astype(np.uint8).repeat(4, 0).repeat(4, 1)
                png(os.path.join(folder, f"{i:04d}.png"), np.stack([grey] * 3, axis=-1))
    print(f"wrote {len(digits.target)} images of 10 classes to {out} (train/, test/)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
