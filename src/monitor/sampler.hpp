#pragma once
// Reads every field of an HwSample once: the readers of the process, perf counters, host CPU and
// memory, network namespace and GPUs, and the previous readings that intervals are measured from.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgebench/hw_monitor.hpp"
#include "monitor/host_cpu.hpp"
#include "monitor/issue_log.hpp"
#include "monitor/nvml.hpp"
#include "monitor/perf_counter.hpp"
#include "monitor/proc_file.hpp"
#include "monitor/process_reader.hpp"

namespace edgebench::detail {

/// CLOCK_MONOTONIC and CLOCK_REALTIME now, in seconds.
double monotonic_seconds() noexcept;
double unix_seconds() noexcept;
/// CPU seconds used by the calling thread.
double thread_cpu_seconds() noexcept;

class Sampler {
public:
    /// Opens every reader (perf counters start counting now). Throws `Error` only when the target
    /// process does not exist; every other failure makes fields null and is reported by `sample`.
    explicit Sampler(const HwMonitorOptions& options);

    /// Makes now the start of the next interval (and of a process tree's peak memory).
    void reset_baseline();

    /// Reads everything now. The interval runs from the baseline; with `advance` the reading becomes
    /// the next baseline. Remarks about null or limited fields go to `notes` (cleared first).
    HwSample sample(bool advance, std::vector<FieldNote>& notes);

private:
    struct Baseline {
        double mono_s = 0;
        std::optional<double> cpu_s;
        std::optional<std::uint64_t> cycles;
        std::optional<std::uint64_t> instructions;
        std::optional<HostCpuTimes> host_cpu;
        std::optional<std::vector<HwNetInterface>> net;
    };
    // What one pass over the counters found (cumulative values).
    struct Counters {
        std::optional<ProcessReading> process;
        std::optional<std::uint64_t> cycles;
        std::optional<std::uint64_t> instructions;
        std::optional<HostCpuTimes> host_cpu;
        std::optional<std::vector<HwNetInterface>> net;
    };
    Counters read_counters(std::vector<FieldNote>* notes);

    std::string node_;
    ProcessReader process_;
    bool perf_enabled_;
    PerfCounter cycles_;
    PerfCounter instructions_;
    std::string cycles_error_;
    std::string instructions_error_;
    std::string perf_note_;
    ProcFile host_stat_;
    ProcFile meminfo_;
    ProcFile net_dev_;
    std::unique_ptr<Nvml> nvml_;  // null when GPUs are not read
    Baseline baseline_;
};

}  // namespace edgebench::detail
