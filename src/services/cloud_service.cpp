#include "edgebench/cloud_service.hpp"

#include <mutex>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "edgebench/error.hpp"
#include "edgebench/evaluator.hpp"
#include "edgebench/image_info.hpp"
#include "edgebench/stage_clock.hpp"
#include "services/config_json.hpp"
#include "services/detector_pool.hpp"

namespace edgebench {

void CloudConfig::merge_json(std::string_view text) {
    const nlohmann::json document = detail::parse_json(text, "cloud config");
    const detail::JsonCursor root(document, "", "");
    detail::reject_unknown_keys(root, detail::kCommonConfigKeys);
    CloudConfig next = *this;
    detail::merge_common_settings(root, next);
    next.validate();
    *this = std::move(next);
}

std::string CloudConfig::to_json() const { return detail::common_settings_json(*this).dump(); }

void CloudConfig::validate() const {
    if (name.empty()) throw Error("must not be empty", "name");
    (void)DetectorSpec::parse(detector);
    detector_options.validate();
    EvaluatorOptions{iou_threshold, score_threshold, 1}.validate();
    if (max_image_pixels <= 0) throw Error("must be positive", "max_image_pixels");
}

struct ActiveCloud {
    CloudConfig config;
    std::shared_ptr<detail::DetectorPool> detector;
    bool detector_supplied = false;  // by use_detector(); config.detector holds its label, not a spec
};

struct CloudService::State {
    detail::DetectorCache detectors;
    std::shared_ptr<RequestLog> log;
    mutable std::mutex mutex;
    std::mutex update_mutex;
    std::shared_ptr<const ActiveCloud> active;

    explicit State(DetectorRegistry registry) : detectors(std::move(registry)) {}

    std::shared_ptr<const ActiveCloud> snapshot() const {
        std::lock_guard lock(mutex);
        return active;
    }
    void install(std::shared_ptr<const ActiveCloud> next) {
        std::lock_guard lock(mutex);
        active = std::move(next);
    }
};

CloudService::CloudService(CloudConfig config, DetectorRegistry registry, std::shared_ptr<RequestLog> log)
    : state_(std::make_unique<State>(std::move(registry))) {
    config.validate();
    state_->log = std::move(log);
    auto detector = state_->detectors.get(config.detector, config.detector_options);
    state_->active = std::make_shared<const ActiveCloud>(ActiveCloud{std::move(config), std::move(detector)});
}

CloudService::~CloudService() = default;

std::string CloudService::name() const { return state_->snapshot()->config.name; }
CloudConfig CloudService::config() const { return state_->snapshot()->config; }
std::string CloudService::config_json() const { return state_->snapshot()->config.to_json(); }

void CloudService::update_config(std::string_view json) {
    std::lock_guard serial(state_->update_mutex);
    const auto current = state_->snapshot();
    CloudConfig next = current->config;
    next.merge_json(json);
    const bool spec_changed = next.detector != current->config.detector ||
                              detail::detector_options_to_json(next.detector_options) !=
                                  detail::detector_options_to_json(current->config.detector_options);
    // A supplied detector stays until the detector is changed explicitly.
    const bool keep = !spec_changed && current->detector_supplied;
    auto detector = keep ? current->detector : state_->detectors.get(next.detector, next.detector_options);
    state_->install(std::make_shared<const ActiveCloud>(ActiveCloud{std::move(next), std::move(detector), keep}));
}

void CloudService::use_detector(std::shared_ptr<Detector> detector, const std::string& label) {
    if (!detector) throw Error("no detector given", "detector");
    if (label.empty()) throw Error("must not be empty", "label");
    std::lock_guard serial(state_->update_mutex);
    const auto current = state_->snapshot();
    CloudConfig next = current->config;
    next.detector = label;  // what GET /v1/config reports, and what a PUT keeps the detector with
    state_->install(std::make_shared<const ActiveCloud>(
        ActiveCloud{std::move(next), std::make_shared<detail::DetectorPool>(std::move(detector), label), true}));
}

InferResponse CloudService::infer(InferRequest request) {
    StageClock clock;
    auto lap = [&clock](std::string_view name) {
        clock.lap(name);
        const auto stage = clock.find(name);
        return stage ? StageCost{stage->wall_ms, stage->cpu_ms} : StageCost{};
    };
    const auto active = state_->snapshot();
    const CloudConfig& config = active->config;

    InferResponse response;
    response.image_id = request.image_id;
    response.node = config.name;
    response.request_id = request.request_id;
    response.run_id = request.run_id.empty() ? config.run_id : request.run_id;
    response.detector = active->detector ? active->detector->label() : "none";

    const ImageInfo info = probe_image(request.image);
    if (info.format == ImageFormat::Unknown || info.width <= 0 || info.height <= 0) {
        throw Error("not a JPEG, PNG or WebP image", "image");
    }
    if (static_cast<std::int64_t>(info.width) * info.height > config.max_image_pixels) {
        throw Error("image of " + std::to_string(info.width) + "x" + std::to_string(info.height) +
                        " pixels exceeds the limit of " + std::to_string(config.max_image_pixels),
                    "image");
    }
    auto& sizes = response.timings.preprocess_detail;
    sizes.bytes_in = sizes.bytes_out = request.image.size();
    sizes.width_in = sizes.width_out = info.width;
    sizes.height_in = sizes.height_out = info.height;

    if (active->detector) {
        if (!info.complete) throw Error("truncated " + to_string(info.format) + " data", "image");
        clock.skip();  // probing the header is not a stage
        const cv::Mat image = cv::imdecode(request.image, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
        if (image.empty()) throw Error("corrupt " + to_string(info.format) + " data", "image");
        response.timings.preprocess = lap("preprocess");
        sizes.decode_ms = response.timings.preprocess.wall_ms;

        DetectionResult found;
        {
            auto detector = active->detector->acquire();
            found = detector->detect(image);
        }
        // The forwarded image may be smaller than the original: map back, as the edge does.
        const int width = request.original_width > 0 ? request.original_width : info.width;
        const int height = request.original_height > 0 ? request.original_height : info.height;
        for (auto& d : found.detections) {
            d.bbox = BBox{d.bbox.x / request.scale_x, d.bbox.y / request.scale_y, d.bbox.width / request.scale_x,
                          d.bbox.height / request.scale_y}
                         .clipped(width, height);
        }
        response.detections = std::move(found.detections);
        response.timings.inference_detail = found.timings;
        response.timings.inference = lap("inference");
        if (request.has_ground_truth) {
            response.metrics = score_image(request.annotations, response.detections, config.iou_threshold,
                                           config.score_threshold);
        }
        response.timings.evaluation = lap("evaluation");
    }

    response.timings.parse = request.parse_time;
    response.timings.total = StageCost{clock.elapsed_wall_ms() + request.parse_time.wall_ms,
                                       clock.elapsed_cpu_ms() + request.parse_time.cpu_ms};
    if (state_->log) state_->log->record(response);
    return response;
}

}  // namespace edgebench
