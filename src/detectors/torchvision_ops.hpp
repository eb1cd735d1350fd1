#pragma once
// torchvision's custom TorchScript operators (torchvision::nms, torchvision::roi_align, ...), which
// scripted torchvision detection models call and plain libtorch lacks. No torch headers here.

#include <string>
#include <vector>

namespace edgebench::detail {

/// Environment variable naming the library file to load instead of searching for it.
inline constexpr const char* kTorchvisionOpsVariable = "EDGEBENCH_TORCHVISION_OPS";

struct TorchvisionOps {
    bool loaded = false;
    std::string path;                ///< the library that was loaded
    std::vector<std::string> tried;  ///< "path: why it failed" for each candidate that did not load
};

/// Loads the operator library into the process the first time it is called and reports what happened
/// on every later call. Candidates, first that loads wins: `$EDGEBENCH_TORCHVISION_OPS` alone when it
/// is set; otherwise torchvision's `_C*.so` in Debian's and pip's Python package folders, then
/// `libtorchvision.so` (a C++ build of torchvision) on the loader's path.
const TorchvisionOps& torchvision_ops();

/// What to tell a user whose model needs the operators when they could not be loaded.
std::string torchvision_ops_help(const TorchvisionOps& ops);

}  // namespace edgebench::detail
