#pragma once
// The wall-clock time that records carry: seconds since the Unix epoch, with the fraction.

#include <chrono>

namespace edgebench::detail {

inline double unix_time_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace edgebench::detail
