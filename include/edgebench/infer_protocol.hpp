#pragma once
/// \file
/// What crosses the wire between workload client, edge and cloud (`POST /v1/infer`): requests and
/// responses as plain structs, with their JSON forms. Two request encodings exist: JSON with the image
/// in base64 (the original study's format) and multipart/form-data with a raw `image` part and a JSON
/// `metadata` part (no base64 cost).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgebench/detector.hpp"
#include "edgebench/evaluator.hpp"
#include "edgebench/preprocess_config.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

/// Wall-clock and thread-CPU milliseconds of one stage of serving a request.
struct StageCost {
    double wall_ms = 0;
    double cpu_ms = 0;
};

/// An image to serve, with its ground truth in original-image pixels.
struct InferRequest {
    Id image_id = 0;
    std::vector<std::uint8_t> image;  ///< encoded bytes
    std::vector<Annotation> annotations;
    /// Whether the request carried ground truth (an empty list means "no objects", not "unknown").
    bool has_ground_truth = false;
    /// Preprocessing for this request only; otherwise the node's configured preprocessing applies.
    std::optional<PreprocessConfig> preprocess;
    std::string request_id;  ///< chosen by the client, echoed in the response and the records
    std::string run_id;      ///< the configuration the request belongs to
    /// Time the transport spent reading and decoding this request (0 when it was built in memory); it is
    /// reported as the `parse` stage and counted in the total.
    StageCost parse_time;

    // Set when an edge forwards to the cloud: how the forwarded image relates to the original.
    int original_width = 0;
    int original_height = 0;
    double scale_x = 1.0;  ///< forwarded pixels per original pixel
    double scale_y = 1.0;
    std::string edge;                        ///< the forwarding edge's node name
    std::vector<Detection> edge_detections;  ///< what the edge found (original pixels)
};

/// How serving one request went, stage by stage.
struct ServeTimings {
    StageCost parse;       ///< reading the request (JSON, base64)
    StageCost preprocess;  ///< decode, grayscale/resize, encode, decode for the detector
    StageCost inference;   ///< the detector
    StageCost evaluation;  ///< scoring against the ground truth
    StageCost forward;     ///< sending to the cloud and waiting for its answer
    StageCost total;       ///< from the request's arrival to the response
    PreprocessMetrics preprocess_detail;
    DetectorTimings inference_detail;
};

/// The outcome of forwarding to the cloud.
struct ForwardOutcome {
    enum class Status { Disabled, Ok, HttpError, Timeout, Unreachable, Failed };
    Status status = Status::Disabled;
    int http_status = 0;
    std::string error;
    std::size_t bytes_sent = 0;
};
std::string to_string(ForwardOutcome::Status status);

/// What a node answers.
struct InferResponse {
    Id image_id = 0;
    std::string node;
    std::string request_id;
    std::string run_id;
    std::string detector;    ///< spec of the detector that ran ("none" when none)
    std::string preprocess;  ///< canonical preprocessing settings that applied
    std::vector<Detection> detections;     ///< original-image pixels
    std::optional<ImageMetrics> metrics;   ///< when the request carried ground truth and a detector ran
    ServeTimings timings;
    ForwardOutcome forward;
    /// The cloud's response JSON, verbatim, when forwarding succeeded.
    std::string cloud_json;
};

/// Parses a JSON request (`image_b64` holds the image). Throws `Error` naming the bad field.
InferRequest parse_infer_json(std::string_view body);
/// Parses the `metadata` part of a multipart request; `image` is the raw `image` part.
InferRequest parse_infer_metadata(std::string_view metadata_json, std::vector<std::uint8_t> image);
/// The JSON form of a request: with `include_image` the image goes in `image_b64`, otherwise it is left
/// out (the multipart `metadata` part).
std::string infer_request_to_json(const InferRequest& request, bool include_image);

std::string infer_response_to_json(const InferResponse& response);
/// Parses a response (as the client receives it); throws `Error` for malformed JSON.
InferResponse parse_infer_response(std::string_view body);

}  // namespace edgebench
