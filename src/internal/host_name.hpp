#pragma once
// The name of the machine that records and manifests carry.

#include <array>
#include <string>

#include <unistd.h>

namespace edgebench::detail {

inline std::string host_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0) return "localhost";
    return name.data();
}

}  // namespace edgebench::detail
