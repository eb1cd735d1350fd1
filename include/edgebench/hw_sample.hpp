#pragma once
/// \file
/// One hardware sample of one node: what a process (or process tree), its host and its GPUs did over
/// one sampling interval. Every figure that could not be read is an empty `std::optional`; the monitor
/// keeps the reason (see `HwMonitor::reasons()`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgebench {

/// Traffic of one network interface over the interval (deltas, not totals since boot).
struct HwNetInterface {
    std::string name;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t rx_packets = 0;
    std::uint64_t tx_packets = 0;
};

/// One GPU as NVML sees it at the sample's time.
struct HwGpu {
    unsigned index = 0;
    std::optional<std::uint64_t> mem_used_bytes;
    std::optional<std::uint64_t> mem_total_bytes;
    std::optional<double> util_pct;  ///< percent of the interval the GPU was busy (NVML's own window)
};

/// A sample. Cumulative figures (CPU seconds) are totals since the monitored process started; interval
/// figures (utilisation, cycles, network) cover [mono_s - interval_s, mono_s].
struct HwSample {
    // When, where, which.
    double time_unix_s = 0;  ///< wall clock (CLOCK_REALTIME), to align samples with other nodes' records
    double mono_s = 0;       ///< CLOCK_MONOTONIC seconds, comparable between processes of one host
    std::string node;        ///< the node's name, as given to the monitor
    std::uint64_t seq = 0;   ///< 0, 1, 2, ... per monitor
    double interval_s = 0;   ///< length of the interval this sample covers

    // The monitored process, or the sum over the monitored process tree.
    std::optional<int> pid;                  ///< the monitored (root) process
    std::optional<std::int64_t> processes;   ///< processes summed (1 unless a tree is monitored)
    std::optional<std::int64_t> threads;
    std::optional<double> cpu_user_s;        ///< cumulative user CPU seconds
    std::optional<double> cpu_system_s;      ///< cumulative system CPU seconds
    std::optional<double> cpu_util_pct;      ///< CPU over the interval; 100 = one core busy (may exceed 100)
    std::optional<std::uint64_t> rss_bytes;  ///< resident memory now
    /// Highest resident memory: the kernel's mark (VmHWM) for one process; for a tree, the highest
    /// total seen since the monitor started (at least the root's own mark).
    std::optional<std::uint64_t> rss_peak_bytes;
    std::optional<std::uint64_t> cycles;          ///< CPU cycles in the interval (perf_event_open)
    std::optional<std::uint64_t> instructions;    ///< instructions retired in the interval (perf_event_open)

    // The host (CPU, memory) and the network namespace the process lives in.
    std::optional<double> host_cpu_util_pct;  ///< busy share of all cores over the interval, 0..100
    std::optional<std::uint64_t> host_mem_total_bytes;
    std::optional<std::uint64_t> host_mem_used_bytes;  ///< total minus available
    std::optional<std::uint64_t> host_mem_available_bytes;
    std::optional<std::uint64_t> net_rx_bytes;  ///< over the interval, all interfaces of the namespace
    std::optional<std::uint64_t> net_tx_bytes;
    std::optional<std::uint64_t> net_rx_packets;
    std::optional<std::uint64_t> net_tx_packets;
    std::vector<HwNetInterface> interfaces;  ///< the same, per interface

    // GPUs (NVML); totals over all devices.
    std::optional<std::uint32_t> gpu_count;
    std::optional<std::uint64_t> gpu_mem_used_bytes;
    std::optional<std::uint64_t> gpu_mem_total_bytes;
    std::optional<double> gpu_util_pct;  ///< mean over devices
    std::vector<HwGpu> gpus;

    /// CPU seconds the sampling itself has used so far (the monitor's own thread): its overhead.
    double monitor_cpu_s = 0;
};

/// Something the monitor could not read: why a field is null, or a read that failed mid-run.
/// Repeats of the same field and reason are folded into one entry with a count.
struct HwIssue {
    std::string field;   ///< a column name of hw.csv, e.g. `cycles`, `gpu_mem_used_bytes`
    std::string reason;  ///< e.g. "perf_event_open: no hardware counter (the CPU or hypervisor exposes no PMU)"
    double first_mono_s = 0;
    double last_mono_s = 0;
    std::uint64_t count = 0;  ///< samples in which it happened
};

}  // namespace edgebench
