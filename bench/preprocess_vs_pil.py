#!/usr/bin/env python3
"""Preprocessing throughput of edgebench next to PIL, on the same images, settings and core, in one run.

Runs on the COCO sample (../shared/data/coco-sample) when present, else on the synthetic dataset, and
prints images/s per setting for: edgebench's Preprocessor (C++, called through the bindings), PIL as the
original study used it (open, convert, resize, save JPEG), and PIL with JPEG draft mode (its own scaled
decoding) for a fair best case. Single-threaded: all three are timed on one core.

    .venv/bin/python bench/preprocess_vs_pil.py [--repeat 3] [--limit N]
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

import edgebench

ROOT = Path(__file__).resolve().parents[1]
COCO = ROOT.parent / "shared" / "data" / "coco-sample" / "instances.json"

SETTINGS = [
    dict(grayscale=False, resize=100, quality=95),
    dict(grayscale=False, resize=75, quality=50),
    dict(grayscale=True, resize=50, quality=50),
    dict(grayscale=False, resize=25, quality=10),
]


def load_images(limit):
    if COCO.exists():
        dataset = edgebench.CocoDataset.load(str(COCO))
        name = "COCO sample"
    else:
        tmp = tempfile.mkdtemp(prefix="edgebench-bench-")
        dataset = edgebench.generate_synthetic_dataset(
            edgebench.SyntheticDatasetOptions(image_count=64, width=640, height=480), tmp)
        name = "synthetic 640x480"
    if limit:
        dataset = dataset.first(limit)
    return name, [edgebench.read_image_bytes(s) for s in dataset]


def pil_preprocess(data, grayscale, resize, quality, draft):
    image = Image.open(io.BytesIO(data))
    width, height = image.size
    target = (max(1, round(width * resize / 100)), max(1, round(height * resize / 100)))
    if draft:
        image.draft("L" if grayscale else "RGB", target)
    image = image.convert("L" if grayscale else "RGB")
    if image.size != target:
        image = image.resize(target)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def rate(function, images, repeat):
    """Best-of-`repeat` images per second over the whole set (best, since noise only slows things down)."""
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        for data in images:
            function(data)
        best = max(best, len(images) / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core for everyone
    except (AttributeError, OSError):
        pass

    name, images = load_images(args.limit)
    mean_kib = statistics.mean(len(d) for d in images) / 1024
    print(f"{len(images)} images ({name}, mean {mean_kib:.0f} KiB), best of {args.repeat}, one core\n")
    header = f"{'settings':<45} {'edgebench img/s':>16} {'PIL img/s':>10} {'PIL+draft img/s':>16} {'vs PIL':>7} {'vs draft':>9}"
    print(header)
    print("-" * len(header))
    for setting in SETTINGS:
        preprocessor = edgebench.Preprocessor(**setting)
        ours = rate(lambda d: preprocessor.process(d, want_image=False), images, args.repeat)
        pil = rate(lambda d: pil_preprocess(d, draft=False, **setting), images, args.repeat)
        draft = rate(lambda d: pil_preprocess(d, draft=True, **setting), images, args.repeat)
        print(f"{str(preprocessor.config):<45} {ours:>16.1f} {pil:>10.1f} {draft:>16.1f} {ours / pil:>6.1f}x {ours / draft:>8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
