#pragma once
/// \file
/// Runs every configuration of an experiment and writes one tidy result set (manifest.json, runs.csv,
/// requests.csv, detections.jsonl, classes.csv, hw.csv, summary.csv; see `edgebench run --help`).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>

#include "edgebench/experiment.hpp"

namespace edgebench {

/// Where a sweep stands, for progress displays.
struct SweepProgress {
    enum class Phase { Starting, Running, RunFinished, RunFailed, RunSkipped, Finished };
    Phase phase = Phase::Starting;
    std::size_t run_number = 0;  ///< 1-based position of the current run
    std::size_t run_count = 0;
    std::string run_id;
    std::size_t requests_done = 0;     ///< of the current run
    std::size_t requests_planned = 0;  ///< of the current run
    double elapsed_s = 0;              ///< since the sweep started
    double eta_s = -1;                 ///< estimated seconds left; -1 while unknown
    std::string message;               ///< the failure reason for RunFailed
};

struct RunnerOptions {
    std::filesystem::path out_dir;
    /// Continue an interrupted sweep in `out_dir`: finished runs are skipped, an interrupted run is redone.
    bool resume = false;
    /// Seconds between each node's hardware samples.
    double monitor_period_s = 1.0;
    /// Called from the sweep's thread as it goes (at least once per run and every few requests).
    std::function<void(const SweepProgress&)> on_progress;
    /// Stops the sweep: no request is sent after it fires, the run in progress is left out (it will be
    /// redone on resume), and everything finished so far is kept.
    std::stop_token stop;
};

struct SweepResult {
    std::size_t runs = 0;      ///< in the experiment
    std::size_t finished = 0;  ///< ok in this invocation
    std::size_t failed = 0;    ///< recorded as failed in this invocation
    std::size_t skipped = 0;   ///< already finished before (resume)
    bool interrupted = false;
    double wall_s = 0;
    /// The harness's time between consecutive runs that share their nodes: from the last answer of one to
    /// the start of the next one's workload (reconfiguration, scoring and writing results; the next run's
    /// warm-up requests are not counted). Largest and mean, this invocation only.
    double max_gap_s = 0;
    double mean_gap_s = 0;
    std::filesystem::path out_dir;
};

/// Runs the sweep. Throws `Error` before anything runs (bad output folder, a resume of a different
/// experiment, a backend this machine cannot run); a run that fails is recorded and the sweep goes on.
SweepResult run_experiment(const Experiment& experiment, const RunnerOptions& options);

/// One text line per run: status, run id, the grid values, mAP, F1, latency p50/p99, bytes ratio, read
/// from a result folder's summary.csv and runs.csv. For terminals and `make demo`.
std::string summary_table(const std::filesystem::path& result_dir);

}  // namespace edgebench
