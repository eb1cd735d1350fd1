"""Detectors from Python: built-in backends on real data, options, errors, the registry, and detectors
written in Python (the trampoline) used by C++ code through detect_dataset."""

import threading
from pathlib import Path

import numpy as np
import pytest

import edgebench

MODELS = Path(__file__).resolve().parents[3] / "shared" / "data" / "models"
NANODET = MODELS / "nanodet-m-320.onnx"
FASTESTDET = MODELS / "fastestdet-352.onnx"


@pytest.fixture(scope="session")
def nanodet_spec():
    if not NANODET.exists():
        pytest.skip("../shared/data/models is not present")
    return f"onnx:nanodet:{NANODET}"


def best_person_iou(detections, box):
    return max((d.bbox.iou(box) for d in detections if d.category_id == 1), default=0.0)


def test_nanodet_finds_the_man_in_85329(coco_sample, nanodet_spec):
    detector = edgebench.make_detector(nanodet_spec, score_threshold=0.3)
    sample = coco_sample.find(85329)
    image = edgebench.read_image(sample)
    result = detector.detect(image)
    assert isinstance(result, edgebench.DetectionResult)
    person = next(a for a in sample.annotations if a.category_id == 1)
    assert best_person_iou(result.detections, person.bbox) > 0.8
    assert all(d.score >= 0.3 for d in result.detections)
    scores = [d.score for d in result.detections]
    assert scores == sorted(scores, reverse=True)
    assert result.timings.forward_ms > 0 and result.timings.total_ms >= result.timings.forward_ms
    info = detector.info()
    assert (info.backend, info.family, info.input_width) == ("onnx", "nanodet", 320)
    assert detector.options.score_threshold == 0.3
    assert not detector.thread_safe()
    assert len(detector.categories()) == 80
    # A clone gives the same answer; gray input works too.
    assert [d.bbox for d in detector.clone().detect(image).detections] == [d.bbox for d in result.detections]
    assert detector.detect(image[:, :, 1].copy()).detections


def test_options_object_or_keywords_not_both(nanodet_spec):
    options = edgebench.DetectorOptions(max_detections=2, score_threshold=0.01)
    assert "max_detections=2" in repr(options)
    detector = edgebench.make_detector(nanodet_spec, options)
    assert len(detector.detect(np.full((200, 300, 3), 127, np.uint8)).detections) <= 2
    with pytest.raises(TypeError):
        edgebench.make_detector(nanodet_spec, options, max_detections=3)
    with pytest.raises(TypeError):
        edgebench.make_detector("none", no_such_option=1)
    with pytest.raises(edgebench.Error) as info:
        edgebench.DetectorOptions(score_threshold=3)
    assert info.value.field == "score_threshold"


def test_bad_models_and_images_raise_edgebench_error(tmp_path, nanodet_spec):
    with pytest.raises(edgebench.Error) as missing:
        edgebench.make_detector(f"onnx:nanodet:{tmp_path / 'absent.onnx'}")
    assert missing.value.field == "model" and "not found" in missing.value.message
    if FASTESTDET.exists():
        with pytest.raises(edgebench.Error, match="do not fit the nanodet decoder"):
            edgebench.make_detector(f"onnx:nanodet:{FASTESTDET}")
    with pytest.raises(edgebench.Error, match="unknown ONNX model family"):
        edgebench.make_detector(f"onnx:retinanet:{NANODET}")
    with pytest.raises(edgebench.Error, match="CUDA is not available"):
        edgebench.make_detector(nanodet_spec, device="cuda")
    detector = edgebench.make_detector(nanodet_spec)
    for bad in (np.zeros((0, 10, 3), np.uint8), np.zeros((10, 10, 3), np.float32), np.zeros((4, 4, 2), np.uint8)):
        with pytest.raises(edgebench.Error) as error:
            detector.detect(bad)
        assert error.value.field == "image"
    assert isinstance(detector.detect(np.zeros((1, 1, 3), np.uint8)), edgebench.DetectionResult)


def test_hog_from_python(coco_sample):
    detector = edgebench.make_detector("opencv:hog")
    assert [c.name for c in detector.categories()] == ["person"]
    sample = coco_sample.find(463730)
    detections = detector.detect(edgebench.read_image(sample)).detections
    assert any(best_person_iou(detections, a.bbox) > 0.6 for a in sample.annotations if a.category_id == 1)


def test_yolo_layouts_exported_by_torch_run_through_opencv(tmp_path):
    torch = pytest.importorskip("torch")  # noqa: F841
    import yolo_layout_models

    red = np.zeros((640, 1280, 3), np.uint8)
    red[:, :, 2] = 255
    for layout in ("yolov8", "yolov5"):
        path = yolo_layout_models.export(layout, tmp_path / f"{layout}.onnx")
        detector = edgebench.make_detector(f"onnx:{layout}:{path}", score_threshold=0.25)
        detections = detector.detect(red).detections
        assert [d.category_id for d in detections] == [3, 1, 6, 90]
        assert detections[0].bbox == edgebench.BBox(440, 220, 400, 200)
        assert detections[1].score == pytest.approx(0.5 + 0.5 * 114 / 255, abs=5e-3)
    with pytest.raises(edgebench.Error, match="do not fit the yolov8 decoder"):
        edgebench.make_detector(f"onnx:yolov8:{tmp_path / 'yolov5.onnx'}")


