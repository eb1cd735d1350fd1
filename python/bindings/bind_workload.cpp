// The workload client: schedules, configuration, records, statistics and run_workload.

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
#include <exception>
#include <future>
#include <set>
#include <thread>

#include "bindings.hpp"
#include "edgebench/workload.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

// Columns of client_requests.csv that hold text; every other column is a number (or missing).
bool is_text_column(const std::string& name) {
    static const std::set<std::string> text = {"run_id",         "request_id",    "edge",          "format",
                                               "status",         "error",         "edge_node",     "edge_detector",
                                               "edge_preprocess", "cloud_node",   "cloud_detector", "cloud_preprocess",
                                               "forward_status", "forward_error"};
    return text.count(name) > 0;
}

// Counts, sizes, ids and statuses; every other numeric column is a measurement (float).
bool is_integer_column(const std::string& name) {
    for (const char* part : {"index", "image_id", "http_status", "bytes", "width", "height", "_detections", "_ground_truth"}) {
        if (name.find(part) != std::string::npos) return true;
    }
    return name.ends_with("_tp") || name.ends_with("_fp") || name.ends_with("_fn");
}

py::object cell(const std::string& name, const std::string& value) {
    if (value.empty()) return py::none();
    if (is_text_column(name)) return py::str(value);
    if (is_integer_column(name)) return py::int_(std::stoll(value));
    return py::float_(std::stod(value));
}

// One record as the row client_requests.csv holds, with numbers as numbers and missing values as None.
py::dict record_dict(const RequestRecord& record) {
    const auto& columns = WorkloadRecordWriter::columns();
    const auto values = WorkloadRecordWriter::row(record);
    py::dict row;
    for (std::size_t i = 0; i < columns.size(); ++i) row[py::str(columns[i])] = cell(columns[i], values[i]);
    return row;
}

py::dict summary_dict(const LatencySummary& s) {
    return py::dict("count"_a = s.count, "ok"_a = s.ok, "failed"_a = s.failed, "mean_ms"_a = s.mean_ms,
                    "p50_ms"_a = s.p50_ms, "p90_ms"_a = s.p90_ms, "p95_ms"_a = s.p95_ms, "p99_ms"_a = s.p99_ms,
                    "p999_ms"_a = s.p999_ms, "min_ms"_a = s.min_ms, "max_ms"_a = s.max_ms, "duration_s"_a = s.duration_s,
                    "throughput_rps"_a = s.throughput_rps);
}

// Runs the workload on a worker thread while this (the main) thread waits without the GIL and checks
// for Ctrl-C between short waits: Python runs signal handlers only on the main thread. Ctrl-C stops
// sending, lets the requests in flight finish, and returns what was recorded (`interrupted` is set).
WorkloadResult run(const WorkloadConfig& config, const CocoDataset& dataset, const std::function<void(const RequestRecord&)>& on_record,
                   const std::optional<std::filesystem::path>& out_dir) {
    std::unique_ptr<WorkloadRecordWriter> writer;
    if (out_dir) writer = std::make_unique<WorkloadRecordWriter>(*out_dir);
    RecordCallback callback = [&](const RequestRecord& record) {
        if (writer) writer->append(record);
        if (on_record) {
            py::gil_scoped_acquire gil;
            on_record(record);
        }
    };
    std::stop_source stop;
    std::promise<WorkloadResult> promise;
    auto future = promise.get_future();
    std::thread worker([&] {
        try {
            promise.set_value(run_workload(config, dataset, callback, stop.get_token()));
        } catch (...) {
            promise.set_exception(std::current_exception());
        }
    });
    {
        py::gil_scoped_release release;
        while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
            py::gil_scoped_acquire gil;
            if (PyErr_CheckSignals() != 0) {
                if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
                    PyErr_Clear();
                    stop.request_stop();
                } else {
                    // Another handler raised: stop and let that exception surface.
                    stop.request_stop();
                    py::error_already_set raised;
                    {
                        py::gil_scoped_release wait;
                        worker.join();
                    }
                    throw raised;
                }
            }
        }
        worker.join();
    }
    WorkloadResult result = future.get();
    if (writer) writer->write_summary(result);
    return result;
}

