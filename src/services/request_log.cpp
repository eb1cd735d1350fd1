#include "edgebench/request_log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

#include "internal/csv_appender.hpp"
#include "internal/unix_time.hpp"

namespace edgebench {
namespace {

std::string unix_now() { return detail::CsvAppender::number(detail::unix_time_now()); }

using detail::csv_number;

}  // namespace

struct RequestLog::Files {
    std::atomic<std::size_t> failures{0};
    std::mutex failure_mutex;
    std::string first_failure;

    void failed(const std::exception& error) noexcept {
        if (failures++ == 0) {
            try {
                std::lock_guard lock(failure_mutex);
                first_failure = error.what();
            } catch (...) {
            }
            std::fprintf(stderr, "edgebench: cannot write request records (%s); serving goes on\n", error.what());
        }
    }

    explicit Files(const std::filesystem::path& directory)
        : requests(directory / "requests.csv", RequestLog::columns()), detections(directory / "detections.jsonl") {}
    detail::CsvAppender requests;
    detail::JsonLinesAppender detections;
};

const std::vector<std::string>& RequestLog::columns() {
    static const std::vector<std::string> names = {
        "time_unix",        "node",             "run_id",           "request_id",         "image_id",
        "status",           "error",            "detector",         "preprocess",         "bytes_in",
        "bytes_out",        "width_in",         "height_in",        "width_out",          "height_out",
        "parse_ms",         "parse_cpu_ms",     "preprocess_ms",    "preprocess_cpu_ms",  "decode_ms",
        "resize_ms",        "encode_ms",        "output_decode_ms", "inference_ms",       "inference_cpu_ms",
        "model_prepare_ms", "model_forward_ms", "model_postprocess_ms", "evaluation_ms",  "evaluation_cpu_ms",
        "forward_ms",       "forward_cpu_ms",   "forward_status",   "forward_http_status", "forward_bytes",
        "total_ms",         "total_cpu_ms",     "detections",       "ground_truth",       "tp",
        "fp",               "fn",               "precision",        "recall",             "f1"};
    return names;
}

RequestLog::RequestLog(const std::filesystem::path& directory) : files_(std::make_unique<Files>(directory)) {}

RequestLog::~RequestLog() = default;

void RequestLog::record(const InferResponse& r) noexcept {
    try {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        files_->requests.append(row(r, std::chrono::duration<double>(now).count()));
        files_->detections.append(detections_line(r));
    } catch (const std::exception& error) {
        files_->failed(error);
    }
}

std::size_t RequestLog::write_failures() const noexcept { return files_->failures; }

std::string RequestLog::first_write_failure() const {
    std::lock_guard lock(files_->failure_mutex);
    return files_->first_failure;
}

std::vector<std::string> RequestLog::row(const InferResponse& r, double time_unix) {
    const auto& t = r.timings;
    const auto& p = t.preprocess_detail;
    const auto& d = t.inference_detail;
    std::vector<std::string> row = {
        csv_number(time_unix), r.node, r.run_id, r.request_id, std::to_string(r.image_id), "ok", "", r.detector,
        r.preprocess, csv_number(p.bytes_in), csv_number(p.bytes_out), csv_number(p.width_in), csv_number(p.height_in),
        csv_number(p.width_out), csv_number(p.height_out), csv_number(t.parse.wall_ms), csv_number(t.parse.cpu_ms),
        csv_number(t.preprocess.wall_ms), csv_number(t.preprocess.cpu_ms), csv_number(p.decode_ms),
        csv_number(p.resize_ms), csv_number(p.encode_ms), csv_number(p.output_decode_ms),
        csv_number(t.inference.wall_ms), csv_number(t.inference.cpu_ms), csv_number(d.prepare_ms),
        csv_number(d.forward_ms), csv_number(d.postprocess_ms), csv_number(t.evaluation.wall_ms),
        csv_number(t.evaluation.cpu_ms), csv_number(t.forward.wall_ms), csv_number(t.forward.cpu_ms),
        to_string(r.forward.status), csv_number(r.forward.http_status), csv_number(r.forward.bytes_sent),
        csv_number(t.total.wall_ms), csv_number(t.total.cpu_ms), csv_number(r.detections.size())};
    if (r.metrics) {
        const auto& c = r.metrics->counts;
        for (auto value : {csv_number(r.metrics->ground_truth), csv_number(c.tp), csv_number(c.fp), csv_number(c.fn),
                           csv_number(c.precision), csv_number(c.recall), csv_number(c.f1)}) {
            row.push_back(value);
        }
    } else {
        row.insert(row.end(), 7, "");
    }
    return row;
}

std::string RequestLog::detections_line(const InferResponse& r) {
    nlohmann::json detections = nlohmann::json::array();
    for (const auto& det : r.detections) {
        detections.push_back({{"category_id", det.category_id},
                              {"bbox", {det.bbox.x, det.bbox.y, det.bbox.width, det.bbox.height}},
                              {"score", det.score}});
    }
    return nlohmann::json({{"node", r.node},
                           {"run_id", r.run_id},
                           {"request_id", r.request_id},
                           {"image_id", r.image_id},
                           {"detections", std::move(detections)}})
        .dump();
}

void RequestLog::record_failure(const std::string& node, const std::string& run_id, const std::string& error) noexcept {
    try {
        write_failure_row(node, run_id, error);
    } catch (const std::exception& failure) {
        files_->failed(failure);
    }
}

void RequestLog::write_failure_row(const std::string& node, const std::string& run_id, const std::string& error) {
    std::vector<std::string> row(columns().size());
    row[0] = unix_now();
    row[1] = node;
    row[2] = run_id;
    row[5] = "error";
    row[6] = error;
    files_->requests.append(row);
}

}  // namespace edgebench
