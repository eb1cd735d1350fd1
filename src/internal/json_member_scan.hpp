#pragma once
// Finds a top-level string member of a JSON object without a full parse. The JSON wire format carries
// the image as one huge base64 string; a general JSON parser reads it character by character and copies
// it twice (about 1.4 ms for a 160 KB COCO image here, more than the rest of serving the request), while
// finding its two quotes takes microseconds. The rest of the document is then parsed as usual.

#include <cstddef>
#include <optional>
#include <string_view>

namespace edgebench::detail {

/// Where the value of `key` lies in `json` (the characters between its quotes), when `json` is an
/// object with exactly one top-level member `key` whose value is a string without escape sequences.
/// Otherwise (absent, repeated, not a string, escapes, malformed) nullopt: the caller parses normally.
struct StringMember {
    std::size_t begin = 0;  ///< first character of the value
    std::size_t end = 0;    ///< the value's closing quote
};
std::optional<StringMember> find_plain_string_member(std::string_view json, std::string_view key) noexcept;

}  // namespace edgebench::detail
