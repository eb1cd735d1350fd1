// `edgebench report RESULT_DIR --out report.html`: the report is written by the Python package
// (edgebench.report: pandas and matplotlib), so this command hands its arguments to a Python
// interpreter that can import it, replacing this process (exit status, output and Ctrl-C are Python's).
//
// Which interpreter, first match wins:
//   1. $EDGEBENCH_PYTHON (the `edgebench` script of a pip install sets it to the interpreter it runs
//      under before it starts this program, so a virtual environment's Python is used);
//   2. this program inside an installed Python package (site-packages/edgebench/bin/edgebench): the
//      interpreter the build used, with that site-packages folder on PYTHONPATH;
//   3. this program in the build tree: the interpreter the build used, with the build tree's complete
//      package folder (build/python, which the build fills) on PYTHONPATH;
//   4. otherwise the interpreter the build used, as it is.

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "edgebench/error.hpp"

#ifndef EDGEBENCH_PYTHON_EXECUTABLE
#define EDGEBENCH_PYTHON_EXECUTABLE "python3"
#endif
#ifndef EDGEBENCH_BUILD_PYTHON_DIR
#define EDGEBENCH_BUILD_PYTHON_DIR ""
#endif

namespace edgebench::cli {
namespace {

namespace fs = std::filesystem;

fs::path executable_directory() {
    std::error_code ec;
    return fs::read_symlink("/proc/self/exe", ec).parent_path();
}

bool holds_package(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "edgebench" / "__init__.py", ec) &&
           fs::is_regular_file(dir / "edgebench" / "report.py", ec);
}

// The folder to put on PYTHONPATH so that `import edgebench.report` finds the package that belongs to
// this program; empty when there is none to add.
fs::path package_parent() {
    const fs::path exe = executable_directory();
    if (!exe.empty() && exe.filename() == "bin" && holds_package(exe.parent_path().parent_path())) {
        return exe.parent_path().parent_path();  // site-packages/edgebench/bin -> site-packages
    }
    const fs::path build = EDGEBENCH_BUILD_PYTHON_DIR;
    if (!build.empty() && holds_package(build)) return build;
    return {};
}

void print_help() {
    std::cout << "usage: edgebench report RESULT_DIR [--out report.html] [--title TEXT] [--dpi N]\n"
                 "                        [--figure NAME ...] [--bootstrap N]\n\n"
                 "Write a self-contained HTML page with every figure and the summary tables of a result set\n"
                 "(what `edgebench run --out` wrote). Runs the Python package: python -m edgebench.report.\n"
                 "The interpreter is $EDGEBENCH_PYTHON, else " EDGEBENCH_PYTHON_EXECUTABLE ".\n";
}

}  // namespace

int run_report(const Args& args) {
    if (args.empty()) {
        print_help();
        return 2;
    }
    const char* chosen = std::getenv("EDGEBENCH_PYTHON");
    const std::string python = chosen && *chosen ? chosen : EDGEBENCH_PYTHON_EXECUTABLE;
    if (!(chosen && *chosen)) {
        if (const fs::path parent = package_parent(); !parent.empty()) {
            const char* existing = std::getenv("PYTHONPATH");
            std::string value = parent.string();
            if (existing && *existing) {
                value.push_back(':');
                value.append(existing);
            }
            ::setenv("PYTHONPATH", value.c_str(), 1);
        }
    }
    std::vector<std::string> words = {python, "-m", "edgebench.report"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    std::cout.flush();
    ::execvp(argv[0], argv.data());
    throw Error("cannot run the Python interpreter '" + python + "': " + std::strerror(errno) +
                    " (set EDGEBENCH_PYTHON to a Python that has the edgebench package)",
                "report");
}

}  // namespace edgebench::cli
