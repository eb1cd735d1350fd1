#pragma once
/// \file
/// The workload client: sends a dataset's images (bytes plus ground truth) to one or more edges over
/// HTTP on a schedule, records every request, and summarises latency and throughput.
///
/// Schedules:
///  - round robin (the original study's): for each edge in turn, `repeats` times the same
///    `images_per_edge` images, one request at a time;
///  - closed loop: `concurrency` requests in flight, a new one sent as soon as one completes;
///  - open loop: Poisson arrivals at `rate` requests per second from a seeded generator, sent at their
///    scheduled times whatever is still in flight. Latency counts from the *scheduled* time, so time a
///    request waits for a connection counts, as in MLPerf's Server scenario.
///
/// All requests of a run go through one thread with libcurl's multi interface: transfers are added
/// when due, `curl_multi_poll` waits for network events or the next arrival (a timerfd, so arrivals
/// are not rounded to milliseconds), connections stay alive between requests. The images are read and
/// encoded before timing starts. A request that fails (edge down, timeout, 4xx/5xx, malformed answer)
/// is recorded with its status and the run goes on.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/infer_protocol.hpp"
#include "edgebench/preprocess_config.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

/// How a request carries its image.
enum class WireFormat {
    Json,       ///< `application/json` with the image in base64 (the original study's format)
    Multipart,  ///< `multipart/form-data`: raw `image` part plus a JSON `metadata` part (no base64 cost)
};
/// "json" or "multipart".
std::string to_string(WireFormat format);
/// Parses "json" or "multipart"; throws `Error` otherwise.
WireFormat parse_wire_format(std::string_view text);

/// When requests are sent.
struct Schedule {
    enum class Kind { RoundRobin, ClosedLoop, OpenLoop };
    Kind kind = Kind::ClosedLoop;

    // Round robin.
    /// N: images each edge receives per repeat; 0 means every selected image.
    std::size_t images_per_edge = 0;
    /// X: how many times each edge receives its N images before the next edge's turn.
    std::size_t repeats = 1;
    /// false: every edge receives the same first N images (comparable edges); true: edge e receives
    /// images [e*N, e*N + N) (wrapping around), so that the edges share out the dataset.
    bool distinct_images = false;

    // Closed loop.
    /// C: requests in flight at any time.
    int concurrency = 1;

    // Closed and open loop.
    /// Requests in the timed phase; 0 means one per selected image (open loop: unless `duration_s`).
    /// Images and edges are taken in turn: request k goes to edge k mod E with image k mod n.
    std::size_t requests = 0;

    // Open loop.
    /// Mean arrival rate in requests per second.
    double rate = 0;
    /// When positive (and `requests` is 0), arrivals are scheduled until this many seconds.
    double duration_s = 0;
    /// Seed of the arrival process: the same seed gives the same arrival times.
    std::uint64_t seed = 1;

    static Schedule round_robin(std::size_t images_per_edge, std::size_t repeats, bool distinct_images = false);
    static Schedule closed_loop(int concurrency, std::size_t requests = 0);
    static Schedule open_loop(double rate, std::size_t requests = 0, double duration_s = 0, std::uint64_t seed = 1);

    /// Throws `Error` naming the first invalid field.
    void validate() const;
    /// One line, e.g. `closed-loop concurrency=4 requests=100`.
    std::string describe() const;
};
/// "round-robin", "closed" or "open".
std::string to_string(Schedule::Kind kind);
/// Parses "round-robin" (or "rr"), "closed" (or "closed-loop"), "open" (or "open-loop").
Schedule::Kind parse_schedule_kind(std::string_view text);

/// Which images a run uses.
enum class ImageOrder {
    Dataset,   ///< the dataset's order
    Shuffled,  ///< a permutation fixed by `WorkloadConfig::order_seed`
};

