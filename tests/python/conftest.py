"""Shared fixtures: the real COCO sample (when ../shared is present) and small synthetic datasets."""

import os
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
