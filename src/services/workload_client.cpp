// run_workload: one thread drives every request through libcurl's multi interface.
//
// Why one thread and the multi interface: open-loop arrivals must go out at their scheduled times
// whatever is still in flight, and a thread per request would put the scheduler's precision at the
// mercy of the OS. Here transfers are added when due, and `curl_multi_poll` sleeps until a socket is
// ready, curl's own timeout, or the next arrival (a timerfd with nanosecond resolution, since the
// poll timeout itself is in whole milliseconds). Connections live in the multi handle's cache and are
// reused between requests (keep-alive).

#include <curl/curl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <mutex>

#include <nlohmann/json.hpp>

#include "edgebench/base64.hpp"
#include "edgebench/error.hpp"
#include "edgebench/http_client.hpp"
#include "edgebench/workload.hpp"
#include "internal/random.hpp"
#include "internal/unix_time.hpp"

namespace edgebench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// ---- images and request bodies -----------------------------------------------------------------

// One selected image, with everything a request for it needs computed before timing starts.
struct PreparedImage {
    Id image_id = 0;
    std::vector<std::uint8_t> bytes;
    std::string mime;           // image/jpeg, image/png, ...
    std::string json_prefix;    // the request's JSON without request_id, image and the closing brace
    std::string base64;         // JSON format only
};

std::string mime_of(const std::vector<std::uint8_t>& bytes) {
    const ImageFormat format = probe_image(bytes).format;
    return format == ImageFormat::Unknown ? "application/octet-stream" : "image/" + to_string(format);
}

std::vector<const ImageSample*> select_samples(const WorkloadConfig& config, const CocoDataset& dataset) {
    std::vector<const ImageSample*> selected;
    selected.reserve(dataset.size());
    for (const auto& sample : dataset) selected.push_back(&sample);
    if (config.order == ImageOrder::Shuffled) {
        detail::SplitMix64 rng(config.order_seed);
        for (std::size_t i = selected.size(); i > 1; --i) std::swap(selected[i - 1], selected[rng.below(i)]);
    }
    if (config.image_limit > 0 && selected.size() > config.image_limit) selected.resize(config.image_limit);
    return selected;
}

std::vector<PreparedImage> prepare_images(const WorkloadConfig& config, const CocoDataset& dataset) {
    std::vector<PreparedImage> images;
    for (const ImageSample* sample : select_samples(config, dataset)) {
        PreparedImage image;
        image.image_id = sample->id;
        image.bytes = read_image_bytes(*sample);
        image.mime = mime_of(image.bytes);
        InferRequest request;
        request.image_id = sample->id;
        request.has_ground_truth = config.send_annotations;
        if (config.send_annotations) request.annotations = sample->annotations;
        request.preprocess = config.preprocess;
        request.run_id = config.run_id;
        image.json_prefix = infer_request_to_json(request, false);
        image.json_prefix.pop_back();  // the closing brace; the request id (and image) follow
        if (config.format == WireFormat::Json) image.base64 = base64_encode(image.bytes);
        images.push_back(std::move(image));
    }
    if (images.empty()) throw Error("the dataset has no images to send", "images");
    return images;
}

// The body of one request and its Content-Type.
void build_body(const WorkloadConfig& config, const PreparedImage& image, const std::string& request_id,
                std::string& body, std::string& content_type) {
    const std::string id_field = ",\"request_id\":" + nlohmann::json(request_id).dump();
    if (config.format == WireFormat::Json) {
        body.clear();
        body.reserve(image.json_prefix.size() + id_field.size() + image.base64.size() + 20);
        body += image.json_prefix;
        body += id_field;
        body += ",\"image_b64\":\"";
        body += image.base64;
        body += "\"}";
        content_type = "application/json";
        return;
    }
    const std::string metadata = image.json_prefix + id_field + "}";
    const std::string_view bytes(reinterpret_cast<const char*>(image.bytes.data()), image.bytes.size());
    body = encode_multipart({{"image", bytes, image.mime, "image"}, {"metadata", metadata, "application/json", ""}},
                            content_type);
}

// ---- libcurl plumbing ---------------------------------------------------------------------------

