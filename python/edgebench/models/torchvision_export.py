"""Exports torchvision's detection architectures as TorchScript files that edgebench's C++ backend runs.

    python -m edgebench.models export fasterrcnn_mobilenet_v3_large_320_fpn out.pt --weights none

``--weights DEFAULT`` (the default) loads torchvision's pretrained weights, which torchvision downloads
once into its cache (needs internet); ``--weights none`` builds the architecture with random weights and
no pretrained backbone, which needs nothing from outside: right for testing the path and the cost of
the backbone, wrong for accuracy, and misleading for the cost of two-stage models (their region proposals
and NMS see garbage; see bench/torchvision_models.py).
"""

from typing import List, Optional

from . import metadata

#: The nine architectures of the original study.
STUDY_ARCHITECTURES = [
    "fasterrcnn_mobilenet_v3_large_320_fpn",
    "fasterrcnn_mobilenet_v3_large_fpn",
    "fasterrcnn_resnet50_fpn",
    "retinanet_resnet50_fpn",
    "maskrcnn_resnet50_fpn",
    "fcos_resnet50_fpn",
    "keypointrcnn_resnet50_fpn",
    "ssdlite320_mobilenet_v3_large",
    "ssd300_vgg16",
]

# torchvision's category lists are indexed by label; these entries are not object classes.
_NOT_CATEGORIES = {"__background__", "N/A"}


def architectures() -> List[str]:
    """The detection architectures this torchvision provides, by name."""
    import torchvision
    from torchvision.models import list_models

    return sorted(list_models(module=torchvision.models.detection))


def categories_of(weights_enum) -> List[dict]:
    """The categories that a torchvision detection model's labels index (COCO ids for COCO models)."""
    names = weights_enum.meta["categories"]
    return [{"id": label, "name": name} for label, name in enumerate(names) if name not in _NOT_CATEGORIES]


def build(name: str, weights: Optional[str] = "DEFAULT", seed: int = 0, **options):
    """The eager torchvision model `name` in eval mode, and the weights enum member it was built with
    (None for random weights). `options` go to the model's constructor (e.g. ``box_score_thresh=0.0``
    for Faster R-CNN, ``score_thresh`` for RetinaNet, FCOS and SSD)."""
    import torch
    from torchvision.models import get_model, get_model_weights

    known = architectures()
    if name not in known:
        raise ValueError(f"unknown detection architecture {name!r}; known: {', '.join(known)}")
    enum = get_model_weights(name)
    torch.manual_seed(seed)
    if weights is None or weights.lower() == "none":
        return get_model(name, weights=None, weights_backbone=None, **options).eval(), None
    try:
        chosen = enum.DEFAULT if weights == "DEFAULT" else enum[weights]
    except KeyError:
        raise ValueError(f"unknown weights {weights!r} for {name}; known: DEFAULT, none, "
                         f"{', '.join(member.name for member in enum)}") from None
    try:
        return get_model(name, weights=chosen, **options).eval(), chosen
    except OSError as error:  # urllib's URLError is an OSError
        raise RuntimeError(f"cannot get the pretrained weights {chosen} ({error}); they are downloaded once "
                           f"from download.pytorch.org into torch's cache. Without internet, use --weights none "
                           f"(random weights)") from error


def export(name: str, out, weights: Optional[str] = "DEFAULT", seed: int = 0, **options) -> dict:
    """Scripts torchvision's `name` with torch.jit.script and saves it to `out` with edgebench's metadata.
    `options` go to the model's constructor. Returns the metadata."""
    import torch
    import torchvision
    from torchvision.models import get_model_weights

    model, chosen = build(name, weights, seed, **options)
    scripted = torch.jit.script(model)
    info = metadata.make(
        name=name,
        architecture=name,
        weights=str(chosen).split(".", 1)[-1] if chosen is not None else "none",
        categories=categories_of(chosen if chosen is not None else get_model_weights(name).DEFAULT),
        description=f"torchvision {name}" + ("" if chosen is not None else " with random weights (seed %d)" % seed),
        torch=torch.__version__,
        torchvision=torchvision.__version__,
        options=options,
    )
    metadata.save(scripted, out, info)
    return info