class CentreBox(edgebench.Detector):
    """A detector written in Python: one box in the middle of the image, scored by its brightness."""

    def __init__(self, **options):
        super().__init__(edgebench.DetectorOptions(**options))
        self.calls = 0
        self.threads = set()

    def detect(self, image):
        self.calls += 1
        self.threads.add(threading.get_ident())
        h, w = image.shape[:2]
        score = float(image.mean()) / 255.0
        return [
            edgebench.Detection(1, edgebench.BBox(-10, h / 4, w / 2 + 10, h / 2), score / 2),
            edgebench.Detection(3, edgebench.BBox(w / 4, h / 4, w / 2, h / 2), score),
        ]

    def categories(self):
        return [edgebench.Category(1, "person"), edgebench.Category(3, "car")]

    def info(self):
        return edgebench.DetectorInfo(spec="centre-box", backend="python", family="centre")


def test_python_detector_through_cpp_detect_dataset(synthetic):
    detector = CentreBox(max_detections=1)
    # Through C++ (detect_dataset holds it as a shared_ptr, calls it with the GIL, sorts, caps, clips).
    run = edgebench.detect_dataset(detector, synthetic)
    assert run.images == len(synthetic) and detector.calls == len(synthetic)
    for sample in synthetic:
        (only,) = run.detections[sample.id]
        assert only.category_id == 3
    assert run.mean().forward_ms > 0
    assert '"category_id":3' in run.to_coco_json()

    # Several C++ worker threads share the one Python object through clone() proxies.
    progress = []
    detector.calls = 0
    run = edgebench.detect_dataset(detector, synthetic, workers=3, progress=lambda done, total: progress.append(done))
    assert detector.calls == len(synthetic)
    assert progress == list(range(1, len(synthetic) + 1))
    clone = detector.clone()
    assert clone.info().spec == "centre-box"
    assert [c.name for c in clone.categories()] == ["person", "car"]
    result = clone.detect(np.full((40, 80, 3), 255, np.uint8))  # C++ proxy -> Python object
    assert len(result.detections) == 1 and result.detections[0].score == pytest.approx(1.0)
    assert result.detections[0].bbox == edgebench.BBox(20, 10, 40, 20)


def test_python_detector_clips_and_thresholds_when_called_from_cpp():
    detector = CentreBox(score_threshold=0.4)
    clone = detector.clone()
    del detector  # the clone keeps the Python object alive
    result = clone.detect(np.full((40, 80, 3), 204, np.uint8))  # score 0.8 and 0.4
    assert [d.category_id for d in result.detections] == [3, 1]
    assert result.detections[1].bbox == edgebench.BBox(0, 10, 40, 20)  # clipped at the left edge


def test_python_detector_errors(synthetic):
    class Broken(edgebench.Detector):
        def detect(self, image):
            raise edgebench.Error("model file went away")

    class WrongType(edgebench.Detector):
        def detect(self, image):
            return "boxes"

    class Lazy(edgebench.Detector):
        pass

    with pytest.raises(edgebench.Error, match="went away"):
        edgebench.detect_dataset(Broken(), synthetic, workers=2)
    with pytest.raises(edgebench.Error, match="must return a DetectionResult or a list of Detection"):
        edgebench.detect_dataset(WrongType(), synthetic)
    with pytest.raises(edgebench.Error, match="must implement detect"):
        Lazy().detect(np.zeros((4, 4, 3), np.uint8))
    assert Lazy().info().family == "Lazy"
    with pytest.raises(TypeError):
        edgebench.detect_dataset(object(), synthetic)

    class ValueErrorDetector(edgebench.Detector):
        def detect(self, image):
            raise KeyError("boom")

    with pytest.raises(KeyError):
        edgebench.detect_dataset(ValueErrorDetector(), synthetic, workers=2)


def test_registry_with_a_python_backend(synthetic):
    registry = edgebench.DetectorRegistry.with_builtin_backends()
    assert {"none", "onnx", "opencv"} <= {b.name for b in registry.backends()}
    seen = []

    def factory(spec, options):
        seen.append((spec.backend, spec.rest, options.max_detections))
        if spec.rest == "builtin":
            return edgebench.make_detector("none")
        return CentreBox(max_detections=options.max_detections)

    registry.add("centre", factory, usage="centre[:builtin]", description="one box in the middle")
    assert "centre" in registry
    detector = registry.create("centre", max_detections=5)
    assert seen == [("centre", "", 5)]
    assert detector.info().spec == "centre-box"
    result = detector.detect(np.full((10, 10, 3), 255, np.uint8))
    assert len(result.detections) == 2
    assert not registry.create("centre:builtin").detect(np.zeros((4, 4, 3), np.uint8)).detections
    run = edgebench.detect_dataset(detector, synthetic, workers=2)
    assert run.detection_count() == 2 * len(synthetic)

    def bad_factory(spec, options):
        return 42

    registry.add("bad", bad_factory)
    with pytest.raises(edgebench.Error, match="not an edgebench.Detector"):
        registry.create("bad")
    with pytest.raises(edgebench.Error, match="unknown detector backend"):
        registry.create("nope")
