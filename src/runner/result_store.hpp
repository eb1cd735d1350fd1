#pragma once
// The tidy result set of a sweep (DESIGN section 3), one folder:
//   manifest.json       edgebench version, git commit, host, start/end, the experiment
//   runs.csv            run_id, status, times, error, one column per configuration field
//   requests.csv        one row per request per node
//   detections.jsonl    each node's detections per request
//   classes.csv         per run, detecting node and category
//   hw.csv              hardware samples of every node, with the run they fall in
//   summary.csv         per run and detecting node
// A run's rows are appended (and flushed) when the run ends, its runs.csv row last. On --resume, runs
// that finished ok are kept; the rows of runs that were interrupted (no runs.csv row) or failed are
// removed and those runs are done again, so a run is never half counted and never counted twice. The
// nodes' own files under nodes/ keep everything as it happened.

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "edgebench/experiment.hpp"
#include "internal/csv_appender.hpp"

namespace edgebench::detail {

/// Everything one run adds to the result set; rows align with the store's column lists.
struct RunRows {
    std::string status;  ///< "ok" or "failed"
    std::string error;
    double started_unix = 0;
    double finished_unix = 0;
    std::vector<std::vector<std::string>> requests;
    std::vector<std::string> detections;  ///< JSON objects, each starting with "run_id"
    std::vector<std::vector<std::string>> classes;
    std::vector<std::vector<std::string>> hw;
    std::vector<std::vector<std::string>> summary;
};

class ResultStore {
public:
    /// Opens `directory` for `experiment`. A fresh sweep needs an empty or new folder; with `resume`, an
    /// existing result set of the same experiment is continued (a different experiment is an `Error`).
    ResultStore(const std::filesystem::path& directory, const Experiment& experiment, bool resume);
    ~ResultStore();

    /// Whether `run_id` already finished ok (in this invocation, also failed runs count as recorded).
    bool finished(const std::string& run_id) const { return finished_.count(run_id) != 0; }
    std::size_t finished_count() const noexcept { return finished_.size(); }

    /// Appends one run's rows, its runs.csv row last.
    void record(const RunConfig& run, const RunRows& rows);
    /// Writes the end time and final status into manifest.json.
    void close(const std::string& status);
    /// Records how `run_id`'s nodes were placed and its links emulated (a JSON object, see
    /// NodeHost::describe) under "launch" in manifest.json.
    void note_launch(const std::string& run_id, const std::string& json_object);

    const std::filesystem::path& directory() const noexcept { return directory_; }

    static const std::vector<std::string>& request_columns();
    static const std::vector<std::string>& class_columns();
    static const std::vector<std::string>& summary_columns();
    static const std::vector<std::string>& hw_columns();

private:
    void write_manifest(const std::string& status, double finished_unix);

    std::filesystem::path directory_;
    const Experiment& experiment_;
    std::set<std::string> finished_;
    std::map<std::string, std::string> launch_;  // run id -> JSON object
    double started_unix_ = 0;
    std::vector<std::string> run_columns_;
    std::unique_ptr<CsvAppender> runs_;
    std::unique_ptr<CsvAppender> requests_;
    std::unique_ptr<JsonLinesAppender> detections_;
    std::unique_ptr<CsvAppender> classes_;
    std::unique_ptr<CsvAppender> hw_;
    std::unique_ptr<CsvAppender> summary_;
};

}  // namespace edgebench::detail
