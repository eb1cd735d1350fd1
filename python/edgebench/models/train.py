"""Trains the built-in shapes detector on edgebench's synthetic dataset and exports it as TorchScript.

    python -m edgebench.models train --out models/shapes-v2.pt

The images come from the C++ generator (``edgebench.render_synthetic_image``), round-tripped through
JPEG at quality 95 as ``generate_synthetic_dataset`` writes them, so the model sees what the datasets
hold. Everything is seeded: the same command on the same software gives the same model up to
floating-point summation order (which thread counts can change).
"""

import json
import math
import os
import time
from typing import Dict, Sequence, Tuple

# OpenMP threads that spin while waiting are much slower than sleeping ones on a shared machine
# (measured: 3x slower per step with two other builds running). Must be set before OpenMP is loaded,
# which importing edgebench already does (libtorch): the training script and `python -m edgebench.models
# train` set it before that; this covers a process that imports this module first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import Tensor  # noqa: E402

from . import metadata  # noqa: E402
from .shapes import CATEGORIES, ShapesDetector  # noqa: E402

# Training and held-out splits differ in seed and in image-id range, so that no held-out image is a
# training image.
TRAIN_SEED = 1001
HELD_OUT_SEED = 2022
HELD_OUT_FIRST_ID = 900001

# Box-side targets are spread over a Gaussian around each centre whose spread is this fraction of the
# object's size (TTFNet's alpha); more cells per object means more regression signal per image.
GAUSSIAN_ALPHA = 0.54
# Positions in the Evaluator's (pycocotools') 12 stats that the training summary keeps.
REPORTED_STATS = {0: "AP", 1: "AP50", 2: "AP75", 3: "AP_small", 4: "AP_medium", 5: "AP_large"}
BOX_LOSS_WEIGHT = 5.0


def render_split(count: int, seed: int, first_id: int = 1, jpeg_quality: int = 95):
    """Renders `count` synthetic images as RGB uint8 arrays with their boxes (xyxy) and category ids,
    round-tripped through JPEG at `jpeg_quality` (0: left as rendered)."""
    import edgebench

    options = edgebench.SyntheticDatasetOptions(image_count=count, seed=seed, first_image_id=first_id)
    jpeg = edgebench.Preprocessor(quality=max(jpeg_quality, 1))
    images, targets = [], []
    for index in range(count):
        bgr, annotations = edgebench.render_synthetic_image(options, index)
        decoded = jpeg.process(bgr).image if jpeg_quality > 0 else bgr
        images.append(np.ascontiguousarray(decoded[:, :, ::-1]))
        boxes = np.array([[a.bbox.x, a.bbox.y, a.bbox.x + a.bbox.width, a.bbox.y + a.bbox.height]
                          for a in annotations], dtype=np.float32).reshape(-1, 4)
        labels = np.array([a.category_id for a in annotations], dtype=np.int64)
        targets.append((boxes, labels))
    return images, targets


def to_tensor(rgb: np.ndarray) -> Tensor:
    """HWC uint8 RGB -> CHW float in 0..1, the input convention of torchvision's detection models."""
    return torch.from_numpy(np.require(rgb, requirements=["C", "W"])).permute(2, 0, 1).float().div_(255.0)


def make_targets(targets: Sequence[Tuple[np.ndarray, np.ndarray]], cells_h: int, cells_w: int, num_classes: int,
                 stride: int):
    """Heatmaps (1 exactly at each object's centre cell, a Gaussian around it), the object box for the
    cells around each centre, and per-cell box-loss weights that sum to 1 per object."""
    n = len(targets)
    heat = np.zeros((n, num_classes, cells_h, cells_w), np.float32)
    boxes = np.zeros((n, 4, cells_h, cells_w), np.float32)
    weight = np.zeros((n, cells_h, cells_w), np.float32)
    ys, xs = np.mgrid[0:cells_h, 0:cells_w].astype(np.float32)
    for i, (object_boxes, labels) in enumerate(targets):
        # Largest first, so that a small object's cells win where spreads touch.
        order = np.argsort(-(object_boxes[:, 2] - object_boxes[:, 0]) * (object_boxes[:, 3] - object_boxes[:, 1]))
        for k in order:
            x1, y1, x2, y2 = object_boxes[k]
            cls = int(labels[k]) - 1
            cx = min(max(int(round((x1 + x2) / 2 / stride - 0.5)), 0), cells_w - 1)
            cy = min(max(int(round((y1 + y2) / 2 / stride - 0.5)), 0), cells_h - 1)
            sx = max(GAUSSIAN_ALPHA * (x2 - x1) / stride / 6.0, 0.25)
            sy = max(GAUSSIAN_ALPHA * (y2 - y1) / stride / 6.0, 0.25)
            g = np.exp(-((xs - cx) ** 2 / (2 * sx * sx) + (ys - cy) ** 2 / (2 * sy * sy)))
            np.maximum(heat[i, cls], g, out=heat[i, cls])
            heat[i, cls, cy, cx] = 1.0
            region = g > 0.1
            spread = g * region
            spread /= spread.sum()
            weight[i][region] = spread[region]
            boxes[i][:, region] = np.array([x1, y1, x2, y2], np.float32)[:, None]
    return torch.from_numpy(heat), torch.from_numpy(boxes), torch.from_numpy(weight)


