"""The bindings are complete and documented: every public class and function of the C++ headers has a
Python counterpart, every public name of edgebench._core is in the type stubs, and every class and
function carries a docstring."""

import ast
import inspect
import re
from pathlib import Path

import pytest

import edgebench
from edgebench import _core

REPO = Path(__file__).resolve().parents[2]
HEADERS = REPO / "include" / "edgebench"
STUB = Path(edgebench.__file__).parent / "_core.pyi"

# C++ names whose Python counterpart has another form, and what it is.
COUNTERPARTS = {
    "evaluate": "evaluate_dataset",              # and edgebench.evaluate() for dicts and paths
    "to_string": None,                            # str() of the values, enum .name
    "HwTarget": "HwMonitor",                      # HwMonitor(pid=..., tree=...)
    "HwMonitorOptions": "HwMonitor",              # HwMonitor's keyword arguments
    "DetectDatasetOptions": "detect_dataset",     # detect_dataset(workers=..., progress=...)
    "RunnerOptions": "run_experiment",            # run_experiment(out_dir, resume, monitor_period, on_progress)
    "SyntheticImage": "render_synthetic_image",   # returns (image array, annotations)
    "parse_wire_format": "WireFormat.parse",
    "DeploymentOptions": "write_compose_files",   # write_compose_files(out=..., image=..., port=...)
}


def _resolve(dotted):
    value = _core
    for part in dotted.split("."):
        if not hasattr(value, part):
            return None
        value = getattr(value, part)
    return value


def header_names():
    """(kind, name, header) of every class, struct, enum and free function declared at namespace scope."""
    found = set()
    for header in sorted(HEADERS.glob("*.hpp")):
        for line in header.read_text().splitlines():
            match = re.match(r"^(?:struct|class|enum class)\s+(\w+)", line)
            if match:
                found.add(("type", match.group(1), header.name))
                continue
            if not line or re.match(r"^(namespace|using|template|#|//|/\*|\*|}|inline|friend|\s)", line):
                continue
            match = re.match(r"^[A-Za-z][\w:<>, *&]*?[\s*&](\w+)\(", line)
            if match:
                found.add(("function", match.group(1), header.name))
    return sorted(found)


def test_every_public_cpp_name_has_a_python_counterpart():
    names = header_names()
    assert len(names) > 100  # the parser still understands the headers
    missing = []
    for kind, name, header in names:
        python = COUNTERPARTS.get(name, name)
        if python is None:
            continue
        if _resolve(python) is None:
            missing.append(f"{header}: {kind} {name}")
    assert missing == [], "bind these (or list their counterpart in COUNTERPARTS): " + ", ".join(missing)


def _stub_tree():
    return ast.parse(STUB.read_text())


def _stub_members(tree):
    """{top-level name: set of member names (for classes, nested classes included)}."""
    members = {}

    def collect(node):
        names = set()
        for child in node.body:
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                names.add(child.name)
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                names.add(child.target.id)
        return names

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            members.setdefault(node.name, set()).update(collect(node) if isinstance(node, ast.ClassDef) else set())
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            members.setdefault(node.target.id, set())
    return members


def _public_members(cls):
    own = set()
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        own.add(name)
    return own


def test_the_stub_names_every_public_name_of_the_module():
    assert STUB.exists(), "python/edgebench/_core.pyi is missing (scripts/make_stubs.py writes it)"
    assert (STUB.parent / "py.typed").exists()
    members = _stub_members(_stub_tree())
    public = [name for name in dir(_core) if not name.startswith("_")]
    missing = [name for name in public if name not in members]
    assert missing == [], f"not in _core.pyi (run scripts/make_stubs.py): {missing}"
    incomplete = {}
    for name in public:
        value = getattr(_core, name)
        if isinstance(value, type) and not issubclass(value, BaseException):
            absent = _public_members(value) - members[name]
            if absent:
                incomplete[name] = sorted(absent)
    assert incomplete == {}, f"members missing from _core.pyi (run scripts/make_stubs.py): {incomplete}"
    stale = [name for name in members if name not in public and name != "__version__"]
    assert stale == [], f"in _core.pyi but no longer in the module: {stale}"


def _description(function):
    """The docstring without pybind11's signature lines."""
    lines = (function.__doc__ or "").splitlines()
    name = getattr(function, "__name__", "")
    kept = [line for line in lines if line.strip() and not re.match(rf"^(\d+\. )?{name}\(", line.strip())
            and line.strip() != "Overloaded function."]
    return "\n".join(kept).strip()


def test_every_class_and_function_has_a_docstring():
    undocumented = []
    for name in dir(_core):
        if name.startswith("_"):
            continue
        value = getattr(_core, name)
        if isinstance(value, type):
            if not (value.__doc__ or "").strip():
                undocumented.append(name)
        elif callable(value) and not _description(value):
            undocumented.append(name + "()")
    assert undocumented == []


def test_every_method_has_a_signature_docstring():
    """pybind11 writes each method's signature into its docstring; stubs and help() rely on it."""
    for name in dir(_core):
        cls = getattr(_core, name)
        if not isinstance(cls, type) or name.startswith("_"):
            continue
        for member, value in vars(cls).items():
            if member.startswith("_") or not callable(value) or isinstance(value, type):
                continue
            function = getattr(cls, member)
            assert (function.__doc__ or "").strip(), f"{name}.{member}"


def test_errors_arrive_as_python_exceptions_with_the_cpp_message():
    with pytest.raises(edgebench.Error) as info:
        edgebench.PreprocessConfig(quality=0)
    assert isinstance(info.value, ValueError)
    assert info.value.field == "quality" and "between 1 and 100" in str(info.value)
    with pytest.raises(edgebench.Error) as info:
        edgebench.base64_decode("ab$d", field="image_b64")
    assert info.value.field == "image_b64"
    with pytest.raises(edgebench.Error) as info:
        edgebench.EdgeConfig(no_such_key=1)
    assert "no_such_key" in str(info.value)


def test_images_cross_as_numpy_arrays():
    options = edgebench.SyntheticDatasetOptions(width=96, height=64)
    image, _ = edgebench.render_synthetic_image(options, 0)
    assert image.shape == (64, 96, 3) and str(image.dtype) == "uint8"
    result = edgebench.Preprocessor(resize=50).process(image)
    assert result.image.shape == (32, 48, 3)
    detections = edgebench.make_detector("none").detect(image)
    assert len(detections) == 0


def test_submodules_are_reachable_from_the_package():
    assert inspect.ismodule(edgebench.analysis) and inspect.ismodule(edgebench.plots)
    assert inspect.ismodule(edgebench.report)
    with pytest.raises(AttributeError):
        edgebench.no_such_thing  # noqa: B018
