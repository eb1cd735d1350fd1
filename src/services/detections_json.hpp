#pragma once
// Detections as JSON, the one shape the wire protocol and the workload client's records both use:
// [{"category_id": 1, "bbox": [x, y, width, height], "score": 0.9}, ...].

#include <vector>

#include <nlohmann/json.hpp>

#include "edgebench/types.hpp"

namespace edgebench::detail {

nlohmann::json detections_json(const std::vector<Detection>& detections);

}  // namespace edgebench::detail
