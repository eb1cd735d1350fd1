#!/usr/bin/env python3
"""Writes python/edgebench/_core.pyi, the type stubs of the C++ extension, from the built module.

pybind11 puts each function's signature in the first line of its docstring ("name(a: int = 1) -> str");
this script turns those into stub declarations, with the descriptions as docstrings. Run it after
changing a binding (with an interpreter that imports the freshly built edgebench):

    .venv/bin/python scripts/make_stubs.py            # writes python/edgebench/_core.pyi
    .venv/bin/python scripts/make_stubs.py --check    # exits 1 when the stub is out of date

tests/python/test_bindings_api.py checks that every public name of edgebench._core is in the stub.
"""

import argparse
import inspect
import re
import sys
import textwrap
from pathlib import Path

STUB = Path(__file__).resolve().parents[1] / "python" / "edgebench" / "_core.pyi"

HEADER = '''"""Type stubs of edgebench._core (the C++ extension). Written by scripts/make_stubs.py: run it again
after changing a binding; tests/python/test_bindings_api.py checks that no public name is missing."""

import os
from typing import Any, Callable, ClassVar, Dict, Iterator, List, Optional, Sequence, Set, Tuple, Union, overload

import numpy
'''

SIGNATURE = re.compile(r"^(?:\d+\. )?(\w*)\((.*)\)(?: -> (.+))?$")


def python_type(text):
    """A pybind11 type name as the stub writes it."""
    text = text.replace("edgebench._core.", "")
    text = re.sub(r"\bnumpy\.ndarray\[[^\]]*\]", "numpy.ndarray", text)
    text = re.sub(r"\bos\.PathLike\b", "Union[str, os.PathLike]", text)
    text = text.replace("capsule", "Any").replace("buffer", "bytes").replace("handle", "Any")
    text = text.replace("Callable[[], None]", "Callable[[], None]")
    # C++ types that pybind11 could not name (not bound, or bound later than the signature was made).
    if "::" in text or "<" in text:
        return "Any"
    return text


def split_arguments(text):
    """Splits 'a: int, b: Dict[str, int] = {}' at the top-level commas."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def argument(text):
    if text in ("*args", "**kwargs") or text.startswith(("*args", "**kwargs")):
        name, _, kind = text.partition(": ")
        return name if name.startswith("*") else text
    name, _, rest = text.partition(": ")
    if not rest:
        return name
    kind, equals, default = rest.partition(" = ")
    kind = python_type(kind)
    if name.startswith("*"):
        return name
    if equals:
        return f"{name}: {kind} = ..."
    return f"{name}: {kind}"


def signatures(function):
    """[(arguments, return type)] of each overload, and the description."""
    doc = function.__doc__ or ""
    lines = doc.splitlines()
    found, description = [], []
    overloaded = any(line.strip() == "Overloaded function." for line in lines)
    for line in lines:
        match = SIGNATURE.match(line.strip())
        if match and match.group(1) in (function.__name__, ""):
            if overloaded and not re.match(r"^\d+\. ", line.strip()):
                continue  # the generic name(*args, **kwargs) line above the numbered overloads
            found.append(([argument(a) for a in split_arguments(match.group(2))],
                          python_type(match.group(3) or "None")))
        elif line.strip() != "Overloaded function.":
            description.append(line)
    text = textwrap.dedent("\n".join(description)).strip()
    return found, text


def docstring(text, indent):
    if not text:
        return ""
    text = text.replace('"""', "'''").replace("\\", "\\\\")
    if "\n" not in text and len(text) + indent + 6 <= 110:
        return " " * indent + f'"""{text}"""\n'
    body = textwrap.indent(text, " " * indent)
    return " " * indent + '"""\n' + body + "\n" + " " * indent + '"""\n'


def function_stub(name, function, indent, method):
    found, text = signatures(function)
    if not found and name == "__init__":
        return ""  # a class Python cannot construct (objects come from other calls)
    if not found:
        found = [(["self", "*args", "**kwargs"] if method else ["*args", "**kwargs"], "Any")]
    out = ""
    for arguments, returns in found:
        if len(found) > 1:
            out += " " * indent + "@overload\n"
        if method and arguments and arguments[0].startswith("self"):
            arguments[0] = "self"
        out += " " * indent + f"def {name}({', '.join(arguments)}) -> {returns}:\n"
        out += docstring(text, indent + 4) if text else ""
        out += " " * (indent + 4) + "...\n"
    return out


def is_enum(cls):
    return hasattr(cls, "__members__") and hasattr(cls, "value")


