#pragma once
// The folder libedgebench.so was loaded from, wherever it was installed or copied to (the Python package
// carries a copy): files shipped beside it (the TorchScript plugin, the built-in model) are found from here.

#include <filesystem>

namespace edgebench::detail {

/// Empty when it cannot be told.
std::filesystem::path library_folder();

}  // namespace edgebench::detail
