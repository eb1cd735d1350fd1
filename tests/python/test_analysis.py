"""edgebench.analysis on result sets the real runner wrote, and its statistics on data with known answers."""

import csv
import json
import math

import numpy as np
import pandas as pd
import pytest

from edgebench import analysis


@pytest.fixture(scope="module")
def rs(scored_result_dir):
    return analysis.load(scored_result_dir)


@pytest.fixture(scope="module")
def plain(plain_result_dir):
    return analysis.load(plain_result_dir)


def _csv_rows(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def _has_detector(rs):
    return not rs.scored_requests().empty


# --- loading ----------------------------------------------------------------------------------------

def test_every_table_matches_the_files(rs, scored_result_dir):
    for name in ("runs", "requests", "classes", "hw", "summary"):
        assert len(rs.table(name)) == len(_csv_rows(scored_result_dir / f"{name}.csv")), name
    boxes = 0
    with open(scored_result_dir / "detections.jsonl") as lines:
        for line in lines:
            boxes += len(json.loads(line)["detections"])
    assert len(rs.detections) == boxes
    assert len(rs.runs) == 4 and set(rs.runs["status"]) == {"ok"}
    assert rs.axes == ["edges.preprocess.quality", "edges.preprocess.resize"]


def test_dtypes_are_the_proper_ones(rs):
    runs = rs.runs
    assert str(runs["quality"].dtype) == "Int64" and sorted(runs["quality"].unique()) == [20, 90]
    assert runs["resize"].dtype == "float64" and sorted(runs["resize"].unique()) == [50.0, 100.0]
    assert str(runs["grayscale"].dtype) == "boolean" and not runs["grayscale"].any()
    assert isinstance(runs["placement"].dtype, pd.CategoricalDtype)
    assert str(runs["started_at"].dtype).startswith("datetime64[ns")
    requests = rs.requests
    for column in ("request_index", "image_id", "bytes_in", "bytes_out", "tp", "fp", "fn", "detections"):
        assert str(requests[column].dtype) == "Int64", column
    for column in ("client_latency_ms", "inference_ms", "total_ms", "f1"):
        assert requests[column].dtype == "float64", column
    assert isinstance(requests["role"].dtype, pd.CategoricalDtype)
    assert set(requests["role"].astype(str)) == {"edge", "cloud"}
    summary = rs.summary
    for column in ("map", "f1", "latency_p99_ms", "bytes_ratio"):
        assert summary[column].dtype == "float64", column
    hw = rs.hw
    assert str(hw["rss_bytes"].dtype) == "Int64" and hw["cpu_util_pct"].dtype == "float64"
    assert (hw["elapsed_s"] >= 0).all()


def test_no_lists_inside_cells(rs):
    detections = rs.detections
    for column in ("x", "y", "width", "height", "score"):
        assert detections[column].dtype == "float64", column
    assert str(detections["category_id"].dtype) == "Int64"
    assert str(detections["rank"].dtype) == "Int64"
    for name in ("runs", "requests", "detections", "classes", "hw", "summary"):
        table = rs.table(name)
        for column in table.columns[table.dtypes == object]:
            kinds = {type(v) for v in table[column].dropna().head(200)}
            assert kinds <= {str}, f"{name}.{column} holds {kinds}"


def test_detections_keep_the_file_order_and_boxes(rs, scored_result_dir):
    with open(scored_result_dir / "detections.jsonl") as lines:
        first = next(json.loads(line) for line in lines if json.loads(line)["detections"])
    rows = rs.detections[(rs.detections["run_id"] == first["run_id"]) &
                         (rs.detections["request_index"] == first["request_index"]) &
                         (rs.detections["node"] == first["node"])]
    assert list(rows["rank"]) == list(range(len(first["detections"])))
    expected = np.array([d["bbox"] for d in first["detections"]])
    assert np.allclose(rows[["x", "y", "width", "height"]].to_numpy("float64"), expected)
    assert np.allclose(rows["score"], [d["score"] for d in first["detections"]])


def test_configuration_is_joined_into_every_table(rs):
    runs = rs.runs.set_index("run_id")
    for name in ("requests", "detections", "classes", "hw", "summary"):
        table = rs.table(name)
        if table.empty:
            continue
        for column in ("label", "quality", "resize", "placement"):
            assert column in table.columns, (name, column)
        joined = table.drop_duplicates("run_id").set_index("run_id")
        assert (joined["quality"] == runs.loc[joined.index, "quality"]).all(), name
    # The node's own detector stays; the run's comes as run_detector.
    requests = rs.requests
    assert "run_detector" in requests.columns
    cloud = requests[requests["role"] == "cloud"]
    assert (cloud["detector"] == cloud["cloud_detector"]).all()


def test_labels_name_the_grid_values(rs):
    assert rs.labels == ["quality=90, resize=100", "quality=90, resize=50", "quality=20, resize=100",
                         "quality=20, resize=50"]
    assert rs.runs["label"].is_unique


def test_model_names():
    assert analysis.model_name("onnx:nanodet:/models/nanodet-m-320.onnx") == "nanodet-m-320"
    assert analysis.model_name("onnx:nanodet@416:/m/nanodet-m.onnx") == "nanodet-m"
    assert analysis.model_name("opencv:hog") == "opencv:hog"
    assert analysis.model_name("none") == "none"
    assert analysis.model_name(None) == "none"


def test_loading_is_lazy_when_asked(scored_result_dir):
    lazy = analysis.load(scored_result_dir, eager=False)
    assert "requests" not in vars(lazy)
    assert len(lazy.requests) > 0 and "requests" in vars(lazy)


def test_a_folder_without_a_manifest_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="manifest.json"):
        analysis.load(tmp_path)


