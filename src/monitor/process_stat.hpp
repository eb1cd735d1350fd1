#pragma once
// Parsing /proc/PID/stat and /proc/PID/status (proc_pid_stat(5), proc_pid_status(5)).

#include <cstdint>
#include <optional>
#include <string_view>

namespace edgebench::detail {

/// The fields of /proc/PID/stat that the monitor uses. Times are in clock ticks (sysconf(_SC_CLK_TCK)).
struct ProcessStat {
    char state = '?';
    int ppid = 0;
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    std::uint64_t cutime = 0;  ///< waited-for children (and their waited-for descendants)
    std::uint64_t cstime = 0;
    std::int64_t num_threads = 0;
    std::uint64_t starttime = 0;  ///< ticks after boot; with the pid it identifies the process
    std::int64_t rss_pages = 0;
};

/// Parses the content of /proc/PID/stat; nullopt when it is malformed. The command name (field 2) may
/// hold spaces and parentheses, so fields are counted from the last ')'.
std::optional<ProcessStat> parse_process_stat(std::string_view text) noexcept;

/// The value of a "Key:   123 kB" line of /proc/PID/status or /proc/meminfo, in bytes (values without a
/// unit are returned as they are); nullopt when the key is absent.
std::optional<std::uint64_t> find_kib_field(std::string_view text, std::string_view key) noexcept;

}  // namespace edgebench::detail
