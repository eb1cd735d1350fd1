"""A slow, literal implementation of COCO's box evaluation, used as a test oracle for the C++ evaluator.

It follows the algorithm as pycocotools documents and implements it (per image and category:
sort detections by score with a stable sort, keep 100, match greedily per IoU threshold with crowd
regions and out-of-range objects ignored; then per category, area range and detection limit: merge
images in ascending id, stable-sort by score, cumulate, take the precision envelope and read it at 101
recall points). It shares no code with the C++ implementation, which is organised very differently
(bit masks, one merged list per class), so agreement between the two is evidence for both.
"""

import numpy as np

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_THRESHOLDS = np.linspace(0.0, 1.0, 101)
AREA_RANGES = [(0.0, 1e10), (0.0, 1024.0), (1024.0, 9216.0), (9216.0, 1e10)]
MAX_DETECTIONS = [1, 10, 100]


def box_iou(det, truth, crowd):
    dx, dy, dw, dh = det
    gx, gy, gw, gh = truth
    w = min(dw + dx, gw + gx) - max(dx, gx)
    if w <= 0:
        return 0.0
    h = min(dh + dy, gh + gy) - max(dy, gy)
    if h <= 0:
        return 0.0
    inter = w * h
    union = dw * dh if crowd else dw * dh + gw * gh - inter
    return inter / union


def _evaluate_image(truths, dets, area_range):
    """Returns (scores, matched[T][D], ignored[T][D], truth_ignored[G]) or None."""
    if not truths and not dets:
        return None
    low, high = area_range
    ignored_truth = [1 if (t["iscrowd"] or t["area"] < low or t["area"] > high) else 0 for t in truths]
    order = sorted(range(len(truths)), key=lambda g: ignored_truth[g])  # stable
    truths = [truths[g] for g in order]
    ignored_truth = [ignored_truth[g] for g in order]
    dets = sorted(dets, key=lambda d: -d["score"])[:100]  # stable
    ious = [[box_iou(d["bbox"], t["bbox"], t["iscrowd"]) for t in truths] for d in dets]
    T, D, G = len(IOU_THRESHOLDS), len(dets), len(truths)
    matched_id = np.zeros((T, D))
    det_ignored = np.zeros((T, D), dtype=bool)
    for ti, threshold in enumerate(IOU_THRESHOLDS):
        taken = [False] * G
        for di in range(D):
            best = min(threshold, 1 - 1e-10)
            m = -1
            for gi in range(G):
                if taken[gi] and not truths[gi]["iscrowd"]:
                    continue
                if m > -1 and ignored_truth[m] == 0 and ignored_truth[gi] == 1:
                    break
                if ious[di][gi] < best:
                    continue
                best = ious[di][gi]
                m = gi
            if m == -1:
                continue
            det_ignored[ti, di] = bool(ignored_truth[m])
            matched_id[ti, di] = truths[m]["id"]
            taken[m] = True
    for di, d in enumerate(dets):
        area = d["bbox"][2] * d["bbox"][3]
        if area < low or area > high:
            det_ignored[:, di] |= matched_id[:, di] == 0
    return [d["score"] for d in dets], matched_id, det_ignored, ignored_truth


def evaluate(coco, results):
    """coco: a COCO instances dict; results: a COCO results list. Returns (stats[12], {cat: (ap, ap50)})."""
    image_ids = sorted(i["id"] for i in coco["images"])
    category_ids = sorted(c["id"] for c in coco["categories"])
    truths, dets = {}, {}
    for a in coco.get("annotations", []):
        truths.setdefault((a["image_id"], a["category_id"]), []).append(
            {"bbox": a["bbox"], "area": a.get("area", a["bbox"][2] * a["bbox"][3]),
             "iscrowd": int(a.get("iscrowd", 0)), "id": a["id"]})
    for r in results:
        dets.setdefault((r["image_id"], r["category_id"]), []).append({"bbox": r["bbox"], "score": r["score"]})

    T, R, K, A, M = len(IOU_THRESHOLDS), len(RECALL_THRESHOLDS), len(category_ids), len(AREA_RANGES), len(MAX_DETECTIONS)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    for k, category in enumerate(category_ids):
        for a, area_range in enumerate(AREA_RANGES):
            per_image = [_evaluate_image(truths.get((i, category), []), dets.get((i, category), []), area_range)
                         for i in image_ids]
            per_image = [e for e in per_image if e is not None]
            if not per_image:
                continue
            for m, limit in enumerate(MAX_DETECTIONS):
                scores = np.concatenate([np.array(e[0][:limit], dtype=float) for e in per_image])
                order = np.argsort(-scores, kind="mergesort")
                matched = np.concatenate([e[1][:, :limit] for e in per_image], axis=1)[:, order]
                ignored = np.concatenate([e[2][:, :limit] for e in per_image], axis=1)[:, order]
                truth_ignored = np.concatenate([np.array(e[3], dtype=int) for e in per_image])
                positives = int(np.count_nonzero(truth_ignored == 0))
                if positives == 0:
                    continue
                tps = np.logical_and(matched != 0, ~ignored)
                fps = np.logical_and(matched == 0, ~ignored)
                tp_sum = np.cumsum(tps, axis=1).astype(float)
                fp_sum = np.cumsum(fps, axis=1).astype(float)
                for t in range(T):
                    tp, fp = tp_sum[t], fp_sum[t]
                    n = len(tp)
                    rc = tp / positives
                    pr = list(tp / (fp + tp + np.spacing(1)))
                    recall[t, k, a, m] = rc[-1] if n else 0
                    for i in range(n - 1, 0, -1):
                        pr[i - 1] = max(pr[i - 1], pr[i])
                    q = np.zeros(R)
                    for r_index, position in enumerate(np.searchsorted(rc, RECALL_THRESHOLDS, side="left")):
                        if position >= n:
                            break
                        q[r_index] = pr[position]
                    precision[t, :, k, a, m] = q

    def mean(values):
        values = values[values > -1]
        return float(np.mean(values)) if values.size else -1.0

    t50 = int(np.where(IOU_THRESHOLDS == 0.5)[0][0])
    t75 = int(np.where(IOU_THRESHOLDS == 0.75)[0][0])
    stats = [mean(precision[:, :, :, 0, 2]), mean(precision[t50, :, :, 0, 2]), mean(precision[t75, :, :, 0, 2]),
             mean(precision[:, :, :, 1, 2]), mean(precision[:, :, :, 2, 2]), mean(precision[:, :, :, 3, 2]),
             mean(recall[:, :, 0, 0]), mean(recall[:, :, 0, 1]), mean(recall[:, :, 0, 2]),
             mean(recall[:, :, 1, 2]), mean(recall[:, :, 2, 2]), mean(recall[:, :, 3, 2])]
    per_category = {c: (mean(precision[:, :, k, 0, 2]), mean(precision[t50, :, k, 0, 2]))
                    for k, c in enumerate(category_ids)}
    return np.array(stats), per_category
