#include "internal/library_folder.hpp"

#include <dlfcn.h>

#include <system_error>

namespace edgebench::detail {

std::filesystem::path library_folder() {
    // Any object of this library would do; dladdr names the file that holds it.
    static const int anchor = 0;
    Dl_info info{};
    if (::dladdr(&anchor, &info) == 0 || info.dli_fname == nullptr) return {};
    std::error_code ec;
    auto path = std::filesystem::canonical(info.dli_fname, ec);
    return ec ? std::filesystem::path() : path.parent_path();
}

}  // namespace edgebench::detail