struct EasyDeleter {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
    void operator()(CURLM* handle) const noexcept { curl_multi_cleanup(handle); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

std::size_t append_to_string(char* data, std::size_t size, std::size_t count, void* target) {
    static_cast<std::string*>(target)->append(data, size * count);
    return size * count;
}

// A request on its way: the easy handle (reused for later requests) and what it carries.
struct Transfer {
    std::unique_ptr<CURL, EasyDeleter> easy;
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    std::string body;
    std::string content_type;
    std::string response;
    PlannedRequest planned;
    std::string request_id;
    bool warmup = false;
    Clock::time_point scheduled;
    Clock::time_point sent;
};

RequestStatus status_of(CURLcode code) {
    switch (code) {
        case CURLE_OK: return RequestStatus::Ok;
        case CURLE_OPERATION_TIMEDOUT: return RequestStatus::Timeout;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY: return RequestStatus::Unreachable;
        default: return RequestStatus::Failed;
    }
}

// The `error` of a JSON error body, else the start of the body.
std::string error_text(const std::string& body, int status) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    std::string text;
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
        text = parsed["error"].get<std::string>();
        if (parsed.contains("field") && parsed["field"].is_string() && !parsed["field"].get<std::string>().empty()) {
            text = parsed["field"].get<std::string>() + ": " + text;
        }
    } else {
        text = body.substr(0, 200);
    }
    return "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
}

// Runs plans of requests through one multi handle; keeps its connections between plans (warm-up, then
// the timed phase).
class TransferEngine {
public:
    TransferEngine(const WorkloadConfig& config, const std::vector<PreparedImage>& images, std::stop_token stop)
        : config_(config), images_(images), multi_(curl_multi_init()), timer_(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)),
          stop_(std::move(stop)) {
        if (!multi_) throw Error("libcurl could not create a multi handle");
        if (timer_.get() < 0) throw Error("cannot create a timer for the open-loop schedule");
        for (const auto& edge : config.edges) {
            std::string url = edge;
            while (!url.empty() && url.back() == '/') url.pop_back();
            urls_.push_back(url + "/v1/infer");
        }
        const long per_edge = config.connections_per_edge();
        curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, per_edge);
        curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, per_edge * static_cast<long>(urls_.size()) + 4);
    }

    // Sends `plan`. `concurrency` bounds the requests in flight (closed loop, sequential); `open_loop`
    // sends each at its offset instead. `done` gets each finished request.
    template <typename Done>
    void run(const std::vector<PlannedRequest>& plan, bool warmup, int concurrency, bool open_loop,
             Clock::time_point start, Done&& done) {
        // A stop request wakes the poll at once rather than at the next event.
        const std::stop_callback wake(stop_, [this] { curl_multi_wakeup(multi_.get()); });
        std::size_t next = 0;
        std::size_t in_flight = 0;
        while (true) {
            const auto now = Clock::now();
            if (!stop_.stop_requested()) {
                if (open_loop) {
                    while (next < plan.size() && start + offset(plan[next]) <= now) {
                        add(plan[next], warmup, start + offset(plan[next]));
                        ++next;
                        ++in_flight;
                    }
                } else {
                    while (next < plan.size() && in_flight < static_cast<std::size_t>(concurrency)) {
                        add(plan[next++], warmup, Clock::now());
                        ++in_flight;
                    }
                }
            }
            if (in_flight == 0 && (next == plan.size() || stop_.stop_requested())) break;

            int running = 0;
            curl_multi_perform(multi_.get(), &running);
            // Every transfer that finished in this round finished by now; timing each only after the
            // previous one's record was made would charge that work to the later ones.
            const auto finished = Clock::now();
            int queued = 0;
            while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
                if (message->msg != CURLMSG_DONE) continue;
                Transfer* transfer = nullptr;
                curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
                const CURLcode code = message->data.result;
                curl_multi_remove_handle(multi_.get(), message->easy_handle);
                done(*transfer, code, finished);
                release(transfer);
                --in_flight;
            }
            if (in_flight == 0 && (next == plan.size() || stop_.stop_requested())) break;
            const bool more = next < plan.size() && !stop_.stop_requested();
            // A slot freed up, or an arrival is already due: send at once.
            if (more && !open_loop && in_flight < static_cast<std::size_t>(concurrency)) continue;
            if (more && open_loop && start + offset(plan[next]) <= Clock::now()) continue;

            // Sleep until network activity, curl's timeout, a stop request or the next arrival.
            curl_waitfd extra{timer_.get(), CURL_WAIT_POLLIN, 0};
            const unsigned extra_count = more && open_loop ? 1 : 0;
            if (extra_count) arm_timer(start + offset(plan[next]));
            curl_multi_poll(multi_.get(), extra_count ? &extra : nullptr, extra_count, 1000, nullptr);
            if (extra_count) drain_timer();
        }
        sent_ = next;
    }

    ~TransferEngine() {
        for (auto& t : active_) curl_multi_remove_handle(multi_.get(), t->easy.get());
    }
    TransferEngine(const TransferEngine&) = delete;
    TransferEngine& operator=(const TransferEngine&) = delete;

    // How many of the last plan's requests were sent.
    std::size_t sent() const noexcept { return sent_; }

