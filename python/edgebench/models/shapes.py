"""The built-in detector of the synthetic shapes: a small single-level, anchor-free heatmap detector.

Design (CenterNet/TTFNet-style, chosen because it trains in minutes on two CPU cores and scripts cleanly):

* a plain conv backbone down to stride 32 (so that the largest synthetic objects, ~156 px, fit in one
  receptive field) and a top-down path that sums the levels back to one feature map at stride 4 (so that
  the smallest objects, 12 px, still cover three cells);
* a heatmap head (one channel per class; a peak marks an object's centre) and a box head that gives,
  at every cell, the distances to the four sides of the object around it;
* decoding without NMS (a 3x3 max-pool keeps local peaks), so the model needs no torchvision ops.

Its ``forward`` follows torchvision's detection convention so that edgebench's TorchScript backend runs
it like any torchvision model: a list of CHW RGB float tensors in 0..1 in, ``(losses, detections)`` out,
where each detection dict holds xyxy ``boxes`` in the input image's pixels, ``labels`` (the category
ids 1..5 of the synthetic set) and ``scores``.
"""

from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

#: Categories of edgebench's synthetic dataset (ids as in ``edgebench.synthetic_categories()``).
CATEGORIES = [
    {"id": 1, "name": "disk", "supercategory": "shape"},
    {"id": 2, "name": "square", "supercategory": "shape"},
    {"id": 3, "name": "triangle", "supercategory": "shape"},
    {"id": 4, "name": "ring", "supercategory": "shape"},
    {"id": 5, "name": "cross", "supercategory": "shape"},
]

STRIDE = 4
# The backbone halves the size five times; inputs are padded to a multiple of this.
SIZE_DIVISOR = 32


