#pragma once
/// \file
/// The cloud node: receives images forwarded by edges, records them, and can run its own detector and
/// score it (detection on the edge, on the cloud, or both).

#include <memory>
#include <string>
#include <string_view>

#include "edgebench/detector.hpp"
#include "edgebench/node_service.hpp"
#include "edgebench/request_log.hpp"

namespace edgebench {

struct CloudConfig {
    std::string name = "cloud";
    std::string detector = "none";
    DetectorOptions detector_options;
    double iou_threshold = 0.5;
    double score_threshold = 0.5;
    std::string run_id;
    std::int64_t max_image_pixels = 100'000'000;

    /// Keys: name, detector, detector_options {...}, iou_threshold, score_threshold, run_id,
    /// max_image_pixels. Unknown keys and bad values throw `Error` naming the key.
    void merge_json(std::string_view json);
    std::string to_json() const;
    void validate() const;
};

/// The cloud, transport-free and thread-safe. It decodes an image only when its detector runs.
class CloudService final : public NodeService {
public:
    explicit CloudService(CloudConfig config, DetectorRegistry registry = DetectorRegistry::with_builtin_backends(),
                          std::shared_ptr<RequestLog> log = nullptr);
    ~CloudService() override;

    InferResponse infer(InferRequest request) override;
    std::string config_json() const override;
    void update_config(std::string_view json) override;
    std::string name() const override;

    /// Uses `detector` (for instance one written in Python) instead of building one from a spec. The
    /// configuration then names it by `label` (not empty), and a `PUT /v1/config` that leaves `detector`
    /// as it is keeps it; one that names a spec replaces it.
    void use_detector(std::shared_ptr<Detector> detector, const std::string& label);
    CloudConfig config() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace edgebench
