"""Shared fixtures: the real COCO sample (when ../shared is present) and small synthetic datasets."""

import os
import subprocess
import time
from pathlib import Path

import pytest

import edgebench

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
COCO_SAMPLE = SHARED_DATA / "coco-sample" / "instances.json"


@pytest.fixture(scope="session")
def coco_sample():
    if not COCO_SAMPLE.exists():
        pytest.skip("../shared/data/coco-sample is not present")
    return edgebench.CocoDataset.load(str(COCO_SAMPLE))


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    options = edgebench.SyntheticDatasetOptions(image_count=12, seed=5)
    return edgebench.generate_synthetic_dataset(options, str(out))


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("EDGEBENCH_CLI", str(REPO / "build" / "src" / "cli" / "edgebench"))
    if not Path(path).exists():
        pytest.skip(f"the edgebench program is not built ({path})")
    return path


def _program(variable, name):
    path = os.environ.get(variable, str(REPO / "build" / "src" / "apps" / name))
    if not Path(path).exists():
        pytest.skip(f"{name} is not built ({path})")
    return path


@pytest.fixture(scope="session")
def node_programs():
    """Paths of edgebench-edge, edgebench-cloud and edgebench-workload (EDGEBENCH_EDGE_BIN, ...)."""
    return {
        "edge": _program("EDGEBENCH_EDGE_BIN", "edgebench-edge"),
        "cloud": _program("EDGEBENCH_CLOUD_BIN", "edgebench-cloud"),
        "workload": _program("EDGEBENCH_WORKLOAD_BIN", "edgebench-workload"),
    }


class NodeProcess:
    """A node program on a free loopback port (--port 0 --port-file), stopped with SIGTERM. `program` is a
    path, or a command as a list (an interpreter and its script)."""

    def __init__(self, program, args, folder, name):
        port_file = Path(folder) / f"{name}.port"
        self.log_path = Path(folder) / f"{name}.log"
        self._log = open(self.log_path, "w")
        command = [str(part) for part in program] if isinstance(program, (list, tuple)) else [program]
        self.process = subprocess.Popen([*command, "--port", "0", "--port-file", str(port_file), *args],
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"{name} did not start: {self.log_path.read_text()}")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{port_file.read_text().strip()}"

    def stop(self):
        self.process.terminate()
        status = self.process.wait(timeout=60)
        self._log.close()
        return status


@pytest.fixture
def start_node(tmp_path):
    started = []

    def start(program, *args, name="node"):
        node = NodeProcess(program, list(args), tmp_path, name)
        started.append(node)
        return node

    yield start
    for node in started:
        if node.process.poll() is None:
            node.process.kill()
            node.process.wait()


# --- result sets made by the real runner, for the analysis, plot, report and notebook tests -----------

NANODET = SHARED_DATA / "models" / "nanodet-m-320.onnx"
FASTESTDET = SHARED_DATA / "models" / "fastestdet-352.onnx"


def _synthetic_detector():
    """The built-in detector when this build has one, else 'none' (no accuracy to analyse)."""
    registry = edgebench.DetectorRegistry.with_builtin_backends()
    return "builtin" if registry.contains("builtin") else "none"


@pytest.fixture(scope="session")
def scored_result_dir(tmp_path_factory):
    """A 2x2 grid (JPEG quality x resize) with real detectors and ground truth, run by edgebench.run:
    NanoDet on one edge and FastestDet in the cloud on 6 COCO-sample images when ../shared is present,
    otherwise the built-in detector (or none) on synthetic images. Returns the result folder."""
    out = tmp_path_factory.mktemp("scored") / "result"
    if COCO_SAMPLE.exists() and NANODET.exists() and FASTESTDET.exists():
        experiment = {
            "name": "test-coco",
            "dataset": {"coco": {"instances": str(COCO_SAMPLE)}},
            "images": 6,
            "placement": "both",
            "edges": {"count": 1, "detector": f"onnx:nanodet:{NANODET}",
                      "detector_options": {"score_threshold": 0.05}},
            "cloud": {"detector": f"onnx:fastestdet:{FASTESTDET}", "detector_options": {"score_threshold": 0.05}},
            "workload": {"schedule": "round-robin", "images_per_edge": 6, "warmup": 1, "format": "multipart"},
            "thresholds": {"iou": 0.5, "score": 0.3},
            "grid": {"edges.preprocess.quality": [90, 20], "edges.preprocess.resize": [100, 50]},
        }
    else:
        experiment = {
            "name": "test-synthetic",
            "dataset": {"synthetic": {"count": 8, "seed": 3}},
            "images": 8,
            "placement": "both",
            "edges": {"count": 1, "detector": _synthetic_detector()},
            "cloud": {"detector": _synthetic_detector()},
            "workload": {"schedule": "closed", "concurrency": 2, "warmup": 1},
            "grid": {"edges.preprocess.quality": [90, 20], "edges.preprocess.resize": [100, 50]},
        }
    result = edgebench.run(experiment, out, monitor_period=0.05, progress=False)
    assert result.failed == 0, f"the sweep had failed runs: {result}"
    return out


@pytest.fixture(scope="session")
def plain_result_dir(tmp_path_factory):
    """A quickstart-like sweep with detector 'none' (nothing to score) on synthetic images: two runs that
    differ by their preprocessing settings string."""
    out = tmp_path_factory.mktemp("plain") / "result"
    experiment = {
        "name": "test-plain",
        "dataset": {"synthetic": {"count": 6, "seed": 9}},
        "images": 6,
        "placement": "edge",
        "edges": {"count": 1, "detector": "none"},
        "workload": {"schedule": "closed", "concurrency": 2, "warmup": 1},
        "grid": {"edges.preprocess": ["quality=80", "quality=30,resize=50"]},
    }
    result = edgebench.run(experiment, out, monitor_period=0.05, progress=False)
    assert result.failed == 0, f"the sweep had failed runs: {result}"
    return out
