#pragma once
/// \file
/// HwMonitor: samples a node's hardware on its own thread (CPU time and utilisation, memory, perf
/// cycles and instructions, host CPU and memory, network traffic of the node's namespace, GPU memory
/// and utilisation) and hands each sample to callbacks, CSV files and an in-memory queue.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgebench/hw_sample.hpp"

namespace edgebench {

/// What the process fields of a sample describe.
struct HwTarget {
    enum class Kind {
        Self,     ///< the calling process
        Process,  ///< one other process
        Tree,     ///< a process and all its descendants, summed
    };
    Kind kind = Kind::Self;
    int pid = 0;  ///< for Process and Tree

    static HwTarget self() noexcept { return {}; }
    static HwTarget process(int pid) noexcept { return {Kind::Process, pid}; }
    static HwTarget tree(int pid) noexcept { return {Kind::Tree, pid}; }
};

struct HwMonitorOptions {
    /// Time between samples, from 10 ms to 1 hour.
    std::chrono::microseconds period = std::chrono::seconds(1);
    /// The node's name in every sample; empty means the host name.
    std::string node;
    HwTarget target;
    /// Read CPU cycles and instructions with perf_event_open (where the kernel allows it).
    bool perf = true;
    /// Read GPUs through NVML (where a driver is installed).
    bool gpu = true;
    /// The target was forked but has not called exec yet: its perf counters start at exec and also
    /// count the processes it starts. This is how `edgebench monitor` counts a whole command.
    bool perf_enable_on_exec = false;
    /// How many of the latest samples `samples()` keeps in memory (0: none, only sinks see them).
    std::size_t keep_samples = std::numeric_limits<std::size_t>::max();

    /// Throws `Error` naming the first invalid option (`period`, `target.pid`).
    void validate() const;
};

/// Samples hardware counters on a background thread.
///
/// The sampling thread never throws and never blocks callers: a field that cannot be read on this host
/// is null in every sample and its reason is kept once (`reasons()`); a read that fails mid-run is
/// recorded (`issues()`) and sampling goes on. `stop()` returns within one period and takes a last
/// sample for the partial interval, so no interval is lost.
///
/// ```cpp
/// edgebench::HwMonitor monitor({.period = std::chrono::milliseconds(100), .node = "edge-1"});
/// monitor.write_csv("hw.csv");
/// monitor.start();
/// ... serve ...
/// monitor.stop();
/// ```
class HwMonitor {
public:
    using Callback = std::function<void(const HwSample&)>;

    /// Validates the options and opens the readers (perf counters start counting here). Throws
    /// `Error` for bad options or when the target process does not exist.
    explicit HwMonitor(HwMonitorOptions options = {});
    /// Stops sampling (taking the last sample) if it is running.
    ~HwMonitor();
    HwMonitor(const HwMonitor&) = delete;
    HwMonitor& operator=(const HwMonitor&) = delete;

    const HwMonitorOptions& options() const noexcept;

    /// Calls `callback` on the sampling thread with each sample; keep it short. An exception it throws
    /// is recorded as an issue of field `callback`. Only while stopped.
    void on_sample(Callback callback);
    /// Appends each sample as a row to `file` (see `HwCsvSink`), and each interface's traffic to
    /// `net_file` when given. Opens the files now, so that a bad path throws here. Only while stopped.
    void write_csv(const std::filesystem::path& file, const std::filesystem::path& net_file = {},
                   bool append = false);

    /// Starts the sampling thread; the first sample follows one period later. Throws `Error` when
    /// already running.
    void start();
    /// Stops the thread after a last sample covering the partial interval; does nothing when stopped.
    void stop();
    bool running() const noexcept;
    /// Takes a sample now on the sampling thread (delivered to the callbacks and files like any other,
    /// covering the time since the previous one) and returns it once delivered; the periodic schedule
    /// goes on from here. Lets a caller close a measurement window shorter than the period with a sample
    /// of its own. Throws `Error` when the monitor is not running or when called from a callback.
    HwSample sample_now();

    /// Reads every field now, on the calling thread; the interval is the time since the last sample
    /// (or since start). It goes to no sink and changes nothing.
    HwSample snapshot();

    /// The samples kept in memory (see `keep_samples`), oldest first.
    std::vector<HwSample> samples() const;
    /// The same, and forgets them: a queue that a consumer drains.
    std::vector<HwSample> take_samples();
    /// Samples taken so far, kept or not.
    std::uint64_t sample_count() const noexcept;

    /// Every distinct problem so far: fields that are null and why, failed reads, failed sinks.
    std::vector<HwIssue> issues() const;
    /// Field (column name) -> why it was null the last time it was.
    std::map<std::string, std::string> reasons() const;
    /// Why `field` was null the last time it was, if it ever was.
    std::optional<std::string> reason(const std::string& field) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace edgebench
