#include "monitor/host_cpu.hpp"

#include <array>
#include <charconv>

namespace edgebench::detail {

std::optional<HostCpuTimes> parse_host_cpu(std::string_view text) noexcept {
    if (text.substr(0, 4) != "cpu ") return std::nullopt;
    const auto end_of_line = text.find('\n');
    std::string_view rest = text.substr(4, end_of_line == std::string_view::npos ? text.size() : end_of_line - 4);
    // user nice system idle iowait irq softirq steal (guest and guest_nice follow, already in user/nice);
    // kernels before 2.6.11 print fewer columns, which count as zero.
    std::array<std::uint64_t, 8> v{};
    std::size_t count = 0;
    while (count < v.size()) {
        const auto begin = rest.find_first_not_of(' ');
        if (begin == std::string_view::npos) break;
        rest.remove_prefix(begin);
        const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), v[count]);
        if (error != std::errc()) return std::nullopt;
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
        ++count;
    }
    if (count < 4) return std::nullopt;
    HostCpuTimes times;
    times.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    times.total = times.busy + v[3] + v[4];
    return times;
}

std::optional<double> host_cpu_util_pct(const HostCpuTimes& before, const HostCpuTimes& after) noexcept {
    if (after.total <= before.total) return std::nullopt;
    const double busy = after.busy >= before.busy ? static_cast<double>(after.busy - before.busy) : 0.0;
    const double pct = 100.0 * busy / static_cast<double>(after.total - before.total);
    return pct > 100.0 ? 100.0 : pct;
}

}  // namespace edgebench::detail
