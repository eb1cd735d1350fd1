"""edgebench: measure machine-learning inference across edge-to-cloud deployments.

The C++ core is in :mod:`edgebench._core`; everything public is re-exported here, with Python helpers
for evaluation (:func:`evaluate`, :func:`per_class_table`).
"""

from ._core import *  # noqa: F401,F403
from ._core import Error, __version__  # noqa: F401
from .evaluation import evaluate, per_class_table  # noqa: F401

__all__ = [name for name in dir() if not name.startswith("_")]
