// The client's records on disk: client_requests.csv, client_detections.jsonl, client_summary.json.

#include <cmath>

#include <nlohmann/json.hpp>

#include "edgebench/workload.hpp"
#include "internal/csv_appender.hpp"
#include "internal/file_io.hpp"
#include "services/detections_json.hpp"

namespace edgebench {
namespace {

using detail::csv_number;
using detail::detections_json;

// The node columns, for the edge's and for the cloud's answer; `prefix` is "edge_" or "cloud_".
std::vector<std::string> node_columns(const std::string& prefix) {
    std::vector<std::string> names;
    for (const char* name :
         {"node", "detector", "preprocess", "bytes_in", "bytes_out", "width_in", "height_in", "width_out", "height_out",
          "parse_ms", "parse_cpu_ms", "preprocess_ms", "preprocess_cpu_ms", "decode_ms", "resize_ms", "encode_ms",
          "output_decode_ms", "inference_ms", "inference_cpu_ms", "model_forward_ms", "evaluation_ms",
          "evaluation_cpu_ms", "forward_ms", "forward_cpu_ms", "total_ms", "total_cpu_ms", "detections",
          "ground_truth", "tp", "fp", "fn", "precision", "recall", "f1"}) {
        names.push_back(prefix + name);
    }
    return names;
}

void append_node(std::vector<std::string>& row, const std::optional<InferResponse>& response) {
    const std::size_t count = node_columns("").size();
    if (!response) {
        row.insert(row.end(), count, "");
        return;
    }
    const auto& r = *response;
    const auto& t = r.timings;
    const auto& p = t.preprocess_detail;
    for (auto&& cell : {r.node, r.detector, r.preprocess, csv_number(p.bytes_in), csv_number(p.bytes_out),
                        csv_number(p.width_in), csv_number(p.height_in), csv_number(p.width_out),
                        csv_number(p.height_out), csv_number(t.parse.wall_ms), csv_number(t.parse.cpu_ms),
                        csv_number(t.preprocess.wall_ms), csv_number(t.preprocess.cpu_ms), csv_number(p.decode_ms),
                        csv_number(p.resize_ms), csv_number(p.encode_ms), csv_number(p.output_decode_ms),
                        csv_number(t.inference.wall_ms), csv_number(t.inference.cpu_ms),
                        csv_number(t.inference_detail.forward_ms), csv_number(t.evaluation.wall_ms),
                        csv_number(t.evaluation.cpu_ms), csv_number(t.forward.wall_ms), csv_number(t.forward.cpu_ms),
                        csv_number(t.total.wall_ms), csv_number(t.total.cpu_ms), csv_number(r.detections.size())}) {
        row.push_back(cell);
    }
    if (r.metrics) {
        const auto& c = r.metrics->counts;
        for (auto&& cell : {csv_number(r.metrics->ground_truth), csv_number(c.tp), csv_number(c.fp), csv_number(c.fn),
                            csv_number(c.precision), csv_number(c.recall), csv_number(c.f1)}) {
            row.push_back(cell);
        }
    } else {
        row.insert(row.end(), 7, "");
    }
}

}  // namespace

struct WorkloadRecordWriter::Files {
    explicit Files(const std::filesystem::path& dir)
        : directory(dir),
          requests(dir / "client_requests.csv", WorkloadRecordWriter::columns()),
          detections(dir / "client_detections.jsonl") {}
    std::filesystem::path directory;
    detail::CsvAppender requests;
    detail::JsonLinesAppender detections;
};

const std::vector<std::string>& WorkloadRecordWriter::columns() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list = {
            "run_id",        "index",          "request_id",   "image_id",    "edge",         "format",
            "scheduled_unix", "sent_unix",     "scheduled_ms", "sent_ms",     "completed_ms", "latency_ms",
            "round_trip_ms", "queue_ms",       "status",       "http_status", "error",        "image_bytes",
            "bytes_sent",    "bytes_received"};
        for (auto& name : node_columns("edge_")) list.push_back(std::move(name));
        for (const char* name : {"forward_status", "forward_http_status", "forward_error", "forward_bytes"}) list.push_back(name);
        for (auto& name : node_columns("cloud_")) list.push_back(std::move(name));
        return list;
    }();
    return names;
}

WorkloadRecordWriter::WorkloadRecordWriter(const std::filesystem::path& directory)
    : files_(std::make_unique<Files>(directory)) {}

WorkloadRecordWriter::~WorkloadRecordWriter() = default;

const std::filesystem::path& WorkloadRecordWriter::directory() const noexcept { return files_->directory; }

std::vector<std::string> WorkloadRecordWriter::row(const RequestRecord& r) {
    std::vector<std::string> row = {r.run_id,
                                    csv_number(r.index),
                                    r.request_id,
                                    csv_number(static_cast<std::int64_t>(r.image_id)),
                                    r.edge,
                                    to_string(r.format),
                                    csv_number(r.scheduled_unix),
                                    csv_number(r.sent_unix),
                                    csv_number(r.scheduled_ms),
                                    csv_number(r.sent_ms),
                                    csv_number(r.completed_ms),
                                    csv_number(r.latency_ms),
                                    csv_number(r.round_trip_ms),
                                    csv_number(r.sent_ms - r.scheduled_ms),
                                    to_string(r.status),
                                    r.http_status ? csv_number(r.http_status) : std::string(),
                                    r.error,
                                    csv_number(r.image_bytes),
                                    csv_number(r.bytes_sent),
                                    csv_number(r.bytes_received)};
    row.reserve(columns().size());
    append_node(row, r.edge_response);
    if (r.edge_response) {
        const auto& f = r.edge_response->forward;
        row.push_back(to_string(f.status));
        row.push_back(f.http_status ? csv_number(f.http_status) : std::string());
        row.push_back(f.error);
        row.push_back(f.status == ForwardOutcome::Status::Disabled ? std::string() : csv_number(f.bytes_sent));
    } else {
        row.insert(row.end(), 4, "");
    }
    append_node(row, r.cloud_response);
    return row;
}

void WorkloadRecordWriter::append(const RequestRecord& r) {
    files_->requests.append(row(r));

    if (r.edge_response) {
        nlohmann::json line = {{"run_id", r.run_id},
                               {"request_id", r.request_id},
                               {"image_id", r.image_id},
                               {"edge", r.edge_response->node},
                               {"edge_detections", detections_json(r.edge_response->detections)},
                               {"cloud_detections", r.cloud_response ? detections_json(r.cloud_response->detections)
                                                                     : nlohmann::json(nullptr)}};
        files_->detections.append(line.dump());
    }
}

void WorkloadRecordWriter::write_summary(const WorkloadResult& result) {
    detail::write_file_atomically(files_->directory / "client_summary.json", result.summary_json(2) + "\n");
}

}  // namespace edgebench
