#pragma once
// CPU time, memory and threads of the monitored process: the calling process, another process, or a
// process tree (summed).

#include <cstdint>
#include <optional>
#include <string>

#include "edgebench/hw_monitor.hpp"
#include "monitor/proc_file.hpp"

namespace edgebench::detail {

struct ProcessReading {
    std::int64_t processes = 0;
    std::int64_t threads = 0;
    double user_s = 0;
    double system_s = 0;
    std::uint64_t rss_bytes = 0;
    std::optional<std::uint64_t> rss_peak_bytes;
};

class ProcessReader {
public:
    /// Throws `Error` (field `pid`) when a Process or Tree target does not exist.
    explicit ProcessReader(const HwTarget& target);

    int pid() const noexcept { return pid_; }
    /// Forgets the highest total seen so far (a tree's peak counts from here; a single process's
    /// peak is the kernel's own mark and unaffected).
    void reset_peak() noexcept { peak_bytes_ = 0; }

    /// The current figures, or nullopt with `error` set when the process has gone or cannot be read.
    /// A process that has exited but not been waited for (a zombie) still counts: its CPU times are
    /// final then, which is how `edgebench monitor` gets a command's last interval.
    std::optional<ProcessReading> read(std::string& error);

private:
    std::optional<ProcessReading> read_self(std::string& error);
    std::optional<ProcessReading> read_other(std::string& error);

    HwTarget target_;
    int pid_ = 0;
    double seconds_per_tick_ = 0.01;
    std::uint64_t page_size_ = 4096;
    // Kept open: cheaper to read again, and bound to this process even if its pid is reused.
    ProcFile stat_;
    ProcFile status_;
    std::string scratch_;
    std::uint64_t peak_bytes_ = 0;
};

}  // namespace edgebench::detail
