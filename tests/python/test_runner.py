"""The experiment runner end to end: real node processes on loopback, real result sets, failures,
Ctrl-C, SIGKILL and --resume."""

import csv
import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

import edgebench
from conftest import SHARED_DATA


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def experiment(count=6, grid=None, detector="none", extra=None):
    document = {
        "name": "test",
        "dataset": {"synthetic": {"count": count, "seed": 11}},
        "edges": {"count": 1, "detector": detector},
        "workload": {"schedule": "closed", "concurrency": 2, "warmup": 1},
        "grid": grid or {"edges.preprocess.quality": [90, 20]},
    }
    document.update(extra or {})
    return document


def test_small_grid_writes_a_complete_tidy_result_set(tmp_path):
    out = tmp_path / "out"
    result = edgebench.run(experiment(), out, progress=False, monitor_period=0.05)
    assert (result.runs, result.finished, result.failed) == (2, 2, 0)
    assert not result.interrupted
    for name in ("manifest.json", "runs.csv", "requests.csv", "detections.jsonl", "classes.csv", "hw.csv",
                 "summary.csv"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["run_count"] == 2 and len(manifest["runs"]) == 2
    assert manifest["edgebench_version"] == edgebench.__version__

    runs = read_csv(out / "runs.csv")
    assert [r["run_id"] for r in runs] == ["run-0001", "run-0002"]
    assert all(r["status"] == "ok" for r in runs)
    assert [r["quality"] for r in runs] == ["90", "20"]
    assert runs[0]["axis:edges.preprocess.quality"] == "90"

    requests = read_csv(out / "requests.csv")
    # Each image once per run, at the edge and (forwarded) at the cloud: exact counts, no duplicates.
    per_run_role = Counter((r["run_id"], r["role"]) for r in requests)
    assert per_run_role == {("run-0001", "edge"): 6, ("run-0001", "cloud"): 6, ("run-0002", "edge"): 6,
                            ("run-0002", "cloud"): 6}
    keys = [(r["run_id"], r["request_index"], r["role"]) for r in requests]
    assert len(keys) == len(set(keys))
    assert all(r["client_status"] == "ok" for r in requests), [r["client_error"] for r in requests if r["client_error"]]

    summary = {(s["run_id"], s["node"]): s for s in read_csv(out / "summary.csv")}
    edge_high, edge_low = summary[("run-0001", "edge-1")], summary[("run-0002", "edge-1")]
    # Quality 20 sends fewer bytes than quality 90, and the cloud received exactly what the edge sent.
    assert float(edge_low["bytes_out_mean"]) < float(edge_high["bytes_out_mean"])
    assert float(summary[("run-0002", "cloud")]["bytes_in_mean"]) == pytest.approx(float(edge_low["bytes_out_mean"]))
    hw = read_csv(out / "hw.csv")
    # Every run, however short, closes with a sample from every node.
    assert {(h["run_id"], h["node"]) for h in hw} == {(run, node) for run in ("run-0001", "run-0002")
                                                      for node in ("edge-1", "cloud")}, \
        (len(hw), [(r["run_id"], r["duration_s"]) for r in runs])


@pytest.mark.skipif(not (SHARED_DATA / "models" / "nanodet-m-320.onnx").exists(), reason="../shared/data is not present")
def test_real_detector_is_scored_per_node_and_class(tmp_path):
    document = {
        "dataset": {"coco": {"instances": str(SHARED_DATA / "coco-sample" / "instances.json")}},
        "images": 12,
        "edges": {"count": 1, "detector": "onnx:nanodet:" + str(SHARED_DATA / "models" / "nanodet-m-320.onnx")},
        "workload": {"schedule": "round-robin", "images_per_edge": 12},
        "thresholds": {"iou": 0.5, "score": 0.4},
    }
    out = tmp_path / "out"
    edgebench.run(document, out, progress=False)
    summary = read_csv(out / "summary.csv")
    edge = [s for s in summary if s["node"] == "edge-1"][0]
    assert 0.05 < float(edge["map"]) < 0.6
    classes = read_csv(out / "classes.csv")
    person = [c for c in classes if c["name"] == "person"][0]
    assert int(person["support"]) > 0 and int(person["tp"]) > 0
    # Scores agree with the Evaluator run directly on the same detections.
    dataset = edgebench.CocoDataset.load(str(SHARED_DATA / "coco-sample" / "instances.json")).first(12)
    detections = {}
    for line in (out / "detections.jsonl").read_text().splitlines():
        item = json.loads(line)
        if item["role"] == "edge":
            detections[item["image_id"]] = [edgebench.Detection(d["category_id"], edgebench.BBox(*d["bbox"]), d["score"])
                                            for d in item["detections"]]
    direct = edgebench.evaluate(dataset, detections, iou_threshold=0.5, score_threshold=0.4)
    assert float(edge["map"]) == pytest.approx(direct["stats"][0], abs=1e-9)
    assert float(edge["f1"]) == pytest.approx(direct["operating_point"]["micro"]["f1"], abs=1e-9)


def test_a_failing_configuration_is_recorded_and_the_sweep_goes_on(tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"this is not an ONNX model")
    document = experiment(grid={"edges.detector": ["none", f"onnx:nanodet:{broken}", "none"]})
    out = tmp_path / "out"
    result = edgebench.run(document, out, progress=False)
    assert (result.finished, result.failed) == (2, 1)
    runs = {r["run_id"]: r for r in read_csv(out / "runs.csv")}
    assert runs["run-0002"]["status"] == "failed"
    assert "broken.onnx" in runs["run-0002"]["error"] or "ONNX" in runs["run-0002"]["error"]
    assert runs["run-0003"]["status"] == "ok"
    assert not [r for r in read_csv(out / "requests.csv") if r["run_id"] == "run-0002"]


def test_existing_result_sets_need_resume_and_the_same_experiment(tmp_path):
    out = tmp_path / "out"
    edgebench.run(experiment(count=2), out, progress=False)
    with pytest.raises(edgebench.Error, match="resume"):
        edgebench.run(experiment(count=2), out, progress=False)
    again = edgebench.run(experiment(count=2), out, resume=True, progress=False)
    assert (again.skipped, again.finished) == (2, 0)
    with pytest.raises(edgebench.Error, match="different experiment"):
        edgebench.run(experiment(count=3), out, resume=True, progress=False)


def test_dry_run_lists_every_configuration(cli, tmp_path):
    path = tmp_path / "e.json"
    path.write_text(json.dumps(experiment(grid={"edges.preprocess.quality": [90, 50, 10],
                                                "edges.preprocess.resize": [100, 50]})))
    run = subprocess.run([cli, "run", str(path), "--dry-run"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("run-")]
    assert len(lines) == 6
    assert "edges.preprocess.quality=50" in lines[2] and "edges.preprocess.resize=100" in lines[2]
    bad = tmp_path / "bad.yaml"
    bad.write_text("dataset: {synthetic: {count: 2}}\nedges: {count: 1}\nworkload: {schedule: sometimes}\n")
    run = subprocess.run([cli, "run", str(bad), "--dry-run"], capture_output=True, text=True)
    assert run.returncode == 1
    assert "workload.schedule" in run.stderr and "line 3" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def shape(out):
    """What must be equal between an interrupted-and-resumed sweep and an uninterrupted one."""
    runs = [(r["run_id"], r["status"]) for r in read_csv(out / "runs.csv")]
    requests = Counter((r["run_id"], r["role"]) for r in read_csv(out / "requests.csv"))
    keys = [(r["run_id"], r["request_index"], r["role"]) for r in read_csv(out / "requests.csv")]
    detections = Counter(json.loads(line)["run_id"] for line in (out / "detections.jsonl").read_text().splitlines())
    summary = Counter(r["run_id"] for r in read_csv(out / "summary.csv"))
    return sorted(runs), requests, len(keys) == len(set(keys)), detections, summary


def wait_for_runs(out, count, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs_csv = out / "runs.csv"
        if runs_csv.exists() and len(read_csv(runs_csv)) >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the sweep did not get that far in time")


def node_pids(out):
    pids = []
    for node in (out / "nodes").iterdir():
        log = node / "node.log"
        if log.exists():
            pids.append(node.name)
    return pids


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_an_interrupted_sweep_resumes_to_the_same_result_set(cli, tmp_path, how):
    path = tmp_path / "e.json"
    path.write_text(json.dumps(experiment(count=30, grid={"edges.preprocess.quality": [90, 70, 50, 30, 10]})))
    reference = tmp_path / "reference"
    done = subprocess.run([cli, "run", str(path), "--out", str(reference)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    out = tmp_path / "out"
    process = subprocess.Popen([cli, "run", str(path), "--out", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    wait_for_runs(out, 2, process)
    process.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    if how == "SIGINT":
        assert process.returncode == 130, stderr
        assert "--resume" in stderr
        assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    else:
        assert process.returncode == -signal.SIGKILL
    # The nodes do not outlive the runner.
    time.sleep(0.5)
    alive = subprocess.run(["pgrep", "-f", str(out / "nodes")], capture_output=True, text=True).stdout.split()
    assert not alive, f"node processes survived: {alive}"

    resumed = subprocess.run([cli, "run", str(path), "--out", str(out), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert shape(out) == shape(reference)
    assert shape(out)[2]  # no duplicated request rows
