#pragma once
// Hardware event counting through perf_event_open(2): one descriptor per thread of the monitored
// process, each with `inherit` so that threads and processes started later are counted as well.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "internal/unique_fd.hpp"

namespace edgebench::detail {

struct PerfEventSpec {
    std::uint32_t type = 0;    ///< PERF_TYPE_HARDWARE, PERF_TYPE_SOFTWARE, ...
    std::uint64_t config = 0;  ///< e.g. PERF_COUNT_HW_CPU_CYCLES
    /// For a child forked but not yet exec'd: counting starts at its exec.
    bool enable_on_exec = false;
};

class PerfCounter {
public:
    PerfCounter() = default;

    /// Opens the event on each of `tids`. On failure returns a counter that is not open and sets
    /// `error` to a reason a person can act on (no PMU, perf_event_paranoid, seccomp, ...). When the
    /// kernel only allows user-space counting, counts user space and sets `note` to say so.
    static PerfCounter open(const PerfEventSpec& spec, const std::vector<int>& tids, std::string& error,
                            std::string& note);

    bool is_open() const noexcept { return !fds_.empty(); }

    /// Events so far summed over the threads, scaled up when the kernel multiplexed the counter.
    std::optional<std::uint64_t> read(std::string& error) const;

private:
    std::vector<UniqueFd> fds_;
};

/// The threads of process `pid` (its /proc/PID/task entries); empty when it does not exist.
std::vector<int> thread_ids(int pid);

/// Why perf_event_open failed with `error_number`, in words.
std::string perf_open_error_text(int error_number);

}  // namespace edgebench::detail
