#!/usr/bin/env python3
"""Tiny dataset fixtures for Tests/DatasetsTests and Tests/EndToEndTests.

Regenerate (from the repository root, needs numpy and Pillow):
    /work/venv/bin/python Tests/Fixtures/datasets/generate_formats.py
Deterministic: numpy seed 0; folders/, cifar/ and csv/ are emptied (but for README.md) and rewritten.
"""
import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(0)

CIFAR100_FINE = """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can
castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish
forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain
mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit
raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel streetcar sunflower
sweet_pepper table tank telephone television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman
worm""".split()
CIFAR100_COARSE = """aquatic_mammals fish flowers food_containers fruit_and_vegetables household_electrical_devices
household_furniture insects large_carnivores large_man-made_outdoor_things large_natural_outdoor_scenes
large_omnivores_and_herbivores medium_mammals non-insect_invertebrates people reptiles small_mammals trees vehicles_1
vehicles_2""".split()
CIFAR10 = "airplane automobile bird cat deer dog frog horse ship truck".split()
assert len(CIFAR100_FINE) == 100 and len(CIFAR100_COARSE) == 20


def clean(root):
    """Empties `root` except its README.md."""
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.name != "README.md":
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def image(path, width, height):
    """A random RGB image of width x height pixels, saved as JPEG or PNG by the extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    fmt = "JPEG" if path.suffix.lower() in (".jpg", ".jpeg") else "PNG"
    Image.fromarray(pixels).save(path, fmt, **({"quality": 90} if fmt == "JPEG" else {}))


def folders():
    root = HERE / "folders"
    clean(root)
    # Split layout: classes sort by code point as Python's sorted(): Bee < ant < cat.
    split = root / "split"
    for name, size in [("ant/a1.jpg", (8, 6)), ("ant/a2.png", (6, 8)), ("ant/a3.jpeg", (10, 5)),
                       ("Bee/b1.png", (7, 7)), ("Bee/b2.PNG", (9, 4)),
                       ("cat/c1.JPG", (5, 9)), ("cat/more/c2.png", (4, 4))]:
        image(split / "train" / name, *size)
    (split / "train/ant/notes.txt").write_text("not an image: ignored\n")
    image(split / "train/ant/.hidden.png", 3, 3)  # hidden: skipped
    for name in ["ant/t1.png", "Bee/t2.jpg"]:  # no cat in test: allowed
        image(split / "test" / name, 6, 6)
    for name in ["ant/v1.png", "cat/v2.png"]:
        image(split / "val" / name, 5, 5)
    # Flat layout: 10, 5 and 1 images -> with 0.8,0.1,0.1: ant 8/1/1, Bee 3/1/1, cat 1/0/0.
    flat = root / "flat"
    for cls, n in [("ant", 10), ("Bee", 5), ("cat", 1)]:
        for i in range(n):
            image(flat / cls / f"{cls}{i:02d}.{'jpg' if i % 2 else 'png'}", 4 + i % 3, 5 + i % 2)


def cifar():
    root = HERE / "cifar"
    clean(root)
    expected = {"format": "ofa-search/cifar-fixture", "format_version": 1, "numpy_version": np.__version__}

    def batch(path, label_bytes, count, classes, labels_out):
        path.parent.mkdir(parents=True, exist_ok=True)
        records = []
        for _ in range(count):
            fine = int(rng.integers(0, classes))
            labels = [int(rng.integers(0, 20)), fine] if label_bytes == 2 else [fine]
            chw = rng.integers(0, 256, size=3072, dtype=np.uint8)
            records.append(bytes(labels) + chw.tobytes())
            labels_out.append(fine)
        path.write_bytes(b"".join(records))
        # The reference HWC conversion of the first record.
        first = np.frombuffer(records[0][label_bytes:], np.uint8).reshape(3, 32, 32).transpose(1, 2, 0)
        return first.reshape(-1).tolist()

    c10 = root / "cifar-10-batches-bin"
    labels10 = {}
    for i in range(1, 6):
        labels10[f"data_batch_{i}.bin"] = []
        batch(c10 / f"data_batch_{i}.bin", 1, 2, 10, labels10[f"data_batch_{i}.bin"])
    labels10["test_batch.bin"] = []
    expected["cifar10_test_first_hwc"] = batch(c10 / "test_batch.bin", 1, 3, 10, labels10["test_batch.bin"])
    (c10 / "batches.meta.txt").write_text("\n".join(CIFAR10) + "\n\n")
    expected["cifar10_labels"] = labels10

    c100 = root / "cifar-100-binary"
    labels100 = {"train.bin": [], "test.bin": []}
    batch(c100 / "train.bin", 2, 4, 100, labels100["train.bin"])
    expected["cifar100_test_first_hwc"] = batch(c100 / "test.bin", 2, 2, 100, labels100["test.bin"])
    (c100 / "fine_label_names.txt").write_text("\n".join(CIFAR100_FINE) + "\n")
    (c100 / "coarse_label_names.txt").write_text("\n".join(CIFAR100_COARSE) + "\n")
    expected["cifar100_labels"] = labels100
    (root / "expected.json").write_text(json.dumps(expected) + "\n")


def csv():
    root = HERE / "csv"
    clean(root)
    names = []
    for i in range(12):
        name = f"images/img{i:02d}.{'png' if i % 3 else 'jpg'}"
        image(root / name, 6 + i % 4, 5)
        names.append(name)
    cls = ["rose", "daisy", "tulip"]
    # 12 images: daisy 4, rose 4, tulip 4 (label i % 3).
    (root / "names.csv").write_text("path,label\n" + "".join(f"{n},{cls[i % 3]}\n" for i, n in enumerate(names)))
    (root / "ints.csv").write_text("".join(f"{n},{i % 3}\r\n" for i, n in enumerate(names)) + "\n")
    splits = ["train", "train", "valid", "test"]
    (root / "split.csv").write_text("path,label,split\n"
                                    + "".join(f"\"{n}\",{cls[i % 3]},{splits[i % 4]}\n" for i, n in enumerate(names)))
    (root / "missing-column.csv").write_text(f"path,label\n{names[0]},rose\n{names[1]}\n")
    (root / "missing-path.csv").write_text(f"{names[0]},rose\nimages/nope.jpg,daisy\n")
    (root / "label-out-of-range.csv").write_text(f"{names[0]},0\n{names[1]},1\n{names[2]},5\n")
    (root / "mixed-labels.csv").write_text(f"{names[0]},rose\n{names[1]},2\n")


if __name__ == "__main__":
    folders()
    cifar()
    csv()
