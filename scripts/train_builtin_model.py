#!/usr/bin/env python3
"""Reproduces models/shapes-v2.pt, edgebench's built-in detector (the `builtin` detector spec).

    make venv                                                   # edgebench + Debian's python3-torch
    time .venv/bin/python scripts/train_builtin_model.py        # writes models/shapes-v2.pt

What it is (python/edgebench/models/shapes.py): a CenterNet/TTFNet-style single-level detector, 273k
parameters (1.2 MB as TorchScript). A space-to-depth stem and a conv backbone to stride 32, a top-down
path back to one feature map at stride 8, a per-class centre heatmap and the distances to the four box
sides from one 1x1 output conv. Decoding is a 3x3 max-pool peak search (no NMS, so no torchvision
operators are needed). Its forward follows torchvision's detection convention, so the C++ TorchScript
backend runs it like any torchvision model.

How it is trained (python/edgebench/models/train.py): 2000 synthetic 320x240 images rendered by
edgebench's generator (seed 1001, JPEG quality 95 as the datasets are written), horizontal flips,
2400 steps of batch 8 (9.6 epochs), AdamW (lr 4e-3, weight decay 1e-4, 5 % warm-up, cosine decay to 0),
CenterNet's focal loss on the heatmap and GIoU on boxes over a Gaussian around each centre; channels-last
tensors, 2 torch threads. Seeded (torch, numpy): two runs here gave the same metrics to the 4th digit;
results can differ in the last digits with the thread count.

Held-out check (200 images, seed 2022, image ids from 900001, never seen in training; through
edgebench's Preprocessor and COCO Evaluator, boxes mapped back to the original image), as measured for
the shipped file (also stored in it: `python -m edgebench.models info models/shapes-v2.pt`):

    setting        AP50    AP (0.5:0.95)   AP_small  AP_medium  AP_large
    full           0.910   0.718           0.585     0.864      0.802
    quality=10     0.594   0.368           0.216     0.567      0.558
    resize=25      0.104   0.044           0.000     0.066      0.275

The images (dataset version 2) mix strong shapes (at least 55 grey levels from their background), faint
ones (12 to 28 grey levels) and colour-only ones (at most 6 grey levels, but a clear colour difference),
and almost half are small. JPEG quality 10 blurs the faint and colour-only shapes into the background
(and blocks the small ones); a 25 % resize makes the small ones vanish.

Time (2 cores shared with two fuzzing processes at nice 10): 5 min 44 s wall, 403 s of process CPU time
(user 379 s + system 24 s; rendering 20 s, training 307 s, evaluation 15 s).
"""

import argparse
import os
import sys
from pathlib import Path

# OpenMP threads that spin while they wait are several times slower than sleeping ones on a shared
# machine (measured here: 0.7 instead of 0.2 s per step, the spinning counted as CPU time). libgomp reads
# this once, when it is loaded, and importing edgebench loads it (through libtorch): set it first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parents[1]

# The recipe of the shipped model.
RECIPE = {"iterations": 2400, "batch_size": 8, "train_images": 2000, "seed": 0, "learning_rate": 4e-3}


def main() -> int:
    parser = argparse.ArgumentParser(description="Train and export edgebench's built-in shapes detector.")
    parser.add_argument("--out", default=str(ROOT / "models" / "shapes-v2.pt"))
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
