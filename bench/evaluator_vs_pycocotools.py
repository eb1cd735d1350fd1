#!/usr/bin/env python3
"""COCO evaluation speed at val2017 scale: edgebench against pycocotools, with identical numbers.

Generates a deterministic case shaped like val2017 scored with a real detector (5000 images, 80
categories, about 7 ground-truth boxes and 100 detections per image: jittered true boxes, confused
classes and background boxes, random scores), writes it as COCO JSON files, then times:
  - edgebench: loading both files, and evaluating (1 thread, and all cores),
  - pycocotools, when it is importable (pip install pycocotools on a machine with internet):
    COCO() + loadRes() loading, and evaluate() + accumulate() + summarize(); then checks that the 12
    numbers agree to 1e-9.
Without pycocotools it says so and quotes the commonly cited ~20 s for evaluate+accumulate on one core.

    .venv/bin/python bench/evaluator_vs_pycocotools.py [--images 5000] [--out DIR]
"""

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time

import numpy as np

import edgebench


def make_case(images, categories, truths_per_image, detections_per_image, seed):
    rng = np.random.default_rng(seed)
    category_ids = [c.id for c in edgebench.CategoryTable.coco()][:categories]
    coco = {"images": [], "annotations": [], "categories": [{"id": c, "name": f"class{c}"} for c in category_ids]}
    results = []
    annotation_id = 1
    for image_id in range(1, images + 1):
        width, height = 640, 480
        coco["images"].append({"id": image_id, "file_name": f"{image_id:012d}.jpg", "width": width, "height": height})
        n = rng.poisson(truths_per_image)
        sides = np.exp(rng.uniform(np.log(8), np.log(400), size=(n, 2)))
        xy = rng.uniform(0, 1, size=(n, 2)) * (np.array([width, height]) - sides).clip(min=1)
        classes = rng.choice(category_ids, size=n)
        crowd = rng.random(n) < 0.01
        truth = []
        for k in range(n):
            box = [float(xy[k, 0]), float(xy[k, 1]), float(sides[k, 0]), float(sides[k, 1])]
            area = box[2] * box[3] * float(rng.uniform(0.5, 1.0))
            coco["annotations"].append({"id": annotation_id, "image_id": image_id, "category_id": int(classes[k]),
                                        "bbox": box, "area": area, "iscrowd": int(crowd[k])})
            truth.append((box, int(classes[k])))
            annotation_id += 1
        for _ in range(detections_per_image):
            if truth and rng.random() < 0.5:
                (x, y, w, h), category = truth[rng.integers(len(truth))]
                if rng.random() < 0.2:
                    category = int(rng.choice(category_ids))
                jitter = rng.normal(0, 0.1, 4)
                box = [x + jitter[0] * w, y + jitter[1] * h, w * np.exp(jitter[2]), h * np.exp(jitter[3])]
            else:
                w, h = np.exp(rng.uniform(np.log(8), np.log(300), 2))
                box = [rng.uniform(0, width - w), rng.uniform(0, height - h), w, h]
                category = int(rng.choice(category_ids))
            results.append({"image_id": image_id, "category_id": category,
                            "bbox": [round(float(v), 2) for v in box], "score": round(float(rng.random()), 4)})
    return coco, results


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--out", default=None, help="folder for gt.json and dt.json (default: a temp folder)")
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()

    out = args.out or tempfile.mkdtemp(prefix="edgebench-eval-bench-")
    os.makedirs(out, exist_ok=True)
    gt_path, dt_path = os.path.join(out, "gt.json"), os.path.join(out, "dt.json")
    coco, results = make_case(args.images, 80, 7.3, 100, args.seed)
    with open(gt_path, "w") as f:
        json.dump(coco, f)
    with open(dt_path, "w") as f:
        json.dump(results, f)
    print(f"case: {len(coco['images'])} images, {len(coco['annotations'])} ground-truth boxes, "
          f"{len(results)} detections, 80 categories ({out})\n")

    def load():
        dataset = edgebench.CocoDataset.load(gt_path, "")
        return dataset, edgebench.load_coco_results(dt_path, dataset)

    (dataset, detections), load_s = timed(load)
    rows = []
    one, one_s = timed(lambda: edgebench.evaluate_dataset(dataset, detections, edgebench.EvaluatorOptions(threads=1)))
    cores = os.cpu_count() or 1
    many, many_s = timed(lambda: edgebench.evaluate_dataset(dataset, detections, edgebench.EvaluatorOptions(threads=cores)))
    assert list(one.stats) == list(many.stats)
    rows.append(("edgebench, 1 thread", load_s, one_s))
    rows.append((f"edgebench, {cores} threads", load_s, many_s))

    reference_s = None
    try:
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
    except ImportError:
        COCO = None
    if COCO is not None:
        with contextlib.redirect_stdout(io.StringIO()):
            def load_reference():
                ground_truth = COCO(gt_path)
                return ground_truth, ground_truth.loadRes(dt_path)
            (cocoGt, cocoDt), ref_load_s = timed(load_reference)

            def run_reference():
                e = COCOeval(cocoGt, cocoDt, "bbox")
                e.evaluate()
                e.accumulate()
                e.summarize()
                return e
            reference, reference_s = timed(run_reference)
        rows.append(("pycocotools", ref_load_s, reference_s))
        difference = np.max(np.abs(np.array(reference.stats) - np.array(one.stats)))
        print(f"largest difference of the 12 numbers from pycocotools: {difference:.2e}")
        assert difference < 1e-9

    print(f"{'evaluator':<24} {'load s':>8} {'evaluate s':>11}")
    print("-" * 45)
    for name, load_time, evaluate_time in rows:
        print(f"{name:<24} {load_time:>8.2f} {evaluate_time:>11.2f}")
    if reference_s is None:
        print("\npycocotools is not installed here (no PyPI); its evaluate+accumulate on val2017 with one core is "
              f"commonly quoted at ~20 s: edgebench, 1 thread, is {20.0 / one_s:.0f}x that.")
    else:
        print(f"\nedgebench, 1 thread, is {reference_s / one_s:.1f}x faster than pycocotools; "
              f"{reference_s / many_s:.1f}x with {cores} threads")
    print("\n" + one.to_text().split("\n\n")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
