#include "edgebench/edge_service.hpp"

#include <cmath>
#include <mutex>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/evaluator.hpp"
#include "edgebench/http_client.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/stage_clock.hpp"
#include "internal/object_pool.hpp"
#include "services/config_json.hpp"
#include "services/detector_pool.hpp"
#include "services/link_shaper.hpp"

namespace edgebench {
namespace {

std::vector<Detection> clipped(std::vector<Detection> detections, int width, int height) {
    if (width <= 0 || height <= 0) return detections;
    for (auto& d : detections) d.bbox = d.bbox.clipped(width, height);
    return detections;
}

}  // namespace

void EdgeConfig::merge_json(std::string_view text) {
    const nlohmann::json document = detail::parse_json(text, "edge config");
    const detail::JsonCursor root(document, "", "");
    std::vector<std::string_view> known(detail::kCommonConfigKeys.begin(), detail::kCommonConfigKeys.end());
    known.insert(known.end(), {"preprocess", "cloud_url", "cloud_token", "forward_timeout_s", "link"});
    detail::reject_unknown_keys(root, known);
    EdgeConfig next = *this;
    detail::merge_common_settings(root, next);
    if (auto v = root.find("preprocess")) next.preprocess = detail::read_preprocess(*v);
    if (auto v = root.find("cloud_url")) next.cloud_url = v->as_string();
    if (auto v = root.find("cloud_token")) next.cloud_token = v->as_string();
    if (auto v = root.find("forward_timeout_s")) next.forward_timeout_s = v->as_number();
    if (auto v = root.find("link")) detail::merge_link_profile(*v, next.link);
    next.validate();
    *this = std::move(next);
}

std::string EdgeConfig::to_json() const {
    nlohmann::json json = detail::common_settings_json(*this);
    json["preprocess"] = preprocess.to_string();
    json["cloud_url"] = cloud_url;
    json["forward_timeout_s"] = forward_timeout_s;
    json["link"] = detail::link_profile_to_json(link);
    return json.dump();
}

void EdgeConfig::validate() const {
    if (name.empty()) throw Error("must not be empty", "name");
    (void)DetectorSpec::parse(detector);
    detector_options.validate();
    preprocess.validate();
    if (!(forward_timeout_s > 0) || !std::isfinite(forward_timeout_s)) throw Error("must be positive", "forward_timeout_s");
    link.validate();
    EvaluatorOptions{iou_threshold, score_threshold, 1}.validate();
    if (max_image_pixels <= 0) throw Error("must be positive", "max_image_pixels");
    if (!cloud_url.empty() && cloud_url.rfind("http://", 0) != 0 && cloud_url.rfind("https://", 0) != 0) {
        throw Error("expected an http:// or https:// URL, got '" + cloud_url + "'", "cloud_url");
    }
}

// Everything a request needs, swapped as a whole when the configuration changes.
struct ActiveEdge {
    EdgeConfig config;
    Preprocessor preprocessor;
    std::shared_ptr<detail::DetectorPool> detector;  // null: no detection
    std::shared_ptr<detail::LinkShaper> shaper;
    std::shared_ptr<detail::ObjectPool<HttpClient>> clients;
    bool detector_supplied = false;  // by use_detector(); config.detector holds its label, not a spec
};

struct EdgeService::State {
    detail::DetectorCache detectors;
    std::shared_ptr<RequestLog> log;
    mutable std::mutex mutex;  // guards `active` and serialises configuration changes
    std::mutex update_mutex;
    std::shared_ptr<const ActiveEdge> active;

    explicit State(DetectorRegistry registry) : detectors(std::move(registry)) {}

    std::shared_ptr<const ActiveEdge> snapshot() const {
        std::lock_guard lock(mutex);
        return active;
    }

