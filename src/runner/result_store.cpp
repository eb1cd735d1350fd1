#include "runner/result_store.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/hw_csv.hpp"
#include "edgebench/request_log.hpp"
#include "edgebench/version.hpp"
#include "internal/file_io.hpp"
#include "internal/host_name.hpp"
#include "runner/run_rows.hpp"
#include "internal/csv_reader.hpp"
#include "internal/json_cursor.hpp"
#include "internal/unix_time.hpp"

namespace edgebench::detail {
namespace {

using nlohmann::json;

// Keeps the lines of `file` that belong to a finished run (its header line too), dropping those of runs
// that were cut short. Rows are single lines: cells never hold a newline (see cell()).
void drop_unfinished(const std::filesystem::path& file, const std::set<std::string>& finished, bool has_header) {
    std::ifstream in(file);
    if (!in) return;
    std::string kept;
    std::string line;
    bool first = true;
    std::size_t dropped = 0;
    while (std::getline(in, line)) {
        if (first && has_header) {
            kept += line + "\n";
            first = false;
            continue;
        }
        first = false;
        std::string run_id;
        if (line.rfind("{\"run_id\":\"", 0) == 0) {
            run_id = line.substr(11, line.find('"', 11) - 11);
        } else {
            run_id = line.substr(0, line.find(','));
        }
        if (finished.count(run_id)) {
            kept += line + "\n";
        } else {
            ++dropped;
        }
    }
    in.close();
    if (dropped) write_file_atomically(file, kept);
}

}  // namespace

const std::vector<std::string>& ResultStore::request_columns() {
    static const std::vector<std::string> columns = [] {
        std::vector<std::string> c = {"run_id",          "request_index",     "request_id",          "image_id",
                                      "role",            "node",              "client_status",       "client_http_status",
                                      "client_error",    "client_latency_ms", "client_round_trip_ms", "client_sent_unix",
                                      "client_bytes_sent", "client_bytes_received", "wire_format"};
        for (const auto& name : RequestLog::columns()) {
            if (client_part_has(name)) continue;
            c.push_back(name == "time_unix" ? "answered_unix" : name);
        }
        return c;
    }();
    return columns;
}

const std::vector<std::string>& ResultStore::class_columns() {
    static const std::vector<std::string> columns = {"run_id", "node", "role", "category_id", "name", "support", "tp",
                                                     "fp",     "fn",   "precision", "recall", "f1", "ap", "ap50",
                                                     "ap75",   "ar"};
    return columns;
}

const std::vector<std::string>& ResultStore::summary_columns() {
    static const std::vector<std::string> columns = {
        "run_id",          "node",             "role",           "detector",        "requests",
        "ok",              "failed",           "map",            "ap50",            "ap75",
        "ap_small",        "ap_medium",        "ap_large",       "ar100",           "precision",
        "recall",          "f1",               "macro_f1",       "weighted_f1",     "best_f1_threshold",
        "best_f1",         "latency_mean_ms",  "latency_p50_ms", "latency_p90_ms",  "latency_p95_ms",
        "latency_p99_ms",  "latency_p999_ms",  "throughput_rps", "duration_s",      "bytes_in_mean",
        "bytes_out_mean",  "bytes_ratio",      "preprocess_ms_mean", "inference_ms_mean", "node_total_ms_mean",
        "node_cpu_ms_mean", "forward_ms_mean", "forward_failed", "unscored_detections"};
    return columns;
}

const std::vector<std::string>& ResultStore::hw_columns() {
    static const std::vector<std::string> columns = [] {
        std::vector<std::string> c = {"run_id", "role"};
        const auto& hw = hw_csv_columns();
        c.insert(c.end(), hw.begin(), hw.end());
        return c;
    }();
    return columns;
}

ResultStore::ResultStore(const std::filesystem::path& directory, const Experiment& experiment, bool resume)
    : directory_(directory), experiment_(experiment) {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) throw Error("cannot create the output folder: " + ec.message(), {}, directory_.string());
    const auto manifest = directory_ / "manifest.json";
    const bool exists = std::filesystem::exists(manifest);
    if (exists && !resume) {
        throw Error("already holds a result set; add --resume to continue it, or choose another --out", {},
                    directory_.string());
    }
    started_unix_ = unix_time_now();
    if (exists) {
        const json previous = read_json_file(manifest);
        if (previous.value("experiment", std::string()) != experiment_.source_text()) {
            throw Error("holds a result set of a different experiment (the file changed since); resume it with the "
                        "same experiment file or choose another --out",
                        {}, directory_.string());
        }
        started_unix_ = previous.value("started_unix", started_unix_);
        if (previous.contains("launch") && previous["launch"].is_object()) {
            for (const auto& [run_id, entry] : previous["launch"].items()) launch_[run_id] = entry.dump();
        }
        // Runs that finished ok stay; failed ones are tried again (a node that crashed, a cloud that hung:
        // failures are often passing), so their rows go like those of runs that were cut short.
        std::ifstream runs(directory_ / "runs.csv");
        std::string line;
        std::getline(runs, line);  // header
        while (std::getline(runs, line)) {
            const auto cells = split_csv_line(line);
            if (cells.size() > 1 && cells[1] == "ok") finished_.insert(cells[0]);
        }
        runs.close();
        drop_unfinished(directory_ / "runs.csv", finished_, true);
        for (const auto* name : {"requests.csv", "classes.csv", "hw.csv", "summary.csv"}) {
            drop_unfinished(directory_ / name, finished_, true);
        }
        drop_unfinished(directory_ / "detections.jsonl", finished_, false);
    }

