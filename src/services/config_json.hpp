#pragma once
// JSON forms of the settings that several node configurations share.

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "edgebench/detector.hpp"
#include "edgebench/link_profile.hpp"
#include "edgebench/preprocess_config.hpp"
#include "internal/json_cursor.hpp"

namespace edgebench::detail {

/// A preprocessing setting given as a settings string or as an object of settings.
PreprocessConfig read_preprocess(const JsonCursor& cursor);
/// Applies {score_threshold, nms_iou_threshold, max_detections, device, threads, warmup_runs}.
void merge_detector_options(const JsonCursor& cursor, DetectorOptions& options);
nlohmann::json detector_options_to_json(const DetectorOptions& options);
void merge_link_profile(const JsonCursor& cursor, LinkProfile& link);
nlohmann::json link_profile_to_json(const LinkProfile& link);
/// Throws `Error` naming a key of `cursor` that is not in `known`.
void reject_unknown_keys(const JsonCursor& cursor, std::span<const std::string_view> known);
inline void reject_unknown_keys(const JsonCursor& cursor, std::initializer_list<std::string_view> known) {
    reject_unknown_keys(cursor, std::span<const std::string_view>(known.begin(), known.size()));
}

}  // namespace edgebench::detail
