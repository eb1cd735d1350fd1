"""HwMonitor and StageClock from Python: the context manager, DataFrames, hw.csv read by pandas, the CLI."""

import subprocess
import time

import pandas as pd
import pytest

import edgebench


def burn(seconds):
    """Burns `seconds` of this thread's CPU time (not wall time: a loaded machine only takes longer)."""
    end = time.thread_time() + seconds
    x = 0
    while time.thread_time() < end:
        for i in range(2000):
            x += i
    return x


def test_context_manager_samples_and_to_dataframe_has_hw_csv_columns_and_dtypes():
    with edgebench.HwMonitor(period=0.05, node="py-node") as mon:
        assert mon.running
        before = mon.snapshot()
        burn(0.5)
    assert not mon.running
    df = mon.to_dataframe()
    assert list(df.columns) == edgebench.hw_csv_columns()
    assert len(df) >= 5
    assert (df["node"] == "py-node").all()
    assert df["seq"].tolist() == list(range(len(df)))
    for column in ["time_unix_s", "mono_s", "interval_s", "cpu_user_s", "cpu_util_pct", "host_cpu_util_pct"]:
        assert df[column].dtype == "float64", column
    for column in ["seq", "pid", "threads", "rss_bytes", "host_mem_total_bytes", "net_rx_bytes"]:
        assert df[column].dtype == "int64", column
    # The burn shows in the cumulative CPU time and in the utilisation over the intervals.
    burned = df["cpu_user_s"].iloc[-1] + df["cpu_system_s"].iloc[-1] - before.cpu_user_s - before.cpu_system_s
    assert 0.45 < burned < 0.8
    assert (df["cpu_util_pct"] / 100 * df["interval_s"]).sum() == pytest.approx(burned, abs=0.15)
    assert mon.to_dicts()[0].keys() == set(edgebench.hw_csv_columns())
    assert list(mon.samples()[0].to_dict()) == edgebench.hw_csv_columns()
    net = mon.net_dataframe()
    assert "lo" in set(net["interface"])
    assert list(net.columns) == edgebench.hw_net_csv_columns()


def test_gpu_fields_are_null_with_a_reason_when_there_is_no_driver():
    mon = edgebench.HwMonitor(period=0.05)
    mon.start()
    time.sleep(0.12)
    mon.stop()
    df = mon.to_dataframe()
    if df["gpu_count"].notna().all():
        pytest.skip("this machine has an NVIDIA driver; the C++ tests check its figures")
    assert df["gpu_mem_used_bytes"].isna().all()
    assert df["gpu_util_pct"].dtype == "float64"  # all empty: NaN, still numeric
    reasons = mon.reasons()
    assert "libnvidia-ml.so.1" in reasons["gpu_mem_used_bytes"]
    assert mon.reason("gpu_util_pct") == reasons["gpu_util_pct"]
    issue = next(i for i in mon.issues() if i.field == "gpu_count")
    assert issue.count == len(df)


def test_csv_file_is_read_by_pandas_directly(tmp_path):
    path = tmp_path / "hw.csv"
    with edgebench.HwMonitor(period=0.05, node="edge-1", csv=path, net_csv=tmp_path / "net.csv"):
        burn(0.2)
        block = bytearray(50 * 1024 * 1024)  # touched by the zero fill
        time.sleep(0.1)
        del block
    df = pd.read_csv(path)
    assert list(df.columns) == edgebench.hw_csv_columns()
    assert len(df) >= 3
    assert df["node"].dtype == object and (df["node"] == "edge-1").all()
    assert df["rss_bytes"].dtype == "int64"
    assert df["rss_bytes"].max() - df["rss_bytes"].min() > 40 * 1024 * 1024
    assert pd.api.types.is_float_dtype(df["cycles"]) or pd.api.types.is_integer_dtype(df["cycles"])
    times = pd.to_datetime(df["time_unix_s"], unit="s")
    assert times.is_monotonic_increasing
    net = pd.read_csv(tmp_path / "net.csv")
    assert set(net["seq"]) == set(df["seq"])


def test_bad_settings_raise_edgebench_errors(tmp_path):
    with pytest.raises(edgebench.Error) as info:
        edgebench.HwMonitor(period=0.001)
    assert info.value.field == "period"
    with pytest.raises(edgebench.Error) as info:
        edgebench.HwMonitor(pid=999999999)
    assert info.value.field == "pid"
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(edgebench.Error, match="other columns"):
        edgebench.HwMonitor(csv=tmp_path / "other.csv", append=True)
    mon = edgebench.HwMonitor(period=0.05)
    mon.start()
    with pytest.raises(edgebench.Error, match="already running"):
        mon.start()
    mon.stop()


def test_another_process_tree_and_queue_semantics():
    child = subprocess.Popen(["/bin/sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
    mon = edgebench.HwMonitor(period=0.05, pid=child.pid, tree=True, keep_samples=1000)
    mon.start()
    child.wait()
    time.sleep(0.15)
    mon.stop()
    samples = mon.take_samples()
    assert mon.samples() == []
    assert mon.sample_count == len(samples)
    assert samples[0].pid == child.pid
    assert any(s.cpu_user_s is not None and s.cpu_user_s > 0 for s in samples)
    assert samples[-1].cpu_user_s is None  # the process has been waited for and is gone
    assert "has exited" in mon.reason("cpu_user_s")


def test_stage_clock():
    clock = edgebench.StageClock()
    burn(0.1)
    clock.lap("burn")
    time.sleep(0.1)
    clock.lap("sleep")
    stages = clock.to_dict()
    assert list(stages) == ["burn", "sleep"]
    assert stages["burn"]["cpu_ms"] > 95
    assert stages["burn"]["wall_ms"] >= stages["burn"]["cpu_ms"] * 0.99
    assert stages["sleep"]["wall_ms"] > 95
    assert stages["sleep"]["cpu_ms"] < 20
    assert clock.find("burn").count == 1
    assert clock.find("nothing") is None


def test_cli_monitor_writes_a_csv_that_pandas_reads(cli, tmp_path):
    out = tmp_path / "hw.csv"
    result = subprocess.run(
        [cli, "monitor", "--period", "0.1", "--out", str(out), "--",
         "/bin/sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; exit 3"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    df = pd.read_csv(out)
    assert len(df) >= 2
    assert df["cpu_user_s"].iloc[-1] > 0.05
    assert "samples over" in result.stderr
