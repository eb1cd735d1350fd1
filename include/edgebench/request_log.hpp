#pragma once
/// \file
/// A node's own record of what it served: one CSV row per request (`requests.csv`) and the detections
/// of each request as JSON lines (`detections.jsonl`), appended and flushed as they happen.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "edgebench/infer_protocol.hpp"

namespace edgebench {

class RequestLog {
public:
    /// Opens (or continues) `requests.csv` and `detections.jsonl` in `directory`.
    explicit RequestLog(const std::filesystem::path& directory);
    ~RequestLog();

    /// Records a served request. Thread-safe. A write that fails (a full disk) does not fail the request:
    /// the node keeps serving, the failure is counted and reported once on stderr.
    void record(const InferResponse& response) noexcept;
    /// Records a request that failed before it could be served (bad input).
    void record_failure(const std::string& node, const std::string& run_id, const std::string& error) noexcept;
    /// Records that could not be written, and why the first could not.
    std::size_t write_failures() const noexcept;
    std::string first_write_failure() const;

    /// The columns of requests.csv, in order.
    static const std::vector<std::string>& columns();
    /// The cells of a served request's row, aligned with columns(); `time_unix` is when it was recorded.
    static std::vector<std::string> row(const InferResponse& response, double time_unix);
    /// The detections.jsonl line of a served request.
    static std::string detections_line(const InferResponse& response);

private:
    void write_failure_row(const std::string& node, const std::string& run_id, const std::string& error);
    struct Files;
    std::unique_ptr<Files> files_;
};

}  // namespace edgebench
