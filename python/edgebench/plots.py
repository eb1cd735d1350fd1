"""Figures of a result set: the original study's evaluation figures and more.

Every function takes a loaded result set (`edgebench.analysis.load(dir)`, or the folder's path) and
returns a `matplotlib.figure.Figure` with labelled axes and units, and error bars wherever the value has
a bootstrap interval (95 % by default, resampling images). Figures are built without pyplot, so nothing
global changes and no display is needed: `fig.savefig("f1.png")` works headless, and in Jupyter a
returned figure shows inline.

    rs = edgebench.analysis.load("out/coco-sample")
    edgebench.plots.f1_per_model(rs).savefig("f1_per_model.png")
    for name, draw in edgebench.plots.FIGURES.items():
        draw(rs).savefig(f"{name}.png")

A figure whose data the result set lacks (no detector ran, so there is no F1; a grid without a quality
axis) is still drawn, with a note saying what is missing.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from . import analysis
from .analysis import ResultSet

__all__ = [
    "FIGURES", "f1_per_model", "ms_per_request", "f1_per_ms", "quality_vs_f1", "quality_vs_size_reduction",
    "resize_vs_f1", "resize_vs_size_reduction", "f1_per_preprocess", "class_f1_by_support", "class_f1_by_f1",
    "latency_cdf", "latency_percentiles", "pareto_bytes", "pareto_latency", "hw_timeline",
]

_SIZE = (7.5, 4.5)


def _result_set(rs) -> ResultSet:
    return rs if isinstance(rs, ResultSet) else analysis.load(rs, eager=False)


def _figure(size=_SIZE, rows: int = 1, cols: int = 1, **kwargs):
    figure = Figure(figsize=size, constrained_layout=True)
    axes = figure.subplots(rows, cols, squeeze=False, **kwargs)
    return figure, axes


def _note(ax, text: str):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", wrap=True, fontsize=10,
            color="0.35", bbox=dict(boxstyle="round", facecolor="0.95", edgecolor="0.8"))


def _errors(table: pd.DataFrame, column: str):
    """[[below], [above]] distances for errorbar/bar from <column>_low/_high (0 where unknown)."""
    value = table[column].to_numpy("float64")
    low = table.get(f"{column}_low", pd.Series(np.nan, index=table.index)).to_numpy("float64")
    high = table.get(f"{column}_high", pd.Series(np.nan, index=table.index)).to_numpy("float64")
    return np.vstack([np.nan_to_num(value - low, nan=0.0).clip(0), np.nan_to_num(high - value, nan=0.0).clip(0)])


def _ci_note(ax, confidence: float = 0.95):
    """Says what the error bars are, as a second line of the x label (call after setting it)."""
    ax.set_xlabel(f"{ax.get_xlabel()}\n(error bars: {confidence:.0%} bootstrap intervals, images resampled)")


def _group_name(row, columns: Sequence[str]) -> str:
    parts = []
    for column in columns:
        value = row[column]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(str(value) if column in ("model", "role", "label") else f"{column}={value}")
    return " / ".join(parts)


def _no_scores_reason(rs: ResultSet) -> str:
    requests = rs.requests
    if requests.empty:
        return "no requests in this result set"
    if (requests["model"] == "none").all():
        return "no detector ran (every detector is 'none'), so there is no accuracy to show"
    return "no scored requests (no ground truth, or every request failed)"


def _bars(ax, table: pd.DataFrame, value: str, labels: Sequence[str], colors=None):
    positions = np.arange(len(table))
    ax.bar(positions, table[value].to_numpy("float64"), yerr=_errors(table, value), capsize=4,
           color=colors, edgecolor="0.2", linewidth=0.5)
    ax.set_xticks(positions)
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    tilt = longest > 18 or len(labels) > 6
    ax.set_xticklabels(labels, rotation=20 if tilt else 0, ha="right" if tilt else "center", fontsize=8)


def _role_colors(table: pd.DataFrame):
    palette = {"edge": "tab:blue", "cloud": "tab:orange"}
    return [palette.get(str(role), "tab:gray") for role in table.get("role", ["edge"] * len(table))]


# --- the study's figures ---------------------------------------------------------------------------

def f1_per_model(rs, metric: str = "f1") -> Figure:
    """Average F1 per model (the study's first figure): mean per-image F1 of each detector, at the edge
    and in the cloud, over every run."""
    rs = _result_set(rs)
    figure, axes = _figure()
    ax = axes[0, 0]
    table = analysis.accuracy_by_model(rs, metrics=[metric])
    ax.set_title(f"Average {metric.upper() if metric == 'f1' else metric} per model")
    ax.set_xlabel("model (where it ran)")
    ax.set_ylabel(f"mean per-image {metric} (0-1)" if metric in ("f1", "precision", "recall") else metric)
    if table.empty:
        _note(ax, _no_scores_reason(rs))
        return figure
    _bars(ax, table, metric, [f"{m}\n({r})" for m, r in zip(table["model"], table["role"])], _role_colors(table))
    ax.set_ylim(0, 1)
    _ci_note(ax)
    return figure


def ms_per_request(rs, column: str = "inference_ms") -> Figure:
    """Average milliseconds per request per model (the study's second figure): the detector's own time
    by default (`column='total_ms'` for the node's whole serving time, 'client_latency_ms' end to end)."""
    rs = _result_set(rs)
    figure, axes = _figure()
    ax = axes[0, 0]
    table = analysis.ms_per_request(rs, column=column)
    what = {"inference_ms": "inference", "total_ms": "node serving time", "client_latency_ms": "end-to-end latency"}
    ax.set_title(f"Average milliseconds per request per model ({what.get(column, column)})")
    ax.set_xlabel("model (where it ran)")
    ax.set_ylabel(f"mean {column.replace('_ms', '')} per request (ms)")
    if table.empty:
        _note(ax, "no detector ran (every detector is 'none')" if not rs.requests.empty else "no requests")
        return figure
    _bars(ax, table, column, [f"{m}\n({r})" for m, r in zip(table["model"], table["role"])], _role_colors(table))
    for position, (_, row) in enumerate(table.iterrows()):
        ax.annotate(f"p50 {row['p50_ms']:.0f}\np99 {row['p99_ms']:.0f}", (position, row[f"{column}_high"]),
                    textcoords="offset points", xytext=(0, 4), ha="center", fontsize=7, color="0.3")
    ax.set_ylim(0, None)
    ax.margins(y=0.2)
    _ci_note(ax)
    return figure


def f1_per_ms(rs, column: str = "inference_ms") -> Figure:
    """F1 per millisecond per model (the study's third figure): mean per-image F1 divided by the mean
    inference milliseconds, with a bootstrap interval of the ratio."""
    rs = _result_set(rs)
    figure, axes = _figure()
    ax = axes[0, 0]
    table = analysis.accuracy_per_ms(rs, column=column)
    ax.set_title("F1 per millisecond per model")
    ax.set_xlabel("model (where it ran)")
    ax.set_ylabel(f"mean F1 / mean {column.replace('_ms', '')} time (1/ms)")
    if table.empty:
        _note(ax, _no_scores_reason(rs))
        return figure
    _bars(ax, table, "f1_per_ms", [f"{m}\n({r})" for m, r in zip(table["model"], table["role"])],
          _role_colors(table))
    ax.set_ylim(0, None)
    _ci_note(ax)
    return figure


def _versus(rs, x: str, y: str, title: str, xlabel: str, ylabel: str) -> Figure:
    rs = _result_set(rs)
    figure, axes = _figure()
    ax = axes[0, 0]
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    runs = rs.runs
    if x not in runs or runs[x].dropna().nunique() < 2:
        _note(ax, f"'{x}' does not vary between the runs of this result set")
        return figure
    accuracy = y in ("f1", "micro_f1")
    table = analysis.versus(rs, x)
    if accuracy and (y not in table or table[y].isna().all()):
        _note(ax, _no_scores_reason(rs))
        return figure
    if y not in table or table[y].isna().all():
        _note(ax, "no edge requests with byte counts")
        return figure
    group_columns = [c for c in table.columns if c in ("role", "model")] if accuracy else []
    group_columns += [c for c in analysis.varying_columns(rs, ("quality", "resize", "grayscale", "format"))
                      if c != x and c in table.columns]
    table = table.dropna(subset=[x, y])
    if not accuracy:  # sizes are per edge: one curve per setting, not per role
        table = table.drop_duplicates([x] + group_columns)
    for key, group in analysis.groups(table, group_columns):
        group = group.sort_values(x)
        row = group.iloc[0]
        ax.errorbar(group[x].astype("float64"), group[y], yerr=_errors(group, y), marker="o", capsize=3,
                    label=_group_name(row, group_columns) if group_columns else None)
    if group_columns:
        ax.legend(fontsize=8)
    if y == "size_reduction_pct":
        ax.yaxis.set_major_formatter(PercentFormatter(100))
    if accuracy:
        ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    _ci_note(ax)
    return figure


def quality_vs_f1(rs, metric: str = "f1") -> Figure:
    """JPEG quality against F1 (the study's quality figure): one curve per detector and role and per
    value of the other preprocessing settings that vary."""
    return _versus(rs, "quality", metric, "JPEG quality versus F1", "JPEG quality at the edge (1-100)",
                   "mean per-image F1 (0-1)" if metric == "f1" else metric)


def quality_vs_size_reduction(rs) -> Figure:
    """JPEG quality against the size reduction of what the edge sends (100 * (1 - bytes out / bytes in))."""
    return _versus(rs, "quality", "size_reduction_pct", "JPEG quality versus size reduction",
                   "JPEG quality at the edge (1-100)", "size reduction of the image (%)")


def resize_vs_f1(rs, metric: str = "f1") -> Figure:
    """Resize (percent of each side) against F1 (the study's resize figure)."""
    return _versus(rs, "resize", metric, "Resize versus F1", "resize at the edge (% of each side)",
                   "mean per-image F1 (0-1)" if metric == "f1" else metric)


def resize_vs_size_reduction(rs) -> Figure:
    """Resize against the size reduction of what the edge sends."""
    return _versus(rs, "resize", "size_reduction_pct", "Resize versus size reduction",
                   "resize at the edge (% of each side)", "size reduction of the image (%)")


def f1_per_preprocess(rs) -> Figure:
    """F1 per preprocessing option (the study's per-option figure): one group of bars per run label
    (the grid's values), one bar per detector and role, with the size reduction written above."""
    rs = _result_set(rs)
    figure, axes = _figure(size=(max(7.5, 1.1 * len(rs.labels) + 3), 4.8))
    ax = axes[0, 0]
    ax.set_title("F1 per preprocessing option")
    ax.set_xlabel("preprocessing option (grid values of the run)")
    ax.set_ylabel("mean per-image F1 (0-1)")
    table = analysis.by_preprocess(rs)
    if "f1" not in table or table["f1"].isna().all():
        _note(ax, _no_scores_reason(rs))
        return figure
    labels = [label for label in rs.labels if label in set(table["label"])]
    series = list(dict.fromkeys(zip(table["model"], table["role"])))
    width = 0.8 / max(len(series), 1)
    for i, (model, role) in enumerate(series):
        part = table[(table["model"] == model) & (table["role"] == role)].set_index("label").reindex(labels)
        positions = np.arange(len(labels)) + (i - (len(series) - 1) / 2) * width
        ax.bar(positions, part["f1"].to_numpy("float64"), width, yerr=_errors(part, "f1"), capsize=3,
               label=f"{model} ({role})", edgecolor="0.2", linewidth=0.5)
    reduction = table.drop_duplicates("label").set_index("label").reindex(labels)["size_reduction_pct"]
    for position, value in enumerate(reduction):
        if np.isfinite(value):
            ax.annotate(f"-{value:.0f}% bytes", (position, 1.0), ha="center", va="bottom", fontsize=7, color="0.3",
                        xytext=(0, -12), textcoords="offset points")
    ax.set_xticks(np.arange(len(labels)))
    ax.set_xticklabels(labels, rotation=25, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc="upper right")
    _ci_note(ax)
    return figure


def _class_figure(rs, sort: str, run_id=None, node=None, role=None, model=None, top: int = 30) -> Figure:
    rs = _result_set(rs)
    if role is None and node is None and model is None and not rs.classes.empty:
        roles = set(rs.classes["role"].astype(object))
        role = "edge" if "edge" in roles else None
    table = analysis.per_class(rs, run_id=run_id, node=node, role=role, model=model, sort=sort)
    shown = table.head(top)
    figure, axes = _figure(size=(max(8.0, 0.32 * len(shown) + 2.5), 5.2))
    ax = axes[0, 0]
    selection = ", ".join(f"{k}={v}" for k, v in (("run", run_id), ("node", node), ("role", role), ("model", model))
                          if v is not None) or "all runs and nodes"
    ax.set_title(f"Per-class F1 and support, sorted by {'support' if sort == 'support' else 'F1'} ({selection}"
                 + (f", top {top} of {len(table)}" if len(table) > top else "") + ")", fontsize=10)
    ax.set_xlabel("class")
    ax.set_ylabel("F1 at the operating point (0-1)")
    if shown.empty:
        _note(ax, "no per-class scores in this result set (no detector ran, or no ground truth)")
        return figure
    positions = np.arange(len(shown))
    ax.bar(positions - 0.2, shown["f1"].to_numpy("float64"), 0.4, color="tab:blue", label="F1")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(positions)
    ax.set_xticklabels(shown["name"], rotation=60, ha="right", fontsize=8)
    support = ax.twinx()
    support.bar(positions + 0.2, shown["support"].to_numpy("float64"), 0.4, color="tab:gray", alpha=0.7,
                label="support")
    support.set_ylabel("support (ground-truth objects)")
    handles = ax.get_legend_handles_labels()[0] + support.get_legend_handles_labels()[0]
    ax.legend(handles, ["F1", "support"], fontsize=8, loc="upper right")
    return figure


def class_f1_by_support(rs, run_id=None, node=None, role=None, model=None, top: int = 30) -> Figure:
    """Per-class F1 and support, classes sorted by support (most objects first): pooled over the
    selected runs/nodes (default: the edge's detector over every run)."""
    return _class_figure(rs, "support", run_id, node, role, model, top)


def class_f1_by_f1(rs, run_id=None, node=None, role=None, model=None, top: int = 30) -> Figure:
    """Per-class F1 and support, classes sorted by F1 (best first)."""
    return _class_figure(rs, "f1", run_id, node, role, model, top)


# --- more -----------------------------------------------------------------------------------------

def latency_cdf(rs, column: str = "client_latency_ms") -> Figure:
    """Cumulative distribution of the latency of each run (end to end as the client saw it by default;
    `column='inference_ms'` etc. for a node's own time), with log-scaled milliseconds."""
    rs = _result_set(rs)
    figure, axes = _figure()
    ax = axes[0, 0]
    ax.set_title("Latency distribution per configuration")
    ax.set_xlabel(f"{column.replace('_ms', '').replace('_', ' ')} (ms, log scale)")
    ax.set_ylabel("fraction of requests at or below")
    requests = rs.requests
    if requests.empty:
        _note(ax, "no requests in this result set")
        return figure
    if column.startswith("client_"):
        requests = analysis._one_row_per_request(requests)
        requests = requests[requests["client_status"].astype(object) == "ok"]
        groups = ["label"]
    else:
        requests = requests[requests["model"] != "none"] if column == "inference_ms" else requests
        groups = ["label", "role"]
    requests = requests[requests[column].notna() & (requests[column] > 0)]
    if requests.empty:
        _note(ax, f"no values of {column}")
        return figure
    for key, group in analysis.groups(requests, groups):
        values = np.sort(group[column].to_numpy("float64"))
        fraction = np.arange(1, len(values) + 1) / len(values)
        name = " / ".join(map(str, key))
        ax.step(values, fraction, where="post", label=f"{name} (n={len(values)})")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.01)
    ax.yaxis.set_major_formatter(PercentFormatter(1))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="lower right")
    return figure


def latency_percentiles(rs, column: str = "client_latency_ms") -> Figure:
    """p50, p90, p99 and the mean (with its bootstrap interval) of the latency of each configuration."""
    rs = _result_set(rs)
    table = analysis.latency_percentiles(rs, column=column, percentiles=(50, 90, 99))
    figure, axes = _figure(size=(max(7.5, 1.0 * len(table) + 3), 4.6))
    ax = axes[0, 0]
    ax.set_title("Latency percentiles per configuration")
    ax.set_xlabel("configuration")
    ax.set_ylabel(f"{column.replace('_ms', '').replace('_', ' ')} (ms)")
    if table.empty:
        _note(ax, f"no values of {column}")
        return figure
    names = [_group_name(row, [c for c in ("label", "role") if c in table]) for _, row in table.iterrows()]
    positions = np.arange(len(table))
    width = 0.2
    ax.bar(positions - 1.5 * width, table[column], width, yerr=_errors(table, column), capsize=3, label="mean")
    for i, p in enumerate(("p50", "p90", "p99")):
        ax.bar(positions + (i - 0.5) * width, table[f"{p}_ms"], width, label=p)
    ax.set_xticks(positions)
    ax.set_xticklabels(names, rotation=25, ha="right", fontsize=8)
    ax.legend(fontsize=8)
    _ci_note(ax)
    return figure


def _pareto(rs, x: str, y: str, title: str, xlabel: str, scale: float = 1.0) -> Figure:
    rs = _result_set(rs)
    figure, axes = _figure(size=(8, 5))
    ax = axes[0, 0]
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean per-image F1 (0-1)" if y == "f1" else y)
    points = analysis.pareto(rs, x=x, y=y)
    points = points.dropna(subset=["x", y]) if not points.empty else points
    if not points.empty:
        points = points.assign(**{c: points[c] / scale for c in ("x", "x_low", "x_high")})
    if points.empty:
        _note(ax, _no_scores_reason(rs))
        return figure
    markers = {"edge": "o", "cloud": "s"}
    for (role, model), group in analysis.groups(points, ["role", "model"]):
        xerr = _errors(group.rename(columns={"x": "value", "x_low": "value_low", "x_high": "value_high"}), "value")
        line = ax.errorbar(group["x"], group[y], xerr=xerr, yerr=_errors(group, y), fmt=markers.get(str(role), "D"),
                           capsize=2, alpha=0.75, label=f"{model} ({role})")
        front = group[group["pareto"]].sort_values("x")
        ax.plot(front["x"], front[y], "-", color=line[0].get_color(), linewidth=1.5)
        for _, row in front.iterrows():
            ax.annotate(row["label"], (row["x"], row[y]), textcoords="offset points", xytext=(4, 4), fontsize=7,
                        color="0.25")
    ax.set_ylim(0, None)
    ax.set_xlim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, title="lines: Pareto front", title_fontsize=8, loc="lower right")
    _ci_note(ax)
    return figure


