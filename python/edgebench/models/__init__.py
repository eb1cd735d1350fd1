"""Detection models for edgebench's TorchScript backend.

* ``python -m edgebench.models list``: torchvision's detection architectures.
* ``python -m edgebench.models export NAME OUT.pt [--weights DEFAULT|none]``: one of them scripted with
  ``torch.jit.script``, with edgebench's metadata (categories, input convention) inside the file; run it
  with the detector spec ``torchscript:OUT.pt``.
* ``python -m edgebench.models train``: trains the built-in shapes detector (the ``builtin`` spec); see
  ``scripts/train_builtin_model.py`` for the command that made the shipped model.
* ``python -m edgebench.models info MODEL.pt``: the metadata of a model file.

From Python: ``edgebench.models.torchvision_export.export(name, out, weights)`` and
``edgebench.models.train.train(out, ...)``.

Everything here uses Debian's python3-torch and python3-torchvision; they are imported only when needed.
Nothing in this package imports the compiled ``edgebench._core`` except training (which renders the
synthetic images with it), so exporting works from a source checkout.
"""

from .torchvision_export import STUDY_ARCHITECTURES  # no torch import

__all__ = ["STUDY_ARCHITECTURES", "architectures"]


def architectures():
    """torchvision's detection architectures, by name."""
    from .torchvision_export import architectures as names

    return names()
