#include "internal/json_member_scan.hpp"

#include <cstring>

namespace edgebench::detail {
namespace {

// The closing quote of the string whose opening quote is at `open`, or npos.
std::size_t closing_quote(std::string_view json, std::size_t open) noexcept {
    std::size_t from = open + 1;
    while (from < json.size()) {
        const void* found = std::memchr(json.data() + from, '"', json.size() - from);
        if (!found) return std::string_view::npos;
        const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - json.data());
        std::size_t backslashes = 0;
        while (quote - backslashes > open + 1 && json[quote - backslashes - 1] == '\\') ++backslashes;
        if (backslashes % 2 == 0) return quote;  // not itself escaped
        from = quote + 1;
    }
    return std::string_view::npos;
}

std::size_t skip_space(std::string_view json, std::size_t at) noexcept {
    while (at < json.size() && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n' || json[at] == '\r')) ++at;
    return at;
}

}  // namespace

std::optional<StringMember> find_plain_string_member(std::string_view json, std::string_view key) noexcept {
    std::optional<StringMember> found;
    int depth = 0;
    std::size_t at = skip_space(json, 0);
    if (at >= json.size() || json[at] != '{') return std::nullopt;
    while (at < json.size()) {
        const char c = json[at];
        if (c == '"') {
            const std::size_t close = closing_quote(json, at);
            if (close == std::string_view::npos) return std::nullopt;
            // A string at depth 1 followed by ':' is a member name of the top-level object.
            const std::size_t colon = skip_space(json, close + 1);
            if (depth == 1 && colon < json.size() && json[colon] == ':' && json.substr(at + 1, close - at - 1) == key) {
                if (found) return std::nullopt;  // repeated: leave the decision to the real parser
                const std::size_t value = skip_space(json, colon + 1);
                if (value >= json.size() || json[value] != '"') return std::nullopt;
                const std::size_t value_close = closing_quote(json, value);
                if (value_close == std::string_view::npos) return std::nullopt;
                if (std::memchr(json.data() + value + 1, '\\', value_close - value - 1)) return std::nullopt;
                found = StringMember{value + 1, value_close};
                at = value_close + 1;
                continue;
            }
            at = close + 1;
            continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') --depth;
        ++at;
    }
    return found;
}

}  // namespace edgebench::detail
