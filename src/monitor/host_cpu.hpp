#pragma once
// Host CPU utilisation from the first line of /proc/stat (proc_stat(5)).

#include <cstdint>
#include <optional>
#include <string_view>

namespace edgebench::detail {

/// Aggregate CPU time of all cores since boot, in clock ticks.
struct HostCpuTimes {
    std::uint64_t busy = 0;   ///< user + nice + system + irq + softirq + steal (guest time is inside user)
    std::uint64_t total = 0;  ///< busy + idle + iowait
};

/// Parses the `cpu ` line of /proc/stat; nullopt when it is missing or malformed.
std::optional<HostCpuTimes> parse_host_cpu(std::string_view text) noexcept;

/// Busy percent of all cores between two readings (0..100); nullopt when no time passed.
std::optional<double> host_cpu_util_pct(const HostCpuTimes& before, const HostCpuTimes& after) noexcept;

}  // namespace edgebench::detail