private:
    static Clock::duration offset(const PlannedRequest& p) {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(p.offset_s));
    }

    void arm_timer(Clock::time_point when) {
        // steady_clock is CLOCK_MONOTONIC on Linux, so its time points are the timer's absolute times.
        const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
        itimerspec spec{};
        spec.it_value.tv_sec = static_cast<time_t>(since_epoch / 1'000'000'000);
        spec.it_value.tv_nsec = static_cast<long>(since_epoch % 1'000'000'000);
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
        ::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &spec, nullptr);
    }

    void drain_timer() {
        std::uint64_t expirations = 0;
        [[maybe_unused]] const auto ignored = ::read(timer_.get(), &expirations, sizeof expirations);
    }

    std::unique_ptr<Transfer> make_transfer() {
        auto transfer = std::make_unique<Transfer>();
        transfer->easy.reset(curl_easy_init());
        if (!transfer->easy) throw Error("libcurl could not create a handle");
        return transfer;
    }

    void add(const PlannedRequest& planned, bool warmup, Clock::time_point scheduled) {
        std::unique_ptr<Transfer> transfer;
        if (!idle_.empty()) {
            transfer = std::move(idle_.back());
            idle_.pop_back();
        } else {
            transfer = make_transfer();
        }
        Transfer& t = *transfer;
        t.planned = planned;
        t.warmup = warmup;
        t.request_id = config_.id_prefix() + (warmup ? "-warmup-" : "-") + std::to_string(planned.index);
        build_body(config_, images_[planned.image], t.request_id, t.body, t.content_type);
        t.response.clear();

        curl_slist* headers = nullptr;
        // Without an empty Expect, libcurl waits for "100 Continue" before sending a body over 1 KiB.
        headers = curl_slist_append(headers, "Expect:");
        headers = curl_slist_append(headers, ("Content-Type: " + t.content_type).c_str());
        if (!config_.token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + config_.token).c_str());
        t.headers.reset(headers);

        CURL* easy = t.easy.get();
        curl_easy_reset(easy);
        curl_easy_setopt(easy, CURLOPT_URL, urls_[planned.edge].c_str());
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::ceil(config_.timeout_s * 1000.0)));
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::ceil(config_.connect_timeout_s * 1000.0)));
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headers.get());
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
        // Fewer, larger writes for image-sized bodies.
        curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &append_to_string);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t.response);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);

        t.scheduled = scheduled;
        t.sent = Clock::now();
        if (curl_multi_add_handle(multi_.get(), easy) != CURLM_OK) throw Error("libcurl could not start a transfer");
        active_.push_back(std::move(transfer));
    }

    void release(Transfer* transfer) {
        const auto found = std::find_if(active_.begin(), active_.end(), [&](const auto& t) { return t.get() == transfer; });
        if (found == active_.end()) return;
        idle_.push_back(std::move(*found));
        active_.erase(found);
    }

    const WorkloadConfig& config_;
    const std::vector<PreparedImage>& images_;
    std::vector<std::string> urls_;
    // Declared before the transfers: easy handles must be removed from the multi handle before either
    // is cleaned up, and members are destroyed in reverse order.
    std::unique_ptr<CURLM, MultiDeleter> multi_;
    FileDescriptor timer_;
    std::stop_token stop_;
    std::vector<std::unique_ptr<Transfer>> active_;
    std::vector<std::unique_ptr<Transfer>> idle_;
    std::size_t sent_ = 0;
};