# --- statistics with known answers ------------------------------------------------------------------

def test_bootstrap_of_a_constant_has_no_width():
    interval = analysis.bootstrap_ci([0.5] * 40, clusters=np.repeat(np.arange(10), 4))
    assert interval == (0.5, 0.5, 0.5)


def test_bootstrap_mean_and_interval_contain_the_truth():
    rng = np.random.default_rng(1)
    values = rng.normal(10.0, 2.0, size=400)
    interval = analysis.bootstrap_ci(values, n_boot=2000, seed=3)
    assert interval.value == pytest.approx(values.mean())
    standard_error = values.std(ddof=1) / math.sqrt(len(values))
    # A percentile interval of the mean: about mean +- 1.96 standard errors.
    assert interval.low == pytest.approx(values.mean() - 1.96 * standard_error, abs=0.35 * standard_error)
    assert interval.high == pytest.approx(values.mean() + 1.96 * standard_error, abs=0.35 * standard_error)
    assert analysis.bootstrap_ci(values, n_boot=2000, seed=3) == interval  # seeded


def test_cluster_bootstrap_does_not_count_repeats_as_evidence():
    rng = np.random.default_rng(2)
    per_image = rng.uniform(0, 1, size=20)
    once = analysis.bootstrap_ci(per_image, n_boot=2000)
    # The same 20 images each served 10 times: the same information, so about the same interval...
    repeated = np.repeat(per_image, 10)
    clustered = analysis.bootstrap_ci(repeated, clusters=np.repeat(np.arange(20), 10), n_boot=2000)
    assert clustered.high - clustered.low == pytest.approx(once.high - once.low, rel=0.25)
    # ...where treating the 200 requests as independent would shrink it about sqrt(10) times.
    naive = analysis.bootstrap_ci(repeated, n_boot=2000)
    assert (naive.high - naive.low) < 0.5 * (clustered.high - clustered.low)


def test_ratio_bootstrap_with_a_transform():
    out = np.array([10.0, 20.0, 30.0])
    original = np.array([100.0, 100.0, 100.0])
    interval = analysis.bootstrap_ratio_ci(out, original, transform=lambda r: 100 * (1 - r))
    assert interval.value == pytest.approx(80.0)
    assert interval.low <= 80.0 <= interval.high
    assert analysis.bootstrap_ratio_ci([], []).value != analysis.bootstrap_ratio_ci([], []).value  # NaN


