#pragma once
// Lower-casing for the ASCII keywords of protocols and settings strings (HTTP header names, digest
// algorithms, preprocessing keys): byte by byte, independent of the locale.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace edgebench::detail {

inline std::string ascii_lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return result;
}

}  // namespace edgebench::detail
