"""Tiny ONNX models in the Ultralytics YOLOv8 and YOLOv5 output layouts, exported with torch.

No real YOLO weights exist on this machine, so these stand in to test the `yolov8`/`yolov5` decoders
on genuine ONNX files run by OpenCV DNN. Each model outputs a fixed table of six candidates, except
that candidate 3's person score (YOLOv5: its objectness) is the mean of the network's input channel 0
over the whole input. With the RGB, /255, 114-padded letterbox the decoders must feed, a pure red
1280x640 image gives 0.5 * 1.0 + 0.5 * 114/255 there, which checks channel order, scaling, padding and
letterbox size at once.

    python3 yolo_layout_models.py OUT_DIR    writes yolov8-layout.onnx and yolov5-layout.onnx

The C++ test test_onnx_yolo.cpp and tests/python/test_detector.py use the same table; keep them in step.
"""

import sys
from pathlib import Path

CLASSES = 80
# (cx, cy, w, h) in 640x640 input pixels, class index, score (None: input-dependent, see above).
CANDIDATES = [
    ((320.0, 320.0, 200.0, 100.0), 2, 0.9),   # car
    ((330.0, 325.0, 200.0, 100.0), 2, 0.8),   # car, overlaps the first: NMS removes it
    ((330.0, 325.0, 200.0, 100.0), 5, 0.7),   # bus at the same place: another class, kept
    ((100.0, 200.0, 50.0, 80.0), 0, None),    # person, scored by the input
    ((600.0, 400.0, 60.0, 40.0), 79, 0.3),    # toothbrush, below a 0.5 threshold
    ((50.0, 50.0, 10.0, 10.0), 1, 0.01),      # bicycle, below the default 0.05
]
INPUT_DEPENDENT = 3


def _table(layout):
    """Bias table (attributes x candidates) and the (attribute, candidate) fed by the input."""
    import torch

    attributes = 4 + CLASSES if layout == "yolov8" else 5 + CLASSES
    table = torch.zeros(attributes, len(CANDIDATES))
    for n, (box, cls, score) in enumerate(CANDIDATES):
        table[0:4, n] = torch.tensor(box)
        if layout == "yolov8":
            table[4 + cls, n] = 0.0 if score is None else score
        else:
            table[4, n] = 0.0 if score is None else score  # objectness carries the score
            table[5 + cls, n] = 1.0
    fed = (4 + CANDIDATES[INPUT_DEPENDENT][1], INPUT_DEPENDENT) if layout == "yolov8" else (4, INPUT_DEPENDENT)
    return table, fed


def build(layout):
    import torch

    table, (fed_attribute, fed_candidate) = _table(layout)
    attributes, count = table.shape

    class FixedTable(torch.nn.Module):
        def __init__(self):
            super().__init__()
            # Global pooling, then a 1x1 convolution whose bias is the table: OpenCV DNN runs both.
            self.head = torch.nn.Conv2d(3, attributes * count, 1)
            with torch.no_grad():
                self.head.weight.zero_()
                if layout == "yolov8":  # output [1, attributes, count]: channel = a * count + n
                    self.head.bias.copy_(table.reshape(-1))
                    self.head.weight[fed_attribute * count + fed_candidate, 0, 0, 0] = 1.0
                else:  # output [1, count, attributes]: channel = n * attributes + a
                    self.head.bias.copy_(table.t().reshape(-1))
                    self.head.weight[fed_candidate * attributes + fed_attribute, 0, 0, 0] = 1.0

        def forward(self, x):
            y = self.head(torch.nn.functional.adaptive_avg_pool2d(x, 1))
            return y.reshape(1, attributes, count) if layout == "yolov8" else y.reshape(1, count, attributes)

    return FixedTable().eval()


def export(layout, path):
    import torch

    torch.onnx.export(build(layout), torch.zeros(1, 3, 640, 640), str(path), opset_version=11,
                      input_names=["images"], output_names=["output0"])
    return Path(path)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for layout in ("yolov8", "yolov5"):
        print(export(layout, out / f"{layout}-layout.onnx"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
