"""Builds the C++ extension edgebench._core with CMake (pip install --no-build-isolation .).

With EDGEBENCH_BUILD_DIR set to an existing CMake build folder (what `make` does), the extension and
libedgebench already built there are reused; otherwise CMake configures and builds them here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.environ.get("EDGEBENCH_BUILD_DIR")
        if build_dir:
            build_dir = Path(build_dir).resolve()
        else:
            build_dir = Path(self.build_temp).resolve() / "cmake"
            subprocess.run(
                ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                 f"-DPython_EXECUTABLE={sys.executable}", "-DEDGEBENCH_BUILD_TESTS=OFF",
                 "-DEDGEBENCH_BUILD_BENCH=OFF"],
                check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_core", "-j", str(os.cpu_count() or 2)],
                       check=True)  # _core depends on the programs it packages
        package_dir = build_dir / "python" / "edgebench"
        target_dir = Path(self.get_ext_fullpath(ext.name)).parent
        target_dir.mkdir(parents=True, exist_ok=True)
        built = sorted(package_dir.glob("_core*.so")) + sorted(package_dir.glob("libedgebench.so*"))
        # The TorchScript plugin, which libedgebench loads from its own folder (absent without libtorch).
        built += sorted(package_dir.glob("libedgebench_torch.so"))
        if not built:
            raise RuntimeError(f"CMake built nothing in {package_dir}")
        for path in built:
            shutil.copy2(path, target_dir / path.name)
        # The programs (the runner starts the node programs from here; `edgebench` runs the CLI).
        (target_dir / "bin").mkdir(exist_ok=True)
        for path in sorted((package_dir / "bin").glob("edgebench*")):
            shutil.copy2(path, target_dir / "bin" / path.name)
        # The built-in detector's model, where the `builtin` backend looks beside libedgebench.
        (target_dir / "models").mkdir(exist_ok=True)
        for path in sorted((ROOT / "models").glob("*.pt")):
            shutil.copy2(path, target_dir / "models" / path.name)


setup(ext_modules=[CMakeExtension("edgebench._core")], cmdclass={"build_ext": CMakeBuild})
