#include "monitor/process_stat.hpp"

#include <charconv>

namespace edgebench::detail {
namespace {

// Splits the next token (separated by spaces or tabs) off `rest`.
std::string_view next_token(std::string_view& rest) noexcept {
    const auto begin = rest.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        rest = {};
        return {};
    }
    rest.remove_prefix(begin);
    const auto end = rest.find_first_of(" \t\n");
    const auto token = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    return token;
}

template <typename T>
bool parse_number(std::string_view token, T& value) noexcept {
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
    return error == std::errc() && end == token.data() + token.size();
}

}  // namespace

std::optional<ProcessStat> parse_process_stat(std::string_view text) noexcept {
    const auto close = text.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    ProcessStat stat;
    // Field numbers as in proc_pid_stat(5); field 3 is the first after the command name.
    std::int64_t signed_value = 0;
    std::uint64_t value = 0;
    for (int field = 3; field <= 24; ++field) {
        const auto token = next_token(rest);
        if (token.empty()) return std::nullopt;
        switch (field) {
            case 3: stat.state = token.front(); break;
            case 4:
                if (!parse_number(token, stat.ppid)) return std::nullopt;
                break;
            case 14:
            case 15:
            case 22:
                if (!parse_number(token, value)) return std::nullopt;
                (field == 14 ? stat.utime : field == 15 ? stat.stime : stat.starttime) = value;
                break;
            case 16:
            case 17:
            case 20:
            case 24:
                // Printed as signed (%ld); children's times are never negative in practice.
                if (!parse_number(token, signed_value)) return std::nullopt;
                if (field == 16) stat.cutime = static_cast<std::uint64_t>(signed_value < 0 ? 0 : signed_value);
                if (field == 17) stat.cstime = static_cast<std::uint64_t>(signed_value < 0 ? 0 : signed_value);
                if (field == 20) stat.num_threads = signed_value;
                if (field == 24) stat.rss_pages = signed_value;
                break;
            default: break;
        }
    }
    return stat;
}

std::optional<std::uint64_t> find_kib_field(std::string_view text, std::string_view key) noexcept {
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') continue;
        line.remove_prefix(key.size() + 1);
        std::string_view rest = line;
        const auto number = next_token(rest);
        std::uint64_t value = 0;
        if (!parse_number(number, value)) return std::nullopt;
        const auto unit = next_token(rest);
        return unit == "kB" ? value * 1024 : value;
    }
    return std::nullopt;
}

}  // namespace edgebench::detail