def focal_loss(logits: Tensor, heat: Tensor) -> Tensor:
    """CenterNet's penalty-reduced focal loss, normalised by the number of objects."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    positive = heat.eq(1).float()
    positive_loss = torch.log(p) * (1 - p) ** 2 * positive
    negative_loss = torch.log(1 - p) * p ** 2 * (1 - heat) ** 4 * (1 - positive)
    return -(positive_loss.sum() + negative_loss.sum()) / positive.sum().clamp(min=1)


def giou_loss(distances: Tensor, boxes: Tensor, weight: Tensor, stride: int) -> Tensor:
    """1 - generalised IoU between the box each weighted cell predicts and its object's box."""
    n, _, h, w = distances.shape
    cells = weight > 0
    if not bool(cells.any()):
        return distances.sum() * 0
    ys, xs = torch.meshgrid(torch.arange(h, dtype=distances.dtype, device=distances.device),
                            torch.arange(w, dtype=distances.dtype, device=distances.device), indexing="ij")
    cx = ((xs + 0.5) * stride).expand(n, h, w)[cells]
    cy = ((ys + 0.5) * stride).expand(n, h, w)[cells]
    d = distances.permute(0, 2, 3, 1)[cells]
    t = boxes.permute(0, 2, 3, 1)[cells]
    px1, py1, px2, py2 = cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]
    tx1, ty1, tx2, ty2 = t.unbind(1)
    inter = (torch.min(px2, tx2) - torch.max(px1, tx1)).clamp(min=0) * \
            (torch.min(py2, ty2) - torch.max(py1, ty1)).clamp(min=0)
    union = (px2 - px1) * (py2 - py1) + (tx2 - tx1) * (ty2 - ty1) - inter
    iou = inter / union.clamp(min=1e-6)
    hull = (torch.max(px2, tx2) - torch.min(px1, tx1)) * (torch.max(py2, ty2) - torch.min(py1, ty1))
    giou = iou - (hull - union) / hull.clamp(min=1e-6)
    w = weight[cells]
    objects = weight.sum().clamp(min=1)
    return ((1 - giou) * w).sum() / objects


def evaluate(model, images: int = 200, settings=("", "quality=10", "resize=25")) -> Dict[str, Dict[str, float]]:
    """COCO metrics of `model` on the held-out split through edgebench's Preprocessor and Evaluator, per
    preprocessing setting: the detector sees the preprocessed image and its boxes are mapped back.
    Returns {"AP50": {setting: value}, "AP": ..., ...} for the stats named in REPORTED_STATS."""
    import tempfile

    import edgebench

    options = edgebench.SyntheticDatasetOptions(image_count=images, seed=HELD_OUT_SEED,
                                                first_image_id=HELD_OUT_FIRST_ID)
    model = model.eval()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        dataset = edgebench.generate_synthetic_dataset(options, folder)
        for setting in settings:
            edge = edgebench.Preprocessor(edgebench.PreprocessConfig.parse(setting))
            evaluator = edgebench.Evaluator(dataset.categories)
            for sample in dataset:
                edged = edge.process(edgebench.read_image_bytes(sample))
                with torch.no_grad():
                    _, (found,) = model([to_tensor(np.ascontiguousarray(edged.image[:, :, ::-1]))])
                detections = [edgebench.Detection(int(label), edgebench.BBox.from_corners(*map(float, box)), float(score))
                              for box, label, score in zip(found["boxes"], found["labels"], found["scores"])]
                evaluator.add(sample.id, sample.annotations, edged.to_original(detections))
            stats = evaluator.summarize().stats
            for index, name in REPORTED_STATS.items():
                results.setdefault(name, {})[setting or "full"] = round(stats[index], 4)
    return results


