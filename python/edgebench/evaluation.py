"""Scoring detections from Python: `evaluate()` for whole datasets and a per-class DataFrame."""

import json
import os

from . import _core


def _as_dataset(ground_truth):
    if isinstance(ground_truth, _core.CocoDataset):
        return ground_truth
    if isinstance(ground_truth, (str, os.PathLike)):
        return _core.CocoDataset.load(os.fspath(ground_truth))
    if isinstance(ground_truth, dict):
        return _core.CocoDataset.parse(json.dumps(ground_truth), "", "<ground truth dict>")
    raise TypeError("ground truth must be a CocoDataset, a path to a COCO instances JSON, or a COCO dict")


def _as_detections(detections, dataset):
    if isinstance(detections, (str, os.PathLike)):
        return _core.load_coco_results(os.fspath(detections), dataset)
    if isinstance(detections, dict):
        checked = {}
        for image_id, items in detections.items():
            if not all(isinstance(d, _core.Detection) for d in items):
                raise TypeError("a detections dict maps image ids to lists of edgebench.Detection")
            checked[int(image_id)] = list(items)
        return checked
    if isinstance(detections, (list, tuple)):
        # The C++ parser checks every entry and names the bad one, e.g. "[17].bbox".
        return _core.parse_coco_results(json.dumps(list(detections)), dataset, "<detections list>")
    raise TypeError("detections must be a path to a COCO results JSON, a list of result dicts, "
                    "or {image_id: [Detection]}")


def evaluate(ground_truth, detections, iou_threshold=0.5, score_threshold=0.5, threads=1):
    """Score detections against ground truth and return the documented JSON structure as a dict.

    ground_truth: a CocoDataset, a path to a COCO instances JSON, or the COCO dict itself.
    detections: a path to a COCO results JSON, a list of {image_id, category_id, bbox, score} dicts,
    or {image_id: [edgebench.Detection]}.

    The dict holds "stats" (pycocotools' 12 numbers), "per_category", "operating_point" (micro, macro,
    weighted), "best_f1_threshold" and the "threshold_sweep".
    """
    dataset = _as_dataset(ground_truth)
    options = _core.EvaluatorOptions(iou_threshold=iou_threshold, score_threshold=score_threshold, threads=threads)
    result = _core.evaluate_dataset(dataset, _as_detections(detections, dataset), options)
    return result.to_dict()


def per_class_table(result):
    """The per-class table of an evaluation (a dict from evaluate() or an EvaluationResult) as a DataFrame,
    one row per class, sorted by support (largest first)."""
    import pandas as pd

    if isinstance(result, _core.EvaluationResult):
        result = result.to_dict()
    rows = []
    for category_id, values in result["per_category"].items():
        rows.append({"category_id": int(category_id), **values})
    columns = ["category_id", "name", "support", "tp", "fp", "fn", "precision", "recall", "f1", "ap", "ap50",
               "ap75", "ar"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({"category_id": "int64", "support": "int64", "tp": "int64", "fp": "int64", "fn": "int64"})
    return frame.sort_values(["support", "category_id"], ascending=[False, True]).reset_index(drop=True)
