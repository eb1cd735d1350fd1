"""`edgebench` on PATH after `pip install`: runs the packaged C++ program with the same arguments.

`edgebench report ...` is written in Python (edgebench.report) and runs here, in this interpreter. For
every other command the C++ program replaces this process; it gets EDGEBENCH_PYTHON set to this
interpreter, so that a command it hands back to Python uses the same environment (a virtual
environment's packages included).
"""

import os
import sys
from pathlib import Path


def program(name="edgebench"):
    """The path of a packaged program: edgebench, edgebench-edge, edgebench-cloud or edgebench-workload."""
    path = Path(__file__).resolve().parent / "bin" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; reinstall edgebench (pip install --no-build-isolation .)")
    return path


def main():
    arguments = sys.argv[1:]
    if arguments and arguments[0] == "report":
        from .report import main as report_main

        sys.exit(report_main(arguments[1:]))
    path = program()
    os.environ.setdefault("EDGEBENCH_PYTHON", sys.executable)
    os.execv(path, [str(path)] + arguments)


if __name__ == "__main__":
    main()
