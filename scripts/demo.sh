#!/usr/bin/env bash
# The main job on the built-in default: the quickstart sweep (synthetic dataset, the built-in detector,
# a preprocessing grid) through real edge and cloud processes, then its summary table; before it, what
# the preprocessing settings do to bytes and time per image (also on the COCO sample when ../shared is
# present).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
edgebench="$root/$build/src/cli/edgebench"
out="$root/out/demo"
mkdir -p "$out"

grid=(--config "" --config "quality=90" --config "quality=50,resize=75" --config "BW,1,quality,50%,resize,75%"
      --config "quality=10,resize=50" --config "quality=50,resize=25")

if [ ! -f "$out/synthetic/instances.json" ]; then
  "$edgebench" dataset synthetic --count 64 --seed 2022 --out "$out/synthetic"
fi
echo "== preprocessing: bytes and milliseconds per image"
"$edgebench" preprocess --dataset "$out/synthetic/instances.json" "${grid[@]}"
coco="$(cd "$root/.." && pwd)/shared/data/coco-sample/instances.json"
if [ -f "$coco" ]; then
  echo
  "$edgebench" preprocess --dataset "$coco" "${grid[@]}"
fi

echo
echo "== the quickstart sweep (examples/quickstart.yaml)"
rm -rf "$out/quickstart"
"$edgebench" run "$root/examples/quickstart.yaml" --out "$out/quickstart"