def _conv(in_channels: int, out_channels: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class ShapesDetector(nn.Module):
    def __init__(self, num_classes: int = 5, widths: Tuple[int, int, int, int, int] = (16, 32, 48, 64, 96),
                 head_width: int = 32, score_threshold: float = 0.01, max_detections: int = 100):
        super().__init__()
        c2, c4, c8, c16, c32 = widths
        self.stem = _conv(3, c2, 2)
        # Full-resolution layers dominate the cost on a CPU: one conv per level down to stride 4.
        self.stage4 = _conv(c2, c4, 2)
        self.stage8 = nn.Sequential(_conv(c4, c8, 2), _conv(c8, c8))
        self.stage16 = nn.Sequential(_conv(c8, c16, 2), _conv(c16, c16))
        self.stage32 = nn.Sequential(_conv(c16, c32, 2), _conv(c32, c32))
        # Top-down path: the coarse levels meet at stride 8 (cheap), then join stride 4 once.
        self.lateral32 = nn.Conv2d(c32, c8, 1)
        self.lateral16 = nn.Conv2d(c16, c8, 1)
        self.lateral8 = nn.Conv2d(c8, c8, 1)
        self.smooth8 = _conv(c8, c8)
        self.reduce8 = nn.Conv2d(c8, head_width, 1)
        self.lateral4 = nn.Conv2d(c4, head_width, 1)
        self.head = _conv(head_width, head_width)
        self.heatmap = nn.Conv2d(head_width, num_classes, 1)
        self.box = nn.Conv2d(head_width, 4, 1)
        # Start with a low object prior (focal-loss practice) and boxes of about 4 cells.
        nn.init.constant_(self.heatmap.bias, -4.6)
        nn.init.normal_(self.heatmap.weight, std=0.01)
        nn.init.constant_(self.box.bias, 1.4)
        nn.init.normal_(self.box.weight, std=0.01)
        self.num_classes = num_classes
        self.stride = STRIDE
        self.size_divisor = SIZE_DIVISOR
        self.score_threshold = score_threshold
        self.max_detections = max_detections
        self.register_buffer("mean", torch.tensor([0.5, 0.5, 0.5]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.25, 0.25, 0.25]).view(1, 3, 1, 1))

    def batch(self, images: List[Tensor]) -> Tensor:
        """Normalises the images and pads them (bottom/right, with the normalised value of black) into one
        batch whose sides are multiples of 32."""
        height = 1
        width = 1
        for image in images:
            if image.dim() != 3 or image.shape[0] != 3:
                raise ValueError("expected 3xHxW RGB images")
            height = max(height, image.shape[1])
            width = max(width, image.shape[2])
        height = (height + self.size_divisor - 1) // self.size_divisor * self.size_divisor
        width = (width + self.size_divisor - 1) // self.size_divisor * self.size_divisor
        batch = torch.zeros(len(images), 3, height, width, dtype=self.mean.dtype, device=self.mean.device)
        for i, image in enumerate(images):
            batch[i, :, : image.shape[1], : image.shape[2]].copy_(image)
        return (batch - self.mean) / self.std

    def maps(self, batch: Tensor) -> Tuple[Tensor, Tensor]:
        """Heatmap logits (N, classes, H/4, W/4) and box-side distances in pixels (N, 4, H/4, W/4)."""
        x4 = self.stage4(self.stem(batch))
        x8 = self.stage8(x4)
        x16 = self.stage16(x8)
        x32 = self.stage32(x16)
        top = self.lateral16(x16) + F.interpolate(self.lateral32(x32), size=x16.shape[-2:], mode="nearest")
        top = self.smooth8(self.lateral8(x8) + F.interpolate(top, size=x8.shape[-2:], mode="nearest"))
        top = self.lateral4(x4) + F.interpolate(self.reduce8(top), size=x4.shape[-2:], mode="nearest")
        features = self.head(top)
        distances = torch.exp(self.box(features).clamp(max=6.0)) * self.stride
        return self.heatmap(features), distances

    def decode(self, heat_logits: Tensor, distances: Tensor, sizes: List[Tuple[int, int]]) -> List[Dict[str, Tensor]]:
        heat = torch.sigmoid(heat_logits)
        # A cell is a detection only where it is the maximum of its 3x3 neighbourhood (replaces NMS).
        peaks = F.max_pool2d(heat, 3, 1, 1)
        heat = heat * (peaks == heat).to(heat.dtype)
        cells_h = heat.shape[2]
        cells_w = heat.shape[3]
        detections: List[Dict[str, Tensor]] = []
        for i, (height, width) in enumerate(sizes):
            flat = heat[i].reshape(-1)
            scores, index = flat.topk(min(self.max_detections, flat.numel()))
            keep = scores > self.score_threshold
            scores = scores[keep]
            index = index[keep]
            classes = torch.div(index, cells_h * cells_w, rounding_mode="floor")
            cell = index - classes * cells_h * cells_w
            ys = torch.div(cell, cells_w, rounding_mode="floor")
            xs = cell - ys * cells_w
            centre_x = (xs.to(heat.dtype) + 0.5) * self.stride
            centre_y = (ys.to(heat.dtype) + 0.5) * self.stride
            sides = distances[i][:, ys, xs]
            boxes = torch.stack([centre_x - sides[0], centre_y - sides[1], centre_x + sides[2], centre_y + sides[3]], 1)
            boxes[:, 0::2] = boxes[:, 0::2].clamp(0.0, float(width))
            boxes[:, 1::2] = boxes[:, 1::2].clamp(0.0, float(height))
            detections.append({"boxes": boxes, "labels": classes + 1, "scores": scores})
        return detections

    def forward(self, images: List[Tensor]) -> Tuple[Dict[str, Tensor], List[Dict[str, Tensor]]]:
        sizes: List[Tuple[int, int]] = []
        for image in images:
            sizes.append((image.shape[-2], image.shape[-1]))
        if len(images) == 0:
            no_losses: Dict[str, Tensor] = {}
            no_detections: List[Dict[str, Tensor]] = []
            return no_losses, no_detections
        heat_logits, distances = self.maps(self.batch(images))
        losses: Dict[str, Tensor] = {}
        return losses, self.decode(heat_logits, distances, sizes)