def train(out, iterations: int = 2400, batch_size: int = 8, train_images: int = 2000, seed: int = 0,
          learning_rate: float = 4e-3, threads: int = 0, held_out_images: int = 200, log_every: int = 100,
          device: str = "cpu", data=None, model_options=None, jpeg_quality: int = 95):
    """Trains, evaluates on the held-out split (AP50 at full quality, JPEG quality 10 and resize 25 %),
    exports to `out` (unless None), and returns the model and a summary. `data` (training images and
    targets) replaces rendering; `held_out_images` 0 skips the evaluation. The summary's "seconds" are
    wall-clock time, its "cpu_seconds" the process's CPU time (all threads), which a busy machine
    disturbs far less."""
    started = time.time()
    started_cpu = time.process_time()
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads if threads > 0 else max(1, os.cpu_count() or 1))

    if data is None:
        images, targets = render_split(train_images, TRAIN_SEED, jpeg_quality=jpeg_quality)
    else:
        images, targets = data[0][:train_images], data[1][:train_images]
        train_images = len(images)
    rendered = time.time()
    rendered_cpu = time.process_time()
    print(f"rendered {train_images} training images in {rendered - started:.1f} s", flush=True)

    # Channels-last tensors make the CPU's (oneDNN) convolutions, backward ones above all, much faster.
    model = ShapesDetector(**(model_options or {})).to(device, memory_format=torch.channels_last)
    stride = model.stride
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=1e-4)
    warmup = max(1, iterations // 20)

    def schedule(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, iterations - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    generator = np.random.default_rng(seed)
    order = generator.permutation(train_images)
    cursor = 0
    model.train()
    running = {"heatmap": 0.0, "box": 0.0}
    for step in range(iterations):
        if cursor + batch_size > train_images:
            order = generator.permutation(train_images)
            cursor = 0
        picked = order[cursor:cursor + batch_size]
        cursor += batch_size
        flips = generator.random(batch_size) < 0.5
        batch_images, batch_targets = [], []
        for index, flip in zip(picked, flips):
            image = images[index]
            boxes, labels = targets[index]
            if flip:
                width = image.shape[1]
                image = image[:, ::-1]
                boxes = boxes.copy()
                boxes[:, [0, 2]] = width - boxes[:, [2, 0]]
            batch_images.append(to_tensor(np.ascontiguousarray(image)))
            batch_targets.append((boxes, labels))
        batch = model.batch([image.to(device) for image in batch_images]).contiguous(memory_format=torch.channels_last)
        heat_logits, distances = model.maps(batch)
        heat, boxes, weight = (t.to(device) for t in make_targets(batch_targets, heat_logits.shape[2],
                                                                   heat_logits.shape[3], model.num_classes, stride))
        heatmap_loss = focal_loss(heat_logits, heat)
        box_loss = giou_loss(distances, boxes, weight, stride)
        loss = heatmap_loss + BOX_LOSS_WEIGHT * box_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running["heatmap"] += float(heatmap_loss)
        running["box"] += float(box_loss)
        if (step + 1) % log_every == 0 or step + 1 == iterations:
            count = log_every if (step + 1) % log_every == 0 else (step + 1) % log_every
            print(f"step {step + 1}/{iterations}  heatmap {running['heatmap'] / count:.3f}  "
                  f"box {running['box'] / count:.3f}  lr {scheduler.get_last_lr()[0]:.5f}  "
                  f"{time.time() - rendered:.0f} s", flush=True)
            running = {"heatmap": 0.0, "box": 0.0}
    trained = time.time()
    trained_cpu = time.process_time()

    model = model.cpu().to(memory_format=torch.contiguous_format).eval()
    metrics = evaluate(model, held_out_images) if held_out_images > 0 else {}
    evaluated = time.time()
    evaluated_cpu = time.process_time()
    summary = {
        "iterations": iterations, "batch_size": batch_size, "train_images": train_images, "seed": seed,
        "train_seed": TRAIN_SEED, "learning_rate": learning_rate,
        "held_out": {"seed": HELD_OUT_SEED, "first_image_id": HELD_OUT_FIRST_ID, "images": held_out_images,
                     **metrics},
        "parameters": sum(p.numel() for p in model.parameters()),
        # Totals run to the end of the evaluation; the export after it takes about a second.
        "seconds": {"render": round(rendered - started, 1), "train": round(trained - rendered, 1),
                    "evaluate": round(evaluated - trained, 1), "total": round(evaluated - started, 1)},
        "cpu_seconds": {"render": round(rendered_cpu - started_cpu, 1),
                        "train": round(trained_cpu - rendered_cpu, 1),
                        "evaluate": round(evaluated_cpu - trained_cpu, 1),
                        "total": round(evaluated_cpu - started_cpu, 1)},
        "threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
    }
    print(f"held-out ({held_out_images} images, seed {HELD_OUT_SEED}): {metrics}", flush=True)
    if out is not None:
        export(model, out, summary)
    print(json.dumps(summary, indent=2))
    return model, summary


def export(model: ShapesDetector, out: str, training: dict) -> None:
    model = model.eval()
    scripted = torch.jit.script(model)
    info = metadata.make(name="shapes-v2", architecture="shapes-centernet", weights="trained",
                         categories=CATEGORIES, training=training,
                         description="edgebench's built-in detector of the synthetic shapes (disk, square, "
                                     "triangle, ring, cross); see scripts/train_builtin_model.py")
    metadata.save(scripted, out, info)
