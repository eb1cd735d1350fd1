"""The HTML report: self-contained, every figure present, from Python, `python -m`, and both `edgebench`
programs (the build tree's C++ one and the venv's script); rendered by a headless browser when one is
installed."""

import base64
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from edgebench import plots, report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ReportParser(HTMLParser):
    """Collects the images, the figure ids, the tables and every external reference."""

    def __init__(self):
        super().__init__()
        self.images = {}
        self.figures = []
        self.tables = 0
        self.headings = []
        self.external = []
        self.errors = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self.figures.append(attrs.get("id", ""))
        if tag == "img":
            self.images[attrs.get("id", "")] = attrs.get("src", "")
        if tag == "table" and "data" in attrs.get("class", ""):
            self.tables += 1
        if tag in ("h2", "h3"):
            self.headings.append(tag)
        if tag == "div" and attrs.get("class") == "figure-error":
            self.errors += 1
        for name in ("src", "href"):
            value = attrs.get(name, "")
            if value and not value.startswith(("data:", "#")):
                self.external.append(value)
        if tag in ("script", "link"):
            self.external.append(tag)


def check_report(path: Path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    parser = ReportParser()
    parser.feed(text)
    parser.close()
    assert parser.external == [], "the report must not load anything from elsewhere"
    assert parser.errors == 0, "a figure failed to draw"
    assert parser.figures == [f"fig-{name}" for name in plots.FIGURES]
    for name in plots.FIGURES:
        source = parser.images[f"img-{name}"]
        assert source.startswith("data:image/png;base64,")
        png = base64.b64decode(source.split(",", 1)[1], validate=True)
        assert png.startswith(PNG_MAGIC) and len(png) > 2000, name
    # Overview, runs, summary, figures and the helper tables (each a table, or a note when it is empty).
    assert parser.headings.count("h2") == 5 and parser.headings.count("h3") == 7
    assert parser.tables >= 3  # the runs, the summary, and at least the latency percentiles
    return text


@pytest.fixture(scope="module")
def scored_report(scored_result_dir, tmp_path_factory):
    """The report of the scored result set, written once from Python."""
    return report.write_report(scored_result_dir, tmp_path_factory.mktemp("report") / "report.html", dpi=50,
                               n_boot=100)


def test_report_from_python(scored_report):
    text = check_report(scored_report)
    assert "quality=90, resize=100" in text  # the run labels are in the tables
    assert not scored_report.with_name("report.html.part").exists()


def test_report_with_python_dash_m(plain_result_dir, tmp_path):
    out = tmp_path / "plain.html"
    done = subprocess.run([sys.executable, "-m", "edgebench.report", str(plain_result_dir), "--out", str(out),
                           "--dpi", "40", "--bootstrap", "50"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    check_report(out)


def test_report_refuses_a_folder_that_is_not_a_result_set(tmp_path):
    done = subprocess.run([sys.executable, "-m", "edgebench.report", str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and "not a result set" in done.stderr


def test_edgebench_report_from_the_build_tree(cli, plain_result_dir, tmp_path):
    """The C++ program hands `report` to Python: the build's interpreter and build/python's package."""
    out = tmp_path / "build-tree.html"
    environment = {k: v for k, v in os.environ.items() if k not in ("EDGEBENCH_PYTHON", "PYTHONPATH")}
    done = subprocess.run([cli, "report", str(plain_result_dir), "--out", str(out), "--figure", "latency_cdf",
                           "--bootstrap", "50"], capture_output=True, text=True, timeout=300, env=environment)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert 'id="img-latency_cdf"' in text and "data:image/png;base64," in text
    usage = subprocess.run([cli, "--help"], capture_output=True, text=True, timeout=60)
    assert "report" in usage.stdout


def test_edgebench_report_from_the_venv_script(plain_result_dir, tmp_path):
    script = Path(sys.executable).parent / "edgebench"
    if not script.exists():
        pytest.skip(f"no edgebench script beside {sys.executable} (not a pip install)")
    out = tmp_path / "venv.html"
    done = subprocess.run([str(script), "report", str(plain_result_dir), "--out", str(out), "--figure",
                           "hw_timeline", "--bootstrap", "50"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert 'id="img-hw_timeline"' in out.read_text()
    # The packaged C++ program, run directly, finds the package it sits in.
    packaged = Path(report.__file__).parent / "bin" / "edgebench"
    if packaged.exists():
        environment = {k: v for k, v in os.environ.items() if k not in ("EDGEBENCH_PYTHON", "PYTHONPATH")}
        direct = subprocess.run([str(packaged), "report", str(plain_result_dir), "--out", str(tmp_path / "d.html"),
                                 "--figure", "latency_cdf", "--bootstrap", "50"], capture_output=True, text=True,
                                timeout=300, env=environment)
        assert direct.returncode == 0, direct.stderr


def _browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_report_renders_in_a_headless_browser(scored_report, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium installed (apt-get install chromium) to render the report; "
                    "its structure is checked by the other report tests")
    page = scored_report
    # A copy with a probe that counts the images the browser decoded (the report itself has no script).
    probe = ("<script>window.addEventListener('load', () => { const images = [...document.images]; "
             "document.body.setAttribute('data-decoded', images.filter(i => i.complete && i.naturalWidth > 0)"
             ".length + '/' + images.length); });</script></body>")
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text().replace("</body>", probe))
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              "--virtual-time-budget=10000"]
    dom = subprocess.run(common + ["--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr
    count = len(plots.FIGURES)
    assert f'data-decoded="{count}/{count}"' in dom.stdout, "the browser did not decode every figure"
    shot = tmp_path / "shot.png"
    done = subprocess.run(common + [f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.exists(), done.stderr
    from matplotlib import image

    pixels = image.imread(str(shot))
    assert pixels.std() > 0.01, "the screenshot is blank"
