"""Real detection on the built-in default: the shapes detector shipped with edgebench (`builtin`) on the
synthetic dataset, behind the edge's preprocessing. Shows the trade-off the benchmark is about: bytes
sent against accuracy (COCO AP50 and AP, boxes mapped back to the original images).

    python scripts/demo_detection.py INSTANCES.json
"""

import sys
import time

import edgebench

SETTINGS = ["", "quality=50", "quality=10", "resize=50", "resize=25", "quality=30,resize=50"]


def main(instances):
    dataset = edgebench.CocoDataset.load(instances)
    detector = edgebench.make_detector("builtin")
    print(f"\nbuilt-in detector ({detector.info().model_path}) on {len(dataset)} synthetic images")
    print(f"{'preprocessing':<22} {'bytes/img':>10} {'detect ms':>10} {'AP50':>7} {'AP':>7}")
    for setting in SETTINGS:
        edge = edgebench.Preprocessor(edgebench.PreprocessConfig.parse(setting))
        evaluator = edgebench.Evaluator(dataset.categories)
        sent = 0
        milliseconds = 0.0
        for sample in dataset:
            edged = edge.process(edgebench.read_image_bytes(sample))
            started = time.perf_counter()
            result = detector.detect(edged.image)
            milliseconds += (time.perf_counter() - started) * 1000
            sent += edged.metrics.bytes_out
            evaluator.add(sample.id, sample.annotations, edged.to_original(result.detections))
        stats = evaluator.summarize().stats
        print(f"{setting or '(as received)':<22} {sent / len(dataset):>10.0f} {milliseconds / len(dataset):>10.1f} "
              f"{stats[1]:>7.3f} {stats[0]:>7.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