    std::shared_ptr<const ActiveEdge> build(const EdgeConfig& config, const ActiveEdge* previous,
                                            std::shared_ptr<detail::DetectorPool> explicit_detector) {
        config.validate();
        PreprocessLimits limits;
        limits.max_pixels = config.max_image_pixels;
        const bool supplied = explicit_detector != nullptr;
        auto detector = explicit_detector ? std::move(explicit_detector)
                                          : detectors.get(config.detector, config.detector_options);
        // Keep the link's queue and the HTTP connections when their settings did not change.
        auto shaper = previous && previous->config.link == config.link ? previous->shaper
                                                                        : std::make_shared<detail::LinkShaper>(config.link);
        std::shared_ptr<detail::ObjectPool<HttpClient>> clients;
        if (previous && previous->config.cloud_token == config.cloud_token &&
            previous->config.forward_timeout_s == config.forward_timeout_s) {
            clients = previous->clients;
        } else {
            HttpClientOptions options;
            options.timeout_ms = static_cast<long>(config.forward_timeout_s * 1000.0);
            options.bearer_token = config.cloud_token;
            clients = std::make_shared<detail::ObjectPool<HttpClient>>([options] { return std::make_unique<HttpClient>(options); });
        }
        return std::make_shared<const ActiveEdge>(ActiveEdge{config, Preprocessor(config.preprocess, limits),
                                                             std::move(detector), std::move(shaper), std::move(clients),
                                                             supplied});
    }
};

EdgeService::EdgeService(EdgeConfig config, DetectorRegistry registry, std::shared_ptr<RequestLog> log)
    : state_(std::make_unique<State>(std::move(registry))) {
    state_->log = std::move(log);
    state_->active = state_->build(config, nullptr, nullptr);
}

EdgeService::~EdgeService() = default;

std::string EdgeService::name() const { return state_->snapshot()->config.name; }
EdgeConfig EdgeService::config() const { return state_->snapshot()->config; }
std::string EdgeService::config_json() const { return state_->snapshot()->config.to_json(); }

void EdgeService::update_config(std::string_view json) {
    std::lock_guard serial(state_->update_mutex);
    const auto current = state_->snapshot();
    EdgeConfig next = current->config;
    next.merge_json(json);
    // A supplied detector stays until the detector is changed explicitly.
    const bool spec_changed = next.detector != current->config.detector ||
                              detail::detector_options_to_json(next.detector_options) !=
                                  detail::detector_options_to_json(current->config.detector_options);
    auto keep = !spec_changed && current->detector_supplied ? current->detector : nullptr;
    auto built = state_->build(next, current.get(), std::move(keep));
    std::lock_guard lock(state_->mutex);
    state_->active = std::move(built);
}

void EdgeService::use_detector(std::shared_ptr<Detector> detector, const std::string& label) {
    if (!detector) throw Error("no detector given", "detector");
    if (label.empty()) throw Error("must not be empty", "label");
    std::lock_guard serial(state_->update_mutex);
    const auto current = state_->snapshot();
    EdgeConfig next = current->config;
    next.detector = label;  // what GET /v1/config reports, and what a PUT keeps the detector with
    auto built = state_->build(next, current.get(), std::make_shared<detail::DetectorPool>(std::move(detector), label));
    std::lock_guard lock(state_->mutex);
    state_->active = std::move(built);
}

namespace {

StageCost cost(double wall_ms, double cpu_ms) { return StageCost{wall_ms, cpu_ms}; }

// The time since the last lap, recorded under `name`, as a StageCost.
StageCost lap(StageClock& clock, std::string_view name) {
    clock.lap(name);
    const auto stage = clock.find(name);
    return stage ? cost(stage->wall_ms, stage->cpu_ms) : StageCost{};
}

}  // namespace

InferResponse EdgeService::infer(InferRequest request) {
    StageClock clock;
    const auto active = state_->snapshot();
    const EdgeConfig& config = active->config;

    InferResponse response;
    response.image_id = request.image_id;
    response.node = config.name;
    response.request_id = request.request_id;
    response.run_id = request.run_id.empty() ? config.run_id : request.run_id;
    response.detector = active->detector ? active->detector->label() : "none";

    // Preprocess (a per-request setting overrides the node's).
    std::optional<Preprocessor> override_preprocessor;
    if (request.preprocess) {
        PreprocessLimits limits;
        limits.max_pixels = config.max_image_pixels;
        override_preprocessor.emplace(*request.preprocess, limits);
    }
    const Preprocessor& preprocessor = override_preprocessor ? *override_preprocessor : active->preprocessor;
    response.preprocess = preprocessor.config().to_string();
    PreprocessResult prepared = preprocessor.process(request.image, active->detector != nullptr);
    response.timings.preprocess = lap(clock, "preprocess");
    response.timings.preprocess_detail = prepared.metrics;

    // Detect, in original-image pixels.
    if (active->detector) {
        DetectionResult found;
        {
            auto detector = active->detector->acquire();
            found = detector->detect(prepared.image);
        }
        response.detections =
            clipped(prepared.to_original(std::move(found.detections)), prepared.metrics.width_in, prepared.metrics.height_in);
        response.timings.inference_detail = found.timings;
        response.timings.inference = lap(clock, "inference");
        if (request.has_ground_truth) {
            response.metrics = score_image(request.annotations, response.detections, config.iou_threshold,
                                           config.score_threshold);
        }
        response.timings.evaluation = lap(clock, "evaluation");
    }

    // Forward the preprocessed image to the cloud.
    if (!config.cloud_url.empty()) {
        InferRequest forwarded;
        forwarded.image_id = request.image_id;
        forwarded.annotations = request.annotations;
        forwarded.has_ground_truth = request.has_ground_truth;
        forwarded.request_id = request.request_id;
        forwarded.run_id = response.run_id;
        forwarded.original_width = prepared.metrics.width_in;
        forwarded.original_height = prepared.metrics.height_in;
        forwarded.scale_x = prepared.scale_x;
        forwarded.scale_y = prepared.scale_y;
        forwarded.edge = config.name;
        forwarded.edge_detections = response.detections;
        const std::string metadata = infer_request_to_json(forwarded, false);
        const std::string_view image(reinterpret_cast<const char*>(prepared.encoded.data()), prepared.encoded.size());
        std::string content_type;
        const std::string body = encode_multipart(
            {{"image", image, "image/" + to_string(prepared.format), "image"}, {"metadata", metadata, "application/json", ""}},
            content_type);
        if (!config.link.unlimited()) active->shaper->transmit(body.size());
        HttpResponse reply;
        {
            auto client = active->clients->acquire();
            reply = client->post(config.cloud_url + "/v1/infer", body, content_type);
        }
        response.forward.bytes_sent = body.size();
        response.forward.http_status = reply.status;
        if (reply.ok() && nlohmann::json::accept(reply.body)) {
            response.forward.status = ForwardOutcome::Status::Ok;
            response.cloud_json = std::move(reply.body);
        } else if (reply.ok()) {
            // Embedding an answer that is not JSON would make this response unreadable too.
            response.forward.status = ForwardOutcome::Status::Failed;
            response.forward.error = "the cloud's answer is not JSON: " + reply.body.substr(0, 100);
        } else if (reply.outcome == HttpResponse::Outcome::Ok) {
            response.forward.status = ForwardOutcome::Status::HttpError;
            response.forward.error = reply.body.substr(0, 300);
        } else {
            response.forward.status = reply.outcome == HttpResponse::Outcome::Timeout       ? ForwardOutcome::Status::Timeout
                                      : reply.outcome == HttpResponse::Outcome::Unreachable ? ForwardOutcome::Status::Unreachable
                                                                                            : ForwardOutcome::Status::Failed;
            response.forward.error = reply.error;
        }
        response.timings.forward = lap(clock, "forward");
    }

    response.timings.parse = request.parse_time;
    response.timings.total = cost(clock.elapsed_wall_ms() + request.parse_time.wall_ms,
                                  clock.elapsed_cpu_ms() + request.parse_time.cpu_ms);
    if (state_->log) state_->log->record(response);
    return response;
}

}  // namespace edgebench
