"""Every figure of edgebench.plots renders to PNG, with labelled axes, on result sets the runner wrote."""

import io

import pytest
from matplotlib.figure import Figure

from edgebench import analysis, plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scored(scored_result_dir):
    return analysis.load(scored_result_dir)


@pytest.fixture(scope="module")
def plain(plain_result_dir):
    return analysis.load(plain_result_dir)


def _render(figure):
    assert isinstance(figure, Figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60)
    data = buffer.getvalue()
    assert data.startswith(PNG_MAGIC) and len(data) > 2000
    return data


def _labelled(figure):
    for ax in figure.axes:
        if ax.get_label() == "<colorbar>":
            continue
        # Twin axes share the x axis of their host: the host carries the label.
        assert ax.get_ylabel(), f"{figure.axes[0].get_title()}: an axis without a y label"
    assert any(ax.get_xlabel() for ax in figure.axes), f"{figure.axes[0].get_title()}: no x label"
    assert figure.axes[0].get_title()


def test_the_study_figures_and_more_are_all_there():
    study = {"f1_per_model", "ms_per_request", "f1_per_ms", "quality_vs_f1", "quality_vs_size_reduction",
             "resize_vs_f1", "resize_vs_size_reduction", "f1_per_preprocess", "class_f1_by_support",
             "class_f1_by_f1"}
    more = {"latency_cdf", "latency_percentiles", "pareto_bytes", "pareto_latency", "hw_timeline"}
    assert study | more == set(plots.FIGURES)
    for draw in plots.FIGURES.values():
        assert draw.__doc__


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_every_figure_renders_on_a_scored_result_set(scored, name):
    figure = plots.FIGURES[name](scored)
    _render(figure)
    _labelled(figure)


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_every_figure_renders_without_a_detector(plain, name):
    figure = plots.FIGURES[name](plain)
    _render(figure)
    _labelled(figure)


def test_error_bars_are_drawn_where_there_are_intervals(scored):
    if scored.scored_requests().empty:
        pytest.skip("nothing scored")
    figure = plots.f1_per_model(scored)
    ax = figure.axes[0]
    # One error bar line collection per bar container, with one segment per bar.
    segments = [c for c in ax.collections if c.get_segments()]
    assert segments and len(segments[0].get_segments()) == len(analysis.accuracy_by_model(scored))
    curve = plots.quality_vs_f1(scored).axes[0]
    assert any(c.get_segments() for c in curve.collections)


def test_a_figure_takes_a_folder_too(scored_result_dir):
    _render(plots.latency_cdf(scored_result_dir))


def test_missing_data_is_said_not_hidden(plain):
    texts = [t.get_text() for t in plots.f1_per_model(plain).axes[0].texts]
    assert any("no detector ran" in t for t in texts)


@pytest.fixture(scope="module")
def unfinished(plain_result_dir, tmp_path_factory):
    """The result set of a sweep stopped before its first run finished: the runner's files, headers only."""
    folder = tmp_path_factory.mktemp("unfinished")
    for path in plain_result_dir.iterdir():
        if path.suffix == ".csv":
            (folder / path.name).write_text(path.read_text().splitlines()[0] + "\n")
        elif path.suffix == ".jsonl":
            (folder / path.name).write_text("")
        elif path.name == "manifest.json":
            (folder / path.name).write_text(path.read_text())
    return analysis.load(folder)


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_every_figure_renders_for_an_unfinished_sweep(unfinished, name):
    assert unfinished.runs.empty and unfinished.requests.empty
    _render(plots.FIGURES[name](unfinished))
