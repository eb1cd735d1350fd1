"""`edgebench` on PATH after `pip install`: runs the packaged C++ program with the same arguments."""

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
    path = program()
    os.execv(path, [str(path)] + sys.argv[1:])


if __name__ == "__main__":
    main()
