"""Loading a result set (the folder `edgebench run` writes) as pandas DataFrames, and the statistics
users ask of it.

    rs = edgebench.analysis.load("out/coco-sample")
    rs.summary                       # one row per run and node, configuration joined in
    edgebench.analysis.accuracy_by_model(rs)
    edgebench.analysis.versus(rs, "quality")
    edgebench.analysis.compare(rs, "run-0001", "run-0003", metric="f1", role="edge")

Every table carries `run_id` and the run's configuration columns (from runs.csv) plus `label`, a short
text naming the run's grid values ("quality=50, resize=75"). Cells hold single values with their
proper dtypes: integers as pandas' nullable `Int64`, times and ratios as float64, enumerations as
categoricals, `grayscale` as boolean, and detections one row per detected box with numeric `x`, `y`,
`width`, `height` (no lists inside cells, nothing to `literal_eval`).

Confidence intervals come from a bootstrap over images: images are drawn with replacement and every
request of a drawn image counts (a cluster bootstrap), so repeated requests of one image are not
mistaken for independent evidence. All of it is seeded; the same call gives the same interval.
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple, Optional, Sequence, Union

import numpy as np
import pandas as pd

__all__ = [
    "ResultSet", "load", "groups", "model_name", "bootstrap_ci", "bootstrap_ratio_ci", "pareto_front", "METRICS",
    "metric_table", "accuracy_by_model", "ms_per_request", "accuracy_per_ms", "versus", "by_preprocess",
    "pareto", "per_class", "latency_percentiles", "hw_timeline", "hw_usage", "compare", "varying_columns",
]

TABLES = ("runs", "requests", "detections", "classes", "hw", "summary")

#: runs.csv columns that say how a run went rather than what it was.
RUN_OUTCOME_COLUMNS = ("status", "error", "started_unix", "finished_unix", "duration_s")

# Dtypes by column name. Anything not named here is numeric when every value parses as a number.
_CATEGORIES = {"status", "placement", "format", "wire_format", "backend", "schedule", "role", "client_status",
               "forward_status"}
_BOOLEANS = {"grayscale"}
_TEXT = {"run_id", "error", "dataset", "edge_detectors", "cloud_detector", "detector", "preprocess", "request_id",
         "node", "client_error", "name", "model", "label"}
_INTEGERS = {
    # runs
    "index", "repetition", "images", "image_seed", "edges", "quality", "concurrency", "requests", "images_per_edge",
    "repeats", "warmup",
    # requests
    "request_index", "image_id", "client_http_status", "client_bytes_sent", "client_bytes_received", "bytes_in",
    "bytes_out", "width_in", "height_in", "width_out", "height_out", "forward_http_status", "forward_bytes",
    "detections", "ground_truth", "tp", "fp", "fn",
    # classes, summary
    "category_id", "support", "ok", "failed", "forward_failed", "unscored_detections",
    # hw
    "seq", "pid", "processes", "threads", "rss_bytes", "rss_peak_bytes", "cycles", "instructions",
    "host_mem_total_bytes", "host_mem_used_bytes", "host_mem_available_bytes", "net_rx_bytes", "net_tx_bytes",
    "net_rx_packets", "net_tx_packets", "gpu_count", "gpu_mem_used_bytes", "gpu_mem_total_bytes",
}
# Per-edge columns (edge1_detector, ...) are text or numbers by their suffix.
_EDGE_TEXT_SUFFIXES = ("_detector", "_preprocess")


def _convert(column: pd.Series) -> pd.Series:
    """`column` (read as text, empty cells NaN) in the dtype its name calls for."""
    name = column.name
    base = name
    if name.startswith("edge") and "_" in name and name[4:name.index("_")].isdigit():
        base = name[name.index("_"):]
        if base in _EDGE_TEXT_SUFFIXES:
            return column.astype(object)
    if name in _TEXT:
        return column.astype(object)
    if name in _CATEGORIES:
        return column.astype("category")
    if name in _BOOLEANS:
        numbers = pd.to_numeric(column, errors="coerce")
        return numbers.map({0: False, 1: True}).astype("boolean")
    if name in _INTEGERS:
        # quality is "original" when the edge keeps the input format: no number (see `format`).
        numbers = pd.to_numeric(column, errors="coerce")
        return numbers.round().astype("Int64")
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.notna().sum() == column.notna().sum():
        return numbers.astype("float64")
    return column.astype(object)


def _read_csv(path: Path) -> pd.DataFrame:
    """A result CSV with every column in its proper dtype; an empty frame when the file is missing."""
    if not path.exists() or path.stat().st_size == 0:
        return pd.DataFrame()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return pd.DataFrame({name: _convert(frame[name]) for name in frame.columns})


def model_name(spec) -> str:
    """A short name for a detector spec: the model file's stem for file-based specs
    ('onnx:nanodet:/m/nanodet-m-320.onnx' -> 'nanodet-m-320'), the spec itself otherwise ('opencv:hog')."""
    if spec is None or (isinstance(spec, float) and math.isnan(spec)) or spec is pd.NA:
        return "none"
    text = str(spec)
    last = text.rsplit(":", 1)[-1]
    if "/" in last or "." in last:
        return Path(last).stem or text
    return text


def _axis_label(runs: pd.DataFrame, axes: Sequence[str]) -> pd.Series:
    """'quality=50, resize=75' from the grid values of each run; the run id when there is no grid."""
    if not axes:
        return runs["run_id"].astype(object)
    parts = []
    for axis in axes:
        column = runs.get("axis:" + axis)
        if column is None:
            continue
        short = axis.rsplit(".", 1)[-1]
        text = column.map(lambda v: "" if pd.isna(v) else (f"{v:g}" if isinstance(v, float) else str(v)))
        parts.append(text.map(lambda v, s=short: v if "=" in v else f"{s}={v}"))
    if not parts:
        return runs["run_id"].astype(object)
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label.astype(object)


class ResultSet:
    """The tables of one result set as DataFrames, read on first use and kept.

    Attributes: `path`, `manifest` (dict), `axes` (grid axis names), `config_columns` (the runs.csv
    columns describing configuration), and the tables `runs`, `requests`, `detections`, `classes`,
    `hw`, `summary`. Every table but `runs` has the configuration columns and `label` joined in on
    `run_id`; where a table has a column of the same name (a node's own `detector`), the table's value
    stays and the run's is added as `run_<name>`. `requests`, `summary`, `classes` and `detections`
    also get `model`, the short name of the node's detector (see `model_name`).
    """

    def __init__(self, path: Union[str, Path]):
        self.path = Path(path)
        manifest_path = self.path / "manifest.json"
        if not manifest_path.exists():
            raise FileNotFoundError(f"{self.path} is not a result set: manifest.json is missing")
        self.manifest = json.loads(manifest_path.read_text())
        self.axes = list(self.manifest.get("axes", []))

    def __repr__(self):
        return (f"ResultSet('{self.path}', {len(self.runs)} runs, axes={self.axes}, "
                f"status={self.manifest.get('status')!r})")

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.manifest.get("experiment_name", self.path.name)

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per finished run (ok or failed): outcome, configuration, `label`, start/finish times
        as UTC timestamps (`started_at`, `finished_at`)."""
        runs = _read_csv(self.path / "runs.csv")
        if runs.empty:
            return pd.DataFrame(columns=["run_id", "label", "status"])
        runs.insert(1, "label", _axis_label(runs, self.axes))
        for unix, stamp in (("started_unix", "started_at"), ("finished_unix", "finished_at")):
            if unix in runs:
                runs[stamp] = pd.to_datetime(runs[unix], unit="s", utc=True)
        if "index" in runs:
            runs = runs.sort_values(["index", "run_id"], kind="stable").reset_index(drop=True)
        return runs

    @property
    def config_columns(self) -> list:
        """The runs.csv columns that describe a run's configuration (grid axes included)."""
        skip = set(RUN_OUTCOME_COLUMNS) | {"run_id", "label", "started_at", "finished_at"}
        return [c for c in self.runs.columns if c not in skip]

    @property
    def labels(self) -> list:
        """Run labels in run order (each once), for ordering plots and tables."""
        return list(dict.fromkeys(self.runs["label"]))

    def _join_config(self, table: pd.DataFrame) -> pd.DataFrame:
        if table.empty or "run_id" not in table:
            return table
        config = self.runs[["run_id", "label"] + self.config_columns]
        rename = {c: "run_" + c for c in config.columns if c in table.columns and c != "run_id"}
        config = config.rename(columns=rename)
        joined = table.merge(config, on="run_id", how="left", sort=False)
        # run_id, label first; then the table's own columns; then the configuration.
        label = rename.get("label", "label")
        order = ["run_id", label] + [c for c in table.columns if c != "run_id"]
        order += [c for c in joined.columns if c not in order]
        return joined[order]

    @cached_property
    def _node_models(self) -> pd.DataFrame:
        """(run_id, node) -> detector, model: from summary.csv, else from requests.csv."""
        frames = []
        for name in ("summary.csv", "requests.csv"):
            table = _read_csv(self.path / name)
            if not table.empty and {"run_id", "node", "detector"} <= set(table.columns):
                frames.append(table[["run_id", "node", "detector"]])
        if not frames:
            return pd.DataFrame(columns=["run_id", "node", "node_detector", "model"])
        nodes = pd.concat(frames).dropna(subset=["node"]).drop_duplicates(["run_id", "node"])
        nodes = nodes.rename(columns={"detector": "node_detector"})
        nodes["model"] = nodes["node_detector"].map(model_name).astype(object)
        return nodes.reset_index(drop=True)

    def _add_model(self, table: pd.DataFrame) -> pd.DataFrame:
        if table.empty:
            return table
        if "detector" in table:
            table = table.copy()
            table["model"] = table["detector"].map(model_name).astype(object)
            return table
        models = self._node_models[["run_id", "node", "model"]]
        return table.merge(models, on=["run_id", "node"], how="left", sort=False)

    @cached_property
    def requests(self) -> pd.DataFrame:
        """One row per request per node (the edge's row and, when it forwarded, the cloud's row)."""
        return self._join_config(self._add_model(_read_csv(self.path / "requests.csv")))

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per run and node: accuracy, latency, throughput, bytes, stage means."""
        return self._join_config(self._add_model(_read_csv(self.path / "summary.csv")))

    @cached_property
    def classes(self) -> pd.DataFrame:
        """One row per run, node and category: support, TP/FP/FN, precision, recall, F1, AP."""
        return self._join_config(self._add_model(_read_csv(self.path / "classes.csv")))

    @cached_property
    def hw(self) -> pd.DataFrame:
        """One row per hardware sample of a node, with `elapsed_s` (seconds since the run's first
        sample), `time` (UTC timestamp), and network rates `net_rx_mbps`/`net_tx_mbps`."""
        hw = _read_csv(self.path / "hw.csv")
        if hw.empty:
            return hw
        hw["time"] = pd.to_datetime(hw["time_unix_s"], unit="s", utc=True)
        hw["elapsed_s"] = hw["time_unix_s"] - hw.groupby("run_id")["time_unix_s"].transform("min")
        interval = hw["interval_s"].where(hw["interval_s"] > 0)
        for direction in ("rx", "tx"):
            hw[f"net_{direction}_mbps"] = hw[f"net_{direction}_bytes"].astype("float64") * 8 / 1e6 / interval
        return self._join_config(hw)

    @cached_property
    def detections(self) -> pd.DataFrame:
        """One row per detected box: run_id, request_index, request_id, image_id, node, role, rank (0 for
        the highest score of the request), category_id, name, score, x, y, width, height (original-image
        pixels), model, and the configuration."""
        path = self.path / "detections.jsonl"
        columns = {key: [] for key in ("run_id", "request_index", "request_id", "image_id", "node", "role")}
        rank, category, score, boxes = [], [], [], []
        if path.exists():
            with open(path) as lines:
                for line in lines:
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    found = record.get("detections") or []
                    for key, values in columns.items():
                        values.extend([record.get(key)] * len(found))
                    for position, detection in enumerate(found):
                        rank.append(position)
                        category.append(detection["category_id"])
                        score.append(detection["score"])
                        boxes.append(detection["bbox"])
        box = np.asarray(boxes, dtype="float64").reshape(-1, 4)
        frame = pd.DataFrame(columns)
        frame = frame.astype({"run_id": object, "request_id": object, "node": object})
        frame["request_index"] = pd.array(frame["request_index"], dtype="Int64")
        frame["image_id"] = pd.array(frame["image_id"], dtype="Int64")
        frame["role"] = frame["role"].astype("category")
        frame["rank"] = pd.array(rank, dtype="Int64")
        frame["category_id"] = pd.array(category, dtype="Int64")
        names = self._category_names()
        frame["name"] = frame["category_id"].map(names).astype(object)
        frame["score"] = np.asarray(score, dtype="float64")
        for i, coordinate in enumerate(("x", "y", "width", "height")):
            frame[coordinate] = box[:, i]
        return self._join_config(self._add_model(frame))

    def _category_names(self) -> dict:
        classes = _read_csv(self.path / "classes.csv")
        if classes.empty:
            return {}
        pairs = classes[["category_id", "name"]].dropna().drop_duplicates("category_id")
        return dict(zip(pairs["category_id"].astype(int), pairs["name"]))

    def table(self, name: str) -> pd.DataFrame:
        """A table by name: one of runs, requests, detections, classes, hw, summary."""
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; one of {', '.join(TABLES)}")
        return getattr(self, name)

    def load_all(self) -> "ResultSet":
        """Reads every table now (they are otherwise read on first use); returns self."""
        for name in TABLES:
            self.table(name)
        return self

    def scored_requests(self, role: Optional[str] = None) -> pd.DataFrame:
        """Requests a detector answered and that were scored (F1 known), optionally of one role."""
        requests = self.requests
        if requests.empty:
            return requests
        keep = requests["f1"].notna() & (requests["model"] != "none")
        if "status" in requests:
            keep &= requests["status"].astype(object).fillna("ok") == "ok"
        if role is not None:
            keep &= requests["role"].astype(object) == role
        return requests[keep]


def load(result_dir: Union[str, Path], eager: bool = True) -> ResultSet:
    """The result set in `result_dir` (what `edgebench run --out` or `edgebench.run(out=...)` wrote).

    With `eager` (the default) every table is read now; otherwise each table is read when first used.
    """
    result = ResultSet(result_dir)
    return result.load_all() if eager else result


# --- bootstrap ------------------------------------------------------------------------------------

class Interval(NamedTuple):
    """An estimate with a confidence interval."""
    value: float
    low: float
    high: float


def _cluster_codes(clusters, count: int) -> np.ndarray:
    """0-based cluster numbers for `count` observations labelled by `clusters` (None: one each)."""
    if clusters is None:
        return np.arange(count)
    if not isinstance(clusters, pd.Series):
        clusters = pd.Series(np.asarray(clusters))
    if len(clusters) != count:
        raise ValueError("clusters must label every observation")
    codes, _ = pd.factorize(clusters, sort=False)
    return codes


def _cluster_sums(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per-cluster sums of `values` (rows: observations; columns: quantities)."""
    sums = np.zeros((codes.max() + 1 if len(codes) else 0, values.shape[1]))
    np.add.at(sums, codes, values)
    return sums


def _bootstrap_weights(clusters: int, n_boot: int, rng: np.random.Generator, chunk: int = 256):
    """Yields blocks of bootstrap weights: how often each cluster was drawn in each replicate."""
    done = 0
    while done < n_boot:
        block = min(chunk, n_boot - done)
        draws = rng.integers(0, clusters, size=(block, clusters))
        offsets = (np.arange(block) * clusters)[:, None]
        yield np.bincount((draws + offsets).ravel(), minlength=block * clusters).reshape(block, clusters)
        done += block


def _interval(point: float, replicates: np.ndarray, confidence: float) -> Interval:
    replicates = replicates[np.isfinite(replicates)]
    if not np.isfinite(point) or replicates.size == 0:
        return Interval(float(point), math.nan, math.nan)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return Interval(float(point), float(low), float(high))


def bootstrap_ratio_ci(numerator, denominator, clusters=None, n_boot: int = 1000, confidence: float = 0.95,
                       seed: int = 0, transform: Optional[Callable] = None) -> Interval:
    """sum(numerator) / sum(denominator) with a percentile bootstrap interval that resamples clusters
    (images) with replacement. `clusters` labels each observation (None: each is its own cluster).

    `transform` maps the ratio to the reported value (for instance 100 * (1 - r) for a size reduction);
    the interval is taken on the transformed replicates. Observations with a NaN in either array are
    left out. Returns Interval(value, low, high); low/high are NaN when there are fewer than 2 clusters.
    """
    numerator = np.asarray(numerator, dtype="float64")
    denominator = np.asarray(denominator, dtype="float64")
    if numerator.shape != denominator.shape:
        raise ValueError("numerator and denominator must have the same length")
    keep = np.isfinite(numerator) & np.isfinite(denominator)
    codes = _cluster_codes(clusters, len(numerator))
    numerator, denominator = numerator[keep], denominator[keep]
    codes = pd.factorize(codes[keep])[0]  # clusters left without observations are not drawn
    apply = transform or (lambda r: r)
    total = denominator.sum()
    if numerator.size == 0 or total == 0:
        return Interval(math.nan, math.nan, math.nan)
    point = float(apply(numerator.sum() / total))
    sums = _cluster_sums(np.column_stack([numerator, denominator]), codes)
    if len(sums) < 2:
        return Interval(point, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    replicates = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for weights in _bootstrap_weights(len(sums), n_boot, rng):
            drawn = weights @ sums
            replicates.append(apply(drawn[:, 0] / drawn[:, 1]))
    return _interval(point, np.concatenate(replicates), confidence)


def bootstrap_ci(values, clusters=None, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0) -> Interval:
    """The mean of `values` with a percentile bootstrap interval resampling `clusters` (e.g. image ids;
    None: each value is its own cluster). NaNs are left out. Returns Interval(value, low, high)."""
    values = np.asarray(values, dtype="float64")
    return bootstrap_ratio_ci(values, np.ones_like(values), clusters, n_boot, confidence, seed)


def groups(frame: pd.DataFrame, by: Sequence[str]):
    """Yields (key tuple, rows) for each group of `frame` by the columns `by`, in first-seen order,
    leaving out empty categories; missing values form their own group."""
    by = list(by)
    if not by:
        yield (), frame
        return
    grouped = frame.groupby(by[0] if len(by) == 1 else by, sort=False, observed=True, dropna=False)
    for key, rows in grouped:
        yield (key if isinstance(key, tuple) else (key,)), rows


# --- metrics over requests ------------------------------------------------------------------------

class Metric(NamedTuple):
    """A statistic of request rows: transform(sum(numerator) / sum(denominator))."""
    numerator: Callable[[pd.DataFrame], pd.Series]
    denominator: Callable[[pd.DataFrame], pd.Series]
    transform: Optional[Callable] = None
    unit: str = ""
    description: str = ""


def _col(name):
    return lambda frame: frame[name].astype("float64")


def _ones(frame):
    return pd.Series(1.0, index=frame.index)


#: Named metrics over request rows. Any other numeric column of `requests` is also a metric: its mean.
METRICS = {
    "f1": Metric(_col("f1"), _ones, None, "", "mean per-image F1 at the operating point (the study's 'average F1')"),
    "precision": Metric(_col("precision"), _ones, None, "", "mean per-image precision"),
    "recall": Metric(_col("recall"), _ones, None, "", "mean per-image recall"),
    "micro_f1": Metric(lambda f: 2 * f["tp"].astype("float64"),
                       lambda f: (2 * f["tp"] + f["fp"] + f["fn"]).astype("float64"), None, "",
                       "F1 of the pooled TP/FP/FN"),
    "size_reduction_pct": Metric(_col("bytes_out"), _col("bytes_in"), lambda r: 100 * (1 - r), "%",
                                 "bytes saved by preprocessing: 100 * (1 - sum(bytes_out) / sum(bytes_in))"),
    "bytes_ratio": Metric(_col("bytes_out"), _col("bytes_in"), None, "", "sum(bytes_out) / sum(bytes_in)"),
    "f1_per_ms": Metric(_col("f1"), _col("inference_ms"), None, "1/ms", "mean F1 / mean inference ms"),
    "f1_per_s": Metric(_col("f1"), lambda f: f["client_latency_ms"].astype("float64") / 1000, None, "1/s",
                       "mean F1 / mean end-to-end latency in seconds"),
}


def _metric(name: str) -> Metric:
    if name in METRICS:
        return METRICS[name]
    unit = "ms" if name.endswith("_ms") else ("bytes" if name.endswith("bytes") or name.startswith("bytes") else "")
    return Metric(_col(name), _ones, None, unit, f"mean {name}")


def metric_table(frame: pd.DataFrame, by: Union[str, Sequence[str]], metrics: Union[str, Sequence[str]] = "f1",
                 n_boot: int = 1000, confidence: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """One row per group of request rows with each metric's value and bootstrap interval.

    frame: request rows (`rs.requests` or a selection of it). by: the grouping columns. metrics: names
    from METRICS or numeric columns of `frame` (their mean). Returns the `by` columns, `requests`,
    `images`, and for each metric `<m>`, `<m>_low`, `<m>_high`. Groups keep their first-seen order.
    """
    by = [by] if isinstance(by, str) else list(by)
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    rows = []
    if frame.empty:
        return pd.DataFrame(columns=by + ["requests", "images"] +
                            [f"{m}{s}" for m in metrics for s in ("", "_low", "_high")])
    for key, group in groups(frame, by):
        row = dict(zip(by, key))
        row["requests"] = len(group)
        row["images"] = group["image_id"].nunique() if "image_id" in group else len(group)
        clusters = group["image_id"] if "image_id" in group else None
        for name in metrics:
            metric = _metric(name)
            interval = bootstrap_ratio_ci(metric.numerator(group), metric.denominator(group), clusters, n_boot,
                                          confidence, seed, metric.transform)
            row[name], row[f"{name}_low"], row[f"{name}_high"] = interval
        rows.append(row)
    return pd.DataFrame(rows)


def varying_columns(rs: ResultSet, candidates: Optional[Iterable[str]] = None) -> list:
    """The configuration columns whose value differs between runs (default: all configuration columns
    except bookkeeping ones such as index and repetition)."""
    runs = rs.runs
    if candidates is None:
        candidates = [c for c in rs.config_columns if not c.startswith("axis:") and c not in ("index", "repetition")]
    return [c for c in candidates if c in runs and runs[c].astype(object).nunique(dropna=False) > 1]


def accuracy_by_model(rs: ResultSet, metrics: Union[str, Sequence[str]] = ("f1", "precision", "recall", "micro_f1"),
                      by: Sequence[str] = ("model", "role"), **bootstrap) -> pd.DataFrame:
    """Accuracy per model (and role), pooled over every run: mean per-image F1, precision, recall and
    micro F1 with bootstrap intervals, plus the mean mAP over the runs (from summary.csv)."""
    table = metric_table(rs.scored_requests(), list(by), metrics, **bootstrap)
    summary = rs.summary
    if not table.empty and not summary.empty and set(by) <= set(summary.columns):
        maps = summary.groupby(list(by), observed=True, sort=False)["map"].mean().rename("map_mean").reset_index()
        table = table.merge(maps, on=list(by), how="left")
    return table


def ms_per_request(rs: ResultSet, column: str = "inference_ms", by: Sequence[str] = ("model", "role"),
                   **bootstrap) -> pd.DataFrame:
    """Milliseconds per request per model: the mean of `column` with a bootstrap interval and its
    percentiles. `column`: inference_ms (the detector alone, the default), total_ms (the node's whole
    serving time), client_latency_ms (end to end as the client saw it), or any *_ms column."""
    requests = rs.requests
    if not requests.empty:
        requests = requests[requests["model"] != "none"] if by and "model" in by else requests
        requests = requests[requests[column].notna()]
    table = metric_table(requests, list(by), column, **bootstrap)
    return _add_percentiles(table, requests, list(by), column)


def _add_percentiles(table: pd.DataFrame, frame: pd.DataFrame, by: list, column: str,
                     percentiles: Sequence[float] = (50, 90, 95, 99)) -> pd.DataFrame:
    if table.empty:
        for p in percentiles:
            table[f"p{p:g}_ms".replace(".", "")] = pd.Series(dtype="float64")
        return table
    quantiles = frame.groupby(by, sort=False, observed=True, dropna=False)[column].quantile(
        [p / 100 for p in percentiles]).unstack()
    quantiles.columns = [f"p{p:g}".replace(".", "") + ("_ms" if column.endswith("_ms") else "") for p in percentiles]
    return table.merge(quantiles.reset_index(), on=by, how="left")


def accuracy_per_ms(rs: ResultSet, column: str = "inference_ms", by: Sequence[str] = ("model", "role"),
                    **bootstrap) -> pd.DataFrame:
    """Accuracy per millisecond: mean per-image F1 divided by the mean of `column` (inference_ms by
    default), with a bootstrap interval (both means drawn from the same resampled images)."""
    requests = rs.scored_requests()
    requests = requests[requests[column].notna()] if not requests.empty else requests
    rows = []
    for key, group in (groups(requests, by) if not requests.empty else []):
        clusters = group["image_id"]
        ratio = bootstrap_ratio_ci(group["f1"].astype("float64"), group[column].astype("float64"), clusters, **bootstrap)
        f1 = bootstrap_ci(group["f1"], clusters, **bootstrap)
        ms = bootstrap_ci(group[column], clusters, **bootstrap)
        rows.append({**dict(zip(by, key)), "requests": len(group), "f1": f1.value, column: ms.value,
                     "f1_per_ms": ratio.value, "f1_per_ms_low": ratio.low, "f1_per_ms_high": ratio.high})
    columns = list(by) + ["requests", "f1", column, "f1_per_ms", "f1_per_ms_low", "f1_per_ms_high"]
    return pd.DataFrame(rows, columns=columns)


def _preprocessing_columns(rs: ResultSet, exclude: str) -> list:
    return [c for c in varying_columns(rs, ("quality", "resize", "grayscale", "format", "preprocess",
                                            "bandwidth_mbps", "latency_ms"))
            if c != exclude and not (exclude in ("quality", "resize", "grayscale", "format") and c == "preprocess")]


def versus(rs: ResultSet, x: str, by: Optional[Sequence[str]] = None,
           metrics: Sequence[str] = ("f1", "micro_f1"), **bootstrap) -> pd.DataFrame:
    """Accuracy and bytes against a configuration column `x` (quality, resize, bandwidth_mbps, ...).

    One row per value of `x` and group: accuracy metrics of the scored requests of each role (the edge's
    own detector and the cloud's detector on the forwarded image), and the edge's `bytes_out` mean and
    `size_reduction_pct` (100 * (1 - bytes_out / bytes_in), both summed over the edge's requests), each
    with bootstrap intervals. `by` defaults to role, model and the other preprocessing settings that vary
    between runs (so that a quality curve is drawn per resize value rather than averaged over them).
    """
    if by is None:
        by = ["role", "model"] + _preprocessing_columns(rs, x)
    by = list(by)
    keys = [x] + [c for c in by if c != x]
    scored = rs.scored_requests()
    accuracy = metric_table(scored, keys, list(metrics), **bootstrap) if not scored.empty else pd.DataFrame()
    requests = rs.requests
    edge = requests[(requests["role"].astype(object) == "edge") & requests["bytes_in"].notna()] if not requests.empty \
        else requests
    byte_keys = [x] + [c for c in by if c not in ("role", "model")]
    size = metric_table(edge, byte_keys, ["bytes_out", "size_reduction_pct"], **bootstrap) if not edge.empty \
        else pd.DataFrame(columns=byte_keys)
    size = size.drop(columns=["requests", "images"], errors="ignore")
    if accuracy.empty:
        table = size
    else:
        table = accuracy.merge(size, on=byte_keys, how="left")
    if x in table and not table.empty:
        table = table.sort_values(by=[c for c in keys if c in table] , kind="stable").reset_index(drop=True)
    return table


def by_preprocess(rs: ResultSet, metrics: Sequence[str] = ("f1",), **bootstrap) -> pd.DataFrame:
    """Accuracy per preprocessing option (the run label, i.e. the grid values) and role/model, with
    size reduction: the study's 'F1 per preprocessing option'."""
    table = metric_table(rs.scored_requests(), ["label", "role", "model"], list(metrics), **bootstrap)
    requests = rs.requests
    if requests.empty:
        return table
    edge = requests[(requests["role"].astype(object) == "edge") & requests["bytes_in"].notna()]
    size = metric_table(edge, ["label"], ["size_reduction_pct"], **bootstrap).drop(columns=["requests", "images"])
    return table.merge(size, on="label", how="left") if not table.empty else size


def pareto_front(x, y, minimize_x: bool = True, maximize_y: bool = True) -> np.ndarray:
    """A boolean mask of the points no other point dominates: another point dominates one when it is at
    least as good in both coordinates and better in one (smaller x when minimize_x, larger y when
    maximize_y). Points with a NaN coordinate are never on the front."""
    x = np.asarray(x, dtype="float64") * (1 if minimize_x else -1)
    y = np.asarray(y, dtype="float64") * (-1 if maximize_y else 1)  # both minimized from here on
    finite = np.isfinite(x) & np.isfinite(y)
    on_front = np.zeros(len(x), dtype=bool)
    for i in np.flatnonzero(finite):
        others = finite.copy()
        others[i] = False
        dominated = others & (x <= x[i]) & (y <= y[i]) & ((x < x[i]) | (y < y[i]))
        on_front[i] = not dominated.any()
    return on_front


_PARETO_X = {
    "bytes": ("bytes_out", "edge", "mean bytes sent per image by the edge"),
    "latency": ("client_latency_ms", None, "mean end-to-end latency (ms)"),
    "inference": ("inference_ms", None, "mean inference time (ms)"),
}


def pareto(rs: ResultSet, x: str = "bytes", y: str = "f1", by: Sequence[str] = ("label", "role", "model"),
           **bootstrap) -> pd.DataFrame:
    """The configurations (run label x role x model) as points of accuracy `y` against cost `x`, with
    bootstrap intervals for both and `pareto` marking the front (fewest bytes / lowest latency for the
    most accuracy), computed separately for each role.

    x: 'bytes' (the edge's mean bytes_out: what it sends upstream), 'latency' (mean client latency,
    end to end), 'inference' (the node's own inference ms), or any numeric request column.
    """
    by = list(by)
    column, source_role, _ = _PARETO_X.get(x, (x, None, x))
    scored = rs.scored_requests()
    points = metric_table(scored, by, [y], **bootstrap)
    if points.empty:
        return points.assign(x=pd.Series(dtype="float64"), x_low=pd.Series(dtype="float64"),
                             x_high=pd.Series(dtype="float64"), pareto=pd.Series(dtype=bool))
    requests = rs.requests
    if source_role is not None:
        costs = requests[requests["role"].astype(object) == source_role]
        keys = [c for c in by if c not in ("role", "model")]
    elif column.startswith("client_"):
        costs = _one_row_per_request(requests)  # what the client saw: once per request
        keys = [c for c in by if c not in ("role", "model")]
    else:
        costs = requests[requests["model"] != "none"]
        keys = by
    costs = metric_table(costs[costs[column].notna()], keys, [column], **bootstrap)
    costs = costs.rename(columns={column: "x", f"{column}_low": "x_low", f"{column}_high": "x_high"})
    points = points.merge(costs[keys + ["x", "x_low", "x_high"]], on=keys, how="left")
    points["x_column"] = column
    points["pareto"] = False
    group_key = "role" if "role" in points else None
    for _, index in (points.groupby(group_key, observed=True).groups.items() if group_key else [(None, points.index)]):
        subset = points.loc[index]
        points.loc[index, "pareto"] = pareto_front(subset["x"], subset[y])
    return points


def per_class(rs: ResultSet, run_id: Optional[Union[str, Sequence[str]]] = None, node: Optional[str] = None,
              role: Optional[str] = None, model: Optional[str] = None, sort: str = "support") -> pd.DataFrame:
    """Per-class accuracy and support from classes.csv, pooled over the selected runs and nodes (TP, FP,
    FN and support summed; precision, recall and F1 recomputed from the sums; AP averaged). With no
    selection, all runs and nodes are pooled. sort: 'support' or 'f1' (descending) or 'name'."""
    classes = rs.classes
    columns = ["category_id", "name", "support", "tp", "fp", "fn", "precision", "recall", "f1", "ap", "ap50",
               "selections"]
    if classes.empty:
        return pd.DataFrame(columns=columns)
    keep = pd.Series(True, index=classes.index)
    if run_id is not None:
        keep &= classes["run_id"].isin([run_id] if isinstance(run_id, str) else list(run_id))
    for name, value in (("node", node), ("role", role), ("model", model)):
        if value is not None:
            keep &= classes[name].astype(object) == value
    chosen = classes[keep]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    counts = chosen.groupby(["category_id", "name"], sort=False)[["support", "tp", "fp", "fn"]].sum()
    table = counts.astype("float64")
    table["precision"] = table["tp"] / (table["tp"] + table["fp"]).where(lambda d: d > 0)
    table["recall"] = table["tp"] / (table["tp"] + table["fn"]).where(lambda d: d > 0)
    table["f1"] = 2 * table["tp"] / (2 * table["tp"] + table["fp"] + table["fn"]).where(lambda d: d > 0)
    table[["ap", "ap50"]] = chosen.groupby(["category_id", "name"], sort=False)[["ap", "ap50"]].mean()
    table["selections"] = chosen.groupby(["category_id", "name"], sort=False).size()
    table = table.reset_index()
    for name in ("support", "tp", "fp", "fn"):
        table[name] = table[name].round().astype("Int64")
    table["f1"] = table["f1"].fillna(0.0)
    if sort == "name":
        table = table.sort_values("name", kind="stable")
    else:
        other = "f1" if sort == "support" else "support"
        table = table.sort_values([sort, other, "name"], ascending=[False, False, True], kind="stable")
    return table[columns].reset_index(drop=True)


def _one_row_per_request(requests: pd.DataFrame) -> pd.DataFrame:
    """The client's view: one row per request (the edge's row, which every request has)."""
    if requests.empty:
        return requests
    return requests.drop_duplicates(["run_id", "request_index"])


def latency_percentiles(rs: ResultSet, by: Optional[Sequence[str]] = None, column: str = "client_latency_ms",
                        percentiles: Sequence[float] = (50, 90, 95, 99, 99.9), **bootstrap) -> pd.DataFrame:
    """Latency percentiles of `column` per group, with the mean and its bootstrap interval.

    column: client_latency_ms (end to end as the client saw it, the default; counted once per request),
    client_round_trip_ms, or a node's own total_ms, inference_ms, ... (per node row; only requests the
    node answered count). by: default ('label',) for client columns, ('label', 'role') otherwise."""
    client = column.startswith("client_")
    by = list(by) if by is not None else (["label"] if client else ["label", "role"])
    requests = rs.requests
    if not requests.empty:
        if client:
            requests = _one_row_per_request(requests)
            requests = requests[requests["client_status"].astype(object) == "ok"]
        elif "status" in requests:
            requests = requests[requests["status"].astype(object) == "ok"]
        requests = requests[requests[column].notna()]
    table = metric_table(requests, list(by), column, **bootstrap)
    return _add_percentiles(table, requests, list(by), column, percentiles)


def hw_timeline(rs: ResultSet, run_id: Optional[Union[str, Sequence[str]]] = None) -> pd.DataFrame:
    """Hardware samples per node over time: run_id, label, node, role, elapsed_s, cpu_util_pct, rss_mib,
    net_rx_mbps, net_tx_mbps, host_cpu_util_pct, gpu_util_pct, gpu_mem_used_mib; sorted by run, node
    and time."""
    hw = rs.hw
    columns = ["run_id", "label", "node", "role", "elapsed_s", "time", "cpu_util_pct", "rss_mib", "net_rx_mbps",
               "net_tx_mbps", "host_cpu_util_pct", "gpu_util_pct", "gpu_mem_used_mib"]
    if hw.empty:
        return pd.DataFrame(columns=columns)
    if run_id is not None:
        hw = hw[hw["run_id"].isin([run_id] if isinstance(run_id, str) else list(run_id))]
    frame = hw.copy()
    frame["rss_mib"] = frame["rss_bytes"].astype("float64") / 2**20
    frame["gpu_mem_used_mib"] = frame["gpu_mem_used_bytes"].astype("float64") / 2**20
    frame = frame[columns]
    return frame.sort_values(["run_id", "node", "elapsed_s"], kind="stable").reset_index(drop=True)


def hw_usage(rs: ResultSet, by: Sequence[str] = ("label", "node")) -> pd.DataFrame:
    """Hardware use per group: mean and 95th-percentile CPU utilisation (100 = one core), peak RSS in
    MiB, mean network receive/send rates, CPU seconds used, and samples."""
    timeline = hw_timeline(rs)
    if timeline.empty:
        return pd.DataFrame(columns=list(by) + ["samples", "cpu_util_mean_pct", "cpu_util_p95_pct", "rss_peak_mib",
                                                "net_rx_mean_mbps", "net_tx_mean_mbps"])
    grouped = timeline.groupby(list(by), sort=False, observed=True)
    table = pd.DataFrame({
        "samples": grouped.size(),
        "cpu_util_mean_pct": grouped["cpu_util_pct"].mean(),
        "cpu_util_p95_pct": grouped["cpu_util_pct"].quantile(0.95),
        "rss_peak_mib": grouped["rss_mib"].max(),
        "net_rx_mean_mbps": grouped["net_rx_mbps"].mean(),
        "net_tx_mean_mbps": grouped["net_tx_mbps"].mean(),
    })
    return table.reset_index()


class Comparison(NamedTuple):
    """Two configurations compared on one metric over the images both were measured on."""
    metric: str
    a: str
    b: str
    value_a: float
    value_b: float
    difference: float  #: value_a - value_b
    low: float  #: interval of the difference
    high: float
    images: int  #: images measured in both
    distinguishable: bool  #: the interval excludes 0


def compare(rs: ResultSet, a: str, b: str, metric: str = "f1", role: Optional[str] = None,
            node: Optional[str] = None, n_boot: int = 2000, confidence: float = 0.95, seed: int = 0) -> Comparison:
    """Is configuration `a` better than `b` on `metric`, beyond chance? `a` and `b` are run ids or run
    labels. A paired bootstrap over the images both measured: each replicate draws images with
    replacement and computes the metric of both on the same draw, so per-image difficulty cancels out.
    `distinguishable` is True when the interval of value_a - value_b excludes zero."""
    requests = rs.scored_requests(role) if metric in ("f1", "precision", "recall", "micro_f1", "f1_per_ms", "f1_per_s") \
        else rs.requests
    if role is not None:
        requests = requests[requests["role"].astype(object) == role]
    if node is not None:
        requests = requests[requests["node"].astype(object) == node]

    def select(which):
        chosen = requests[(requests["run_id"] == which) | (requests["label"] == which)]
        if chosen.empty:
            raise ValueError(f"no requests for {which!r} (a run id or label) with role={role!r}, node={node!r}")
        return chosen

    first, second = select(a), select(b)
    shared = np.intersect1d(first["image_id"].dropna().astype("int64").unique(),
                            second["image_id"].dropna().astype("int64").unique())
    first, second = first[first["image_id"].isin(shared)], second[second["image_id"].isin(shared)]
    definition = _metric(metric)
    apply = definition.transform or (lambda r: r)
    index = pd.Index(shared)

    def sums(frame):
        values = np.column_stack([definition.numerator(frame).to_numpy("float64", na_value=np.nan),
                                  definition.denominator(frame).to_numpy("float64", na_value=np.nan)])
        values = np.where(np.isfinite(values), values, 0.0)
        out = np.zeros((len(index), 2))
        np.add.at(out, index.get_indexer(frame["image_id"]), values)
        return out

    sums_a, sums_b = sums(first), sums(second)
    with np.errstate(divide="ignore", invalid="ignore"):
        value_a = float(apply(sums_a[:, 0].sum() / sums_a[:, 1].sum())) if len(index) else math.nan
        value_b = float(apply(sums_b[:, 0].sum() / sums_b[:, 1].sum())) if len(index) else math.nan
        replicates = []
        if len(index) >= 2:
            for weights in _bootstrap_weights(len(index), n_boot, np.random.default_rng(seed)):
                drawn_a, drawn_b = weights @ sums_a, weights @ sums_b
                replicates.append(apply(drawn_a[:, 0] / drawn_a[:, 1]) - apply(drawn_b[:, 0] / drawn_b[:, 1]))
    interval = _interval(value_a - value_b, np.concatenate(replicates) if replicates else np.array([]), confidence)
    distinguishable = bool(np.isfinite(interval.low) and (interval.low > 0 or interval.high < 0))
    return Comparison(metric, a, b, value_a, value_b, interval.value, interval.low, interval.high, len(index),
                      distinguishable)
