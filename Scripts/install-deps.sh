#!/usr/bin/env bash
# Installs the Debian packages the build needs (libhdf5, OpenBLAS, libjpeg-turbo, libpng, zlib, SQLite,
# pkg-config), skipping the work when they are all present. Uses sudo when not run as root.
set -euo pipefail
packages=(libhdf5-dev libopenblas-dev libturbojpeg0-dev libpng-dev zlib1g-dev libsqlite3-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
