"""The metadata file that edgebench stores inside a TorchScript archive.

``torch.jit.save(module, path, _extra_files={"edgebench.json": ...})`` keeps it beside the code and the
weights, so a model file describes itself: C++ reads it with ``torch::jit::load(path, device, extra)``.

Fields (all optional for the C++ backend; without the file it assumes a torchvision COCO model):

``format``        ``"edgebench-torchscript/1"``
``name``          short model name
``architecture``  e.g. ``fasterrcnn_resnet50_fpn`` or ``shapes-centernet``
``weights``       ``"DEFAULT"``, a weights enum name, ``"none"`` (random) or ``"trained"``
``categories``    ``[{"id", "name", "supercategory"}]``; the model's ``labels`` are these ids
``input``         ``{"color": "rgb" | "bgr", "scale": 255.0}``: the model takes CHW float tensors of that
                  channel order with values ``pixel / scale`` (torchvision: rgb, 0..1, i.e. 255)
"""

import json
import os
import tempfile

EXTRA_FILE = "edgebench.json"
FORMAT = "edgebench-torchscript/1"


def make(name, architecture, weights, categories, description="", **extra):
    info = {
        "format": FORMAT,
        "name": name,
        "architecture": architecture,
        "weights": weights,
        "description": description,
        "input": {"color": "rgb", "scale": 255.0},
        "output": "torchvision-detection",
        "categories": [dict(c) for c in categories],
    }
    info.update(extra)
    return info


def save(scripted_module, out, info):
    """Saves the scripted module with the metadata, atomically (a reader never sees half a file, and two
    processes exporting the same model at once both leave a complete one)."""
    import torch

    out = os.fspath(out)
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".export-", suffix=".pt", dir=directory)
    os.close(handle)
    try:
        torch.jit.save(scripted_module, temporary, _extra_files={EXTRA_FILE: json.dumps(info, indent=1)})
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 is for the half-written file only
        os.replace(temporary, out)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def load(path):
    """The metadata of a saved model, or None when it has none. Reads the archive (a zip file whose
    extra files sit in ``<archive>/extra/``) without loading the model, which may need operators that
    this process lacks."""
    import zipfile

    with zipfile.ZipFile(os.fspath(path)) as archive:
        for entry in archive.namelist():
            if entry.endswith("/extra/" + EXTRA_FILE):
                return json.loads(archive.read(entry).decode("utf-8"))
    return None