    run_columns_ = {"run_id", "status", "error", "started_unix", "finished_unix", "duration_s"};
    if (!experiment_.runs().empty()) {
        for (const auto& [name, value] : experiment_.runs().front().columns()) {
            if (name != "run_id") run_columns_.push_back(name);
        }
        for (const auto& axis : experiment_.axes()) run_columns_.push_back("axis:" + axis);
    }
    runs_ = std::make_unique<CsvAppender>(directory_ / "runs.csv", run_columns_);
    requests_ = std::make_unique<CsvAppender>(directory_ / "requests.csv", request_columns());
    detections_ = std::make_unique<JsonLinesAppender>(directory_ / "detections.jsonl");
    classes_ = std::make_unique<CsvAppender>(directory_ / "classes.csv", class_columns());
    hw_ = std::make_unique<CsvAppender>(directory_ / "hw.csv", hw_columns());
    summary_ = std::make_unique<CsvAppender>(directory_ / "summary.csv", summary_columns());
    write_manifest("running", 0);
}

ResultStore::~ResultStore() = default;

void ResultStore::record(const RunConfig& run, const RunRows& rows) {
    for (const auto& row : rows.requests) requests_->append(row);
    for (const auto& line : rows.detections) detections_->append(line);
    for (const auto& row : rows.classes) classes_->append(row);
    for (const auto& row : rows.hw) hw_->append(row);
    for (const auto& row : rows.summary) summary_->append(row);

    std::string error = rows.error;
    for (char& c : error) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    std::vector<std::string> cells = {run.run_id,
                                      rows.status,
                                      error,
                                      CsvAppender::number(rows.started_unix),
                                      CsvAppender::number(rows.finished_unix),
                                      CsvAppender::number(rows.finished_unix - rows.started_unix)};
    for (const auto& [name, value] : run.columns()) {
        if (name != "run_id") cells.push_back(value);
    }
    for (const auto& [axis, value] : run.axes) cells.push_back(value);
    cells.resize(run_columns_.size());
    runs_->append(cells);
    finished_.insert(run.run_id);
}

void ResultStore::close(const std::string& status) { write_manifest(status, unix_time_now()); }

void ResultStore::note_launch(const std::string& run_id, const std::string& json_object) {
    launch_[run_id] = json_object;
    write_manifest("running", 0);
}

void ResultStore::write_manifest(const std::string& status, double finished_unix) {
    json runs = json::array();
    for (const auto& run : experiment_.runs()) runs.push_back(json::parse(run.to_json()));
    json manifest = {{"edgebench_version", kVersion},
                           {"git_commit", kGitCommit},
                           {"host", host_name()},
                           {"experiment_name", experiment_.name()},
                           {"experiment_file", experiment_.source()},
                           {"experiment", experiment_.source_text()},
                           {"axes", experiment_.axes()},
                           {"run_count", experiment_.runs().size()},
                           {"status", status},
                           {"started_unix", started_unix_},
                           {"finished_unix", finished_unix > 0 ? json(finished_unix) : json(nullptr)},
                           {"runs", runs}};
    if (!launch_.empty()) {
        json launch = json::object();
        for (const auto& [run_id, text] : launch_) launch[run_id] = json::parse(text, nullptr, false);
        manifest["launch"] = launch;
    }
    write_file_atomically(directory_ / "manifest.json", manifest.dump(2));
}

}  // namespace edgebench::detail