def class_stub(name, cls, indent=0):
    bases = [b.__name__ for b in cls.__bases__ if b.__module__ == cls.__module__ and b.__name__ != "pybind11_object"]
    if issubclass(cls, BaseException):
        bases = [b.__name__ for b in cls.__bases__]
    head = " " * indent + f"class {name}({', '.join(bases)}):\n" if bases else " " * indent + f"class {name}:\n"
    body = docstring((cls.__doc__ or "").strip(), indent + 4)
    if is_enum(cls):
        for member in cls.__members__:
            body += " " * (indent + 4) + f"{member}: ClassVar[{name}]\n"
        body += " " * (indent + 4) + "def __init__(self, value: int) -> None: ...\n"
        body += " " * (indent + 4) + "@property\n" + " " * (indent + 4) + "def name(self) -> str: ...\n"
        body += " " * (indent + 4) + "@property\n" + " " * (indent + 4) + "def value(self) -> int: ...\n"
        body += " " * (indent + 4) + "def __int__(self) -> int: ...\n"
        body += " " * (indent + 4) + "def __index__(self) -> int: ...\n"
        extra = [n for n in vars(cls) if not n.startswith("_") and n not in cls.__members__
                 and n not in ("name", "value")]
        for member in extra:
            body += member_stub(cls, member, indent + 4)
        return head + body
    if issubclass(cls, BaseException):
        body += " " * (indent + 4) + "message: str\n" + " " * (indent + 4) + "field: str\n"
        body += " " * (indent + 4) + "file: str\n"
        return head + body
    for member in sorted(vars(cls)):
        if member.startswith("_") and member not in ("__init__", "__len__", "__iter__", "__getitem__",
                                                     "__contains__", "__enter__", "__exit__", "__eq__", "__call__",
                                                     "__str__"):
            continue
        body += member_stub(cls, member, indent + 4)
    if not body.strip():
        body = " " * (indent + 4) + "...\n"
    return head + body


def member_stub(cls, member, indent):
    value = inspect.getattr_static(cls, member)
    if isinstance(value, type):
        return class_stub(member, value, indent)
    if isinstance(value, property):
        found, text = signatures(value.fget) if value.fget else ([], "")
        returns = found[0][1] if found else "Any"
        out = " " * indent + "@property\n" + " " * indent + f"def {member}(self) -> {returns}:"
        out += "\n" + docstring(text, indent + 4) + " " * (indent + 4) + "...\n" if text else " ...\n"
        if value.fset is not None:
            out += " " * indent + f"@{member}.setter\n" + " " * indent + \
                f"def {member}(self, value: {returns}) -> None: ...\n"
        return out
    if isinstance(value, staticmethod):
        return " " * indent + "@staticmethod\n" + function_stub(member, value.__func__, indent, method=False)
    if type(value).__name__ == "instancemethod" or callable(value):
        function = getattr(cls, member)
        if type(value).__name__ == "builtin_function_or_method":  # static properties of pybind11
            return " " * indent + "@staticmethod\n" + function_stub(member, function, indent, method=False)
        return function_stub(member, function, indent, method=True)
    # A static property (pybind11's def_property_readonly_static) or a plain attribute.
    return " " * indent + f"{member}: ClassVar[Any]\n"


def generate(module):
    out = HEADER
    names = sorted(n for n in dir(module) if not n.startswith("_"))
    classes = [n for n in names if isinstance(getattr(module, n), type)]
    functions = [n for n in names if n not in classes and callable(getattr(module, n))]
    constants = [n for n in names if n not in classes and n not in functions]
    out += "\n__version__: str\n"
    for name in constants:
        out += f"{name}: {type(getattr(module, name)).__name__}\n"
    # Base classes first, so that the stub reads in dependency order.
    ordered, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        for base in getattr(module, name).__bases__:
            if base.__name__ in classes:
                visit(base.__name__)
        ordered.append(name)

    for name in classes:
        visit(name)
    for name in ordered:
        out += "\n\n" + class_stub(name, getattr(module, name))
    for name in functions:
        out += "\n\n" + function_stub(name, getattr(module, name), 0, method=False)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the stub instead of writing it")
    parser.add_argument("--out", type=Path, default=STUB)
    args = parser.parse_args()
    import edgebench._core as core

    text = generate(core)
    if args.check:
        if not args.out.exists() or args.out.read_text() != text:
            print(f"{args.out} is out of date: run scripts/make_stubs.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text)
    print(f"wrote {args.out} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
