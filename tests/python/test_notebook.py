"""notebooks/analysis.ipynb executes headless (nbclient) without a cell error, in this interpreter."""

import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "analysis.ipynb"


def test_the_notebook_is_valid_and_clean():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "commit the notebook without outputs"


@pytest.fixture
def kernel_for_this_python(tmp_path, monkeypatch):
    """A kernel spec that runs this interpreter (the venv's, which has edgebench installed), found first
    through JUPYTER_PATH; the system's python3 kernel would be /usr/bin/python3 without edgebench."""
    pytest.importorskip("ipykernel")
    spec = tmp_path / "jupyter" / "kernels" / "edgebench-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "edgebench test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "edgebench-test"


def test_the_notebook_runs_headless(kernel_for_this_python, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("EDGEBENCH_NOTEBOOK_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("EDGEBENCH_NOTEBOOK_SMOKE", "1")
    monkeypatch.setenv("EDGEBENCH_REPO", str(REPO))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name=kernel_for_this_python, timeout=600,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first cell that fails

    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    figure_cells = [c for c in notebook.cells if c.cell_type == "code" and "plots." in c.source
                    and "write_report" not in c.source]
    assert len(figure_cells) >= 15
    for cell in figure_cells:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source
    assert (tmp_path / "out" / "quickstart" / "manifest.json").exists()
    assert (tmp_path / "out" / "report.html").exists()
