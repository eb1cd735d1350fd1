"""The workload client from Python: schedules, the percentile definition (numpy's default), and runs
against real edgebench-edge and edgebench-cloud processes with records that pandas reads."""

import threading

import numpy as np
import pandas as pd
import pytest

import edgebench


def test_percentile_is_numpys_default_linear_interpolation():
    rng = np.random.default_rng(4)
    for n in (1, 2, 3, 10, 101, 1000):
        values = rng.exponential(5.0, n)
        for q in (0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0):
            assert edgebench.percentile(values.tolist(), q) == pytest.approx(np.percentile(values, q * 100), rel=1e-12)
    assert edgebench.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    with pytest.raises(edgebench.Error):
        edgebench.percentile([1.0], 2.0)


def test_schedules_plan_who_gets_what():
    config = edgebench.WorkloadConfig(edges=["http://127.0.0.1:1", "http://127.0.0.1:2"],
                                      schedule=edgebench.Schedule.round_robin(2, 3))
    plan = edgebench.plan_requests(config, 5)
    assert [(p.edge, p.image) for p in plan] == [(0, 0), (0, 1)] * 3 + [(1, 0), (1, 1)] * 3
    config.schedule = edgebench.Schedule.open_loop(50.0, requests=200, seed=3)
    offsets = [p.offset_s for p in edgebench.plan_requests(config, 7)]
    assert offsets[0] == 0 and offsets == sorted(offsets)
    assert np.mean(np.diff(offsets)) == pytest.approx(1 / 50, rel=0.2)
    assert "open-loop rate=50" in repr(config.schedule)
    config.preprocess = "resize=50,quality=40"
    assert config.preprocess == "grayscale=0,resize=50,format=jpeg,quality=40"
    config.preprocess = None
    assert config.preprocess is None
    config.shuffle = True
    assert '"order":"shuffled"' in config.to_json()
    with pytest.raises(edgebench.Error) as info:
        edgebench.plan_requests(edgebench.WorkloadConfig(), 3)
    assert info.value.field == "edges"


def test_a_run_against_real_nodes_gives_records_pandas_reads(node_programs, start_node, synthetic, tmp_path):
    cloud = start_node(node_programs["cloud"], "--name", "cloud", name="cloud")
    edge = start_node(node_programs["edge"], "--name", "edge-1", "--preprocess", "resize=50,quality=60",
                      "--cloud", cloud.url, name="edge")
    config = edgebench.WorkloadConfig(edges=[edge.url], schedule=edgebench.Schedule.closed_loop(3),
                                      warmup_requests=2, run_id="py-run")
    seen = []
    ticks = []
    stop_ticking = threading.Event()

    def tick():  # runs only if run_workload releases the GIL
        while not stop_ticking.is_set():
            ticks.append(1)
            stop_ticking.wait(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        result = edgebench.run_workload(config, synthetic, on_record=seen.append, out_dir=tmp_path / "client")
    finally:
        stop_ticking.set()
        ticker.join()
    assert ticks, "the GIL was held during the run"
    assert len(result.records) == len(synthetic) == len(seen)
    assert result.warmup_sent == 2 and not result.interrupted
    assert sorted(r.request_id for r in seen) == sorted(f"py-run-{k}" for k in range(len(synthetic)))
    for record in result.records:
        assert record.ok and record.status == edgebench.RequestStatus.OK
        assert record.edge_node == "edge-1"
        assert record.forward_status == "ok"
        assert record.edge_detections == [] and record.edge_metrics is None

    frame = pd.DataFrame(result.rows())
    on_disk = pd.read_csv(tmp_path / "client" / "client_requests.csv")
    assert list(on_disk.columns) == edgebench.WorkloadRecordWriter.columns() == list(frame.columns)
    on_disk = on_disk.sort_values("index").reset_index(drop=True)
    pd.testing.assert_series_equal(frame["request_id"], on_disk["request_id"])
    pd.testing.assert_series_equal(frame["edge_bytes_out"], on_disk["edge_bytes_out"])
    assert (on_disk["edge_width_out"] == on_disk["edge_width_in"] // 2).all()
    assert (on_disk["cloud_bytes_in"] == on_disk["edge_bytes_out"]).all()
    assert on_disk["edge_tp"].isna().all()  # no detector: no scores, empty cells rather than zeros
    assert np.allclose(on_disk["latency_ms"], [r.latency_ms for r in sorted(result.records, key=lambda r: r.index)])

    # The summary is the documented statistics of the recorded latencies.
    latencies = on_disk.loc[on_disk["status"] == "ok", "latency_ms"]
    summary = result.summary
    assert summary.count == summary.ok == len(synthetic)
    assert summary.p50_ms == pytest.approx(np.percentile(latencies, 50), rel=1e-6)
    assert summary.p99_ms == pytest.approx(np.percentile(latencies, 99), rel=1e-6)
    assert summary.mean_ms == pytest.approx(latencies.mean(), rel=1e-6)
    assert summary.to_dict()["throughput_rps"] > 0
    assert '"percentile_definition"' in (tmp_path / "client" / "client_summary.json").read_text()
    assert edge.stop() == 0 and cloud.stop() == 0


def test_failed_requests_are_records_not_exceptions(node_programs, start_node, synthetic):
    edge = start_node(node_programs["edge"], "--token", "abc", name="edge")
    config = edgebench.WorkloadConfig(edges=[edge.url], format=edgebench.WireFormat.JSON,
                                      schedule=edgebench.Schedule.closed_loop(2, 4))
    refused = edgebench.run_workload(config, synthetic)
    assert [r.status for r in refused.records] == [edgebench.RequestStatus.HTTP_ERROR] * 4
    assert all(r.http_status == 401 for r in refused.records)
    assert refused.summary.ok == 0 and refused.summary.failed == 4
    config.token = "abc"
    assert edgebench.run_workload(config, synthetic).summary.ok == 4
    edge.stop()
    gone = edgebench.run_workload(config, synthetic)
    assert {r.status for r in gone.records} == {edgebench.RequestStatus.UNREACHABLE}


def test_ctrl_c_stops_the_run_and_keeps_what_was_recorded(node_programs, start_node, synthetic, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    edge = start_node(node_programs["edge"], name="edge")
    script = tmp_path / "run.py"
    script.write_text(f"""
import sys, edgebench
dataset = edgebench.CocoDataset.load({str(synthetic.image_dir.parent / "instances.json")!r})
config = edgebench.WorkloadConfig(edges=[{edge.url!r}], schedule=edgebench.Schedule.closed_loop(2, 1000000))
print("started", flush=True)
result = edgebench.run_workload(config, dataset, out_dir={str(tmp_path / "out")!r})
print("interrupted", result.interrupted, len(result.records), flush=True)
""")
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "started"
    time.sleep(1.5)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0
    words = out.split()
    assert words[:2] == ["interrupted", "True"], out
    recorded = int(words[2])
    assert 0 < recorded < 1000000
    assert len(pd.read_csv(tmp_path / "out" / "client_requests.csv")) == recorded