WorkloadConfig make_config(std::vector<std::string> edges, WireFormat format, std::optional<Schedule> schedule,
                           std::size_t warmup_requests, double timeout_s, std::string token, std::string run_id,
                           bool send_annotations, std::optional<std::string> preprocess, std::size_t image_limit,
                           bool shuffle, std::uint64_t order_seed, int max_connections_per_edge) {
    WorkloadConfig config;
    config.edges = std::move(edges);
    config.format = format;
    if (schedule) config.schedule = *schedule;
    config.warmup_requests = warmup_requests;
    config.timeout_s = timeout_s;
    config.token = std::move(token);
    config.run_id = std::move(run_id);
    config.send_annotations = send_annotations;
    if (preprocess) config.preprocess = PreprocessConfig::parse(*preprocess);
    config.image_limit = image_limit;
    config.order = shuffle ? ImageOrder::Shuffled : ImageOrder::Dataset;
    config.order_seed = order_seed;
    config.max_connections_per_edge = max_connections_per_edge;
    return config;
}

}  // namespace

void bind_workload(py::module_& m) {
    py::enum_<WireFormat>(m, "WireFormat", "How a request carries its image.")
        .value("JSON", WireFormat::Json, "JSON with the image in base64 (the original study's format)")
        .value("MULTIPART", WireFormat::Multipart, "multipart/form-data with the raw image bytes")
        .def_static("parse", &parse_wire_format, "text"_a);

    py::class_<Schedule> schedule(m, "Schedule", R"doc(When requests are sent.

round_robin(N, X): each edge in turn gets the same N images (all when 0) X times, one at a time.
closed_loop(C, requests): C requests in flight. open_loop(rate, requests | duration_s, seed): Poisson
arrivals at `rate` per second; latency counts from the scheduled time.)doc");
    py::enum_<Schedule::Kind>(schedule, "Kind")
        .value("ROUND_ROBIN", Schedule::Kind::RoundRobin)
        .value("CLOSED_LOOP", Schedule::Kind::ClosedLoop)
        .value("OPEN_LOOP", Schedule::Kind::OpenLoop);
    schedule.def(py::init<>())
        .def_static("round_robin", &Schedule::round_robin, "images_per_edge"_a = 0, "repeats"_a = 1, "distinct_images"_a = false)
        .def_static("closed_loop", &Schedule::closed_loop, "concurrency"_a = 1, "requests"_a = 0)
        .def_static("open_loop", &Schedule::open_loop, "rate"_a, "requests"_a = 0, "duration_s"_a = 0.0, "seed"_a = 1)
        .def_readwrite("kind", &Schedule::kind)
        .def_readwrite("images_per_edge", &Schedule::images_per_edge)
        .def_readwrite("repeats", &Schedule::repeats)
        .def_readwrite("distinct_images", &Schedule::distinct_images)
        .def_readwrite("concurrency", &Schedule::concurrency)
        .def_readwrite("requests", &Schedule::requests)
        .def_readwrite("rate", &Schedule::rate)
        .def_readwrite("duration_s", &Schedule::duration_s)
        .def_readwrite("seed", &Schedule::seed)
        .def("validate", &Schedule::validate)
        .def("describe", &Schedule::describe)
        .def("__repr__", [](const Schedule& s) { return "Schedule(" + s.describe() + ")"; });

    py::enum_<ImageOrder>(m, "ImageOrder", "The order in which a workload sends the dataset's images.")
        .value("DATASET", ImageOrder::Dataset, "the dataset's order")
        .value("SHUFFLED", ImageOrder::Shuffled, "a permutation fixed by WorkloadConfig.order_seed");
    m.def("parse_schedule_kind", &parse_schedule_kind, "text"_a,
          "'round-robin', 'closed' or 'open' (as experiment files write them) as a Schedule.Kind.");

    py::class_<WorkloadConfig>(m, "WorkloadConfig", "Edges, wire format, schedule, warm-up and identity of a run.")
        .def(py::init(&make_config), "edges"_a = std::vector<std::string>{}, "format"_a = WireFormat::Multipart,
             "schedule"_a = py::none(), "warmup_requests"_a = 0, "timeout_s"_a = 30.0, "token"_a = "", "run_id"_a = "",
             "send_annotations"_a = true, "preprocess"_a = py::none(), "image_limit"_a = 0, "shuffle"_a = false,
             "order_seed"_a = 1, "max_connections_per_edge"_a = 0)
        .def_readwrite("edges", &WorkloadConfig::edges)
        .def_readwrite("format", &WorkloadConfig::format)
        .def_readwrite("schedule", &WorkloadConfig::schedule)
        .def_readwrite("warmup_requests", &WorkloadConfig::warmup_requests)
        .def_readwrite("timeout_s", &WorkloadConfig::timeout_s)
        .def_readwrite("connect_timeout_s", &WorkloadConfig::connect_timeout_s)
        .def_readwrite("token", &WorkloadConfig::token)
        .def_readwrite("run_id", &WorkloadConfig::run_id)
        .def_readwrite("request_id_prefix", &WorkloadConfig::request_id_prefix)
        .def_readwrite("send_annotations", &WorkloadConfig::send_annotations)
        .def_readwrite("image_limit", &WorkloadConfig::image_limit)
        .def_readwrite("max_connections_per_edge", &WorkloadConfig::max_connections_per_edge)
        .def_readwrite("order_seed", &WorkloadConfig::order_seed)
        .def_property(
            "shuffle", [](const WorkloadConfig& c) { return c.order == ImageOrder::Shuffled; },
            [](WorkloadConfig& c, bool shuffle) { c.order = shuffle ? ImageOrder::Shuffled : ImageOrder::Dataset; })
        .def_property(
            "preprocess",
            [](const WorkloadConfig& c) -> std::optional<std::string> {
                if (!c.preprocess) return std::nullopt;
                return c.preprocess->to_string();
            },
            [](WorkloadConfig& c, const std::optional<std::string>& settings) {
                if (settings) c.preprocess = PreprocessConfig::parse(*settings);
                else c.preprocess.reset();
            },
            "Preprocessing settings sent with every request (None: the edges' own).")
        .def_readwrite("order", &WorkloadConfig::order)
        .def("id_prefix", &WorkloadConfig::id_prefix, "The prefix of the request ids.")
        .def("connections_per_edge", &WorkloadConfig::connections_per_edge)
        .def("validate", &WorkloadConfig::validate)
        .def("to_json", &WorkloadConfig::to_json);

    py::class_<PlannedRequest>(m, "PlannedRequest", "One timed request of a plan.")
        .def_readonly("index", &PlannedRequest::index)
        .def_readonly("image", &PlannedRequest::image)
        .def_readonly("edge", &PlannedRequest::edge)
        .def_readonly("offset_s", &PlannedRequest::offset_s);
    m.def("plan_requests", &plan_requests, "config"_a, "image_count"_a,
          "The timed requests a configuration's schedule makes for `image_count` images.");

    py::enum_<RequestStatus>(m, "RequestStatus")
        .value("OK", RequestStatus::Ok)
        .value("HTTP_ERROR", RequestStatus::HttpError)
        .value("TIMEOUT", RequestStatus::Timeout)
        .value("UNREACHABLE", RequestStatus::Unreachable)
        .value("FAILED", RequestStatus::Failed);

    auto optional_metrics = [](const std::optional<InferResponse>& r) -> std::optional<ImageMetrics> {
        if (!r) return std::nullopt;
        return r->metrics;
    };
    auto detections_of = [](const std::optional<InferResponse>& r) {
        return r ? r->detections : std::vector<Detection>{};
    };
    py::class_<RequestRecord>(m, "RequestRecord", "What the client knows about one timed request.")
        .def_readonly("index", &RequestRecord::index)
        .def_readonly("request_id", &RequestRecord::request_id)
        .def_readonly("run_id", &RequestRecord::run_id)
        .def_readonly("image_id", &RequestRecord::image_id)
        .def_readonly("edge_index", &RequestRecord::edge_index)
        .def_readonly("edge", &RequestRecord::edge)
        .def_readonly("format", &RequestRecord::format)
        .def_readonly("scheduled_unix", &RequestRecord::scheduled_unix)
        .def_readonly("sent_unix", &RequestRecord::sent_unix)
        .def_readonly("scheduled_ms", &RequestRecord::scheduled_ms)
        .def_readonly("sent_ms", &RequestRecord::sent_ms)
        .def_readonly("completed_ms", &RequestRecord::completed_ms)
        .def_readonly("latency_ms", &RequestRecord::latency_ms)
        .def_readonly("round_trip_ms", &RequestRecord::round_trip_ms)
        .def_readonly("status", &RequestRecord::status)
        .def_readonly("http_status", &RequestRecord::http_status)
        .def_readonly("error", &RequestRecord::error)
        .def_readonly("image_bytes", &RequestRecord::image_bytes)
        .def_readonly("bytes_sent", &RequestRecord::bytes_sent)
        .def_readonly("bytes_received", &RequestRecord::bytes_received)
        .def_property_readonly("ok", &RequestRecord::ok)
        .def_property_readonly("edge_node", [](const RequestRecord& r) { return r.edge_response ? r.edge_response->node : ""; })
        .def_property_readonly("edge_detections", [=](const RequestRecord& r) { return detections_of(r.edge_response); })
        .def_property_readonly("cloud_detections", [=](const RequestRecord& r) { return detections_of(r.cloud_response); })
        .def_property_readonly("edge_metrics", [=](const RequestRecord& r) { return optional_metrics(r.edge_response); })
        .def_property_readonly("cloud_metrics", [=](const RequestRecord& r) { return optional_metrics(r.cloud_response); })
        .def_property_readonly("forward_status",
                               [](const RequestRecord& r) { return r.edge_response ? to_string(r.edge_response->forward.status) : ""; })
        .def("to_dict", &record_dict, "The record as its client_requests.csv row (numbers as numbers, missing as None).")
        .def("__repr__", [](const RequestRecord& r) {
            return "RequestRecord(" + r.request_id + ", image_id=" + std::to_string(r.image_id) + ", " + to_string(r.status) +
                   ", latency_ms=" + std::to_string(r.latency_ms) + ")";
        });

    py::class_<LatencySummary>(m, "LatencySummary",
                               "Latency over the successful requests (percentiles interpolate linearly between closest "
                               "ranks, as numpy's default) and throughput.")
        .def_readonly("count", &LatencySummary::count)
        .def_readonly("ok", &LatencySummary::ok)
        .def_readonly("failed", &LatencySummary::failed)
        .def_readonly("mean_ms", &LatencySummary::mean_ms)
        .def_readonly("p50_ms", &LatencySummary::p50_ms)
        .def_readonly("p90_ms", &LatencySummary::p90_ms)
        .def_readonly("p95_ms", &LatencySummary::p95_ms)
        .def_readonly("p99_ms", &LatencySummary::p99_ms)
        .def_readonly("p999_ms", &LatencySummary::p999_ms)
        .def_readonly("min_ms", &LatencySummary::min_ms)
        .def_readonly("max_ms", &LatencySummary::max_ms)
        .def_readonly("duration_s", &LatencySummary::duration_s)
        .def_readonly("throughput_rps", &LatencySummary::throughput_rps)
        .def("to_dict", &summary_dict);

    py::class_<WorkloadResult>(m, "WorkloadResult", "The records and statistics of a run.")
        .def_readonly("config", &WorkloadResult::config)
        .def_readonly("records", &WorkloadResult::records)
        .def_readonly("summary", &WorkloadResult::summary)
        .def_readonly("per_edge", &WorkloadResult::per_edge)
        .def_readonly("planned", &WorkloadResult::planned)
        .def_readonly("warmup_sent", &WorkloadResult::warmup_sent)
        .def_readonly("warmup_failed", &WorkloadResult::warmup_failed)
        .def_readonly("warmup_error", &WorkloadResult::warmup_error)
        .def_readonly("interrupted", &WorkloadResult::interrupted)
        .def_readonly("started_unix", &WorkloadResult::started_unix)
        .def_readonly("finished_unix", &WorkloadResult::finished_unix)
        .def("summary_json", &WorkloadResult::summary_json, "indent"_a = 2)
        .def("rows", [](const WorkloadResult& r) {
            py::list rows;
            for (const auto& record : r.records) rows.append(record_dict(record));
            return rows;
        }, "Every record as a dict (pandas.DataFrame(result.rows()) is client_requests.csv).");

    py::class_<WorkloadRecordWriter>(m, "WorkloadRecordWriter",
                                     "Writes client_requests.csv, client_detections.jsonl and client_summary.json.")
        .def(py::init<const std::filesystem::path&>(), "directory"_a)
        .def("append", &WorkloadRecordWriter::append, "record"_a)
        .def("write_summary", &WorkloadRecordWriter::write_summary, "result"_a)
        .def_property_readonly("directory", &WorkloadRecordWriter::directory)
        .def_static("columns", &WorkloadRecordWriter::columns);

    m.def("percentile", [](std::vector<double> values, double fraction) {
        std::sort(values.begin(), values.end());
        return percentile(values, fraction);
    }, "values"_a, "fraction"_a, "The percentile of `values` at `fraction` (0..1), interpolating between closest ranks.");
    m.def("summarize_latencies", [](const std::vector<RequestRecord>& records) { return summarize_latencies(records); },
          "records"_a, "Latency statistics (LatencySummary) of a list of RequestRecord.");
    m.def("run_workload", &run, "config"_a, "dataset"_a, "on_record"_a = nullptr, "out_dir"_a = py::none(),
          R"doc(Sends the dataset's images to the configured edges and returns the records and statistics.

The GIL is released while requests run; `on_record(record)` is called for each completed request. With
`out_dir`, client_requests.csv, client_detections.jsonl and client_summary.json are written there.
Ctrl-C stops sending, lets requests in flight finish and returns what was recorded, with
`interrupted` set.)doc");
}

}  // namespace edgebench::python
