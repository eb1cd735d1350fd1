#include "torch_models.hpp"

#include <stdexcept>

#include "test_support.hpp"

namespace edgebench::test {
namespace {

std::string quoted(const std::string& text) {
    std::string result = "'";
    for (char c : text) result += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return result + "'";
}

}  // namespace

std::string python_interpreter() { return EDGEBENCH_TEST_PYTHON; }

bool python_has_torchvision() {
    static const bool available =
        run_command(quoted(python_interpreter()) + " -c 'import torch, torchvision'").status == 0;
    return available;
}

void run_python(const std::string& code) {
    TempDir dir;
    const auto script = dir / "script.py";
    write_text(script, code);
    const auto result = run_command(quoted(python_interpreter()) + " " + quoted(script.string()));
    if (result.status != 0) throw std::runtime_error("python failed:\n" + code + "\n" + result.output);
}

std::filesystem::path torchvision_model(const std::string& name) {
    const auto folder = std::filesystem::path(EDGEBENCH_BINARY_DIR) / "tests" / "torchvision-models";
    const auto file = folder / (name + ".pt");
    if (std::filesystem::exists(file)) return file;
    std::filesystem::create_directories(folder);
    // The exporter writes atomically, so tests exporting the same model at once both see a whole file.
    // `-m models` from inside the package folder runs edgebench.models without the compiled extension,
    // which the exporter does not need (and sanitizer builds do not build).
    const std::string package = std::string(EDGEBENCH_SOURCE_DIR) + "/python/edgebench";
    const auto result = run_command("PYTHONPATH=" + quoted(package) + " " + quoted(python_interpreter()) +
                                    " -m models export " + name + " " + quoted(file.string()) + " --weights none");
    if (result.status != 0) throw std::runtime_error("exporting " + name + " failed:\n" + result.output);
    return file;
}

}  // namespace edgebench::test