def test_pareto_front_on_known_points():
    # (bytes, f1): b dominates c; d has the most accuracy; a the fewest bytes; e ties b exactly.
    x = [1.0, 2.0, 3.0, 5.0, 2.0, np.nan]
    y = [0.2, 0.6, 0.5, 0.9, 0.6, 1.0]
    assert list(analysis.pareto_front(x, y)) == [True, True, False, True, True, False]
    # Maximising x instead: only the point with both the most x and the most y survives, plus ties.
    assert list(analysis.pareto_front([1, 2, 3], [3, 2, 1], minimize_x=False)) == [True, True, True]
    assert list(analysis.pareto_front([1, 2, 3], [1, 2, 3], minimize_x=False)) == [False, False, True]


def test_metric_table_mean_is_the_plain_mean(rs):
    if not _has_detector(rs):
        pytest.skip("no detector in this build and no ../shared: nothing scored")
    scored = rs.scored_requests()
    table = analysis.metric_table(scored, ["label", "role"], ["f1", "inference_ms"], n_boot=200)
    expected = scored.groupby(["label", "role"], observed=True)[["f1", "inference_ms"]].mean()
    for _, row in table.iterrows():
        assert row["f1"] == pytest.approx(expected.loc[(row["label"], row["role"]), "f1"])
        assert row["inference_ms"] == pytest.approx(expected.loc[(row["label"], row["role"]), "inference_ms"])
        assert row["f1_low"] <= row["f1"] <= row["f1_high"]
    assert set(table["requests"]) == {6 if "coco" in rs.name else 8}


def test_micro_f1_pools_counts(rs):
    if not _has_detector(rs):
        pytest.skip("nothing scored")
    scored = rs.scored_requests("edge")
    table = analysis.metric_table(scored, ["run_id"], "micro_f1", n_boot=100)
    summary = rs.summary[rs.summary["role"] == "edge"].set_index("run_id")
    for _, row in table.iterrows():
        # summary.csv's F1 is the evaluator's micro F1 over the same requests.
        assert row["micro_f1"] == pytest.approx(summary.loc[row["run_id"], "f1"], abs=1e-9)


# --- the question helpers -----------------------------------------------------------------------------

def test_accuracy_latency_and_ratio_per_model(rs):
    if not _has_detector(rs):
        pytest.skip("nothing scored")
    accuracy = analysis.accuracy_by_model(rs, n_boot=200)
    assert set(accuracy["role"].astype(str)) == {"edge", "cloud"}
    assert accuracy["f1"].between(0, 1).all() and accuracy["map_mean"].notna().all()
    assert (accuracy["f1_low"] <= accuracy["f1"]).all() and (accuracy["f1"] <= accuracy["f1_high"]).all()
    timing = analysis.ms_per_request(rs, n_boot=200)
    assert (timing["inference_ms"] > 0).all() and (timing["p50_ms"] <= timing["p99_ms"]).all()
    ratio = analysis.accuracy_per_ms(rs, n_boot=200)
    merged = ratio.merge(accuracy[["model", "role", "f1"]], on=["model", "role"], suffixes=("", "_accuracy"))
    assert np.allclose(merged["f1"], merged["f1_accuracy"])
    assert np.allclose(merged["f1_per_ms"], merged["f1"] / merged["inference_ms"])


def test_versus_quality_and_resize(rs):
    table = analysis.versus(rs, "quality", n_boot=200)
    assert set(table["quality"]) == {20, 90}
    # Lower quality sends fewer bytes at the same resize.
    sizes = table.drop_duplicates(["quality", "resize"]).set_index(["quality", "resize"])["bytes_out"]
    assert sizes.loc[(20, 100.0)] < sizes.loc[(90, 100.0)]
    assert table["size_reduction_pct"].between(-100, 100).all()
    resize = analysis.versus(rs, "resize", n_boot=200)
    assert set(resize["resize"]) == {50.0, 100.0}
    if _has_detector(rs):
        assert {"f1", "f1_low", "f1_high", "micro_f1", "role", "model"} <= set(table.columns)


