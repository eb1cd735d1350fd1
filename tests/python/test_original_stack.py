"""bench/original_stack.py, the original study's Flask + PIL + base64 stack rebuilt as the yardstick that
bench/serving_bench.py measures edgebench against: it must serve edgebench-workload's JSON requests and do
the original's work (resize, re-encode, forward to the cloud)."""

import base64
import json
import sys
import urllib.request
from pathlib import Path

import pytest

import edgebench

pytest.importorskip("flask")  # python3-flask, which scripts/install-deps.sh installs

STACK = Path(__file__).resolve().parents[2] / "bench" / "original_stack.py"


def test_the_rebuilt_original_stack_serves_the_workload_client(start_node, synthetic):
    cloud = start_node([sys.executable, STACK, "cloud"], name="cloud").url
    edge = start_node([sys.executable, STACK, "edge"], "--cloud", cloud, "--resize", "75", "--quality", "50",
                      name="edge").url

    # One request by hand: the edge resizes to 75 %, re-encodes, and the cloud receives what it sent.
    sample = synthetic[0]
    image = edgebench.read_image_bytes(sample)
    body = json.dumps({"image_id": sample.id, "image_b64": base64.b64encode(image).decode()}).encode()
    answer = json.load(urllib.request.urlopen(
        urllib.request.Request(edge + "/v1/infer", data=body, headers={"Content-Type": "application/json"}),
        timeout=30))
    assert answer["image_id"] == sample.id
    assert answer["image"]["width_out"] == sample.width * 75 // 100
    assert answer["image"]["height_out"] == sample.height * 75 // 100
    assert answer["forward"]["status"] == "ok"
    assert answer["cloud"]["image"]["bytes_in"] == answer["image"]["bytes_out"] > 0

    # The client serving_bench.py drives it with: JSON with base64, closed loop, 2 in flight.
    config = edgebench.WorkloadConfig(edges=[edge], format=edgebench.WireFormat.JSON,
                                      schedule=edgebench.Schedule.closed_loop(2), run_id="orig")
    result = edgebench.run_workload(config, synthetic)
    assert len(result.records) == len(synthetic)
    assert all(r.ok and r.edge_node == "original-edge" and r.forward_status == "ok" for r in result.records)
