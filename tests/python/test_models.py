"""edgebench.models: the torchvision exporter and the built-in model's training, run through the C++ library."""

import subprocess
import sys
from pathlib import Path

import pytest

import edgebench
from edgebench.models import STUDY_ARCHITECTURES, metadata

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

REPO = Path(__file__).resolve().parents[2]


def run_models(*args):
    return subprocess.run([sys.executable, "-m", "edgebench.models", *args], capture_output=True, text=True)


def needs_detector_bindings():
    if not hasattr(edgebench, "make_detector"):
        pytest.skip("edgebench's Detector bindings (python/bindings/bind_detector.cpp) are not in this build")


def small_image():
    options = edgebench.SyntheticDatasetOptions(width=160, height=120, seed=3)
    image, _ = edgebench.render_synthetic_image(options, 0)
    return image


def test_list_names_the_architectures_of_the_study():
    result = run_models("list")
    assert result.returncode == 0, result.stderr
    for name in STUDY_ARCHITECTURES:
        assert name in result.stdout


def test_unknown_architecture_and_bad_option_are_clean_errors(tmp_path):
    result = run_models("export", "yolo_v99", str(tmp_path / "x.pt"), "--weights", "none")
    assert result.returncode == 1
    assert "unknown detection architecture 'yolo_v99'" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_models("export", "ssdlite320_mobilenet_v3_large", str(tmp_path / "x.pt"), "--option", "nokey")
    assert result.returncode == 1 and "KEY=VALUE" in result.stderr
    assert not (tmp_path / "x.pt").exists()


@pytest.mark.parametrize("name", ["ssdlite320_mobilenet_v3_large", "fasterrcnn_mobilenet_v3_large_320_fpn"])
def test_exported_model_runs_in_the_cpp_library(name, tmp_path):
    out = tmp_path / f"{name}.pt"
    # Random weights: nothing is downloaded. Faster R-CNN's score threshold 0 lets random weights give boxes.
    options = ["--option", "box_score_thresh=0.0"] if name.startswith("fasterrcnn") else []
    result = run_models("export", name, str(out), "--weights", "none", *options)
    assert result.returncode == 0, result.stderr
    info = metadata.load(out)
    assert info["architecture"] == name and info["weights"] == "none"
    assert {"id": 18, "name": "dog"} in info["categories"] and len(info["categories"]) == 80
    assert info["input"] == {"color": "rgb", "scale": 255.0}

    needs_detector_bindings()
    detector = edgebench.make_detector(f"torchscript:{out}", score_threshold=0.0)
    assert detector.info().family == name
    image = small_image()
    result = detector.detect(image)
    assert result.timings.forward_ms > 0
    for detection in result.detections:
        box = detection.bbox
        assert 0 <= box.x and 0 <= box.y and box.right <= image.shape[1] and box.bottom <= image.shape[0]
        assert detection.category_id in edgebench.CategoryTable.coco()


def test_shipped_builtin_model_describes_itself():
    model = REPO / "models" / "shapes-v2.pt"
    assert model.exists()
    assert model.stat().st_size < 5_000_000
    info = metadata.load(model)
    assert info["name"] == "shapes-v2"
    ids_and_names = [(c["id"], c["name"]) for c in info["categories"]]
    assert ids_and_names == [(c.id, c.name) for c in edgebench.synthetic_categories()]
    training = info["training"]
    assert training["held_out"]["AP50"]["full"] >= 0.8
    assert training["held_out"]["AP50"]["resize=25"] < training["held_out"]["AP50"]["full"] - 0.1
    # The recipe's budget: under 10 minutes on 2 cores (rendering, training and the held-out evaluation).
    assert training["cpus"] == 2 and training["seconds"]["total"] < 600


def test_training_pipeline_runs_end_to_end(tmp_path):
    # A few steps only: the recipe's plumbing (rendering, targets, losses, scripting, metadata), not accuracy.
    from edgebench.models import train

    out = tmp_path / "tiny.pt"
    _, summary = train.train(str(out), iterations=2, batch_size=2, train_images=4, held_out_images=2, log_every=1)
    assert set(summary["held_out"]["AP50"]) == {"full", "quality=10", "resize=25"}
    assert metadata.load(out)["training"]["iterations"] == 2
    scripted = torch.jit.load(str(out))
    losses, detections = scripted([torch.rand(3, 50, 70)])
    assert losses == {} and detections[0]["boxes"].shape[1] == 4

    needs_detector_bindings()
    detector = edgebench.make_detector(f"torchscript:{out}", score_threshold=0.0)
    assert [c.name for c in detector.categories()] == ["disk", "square", "triangle", "ring", "cross"]
    detector.detect(small_image())
