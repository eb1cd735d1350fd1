#include "services/config_json.hpp"

#include <algorithm>

#include "edgebench/error.hpp"

namespace edgebench::detail {

PreprocessConfig read_preprocess(const JsonCursor& cursor) {
    if (cursor.raw().is_string()) return PreprocessConfig::parse(cursor.as_string());
    cursor.expect_object();
    std::string text;
    for (auto it = cursor.raw().begin(); it != cursor.raw().end(); ++it) {
        const JsonCursor value(it.value(), cursor.path() + "." + it.key(), cursor.file());
        std::string item;
        if (value.raw().is_string()) {
            item = value.as_string();
        } else if (value.raw().is_boolean()) {
            item = value.as_bool() ? "1" : "0";
        } else if (value.raw().is_number()) {
            item = value.raw().dump();
        } else {
            value.fail("a string, number or boolean");
        }
        text += (text.empty() ? "" : ",") + it.key() + "=" + item;
    }
    return PreprocessConfig::parse(text);
}

void reject_unknown_keys(const JsonCursor& cursor, std::span<const std::string_view> known) {
    cursor.expect_object();
    for (auto it = cursor.raw().begin(); it != cursor.raw().end(); ++it) {
        if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
        std::string list;
        for (const auto key : known) list += (list.empty() ? "" : ", ") + std::string(key);
        const std::string path = cursor.path().empty() ? it.key() : cursor.path() + "." + it.key();
        throw Error("unknown key '" + it.key() + "'; expected one of " + list, path, cursor.file());
    }
}

void merge_detector_options(const JsonCursor& cursor, DetectorOptions& options) {
    reject_unknown_keys(cursor, {"score_threshold", "nms_iou_threshold", "max_detections", "device", "threads",
                                 "warmup_runs"});
    if (auto v = cursor.find("score_threshold")) options.score_threshold = v->as_number();
    if (auto v = cursor.find("nms_iou_threshold")) options.nms_iou_threshold = v->as_number();
    if (auto v = cursor.find("max_detections")) options.max_detections = static_cast<int>(v->as_int());
    if (auto v = cursor.find("device")) options.device = v->as_string();
    if (auto v = cursor.find("threads")) options.threads = static_cast<int>(v->as_int());
    if (auto v = cursor.find("warmup_runs")) options.warmup_runs = static_cast<int>(v->as_int());
}

nlohmann::json detector_options_to_json(const DetectorOptions& o) {
    return {{"score_threshold", o.score_threshold}, {"nms_iou_threshold", o.nms_iou_threshold},
            {"max_detections", o.max_detections},   {"device", o.device},
            {"threads", o.threads},                 {"warmup_runs", o.warmup_runs}};
}

void merge_link_profile(const JsonCursor& cursor, LinkProfile& link) {
    reject_unknown_keys(cursor, {"bandwidth_mbps", "latency_ms"});
    if (auto v = cursor.find("bandwidth_mbps")) link.bandwidth_mbps = v->as_number();
    if (auto v = cursor.find("latency_ms")) link.latency_ms = v->as_number();
}

nlohmann::json link_profile_to_json(const LinkProfile& link) {
    return {{"bandwidth_mbps", link.bandwidth_mbps}, {"latency_ms", link.latency_ms}};
}

}  // namespace edgebench::detail
