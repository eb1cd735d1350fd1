"""edgebench: measure machine-learning inference across edge-to-cloud deployments.

The C++ core is in :mod:`edgebench._core`; everything public is re-exported here, with Python helpers
for evaluation (:func:`evaluate`, :func:`per_class_table`), sweeps (:func:`run`), and result sets:
:mod:`edgebench.analysis` (pandas tables and statistics), :mod:`edgebench.plots` (matplotlib figures)
and :mod:`edgebench.report` (a self-contained HTML report).
"""

from ._core import *  # noqa: F401,F403
from ._core import Error, __version__  # noqa: F401
from .evaluation import evaluate, per_class_table  # noqa: F401
from .runner import load_experiment, run  # noqa: F401

__all__ = [name for name in dir() if not name.startswith("_")]

_SUBMODULES = ("analysis", "plots", "report")  # pandas and matplotlib: imported when first used


def __getattr__(name):
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
