// Loads libedgebench_torch.so on the first TorchScript detector (see torch_plugin.hpp).

#include "detectors/torch_plugin.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <system_error>
#include <vector>

#include "detectors/torchscript_detector.hpp"
#include "edgebench/error.hpp"
#include "edgebench/version.hpp"
#include "internal/library_folder.hpp"

namespace edgebench::detail {
namespace {

struct LoadedPlugin {
    const TorchPlugin* plugin = nullptr;
    std::string error;  // why there is none
};

std::vector<std::string> plugin_candidates() {
    if (const char* chosen = std::getenv(kTorchPluginVariable); chosen && *chosen) return {chosen};
    std::vector<std::string> candidates;
    if (const auto folder = library_folder(); !folder.empty()) {
        std::error_code ec;
        if (std::filesystem::exists(folder / kTorchPluginFile, ec)) candidates.push_back(folder / kTorchPluginFile);
    }
    candidates.emplace_back(kTorchPluginFile);  // the library search path (rpath, LD_LIBRARY_PATH, ld.so.cache)
    return candidates;
}

LoadedPlugin load_plugin() {
    std::string tried;
    for (const auto& candidate : plugin_candidates()) {
        // RTLD_GLOBAL: libtorch's symbols become visible to what is loaded after it (torchvision's operator
        // library, see torchvision_ops.cpp), as they were when libedgebench linked libtorch directly. The
        // handle is never closed: libtorch cannot be unloaded safely.
        void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_GLOBAL);
        if (handle == nullptr) {
            const char* why = ::dlerror();
            tried += (tried.empty() ? "" : "; ") + candidate + ": " + (why ? why : "cannot be loaded");
            continue;
        }
        using Entry = const TorchPlugin* (*)();
        const auto entry = reinterpret_cast<Entry>(::dlsym(handle, kTorchPluginEntry));
        const TorchPlugin* plugin = entry ? entry() : nullptr;
        if (plugin == nullptr || plugin->make_detector == nullptr) {
            return {nullptr, candidate + " is not an edgebench TorchScript plugin (no " + kTorchPluginEntry + ")"};
        }
        if (plugin->interface_version != kTorchPluginInterfaceVersion ||
            std::string(plugin->edgebench_version) != kVersion) {
            return {nullptr, candidate + " was built for edgebench " + plugin->edgebench_version +
                                 " (plugin interface " + std::to_string(plugin->interface_version) +
                                 "), this library is " + kVersion + " (interface " +
                                 std::to_string(kTorchPluginInterfaceVersion) + ")"};
        }
        return {plugin, {}};
    }
    return {nullptr, "the TorchScript backends need " + std::string(kTorchPluginFile) +
                         " (built with libtorch beside libedgebench), which could not be loaded: " + tried +
                         "; set " + kTorchPluginVariable + " to its path"};
}

const TorchPlugin& torch_plugin() {
    // Loaded once per process, on first use; what it found never changes afterwards.
    static const LoadedPlugin loaded = load_plugin();
    if (loaded.plugin == nullptr) throw Error(loaded.error, "model");
    return *loaded.plugin;
}

}  // namespace

std::unique_ptr<Detector> make_torchscript_detector(const std::filesystem::path& model_file, const std::string& spec,
                                                    const std::string& backend, const DetectorOptions& options) {
    return torch_plugin().make_detector(model_file, spec, backend, options);
}

}  // namespace edgebench::detail
