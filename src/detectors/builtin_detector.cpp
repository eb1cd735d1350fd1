// The `builtin` backend: the shapes detector trained on edgebench's synthetic dataset and shipped with
// it (models/shapes-v2.pt, made by scripts/train_builtin_model.py), so that a machine with nothing
// downloaded can run real detection. It is a TorchScript model; this file only finds it.

#include <cstdlib>
#include <system_error>
#include <vector>

#include "detectors/backends.hpp"
#include "detectors/torchscript_detector.hpp"
#include "edgebench/error.hpp"
#include "internal/library_folder.hpp"

namespace edgebench::detail {
namespace {

constexpr const char* kBuiltinModelVariable = "EDGEBENCH_BUILTIN_MODEL";
constexpr const char* kBuiltinModelName = "shapes-v2";

std::vector<std::filesystem::path> candidates(const std::string& file_name) {
    if (const char* chosen = std::getenv(kBuiltinModelVariable); chosen && *chosen) return {chosen};
    std::vector<std::filesystem::path> paths;
    if (const auto folder = library_folder(); !folder.empty()) {
        paths.push_back((folder / EDGEBENCH_LIB_TO_MODELS / file_name).lexically_normal());  // cmake --install
        paths.push_back(folder / "models" / file_name);  // the Python package (pip install)
    }
#ifdef EDGEBENCH_SOURCE_MODELS_DIR
    paths.push_back(std::filesystem::path(EDGEBENCH_SOURCE_MODELS_DIR) / file_name);  // the build tree
#endif
    return paths;
}

}  // namespace

std::filesystem::path builtin_model_path(const std::string& name) {
    const auto paths = candidates(name + ".pt");
    std::string looked;
    for (const auto& path : paths) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(path, ec)) return path;
        looked += (looked.empty() ? "" : ", ") + path.string();
    }
    throw Error("the built-in model '" + name + "' was not found (looked in: " + looked + "); set " +
                    kBuiltinModelVariable + " to its .pt file",
                "model");
}

DetectorRegistry::Backend builtin_backend() {
    return {"builtin", "builtin[:shapes-v2]",
            "the detector of the synthetic shapes shipped with edgebench (TorchScript, runs without downloads; "
            "EDGEBENCH_BUILTIN_MODEL overrides the file)",
            [](const DetectorSpec& spec, const DetectorOptions& options) {
                if (!spec.rest.empty() && spec.rest != kBuiltinModelName) {
                    throw Error("unknown built-in model '" + spec.rest + "'; the built-in model is '" +
                                    kBuiltinModelName + "'",
                                "model");
                }
                return make_torchscript_detector(builtin_model_path(kBuiltinModelName), spec.text, "builtin",
                                                 options);
            }};
}

}  // namespace edgebench::detail
