#include "detectors/torchvision_ops.hpp"

#include <dlfcn.h>
#include <glob.h>

#include <cstdlib>

namespace edgebench::detail {
namespace {

std::vector<std::string> expand(const char* pattern) {
    std::vector<std::string> paths;
    glob_t matches{};
    if (::glob(pattern, 0, nullptr, &matches) == 0) {
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
    }
    ::globfree(&matches);
    return paths;
}

std::vector<std::string> candidates() {
    if (const char* chosen = std::getenv(kTorchvisionOpsVariable); chosen && *chosen) return {chosen};
    std::vector<std::string> paths;
    for (const char* pattern : {"/usr/lib/python3/dist-packages/torchvision/_C*.so",
                                "/usr/local/lib/python3*/dist-packages/torchvision/_C*.so",
                                "/usr/local/lib/python3*/site-packages/torchvision/_C*.so",
                                "/usr/lib/python3*/site-packages/torchvision/_C*.so"}) {
        for (auto& path : expand(pattern)) paths.push_back(std::move(path));
    }
    paths.emplace_back("libtorchvision.so");
    return paths;
}

TorchvisionOps load() {
    TorchvisionOps ops;
    for (const auto& path : candidates()) {
        // RTLD_GLOBAL: the library registers its operators with libtorch's dispatcher from static
        // initialisers; RTLD_NOW: an ABI mismatch with this libtorch fails here, not mid-inference.
        // The handle is kept for the life of the process: registered operators must never be unloaded.
        if (::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) != nullptr) {
            ops.loaded = true;
            ops.path = path;
            return ops;
        }
        const char* why = ::dlerror();
        ops.tried.push_back(path + ": " + (why ? why : "cannot be loaded"));
    }
    return ops;
}

}  // namespace

const TorchvisionOps& torchvision_ops() {
    // Loading a library is process-wide by nature, so the outcome is too: one attempt, then immutable.
    static const TorchvisionOps ops = load();
    return ops;
}

std::string torchvision_ops_help(const TorchvisionOps& ops) {
    std::string text =
        "this model calls torchvision's custom operators (torchvision::nms, torchvision::roi_align), which "
        "were not found; install them (Debian: apt-get install python3-torchvision; elsewhere: pip install "
        "torchvision matching this libtorch) or set " +
        std::string(kTorchvisionOpsVariable) + " to torchvision's _C*.so or libtorchvision.so";
    if (!ops.tried.empty()) {
        text += " (tried:";
        for (const auto& attempt : ops.tried) text += " " + attempt + ";";
        text.back() = ')';
    }
    return text;
}

}  // namespace edgebench::detail