def pareto_bytes(rs, y: str = "f1") -> Figure:
    """Accuracy against the bytes the edge sends per image, every configuration a point, with the
    Pareto front (no other configuration is both smaller and more accurate) drawn and labelled."""
    return _pareto(rs, "bytes", y, "Accuracy versus bytes sent (Pareto front)",
                   "mean bytes sent by the edge per image (KiB)", scale=1024)


def pareto_latency(rs, y: str = "f1") -> Figure:
    """Accuracy against the mean end-to-end latency, with the Pareto front."""
    return _pareto(rs, "latency", y, "Accuracy versus latency (Pareto front)", "mean end-to-end latency (ms)")


def hw_timeline(rs, run_id: Optional[Union[str, Sequence[str]]] = None) -> Figure:
    """CPU utilisation, resident memory and network receive rate of each node over the sweep (seconds
    since its first sample), with each run's span shaded and numbered."""
    rs = _result_set(rs)
    figure, axes = _figure(size=(9, 7), rows=3, cols=1, sharex=True)
    timeline = analysis.hw_timeline(rs, run_id)
    panels = (("cpu_util_pct", "CPU (% of one core)"), ("rss_mib", "resident memory (MiB)"),
              ("net_rx_mbps", "network received (Mbit/s)"))
    axes[0, 0].set_title("Hardware use per node over the sweep")
    axes[-1, 0].set_xlabel("time since the sweep's first sample (s)")
    for (column, label), ax in zip(panels, axes[:, 0]):
        ax.set_ylabel(label, fontsize=8)
        ax.grid(alpha=0.3)
    if timeline.empty:
        _note(axes[1, 0], "no hardware samples in this result set")
        return figure
    start = timeline["time"].min()
    timeline = timeline.assign(t=(timeline["time"] - start).dt.total_seconds())
    nodes = sorted(timeline["node"].unique())
    for node, group in timeline.groupby("node", sort=True):
        for (column, _), ax in zip(panels, axes[:, 0]):
            for _, run in group.groupby("run_id", sort=False):
                ax.plot(run["t"], run[column], linewidth=1, color=f"C{nodes.index(node)}",
                        label=node if run["run_id"].iloc[0] == group["run_id"].iloc[0] else None)
    spans = timeline.groupby("run_id", sort=False)["t"].agg(["min", "max"])
    for i, (run, span) in enumerate(spans.iterrows()):
        for ax in axes[:, 0]:
            ax.axvspan(span["min"], span["max"], color="0.5" if i % 2 else "0.8", alpha=0.12, linewidth=0)
        axes[0, 0].annotate(run.replace("run-", "#"), ((span["min"] + span["max"]) / 2, 1.0),
                            xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize=7, color="0.3")
    axes[0, 0].legend(fontsize=8, loc="upper right", ncol=3)
    for ax in axes[:, 0]:
        ax.set_ylim(0, None)
    return figure


#: Every figure by name, in the order of the report: the study's figures first.
FIGURES = {
    "f1_per_model": f1_per_model,
    "ms_per_request": ms_per_request,
    "f1_per_ms": f1_per_ms,
    "quality_vs_f1": quality_vs_f1,
    "quality_vs_size_reduction": quality_vs_size_reduction,
    "resize_vs_f1": resize_vs_f1,
    "resize_vs_size_reduction": resize_vs_size_reduction,
    "f1_per_preprocess": f1_per_preprocess,
    "class_f1_by_support": class_f1_by_support,
    "class_f1_by_f1": class_f1_by_f1,
    "latency_cdf": latency_cdf,
    "latency_percentiles": latency_percentiles,
    "pareto_bytes": pareto_bytes,
    "pareto_latency": pareto_latency,
    "hw_timeline": hw_timeline,
}