// Fills a record from a finished transfer.
RequestRecord make_record(const WorkloadConfig& config, const std::vector<PreparedImage>& images, const Transfer& t,
                          CURLcode code, Clock::time_point finished, Clock::time_point start, double start_unix) {
    RequestRecord r;
    r.index = t.planned.index;
    r.request_id = t.request_id;
    r.run_id = config.run_id;
    r.image_id = images[t.planned.image].image_id;
    r.edge_index = t.planned.edge;
    r.edge = config.edges[t.planned.edge];
    r.format = config.format;
    r.scheduled_ms = ms_between(start, t.scheduled);
    r.sent_ms = ms_between(start, t.sent);
    r.completed_ms = ms_between(start, finished);
    r.scheduled_unix = start_unix + r.scheduled_ms / 1000.0;
    r.sent_unix = start_unix + r.sent_ms / 1000.0;
    r.latency_ms = r.completed_ms - r.scheduled_ms;
    r.round_trip_ms = r.completed_ms - r.sent_ms;
    r.image_bytes = images[t.planned.image].bytes.size();
    r.bytes_sent = t.body.size();
    r.bytes_received = t.response.size();

    CURL* easy = t.easy.get();
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    r.http_status = static_cast<int>(status);
    curl_off_t uploaded = 0;
    if (curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded) == CURLE_OK && code != CURLE_OK) {
        r.bytes_sent = static_cast<std::size_t>(uploaded);
    }

    r.status = status_of(code);
    if (r.status != RequestStatus::Ok) {
        r.error = curl_easy_strerror(code);
        return r;
    }
    if (status < 200 || status >= 300) {
        r.status = RequestStatus::HttpError;
        r.error = error_text(t.response, r.http_status);
        return r;
    }
    try {
        InferResponse response = parse_infer_response(t.response);
        if (response.request_id != t.request_id) {
            r.status = RequestStatus::Failed;
            r.error = "the answer is for request '" + response.request_id + "'";
            return r;
        }
        if (!response.cloud_json.empty() && response.cloud_json != "null") {
            try {
                r.cloud_response = parse_infer_response(response.cloud_json);
            } catch (const Error& error) {
                r.error = std::string("unreadable cloud answer: ") + error.what();
            }
        }
        r.edge_response = std::move(response);
    } catch (const Error& error) {
        r.status = RequestStatus::Failed;
        r.error = std::string("malformed answer: ") + error.what();
    }
    return r;
}

}  // namespace

std::string to_string(RequestStatus status) {
    switch (status) {
        case RequestStatus::Ok: return "ok";
        case RequestStatus::HttpError: return "http_error";
        case RequestStatus::Timeout: return "timeout";
        case RequestStatus::Unreachable: return "unreachable";
        case RequestStatus::Failed: return "failed";
    }
    return "failed";
}

WorkloadResult run_workload(const WorkloadConfig& config, const CocoDataset& dataset, const RecordCallback& on_record,
                            std::stop_token stop) {
    config.validate();
    WorkloadResult result;
    result.config = config;
    result.started_unix = detail::unix_time_now();

    const std::vector<PreparedImage> images = prepare_images(config, dataset);
    const std::vector<PlannedRequest> plan = plan_requests(config, images.size());
    result.planned = plan.size();

    TransferEngine engine(config, images, stop);

    // Warm-up: sequential, each edge in turn, nothing recorded but the failures' count.
    if (config.warmup_requests > 0) {
        std::vector<PlannedRequest> warmup;
        for (std::size_t e = 0; e < config.edges.size(); ++e) {
            for (std::size_t k = 0; k < config.warmup_requests; ++k) {
                warmup.push_back({warmup.size(), k % images.size(), e, 0.0});
            }
        }
        const auto start = Clock::now();
        const double start_unix = detail::unix_time_now();
        engine.run(warmup, true, 1, false, start, [&](const Transfer& t, CURLcode code, Clock::time_point finished) {
            const RequestRecord record = make_record(config, images, t, code, finished, start, start_unix);
            if (!record.ok()) {
                ++result.warmup_failed;
                if (result.warmup_error.empty()) result.warmup_error = record.request_id + ": " + record.error;
            }
        });
        result.warmup_sent = engine.sent();
    }

    const auto& schedule = config.schedule;
    const bool open_loop = schedule.kind == Schedule::Kind::OpenLoop;
    const int concurrency = schedule.kind == Schedule::Kind::ClosedLoop ? schedule.concurrency : 1;
    if (!stop.stop_requested()) {
        const auto start = Clock::now();
        const double start_unix = detail::unix_time_now();
        engine.run(plan, false, concurrency, open_loop, start, [&](const Transfer& t, CURLcode code, Clock::time_point finished) {
            RequestRecord record = make_record(config, images, t, code, finished, start, start_unix);
            if (on_record) on_record(record);
            result.records.push_back(std::move(record));
        });
    }
    std::sort(result.records.begin(), result.records.end(),
              [](const RequestRecord& a, const RequestRecord& b) { return a.index < b.index; });
    result.interrupted = result.records.size() < plan.size();
    result.summary = summarize_latencies(result.records);
    for (std::size_t e = 0; e < config.edges.size(); ++e) result.per_edge.push_back(summarize_latencies(result.records, e));
    result.finished_unix = detail::unix_time_now();
    return result;
}

}  // namespace edgebench
