"""Detection models for edgebench's TorchScript backend.

* ``python -m edgebench.models list``: torchvision's detection architectures.
* ``python -m edgebench.models export NAME OUT.pt [--weights DEFAULT|none]``: one of them scripted with
  ``torch.jit.script``, with edgebench's metadata (categories, input convention) inside the file; run it
  with the detector spec ``torchscript:OUT.pt``.
* ``python -m edgebench.models train``: trains the built-in shapes detector (the ``builtin`` spec); see
  ``scripts/train_builtin_model.py`` for the command that made the shipped model.
* ``python -m edgebench.models info MODEL.pt``: the metadata of a model file.

Everything here uses Debian's python3-torch and python3-torchvision; they are imported only when needed.
Nothing in this package imports the compiled ``edgebench._core`` except training (which renders the
synthetic images with it), so exporting works from a source checkout.
"""

from .torchvision_export import STUDY_ARCHITECTURES  # noqa: F401  (no torch import)


def architectures():
    """torchvision's detection architectures, by name."""
    from .torchvision_export import architectures as names

    return names()


def export(name, out, weights="DEFAULT", seed=0, **options):
    """Exports torchvision's `name` to `out` as TorchScript; see `torchvision_export.export`."""
    from .torchvision_export import export as export_model

    return export_model(name, out, weights, seed, **options)


def train(out="models/shapes-v1.pt", **settings):
    """Trains and exports the built-in shapes detector; see `train.train`."""
    from .train import train as train_model

    return train_model(out, **settings)
