"""Writes Sources/ofa-search/Resources/imagenet-classes.txt: the 1000 ImageNet-1k class names, one per line,
in class-index order, as torchvision (BSD-3-Clause) ships them in torchvision.models._meta._IMAGENET_CATEGORIES.
Run with a Python that has torchvision: python Scripts/make-imagenet-classes.py
"""
import pathlib
import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES

assert len(_IMAGENET_CATEGORIES) == 1000
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/ofa-search/Resources/imagenet-classes.txt"
out.write_text("".join(name + "\n" for name in _IMAGENET_CATEGORIES), encoding="utf-8")
print(f"wrote {out} from torchvision {torchvision.__version__}")
