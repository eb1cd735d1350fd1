#include "torch_models.hpp"

#include <cctype>
#include <functional>
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

std::filesystem::path python_outputs(const std::string& script, const std::string& kind) {
    const auto root = std::filesystem::path(EDGEBENCH_BINARY_DIR) / "tests" / kind;
    const auto folder = root / std::to_string(std::hash<std::string>{}(script));
    if (std::filesystem::exists(folder)) return folder;
    if (!python_has_torchvision()) return {};
    std::filesystem::create_directories(root);
    // Made beside the final name and renamed into place: tests running at once never see half of it.
    TempDir scratch;
    const auto staging = root / (".staging-" + scratch.path().filename().string());
    std::filesystem::create_directories(staging);
    write_text(scratch / "script.py", script);
    const auto result = run_command(quoted(python_interpreter()) + " " + quoted((scratch / "script.py").string()) +
                                    " " + quoted(staging.string()));
    if (result.status != 0) {
        std::filesystem::remove_all(staging);
        throw std::runtime_error("python failed:\n" + script + "\n" + result.output);
    }
    std::error_code ec;
    std::filesystem::rename(staging, folder, ec);
    if (ec) std::filesystem::remove_all(staging);  // another test made it first
    return folder;
}

std::filesystem::path torchvision_model(const std::string& name, const std::string& option) {
    const auto folder = std::filesystem::path(EDGEBENCH_BINARY_DIR) / "tests" / "torchvision-models";
    std::string tag = option;
    for (char& c : tag) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    const auto file = folder / (name + (tag.empty() ? "" : "-" + tag) + ".pt");
    if (std::filesystem::exists(file)) return file;
    if (!python_has_torchvision()) return {};
    std::filesystem::create_directories(folder);
    // The exporter writes atomically, so tests exporting the same model at once both see a whole file.
    // `-m models` from inside the package folder runs edgebench.models without the compiled extension,
    // which the exporter does not need (and sanitizer builds do not build).
    const std::string package = std::string(EDGEBENCH_SOURCE_DIR) + "/python/edgebench";
    const auto result = run_command("PYTHONPATH=" + quoted(package) + " " + quoted(python_interpreter()) +
                                    " -m models export " + name + " " + quoted(file.string()) + " --weights none" +
                                    (option.empty() ? "" : " --option " + quoted(option)));
    if (result.status != 0) throw std::runtime_error("exporting " + name + " failed:\n" + result.output);
    return file;
}

}  // namespace edgebench::test
