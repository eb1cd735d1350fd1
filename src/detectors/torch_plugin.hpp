#pragma once
// The TorchScript backend lives in a plugin, libedgebench_torch.so, that libedgebench loads the first time
// a `torchscript` or `builtin` detector is made. Loading libtorch and registering its operators takes
// about half a second (more under the sanitizers); linked into libedgebench, every program, test and
// `import edgebench` paid it at start-up whether it ran a TorchScript model or not. This is the
// interface between the library and the plugin.

#include <filesystem>
#include <memory>
#include <string>

#include "edgebench/detector.hpp"

namespace edgebench::detail {

/// Loads a TorchScript detection model and returns a detector for it (see torchscript_detector.hpp).
using TorchscriptDetectorFactory = std::unique_ptr<Detector> (*)(const std::filesystem::path& model_file,
                                                                 const std::string& spec, const std::string& backend,
                                                                 const DetectorOptions& options);

/// What the plugin hands the library. `interface_version` changes whenever this struct or the factory's
/// signature does; `edgebench_version` is the version the plugin was built as. The library refuses a
/// plugin whose either differs: a stale plugin from another install would otherwise crash.
struct TorchPlugin {
    int interface_version = 0;
    const char* edgebench_version = "";
    TorchscriptDetectorFactory make_detector = nullptr;
};

inline constexpr int kTorchPluginInterfaceVersion = 1;
/// The plugin's file name, looked for beside libedgebench, then on the library search path.
inline constexpr const char* kTorchPluginFile = "libedgebench_torch.so";
/// The one symbol the plugin exports: `const TorchPlugin* edgebench_torch_plugin()`.
inline constexpr const char* kTorchPluginEntry = "edgebench_torch_plugin";
/// Names the plugin file to load instead of the one found beside the library.
inline constexpr const char* kTorchPluginVariable = "EDGEBENCH_TORCH_PLUGIN";

}  // namespace edgebench::detail
