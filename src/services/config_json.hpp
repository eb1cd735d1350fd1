#pragma once
// JSON forms of the settings that several node configurations share.

#include <array>
#include <span>
#include <vector>
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

/// The keys of the settings every node configuration has (EdgeConfig and CloudConfig alike).
inline constexpr std::array<std::string_view, 7> kCommonConfigKeys = {
    "name", "detector", "detector_options", "iou_threshold", "score_threshold", "run_id", "max_image_pixels"};

/// Applies the settings of kCommonConfigKeys that `root` names to `config`.
template <class Config>
void merge_common_settings(const JsonCursor& root, Config& config) {
    if (auto v = root.find("name")) config.name = v->as_string();
    if (auto v = root.find("detector")) config.detector = v->as_string();
    if (auto v = root.find("detector_options")) merge_detector_options(*v, config.detector_options);
    if (auto v = root.find("iou_threshold")) config.iou_threshold = v->as_number();
    if (auto v = root.find("score_threshold")) config.score_threshold = v->as_number();
    if (auto v = root.find("run_id")) config.run_id = v->as_string();
    if (auto v = root.find("max_image_pixels")) config.max_image_pixels = v->as_int();
}

/// The settings of kCommonConfigKeys as a JSON object, to which a configuration adds its own.
template <class Config>
nlohmann::json common_settings_json(const Config& config) {
    return {{"name", config.name},
            {"detector", config.detector},
            {"detector_options", detector_options_to_json(config.detector_options)},
            {"iou_threshold", config.iou_threshold},
            {"score_threshold", config.score_threshold},
            {"run_id", config.run_id},
            {"max_image_pixels", config.max_image_pixels}};
}

}  // namespace edgebench::detail
