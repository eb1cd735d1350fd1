"""The built-in detector through the C++ library: its accuracy on a held-out synthetic split, and the
accuracy it loses to JPEG quality 10 and to a 25 % resize, the trade-off `make demo` shows."""

import json
import os
import subprocess
import sys
from pathlib import Path

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


# Run in a fresh interpreter: which libraries a process has loaded is the point, and the plugin, once
# loaded (or refused), stays so for the process.
def run_python(code, **environment):
    env = dict(os.environ, **environment)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


LOADED_LIBRARIES = """
import json
import edgebench

def loaded():
    with open("/proc/self/maps") as maps:
        text = maps.read()
    return {"libtorch": "libtorch_cpu" in text, "plugin": "libedgebench_torch" in text}

steps = {"import": loaded()}
edgebench.make_detector("none")
edgebench.make_detector("opencv:hog")
steps["none and hog"] = loaded()
edgebench.make_detector("builtin")
steps["builtin"] = loaded()
print(json.dumps(steps))
"""


def test_libtorch_is_loaded_only_when_a_torchscript_detector_is_made():
    steps = run_python(LOADED_LIBRARIES)
    assert steps["import"] == {"libtorch": False, "plugin": False}
    assert steps["none and hog"] == {"libtorch": False, "plugin": False}
    assert steps["builtin"] == {"libtorch": True, "plugin": True}


TRY_BUILTIN = """
import json
import edgebench

edgebench.make_detector("none")
try:
    edgebench.make_detector("builtin")
    print(json.dumps({"error": None}))
except edgebench.Error as error:
    print(json.dumps({"error": str(error)}))
"""


def test_a_missing_or_foreign_plugin_is_a_clear_error(tmp_path):
    missing = tmp_path / "libedgebench_torch.so"
    error = run_python(TRY_BUILTIN, EDGEBENCH_TORCH_PLUGIN=str(missing))["error"]
    assert error is not None
    assert str(missing) in error and "EDGEBENCH_TORCH_PLUGIN" in error

    # A real shared library that is not the plugin: libedgebench itself.
    package = Path(edgebench.__file__).parent
    library = sorted(package.glob("libedgebench.so*"))[0]
    error = run_python(TRY_BUILTIN, EDGEBENCH_TORCH_PLUGIN=str(library))["error"]
    assert error is not None and "is not an edgebench TorchScript plugin" in error

