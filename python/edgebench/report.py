"""A self-contained HTML report of a result set: every figure of `edgebench.plots` (as inline PNG) and the
summary tables, in one file with no external assets, which opens in any browser.

    edgebench report out/coco-sample --out report.html
    python -m edgebench.report out/coco-sample --out report.html
    edgebench.report.write_report("out/coco-sample", "report.html")
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Optional, Sequence, Union

import pandas as pd

from . import analysis, plots

__all__ = ["render_report", "write_report", "figure_png", "main"]

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.facts td { padding: 0.1em 1em 0.1em 0; } .facts td:first-child { color: #666; }
table.data { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; }
table.data th, table.data td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; }
table.data th { background: #f4f4f4; }
.scroll { overflow-x: auto; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; max-width: 60em; }
.figure-error { background: #fee; border: 1px solid #c99; padding: 0.5em; white-space: pre-wrap; }
nav a { margin-right: 1em; } .note { color: #666; font-size: 0.9em; }
"""


def figure_png(figure, dpi: int = 100) -> bytes:
    """The PNG bytes of a matplotlib figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _table(frame: pd.DataFrame, columns: Optional[Sequence[str]] = None, max_rows: int = 200) -> str:
    if frame is None or frame.empty:
        return '<p class="note">(nothing to show)</p>'
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    note = ""
    if len(frame) > max_rows:
        note = f'<p class="note">first {max_rows} of {len(frame)} rows</p>'
        frame = frame.head(max_rows)

    def number(value):
        if pd.isna(value):
            return ""
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"

    body = frame.to_html(index=False, border=0, classes="data", na_rep="", float_format=number, escape=True)
    return f'<div class="scroll">{body}</div>{note}'


def _caption(function) -> str:
    doc = (function.__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _facts(rs: analysis.ResultSet) -> str:
    manifest = rs.manifest

    def when(key):
        value = manifest.get(key)
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(value)) if value else ""

    runs = rs.runs
    statuses = runs["status"].astype(object).value_counts().to_dict() if "status" in runs else {}
    rows = [
        ("experiment", manifest.get("experiment_name", "")),
        ("result folder", str(rs.path.resolve())),
        ("experiment file", manifest.get("experiment_file", "")),
        ("status", manifest.get("status", "")),
        ("runs", f"{len(runs)} of {manifest.get('run_count', len(runs))} recorded"
                 + (" (" + ", ".join(f"{n} {s}" for s, n in statuses.items()) + ")" if statuses else "")),
        ("grid axes", ", ".join(rs.axes) or "(none)"),
        ("started", when("started_unix")),
        ("finished", when("finished_unix")),
        ("host", manifest.get("host", "")),
        ("edgebench", f"{manifest.get('edgebench_version', '')} (commit {manifest.get('git_commit', '')})"),
    ]
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f'<table class="facts">{cells}</table>'


def _runs_table(rs: analysis.ResultSet) -> str:
    varying = analysis.varying_columns(rs)
    # Per-edge columns (edge1_preprocess, ...) repeat the shared column when every edge has the same value.
    shared = {c for c in varying if not re.match(r"edge\d+_", c) and rs.runs[c].notna().all()}
    varying = [c for c in varying if not (re.match(r"edge\d+_", c) and c.split("_", 1)[1] in shared)]
    columns = ["run_id", "label", "status", "duration_s", "error"] + [c for c in varying if c != "label"]
    return _table(rs.runs, columns)


_SUMMARY_COLUMNS = ["run_id", "label", "node", "role", "model", "requests", "ok", "failed", "map", "ap50", "f1",
                    "precision", "recall", "latency_mean_ms", "latency_p50_ms", "latency_p99_ms", "throughput_rps",
                    "bytes_in_mean", "bytes_out_mean", "bytes_ratio", "inference_ms_mean", "node_cpu_ms_mean",
                    "forward_failed"]


def render_report(result, title: Optional[str] = None, dpi: int = 100, figures: Optional[Sequence[str]] = None,
                  n_boot: int = 1000) -> str:
    """The report of a result set (a ResultSet or its folder) as one HTML string.

    figures: names from edgebench.plots.FIGURES (default: all). A figure that fails to draw is replaced
    by its error message (and the failure is printed to stderr), so that one bad figure does not cost
    the whole report.
    """
    rs = result if isinstance(result, analysis.ResultSet) else analysis.load(result)
    title = title or f"edgebench report: {rs.name}"
    names = list(figures) if figures is not None else list(plots.FIGURES)
    bootstrap = {"n_boot": n_boot}

    sections = []
    sections.append(("overview", "Overview", _facts(rs)))
    sections.append(("runs", "Runs", _runs_table(rs)))
    sections.append(("summary", "Summary per run and node", _table(rs.summary, _SUMMARY_COLUMNS)))
    tables = [
        ("Accuracy per model (mean per-image F1 and micro F1, 95 % bootstrap intervals over images)",
         analysis.accuracy_by_model(rs, **bootstrap)),
        ("Milliseconds per request per model (inference)", analysis.ms_per_request(rs, **bootstrap)),
        ("Accuracy per millisecond", analysis.accuracy_per_ms(rs, **bootstrap)),
        ("Accuracy and size per preprocessing option", analysis.by_preprocess(rs, **bootstrap)),
        ("End-to-end latency percentiles (ms)", analysis.latency_percentiles(rs, **bootstrap)),
        ("Hardware use per node", analysis.hw_usage(rs)),
        ("Per-class accuracy (pooled over runs; edge when present)",
         analysis.per_class(rs, role="edge" if "edge" in set(rs.classes.get("role", pd.Series(dtype=object))
                                                               .astype(object)) else None)),
    ]

    parts = []
    for name in names:
        draw = plots.FIGURES[name]
        try:
            figure = draw(rs)
            png = base64.b64encode(figure_png(figure, dpi)).decode("ascii")
            image = (f'<img id="img-{name}" alt="{html.escape(name)}" '
                     f'src="data:image/png;base64,{png}">')
        except Exception:  # noqa: BLE001 - reported in the page and on stderr
            message = traceback.format_exc()
            print(f"edgebench report: figure {name} failed:\n{message}", file=sys.stderr)
            image = f'<div class="figure-error">figure {html.escape(name)} failed:\n{html.escape(message)}</div>'
        parts.append(f'<figure id="fig-{name}">{image}<figcaption><b>{html.escape(name)}</b>: '
                     f'{html.escape(_caption(draw))}</figcaption></figure>')
    sections.append(("figures", "Figures", "".join(parts)))
    body = "".join(f"<h3>{html.escape(name)}</h3>{_table(frame)}" for name, frame in tables)
    sections.append(("tables", "Tables", body))

    navigation = "".join(f'<a href="#{key}">{html.escape(heading)}</a>' for key, heading, _ in sections)
    content = "".join(f'<h2 id="{key}">{html.escape(heading)}</h2>{body}' for key, heading, body in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><h1>{html.escape(title)}</h1><nav>{navigation}</nav>{content}"
            f'<p class="note">Written by edgebench.report on '
            f'{time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}.</p></body></html>\n')


def write_report(result, out: Union[str, Path], **options) -> Path:
    """Writes the report of `result` (a ResultSet or its folder) to `out`; returns the path."""
    out = Path(out)
    text = render_report(result, **options)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(out)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="edgebench report",
        description="Write a self-contained HTML report (every figure and the summary tables) of a result set.")
    parser.add_argument("result_dir", help="the folder `edgebench run --out` wrote")
    parser.add_argument("--out", help="the HTML file to write (default: RESULT_DIR/report.html)")
    parser.add_argument("--title", help="the page title (default: the experiment's name)")
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the figures (default 100)")
    parser.add_argument("--figure", action="append", dest="figures", choices=list(plots.FIGURES),
                        help="only this figure (repeatable; default: all)")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="bootstrap replicates for the intervals (default 1000)")
    args = parser.parse_args(argv)
    result_dir = Path(args.result_dir)
    if not (result_dir / "manifest.json").exists():
        print(f"edgebench report: {result_dir}: not a result set (no manifest.json)", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else result_dir / "report.html"
    started = time.monotonic()
    written = write_report(result_dir, out, title=args.title, dpi=args.dpi, figures=args.figures,
                           n_boot=args.bootstrap)
    print(f"wrote {written} ({written.stat().st_size / 1024:.0f} KiB, {time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
