#include "monitor/net_dev.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace edgebench::detail {

bool parse_net_dev(std::string_view text, std::vector<HwNetInterface>& out) {
    out.clear();
    // Two header lines ("Inter-|   Receive ..." and " face |bytes ..."), then one line per interface:
    // "  name: rx_bytes rx_packets errs drop fifo frame compressed multicast tx_bytes tx_packets ...".
    if (text.find("face |") == std::string_view::npos) return false;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || line.find('|') != std::string_view::npos) continue;
        std::string_view name = line.substr(0, colon);
        name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
        std::string_view rest = line.substr(colon + 1);
        std::array<std::uint64_t, 10> v{};
        std::size_t count = 0;
        while (count < v.size()) {
            const auto begin = rest.find_first_not_of(' ');
            if (begin == std::string_view::npos) break;
            rest.remove_prefix(begin);
            const auto [stop, error] = std::from_chars(rest.data(), rest.data() + rest.size(), v[count]);
            if (error != std::errc()) break;
            rest.remove_prefix(static_cast<std::size_t>(stop - rest.data()));
            ++count;
        }
        if (count < v.size() || name.empty()) continue;
        out.push_back({std::string(name), v[0], v[8], v[1], v[9]});
    }
    return true;
}

std::vector<HwNetInterface> net_delta(const std::vector<HwNetInterface>& before,
                                      const std::vector<HwNetInterface>& after) {
    const auto diff = [](std::uint64_t now, std::uint64_t then) { return now >= then ? now - then : now; };
    std::vector<HwNetInterface> delta;
    delta.reserve(after.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
        const auto& now = after[i];
        // Interfaces keep their order between readings, so look at the same index first.
        const HwNetInterface* then = i < before.size() && before[i].name == now.name ? &before[i] : nullptr;
        for (std::size_t j = 0; !then && j < before.size(); ++j) {
            if (before[j].name == now.name) then = &before[j];
        }
        if (!then) {
            delta.push_back(now);
            continue;
        }
        const bool reset = now.rx_bytes < then->rx_bytes || now.tx_bytes < then->tx_bytes;
        delta.push_back({now.name, reset ? now.rx_bytes : diff(now.rx_bytes, then->rx_bytes),
                         reset ? now.tx_bytes : diff(now.tx_bytes, then->tx_bytes),
                         reset ? now.rx_packets : diff(now.rx_packets, then->rx_packets),
                         reset ? now.tx_packets : diff(now.tx_packets, then->tx_packets)});
    }
    return delta;
}

}  // namespace edgebench::detail
