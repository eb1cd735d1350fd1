#pragma once
/// \file
/// The edge node: decode, preprocess, detect, score against the request's ground truth, forward the
/// preprocessed image to the cloud, answer with everything measured.

#include <memory>
#include <string>
#include <string_view>

#include "edgebench/detector.hpp"
#include "edgebench/link_profile.hpp"
#include "edgebench/node_service.hpp"
#include "edgebench/preprocess_config.hpp"
#include "edgebench/request_log.hpp"

namespace edgebench {

struct EdgeConfig {
    std::string name = "edge";
    /// Detector spec (`none`: only preprocess and forward).
    std::string detector = "none";
    DetectorOptions detector_options;
    PreprocessConfig preprocess;
    /// Base URL of the cloud (e.g. `http://127.0.0.1:8100`); empty: no forwarding.
    std::string cloud_url;
    std::string cloud_token;
    double forward_timeout_s = 10.0;
    /// Emulated in the edge process before each forward (for links the kernel does not shape).
    LinkProfile link;
    /// Operating point for the per-request scores.
    double iou_threshold = 0.5;
    double score_threshold = 0.5;
    /// Copied into every response and record, so that rows can be joined with the run they belong to.
    std::string run_id;
    /// Largest image (width x height) accepted, checked before decoding.
    std::int64_t max_image_pixels = 100'000'000;

    /// Applies the keys of a JSON object onto this config (unknown keys and bad values throw `Error`
    /// naming the key): name, detector, detector_options {score_threshold, nms_iou_threshold,
    /// max_detections, device, threads, warmup_runs}, preprocess (settings string or object), cloud_url,
    /// cloud_token, forward_timeout_s, link {bandwidth_mbps, latency_ms}, iou_threshold, score_threshold,
    /// run_id, max_image_pixels.
    void merge_json(std::string_view json);
    std::string to_json() const;  ///< cloud_token is never included
    void validate() const;
};

/// The edge, transport-free. Thread-safe: many requests may be served at once.
///
/// Detectors: a thread-safe detector (TorchScript) is shared by all requests; otherwise each concurrent
/// request leases its own clone from a pool, so a worker never waits for another's forward pass. Models
/// are cached by spec and options: switching back and forth between configurations loads each once.
class EdgeService final : public NodeService {
public:
    explicit EdgeService(EdgeConfig config, DetectorRegistry registry = DetectorRegistry::with_builtin_backends(),
                         std::shared_ptr<RequestLog> log = nullptr);
    ~EdgeService() override;

    InferResponse infer(InferRequest request) override;
    std::string config_json() const override;
    void update_config(std::string_view json) override;
    std::string name() const override;

    /// Uses `detector` (for instance one written in Python) instead of building one from a spec. The
    /// configuration then names it by `label` (not empty), and a `PUT /v1/config` that leaves `detector`
    /// as it is keeps it; one that names a spec replaces it.
    void use_detector(std::shared_ptr<Detector> detector, const std::string& label);
    EdgeConfig config() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace edgebench
