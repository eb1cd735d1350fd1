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

    /// Records a served request. Thread-safe.
    void record(const InferResponse& response);
    /// Records a request that failed before it could be served (bad input).
    void record_failure(const std::string& node, const std::string& run_id, const std::string& error);

    /// The columns of requests.csv, in order.
    static const std::vector<std::string>& columns();

private:
    struct Files;
    std::unique_ptr<Files> files_;
};

}  // namespace edgebench
