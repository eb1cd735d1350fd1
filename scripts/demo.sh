#!/usr/bin/env bash
# The main job on the built-in default: make the synthetic dataset and show what a small preprocessing
# grid does to bytes and time per image (and the same on the real COCO sample when ../shared is present),
# then run the built-in detector behind the same kind of grid and show what it costs in accuracy.
set -euo pipefail
build=${1:-build}
venv=${2:-.venv}
root=$(cd "$(dirname "$0")/.." && pwd)
edgebench="$root/$build/src/cli/edgebench"
out="$root/out/demo"
mkdir -p "$out"

grid=(--config "" --config "quality=90" --config "quality=50,resize=75" --config "BW,1,quality,50%,resize,75%"
      --config "quality=10,resize=50" --config "quality=50,resize=25")

if [ ! -f "$out/synthetic/instances.json" ]; then
  "$edgebench" dataset synthetic --count 64 --seed 2022 --out "$out/synthetic"
fi
echo
"$edgebench" preprocess --dataset "$out/synthetic/instances.json" "${grid[@]}"

coco="$(cd "$root/.." && pwd)/shared/data/coco-sample/instances.json"
if [ -f "$coco" ]; then
  echo
  "$edgebench" preprocess --dataset "$coco" "${grid[@]}"
fi

# Real detection with the model shipped in the repository (no download): accuracy against bytes.
python="$root/$venv/bin/python"
if [ -x "$python" ] && "$python" -c "import edgebench; edgebench.make_detector" 2> /dev/null; then
  "$python" "$root/scripts/demo_detection.py" "$out/synthetic/instances.json"
else
  echo
  echo "(skipping detection: $venv has no edgebench with detector bindings; run 'make venv')"
fi