struct WorkloadConfig {
    /// Base URLs of the edges, e.g. `http://127.0.0.1:8101` (requests go to `<url>/v1/infer`).
    std::vector<std::string> edges;
    WireFormat format = WireFormat::Multipart;
    Schedule schedule;
    /// Sequential requests sent to *each* edge before the timed phase (connections opened, caches and
    /// models warm); excluded from the records and the statistics.
    std::size_t warmup_requests = 0;
    /// Whole-request limit, from the scheduled time for open loop (seconds).
    double timeout_s = 30;
    double connect_timeout_s = 5;
    /// Sent as `Authorization: Bearer <token>` when not empty.
    std::string token;
    /// Stamped into every request (and so into the nodes' records) and every client record.
    std::string run_id;
    /// Request ids are `<prefix>-<index>` (warm-up: `<prefix>-warmup-<k>`); the prefix defaults to the
    /// run id, or `req` when there is none.
    std::string request_id_prefix;
    /// Send each image's ground truth, so that the nodes score their detections.
    bool send_annotations = true;
    /// Preprocessing for every request (overrides the edges' own); unset: the edges decide.
    std::optional<PreprocessConfig> preprocess;
    /// Use at most this many images of the dataset (0: all), after ordering.
    std::size_t image_limit = 0;
    ImageOrder order = ImageOrder::Dataset;
    std::uint64_t order_seed = 1;
    /// Connections to each edge at most; requests beyond wait for a free one (that wait counts in open
    /// loop latency). 0: the concurrency for closed loop, 8 for open loop, 1 for round robin. Keep it at
    /// or below the edges' worker count: a keep-alive connection occupies a server worker.
    int max_connections_per_edge = 0;

    /// Throws `Error` naming the first invalid field.
    void validate() const;
    /// The settings as JSON (the token is never included).
    std::string to_json() const;
    /// The effective request id prefix.
    std::string id_prefix() const;
    /// The effective per-edge connection limit.
    int connections_per_edge() const;
};

/// One timed request of a plan.
struct PlannedRequest {
    std::size_t index = 0;  ///< position in the timed phase, 0-based
    std::size_t image = 0;  ///< index into the selected images
    std::size_t edge = 0;   ///< index into `WorkloadConfig::edges`
    /// Open loop: scheduled time in seconds after the start of the timed phase. Otherwise 0: the request
    /// is sent when the previous one (or a slot of `concurrency`) frees up.
    double offset_s = 0;
};

/// The timed requests `config`'s schedule makes for `image_count` selected images, in sending order.
/// Deterministic (open-loop arrivals come from `schedule.seed`). Throws `Error` for an invalid config or
/// no images.
std::vector<PlannedRequest> plan_requests(const WorkloadConfig& config, std::size_t image_count);

/// How a request ended on the client's side.
enum class RequestStatus {
    Ok,           ///< a 2xx answer that parsed as an InferResponse for this request
    HttpError,    ///< the edge answered with a non-2xx status
    Timeout,      ///< no complete answer within the timeout
    Unreachable,  ///< no connection (edge down, wrong address)
    Failed,       ///< anything else: connection reset, malformed answer, ...
};
/// "ok", "http_error", "timeout", "unreachable", "failed".
std::string to_string(RequestStatus status);

/// Everything the client knows about one timed request.
struct RequestRecord {
    std::size_t index = 0;
    std::string request_id;
    std::string run_id;
    Id image_id = 0;
    std::size_t edge_index = 0;
    std::string edge;  ///< the edge's base URL
    WireFormat format = WireFormat::Multipart;

    /// Wall clock (seconds since the Unix epoch), for joining with other machines' records.
    double scheduled_unix = 0;
    double sent_unix = 0;
    /// Monotonic milliseconds since the start of the timed phase.
    double scheduled_ms = 0;
    double sent_ms = 0;
    double completed_ms = 0;
    /// completed - scheduled: what the statistics use. In closed loop and round robin a request is
    /// scheduled when it is sent; in open loop this adds the client's own lateness to the round trip.
    double latency_ms = 0;
    /// completed - sent, where sent is the moment the request is handed to libcurl: includes waiting for
    /// a free connection (beyond `max_connections_per_edge`), connecting, sending and the answer.
    double round_trip_ms = 0;

    RequestStatus status = RequestStatus::Failed;
    int http_status = 0;  ///< 0 when no answer arrived
    std::string error;    ///< empty when ok
    std::size_t image_bytes = 0;     ///< the image file's size
    std::size_t bytes_sent = 0;      ///< request body
    std::size_t bytes_received = 0;  ///< response body

    /// The edge's answer (stage timings with CPU time, sizes, detections, metrics, forward outcome), when
    /// it answered 2xx with a well-formed body.
    std::optional<InferResponse> edge_response;
    /// The cloud's answer as the edge relayed it, when the edge forwarded successfully.
    std::optional<InferResponse> cloud_response;

