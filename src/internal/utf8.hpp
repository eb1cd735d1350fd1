#pragma once
// UTF-8 checks for text that ends up in JSON: nlohmann::json refuses to write a string that is not valid
// UTF-8 (it throws json::type_error), so text from sources that do not guarantee it (YAML files, error
// messages quoting input) is checked or cut with these.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edgebench::detail {

/// Whether `text` is well-formed UTF-8: no stray continuation bytes, no truncated sequences, no overlong
/// forms, no surrogates, nothing above U+10FFFF (what a JSON writer accepts).
inline bool is_valid_utf8(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t code = 0;
        std::uint32_t smallest = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2, code = lead & 0x1Fu, smallest = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, code = lead & 0x0Fu, smallest = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, code = lead & 0x07u, smallest = 0x10000;
        } else {
            return false;
        }
        if (text.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3Fu);
        }
        if (code < smallest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

/// The longest prefix of `text` of at most `limit` bytes that does not end inside a multi-byte sequence.
inline std::string_view utf8_prefix(std::string_view text, std::size_t limit) noexcept {
    if (text.size() <= limit) return text;
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut);
}

}  // namespace edgebench::detail
