#pragma once
// The first non-blank line of a tool's or a library's message, for one-line errors (the rest is usually
// a usage text, a source excerpt or a backtrace).

#include <string>
#include <string_view>

namespace edgebench::detail {

inline std::string first_line(std::string_view text) {
    const auto begin = text.find_first_not_of("\r\n \t");
    if (begin == std::string_view::npos) return {};
    const auto end = text.find_first_of("\r\n", begin);
    return std::string(text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin));
}

}  // namespace edgebench::detail