def test_pareto_table_marks_a_front_per_role(rs):
    if not _has_detector(rs):
        pytest.skip("nothing scored")
    points = analysis.pareto(rs, x="bytes", n_boot=200)
    assert len(points) == 8  # 4 configurations x (edge, cloud)
    for _, group in points.groupby("role", observed=True):
        assert group["pareto"].any()
        # The configuration sending the fewest bytes is always on the front.
        assert group.loc[group["x"].idxmin(), "pareto"]
    latency = analysis.pareto(rs, x="latency", n_boot=200)
    assert (latency["x"] > 0).all()


def test_per_class_pools_and_recomputes(rs):
    if rs.classes.empty:
        pytest.skip("nothing scored")
    run = rs.runs["run_id"].iloc[0]
    node = rs.classes["node"].iloc[0]
    one = analysis.per_class(rs, run_id=run, node=node)
    raw = rs.classes[(rs.classes["run_id"] == run) & (rs.classes["node"] == node)].set_index("category_id")
    for _, row in one.iterrows():
        assert row["support"] == raw.loc[row["category_id"], "support"]
        assert row["f1"] == pytest.approx(raw.loc[row["category_id"], "f1"], abs=1e-9)
    assert list(one["support"]) == sorted(one["support"], reverse=True)
    by_f1 = analysis.per_class(rs, run_id=run, node=node, sort="f1")
    assert list(by_f1["f1"]) == sorted(by_f1["f1"], reverse=True)
    pooled = analysis.per_class(rs, node=node)
    assert pooled["support"].sum() == rs.classes[rs.classes["node"] == node]["support"].sum()


def test_latency_percentiles_count_each_request_once(rs):
    table = analysis.latency_percentiles(rs, n_boot=200)
    assert list(table["label"]) == rs.labels
    per_run = rs.requests.drop_duplicates(["run_id", "request_index"]).groupby("label").size()
    assert (table.set_index("label")["requests"] == per_run.loc[table["label"]].values).all()
    assert (table["p50_ms"] <= table["p90_ms"]).all() and (table["p90_ms"] <= table["p999_ms"]).all()
    node = analysis.latency_percentiles(rs, column="total_ms", n_boot=100)
    assert {"label", "role"} <= set(node.columns)


def test_hardware_timeline_and_usage(rs):
    timeline = analysis.hw_timeline(rs)
    assert len(timeline) == len(rs.hw) and (timeline["rss_mib"] > 0).all()
    assert set(timeline["node"]) >= {"edge-1"}
    usage = analysis.hw_usage(rs)
    assert (usage["samples"] > 0).all() and (usage["rss_peak_mib"] > 0).all()


def test_compare_tells_apart_what_differs_and_not_what_does_not(rs):
    same = analysis.compare(rs, rs.labels[0], rs.runs["run_id"].iloc[0], metric="bytes_out", role="edge")
    assert same.difference == 0 and not same.distinguishable and same.images >= 2
    # Quality 90 at full size against quality 20 at half size: far fewer bytes, every time.
    bytes_apart = analysis.compare(rs, "quality=90, resize=100", "quality=20, resize=50", metric="bytes_out",
                                   role="edge", n_boot=500)
    assert bytes_apart.difference > 0 and bytes_apart.distinguishable
    assert bytes_apart.low <= bytes_apart.difference <= bytes_apart.high
    if _has_detector(rs):
        f1 = analysis.compare(rs, rs.labels[0], rs.labels[-1], metric="f1", role="edge", n_boot=500)
        assert f1.low <= f1.difference <= f1.high
    with pytest.raises(ValueError, match="no requests"):
        analysis.compare(rs, "no-such-run", rs.labels[0])


def test_a_result_set_without_a_detector(plain):
    assert plain.scored_requests().empty
    assert analysis.accuracy_by_model(plain).empty
    assert plain.classes.empty and plain.detections.empty
    assert plain.labels == ["quality=80", "quality=30,resize=50"]
    table = analysis.versus(plain, "quality")
    assert set(table["quality"]) == {30, 80} and "f1" not in table
    assert analysis.pareto(plain).empty
    assert len(analysis.latency_percentiles(plain)) == 2
