"""Running sweeps from Python (and Jupyter) with the same engine as `edgebench run`."""

import copy
import json
import os
import sys
import time

from . import _core


def _apply_overrides(document, overrides):
    """A copy of the experiment `document` (a dict) with each dotted key of `overrides` set:
    {"images": 16, "workload.images_per_edge": 8} sets document["workload"]["images_per_edge"]."""
    document = copy.deepcopy(document)
    for key, value in overrides.items():
        parts = key.split(".")
        node = document
        for part in parts[:-1]:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, dict):
                raise ValueError(f"override {key!r}: {part!r} is not a mapping in the experiment")
            node = child
        node[parts[-1]] = value
    return document


def load_experiment(experiment, overrides=None):
    """An Experiment from a path to a YAML/JSON file, a dict with the same structure, or an Experiment.

    overrides: {dotted.key: value} applied to the document first (e.g. {"images": 16,
    "workload.images_per_edge": 8} for a smaller run of an example); relative paths in a file stay
    relative to that file. Reading a YAML file with overrides needs PyYAML.
    """
    if isinstance(experiment, _core.Experiment):
        if overrides:
            raise ValueError("overrides need the experiment as a path or a dict, not an Experiment")
        return experiment
    if isinstance(experiment, dict):
        # JSON is YAML: the same parser, with relative paths taken from the working directory.
        document = _apply_overrides(experiment, overrides or {})
        return _core.Experiment.parse(json.dumps(document), os.getcwd(), "<dict>")
    if isinstance(experiment, (str, os.PathLike)):
        path = os.fspath(experiment)
        if not overrides:
            return _core.Experiment.load(path)
        with open(path) as file:
            text = file.read()
        try:
            document = json.loads(text)
        except ValueError:
            import yaml  # PyYAML (Debian: python3-yaml); only needed for overrides of a YAML file

            document = yaml.safe_load(text)
        document = _apply_overrides(document, overrides)
        return _core.Experiment.parse(json.dumps(document), os.path.dirname(os.path.abspath(path)), path)
    raise TypeError("experiment must be a path to a YAML/JSON file, a dict, or an edgebench.Experiment")


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _clock(seconds):
    if seconds is None or seconds < 0:
        return "--:--"
    seconds = int(seconds + 0.5)
    return f"{seconds // 60:02d}:{seconds % 60:02d}" if seconds < 3600 else \
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressDisplay:
    """Shows a sweep's progress: a live line in Jupyter (one output cell updated in place) or on a
    terminal, and one line per finished run elsewhere."""

    def __init__(self):
        self._notebook = _in_notebook()
        self._handle = None
        self._last = 0.0
        self._failures = []

    def _text(self, p):
        done = p.run_number - 1 if p.phase != _core.SweepPhase.FINISHED else p.run_count
        width = 30
        filled = int(width * done / p.run_count) if p.run_count else width
        bar = "#" * filled + "." * (width - filled)
        text = (f"[{bar}] run {min(p.run_number, p.run_count)}/{p.run_count} {p.run_id}  "
                f"requests {p.requests_done}/{p.requests_planned}  elapsed {_clock(p.elapsed_s)}  "
                f"ETA {_clock(p.eta_s)}")
        if self._failures:
            text += "\n" + "\n".join(self._failures[-5:])
        return text

    def __call__(self, p):
        if p.phase == _core.SweepPhase.RUN_FAILED:
            self._failures.append(f"{p.run_id} failed: {p.message}")
        now = time.monotonic()
        final = p.phase in (_core.SweepPhase.FINISHED, _core.SweepPhase.RUN_FAILED)
        if not final and now - self._last < 0.2:
            return
        self._last = now
        text = self._text(p)
        if self._notebook:
            from IPython.display import display
            if self._handle is None:
                self._handle = display({"text/plain": text}, raw=True, display_id=True)
            else:
                self._handle.update({"text/plain": text}, raw=True)
        elif sys.stderr.isatty():
            sys.stderr.write("\r\033[K" + text.splitlines()[0])
            if p.phase == _core.SweepPhase.FINISHED:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif p.phase in (_core.SweepPhase.RUN_FINISHED, _core.SweepPhase.RUN_FAILED, _core.SweepPhase.RUN_SKIPPED):
            status = {_core.SweepPhase.RUN_FINISHED: "ok", _core.SweepPhase.RUN_FAILED: "failed: " + p.message,
                      _core.SweepPhase.RUN_SKIPPED: "already done"}[p.phase]
            print(f"[{p.run_number}/{p.run_count}] {p.run_id} {status}", file=sys.stderr)


def run(experiment, out, resume=False, monitor_period=1.0, progress=True, overrides=None):
    """Run every configuration of `experiment` and write the tidy result set to `out`.

    experiment: a path to a YAML/JSON experiment file, a dict with the same structure, or an Experiment.
    overrides: {dotted.key: value} changes to the experiment (see load_experiment), e.g. {"images": 16}.
    progress: True for a progress bar (live in Jupyter), False for none, or a callable taking a
    SweepProgress. Ctrl-C (or "interrupt kernel") stops cleanly; run again with resume=True to continue.
    Returns a SweepResult; load the results with edgebench.analysis.load(out).
    """
    loaded = load_experiment(experiment, overrides)
    if progress is True:
        callback = ProgressDisplay()
    elif callable(progress):
        callback = progress
    else:
        callback = None
    return _core.run_experiment(loaded, os.fspath(out), resume, monitor_period, callback)
