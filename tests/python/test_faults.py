"""Faults injected into running sweeps, against the real programs: a killed edge, a dead or hung cloud,
a full disk, SIGTERM. In each case the sweep records what happened per request and per run, goes on or
stops cleanly, `--resume` completes it, and no acknowledged request record is lost or duplicated."""

import csv
import json
import os
import resource
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

IMAGES = 40
RUNS = 3


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_experiment(tmp_path, timeout_s=20):
    document = {
        "name": "faults",
        "dataset": {"synthetic": {"count": IMAGES, "seed": 5}},
        "edges": {"count": 1, "detector": "none"},
        # 25 ms added to each forward: a run takes about a second, so a fault lands inside one.
        "network": {"latency_ms": 25},
        "workload": {"schedule": "closed", "concurrency": 1, "timeout_s": timeout_s},
        # Each run sends every image.
        "grid": {"edges.preprocess": ["quality=90", "quality=50", "quality=20"]},
    }
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(document))
    return path


def start(cli, experiment, out, **kwargs):
    return subprocess.Popen([cli, "run", str(experiment), "--out", str(out), "--monitor-period", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_until(condition, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(f"the sweep ended early: {process.communicate()}")
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def runs_done(out):
    path = out / "runs.csv"
    return len(read_csv(path)) if path.exists() else 0


def node_pid(out, node):
    return int((out / "nodes" / node / "pid").read_text())


def second_run_started(out):
    """run-0002's requests have reached the edge (its own log names the run)."""
    log = out / "nodes" / "edge-1" / "requests.csv"
    return log.exists() and ",run-0002," in log.read_text()


def assert_complete_and_consistent(out):
    runs = read_csv(out / "runs.csv")
    assert sorted(r["run_id"] for r in runs) == [f"run-000{i}" for i in range(1, RUNS + 1)]
    assert all(r["status"] == "ok" for r in runs), runs
    requests = read_csv(out / "requests.csv")
    keys = [(r["run_id"], r["request_index"], r["role"]) for r in requests]
    assert len(keys) == len(set(keys)), "duplicated request rows"
    edge_rows = Counter(r["run_id"] for r in requests if r["role"] == "edge")
    assert edge_rows == {f"run-000{i}": IMAGES for i in range(1, RUNS + 1)}, edge_rows
    detections = Counter(json.loads(line)["run_id"] for line in (out / "detections.jsonl").read_text().splitlines())
    assert sum(detections.values()) == sum(1 for r in requests if r["answered_unix"]), "a detections line per answer"


def resume(cli, experiment, out):
    done = subprocess.run([cli, "run", str(experiment), "--out", str(out), "--resume"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("node", ["edge-1", "cloud"])
def test_a_node_killed_mid_run_fails_that_run_and_resume_redoes_it(cli, tmp_path, node):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    process = start(cli, experiment, out)
    wait_until(lambda: second_run_started(out), process)
    os.kill(node_pid(out, node), signal.SIGKILL)
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 3, stderr  # the sweep goes on, and says that a run failed
    assert "1 of 3 runs failed" in stderr and "--resume" in stderr
    runs = {r["run_id"]: r for r in read_csv(out / "runs.csv")}
    assert runs["run-0002"]["status"] == "failed"
    assert node in runs["run-0002"]["error"] and "exited" in runs["run-0002"]["error"]
    assert runs["run-0003"]["status"] == "ok"  # the nodes were restarted
    requests = [r for r in read_csv(out / "requests.csv") if r["run_id"] == "run-0002"]
    if node == "edge-1":
        # Requests after the kill were refused, and recorded as such.
        assert any(r["client_status"] in ("unreachable", "failed") for r in requests)
    else:
        # The edge kept answering; its forwards to the dead cloud are recorded per request.
        assert any(r["role"] == "edge" and r["forward_status"] == "unreachable" for r in requests)
    resume(cli, experiment, out)
    assert_complete_and_consistent(out)


def test_a_hung_cloud_is_recorded_as_forward_timeouts_and_the_run_goes_on(cli, tmp_path):
    experiment = write_experiment(tmp_path, timeout_s=1.0)
    out = tmp_path / "out"
    process = start(cli, experiment, out)
    wait_until(lambda: second_run_started(out), process)
    cloud = node_pid(out, "cloud")
    os.kill(cloud, signal.SIGSTOP)
    time.sleep(2.0)
    os.kill(cloud, signal.SIGCONT)
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    requests = read_csv(out / "requests.csv")
    timeouts = [r for r in requests if r["role"] == "edge" and r["forward_status"] == "timeout"]
    assert timeouts, "forwards to the stopped cloud should have timed out"
    # The edge answered those requests itself (its forward timeout is half the client's).
    assert all(r["client_status"] == "ok" for r in timeouts)
    summary = {(s["run_id"], s["node"]): s for s in read_csv(out / "summary.csv")}
    assert int(summary[(timeouts[0]["run_id"], "edge-1")]["forward_failed"]) > 0
    assert_complete_and_consistent(out)


def test_a_full_disk_stops_the_sweep_cleanly_and_resume_completes_it(cli, tmp_path):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"

    def limit_file_size():
        # The result set outgrows this during the sweep; writes then fail with EFBIG.
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    process = subprocess.run([cli, "run", str(experiment), "--out", str(out)], capture_output=True, text=True,
                             preexec_fn=limit_file_size, timeout=300)
    assert process.returncode == 1, (process.stdout, process.stderr)
    error_lines = [line for line in process.stderr.splitlines() if "error" in line]
    assert error_lines and ("File too large" in error_lines[-1] or "disk" in error_lines[-1]), process.stderr
    assert runs_done(out) < RUNS
    # No node outlives the failed sweep.
    time.sleep(0.5)
    assert not subprocess.run(["pgrep", "-f", str(out / "nodes")], capture_output=True, text=True).stdout.split()
    resume(cli, experiment, out)
    assert_complete_and_consistent(out)


def test_sigterm_stops_the_sweep_cleanly(cli, tmp_path):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    process = start(cli, experiment, out)
    wait_until(lambda: second_run_started(out), process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert [r["run_id"] for r in read_csv(out / "runs.csv")] == ["run-0001"]
    resume(cli, experiment, out)
    assert_complete_and_consistent(out)