    bool ok() const noexcept { return status == RequestStatus::Ok; }
};

/// Latency statistics over the successful requests of a set (failed ones are only counted).
///
/// Percentiles interpolate linearly between closest ranks (numpy's default, Hyndman and Fan's type 7):
/// for n sorted values x[0..n-1] and a fraction p, h = (n - 1) p and the percentile is
/// x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). Statistics of an empty set are NaN.
struct LatencySummary {
    std::size_t count = 0;   ///< requests
    std::size_t ok = 0;      ///< successful requests (the latency statistics are over these)
    std::size_t failed = 0;  ///< count - ok
    double mean_ms = 0;
    double p50_ms = 0;
    double p90_ms = 0;
    double p95_ms = 0;
    double p99_ms = 0;
    double p999_ms = 0;
    double min_ms = 0;
    double max_ms = 0;
    /// From the first scheduled send to the last completion, in seconds.
    double duration_s = 0;
    /// Successful requests per second over `duration_s`.
    double throughput_rps = 0;

    /// As a JSON object with these keys.
    std::string to_json() const;
};

/// The percentile of `sorted` (ascending) at `fraction` in [0, 1], as documented at LatencySummary.
/// NaN for an empty span; throws `Error` for a fraction outside [0, 1].
double percentile(std::span<const double> sorted, double fraction);
/// Summarises `records` (latency_ms of the ok ones; duration from their scheduled and completion times).
LatencySummary summarize_latencies(std::span<const RequestRecord> records);
/// The same over the records of the edge with index `edge_index`.
LatencySummary summarize_latencies(std::span<const RequestRecord> records, std::size_t edge_index);

/// What a run produced.
struct WorkloadResult {
    WorkloadConfig config;
    /// The timed requests that were sent, ordered by index (fewer than planned when interrupted).
    std::vector<RequestRecord> records;
    LatencySummary summary;
    /// Per edge, aligned with `config.edges`.
    std::vector<LatencySummary> per_edge;
    std::size_t planned = 0;
    std::size_t warmup_sent = 0;
    std::size_t warmup_failed = 0;
    /// The first warm-up failure's message, when there was one.
    std::string warmup_error;
    /// The stop token fired before every planned request was sent.
    bool interrupted = false;
    double started_unix = 0;
    double finished_unix = 0;

    /// Config, summary, per-edge summaries, warm-up counts, times and the percentile definition.
    std::string summary_json(int indent = 2) const;
};

/// Called for every timed request as it completes (in completion order, on the thread that runs the
/// workload).
using RecordCallback = std::function<void(const RequestRecord&)>;

/// Runs a workload against the edges of `config`, with the images of `dataset`. Reads every selected
/// image into memory first, sends the warm-up requests, then the timed ones. When `stop` fires, no
/// further request is sent, the requests in flight complete (or time out), and the result holds what
/// was recorded, with `interrupted` set. Throws `Error` for an invalid config, no images or an
/// unreadable image file; never for a failed request.
WorkloadResult run_workload(const WorkloadConfig& config, const CocoDataset& dataset,
                            const RecordCallback& on_record = {}, std::stop_token stop = {});

/// Writes a run's records as they arrive: `client_requests.csv` (one row per timed request, columns
/// with their units, empty cells for missing values, flushed per row), `client_detections.jsonl` (the
/// edge's and the cloud's detections per request), and at the end `client_summary.json`.
class WorkloadRecordWriter {
public:
    /// Creates `directory` if needed; appends to existing files (their header must match).
    explicit WorkloadRecordWriter(const std::filesystem::path& directory);
    ~WorkloadRecordWriter();
    WorkloadRecordWriter(const WorkloadRecordWriter&) = delete;
    WorkloadRecordWriter& operator=(const WorkloadRecordWriter&) = delete;

    /// Appends one record. Thread-safe.
    void append(const RequestRecord& record);
    /// Writes `client_summary.json` (atomically).
    void write_summary(const WorkloadResult& result);

    const std::filesystem::path& directory() const noexcept;
    /// The columns of client_requests.csv, in order.
    static const std::vector<std::string>& columns();
    /// The cells of `record`'s row, aligned with columns() (empty for missing values).
    static std::vector<std::string> row(const RequestRecord& record);

private:
    struct Files;
    std::unique_ptr<Files> files_;
};

}  // namespace edgebench
