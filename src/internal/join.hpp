#pragma once
// Names joined into one line of text.

#include <string>
#include <string_view>
#include <vector>

namespace edgebench::detail {

inline std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string text;
    for (const auto& item : items) {
        if (!text.empty()) text += separator;
        text += item;
    }
    return text;
}

}  // namespace edgebench::detail
