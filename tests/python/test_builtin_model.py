"""The built-in detector through the C++ library: its accuracy on a held-out synthetic split, and the
accuracy it loses to JPEG quality 10 and to a 25 % resize, the trade-off `make demo` shows."""

import pytest

import edgebench


@pytest.fixture(scope="module")
def held_out(tmp_path_factory):
    # Training used seed 1001; this split shares neither seed nor image ids with it.
    options = edgebench.SyntheticDatasetOptions(image_count=40, seed=77, first_image_id=700001)
    return edgebench.generate_synthetic_dataset(options, str(tmp_path_factory.mktemp("held-out")))


@pytest.fixture(scope="module")
def detector():
    if not hasattr(edgebench, "make_detector"):
        pytest.skip("edgebench's Detector bindings (python/bindings/bind_detector.cpp) are not in this build")
    return edgebench.make_detector("builtin")


def ap50(detector, dataset, **settings):
    edge = edgebench.Preprocessor(**settings)
    evaluator = edgebench.Evaluator(dataset.categories)
    for sample in dataset:
        edged = edge.process(edgebench.read_image_bytes(sample))
        detections = edged.to_original(detector.detect(edged.image).detections)
        evaluator.add(sample.id, sample.annotations, detections)
    return evaluator.summarize().stats[1]


def test_builtin_is_accurate_and_loses_visible_accuracy_at_resize_25(detector, held_out):
    full = ap50(detector, held_out)
    resize25 = ap50(detector, held_out, resize=25)
    print(f"AP50 full {full:.3f}, resize 25 % {resize25:.3f}")
    assert full >= 0.8
    assert resize25 < full - 0.1


def test_jpeg_quality_10_costs_visible_accuracy(detector, held_out):
    full = ap50(detector, held_out)
    quality10 = ap50(detector, held_out, quality=10)
    print(f"AP50 full {full:.3f}, quality 10 {quality10:.3f}")
    assert quality10 < full - 0.1


def test_builtin_reports_the_synthetic_classes(detector, held_out):
    assert [c.name for c in detector.categories()] == ["disk", "square", "triangle", "ring", "cross"]
    info = detector.info()
    assert info.backend == "builtin" and info.model_path.endswith("shapes-v2.pt")
    result = detector.detect(edgebench.read_image(held_out[0]))
    assert result.detections and all(1 <= d.category_id <= 5 for d in result.detections)
