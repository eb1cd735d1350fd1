#!/usr/bin/env python3
"""Reproduces models/shapes-v1.pt, edgebench's built-in detector (the `builtin` detector spec).

    make venv                                                   # edgebench + Debian's python3-torch
    time .venv/bin/python scripts/train_builtin_model.py        # writes models/shapes-v1.pt

What it is (python/edgebench/models/shapes.py): a CenterNet/TTFNet-style single-level detector, 286k
parameters (1.2 MB as TorchScript). A plain conv backbone to stride 32, a top-down path back to one
feature map at stride 4, a per-class centre heatmap and a box head (distances to the four sides).
Decoding is a 3x3 max-pool peak search (no NMS, so no torchvision operators are needed). Its forward
follows torchvision's detection convention, so the C++ TorchScript backend runs it like any torchvision
model.

How it is trained (python/edgebench/models/train.py): {train_images} synthetic 320x240 images rendered by
edgebench's generator (seed 1001, JPEG quality 95 as the datasets are written), horizontal flips,
{iterations} steps of batch {batch_size}, AdamW (lr 4e-3, weight decay 1e-4, 5 % warm-up, cosine decay),
CenterNet's focal loss on the heatmap and GIoU on boxes over a Gaussian around each centre. Seeded
(torch, numpy); results can differ in the last digits with the thread count.

Held-out check (200 images, seed 2022, image ids from 900001; through edgebench's Preprocessor and
COCO Evaluator, boxes mapped back to the original image), as measured for the shipped file:

{metrics}

Time: {timing}
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The recipe of the shipped model.
RECIPE = {"iterations": 1000, "batch_size": 16, "train_images": 2000, "seed": 0, "learning_rate": 4e-3}


def main() -> int:
    parser = argparse.ArgumentParser(description="Train and export edgebench's built-in shapes detector.")
    parser.add_argument("--out", default=str(ROOT / "models" / "shapes-v1.pt"))
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--iterations", type=int, default=RECIPE["iterations"])
    args = parser.parse_args()
    try:
        from edgebench.models import train
    except ImportError as error:
        print(f"cannot import edgebench ({error}); run `make venv` and use .venv/bin/python", file=sys.stderr)
        return 1
    recipe = dict(RECIPE, iterations=args.iterations)
    train.train(args.out, threads=args.threads, **recipe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
