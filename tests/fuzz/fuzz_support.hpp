#pragma once
// What every fuzz target shares: bad input must end in `edgebench::Error` (the documented outcome) and
// nothing else. Any other exception, and any broken property a target checks, aborts with a message, so
// that libFuzzer records the input as a crash.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string_view>
#include <typeinfo>

#include "edgebench/error.hpp"

namespace edgebench::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

inline std::span<const std::uint8_t> bytes_of(const std::uint8_t* data, std::size_t size) { return {data, size}; }

/// Aborts with `what` when a property a target checks does not hold.
inline void check(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
}

/// Runs `body`; `Error` is the expected outcome of bad input and is swallowed; any other exception
/// aborts naming its type (the library promised `Error`). Returns whether `body` completed. With
/// `rethrow`, an `Error` goes on to the caller (for code that must see it, such as a server's handler).
template <class Body>
bool expect_errors_only(Body&& body, bool rethrow = false) {
    try {
        body();
        return true;
    } catch (const Error&) {
        if (rethrow) throw;
        return false;
    } catch (const std::exception& other) {
        std::fprintf(stderr, "exception other than edgebench::Error escaped: %s: %s\n", typeid(other).name(),
                     other.what());
        std::abort();
    }
}

}  // namespace edgebench::fuzz
